"""Writes of progress: enrollment, lesson views and completion. Safe under parallel requests."""

from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from courseapp.catalog.models import Course, Lesson
from courseapp.progress.models import Enrollment, LessonProgress
from courseapp.quizzes.models import Attempt
from courseapp.student_cache import student_changed


def course_enroll(*, user: AbstractBaseUser, course: Course) -> Enrollment:
    """Enroll once; repeated or parallel calls return the same row."""
    enrollment, created = Enrollment.objects.get_or_create(user=user, course=course)
    if created:
        student_changed(user.pk)
    return enrollment


# A lesson viewed again within this time is not written again: reloading, or coming back from
# a plain-form answer, changes nothing the dashboard shows.
VISIT_REFRESH = timedelta(minutes=2)


def lesson_view_record(*, user: AbstractBaseUser, lesson: Lesson) -> LessonProgress:
    """Note that the student opened the lesson (and so started its course).

    One read when they viewed it a moment ago. Otherwise one transaction (one commit): on a
    later visit an update of the visit's time, on the first an upsert, so parallel first views
    can neither fail nor duplicate rows; and the enrollment, inserted unless it exists.
    """
    now = timezone.now()
    progress = LessonProgress.objects.filter(user=user, lesson=lesson).first()
    if progress and now - progress.last_viewed_at < VISIT_REFRESH:
        return progress
    with transaction.atomic():
        if progress:
            LessonProgress.objects.filter(pk=progress.pk).update(last_viewed_at=now)
            progress.last_viewed_at = now
        else:
            LessonProgress.objects.bulk_create(
                [
                    LessonProgress(
                        user=user, lesson=lesson, course_id=lesson.course_id, last_viewed_at=now
                    )
                ],
                update_conflicts=True,
                unique_fields=["user", "lesson"],
                update_fields=["last_viewed_at"],
            )
        Enrollment.objects.bulk_create(
            [Enrollment(user=user, course_id=lesson.course_id, started_at=now)],
            ignore_conflicts=True,
        )
        student_changed(user.pk)
    return progress or LessonProgress.objects.get(user=user, lesson=lesson)


@transaction.atomic
def lesson_complete(*, user: AbstractBaseUser, lesson: Lesson) -> LessonProgress:
    """Mark the lesson complete; the first completion time is kept."""
    now = timezone.now()
    progress, _ = _progress(user, lesson, now)
    LessonProgress.objects.filter(pk=progress.pk, completed_at__isnull=True).update(
        completed_at=now
    )
    progress.refresh_from_db(fields=["completed_at"])
    course_enroll(user=user, course=lesson.course)
    student_changed(user.pk)
    return progress


@transaction.atomic
def lesson_uncomplete(*, user: AbstractBaseUser, lesson: Lesson) -> LessonProgress:
    progress, _ = _progress(user, lesson, timezone.now())
    LessonProgress.objects.filter(pk=progress.pk).update(completed_at=None)
    progress.completed_at = None
    student_changed(user.pk)
    return progress


def lesson_complete_if_solved(*, user: AbstractBaseUser, lesson: Lesson) -> bool:
    """Complete the lesson once every one of its questions has been answered correctly."""
    questions = lesson.questions.current()
    unsolved = questions.exclude(
        pk__in=Attempt.objects.filter(user=user, correct=True).values("question")
    )
    if not questions.exists() or unsolved.exists():
        return False
    lesson_complete(user=user, lesson=lesson)
    return True


def _progress(user, lesson: Lesson, now) -> tuple[LessonProgress, bool]:
    # get_or_create retries the read when a parallel request inserted the row first.
    return LessonProgress.objects.get_or_create(
        user=user,
        lesson=lesson,
        defaults={"course_id": lesson.course_id, "first_viewed_at": now, "last_viewed_at": now},
    )
