"""The Redis database of the benchmark's Redis pass: one numbered database of a running Redis
(BENCH_REDIS_URL), which the pass empties when it starts. FLUSHDB empties that database only;
the others, and whatever else uses that Redis, are left alone."""

import contextlib
import os
from collections.abc import Iterator
from urllib.parse import urlsplit

import redis

from bench.workspace import BenchError, step

DEFAULT_REDIS = "redis://127.0.0.1:6379/15"
HOW_TO_START = (
    "start one (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis; "
    "or redis-server --port 6379 --save '' --daemonize yes), "
    "or point BENCH_REDIS_URL at another"
)


def redis_url() -> str:
    """BENCH_REDIS_URL, which must name the database the bench may empty."""
    url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS)
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss") or not parts.path.strip("/").isdigit():
        raise BenchError(
            "BENCH_REDIS_URL must be a redis:// URL ending in the number of a database the bench "
            f"may empty, like {DEFAULT_REDIS}."
        )
    return url


def redis_version(url: str) -> str:
    """The version of the Redis at `url`; fails with how to start one if it does not answer."""
    with redis_client(url) as client:
        return client.info("server")["redis_version"]


def redis_keys(url: str) -> int:
    """How many keys the bench's database holds."""
    with redis_client(url) as client:
        return client.dbsize()


def redis_flush(url: str) -> None:
    """Empties the bench's database, and only it."""
    step(f"Emptying Redis database {shown(url)}")
    with redis_client(url) as client:
        client.flushdb()


@contextlib.contextmanager
def redis_client(url: str) -> Iterator[redis.Redis]:
    try:
        with redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5) as client:
            yield client
    except redis.RedisError as error:
        raise BenchError(
            f"Redis does not answer at {shown(url)} ({error}); the Redis pass keeps the site's "
            f"caches and sessions there: {HOW_TO_START}."
        ) from None


def shown(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}:{parts.port or 6379}{parts.path}"
