"""The content cache: what pages show everyone alike, per course and content version.

Keys carry the course's `content_version`, which only the import moves (pipeline.importer), so
an entry is never stale, only left unused until it expires or is evicted; nothing has to be
invalidated. Values must be immutable (frozen dataclasses, tuples): a cache may hand the same
object to every request.
"""

from collections.abc import Callable

from django.core.cache import caches

from courseapp.catalog.models import Course

CONTENT_CACHE = "content"  # its alias in settings.CACHES
CONTENT_SECONDS = 3600


def course_content[T](course: Course, name: str, read: Callable[[], T]) -> T:
    """What `read` returns for this course as of its current content version; `name` tells the
    pieces of a course apart ("lesson:intro", "question:port-number")."""
    cache = caches[CONTENT_CACHE]
    key = f"course:{course.pk}:v{course.content_version}:{name}"
    value = cache.get(key)
    if value is None:
        value = read()
        cache.set(key, value, CONTENT_SECONDS)
    return value
