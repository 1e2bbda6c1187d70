"""A Redis cache that never fails a request: Redis trouble turns reads into misses and skips
writes, so callers fall back to the database as they do on any miss.

`FaultTolerantRedisCache` is Django's RedisCache with every operation guarded. After a failure
a circuit breaker sends the calls of the next few seconds straight to the fallback instead of
letting each wait for the socket timeout; then one call probes Redis again. The breaker is
shared by every cache alias and thread of a process that talks to the same server, so a
process logs an outage at most once a minute, however many requests it serves meanwhile.

A write that could not reach Redis leaves the old value there: a session deleted at logout
would come back once Redis answers. Such keys are remembered and deleted before anything else
is done with Redis again.
"""

import logging
import threading
import time
from collections.abc import Callable, Collection
from urllib.parse import urlsplit

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.functional import cached_property
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

logger = logging.getLogger(__name__)

# What an unreachable, restarting or overloaded Redis raises. Anything else (a bad value, a
# wrong command) is a bug and still raises.
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)

# One immediate retry when a pooled connection turns out to be closed (Redis restarted, an idle
# timeout); a timeout is not retried, it already cost its full wait.
RETRY_ONCE_ON_A_CLOSED_CONNECTION = Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,))


class CircuitBreaker:
    """The health of one Redis server as this process sees it.

    Closed: every call goes to Redis. After a failure it opens for `retry_seconds`: calls skip
    Redis, except one per period that probes it. It closes again on the first success.
    """

    def __init__(
        self,
        server: str = "",
        *,
        retry_seconds: float = 5.0,
        log_seconds: float = 60.0,
        max_stale_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.server = server
        self.retry_seconds = retry_seconds
        self.log_seconds = log_seconds
        self.max_stale_keys = max_stale_keys
        self.clock = clock
        self._lock = threading.Lock()
        self._open = False
        self._retry_at = 0.0
        self._logged_at: float | None = None
        self._outage_logged = False
        self._failures = 0
        self._stale: set[str] = set()
        self._stale_overflow = False

    def allows(self) -> bool:
        """Whether this call may use Redis: always while closed, once per period while open."""
        if not self._open:
            return True
        with self._lock:
            now = self.clock()
            if now < self._retry_at:
                return False
            # This caller probes; the others keep skipping until it has an answer.
            self._retry_at = now + self.retry_seconds
            return True

    def failed(self, error: Exception) -> None:
        """Opens the breaker; logs the outage unless it was logged less than a minute ago."""
        with self._lock:
            now = self.clock()
            self._open = True
            self._retry_at = now + self.retry_seconds
            self._failures += 1
            if self._logged_at is not None and now - self._logged_at < self.log_seconds:
                return
            self._logged_at, self._outage_logged = now, True
            failures, self._failures = self._failures, 0
        logger.error(
            "Redis cache at %s unavailable (%s: %s); serving from the database, retrying "
            "every %g s (%d failed calls since the last report)",
            self.server,
            type(error).__name__,
            error,
            self.retry_seconds,
            failures,
        )

    def succeeded(self) -> None:
        """Closes the breaker; says so once if the outage was logged."""
        if not self._open:
            return
        with self._lock:
            if not self._open:
                return
            self._open = False
            report, self._outage_logged = self._outage_logged, False
        if report:
            logger.warning("Redis cache at %s reachable again", self.server)

    def remember_stale(self, keys: Collection[str]) -> None:
        """Keys whose write or delete did not reach Redis: their values there are stale."""
        if not keys:
            return
        with self._lock:
            self._stale.update(keys)
            if len(self._stale) > self.max_stale_keys:
                self._stale_overflow, self._stale = True, set()

    def repair(self, delete: Callable[[list[str]], None], flush: Callable[[], None]) -> None:
        """Deletes the stale keys (or, after too many to remember, everything) before Redis is
        used again; keeps them for the next attempt if Redis fails meanwhile."""
        if not self._stale and not self._stale_overflow:
            return
        with self._lock:
            keys, self._stale = list(self._stale), set()
            overflow, self._stale_overflow = self._stale_overflow, False
        try:
            if overflow:
                flush()
            elif keys:
                delete(keys)
        except BaseException:
            with self._lock:
                self._stale.update(keys)
                self._stale_overflow |= overflow
            raise


_breakers: dict[str, CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(location: str) -> CircuitBreaker:
    """The process's one breaker for the Redis server at `location` (a URL)."""
    with _breakers_lock:
        if location not in _breakers:
            _breakers[location] = CircuitBreaker(server=_without_credentials(location))
        return _breakers[location]


def _without_credentials(url: str) -> str:
    """A Redis URL for logs: scheme, host, port and database, never the password."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return f"unix://{parts.path}"
    return f"{parts.scheme}://{parts.hostname}:{parts.port or 6379}{parts.path}"


class FaultTolerantRedisCacheClient(RedisCacheClient):
    """Django's Redis client (keys already made) whose calls fall back instead of raising."""

    def __init__(self, servers, *, breaker: CircuitBreaker, **options):
        options.setdefault("retry", RETRY_ONCE_ON_A_CLOSED_CONNECTION)
        super().__init__(servers, **options)
        self.breaker = breaker
        self._clients: dict[object, object] = {}

    def get_client(self, key=None, *, write=False):
        """One client per connection pool, reused by every call and thread (redis-py clients
        are thread-safe): Django builds a new one per call, which costs more than a GET."""
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients.setdefault(pool, self._client(connection_pool=pool))
        return client

    def _guarded(self, operation: Callable, *args, fallback=None, writes: Collection[str] = ()):
        """operation(*args), or `fallback` when Redis is unavailable or skipped; the keys in
        `writes` are deleted later if the call did not reach Redis."""
        if not self.breaker.allows():
            self.breaker.remember_stale(writes)
            return fallback
        try:
            self.breaker.repair(self._delete_keys, self._flush)
            result = operation(*args)
        except UNAVAILABLE as error:
            self.breaker.remember_stale(writes)
            self.breaker.failed(error)
            return fallback
        self.breaker.succeeded()
        return result

    def _delete_keys(self, keys: list[str]) -> None:
        client = self.get_client(write=True)
        for start in range(0, len(keys), 1_000):
            client.delete(*keys[start : start + 1_000])

    def _flush(self) -> None:
        self.get_client(write=True).flushdb()

    def get(self, key, default):
        return self._guarded(super().get, key, default, fallback=default)

    def get_many(self, keys):
        return self._guarded(super().get_many, keys, fallback={})

    def has_key(self, key):
        return self._guarded(super().has_key, key, fallback=False)

    def add(self, key, value, timeout):
        return self._guarded(super().add, key, value, timeout, fallback=False, writes=[key])

    def set(self, key, value, timeout):
        self._guarded(super().set, key, value, timeout, writes=[key])

    def set_many(self, data, timeout):
        self._guarded(super().set_many, data, timeout, writes=list(data))

    def touch(self, key, timeout):
        return self._guarded(super().touch, key, timeout, fallback=False, writes=[key])

    def delete(self, key):
        return self._guarded(super().delete, key, fallback=False, writes=[key])

    def delete_many(self, keys):
        self._guarded(super().delete_many, keys, writes=list(keys))

    def incr(self, key, delta):
        result = self._guarded(super().incr, key, delta, writes=[key])
        if result is None:
            # What a missing key raises too: callers of incr() handle it already.
            raise ValueError(f"Key '{key}' not found (the cache is unavailable).")
        return result

    def clear(self):
        return self._guarded(super().clear, fallback=False)


class FaultTolerantRedisCache(RedisCache):
    """settings.CACHES backend: Django's RedisCache, falling back like a miss when Redis is
    down or slow (see the module's docstring)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = FaultTolerantRedisCacheClient
        self.breaker = breaker_for(self._servers[0])

    @cached_property
    def _cache(self):
        return self._class(self._servers, breaker=self.breaker, **self._options)
