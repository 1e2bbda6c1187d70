"""Live preview in Chromium: with `import_content --watch` running beside the server (as
`make run` does), an open lesson follows its file as the author saves it."""

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from playwright.sync_api import Page, Route, expect

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
LESSON = Path("demo/01-first-steps/01-welcome.md")
OTHER_LESSON = Path("demo/02-going-further/01-ordering.md")
SAVED_WITHIN_MS = 2000


def watcher_database_url() -> str:
    """The test database, for the watcher's own process."""
    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("the watcher needs a database another process can open: set DATABASE_URL")
    user = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        user += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{user}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


@dataclass
class Watcher:
    process: subprocess.Popen
    status_file: Path
    log: Path

    def stop(self) -> None:
        """Stop the watcher's whole process group, as `make run` does when it ends."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@pytest.fixture
def watcher(live_server, demo_course, content_root, settings, tmp_path):
    """The live server with DEBUG on, and the content watcher on a copy of the demo content."""
    settings.DEBUG = True
    settings.PREVIEW_STATUS_FILE = tmp_path / "preview.json"
    env = {
        **os.environ,
        "DATABASE_URL": watcher_database_url(),
        "PREVIEW_STATUS_FILE": str(settings.PREVIEW_STATUS_FILE),
    }
    log = tmp_path / "watcher.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "import_content", str(content_root), "--watch"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    watcher = Watcher(process, settings.PREVIEW_STATUS_FILE, log)
    try:
        deadline = time.monotonic() + 60
        while not watcher.status_file.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the watcher did not start:\n{log.read_text()}")
            time.sleep(0.1)
        yield watcher
    finally:
        watcher.stop()


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_an_open_lesson_follows_its_file(
    page: Page, live_server, watcher, content_root, check_page, page_problems
):
    lesson, other = content_root / LESSON, content_root / OTHER_LESSON
    page.set_viewport_size({"width": 1280, "height": 600})
    page.goto(f"{live_server.url}/courses/demo/welcome/")
    expect(page.get_by_role("heading", level=1, name="Welcome")).to_be_visible()
    page.evaluate("window.scrollTo(0, 300)")

    # A good save: the page reloads by itself, where the reader was.
    replace_in(lesson, "An image is a read-only template.", "An image is a frozen template.")
    expect(page.get_by_text("An image is a frozen template.")).to_be_visible(
        timeout=SAVED_WITHIN_MS
    )
    assert page.evaluate("window.scrollY") == 300

    # Saves with errors, in this lesson and in another: every error of the import replaces the
    # stale page, each with its path, line and message.
    replace_in(lesson, "title: Welcome", "title: [Welcome")
    replace_in(other, "type: order", "type: sorting")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(f"{lesson}:3 front matter: invalid YAML", timeout=SAVED_WITHIN_MS)
    expect(alert).to_contain_text(
        f"{other}:12 quiz: type must be one of single, multiple", timeout=SAVED_WITHIN_MS
    )
    expect(alert.get_by_role("heading", name="The content has 2 errors")).to_be_visible()
    expect(page.get_by_text("An image is a frozen template.")).to_have_count(0)
    check_page(page, "live-preview-errors")

    # Fixing both brings the lesson back with what was saved last.
    replace_in(other, "type: sorting", "type: order")
    replace_in(lesson, "title: [Welcome", "title: Welcome back")
    expect(page.get_by_role("heading", level=1, name="Welcome back")).to_be_visible(
        timeout=SAVED_WITHIN_MS
    )
    expect(alert).to_have_count(0)
    assert page.evaluate("window.scrollY") == 300

    watcher.stop()
    assert not watcher.status_file.exists(), "a stopped watcher leaves no status behind"
    assert page_problems == []


def test_the_preview_retries_quietly_while_the_server_is_away(
    page: Page, live_server, watcher, content_root
):
    refused: list[str] = []

    def server_away(route: Route) -> None:
        refused.append(route.request.url)
        route.abort("connectionrefused")

    page.route("**/__preview__/status*", server_away)
    page.goto(f"{live_server.url}/courses/demo/welcome/")
    replace_in(content_root / LESSON, "title: Welcome", "title: Welcome again")
    page.wait_for_timeout(2500)
    assert len(refused) >= 2, "the poller kept trying"
    expect(page.get_by_role("heading", level=1, name="Welcome", exact=True)).to_be_visible()

    page.unroute("**/__preview__/status*")
    expect(page.get_by_role("heading", level=1, name="Welcome again")).to_be_visible(
        timeout=SAVED_WITHIN_MS
    )
