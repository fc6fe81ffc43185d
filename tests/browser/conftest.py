"""Headless Chromium (Debian's package, /usr/bin/chromium) driven by Playwright against the
stack started as `make run` starts it. `make test` installs the browser first
(tests/browser/install_chromium.sh); screenshots land in tests/browser/artifacts/."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from shared.auth.tokens import generate_token
from tests.fakes.saas import SaaS
from tests.local_stack import Stack

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# As root in a sandboxless container, on a machine without a network: no sandbox, no GPU, and none of
# Chromium's own background connections (each would be refused and retried).
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


@pytest.fixture(scope="session")
def saas():
    with SaaS(toggl_per_workspace=(12,), harvest_per_account=()) as fake:
        yield fake


@pytest.fixture(scope="session")
def stack(tmp_path_factory, saas):
    s = Stack(tmp_path_factory.mktemp("stack"), generate_token(), **saas.environment()).start()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: run tests/browser/install_chromium.sh (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.set_default_timeout(20_000)
    yield tab
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert not errors, f"script errors on the page: {errors}"
