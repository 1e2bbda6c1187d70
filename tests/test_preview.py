"""Live preview: the watcher's status file, the DEBUG-only status URL and the lesson page's
script. The whole loop in a browser is tests/e2e/test_live_preview.py."""

import json
import os
import re
import signal
import threading
import time

import pytest
from django.core.management import call_command

from courseapp.catalog.preview import (
    PreviewStatus,
    preview_status_read,
    preview_status_record,
)
from courseapp.markup.yaml_source import ContentError
from courseapp.pages import preview

STATUS_URL = "/__preview__/status"
LESSON_URL = "/courses/demo/welcome/"


@pytest.fixture
def status_file(settings, tmp_path):
    settings.PREVIEW_STATUS_FILE = tmp_path / "var" / "preview.json"
    return settings.PREVIEW_STATUS_FILE


@pytest.fixture
def debug(settings, status_file):
    settings.DEBUG = True


def write_status(path, status: PreviewStatus) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(status.as_json()))
    os.replace(temporary, path)


def test_without_debug_the_lesson_page_has_no_preview_and_the_status_url_is_404(
    client, demo_course, status_file, settings
):
    assert settings.DEBUG is False
    preview_status_record(errors=[])
    page = client.get(LESSON_URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "preview.js" not in html and STATUS_URL not in html
    assert client.get(STATUS_URL).status_code == 404
    assert client.get(STATUS_URL, {"after": "0"}).status_code == 404


def test_with_debug_the_lesson_page_loads_the_preview_script_with_its_nonce(
    client, demo_course, debug, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        page = client.get(LESSON_URL)
    nonce = re.search(r"'nonce-([^']+)'", page["Content-Security-Policy"]).group(1)
    tag = re.search(r'<script src="/static/js/preview\.js"[^>]*>', page.content.decode()).group(0)
    assert f'nonce="{nonce}"' in tag
    assert f'data-status-url="{STATUS_URL}"' in tag
    assert 'data-course="demo"' in tag
    assert f'data-version="{demo_course.content_version}"' in tag


def test_the_status_says_no_watcher_runs_when_there_is_no_file(client, debug, status_file):
    response = client.get(STATUS_URL)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response.json() == {"run": "0", "ok": True, "errors": [], "versions": {}}


def test_the_status_lists_every_error_of_the_last_run(client, demo_course, debug, status_file):
    errors = [
        ContentError("content/demo/01-first-steps/01-welcome.md", 3, "front matter: invalid"),
        ContentError("content/demo/course.md", 0, "no title"),
    ]
    recorded = preview_status_record(errors=errors)
    data = client.get(STATUS_URL).json()
    assert data == {
        "run": str(recorded.run),
        "ok": False,
        "errors": [
            {
                "path": "content/demo/01-first-steps/01-welcome.md",
                "line": 3,
                "message": "front matter: invalid",
            },
            {"path": "content/demo/course.md", "line": None, "message": "no title"},
        ],
        "versions": {"demo": demo_course.content_version},
    }
    assert preview_status_read() == recorded


def test_a_status_request_waits_for_a_newer_run(client, debug, status_file, monkeypatch):
    monkeypatch.setattr(preview, "WAIT_SECONDS", 10.0)
    status_file.parent.mkdir(parents=True)
    write_status(status_file, PreviewStatus(run=1, versions={"demo": 4}))
    newer = PreviewStatus(run=2, versions={"demo": 5})
    writer = threading.Timer(0.5, write_status, args=(status_file, newer))
    started = time.monotonic()
    writer.start()
    data = client.get(STATUS_URL, {"after": "1"}).json()
    elapsed = time.monotonic() - started
    assert data["run"] == "2" and data["versions"] == {"demo": 5}
    assert 0.5 <= elapsed < 5


def test_a_status_request_gives_up_waiting_after_a_while(client, debug, status_file, monkeypatch):
    monkeypatch.setattr(preview, "WAIT_SECONDS", 0.3)
    status_file.parent.mkdir(parents=True)
    write_status(status_file, PreviewStatus(run=7))
    started = time.monotonic()
    assert client.get(STATUS_URL, {"after": "7"}).json()["run"] == "7"
    assert time.monotonic() - started >= 0.3
    # Another run than the one the page knows is answered at once.
    started = time.monotonic()
    assert client.get(STATUS_URL, {"after": "6"}).json()["run"] == "7"
    assert time.monotonic() - started < 0.3


def test_an_unreadable_status_file_reads_as_no_status(status_file):
    status_file.parent.mkdir(parents=True)
    status_file.write_text('{"run": "12", "ok": tr')
    assert preview_status_read() == PreviewStatus()


def test_the_watcher_records_each_run_and_clears_the_status_when_it_stops(
    demo_course, content_root, status_file, monkeypatch
):
    lesson = content_root / "demo" / "01-first-steps" / "01-welcome.md"
    seen: list[PreviewStatus] = []

    def two_saves(root, **options):
        seen.append(preview_status_read())  # after the first run
        lesson.write_text(lesson.read_text().replace("title: Welcome", "title: [Welcome"))
        yield {("modified", str(lesson))}
        seen.append(preview_status_read())
        lesson.write_text(lesson.read_text().replace("title: [Welcome", "title: Welcome back"))
        yield {("modified", str(lesson))}
        seen.append(preview_status_read())

    monkeypatch.setattr("watchfiles.watch", two_saves)
    on_sigterm = signal.getsignal(signal.SIGTERM)
    with pytest.raises(SystemExit) as stopped:
        call_command("import_content", str(content_root), "--watch", stdout=None, stderr=None)

    assert stopped.value.code == 0
    first, broken, fixed = seen
    assert first.ok and first.versions == {"demo": demo_course.content_version}
    assert not broken.ok and broken.versions == first.versions
    [error] = broken.errors
    assert (error.path, error.line) == (str(lesson), 3)
    assert error.message.startswith("front matter: invalid YAML")
    assert fixed.ok and fixed.versions == {"demo": demo_course.content_version + 1}
    assert len({first.run, broken.run, fixed.run}) == 3
    assert not status_file.exists(), "a stopped watcher leaves no status behind"
    assert signal.getsignal(signal.SIGTERM) is on_sigterm
