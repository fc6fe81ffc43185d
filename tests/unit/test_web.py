"""The web page's files and paths (shared/web.py), as the local gateway serves them."""
import re

import pytest

from infra.local.gateway import static_page
from shared import routes, web


@pytest.mark.parametrize("path, name", [("/", "index.html"), ("/import-export", "index.html"),
                                        ("/app/app.js", "app.js"), ("/app/app.css", "app.css")])
def test_the_pages_paths_answer_their_files(path, name):
    assert web.file_for(path) == web.WEB_DIR / name
    status, headers, body = static_page("GET", path)
    assert status == 200 and body == (web.WEB_DIR / name).read_bytes()
    csp = dict(headers)["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "unsafe" not in csp and "connect-src 'self'" in csp


def test_the_csp_lets_the_page_reach_only_its_origin_and_the_upload_endpoints():
    csp = web.page_headers(("https://bucket.s3.amazonaws.com",))["Content-Security-Policy"]
    assert "connect-src 'self' https://bucket.s3.amazonaws.com;" in csp
    assert "connect-src 'self';" in web.page_headers()["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/app/", "/app/../shared/settings.py", "/app/.gitignore", "/app/x.py",
                                  "/app/sub/app.js", "/api/v1/info", "/index.html", "/import-export/"])
def test_nothing_else_is_served_from_the_folder(path):
    assert web.file_for(path) is None


def test_a_missing_asset_is_a_json_404_and_other_methods_a_405():
    assert static_page("GET", "/app/nothing.js")[0] == 404
    assert static_page("POST", "/import-export")[0] == 405
    assert static_page("GET", "/api/v1/info") is None  # the API's, through the route table


def test_the_page_and_the_api_share_no_path():
    for page in web.PAGES:
        assert routes.match_path(page) is None
    assert all(r.path.startswith(web.API_PREFIX) for r in routes.ROUTES)  # CloudFront sends /api/* to the API


def test_every_module_the_page_imports_exists_and_nothing_comes_from_elsewhere():
    texts = {f.name: f.read_text() for f in web.WEB_DIR.iterdir() if f.suffix in web.CONTENT_TYPES}
    for name, text in texts.items():
        for target in re.findall(r'from "\./([\w.-]+)"', text):
            assert target in texts, (name, target)
        assert not re.search(r"(src|href)=\"https?:", text), name  # no CDN, no web fonts: it works offline
        assert "localStorage.setItem" not in text, name  # the token lives in sessionStorage only
    for ref in re.findall(r'(?:src|href)="/app/([\w.-]+)"', texts["index.html"]):
        assert ref in texts
    assert "<script>" not in texts["index.html"]  # no inline script: the CSP forbids it
