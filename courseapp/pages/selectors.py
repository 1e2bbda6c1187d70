"""Reads that combine the domain apps: the lesson page and the student's dashboard."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from courseapp.catalog.content_cache import content_versions, course_content
from courseapp.catalog.models import Course, Lesson, current_content
from courseapp.catalog.selectors import LessonData, LessonLink, is_course_staff, lesson_data
from courseapp.flashcards.selectors import due_count, due_times
from courseapp.markup.markdown import QUIZ_MARKER_RE
from courseapp.progress.models import Enrollment, LessonProgress
from courseapp.progress.selectors import CourseProgress
from courseapp.quizzes.models import Attempt
from courseapp.quizzes.selectors import (
    QuestionData,
    QuestionView,
    lesson_questions,
    question_for_answer,
    question_for_preview,
    question_views,
)
from courseapp.student_cache import student_cached


@dataclass(frozen=True)
class LessonContent:
    """What a lesson page shows everyone alike; it changes only when the course is imported."""

    lesson: LessonData
    questions: tuple[QuestionData, ...]


@dataclass(frozen=True)
class LessonPage:
    lesson: LessonData
    segments: list  # HTML strings and QuestionViews, in reading order
    questions: list[QuestionView]
    draft: bool = False  # a preview by the course staff: students cannot see it

    @property
    def scripts(self) -> list[str]:
        """The static scripts its questions' types need (a code editor), each once."""
        return list(dict.fromkeys(s for view in self.questions for s in view.kind.scripts))

    @property
    def stylesheets(self) -> list[str]:
        return list(dict.fromkeys(s for view in self.questions for s in view.kind.stylesheets))


def lesson_page(course: Course, *, slug: str, user: AbstractBaseUser | AnonymousUser) -> LessonPage:
    """The lesson as `user` sees it: the shared content with their own answers in place; a draft
    (lesson, module or course) only for its course staff, else 404."""
    content, draft = _published_or_preview(
        course,
        user,
        published=lambda: lesson_content(course, slug=slug),
        preview=lambda: _lesson_content_read(course, slug, drafts=True),
    )
    views = question_views(content.questions, user=user)
    segments = []
    for index, part in enumerate(QUIZ_MARKER_RE.split(content.lesson.body_html)):
        if index % 2 == 0:
            segments.append(part)
        elif part in views:
            segments.append(views[part])
    return LessonPage(
        lesson=content.lesson, segments=segments, questions=list(views.values()), draft=draft
    )


def lesson_content(course: Course, *, slug: str) -> LessonContent:
    """The published lesson `slug` of `course` (404 if there is none) and its questions, from
    the content cache."""
    return course_content(course, f"lesson:{slug}", lambda: _lesson_content_read(course, slug))


def _lesson_content_read(course: Course, slug: str, *, drafts: bool = False) -> LessonContent:
    lesson = lesson_data(course, slug=slug, drafts=drafts)
    return LessonContent(lesson=lesson, questions=lesson_questions(lesson.pk))


def answerable_question(
    course: Course, key: str, *, user: AbstractBaseUser | AnonymousUser
) -> tuple[QuestionData, bool]:
    """The question `key` as `user` may answer it, and whether it is in a draft: then its
    answers are graded but not recorded. 404 for a draft's question unless course staff."""
    return _published_or_preview(
        course,
        user,
        published=lambda: question_for_answer(course, key),
        preview=lambda: question_for_preview(course, key),
    )


def _published_or_preview[T](
    course: Course,
    user: AbstractBaseUser | AnonymousUser,
    *,
    published: Callable[[], T],
    preview: Callable[[], T],
) -> tuple[T, bool]:
    """What `published` reads (cached, the same for everyone), else for the course staff what
    `preview` reads (never cached); and whether the reader is previewing a draft.

    Published content of a draft course is shared with the cache too: students cannot reach
    the course, and it reads the same once the course is published.
    """
    try:
        return published(), course.is_draft
    except Http404:
        if not is_course_staff(user, course):
            raise
        return preview(), True


@dataclass(frozen=True)
class CourseStanding:
    """Where a student stands in one course, from their own records and the course's content:
    the student cache keeps it until they write again or the course is imported."""

    course_id: int
    progress: CourseProgress
    attempted: int
    first_try_correct: int
    solved: int
    last_activity: datetime
    continue_lesson: LessonLink | None
    card_due_times: tuple[datetime, ...]  # so cards that fall due later are counted then

    @property
    def first_try_accuracy(self) -> int | None:
        return round(100 * self.first_try_correct / self.attempted) if self.attempted else None

    @property
    def best_accuracy(self) -> int | None:
        return round(100 * self.solved / self.attempted) if self.attempted else None


@dataclass(frozen=True)
class DashboardCourse:
    course: Course
    standing: CourseStanding
    flashcards_due: int


def dashboard_courses(user: AbstractBaseUser) -> list[DashboardCourse]:
    """The student's courses, most recently active first, with progress, accuracy, last
    activity, where to continue and the flashcards due now: one query while the student cache
    holds their standings (see `course_standings`)."""
    courses = {
        course.pk: course
        for course in Course.objects.visible()
        .filter(enrollments__user=user)
        .only("slug", "title", "content_version")
    }
    standings = student_cached(
        user.pk,
        f"dashboard:{content_versions(courses.values())}",
        lambda: course_standings(user, list(courses.values())),
    )
    now = timezone.now()
    return [
        DashboardCourse(
            courses[standing.course_id], standing, due_count(standing.card_due_times, now=now)
        )
        for standing in standings
    ]


def course_standings(user: AbstractBaseUser, courses: list[Course]) -> tuple[CourseStanding, ...]:
    """Where the student stands in each of these courses (they are enrolled in them), most
    recently active first: four queries, whatever the number of courses."""
    published = Lesson.objects.published().filter(course=OuterRef("course"))
    mine = LessonProgress.objects.filter(user=user, course=OuterRef("course"))
    enrollments = list(
        Enrollment.objects.filter(user=user, course__in=courses)
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
    accuracy = _accuracy(user, [enrollment.course_id for enrollment in enrollments])
    cards = due_times(user=user, courses=courses)
    lesson_ids = {e.last_incomplete_id or e.next_unfinished_id for e in enrollments} - {None}
    links = {
        pk: LessonLink(slug, title)
        for pk, slug, title in Lesson.objects.filter(pk__in=lesson_ids)
        .order_by()
        .values_list("pk", "slug", "title")
    }
    standings = []
    for enrollment in enrollments:
        stats = accuracy.get(enrollment.course_id, {})
        standings.append(
            CourseStanding(
                course_id=enrollment.course_id,
                progress=CourseProgress(enrollment.completed, enrollment.total),
                attempted=stats.get("attempted", 0),
                first_try_correct=stats.get("first_ok", 0),
                solved=stats.get("solved", 0),
                last_activity=enrollment.last_activity or enrollment.started_at,
                continue_lesson=links.get(
                    enrollment.last_incomplete_id or enrollment.next_unfinished_id
                ),
                card_due_times=cards[enrollment.course_id],
            )
        )
    return tuple(standings)


def _count(queryset: QuerySet) -> Coalesce:
    counted = queryset.order_by().values("course").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _accuracy(user: AbstractBaseUser, course_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per course: questions answered, first answers correct, questions ever solved; from the
    student's own answers (one plain query), not from every question of their courses."""
    answers = Attempt.objects.filter(
        current_content("question"), user=user, revealed=False, question__course_id__in=course_ids
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
