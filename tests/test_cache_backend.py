"""The shared cache on Redis (courseapp.cache): configured from REDIS_URL, shared between cache
instances as between processes, and harmless when Redis is down, hung or back again."""

import logging
import runpy
import socket
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import override_settings

from courseapp.cache import CircuitBreaker, FaultTolerantRedisCache, breaker_for
from courseapp.catalog import content_cache
from courseapp.catalog.content_cache import ProcessMemory, course_content
from courseapp.insights.selectors import CourseStatistics, statistics_key
from tests.servers import free_port, running_redis

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ROOT / "courseapp" / "settings.py"


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self):
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def settings_with(monkeypatch, **env: str) -> dict:
    """The settings module's values under this environment."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


def backend(location: str, clock: Clock | None = None, **params) -> FaultTolerantRedisCache:
    cache = FaultTolerantRedisCache(
        location,
        {"OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}, **params},
    )
    cache.breaker = CircuitBreaker(server="test", clock=clock or Clock())
    return cache


def outage_lines(caplog) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "courseapp.cache" and record.levelno == logging.ERROR
    ]


# --- Settings ------------------------------------------------------------------------------


def test_without_redis_url_each_process_keeps_its_caches_in_memory(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    values = settings_with(monkeypatch)
    backends = {alias: config["BACKEND"] for alias, config in values["CACHES"].items()}
    assert backends == {
        **dict.fromkeys(("default", "content"), "django.core.cache.backends.locmem.LocMemCache"),
        # A dashboard cached per process could outlive a write served by another worker, and
        # a course's row an import run by another process.
        **dict.fromkeys(("student", "course"), "django.core.cache.backends.dummy.DummyCache"),
    }
    # A session cached per process could outlive its logout in another worker.
    assert values["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"


def test_with_redis_url_every_cache_and_the_sessions_use_it(monkeypatch):
    url = "rediss://:secret@cache.example.com:6380/2"
    values = settings_with(monkeypatch, REDIS_URL=url)
    caches_ = values["CACHES"]
    for alias in ("default", "content", "student", "course"):
        assert caches_[alias]["BACKEND"] == "courseapp.cache.FaultTolerantRedisCache"
        assert caches_[alias]["LOCATION"] == url
        assert caches_[alias]["OPTIONS"]["socket_timeout"] <= 0.5
        assert caches_[alias]["OPTIONS"]["socket_connect_timeout"] <= 0.5
    assert len({caches_[alias]["KEY_PREFIX"] for alias in caches_}) == 4
    assert values["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"
    assert values["SESSION_CACHE_ALIAS"] == "default"


# --- Redis not listening -------------------------------------------------------------------


def test_with_nothing_listening_reads_miss_and_writes_are_skipped():
    cache = backend(f"redis://127.0.0.1:{free_port()}/0")
    assert cache.get("lesson", "missed") == "missed"
    assert cache.get_many(["a", "b"]) == {}
    assert not cache.has_key("lesson")
    assert "lesson" not in cache
    cache.set("lesson", "text")
    cache.set_many({"a": 1, "b": 2})
    assert cache.add("lesson", "text") is False
    assert cache.touch("lesson") is False
    assert cache.delete("lesson") is False
    cache.delete_many(["a", "b"])
    assert cache.get_or_set("statistics", lambda: "computed") == "computed"
    with pytest.raises(ValueError, match="not found"):
        cache.incr("counter")
    assert cache.clear() is False


def test_an_outage_is_logged_once_a_minute_not_once_a_request(caplog):
    clock = Clock()
    cache = backend(f"redis://127.0.0.1:{free_port()}/0", clock)
    caplog.set_level(logging.INFO, logger="courseapp.cache")

    for _ in range(59):  # a minute of requests, each reading and writing
        cache.get("lesson")
        cache.set("lesson", "text")
        clock.advance(1)
    assert len(outage_lines(caplog)) == 1
    assert "unavailable" in outage_lines(caplog)[0]

    clock.advance(1)
    cache.get("lesson")
    cache.get("lesson")
    assert len(outage_lines(caplog)) == 2
    assert "failed calls since the last report" in outage_lines(caplog)[1]


def test_the_log_names_the_server_but_never_its_password(caplog):
    port = free_port()
    cache = FaultTolerantRedisCache(f"redis://:hunter2@127.0.0.1:{port}/3", {})
    cache.breaker = CircuitBreaker(server=cache.breaker.server, clock=Clock())
    caplog.set_level(logging.ERROR, logger="courseapp.cache")
    assert cache.get("lesson") is None
    [line] = outage_lines(caplog)
    assert f"127.0.0.1:{port}/3" in line
    assert "hunter2" not in line


def test_aliases_on_the_same_server_share_one_breaker_per_process():
    url = f"redis://127.0.0.1:{free_port()}/0"
    first, second = FaultTolerantRedisCache(url, {}), FaultTolerantRedisCache(url, {})
    assert first.breaker is second.breaker is breaker_for(url)
    assert breaker_for(url.replace("/0", "/1")) is not first.breaker


# --- Redis hung (accepts connections, never answers) ---------------------------------------


class Unresponsive:
    """A TCP server that accepts connections and never answers, counting them."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                self.accepted.append(self.listener.accept()[0])
            except OSError:
                return

    def close(self) -> None:
        self.listener.close()
        for connection in self.accepted:
            connection.close()


@pytest.fixture
def unresponsive():
    server = Unresponsive()
    yield server
    server.close()


def timed(call) -> float:
    start = time.monotonic()
    call()
    return time.monotonic() - start


def test_a_hung_redis_costs_one_timeout_per_retry_period_not_one_per_call(unresponsive):
    clock = Clock()
    cache = backend(f"redis://127.0.0.1:{unresponsive.port}/0", clock)

    assert 0.2 < timed(lambda: cache.get("lesson")) < 2
    time.sleep(0.1)
    assert len(unresponsive.accepted) == 1

    # The breaker is open: a hundred calls within the retry period never touch the socket.
    assert timed(lambda: [cache.get("lesson") for _ in range(100)]) < 0.1
    clock.advance(4)
    assert timed(lambda: cache.set("lesson", "text")) < 0.1
    time.sleep(0.1)
    assert len(unresponsive.accepted) == 1

    # After the period, one call probes Redis again; the next ones skip it again.
    clock.advance(2)
    assert timed(lambda: cache.get("lesson")) > 0.2
    assert timed(lambda: cache.get("lesson")) < 0.05


# --- A real Redis --------------------------------------------------------------------------


@pytest.fixture
def redis_server(tmp_path):
    with running_redis(tmp_path) as server:
        yield server


@pytest.fixture
def clock(redis_server):
    """The clock of this process's breaker for the test's Redis."""
    clock = Clock()
    breaker_for(redis_server.url).clock = clock
    return clock


@pytest.fixture
def on_redis(monkeypatch, redis_server, clock):
    """The site's caches and sessions as settings.py configures them for this REDIS_URL
    (given back before the server stops)."""
    values = settings_with(monkeypatch, REDIS_URL=redis_server.url)
    with override_settings(CACHES=values["CACHES"], SESSION_ENGINE=values["SESSION_ENGINE"]):
        yield redis_server


def test_values_written_by_one_process_are_read_by_another(on_redis):
    """Two cache objects from the same settings, as two processes would build them."""
    caches["default"].set("greeting", {"text": "hello"})
    elsewhere = FaultTolerantRedisCache(on_redis.url, {"KEY_PREFIX": "courseapp:default"})
    assert elsewhere.get("greeting") == {"text": "hello"}
    # Each alias has its own prefix: the same key in another alias is another entry.
    assert caches["content"].get("greeting") is None
    assert on_redis.keys() == ["courseapp:default:1:greeting"]


def test_lesson_content_and_statistics_round_trip_through_redis(
    on_redis, client, admin_client, demo_course
):
    assert client.get("/courses/demo/welcome/").status_code == 200
    [lesson_key] = on_redis.keys("courseapp:content:*:lesson:welcome")
    assert f"course:{demo_course.pk}:v{demo_course.content_version}" in lesson_key
    # Read back from Redis (unpickled), not computed again, by a process that has no copy.
    content_cache.memory.clear()
    cached = course_content(demo_course, "lesson:welcome", lambda: pytest.fail("not cached"))
    assert "Images and containers" in repr(cached)

    assert admin_client.get("/insights/demo/").status_code == 200
    statistics = caches["default"].get(statistics_key(demo_course))
    assert isinstance(statistics, CourseStatistics)


def test_content_entries_are_named_by_the_codes_release(on_redis, client, demo_course):
    assert client.get("/courses/demo/welcome/").status_code == 200
    assert on_redis.keys(f"courseapp:content:{settings.CACHE_RELEASE}:*:lesson:welcome")


def test_a_session_lives_in_redis_and_in_the_database(on_redis, client, django_user_model):
    client.force_login(django_user_model.objects.create_user("ada"))
    [session_key] = on_redis.keys("courseapp:default:*cached_db*")
    assert session_key.endswith(client.cookies["sessionid"].value)
    from django.contrib.sessions.models import Session

    assert Session.objects.filter(session_key=client.cookies["sessionid"].value).exists()


def test_a_hung_redis_neither_hangs_pages_nor_logs_anyone_out(
    on_redis, clock, client, django_user_model, demo_course
):
    client.force_login(django_user_model.objects.create_user("ada"))
    assert client.get("/courses/demo/welcome/").status_code == 200

    on_redis.pause()
    start = time.monotonic()
    for _ in range(5):
        response = client.get("/courses/demo/welcome/")
        assert response.status_code == 200
        assert response.context["user"].username == "ada"
    assert time.monotonic() - start < 2, "one timeout, then the breaker skips Redis"
    on_redis.resume()


def test_a_logout_while_redis_hangs_holds_once_it_answers_again(
    on_redis, clock, client, django_user_model
):
    """The session's delete never reached Redis; it is repaired before Redis is read again,
    or the old cookie would be signed in again from the stale copy."""
    client.force_login(django_user_model.objects.create_user("ada"))
    old_session = client.cookies["sessionid"].value
    assert on_redis.keys(f"*{old_session}")

    on_redis.pause()
    assert client.post("/accounts/logout/").status_code == 302
    on_redis.resume()
    assert on_redis.keys(f"*{old_session}"), "the stale copy is still in Redis"

    clock.advance(10)  # past the retry period: the next call goes to Redis again
    client.cookies["sessionid"] = old_session
    response = client.get("/dashboard/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not on_redis.keys(f"*{old_session}")


def test_redis_restarted_empty_is_used_again_after_the_retry_period(
    on_redis, clock, client, django_user_model, caplog
):
    caplog.set_level(logging.INFO, logger="courseapp.cache")
    client.force_login(django_user_model.objects.create_user("ada"))

    on_redis.stop()
    assert client.get("/dashboard/").status_code == 200
    on_redis.start()
    assert client.get("/dashboard/").status_code == 200
    assert not on_redis.keys(), "within the retry period Redis is left alone"

    clock.advance(10)
    assert client.get("/dashboard/").status_code == 200
    assert on_redis.keys("courseapp:default:*cached_db*"), "the session is cached again"
    messages = [record.getMessage() for record in caplog.records]
    assert sum("unavailable" in message for message in messages) == 1
    assert sum("reachable again" in message for message in messages) == 1


def test_too_many_missed_writes_to_remember_empty_the_redis_database(redis_server):
    clock = Clock()
    cache = backend(redis_server.url, clock)
    cache.breaker.max_stale_keys = 2
    cache.set_many({"a": 1, "b": 2, "c": 3})

    redis_server.pause()
    assert cache.get("a") is None  # times out: the breaker opens
    cache.delete_many(["a", "b", "c"])  # skipped: three stale keys, more than it remembers
    redis_server.resume()
    assert len(redis_server.keys()) == 3

    clock.advance(10)
    assert cache.get("a") is None
    assert redis_server.keys() == []


def test_content_read_once_is_served_from_the_process_memory(on_redis, demo_course):
    assert course_content(demo_course, "greeting", lambda: ("hello",)) == ("hello",)
    on_redis.stop()  # whatever Redis holds, this process already has its copy
    assert course_content(demo_course, "greeting", lambda: pytest.fail("read again")) == ("hello",)
    demo_course.content_version += 1  # an import: a new version is read anew
    assert course_content(demo_course, "greeting", lambda: ("bonjour",)) == ("bonjour",)


def test_the_process_memory_keeps_the_entries_used_last():
    memory = ProcessMemory(max_entries=2)
    memory.set_many({"a": 1, "b": 2})
    assert memory.get_many(["a"]) == {"a": 1}  # "a" is now the newer of the two
    memory.set_many({"c": 3})
    assert memory.get_many(["a", "b", "c"]) == {"a": 1, "c": 3}


def test_one_redis_client_serves_every_call(redis_server):
    cache = backend(redis_server.url)
    cache.set("greeting", "hello")
    assert cache.get("greeting") == "hello"
    assert cache._cache.get_client(write=True) is cache._cache.get_client()
