"""Authentication, scopes, token lifecycle and rate limits through the handlers."""
from datetime import timedelta

from shared.auth.tokens import hash_token


def test_requests_without_a_token_get_the_contract_401(api, aws):
    r = api("GET", "/api/v1/projects")
    assert r.status == 401
    assert r.json()["error_code"] == "unauthorized" and {"error", "message"} <= set(r.json())


def test_malformed_and_unknown_tokens_get_401(api, aws):
    assert api("GET", "/api/v1/projects", token="not-a-token").status == 401
    r = api("GET", "/api/v1/projects", token="tt_" + "z" * 32)
    assert r.status == 401 and r.json()["error"] == "Invalid token"


def test_bearer_and_x_api_key_both_work(api, admin_token):
    assert api("GET", "/api/v1/users/me", token=admin_token).status == 200
    assert api("GET", "/api/v1/users/me", headers={"X-API-Key": admin_token}).status == 200


def test_missing_scope_gets_403_with_required_and_available_scopes(api, make_token):
    token = make_token(["read:projects", "read:time_entries"])
    r = api("POST", "/api/v1/projects", token=token, body={"name": "Nope"})
    assert r.status == 403
    assert r.json()["required_scope"] == "write:projects"
    assert r.json()["available_scopes"] == ["read:projects", "read:time_entries"]
    assert r.json()["message"] == "This endpoint requires the 'write:projects' scope"


def test_wildcards_cover_their_action_only(api, make_token):
    token = make_token(["read:*"])
    assert api("GET", "/api/v1/clients", token=token).status == 200
    assert api("POST", "/api/v1/clients", token=token, body={"name": "x"}).status == 403
    assert api("GET", "/api/v1/users", token=token).status == 403  # admin:all is never a wildcard


def test_token_creation_returns_plaintext_once_and_stores_only_the_hash(api, admin_token, aws):
    r = api("POST", "/api/v1/api-tokens", token=admin_token,
            body={"name": "ci", "description": "CI bot", "scopes": ["read:projects"], "expires_in_days": 30})
    assert r.status == 201, r
    body = r.json()
    token = body["token"]
    assert token.startswith("tt_") and len(token) == 35
    assert body["api_token"]["token_prefix"] == token[:8]
    assert "token" not in body["api_token"] and body["api_token"]["is_active"]
    assert body["api_token"]["expires_at"] is not None
    listed = api("GET", "/api/v1/api-tokens", token=admin_token).json()
    assert token not in str(listed)
    item = aws.get_item(TableName="tt-api_tokens", Key={"token_hash": {"S": hash_token(token)}})["Item"]
    assert token not in str(item)


def test_token_validation(api, admin_token, make_token):
    r = api("POST", "/api/v1/api-tokens", token=admin_token, body={"name": "x", "scopes": ["fly:away"]})
    assert r.status == 400 and r.json()["errors"]["scopes"] == ["Unknown scope 'fly:away'"]
    r = api("POST", "/api/v1/api-tokens", token=admin_token, body={"name": "x", "scopes": [], "user_id": 999})
    assert r.status == 400
    make_token(["read:projects"], username="bob")
    r = api("POST", "/api/v1/api-tokens", token=admin_token, body={"name": "x", "scopes": ["admin:all"], "user_id": 2})
    assert r.status == 400 and "admin users" in r.json()["errors"]["scopes"][0]


def test_revoked_token_stops_working_and_revoking_is_idempotent(api, admin_token, make_token):
    token = make_token(["read:projects"])
    assert api("GET", "/api/v1/projects", token=token).status == 200
    token_id = next(t["id"] for t in api("GET", "/api/v1/api-tokens", token=admin_token).json()["api_tokens"]
                    if t["token_prefix"] == token[:8])
    r = api("DELETE", f"/api/v1/api-tokens/{token_id}", token=admin_token)
    assert r.status == 200 and r.json()["api_token"]["revoked_at"] and not r.json()["api_token"]["is_active"]
    assert api("GET", "/api/v1/projects", token=token).status == 401
    again = api("DELETE", f"/api/v1/api-tokens/{token_id}", token=admin_token)
    assert again.status == 200 and again.json()["api_token"]["revoked_at"] == r.json()["api_token"]["revoked_at"]
    assert api("DELETE", "/api/v1/api-tokens/9999", token=admin_token).status == 404


def test_expired_token_is_refused(api, make_token, monkeypatch):
    from shared import clock
    from shared.logic import auth

    token = make_token(["read:projects"], expires_in_days=1)
    assert api("GET", "/api/v1/projects", token=token).status == 200
    later = clock.utcnow() + timedelta(days=2)
    monkeypatch.setattr("shared.api.app.utcnow", lambda: later)
    auth._cache.clear()
    assert api("GET", "/api/v1/projects", token=token).status == 401


def test_last_used_at_is_recorded(api, admin_token, make_token):
    token = make_token(["read:projects"])
    api("GET", "/api/v1/projects", token=token)
    listed = api("GET", "/api/v1/api-tokens", token=admin_token).json()["api_tokens"]
    mine = next(t for t in listed if t["token_prefix"] == token[:8])
    assert mine["last_used_at"] is not None


def test_admin_endpoints_need_admin_all(api, make_token):
    token = make_token(["read:users", "read:projects"])
    assert api("GET", "/api/v1/users/me", token=token).status == 200
    assert api("GET", "/api/v1/users", token=token).status == 403
    assert api("POST", "/api/v1/api-tokens", token=token, body={"name": "x", "scopes": ["read:projects"]}).status == 403


def test_auth_overhead_is_at_most_two_dynamodb_round_trips(api, admin_token, ddb_calls):
    from shared.logic import auth

    auth._cache.clear()
    ddb_calls.clear()
    assert api("GET", "/api/v1/users/me", token=admin_token).status == 200
    # Cold cache: token read-and-touch (UpdateItem) + rate-limit count (UpdateItem), then the GetItem itself.
    assert ddb_calls == {"UpdateItem": 2, "GetItem": 1}
    ddb_calls.clear()
    assert api("GET", "/api/v1/users/me", token=admin_token).status == 200
    assert ddb_calls == {"UpdateItem": 1, "GetItem": 1}  # warm: only the rate-limit count


def test_rate_limit_headers_and_429(api, make_token, monkeypatch):
    import dataclasses

    from shared import clock, settings

    token = make_token(["read:projects"])
    limited = dataclasses.replace(settings.get_settings(), rate_limit_per_minute=3)
    monkeypatch.setattr("shared.logic.rate_limit.get_settings", lambda: limited)
    frozen = clock.utcnow()  # all four requests inside one minute window
    monkeypatch.setattr("shared.api.app.utcnow", lambda: frozen)
    seen = [api("GET", "/api/v1/projects", token=token) for _ in range(4)]
    assert [r.status for r in seen[:3]] == [200, 200, 200]
    assert [r.headers["X-RateLimit-Remaining"] for r in seen[:3]] == ["2", "1", "0"]
    assert all(r.headers["X-RateLimit-Limit"] == "3" for r in seen[:3])
    refused = seen[3]
    assert refused.status == 429 and refused.json()["error_code"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert int(refused.headers["X-RateLimit-Reset"]) > 0


def test_errors_after_authentication_carry_rate_limit_headers(api, make_token):
    token = make_token(["read:projects"])
    r = api("GET", "/api/v1/projects/12345", token=token)
    assert r.status == 404 and "X-RateLimit-Remaining" in r.headers
    r = api("POST", "/api/v1/projects", token=token, body={"name": "x"})
    assert r.status == 403 and "X-RateLimit-Remaining" in r.headers


def test_limiter_failure_fails_open(api, admin_token, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("DynamoDB is down")

    monkeypatch.setattr("shared.data.rate_limits.count_request", broken)
    r = api("GET", "/api/v1/users/me", token=admin_token)
    assert r.status == 200 and r.headers["X-RateLimit-Limit"] == "100"


def test_token_store_outage_is_a_503_in_the_error_format(api, admin_token, monkeypatch):
    from shared.logic import auth

    def down(*args, **kwargs):
        raise ConnectionError("DynamoDB unreachable")

    auth._cache.clear()
    monkeypatch.setattr("shared.data.api_tokens.touch_token", down)
    r = api("GET", "/api/v1/users/me", token=admin_token)
    assert r.status == 503 and r.json()["error_code"] == "service_unavailable" and r.headers["Retry-After"] == "1"
