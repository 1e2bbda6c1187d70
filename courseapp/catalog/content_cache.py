"""The content cache: what pages show everyone alike, per course and content version.

Keys carry the course's `content_version`, which only the import moves (pipeline.importer), so
an entry is never stale, only left unused until it expires or is evicted; nothing has to be
invalidated. Values must be immutable (frozen dataclasses, tuples): a cache may hand the same
object to every request.
"""

import hashlib
from collections.abc import Callable, Iterable

from django.core.cache import caches

from courseapp.catalog.models import Course

CONTENT_CACHE = "content"  # its alias in settings.CACHES
CONTENT_SECONDS = 3600


def course_content[T](course: Course, name: str, read: Callable[[], T]) -> T:
    """What `read` returns for this course as of its current content version; `name` tells the
    pieces of a course apart ("lesson:intro", "question:port-number")."""
    return _cached(f"course:{course.pk}:v{course.content_version}:{name}", read)


def catalog_content[T](courses: Iterable[Course], name: str, read: Callable[[], T]) -> T:
    """What `read` returns for these courses together (the visible catalog, for a search) as of
    their content versions: another course, or a new version of one, is another key."""
    return _cached(f"catalog:{content_versions(courses)}:{name}", read)


def content_versions(courses: Iterable[Course]) -> str:
    """A short name for these courses at their content versions, for a key."""
    versions = ",".join(f"{course.pk}v{course.content_version}" for course in courses)
    return hashlib.blake2b(versions.encode(), digest_size=8).hexdigest()


def _cached[T](key: str, read: Callable[[], T]) -> T:
    cache = caches[CONTENT_CACHE]
    value = cache.get(key)
    if value is None:
        value = read()
        cache.set(key, value, CONTENT_SECONDS)
    return value
