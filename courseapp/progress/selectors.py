"""Reads of progress for the outline, the lesson page and the dashboard (fixed query counts)."""

from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from courseapp.catalog.models import Course, Lesson
from courseapp.flashcards.selectors import due_counts_for_user
from courseapp.progress.models import Enrollment, LessonProgress
from courseapp.quizzes.models import Attempt


@dataclass(frozen=True)
class CourseProgress:
    completed: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.completed / self.total) if self.total else 0

    def __str__(self) -> str:
        return f"{self.completed} of {self.total} lessons"


def completed_lesson_ids(user, course: Course) -> set[int]:
    """Ids of the course's lessons the user completed (archived ones included)."""
    if not user.is_authenticated:
        return set()
    completed = LessonProgress.objects.filter(user=user, course=course, completed_at__isnull=False)
    return set(completed.values_list("lesson_id", flat=True))


def course_progress(completed_ids: set[int], published_ids: set[int]) -> CourseProgress:
    """Completed published lessons over published lessons: archived and draft ones do not count."""
    return CourseProgress(completed=len(completed_ids & published_ids), total=len(published_ids))


def lesson_progress_get(user, lesson: Lesson) -> LessonProgress | None:
    if not user.is_authenticated:
        return None
    return LessonProgress.objects.filter(user=user, lesson=lesson).first()


def is_enrolled(user, course: Course) -> bool:
    return user.is_authenticated and Enrollment.objects.filter(user=user, course=course).exists()


@dataclass
class DashboardCourse:
    course: Course
    progress: CourseProgress
    attempted: int
    first_try_correct: int
    solved: int
    last_activity: object
    continue_lesson: Lesson | None
    flashcards_due: int = 0

    @property
    def first_try_accuracy(self) -> int | None:
        return round(100 * self.first_try_correct / self.attempted) if self.attempted else None

    @property
    def best_accuracy(self) -> int | None:
        return round(100 * self.solved / self.attempted) if self.attempted else None


def dashboard_courses(user) -> list[DashboardCourse]:
    """The student's courses with progress, accuracy, last activity and where to continue."""
    published = Lesson.objects.published().filter(course=OuterRef("course"))
    mine = LessonProgress.objects.filter(user=user, course=OuterRef("course"))
    enrollments = list(
        Enrollment.objects.filter(user=user, course__published=True, course__archived=False)
        .select_related("course")
        .annotate(
            total=_count(published),
            completed=_count(
                published.filter(progress__user=user, progress__completed_at__isnull=False)
            ),
            last_activity=Subquery(mine.order_by("-last_viewed_at").values("last_viewed_at")[:1]),
            last_incomplete_id=Subquery(
                mine.filter(completed_at__isnull=True, lesson__in=Lesson.objects.published())
                .order_by("-last_viewed_at")
                .values("lesson_id")[:1]
            ),
            next_unfinished_id=Subquery(
                published.exclude(
                    Exists(
                        LessonProgress.objects.filter(
                            lesson=OuterRef("pk"), user=user, completed_at__isnull=False
                        )
                    )
                )
                .order_by("sequence")
                .values("pk")[:1]
            ),
        )
        .order_by("-last_activity", "-started_at")
    )
    accuracy = _accuracy(user, [e.course_id for e in enrollments])
    due = due_counts_for_user(user=user, courses=[e.course for e in enrollments])
    lesson_ids = {e.last_incomplete_id or e.next_unfinished_id for e in enrollments} - {None}
    lessons = (
        Lesson.objects.only("slug", "title", "course_id").in_bulk(lesson_ids) if lesson_ids else {}
    )
    result = []
    for enrollment in enrollments:
        stats = accuracy.get(enrollment.course_id, {})
        lesson = lessons.get(enrollment.last_incomplete_id or enrollment.next_unfinished_id)
        if lesson:
            lesson.course = enrollment.course
        result.append(
            DashboardCourse(
                course=enrollment.course,
                progress=CourseProgress(enrollment.completed, enrollment.total),
                attempted=stats.get("attempted", 0),
                first_try_correct=stats.get("first_ok", 0),
                solved=stats.get("solved", 0),
                last_activity=enrollment.last_activity or enrollment.started_at,
                continue_lesson=lesson,
                flashcards_due=due[enrollment.course_id],
            )
        )
    return result


def _count(queryset) -> Coalesce:
    counted = queryset.order_by().values("course").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _accuracy(user, course_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per course: questions answered, first answers correct, questions ever solved.

    Read from the student's own answers in time order (one plain query), not from every
    question of their courses.
    """
    answers = (
        Attempt.objects.filter(
            user=user,
            revealed=False,
            question__course_id__in=course_ids,
            question__archived=False,
        )
        .order_by("created_at", "pk")
        .values_list("question_id", "question__course_id", "correct")
    )
    first: dict[int, bool] = {}
    course_of: dict[int, int] = {}
    solved: set[int] = set()
    for question_id, course_id, correct in answers:
        first.setdefault(question_id, correct)
        course_of[question_id] = course_id
        if correct:
            solved.add(question_id)
    stats: dict[int, dict[str, int]] = {}
    for question_id, first_correct in first.items():
        row = stats.setdefault(course_of[question_id], {"attempted": 0, "first_ok": 0, "solved": 0})
        row["attempted"] += 1
        row["first_ok"] += first_correct
        row["solved"] += question_id in solved
    return stats
