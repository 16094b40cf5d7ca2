"""Browser tests: Playwright (Python) driving Debian's Chromium (/usr/bin/chromium), never a downloaded browser.

Skipped when Chromium is missing, except when ``KOPDES_REQUIRE_BROWSER=1`` (CI), where that is a failure.
Playwright's sync API runs an event loop in this thread, so Django's async-safety check is relaxed here.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("KOPDES_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("KOPDES_SCREENSHOTS", Path(__file__).resolve().parents[2] / "var" / "screenshots"))
LAUNCH_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("KOPDES_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM} but KOPDES_REQUIRE_BROWSER=1")
        pytest.skip("Chromium not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield b
        b.close()


def _watch_csp(pg) -> list[str]:
    """Collect the browser's Content-Security-Policy refusals (an inline script or onclick= that slipped into a
    template would do nothing in production) and uncaught script errors: the test fails at teardown."""
    refused: list[str] = []
    pg.on("console", lambda msg: refused.append(msg.text)
          if msg.type == "error" and "Content Security Policy" in msg.text else None)
    # an uncaught error in one of our static scripts (a behaviour broken when it left the template) counts too
    pg.on("pageerror", lambda exc: refused.append(f"uncaught: {exc}"))
    return refused


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="id-ID")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    refused = _watch_csp(pg)
    yield pg
    context.close()
    assert not refused, f"Content-Security-Policy refusals or script errors: {refused}"


@pytest.fixture
def phone_page(browser):
    """A 5-inch phone (360×640), as village operators and members use."""
    context = browser.new_context(viewport={"width": 360, "height": 640}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="id-ID")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    refused = _watch_csp(pg)
    yield pg
    context.close()
    assert not refused, f"Content-Security-Policy refusals or script errors: {refused}"


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, live_server, username: str, password: str = "kopdes-demo") -> None:
    page.goto(f"{live_server.url}/masuk/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
