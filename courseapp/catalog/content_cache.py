"""Course content kept in each process's cache under the course's updated_at.

Every import that changes anything in a course moves its updated_at on, so a stale entry is
never read, only left to expire; nothing has to be invalidated.
"""

from collections.abc import Callable

from django.core.cache import cache

from courseapp.catalog.models import Course

CONTENT_SECONDS = 600


def course_content[T](course: Course, name: str, read: Callable[[], T]) -> T:
    """What `read` returns for this course, as of its last import; `name` tells the pieces of a
    course apart ("lesson:intro")."""
    key = f"course-content:{course.pk}:{course.updated_at.timestamp()}:{name}"
    value = cache.get(key)
    if value is None:
        value = read()
        cache.set(key, value, CONTENT_SECONDS)
    return value
