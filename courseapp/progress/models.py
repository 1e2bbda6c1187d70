from django.conf import settings
from django.db import models
from django.utils import timezone


class Enrollment(models.Model):
    """A student started a course: by opening one of its lessons or pressing Start course."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    course = models.ForeignKey(
        "catalog.Course", on_delete=models.CASCADE, related_name="enrollments"
    )
    started_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="enrollment_unique_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.course}"


class LessonProgress(models.Model):
    """One student's state in one lesson; kept when the lesson moves or is archived."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson = models.ForeignKey("catalog.Lesson", on_delete=models.CASCADE, related_name="progress")
    # The lesson's course, kept here so course-wide aggregates need no join.
    course = models.ForeignKey("catalog.Course", on_delete=models.CASCADE, related_name="+")
    first_viewed_at = models.DateTimeField(default=timezone.now)
    last_viewed_at = models.DateTimeField(default=timezone.now, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "lesson progress"
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="progress_unique_per_lesson")
        ]
        indexes = [models.Index(fields=["course", "user"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.lesson}"

    @property
    def completed(self) -> bool:
        return self.completed_at is not None
