"""Each course's row as a page reads it first (`catalog.selectors.course_get`), kept in the
shared cache until the course changes: a visitor's lesson page then asks nothing of PostgreSQL,
since its content comes from the content cache under the row's content version.

The import (`courses_changed`) and any save or deletion of a Course (the receiver below) drop
the row once they commit (`courseapp.versioned_cache`). A row is kept a minute at most, so a
change made by a process that could not reach Redis at the time (an import run during an
outage, which then exited) is seen within a minute. Without Redis the alias keeps nothing and
each page reads the course from the database.
"""

from collections.abc import Collection

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from courseapp.catalog.models import Course
from courseapp.versioned_cache import VersionedCache

COURSE_CACHE = "course"  # its alias in settings.CACHES
COURSE_SECONDS = 60

_courses = VersionedCache(COURSE_CACHE, COURSE_SECONDS)


def current_course(slug: str) -> Course | None:
    """The course `slug`, drafts included, unless it is archived or there is none."""
    return _courses.get(slug, "row", lambda: Course.objects.current().filter(slug=slug).first())


def courses_changed(slugs: Collection[str]) -> None:
    """These courses' rows change (or may): they are read again once the transaction commits."""
    _courses.changed(slugs)


@receiver([post_save, post_delete], sender=Course, dispatch_uid="course_cache")
def _course_written(sender, instance: Course, **kwargs) -> None:
    courses_changed([instance.slug])
