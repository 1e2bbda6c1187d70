"""Open problem reports as the insights page lists them, kept in the shared cache until a
report changes: students file a few a day, and instructors open the page far more often.

Any report filed, edited, resolved or deleted, in any course, drops every course's list once it
commits (`courseapp.versioned_cache`): reports are rare enough that one version for all of them
costs nothing, and no write has to find its course first. Entries are kept a minute at most, so
a change made by a process that could not reach Redis at the time is seen within a minute.
Without Redis the alias keeps nothing and each page reads the reports.
"""

from collections.abc import Callable

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from courseapp.catalog.course_cache import COURSE_CACHE
from courseapp.catalog.models import Course
from courseapp.quizzes.models import QuestionReport
from courseapp.versioned_cache import VersionedCache

REPORTS_SECONDS = 60

_reports = VersionedCache(COURSE_CACHE, REPORTS_SECONDS)


def course_reports_cached[T](course: Course, read: Callable[[], T]) -> T:
    """What `read` returns for the course's open reports as of the last change to any report
    and the course's content version (which names the lessons and questions shown)."""
    return _reports.get("reports", f"{course.pk}v{course.content_version}", read)


def reports_changed() -> None:
    """Reports were written (`QuerySet.update` sends no signal: its callers say so here)."""
    _reports.changed(["reports"])


@receiver([post_save, post_delete], sender=QuestionReport, dispatch_uid="report_cache")
def _report_written(sender, instance: QuestionReport, **kwargs) -> None:
    reports_changed()
