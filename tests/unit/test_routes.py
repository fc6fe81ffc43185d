"""The route table is the single source of truth: check it is coherent and that
every function registers exactly its operations."""
from pathlib import Path

import pytest

from infra.local.lambdas import load_handler
from shared import routes
from shared.auth.tokens import SCOPES

ROOT = Path(__file__).resolve().parents[2]


def test_every_route_is_unique_and_scoped_with_a_known_scope():
    keys = [(r.method, r.path) for r in routes.ROUTES]
    assert len(keys) == len(set(keys))
    assert all(r.scope is None or r.scope in SCOPES for r in routes.ROUTES)
    assert len({r.operation for r in routes.ROUTES}) == len(routes.ROUTES)


def test_literal_segments_win_over_parameters():
    assert routes.match_path("/api/v1/users/me") == ("/api/v1/users/me", {})
    assert routes.match_path("/api/v1/projects/42") == ("/api/v1/projects/{project_id}", {"project_id": "42"})
    assert routes.match_path("/api/v1/projects/42/extra") is None
    assert routes.match_path("/nope") is None


def test_resolver_rule_uses_powertools_syntax():
    route = routes.find("GET", "/api/v1/projects/{project_id}")
    assert route.resolver_rule == "/api/v1/projects/<project_id>"
    assert routes.find("POST", "/api/v1/projects").status == 201


@pytest.mark.parametrize("function", routes.functions())
def test_each_function_registers_exactly_its_routes(function):
    assert (ROOT / "functions" / function / "handler.py").exists()
    api = load_handler(function, attr="api")
    assert api.registered_operations() == {r.operation for r in routes.routes_of(function)}


def test_unknown_operation_cannot_be_registered():
    from shared.api.app import ApiFunction

    api = ApiFunction("projects")

    def not_in_the_table():
        return {}

    with pytest.raises(LookupError):
        api.route(not_in_the_table)
