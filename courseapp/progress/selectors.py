"""Reads of progress for the outline, the lesson page and the dashboard (fixed query counts)."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from courseapp.catalog.models import Course
from courseapp.progress.models import Enrollment, LessonProgress


@dataclass(frozen=True)
class CourseProgress:
    completed: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.completed / self.total) if self.total else 0

    def __str__(self) -> str:
        return f"{self.completed} of {self.total} lessons"


def completed_lesson_ids(user: AbstractBaseUser | AnonymousUser, course: Course) -> set[int]:
    """Ids of the course's lessons the user completed (archived ones included)."""
    if not user.is_authenticated:
        return set()
    completed = LessonProgress.objects.filter(user=user, course=course, completed_at__isnull=False)
    return set(completed.values_list("lesson_id", flat=True))


def course_progress(*, completed_ids: set[int], published_ids: set[int]) -> CourseProgress:
    """Completed published lessons over published lessons: archived and draft ones do not count."""
    return CourseProgress(completed=len(completed_ids & published_ids), total=len(published_ids))


def is_enrolled(user: AbstractBaseUser | AnonymousUser, course: Course) -> bool:
    """Whether the user started the course (anonymous readers never have)."""
    return user.is_authenticated and Enrollment.objects.filter(user=user, course=course).exists()
