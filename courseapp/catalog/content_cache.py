"""The content cache: what pages show everyone alike, per course and content version.

Keys carry the course's `content_version`, which only the import moves (pipeline.importer), so
an entry is never stale, only left unused until it expires or is evicted; nothing has to be
invalidated. Values must be immutable (frozen dataclasses, tuples): a cache may hand the same
object to every request.

For the same reason each process keeps the entries it used last in its own memory, in front of
the shared cache (Redis, or memory again without it): a copy there is never stale either, and
reading it costs neither a round trip nor unpickling.
"""

import hashlib
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.cache import caches
from django.utils.safestring import SafeString, mark_safe

from courseapp.catalog.models import Course

CONTENT_CACHE = "content"  # its alias in settings.CACHES
CONTENT_SECONDS = 3600


class ProcessMemory:
    """The `max_entries` content entries this process used last, by cache key."""

    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self._entries: OrderedDict[str, object] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, keys: Iterable[str]) -> dict[str, object]:
        found = {}
        with self._lock:
            for key in keys:
                if key in self._entries:
                    self._entries.move_to_end(key)
                    found[key] = self._entries[key]
        return found

    def set_many(self, entries: dict[str, object]) -> None:
        with self._lock:
            self._entries.update(entries)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


# A few courses' lessons, frames and question forms: some megabytes.
memory = ProcessMemory(max_entries=2_000)


def course_content[T](course: Course, name: str, read: Callable[[], T]) -> T:
    """What `read` returns for this course as of its current content version; `name` tells the
    pieces of a course apart ("lesson:intro", "question:port-number")."""
    return course_contents(course, {name: read})[name]


def course_contents[T](course: Course, reads: dict[str, Callable[[], T]]) -> dict[str, T]:
    """Several pieces at once, by name: one round trip to the cache for all of them, and one
    more to keep those that had to be read."""
    prefix = f"course:{course.pk}:v{course.content_version}"
    return _cached({name: f"{prefix}:{name}" for name in reads}, reads)


def catalog_content[T](courses: Iterable[Course], name: str, read: Callable[[], T]) -> T:
    """What `read` returns for these courses together (the visible catalog, for a search) as of
    their content versions: another course, or a new version of one, is another key."""
    return _cached({name: f"catalog:{content_versions(courses)}:{name}"}, {name: read})[name]


def content_versions(courses: Iterable[Course]) -> str:
    """A short name for these courses at their content versions, for a key."""
    versions = ",".join(f"{course.pk}v{course.content_version}" for course in courses)
    return hashlib.blake2b(versions.encode(), digest_size=8).hexdigest()


def _cached[T](keys: dict[str, str], reads: dict[str, Callable[[], T]]) -> dict[str, T]:
    """The value of each name's key: from this process's memory, else the shared cache, else
    read (and kept in both)."""
    found = memory.get_many(keys.values())
    if len(found) < len(keys):
        shared = caches[CONTENT_CACHE].get_many([key for key in keys.values() if key not in found])
        memory.set_many(shared)
        found.update(shared)
    values, missing = {}, {}
    for name, key in keys.items():
        if key in found:
            values[name] = found[key]
        else:
            values[name] = missing[key] = reads[name]()
    if missing:
        memory.set_many(missing)
        caches[CONTENT_CACHE].set_many(missing, CONTENT_SECONDS)
    return values


@dataclass(frozen=True)
class SharedHtml:
    """HTML rendered once for everyone, with holes where each request puts its own values (its
    CSRF token, say). A hole is written `hole(marker, name)` at rendering time."""

    html: str
    marker: str

    def filled(self, **values: str) -> SafeString:
        html = self.html
        for name, value in values.items():
            html = html.replace(hole(self.marker, name), value)
        return mark_safe(html)  # noqa: S308 (rendered by our templates)


def marker_new() -> str:
    """A marker no content can hold by chance, left alone by HTML escaping (hexadecimal)."""
    return secrets.token_hex(12)


def hole(marker: str, name: str) -> str:
    return f"{marker}-{name}"
