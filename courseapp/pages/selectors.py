"""Reads that combine the domain apps: the lesson page and the student's dashboard."""

from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from courseapp.catalog.content_cache import course_content
from courseapp.catalog.models import Course, Lesson
from courseapp.flashcards.selectors import due_counts_for_user
from courseapp.markup.markdown import QUIZ_MARKER_RE
from courseapp.progress.models import Enrollment, LessonProgress
from courseapp.progress.selectors import CourseProgress
from courseapp.quizzes.models import Attempt
from courseapp.quizzes.selectors import QuestionView, lesson_questions, question_views


@dataclass
class LessonPage:
    lesson: Lesson
    segments: list  # HTML strings and QuestionViews, in reading order
    questions: list[QuestionView]
    previous: Lesson | None
    next: Lesson | None


@dataclass
class LessonContent:
    """What a lesson page shows everyone alike; it changes only when the course is imported."""

    lesson: Lesson
    questions: list  # Questions with their choice_list
    previous: Lesson | None
    next: Lesson | None


def lesson_page(course: Course, slug: str, user) -> LessonPage:
    content = lesson_content(course, slug)
    lesson = content.lesson
    lesson.course = course
    views = question_views(content.questions, user)
    segments = []
    for index, part in enumerate(QUIZ_MARKER_RE.split(lesson.body_html)):
        if index % 2 == 0:
            segments.append(part)
        elif part in views:
            segments.append(views[part])
    return LessonPage(
        lesson=lesson,
        segments=segments,
        questions=list(views.values()),
        previous=content.previous,
        next=content.next,
    )


def lesson_content(course: Course, slug: str) -> LessonContent:
    """The published lesson `slug` of `course` (404 if there is none), its questions and
    neighbours, from the cache when the course has not changed since."""
    return course_content(course, f"lesson:{slug}", lambda: _lesson_content_read(course, slug))


def _lesson_content_read(course: Course, slug: str) -> LessonContent:
    lesson = get_object_or_404(
        Lesson.objects.published()
        .select_related("module")
        .defer("search_text", "search_headings", "search_vector"),
        course=course,
        slug=slug,
    )
    neighbours = course.lessons.published().only("slug", "title", "sequence", "course_id")
    return LessonContent(
        lesson=lesson,
        questions=lesson_questions(lesson),
        previous=neighbours.filter(sequence__lt=lesson.sequence).order_by("-sequence").first(),
        next=neighbours.filter(sequence__gt=lesson.sequence).order_by("sequence").first(),
    )


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
    """Per course: questions answered, first answers correct, questions ever solved; from the
    student's own answers (one plain query), not from every question of their courses."""
    answers = Attempt.objects.filter(
        user=user, revealed=False, question__course_id__in=course_ids, question__archived=False
    ).values_list("question_id", "question__course_id", "correct", "first")
    stats: dict[int, dict[str, int]] = {}
    solved: set[int] = set()
    for question_id, course_id, correct, first in answers:
        row = stats.setdefault(course_id, {"attempted": 0, "first_ok": 0, "solved": 0})
        if first:
            row["attempted"] += 1
            row["first_ok"] += correct
        if correct and question_id not in solved:
            solved.add(question_id)
            row["solved"] += 1
    return stats
