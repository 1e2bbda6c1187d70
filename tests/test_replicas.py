"""The site under gunicorn on a throwaway PostgreSQL database with a redis-server of the test's
own: replicas share sessions, content and statistics through Redis, and a Redis outage under a
running server breaks no page and logs nobody out."""

import json
import re
import secrets
import shutil
import time
from pathlib import Path

import psycopg
import pytest
from django.core.cache.backends.redis import RedisSerializer

from tests.servers import Browser, Gunicorn, manage, running_redis, site_environment
from tests.servers import throwaway_database as new_database

FIXTURE_CONTENT = Path(__file__).parent / "fixtures" / "content"
LESSON = "/courses/demo/welcome/"
PASSWORD = "replica-password-1"
HTMX = {"HX-Request": "true"}

CREATE_USERS = f"""
from django.contrib.auth.models import User
for name in ("ada", "grace", "late"):
    User.objects.create_user(name, password="{PASSWORD}")
User.objects.create_superuser("staff", "staff@example.com", "{PASSWORD}")
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A migrated, imported database and collected static files, shared by this module."""
    static = tmp_path_factory.mktemp("static")
    with new_database() as database_url:
        env = site_environment(
            DATABASE_URL=database_url,
            SECRET_KEY=secrets.token_urlsafe(50),
            STATIC_ROOT=str(static),
        )
        manage("migrate", "--no-input", "--verbosity", "0", env=env)
        manage("import_content", str(FIXTURE_CONTENT), env=env)
        manage("collectstatic", "--no-input", "--verbosity", "0", env=env)
        manage("shell", "-c", CREATE_USERS, env=env)
        yield env


@pytest.fixture
def redis_server(tmp_path):
    with running_redis(tmp_path) as server:
        yield server


@pytest.fixture
def start_server(site, redis_server, tmp_path):
    """Starts gunicorn processes (one worker each) on the site's database and the test's Redis."""
    servers = []

    def start(name: str) -> Gunicorn:
        server = Gunicorn({**site, "REDIS_URL": redis_server.url}, tmp_path / f"{name}.log")
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def cache_log(server: Gunicorn) -> list[str]:
    """The messages the server's processes logged about the cache."""
    records = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]
    return [record["message"] for record in records if record["logger"] == "courseapp.cache"]


def answer_layers_question(browser: Browser, **kwargs) -> str:
    response = browser.post(
        "/courses/demo/questions/layers-true-false/answer/", {"answer": "false"}, **HTMX, **kwargs
    )
    assert response.status == 200, response.text[:500]
    return re.search(r"<strong>(Correct|Incorrect)", response.text).group(1)


def attempts(database_url: str) -> int:
    with psycopg.connect(database_url) as connection:
        return connection.execute("SELECT count(*) FROM quizzes_attempt").fetchone()[0]


def test_pages_answers_and_sessions_survive_a_redis_outage(site, redis_server, start_server):
    server = start_server("web")
    ada, grace = Browser(server.port), Browser(server.port)
    ada.log_in("ada", PASSWORD)
    assert "Images and containers" in ada.get(LESSON).text
    assert answer_layers_question(ada) == "Correct"
    assert redis_server.keys("courseapp:default:*cached_db*"), "the session is cached"
    assert redis_server.keys("courseapp:content:*:lesson:welcome")
    attempts_before = attempts(site["DATABASE_URL"])

    redis_server.stop()
    start = time.monotonic()
    for _ in range(10):
        assert "Images and containers" in ada.get(LESSON).text
        assert ada.signed_in_as("ada")
    assert answer_layers_question(ada) == "Correct"
    grace.log_in("grace", PASSWORD)  # a login while Redis is down lands in the database
    assert grace.signed_in_as("grace")
    assert time.monotonic() - start < 15
    assert attempts(site["DATABASE_URL"]) == attempts_before + 1

    redis_server.start()  # empty, as a restarted cache is
    # The lesson's content stays in the process's own memory; the session goes to Redis again.
    deadline = time.monotonic() + 20
    while not redis_server.keys(f"*cached_db{ada.cookies['sessionid']}"):
        assert time.monotonic() < deadline, "the server did not use Redis again"
        assert "Images and containers" in ada.get(LESSON).text
        time.sleep(0.5)
    assert ada.signed_in_as("ada") and grace.signed_in_as("grace")
    for browser in (ada, grace):
        assert redis_server.keys(f"*cached_db{browser.cookies['sessionid']}")

    # A 30-odd request outage: one error line from the process, and one when it is over.
    messages = cache_log(server)
    assert sum("unavailable" in message for message in messages) == 1, messages
    assert sum("reachable again" in message for message in messages) == 1, messages


def statistics_computed_at(redis_server) -> object:
    [key] = redis_server.keys("courseapp:default:*insights:statistics:*")
    return RedisSerializer().loads(redis_server.get(key)).computed_at


def enrolled(html: str) -> int:
    return int(re.search(r"<dt>Enrolled</dt><dd>(\d+)</dd>", html).group(1))


def test_two_replicas_share_sessions_content_and_statistics(
    site, redis_server, start_server, tmp_path
):
    a, b = start_server("a"), start_server("b")

    # A login through one replica is valid on the other.
    ada = Browser(a.port)
    ada.log_in("ada", PASSWORD)
    assert ada.signed_in_as("ada", port=b.port)
    assert answer_layers_question(ada, port=b.port) == "Correct"

    # An import is seen by both on their next request.
    assert "<h1>Welcome</h1>" in ada.get(LESSON, port=a.port).text
    assert "<h1>Welcome</h1>" in ada.get(LESSON, port=b.port).text
    changed = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, changed)
    lesson = changed / "demo" / "01-first-steps" / "01-welcome.md"
    lesson.write_text(lesson.read_text().replace("title: Welcome", "title: Welcome back", 1))
    manage("import_content", str(changed), env={**site, "REDIS_URL": redis_server.url})
    assert "<h1>Welcome back</h1>" in ada.get(LESSON, port=b.port).text
    assert "<h1>Welcome back</h1>" in ada.get(LESSON, port=a.port).text
    manage("import_content", str(FIXTURE_CONTENT), env=site)  # as the module's other tests expect

    # The statistics are computed by A and read by B: B shows A's numbers even though a
    # student enrolled in between, and the value in Redis is the one A stored.
    staff = Browser(a.port)
    staff.log_in("staff", PASSWORD)
    on_a = staff.get("/insights/demo/", port=a.port)
    assert on_a.status == 200
    computed_at = statistics_computed_at(redis_server)
    late = Browser(a.port)
    late.log_in("late", PASSWORD)
    late.get(LESSON)  # enrolls "late"
    on_b = staff.get("/insights/demo/", port=b.port)
    assert on_b.status == 200
    assert enrolled(on_b.text) == enrolled(on_a.text)
    assert statistics_computed_at(redis_server) == computed_at
    with psycopg.connect(site["DATABASE_URL"]) as connection:
        now_enrolled = connection.execute("SELECT count(*) FROM progress_enrollment").fetchone()[0]
    assert now_enrolled == enrolled(on_a.text) + 1, "a fresh computation would differ"
    assert not any("unavailable" in message for message in cache_log(a) + cache_log(b))
