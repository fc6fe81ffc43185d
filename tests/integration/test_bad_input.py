"""Bad input gets a 4xx in the contract's error format, never a 500; a refused token is left untouched."""
import pytest


@pytest.mark.parametrize("path, field", [("/api/v1/projects", "hourly_rate"), ("/api/v1/projects", "estimated_hours"),
                                         ("/api/v1/clients", "default_hourly_rate")])
@pytest.mark.parametrize("number", ["1e-200", "1e400", "-1e-200"])
def test_numbers_dynamodb_cannot_store_are_a_400(api, admin_token, path, field, number):
    r = api("POST", path, token=admin_token, body='{"name": "N", "%s": %s}' % (field, number))
    assert r.status == 400, r
    assert field in r.json()["errors"]


def test_json_nested_too_deep_is_a_400(api, admin_token):
    deep = '{"name": ' + "[" * 1000 + "]" * 1000 + "}"
    r = api("POST", "/api/v1/projects", token=admin_token, body=deep)
    assert r.status == 400 and "nested deeper than 64" in r.json()["errors"]["body"][0]
    fine = '{"name": "ok", "description": "' + "[" * 1000 + '"}'  # brackets inside a string are text
    assert api("POST", "/api/v1/projects", token=admin_token, body=fine).status == 201


def test_a_json_array_is_not_taken_for_its_first_element(api, admin_token):
    r = api("POST", "/api/v1/projects", token=admin_token, body='[{"name": "a"}, {"name": "b"}]')
    assert r.status == 400 and "must be a JSON object" in r.json()["errors"]["body"][0]
    assert api("GET", "/api/v1/projects", token=admin_token).json()["projects"] == []


@pytest.mark.parametrize("due", ["2024-02-30", "2024-13-45", "2023-02-29"])
def test_due_dates_must_be_real_dates(api, admin_token, due):
    project = api("POST", "/api/v1/projects", token=admin_token, body={"name": "P"}).json()["project"]
    r = api("POST", "/api/v1/tasks", token=admin_token, body={"name": "T", "project_id": project["id"],
                                                              "due_date": due})
    assert r.status == 400 and "due_date" in r.json()["errors"]
    ok = api("POST", "/api/v1/tasks", token=admin_token, body={"name": "T", "project_id": project["id"],
                                                               "due_date": "2024-02-29"})
    assert ok.status == 201


def test_invalid_utf8_in_a_json_body_is_a_400(api, admin_token):
    r = api("POST", "/api/v1/projects", token=admin_token, body=b'{"name": "caf\xe9"}')
    assert r.status == 400 and "UTF-8" in r.json()["errors"]["body"][0]


def test_a_refused_token_is_not_touched(api, admin_token, make_token):
    from shared.auth.tokens import hash_token
    from shared.data import api_tokens as tokens_data
    from shared.logic import auth

    token = make_token(["read:projects"])
    assert api("GET", "/api/v1/projects", token=token).status == 200
    used = tokens_data.find_token(hash_token(token)).last_used_at
    token_id = tokens_data.find_token(hash_token(token)).id
    assert api("DELETE", f"/api/v1/api-tokens/{token_id}", token=admin_token).status == 200
    auth._cache.clear()
    assert api("GET", "/api/v1/projects", token=token).status == 401
    assert tokens_data.find_token(hash_token(token)).last_used_at == used


def test_a_bug_before_the_route_is_a_500_and_an_outage_a_503(api, admin_token, monkeypatch):
    from botocore.exceptions import EndpointConnectionError

    from shared.logic import auth

    monkeypatch.setattr(auth, "authenticate", lambda *_: {}["bug"])
    r = api("GET", "/api/v1/projects", token=admin_token)
    assert r.status == 500 and r.json()["error_code"] == "internal_error" and "Retry-After" not in r.headers

    def unreachable(*_):
        raise EndpointConnectionError(endpoint_url="http://dynamodb")
    monkeypatch.setattr(auth, "authenticate", unreachable)
    r = api("GET", "/api/v1/projects", token=admin_token)
    assert r.status == 503 and r.headers["Retry-After"] == "1"
