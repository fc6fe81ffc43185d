"""The web page's table: which paths are the single-page app and which files it is made of.

The page is static (web/ at the project's root, no build step). The local gateway serves it
from those files and the CDK app uploads the same files to a private bucket behind CloudFront,
which sends /api/* to the API: both read this module, so the paths cannot drift.
"""
from __future__ import annotations

from pathlib import Path

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
# Paths a person opens; each answers the app's one HTML document (it routes by location.pathname).
PAGES = ("/", "/import-export")
DOCUMENT = "index.html"
ASSET_PREFIX = "/app/"  # the page's scripts and stylesheet: /app/<file> is web/<file>
API_PREFIX = "/api/"  # everything else of the distribution: the API
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
# No inline script, nothing from elsewhere: a token pasted into the page can only go to this origin,
# and a big file only to the data bucket (a presigned upload URL).
_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'{uploads}; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def page_headers(upload_origins: tuple[str, ...] = ()) -> dict[str, str]:
    """The page's security headers; ``upload_origins``: where presigned upload URLs point (the data
    bucket's endpoints), the one other place the page may send a request to."""
    return {
        "Content-Security-Policy": _CSP.format(uploads="".join(" " + o for o in upload_origins)),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }


def file_for(path: str) -> Path | None:
    """The file under web/ that answers ``path``, or None when the path is not the page's."""
    if path in PAGES:
        return WEB_DIR / DOCUMENT
    if not path.startswith(ASSET_PREFIX):
        return None
    name = path[len(ASSET_PREFIX):]
    if not name or "/" in name or name.startswith(".") or Path(name).suffix not in CONTENT_TYPES:
        return None  # one flat folder: no traversal, no dotfiles
    return WEB_DIR / name
