"""The container start sequence (deploy/start.sh): each of its commands with a stand-in Python
that records what it is asked to run, then the whole sequence on the host against a throwaway
PostgreSQL database: migrate, import, collectstatic, gunicorn; the site answers through gunicorn."""

import http.client
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import servers
from tests.servers import free_port

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_CONTENT = ROOT / "tests" / "fixtures" / "content"
SITE_HOST = "courses.example.test"


START = ROOT / "deploy" / "start.sh"
MIGRATE = "manage.py migrate --no-input"
COLLECTSTATIC = "manage.py collectstatic --no-input --verbosity 0"
GUNICORN = "-m gunicorn --config deploy/gunicorn.conf.py courseapp.wsgi"
# Stands in for `python`: notes its arguments; `migrate --check` answers $SCHEMA_CURRENT and a
# migration fails when $MIGRATE_FAILS is set.
RECORDING_PYTHON = """#!/bin/sh
echo "$*" >> "$CALLS"
case "$*" in
  *"migrate --check"*) [ "$SCHEMA_CURRENT" = yes ] ;;
  *"migrate --no-input"*) [ -z "${MIGRATE_FAILS:-}" ] ;;
esac
"""


def start_script(tmp_path: Path, *args: str, **environment: str):
    """Run deploy/start.sh with `python` recording its calls: (result, the calls in order)."""
    bin_dir, calls = tmp_path / "bin", tmp_path / "calls"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "python").write_text(RECORDING_PYTHON)
    (bin_dir / "python").chmod(0o755)
    calls.write_text("")
    env = {
        "PATH": f"{bin_dir}{os.pathsep}/usr/bin:/bin",
        "CALLS": str(calls),
        "STATIC_ROOT": str(tmp_path / "static"),
        **environment,
    }
    result = subprocess.run(
        [str(START), *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=30
    )
    return result, calls.read_text().splitlines()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["setup"], [MIGRATE, "manage.py import_content /courses"]),
        (["serve"], [COLLECTSTATIC, GUNICORN]),
        (["all"], [MIGRATE, "manage.py import_content /courses", COLLECTSTATIC, GUNICORN]),
        ([], [MIGRATE, "manage.py import_content /courses", COLLECTSTATIC, GUNICORN]),
    ],
)
def test_each_start_command_runs_its_steps_in_order(tmp_path, args, expected):
    result, calls = start_script(tmp_path, *args, CONTENT_ROOT="/courses")
    assert result.returncode == 0, result.stderr
    assert calls == expected


def test_setup_imports_the_checkouts_content_folder_by_default(tmp_path):
    assert start_script(tmp_path, "setup")[1] == [MIGRATE, "manage.py import_content content"]


def test_serve_leaves_static_files_the_image_collected(tmp_path):
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "staticfiles.json").write_text("{}")
    assert start_script(tmp_path, "serve")[1] == [GUNICORN]


def test_a_failed_migration_stops_the_sequence(tmp_path):
    result, calls = start_script(tmp_path, "all", MIGRATE_FAILS="1")
    assert result.returncode != 0
    assert calls == [MIGRATE]


@pytest.mark.parametrize(("current", "status"), [("yes", 0), ("no", 1)])
def test_wait_migrations_waits_for_a_current_schema_and_gives_up(tmp_path, current, status):
    result, calls = start_script(
        tmp_path, "wait-migrations", SCHEMA_CURRENT=current, MIGRATION_WAIT_ATTEMPTS="1"
    )
    assert result.returncode == status
    assert calls == ["manage.py migrate --check --verbosity 0"]
    assert ("is the setup job running?" in result.stderr) == (status != 0)


def test_any_other_command_is_run_as_given(tmp_path):
    result, _ = start_script(tmp_path, "echo", "createsuperuser")
    assert result.stdout == "createsuperuser\n"


@pytest.fixture
def throwaway_database():
    with servers.throwaway_database() as url:
        yield url


def get(port: int, path: str, *, host: str, **headers: str):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": host, **headers})
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        connection.close()


def process_group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def started_site(throwaway_database, tmp_path):
    """Runs deploy/start.sh in its own process group; stops every process of it afterwards."""
    port = free_port()
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": throwaway_database,
        "ALLOWED_HOSTS": SITE_HOST,
        "CONTENT_ROOT": str(FIXTURE_CONTENT),
        "STATIC_ROOT": str(tmp_path / "static"),
        "PORT": str(port),
        "SECURE_PROXY_SSL_HEADER": "1",
        "PROXY_COUNT": "1",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_THREADS": "2",
    }
    log_path = tmp_path / "start.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(ROOT / "deploy" / "start.sh")],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                pytest.fail(f"start.sh exited with {process.returncode}:\n{log_path.read_text()}")
            try:
                if get(port, "/readyz", host="localhost")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the site did not become ready:\n{log_path.read_text()}")
            time.sleep(0.3)
        yield port, log_path
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        deadline = time.monotonic() + 10
        while process_group_alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if process_group_alive(process.pid):
            os.killpg(process.pid, signal.SIGKILL)
            pytest.fail("gunicorn workers outlived their master")


def test_start_sequence_serves_the_site_through_gunicorn(started_site):
    port, log_path = started_site

    # Probes come by localhost or pod IP over plain HTTP: answered, not redirected.
    for host in ("localhost", "10.1.2.3:8000"):
        status, _, body = get(port, "/readyz", host=host)
        assert (status, json.loads(body)) == (200, {"status": "ok"})
        assert get(port, "/healthz", host=host)[0] == 200

    # The imported lesson, as the TLS proxy forwards it.
    status, headers, html = get(
        port, "/courses/demo/welcome/", host=SITE_HOST, **{"X-Forwarded-Proto": "https"}
    )
    assert status == 200
    assert "<h1>Welcome</h1>" in html

    # Static files come from collectstatic's hashed, compressed manifest through whitenoise.
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', html)
    assert stylesheet, "static URLs carry the manifest hash"
    status, static_headers, _ = get(
        port, stylesheet.group(1), host=SITE_HOST, **{"X-Forwarded-Proto": "https"}
    )
    assert status == 200 and "max-age=315360000" in static_headers["Cache-Control"]

    # Plain HTTP from a browser is sent to HTTPS.
    status, redirect, _ = get(port, "/courses/demo/welcome/", host=SITE_HOST)
    assert status == 301
    assert redirect["Location"] == f"https://{SITE_HOST}/courses/demo/welcome/"

    # A host the site does not serve is refused.
    assert get(port, "/", host="evil.example", **{"X-Forwarded-Proto": "https"})[0] == 400

    # The running app's security headers.
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in headers["Content-Security-Policy"].split(";")
    )
    assert "unsafe-inline" not in policy["script-src"]
    assert "unsafe-inline" not in policy["style-src"]
    nonce = re.search(r"'nonce-([^']+)'", policy["script-src"]).group(1)
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts, "htmx is loaded"
    assert all(f'nonce="{nonce}"' in tag for tag in scripts)

    # The server's log: one JSON object per line, access lines included.
    time.sleep(0.5)
    records = [
        json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")
    ]
    access = [record for record in records if record["logger"] == "gunicorn.access"]
    assert any("/courses/demo/welcome/" in record["message"] for record in access)


def test_every_worker_shows_an_import_at_once(started_site, throwaway_database, tmp_path):
    """Two gunicorn workers each cache the lesson; an import moves the course's content
    version, and neither serves the old text again."""
    port, _ = started_site
    https = {"X-Forwarded-Proto": "https"}

    def lesson_pages() -> list[str]:
        return [get(port, "/courses/demo/welcome/", host=SITE_HOST, **https)[2] for _ in range(20)]

    assert all("<h1>Welcome</h1>" in html for html in lesson_pages())  # cached by both workers
    changed = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, changed)
    lesson = changed / "demo" / "01-first-steps" / "01-welcome.md"
    lesson.write_text(lesson.read_text().replace("title: Welcome", "title: Welcome back", 1))
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "import_content", str(changed)],
        env={**os.environ, "DATABASE_URL": throwaway_database, "SECRET_KEY": "import"},
        check=True,
        capture_output=True,
        timeout=120,
    )
    pages = lesson_pages()
    assert all("<h1>Welcome back</h1>" in html for html in pages)
