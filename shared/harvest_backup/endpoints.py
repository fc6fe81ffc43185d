"""Every Harvest API v2 endpoint a backup covers, and where each lands (the layout of
getharvest-backup's README: ``harvest_account_<id>/<folder>/list.json`` + ``<id>.json``)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sub:
    """A per-item sub-resource, written as ``<id>_<name>.json`` beside the item."""

    name: str
    path: str  # with {id}
    key: str  # the list's key in the answer
    optional: bool = False  # 422 (e.g. teammates of a non-manager) is skipped and noted


@dataclass(frozen=True)
class Endpoint:
    folder: str
    path: str
    key: str | None  # the list's key; None: a single object written as data.json
    subs: tuple[Sub, ...] = ()
    pdf: str | None = None  # "invoices" | "estimates": public PDFs by client_key


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("clients", "/v2/clients", "clients"),
    Endpoint("contacts", "/v2/contacts", "contacts"),
    Endpoint("projects", "/v2/projects", "projects", (
        Sub("user_assignments", "/v2/projects/{id}/user_assignments", "user_assignments"),
        Sub("task_assignments", "/v2/projects/{id}/task_assignments", "task_assignments"))),
    Endpoint("tasks", "/v2/tasks", "tasks"),
    Endpoint("time_entries", "/v2/time_entries", "time_entries"),
    Endpoint("users", "/v2/users", "users", (
        Sub("billable_rates", "/v2/users/{id}/billable_rates", "billable_rates"),
        Sub("cost_rates", "/v2/users/{id}/cost_rates", "cost_rates"),
        Sub("project_assignments", "/v2/users/{id}/project_assignments", "project_assignments"),
        Sub("teammates", "/v2/users/{id}/teammates", "teammates", optional=True))),
    Endpoint("users_me", "/v2/users/me", None),
    Endpoint("users_me_project_assignments", "/v2/users/me/project_assignments", "project_assignments"),
    Endpoint("expenses", "/v2/expenses", "expenses"),
    Endpoint("expense_categories", "/v2/expense_categories", "expense_categories"),
    # beyond the reference: an invoice's messages and payments, an estimate's messages
    Endpoint("invoices", "/v2/invoices", "invoices", (
        Sub("messages", "/v2/invoices/{id}/messages", "invoice_messages"),
        Sub("payments", "/v2/invoices/{id}/payments", "invoice_payments")), pdf="invoices"),
    Endpoint("invoice_item_categories", "/v2/invoice_item_categories", "invoice_item_categories"),
    Endpoint("estimates", "/v2/estimates", "estimates", (
        Sub("messages", "/v2/estimates/{id}/messages", "estimate_messages"),), pdf="estimates"),
    Endpoint("estimate_item_categories", "/v2/estimate_item_categories", "estimate_item_categories"),
    Endpoint("roles", "/v2/roles", "roles"),
    Endpoint("company", "/v2/company", None),
)
BY_FOLDER = {e.folder: e for e in ENDPOINTS}


def account_dir(account_id: int) -> str:
    return f"harvest_account_{account_id}"
