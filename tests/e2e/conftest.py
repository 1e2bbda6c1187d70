"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
# body are still synchronous and safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

# A busy two-core machine (CI runs the suite beside its own services) can take more than the
# default five seconds to answer; a slow answer is not the failure these tests look for.
expect.set_options(timeout=15_000)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser(playwright):
    """Debian's Chromium: a browser is never downloaded (no `playwright install`)."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"\n{'!' * 72}\n  BROWSER TESTS SKIPPED: {CHROMIUM} is missing."
            f"\n  Install it with: apt-get install -y chromium\n{'!' * 72}"
        )
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(autouse=True)
def _plain_http_cookies(settings):
    # The live server speaks plain HTTP; production keeps these cookies Secure.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
SERIOUS = {"serious", "critical"}


@pytest.fixture
def check_page():
    """Axe (serious/critical violations fail), no horizontal scrolling, and a screenshot."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page, name: str, *, axe_check: bool = True) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name}: {overflow}px of horizontal scrolling"
        if axe_check:
            violations = [
                f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
                for v in axe.run(page).response["violations"]
                if v["impact"] in SERIOUS
            ]
            assert violations == [], f"{name}: {violations}"

    return check


@pytest.fixture
def page_problems(page):
    """Script errors, CSP violations and failed requests seen by the page."""
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and not message.text.startswith("Failed to load resource")
            and problems.append(message.text)
        ),
    )
    page.on(
        "response",
        lambda response: (
            response.status >= 400
            and not response.url.endswith("/favicon.ico")
            and problems.append(f"{response.status} {response.url}")
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems
