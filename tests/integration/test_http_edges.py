"""What the HTTP edge answers before and around the routes."""
import json


def test_info_and_health_need_no_token(api, aws):
    info = api("GET", "/api/v1/info")
    assert info.status == 200 and info.json()["api_version"] == "v1"
    assert info.json()["endpoints"]["projects"] == "/api/v1/projects"
    assert api("GET", "/api/v1/health").json()["status"] == "healthy"


def test_wrong_method_is_405_with_allow(api, aws):
    r = api("PATCH", "/api/v1/projects")
    assert r.status == 405 and r.headers["Allow"] == "GET, POST" and r.json()["error_code"] == "method_not_allowed"


def test_invalid_json_is_400(api, admin_token):
    r = api("POST", "/api/v1/projects", token=admin_token, body="{not json")
    assert r.status == 400 and r.json()["errors"] == {"body": ["The body is not valid JSON"]}
    r = api("POST", "/api/v1/projects", token=admin_token, body="[1, 2]")
    assert r.status == 400


def test_non_json_content_type_is_415(api, admin_token):
    r = api("POST", "/api/v1/projects", token=admin_token, body="name=x", content_type="text/plain")
    assert r.status == 415 and r.json()["error_code"] == "unsupported_media_type"


def test_oversized_body_is_413(api, admin_token):
    r = api("POST", "/api/v1/projects", token=admin_token, body={"name": "x", "description": "d" * 1_100_000})
    assert r.status == 413 and r.json()["error_code"] == "payload_too_large"


def test_unauthenticated_bad_request_is_401_not_400(api, aws):
    assert api("POST", "/api/v1/projects", body="{nope").status == 401


def test_path_parameter_must_be_an_integer(api, admin_token):
    r = api("GET", "/api/v1/projects/abc", token=admin_token)
    assert r.status == 400 and "project_id" in r.json()["errors"]


def test_openapi_document_describes_every_route(api, aws):
    from shared import routes

    r = api("GET", "/api/openapi.json")
    assert r.status == 200
    doc = json.loads(r.text)
    documented = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    expected = {(r.method, r.path) for r in routes.ROUTES}
    assert expected == documented
    create = doc["paths"]["/api/v1/projects"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/ProjectCreate")
    assert {"201", "400", "401", "403", "429"} <= set(create["responses"]) and "422" not in create["responses"]
    assert {"bearerAuth", "apiKey"} == set(doc["components"]["securitySchemes"])


def test_swagger_ui_is_served_offline_under_a_csp(api, aws):
    r = api("GET", "/api/docs")
    assert r.status == 200 and "swagger-ui" in r.text
    assert "http" not in r.text  # no CDN: every asset comes from this API
    assert "script-src 'self'" in r.headers["Content-Security-Policy"] and "<script>" not in r.text
    init = api("GET", "/api/docs/init.js")
    assert init.status == 200 and '"openapi.json"' in init.text and "persistAuthorization" not in init.text
    bundle = api("GET", "/api/docs/swagger-ui-bundle.js")
    assert bundle.status == 200 and "SwaggerUIBundle" in bundle.text and "javascript" in bundle.headers["Content-Type"]
    assert api("GET", "/api/docs/swagger-ui.css").headers["Content-Type"].startswith("text/css")
    assert api("GET", "/api/docs/..%2Fsecrets").status == 404


def test_the_openapi_document_is_valid_openapi_3_1_and_tells_the_truth(api, aws):
    from openapi_spec_validator import OpenAPIV31SpecValidator

    doc = json.loads(api("GET", "/api/openapi.json").text)
    errors = [str(e)[:300] for e in OpenAPIV31SpecValidator(doc).iter_errors()]
    assert errors == []
    assert "ResponseValidationError" not in json.dumps(doc)
    upload = doc["paths"]["/api/v1/imports"]["post"]["requestBody"]["content"]
    assert {"multipart/form-data", "text/csv", "application/json"} <= set(upload)
    assert "409" in doc["paths"]["/api/v1/clients/{client_id}"]["delete"]["responses"]
    download = doc["paths"]["/api/export/download/{export_id}"]["get"]["responses"]
    assert {"302", "409", "410"} <= set(download)
    assert "422" in doc["paths"]["/api/v1/time-entries"]["post"]["responses"]
    start = next(p for p in doc["paths"]["/api/v1/time-entries"]["get"]["parameters"] if p["name"] == "start_date")
    assert {s.get("format") for s in start["schema"]["anyOf"]} >= {"date", "date-time"}
    assert doc["paths"]["/api/v1/projects"]["get"]["responses"]["500"]["content"]["application/json"]["schema"][
        "$ref"].endswith("/ErrorBody")
