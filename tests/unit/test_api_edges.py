"""Pure pieces of the HTTP edge: error mapping, pagination, schemas, event building."""
import base64

import pytest
from pydantic import ValidationError

from shared import errors
from shared.api import errors as api_errors
from shared.api.schemas.common import Pagination
from shared.api.schemas.projects import ProjectCreate, ProjectUpdate
from shared.api.schemas.tasks import TaskCreate
from shared.domain import Page
from shared.logic.paging import Paging
from tests.events import api_event


def test_validation_errors_become_field_lists():
    fields = api_errors.from_validation([
        {"loc": ("body", "name"), "type": "missing", "msg": "Field required"},
        {"loc": ("body", "bogus"), "type": "extra_forbidden", "msg": "Extra inputs are not permitted"},
        {"loc": ("query", "per_page"), "type": "greater_than_equal", "msg": "Input should be >= 1"},
        {"loc": ("body", 12), "type": "json_invalid", "msg": "JSON decode error"},
    ])
    assert fields == {"name": ["This field is required"], "bogus": ["Unknown field"],
                      "per_page": ["Input should be >= 1"], "body": ["The body is not valid JSON"]}


def test_domain_errors_map_to_the_contract_shapes():
    status, body, _ = api_errors.from_domain(errors.Forbidden("needs it", "write:projects", ["read:projects"]))
    assert status == 403 and body["required_scope"] == "write:projects"
    assert body["available_scopes"] == ["read:projects"] and body["error_code"] == "forbidden"
    status, body, headers = api_errors.from_domain(errors.Unauthorized())
    assert (status, body["error"], body["error_code"]) == (401, "Invalid token", "unauthorized")
    status, body, headers = api_errors.from_domain(errors.RateLimited("slow down", 7))
    assert status == 429 and headers["Retry-After"] == "7" and body["error_code"] == "rate_limited"
    status, body, _ = api_errors.from_domain(errors.Conflict("dup", "duplicate_name"))
    assert (status, body["error_code"]) == (409, "duplicate_name")


@pytest.mark.parametrize("total,page,per_page,expected", [
    (150, 1, 50, dict(pages=3, has_next=True, has_prev=False, next_page=2, prev_page=None)),
    (150, 3, 50, dict(pages=3, has_next=False, has_prev=True, next_page=None, prev_page=2)),
    (0, 1, 50, dict(pages=0, has_next=False, has_prev=False, next_page=None, prev_page=None)),
    (101, 2, 100, dict(pages=2, has_next=False, has_prev=True, next_page=None, prev_page=1)),
])
def test_pagination_object(total, page, per_page, expected):
    p = Pagination.of(Page(items=[], total=total, page=page, per_page=per_page))
    assert p.model_dump(include=set(expected)) == expected


def test_per_page_is_clamped_to_100_and_defaults_to_50():
    assert Paging.of(None, None) == Paging(1, 50)
    assert Paging.of(2, 500) == Paging(2, 100)


def test_requests_reject_unknown_fields_and_keep_partial_updates_partial():
    with pytest.raises(ValidationError):
        ProjectCreate.model_validate({"name": "x", "colour": "red"})
    with pytest.raises(ValidationError):
        ProjectCreate.model_validate({"name": "   "})
    update = ProjectUpdate.model_validate({"description": None, "hourly_rate": 10})
    assert update.changes() == {"description": None, "hourly_rate": 10}
    with pytest.raises(ValidationError):
        ProjectUpdate.model_validate({"name": None})


def test_task_priority_accepts_the_contract_number():
    assert TaskCreate.model_validate({"name": "t", "project_id": 1, "priority": 1}).priority == "low"
    assert TaskCreate.model_validate({"name": "t", "project_id": 1, "priority": "urgent"}).priority == "urgent"
    with pytest.raises(ValidationError):
        TaskCreate.model_validate({"name": "t", "project_id": 1, "priority": 9})


def test_gateway_builds_api_gateway_proxy_events():
    function, event = api_event("GET", "/api/v1/projects/7", token="tt_" + "x" * 32, query={"a": "1"})
    assert function == "projects"
    assert event["resource"] == "/api/v1/projects/{proxy+}"  # the CDK app's folded resource (routes.py)
    assert event["pathParameters"] == {"proxy": "7"}
    assert event["queryStringParameters"] == {"a": "1"}
    assert event["requestContext"]["resourcePath"] == event["resource"]
    assert event["multiValueHeaders"]["Authorization"] == ["Bearer tt_" + "x" * 32]
    assert event["body"] is None and event["isBase64Encoded"] is False


def test_gateway_base64_encodes_binary_media_types_only():
    _, event = api_event("POST", "/api/v1/projects", body=b"\x00\x01", content_type="application/octet-stream")
    assert event["isBase64Encoded"] and base64.b64decode(event["body"]) == b"\x00\x01"
    _, event = api_event("POST", "/api/v1/projects", body={"name": "x"})
    assert not event["isBase64Encoded"] and event["body"] == '{"name": "x"}'


def test_each_folded_resource_belongs_to_one_function_and_routes_nothing_of_another():
    from shared import routes

    for route in routes.ROUTES:
        concrete = route.path.replace("{", "").replace("}", "")
        resource, function, _ = routes.gateway_match(concrete)
        assert function == route.function, (route, resource)
    assert len(routes.gateway_resources()) < len(routes.resources())


def test_unknown_paths_have_no_function():
    function, _ = api_event("GET", "/api/v2/nothing")
    assert function is None
