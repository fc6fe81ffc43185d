"""After a restore: the id counters and name guards made consistent with the items restored.

A backup carries its own counters and guards, but a file from elsewhere (or an older
system) may not agree with its items; a counter behind the highest id would hand out an
id that exists, and a missing guard would let a second "admin" in. Runs in the export
worker, the one function allowed to Scan.
"""
from __future__ import annotations

from shared.clock import utcnow
from shared.data import api_tokens as tokens_data
from shared.data import counters, tables
from shared.data import users as users_data
from shared.data.common import update_if
from shared.data.unique_names import name_key
from shared.models.base import ORG
from shared.models.registry import CounterModel

# The counter that hands out each table's ids.
COUNTER_OF = {"users": "user", "api_tokens": "api_token", "projects": "project", "clients": "client",
              "tasks": "task", "time_entries": "time_entry", "imports": "import"}


def raise_counters(max_ids: dict[str, int]) -> None:
    """Every counter at least the highest id its table holds (one conditional UpdateItem each)."""
    for table, highest in max_ids.items():
        kind = COUNTER_OF.get(table)
        if kind is None:
            continue
        update_if(CounterModel(kind), [CounterModel.value.set(highest)],
                  CounterModel.value.does_not_exist() | (CounterModel.value < highest))  # False: already past it

NAME_KINDS = ("username", "email", "project", "client", "task")


def _wanted_guards() -> dict[str, int]:
    """name guard key -> the id of the item holding that name (the first, if a file holds two)."""
    wanted: dict[str, int] = {}

    def want(key: str, item_id: int) -> None:
        wanted.setdefault(key, item_id)

    for item in tables.all_items("users"):
        uid = int(item["id"]["N"])
        want(name_key("username", item["username"]["S"]), uid)
        want(name_key("email", item["email"]["S"]), uid)
    for kind, table in (("project", "projects"), ("client", "clients")):
        for item in tables.all_items(table):
            want(name_key(kind, item["name"]["S"]), int(item["id"]["N"]))
    for item in tables.all_items("tasks"):
        want(name_key("task", item["name"]["S"], item["project_id"]["N"]), int(item["id"]["N"]))
    return wanted


def repair_name_guards() -> dict[str, int]:
    """Write the guards the items need and delete the ones naming nothing; returns what changed."""
    wanted = _wanted_guards()
    doomed, have = [], {}
    for guard in tables.all_items("unique_names"):
        key, ref = guard["key"]["S"], int(guard["ref_id"]["N"])
        if key.split(":", 1)[0] not in NAME_KINDS:
            continue  # not a name (an import's chunk markers live here too)
        if wanted.get(key) == ref:
            have[key] = ref
        else:
            doomed.append(guard)
    tables.delete_items("unique_names", [g for g in doomed if g["key"]["S"] not in wanted])
    missing = [{"key": {"S": k}, "ref_id": {"N": str(v)}} for k, v in wanted.items() if k not in have]
    tables.put_items("unique_names", missing)
    return {"written": len(missing), "deleted": sum(g["key"]["S"] not in wanted for g in doomed)}



def save_signin(user_id: int, token_id: int | None) -> dict | None:
    """The restoring admin's user and token items as they are now (typed JSON, kept in the
    restore record, never shown), so they still sign in once the data is replaced."""
    token = tokens_data.get_token(token_id) if token_id is not None else None
    user = tables.get_item("users", {"org": {"S": ORG}, "id": {"N": str(user_id)}})
    if token is None or user is None:
        return None
    return {"user": user, "token": tables.get_item("api_tokens", {"token_hash": {"S": token.token_hash}})}


def restore_signin(saved: dict) -> None:
    """After a load: the saved token works for the same person. The person is the restored
    user with the same username or email (made an admin: they were one when they restored),
    or else the saved user, back under a new id; the token keeps its id unless that id is
    now another token's."""
    user, token = saved["user"], saved["token"]
    if token is None:
        return
    now = utcnow()
    present = tokens_data.find_token(token["token_hash"]["S"])
    if present is not None and present.is_active(now) and users_data.get_user(present.user_id) is not None:
        return
    person = (users_data.find_user_by_username(user["username"]["S"])
              or users_data.find_user_by_email(user["email"]["S"]))
    if person is None:
        person = users_data.put_user({"username": user["username"]["S"], "email": user["email"]["S"],
                                      "full_name": user.get("full_name", {}).get("S"), "role": "admin",
                                      "timezone": user.get("timezone", {}).get("S", "UTC")})
    elif person.role != "admin":
        users_data.make_admin(person.id)
    token_id = int(token["id"]["N"])
    other = tokens_data.get_token(token_id)
    if other is not None and other.token_hash != token["token_hash"]["S"]:
        token_id = counters.next_id("api_token")
    tables.put_items("api_tokens", [{**token, "id": {"N": str(token_id)}, "user_id": {"N": str(person.id)},
                                     "user_role": {"S": "admin"}}])
