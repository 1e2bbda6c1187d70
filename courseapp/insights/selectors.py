"""Reads for instructor and admin insights, each in a fixed number of queries.

The database does the aggregating: Python only reshapes rows that are already one per lesson,
question, student or progress value, never one per attempt.
"""

import math
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.shortcuts import get_object_or_404
from django.utils import timezone

from courseapp.catalog.content_cache import course_content
from courseapp.catalog.course_cache import current_course
from courseapp.catalog.models import Course, Lesson, current_content, published_lessons
from courseapp.catalog.selectors import is_course_staff
from courseapp.insights import charts
from courseapp.progress.models import Enrollment, LessonProgress
from courseapp.quizzes.models import Attempt, Choice, Question, QuestionReport
from courseapp.quizzes.report_cache import course_reports_cached
from courseapp.student_cache import students_cached

ACTIVE_DAYS = 7
# Thresholds for flagging a question (Moodle's guidance: facility under 20% is very hard).
LOW_FACILITY = 0.2
MIN_STUDENTS_TO_FLAG = 5
SORTS = {
    "name": [F("user__username").asc()],
    "progress": [F("completed").asc(), F("user__username").asc()],
    "accuracy": [F("accuracy").asc(nulls_first=True), F("user__username").asc()],
    "activity": [F("last_activity").asc(), F("user__username").asc()],
}


def can_view_insights(user: AbstractBaseUser | AnonymousUser, course: Course) -> bool:
    """Staff see every course's insights; instructors see the courses they teach: the course
    staff, who also preview its drafts."""
    return is_course_staff(user, course)


def insights_course_get(user: AbstractBaseUser, *, slug: str) -> Course:
    """The course by slug (404 if unknown), if the user may see its insights (else 403): from
    the course cache, or the database for an archived course, which it does not hold."""
    course = current_course(slug) or get_object_or_404(Course, slug=slug)
    if not can_view_insights(user, course):
        raise PermissionDenied
    return course


def insights_courses(user: AbstractBaseUser) -> list[Course]:
    """Courses whose insights the user may see: every course for staff, else those taught."""
    courses = Course.objects.all() if user.is_staff else user.taught_courses.all()
    return list(courses.order_by("order", "title"))


def course_lessons(course: Course) -> QuerySet[Lesson]:
    """The course's published lessons: the lessons its statistics count."""
    return Lesson.objects.published().filter(course=course)


def lesson_count(course: Course) -> int:
    """How many lessons the course's statistics count, once per content version."""
    return course_content(course, "insights:lesson-count", course_lessons(course).count)


def course_questions(course: Course) -> QuerySet[Question]:
    """The course's questions that count (see `counted_questions`)."""
    return Question.objects.filter(counted_questions(), course=course)


def counted_questions(path: str = "") -> Q:
    """The questions that count: current ones, in published lessons; `path` leads from the
    queried model to the question ("question" from an attempt). As joins, not a subquery of
    lessons, so the planner knows how many there are."""
    return current_content(path) & published_lessons(f"{path}__lesson" if path else "lesson")


def first_attempts(question_ids: list[int] | QuerySet) -> QuerySet[Attempt]:
    """The students' first answers to these questions, unordered."""
    return Attempt.objects.first_answers().filter(question_id__in=question_ids).order_by()


def _count(queryset) -> Coalesce:
    """A scalar subquery counting the rows of a correlated queryset."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _completed(course: Course) -> Coalesce:
    return _count(
        LessonProgress.objects.filter(
            user=OuterRef("user"),
            course=course,
            completed_at__isnull=False,
            lesson__in=course_lessons(course),
        )
    )


# Headline numbers and the progress distribution


@dataclass(frozen=True)
class Bin:
    label: str
    students: int


@dataclass(frozen=True)
class Overview:
    lessons: int
    enrolled: int
    active: int
    median_progress: float | None  # percent
    completed_course: int
    distribution: list[Bin]


def course_overview(course: Course, *, now: datetime | None = None) -> Overview:
    """Enrolled, active in the last week, median progress, finished, and a progress histogram."""
    now = now or timezone.now()
    lessons = course_lessons(course).count()
    # How many students completed how many lessons: at most one row per possible count.
    frequencies = sorted(
        Enrollment.objects.filter(course=course)
        .annotate(completed=_completed(course))
        .values_list("completed")
        .annotate(students=Count("pk"))
        .order_by()
    )
    since = now - timedelta(days=ACTIVE_DAYS)
    question_ids = list(course_questions(course).values_list("pk", flat=True))
    active = (
        Enrollment.objects.filter(course=course)
        .filter(
            Exists(
                LessonProgress.objects.filter(
                    user=OuterRef("user"), course=course, last_viewed_at__gte=since
                )
            )
            | Exists(
                # An explicit id list lets the planner start from the recent attempts.
                Attempt.objects.filter(
                    user=OuterRef("user"), question_id__in=question_ids, created_at__gte=since
                )
            )
        )
        .count()
    )
    enrolled = sum(students for _, students in frequencies)
    median = _median(frequencies)
    return Overview(
        lessons=lessons,
        enrolled=enrolled,
        active=active,
        median_progress=100 * median / lessons if lessons and median is not None else None,
        completed_course=sum(s for c, s in frequencies if lessons and c >= lessons),
        distribution=_distribution(frequencies, lessons),
    )


def _median(frequencies: list[tuple[int, int]]) -> float | None:
    """The median of values given as sorted (value, how many) pairs."""
    total = sum(count for _, count in frequencies)
    if not total:
        return None
    middle = [(total - 1) // 2, total // 2]
    found, seen = [], 0
    for value, count in frequencies:
        found += [value for index in middle if seen <= index < seen + count]
        seen += count
    return sum(found) / 2


def _distribution(frequencies: list[tuple[int, int]], lessons: int) -> list[Bin]:
    """Students per tenth of progress (0-9%, ..., 90-99%) and those at 100%."""
    counts = [0] * 11
    for completed, students in frequencies:
        tenth = min(10, 10 * completed // lessons) if lessons else 0
        counts[tenth] += students
    labels = [f"{10 * i}\N{EN DASH}{10 * i + 9}%" for i in range(10)] + ["100%"]
    return [Bin(label, n) for label, n in zip(labels, counts, strict=True)]


@dataclass(frozen=True)
class FunnelStep:
    slug: str
    title: str
    viewed: int
    completed: int


def lesson_funnel(course: Course) -> tuple[FunnelStep, ...]:
    """Published lessons in course order, with how many students viewed and completed each."""
    return tuple(
        FunnelStep(*row)
        for row in course_lessons(course)
        .annotate(
            viewed=Count("progress"),
            completed=Count("progress", filter=Q(progress__completed_at__isnull=False)),
        )
        .order_by("sequence")
        .values_list("slug", "title", "viewed", "completed")
    )


# Students


@dataclass(frozen=True)
class StudentStanding:
    """A student's numbers in a course, from their own records and the course's content: the
    student cache keeps them until the student writes again or the course is imported."""

    completed: int
    last_activity: datetime
    attempted: int
    first_correct: int


@dataclass(frozen=True)
class StudentRow:
    user: object
    completed: int
    lessons: int
    attempted: int
    first_correct: int
    last_activity: datetime

    @property
    def progress(self) -> int:
        return round(100 * self.completed / self.lessons) if self.lessons else 0

    @property
    def accuracy(self) -> int | None:
        return round(100 * self.first_correct / self.attempted) if self.attempted else None

    @property
    def last_active(self) -> str:
        """The last activity to the minute, as the `date` filter would show it at a fraction
        of its cost per row."""
        return timezone.localtime(self.last_activity).strftime("%Y-%m-%d %H:%M")


def student_rows(course: Course, *, search: str = "", sort: str = "name") -> QuerySet[Enrollment]:
    """Enrolled students matching `search`, in the order of `sort` (see `student_table` for
    their numbers). A sort by a number computes it for every student, in the database, as
    the sort key alone.

    `sort` is a key of SORTS, with a leading "-" for descending; unknown keys sort by name.
    """
    rows = (
        Enrollment.objects.filter(course=course)
        .select_related("user")
        .only("started_at", "user__username", "user__first_name", "user__last_name")
    )
    for term in search.split():
        rows = rows.filter(
            Q(user__username__icontains=term)
            | Q(user__first_name__icontains=term)
            | Q(user__last_name__icontains=term)
        )
    key = sort.removeprefix("-")
    order = SORTS.get(key, SORTS["name"])
    if key in SORT_KEYS:
        name, column = SORT_KEYS[key]
        rows = rows.annotate(**{name: column(course)})
    if sort.startswith("-") and key in SORTS:
        order = [expression.copy() for expression in order]
        for expression in order[:1]:
            expression.reverse_ordering()
    return rows.order_by(*order)


def student_table(
    course: Course, *, enrollments: Sequence[Enrollment], lessons: int
) -> list[StudentRow]:
    """Rows for these enrollments (a page of `student_rows`): each student's standing from the
    student cache, those it does not hold computed together (`student_standings`)."""
    standings = students_cached(
        [enrollment.user_id for enrollment in enrollments],
        f"insights:{course.pk}v{course.content_version}",
        lambda user_ids: student_standings(course, user_ids),
    )
    rows = []
    for enrollment in enrollments:
        standing = standings[enrollment.user_id]
        rows.append(
            StudentRow(
                user=enrollment.user,
                completed=standing.completed,
                lessons=lessons,
                attempted=standing.attempted,
                first_correct=standing.first_correct,
                last_activity=standing.last_activity,
            )
        )
    return rows


def student_standings(course: Course, user_ids: Sequence[int]) -> dict[int, StudentStanding]:
    """{user id: standing} for these enrolled students: their completed lessons and last
    activity in one query, their first answers counted in one grouped query."""
    counts = {
        user_id: (attempted, correct)
        for user_id, attempted, correct in _course_first_attempts(course)
        .filter(user__in=user_ids)
        .values("user_id")
        # A column of the first answers' index, not the id: the index alone answers.
        .annotate(attempted=Count("question"), correct=Count("question", filter=Q(correct=True)))
        .values_list("user_id", "attempted", "correct")
    }
    return {
        user_id: StudentStanding(completed, last_activity, *counts.get(user_id, (0, 0)))
        for user_id, completed, last_activity in Enrollment.objects.filter(
            course=course, user__in=user_ids
        )
        .annotate(completed=_completed(course), last_activity=_last_activity(course))
        .values_list("user_id", "completed", "last_activity")
    }


def _last_activity(course: Course) -> Greatest:
    """When the student last viewed a lesson or answered a question of the course (or enrolled)."""
    progress = LessonProgress.objects.filter(user=OuterRef("user"), course=course)
    attempts = Attempt.objects.filter(user=OuterRef("user"), question__course=course)
    return Greatest(
        Coalesce(
            Subquery(progress.order_by("-last_viewed_at").values("last_viewed_at")[:1]),
            F("started_at"),
        ),
        Coalesce(
            Subquery(attempts.order_by("-created_at").values("created_at")[:1]),
            F("started_at"),
        ),
    )


def _first_answer_accuracy(course: Course) -> Subquery:
    """The share of the student's first answers that are correct, as one subquery."""
    score = Case(When(correct=True, then=Value(1.0)), default=Value(0.0))
    mine = _course_first_attempts(course).filter(user=OuterRef("user"))
    return Subquery(
        mine.annotate(mean=Func(score, function="AVG")).values("mean"), output_field=FloatField()
    )


# The sorts by a number: the name of that number and how the database computes it.
SORT_KEYS = {
    "progress": ("completed", _completed),
    "activity": ("last_activity", _last_activity),
    "accuracy": ("accuracy", _first_answer_accuracy),
}


def _course_first_attempts(course: Course) -> QuerySet[Attempt]:
    # Joined to the questions: a subquery of them was estimated at a seventh of their number, and
    # the plan read every attempt on each question; a list of ids took long to plan.
    return (
        Attempt.objects.first_answers()
        .filter(counted_questions("question"), question__course=course)
        .order_by()
    )


@dataclass
class QuestionState:
    question: Question
    attempts: list[Attempt] = field(default_factory=list)


@dataclass
class LessonState:
    lesson: Lesson
    progress: LessonProgress | None
    questions: list[QuestionState]

    @property
    def state(self) -> str:
        if self.progress is None:
            return "not started"
        return "completed" if self.progress.completed else "viewed"


@dataclass
class StudentDetail:
    enrollment: Enrollment
    row: StudentRow
    lessons: list[LessonState]


def student_detail(course: Course, *, user_id: int) -> StudentDetail:
    """One enrolled student: every published lesson's state and every attempt, in order."""
    enrollment = get_object_or_404(student_rows(course).select_related("user"), user_id=user_id)
    lessons = list(course_lessons(course).only("slug", "title", "sequence").order_by("sequence"))
    progress = {
        p.lesson_id: p for p in LessonProgress.objects.filter(user_id=user_id, course=course)
    }
    questions = {
        q.pk: QuestionState(q)
        for q in course_questions(course)
        .only("key", "type", "lesson_id", "position")
        .order_by("position")
    }
    for attempt in Attempt.objects.filter(user_id=user_id, question__in=list(questions)).order_by(
        "created_at", "pk"
    ):
        attempt.answer_text = answer_text(attempt.answer)
        questions[attempt.question_id].attempts.append(attempt)
    by_lesson: dict[int, list[QuestionState]] = {}
    for state in questions.values():
        by_lesson.setdefault(state.question.lesson_id, []).append(state)
    return StudentDetail(
        enrollment=enrollment,
        row=student_table(course, enrollments=[enrollment], lessons=len(lessons))[0],
        lessons=[
            LessonState(lesson, progress.get(lesson.pk), by_lesson.get(lesson.pk, []))
            for lesson in lessons
        ],
    )


def answer_text(answer: object) -> str:
    """An attempt's stored answer as a student would read it."""
    if isinstance(answer, list):
        return ", ".join(str(value) for value in answer)
    if isinstance(answer, bool):
        return "true" if answer else "false"
    return "" if answer is None else str(answer)


# Item statistics

ITEM_SQL = """
WITH scored (user_id, question_id, x) AS ({scored}),
     total AS (SELECT user_id, SUM(x) AS t FROM scored GROUP BY user_id),
     sums AS (
       SELECT scored.question_id,
              COUNT(*) AS n,
              SUM(scored.x) AS sx,
              SUM(total.t - scored.x) AS sr,
              SUM((total.t - scored.x) * (total.t - scored.x)) AS srr,
              SUM(scored.x * (total.t - scored.x)) AS sxr
       FROM scored JOIN total ON total.user_id = scored.user_id
       GROUP BY scored.question_id
     ),
     counts (question_id, answers, reveals) AS ({counts})
SELECT counts.question_id, counts.answers, counts.reveals,
       COALESCE(sums.n, 0), COALESCE(sums.sx, 0), COALESCE(sums.sr, 0),
       COALESCE(sums.srr, 0), COALESCE(sums.sxr, 0)
FROM counts LEFT JOIN sums ON sums.question_id = counts.question_id
"""


@dataclass(frozen=True)
class QuestionRef:
    """A question as the statistics name it."""

    pk: int
    key: str
    type_label: str
    lesson_title: str
    lesson_slug: str


@dataclass(frozen=True)
class ItemStats:
    question: QuestionRef
    students: int = 0  # students with a first attempt
    correct: int = 0  # of those first attempts, correct
    attempts: int = 0  # every answer submitted (reveals excluded)
    reveals: int = 0  # students who pressed Show answer
    discrimination: float | None = None
    top_wrong: str | None = None
    top_wrong_count: int = 0
    findings: tuple[str, ...] = ()  # the question type's own reading of the first answers

    @property
    def facility(self) -> float | None:
        return self.correct / self.students if self.students else None

    @property
    def facility_percent(self) -> int | None:
        return round(100 * self.correct / self.students) if self.students else None

    @property
    def flags(self) -> list[str]:
        if self.students < MIN_STUDENTS_TO_FLAG:
            return []
        flags = []
        if self.facility is not None and self.facility < LOW_FACILITY:
            flags.append("very low facility")
        if self.discrimination is not None and self.discrimination < 0:
            flags.append("negative discrimination")
        return flags


def item_statistics(course: Course) -> tuple[ItemStats, ...]:
    """Per question, on each student's first attempt: facility, discrimination, the most
    chosen wrong answer; plus every answer submitted and the students who revealed it.

    The rest score needs each student's total joined back to their items, which the ORM cannot
    express without a common table expression: the rows come from the ORM, the sums from a
    small SQL statement that PostgreSQL and SQLite both run.
    """
    questions = (
        course_questions(course)
        .select_related("lesson")
        .only(
            "key",
            "type",
            "answer",
            "position",
            "lesson__title",
            "lesson__slug",
            "lesson__sequence",
        )
        .order_by("lesson__sequence", "position")
    )
    by_pk = {question.pk: question for question in questions}
    if not by_pk:
        return ()
    sums = {row[0]: row[1:] for row in _item_sums(list(by_pk))}
    wrong = _top_wrong_answers(by_pk)
    findings = _findings(by_pk)
    items = []
    for pk, question in by_pk.items():
        answers, reveals, n, sx, sr, srr, sxr = sums.get(pk, (0, 0, 0, 0, 0, 0, 0))
        top_wrong, top_wrong_count = wrong.get(pk, (None, 0))
        ref = QuestionRef(
            pk, question.key, question.kind.label, question.lesson.title, question.lesson.slug
        )
        items.append(
            ItemStats(
                question=ref,
                students=n,
                correct=int(sx),
                attempts=answers,
                reveals=reveals,
                discrimination=_correlation(n, int(sx), int(sr), int(srr), int(sxr)),
                top_wrong=top_wrong,
                top_wrong_count=top_wrong_count,
                findings=findings.get(pk, ()),
            )
        )
    return tuple(items)


def _findings(questions: dict[int, Question]) -> dict[int, tuple[str, ...]]:
    """Per question whose type reads more into first answers (exercises), what it finds."""
    asked = [pk for pk, question in questions.items() if question.kind.has_findings]
    if not asked:
        return {}
    answers: dict[int, list[tuple]] = {pk: [] for pk in asked}
    for question_id, answer, details in first_attempts(asked).values_list(
        "question_id", "answer", "details"
    ):
        answers[question_id].append((answer, details))
    return {pk: questions[pk].kind.findings(questions[pk], answers[pk]) for pk in asked}


def _item_sums(question_ids: list[int]) -> list[tuple]:
    """Per question: answers, reveals and the sums of first-attempt scores for `_correlation`."""
    scored = first_attempts(question_ids).values_list(
        "user_id", "question_id", Case(When(correct=True, then=1), default=0)
    )
    counts = (
        Attempt.objects.filter(question_id__in=question_ids)
        .order_by()
        .values("question_id")
        .annotate(
            answers=Count("pk", filter=Q(revealed=False)),
            reveals=Count("user_id", filter=Q(revealed=True), distinct=True),
        )
        .values_list("question_id", "answers", "reveals")
    )
    scored_sql, scored_params = scored.query.sql_with_params()
    counts_sql, counts_params = counts.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            ITEM_SQL.format(scored=scored_sql, counts=counts_sql), (*scored_params, *counts_params)
        )
        return cursor.fetchall()


def _correlation(n: int, sx: int, sr: int, srr: int, sxr: int) -> float | None:
    """Pearson's r of a 0/1 item score and the rest score, from sums (sum of x² = sum of x)."""
    if n < 2:
        return None
    spread = (n * sx - sx * sx) * (n * srr - sr * sr)
    if spread <= 0:
        return None
    return (n * sxr - sx * sr) / math.sqrt(spread)


def _top_wrong_answers(questions: dict[int, Question]) -> dict[int, tuple[str, int]]:
    """Per question, the wrong first answer given most often, in words; what counts as the same
    answer is the question type's to say (`wrong_answer_group`)."""
    counts: Counter = Counter()
    examples: dict[tuple[int, str], object] = {}
    wrong = (
        first_attempts(list(questions))
        .filter(correct=False)
        .values("question_id", "answer")
        .annotate(n=Count("pk"))
        .values_list("question_id", "answer", "n")
    )
    for question_id, answer, n in wrong:
        group = questions[question_id].kind.wrong_answer_group(answer)
        if group is not None:
            counts[question_id, group] += n
            examples.setdefault((question_id, group), answer)
    best: dict[int, tuple[str, int]] = {}
    for (question_id, group), n in sorted(counts.items()):
        if n > best.get(question_id, ("", 0))[1]:
            best[question_id] = (group, n)
    if not best:
        return {}
    choices: dict[int, list[Choice]] = {}
    for choice in Choice.objects.filter(question_id__in=best).only(
        "question_id", "key", "text_html"
    ):
        choices.setdefault(choice.question_id, []).append(choice)
    return {
        question_id: (
            questions[question_id].kind.describe(
                questions[question_id], choices.get(question_id, []), examples[question_id, group]
            ),
            n,
        )
        for question_id, (group, n) in best.items()
    }


# Problems students reported

MAX_REPORTED_QUESTIONS = 50  # the most reported first; the page stays short


@dataclass(frozen=True)
class ReportedQuestion:
    """A question with open reports, where to fix it, and the reports, newest first."""

    key: str
    lesson_title: str
    lesson_slug: str
    source: str  # "<course>/<lesson file>:<line>" within the content folder
    reports: tuple[QuestionReport, ...]

    @property
    def count(self) -> int:
        return len(self.reports)

    @property
    def newest_id(self) -> int:
        """Resolving these reports leaves any sent after this page was read open."""
        return max(report.pk for report in self.reports)

    @property
    def reasons(self) -> list[tuple[str, int]]:
        """Each reason given, with how many reports give it, most given first."""
        return Counter(report.get_reason_display() for report in self.reports).most_common()


def reported_questions(course: Course) -> list[ReportedQuestion]:
    """The course's current questions with open reports, the most reported first (then in
    course order), each with its open reports, newest first: from the report cache, else one
    query of the open reports."""
    return course_reports_cached(course, lambda: _reported_questions(course))


def _reported_questions(course: Course) -> list[ReportedQuestion]:
    by_question: dict[int, list[QuestionReport]] = defaultdict(list)
    for report in (
        QuestionReport.objects.open()
        .filter(current_content("question"), question__course=course)
        .select_related("question__lesson", "user")
        .only(
            "reason",
            "note",
            "created_at",
            "user__username",
            "question__key",
            "question__position",
            "question__source_line",
            "question__lesson__title",
            "question__lesson__slug",
            "question__lesson__source_path",
            "question__lesson__sequence",
        )
    ):
        by_question[report.question_id].append(report)
    most_reported = sorted(
        by_question.values(),
        key=lambda reports: (
            -len(reports),
            reports[0].question.lesson.sequence,
            reports[0].question.position,
        ),
    )
    return [_reported(course, reports) for reports in most_reported[:MAX_REPORTED_QUESTIONS]]


def _reported(course: Course, reports: list[QuestionReport]) -> ReportedQuestion:
    question = reports[0].question
    return ReportedQuestion(
        key=question.key,
        lesson_title=question.lesson.title,
        lesson_slug=question.lesson.slug,
        source=f"{course.slug}/{question.lesson.source_path}:{question.source_line}",
        reports=tuple(reports),
    )


def course_question_get(course: Course, *, key: str) -> Question:
    """The question `key` of `course`, archived or not, else 404."""
    return get_object_or_404(Question, course=course, key=key)


# The course-wide statistics, cached


@dataclass(frozen=True)
class CourseStatistics:
    """Everything the insights page shows about a course as a whole, computed at once."""

    overview: Overview
    funnel: tuple[FunnelStep, ...]
    funnel_chart: charts.BarChart
    progress_chart: charts.BarChart
    items: tuple[ItemStats, ...]
    computed_at: datetime


# They scan every attempt of the course: computed at most this often per course.
STATISTICS_SECONDS = 60
_computing: defaultdict[int, threading.Lock] = defaultdict(threading.Lock)


# How long the others wait for the process computing cold statistics before computing them too.
COMPUTING_SECONDS = 20


def course_statistics(course: Course) -> CourseStatistics:
    """The course's statistics, from the cache when computed less than a minute ago.

    While one request computes them, the others wait and read its result rather than compute
    them again side by side: the threads of a process behind a lock, other processes and
    replicas behind a marker in the shared cache. Without a reachable cache, each computes.
    """
    key = statistics_key(course)
    statistics = cache.get(key)
    if statistics is not None:
        return statistics
    with _computing[course.pk]:
        statistics = cache.get(key)
        if statistics is not None:
            return statistics
        marker = f"{key}:computing"
        if not cache.add(marker, 1, COMPUTING_SECONDS) and cache.get(marker) is not None:
            statistics = _computed_elsewhere(key)
        if statistics is None:
            statistics = _course_statistics_compute(course)
            cache.set(key, statistics, STATISTICS_SECONDS)
            cache.delete(marker)
    return statistics


def statistics_key(course: Course) -> str:
    """Their key in the default cache, named by the code's version (settings.CACHE_RELEASE)."""
    return f"insights:statistics:{course.pk}:{settings.CACHE_RELEASE}"


def _computed_elsewhere(key: str) -> CourseStatistics | None:
    """The statistics another process is computing, once it has stored them (or None)."""
    deadline = time.monotonic() + COMPUTING_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.05)
        statistics = cache.get(key)
        if statistics is not None:
            return statistics
    return None


def _course_statistics_compute(course: Course) -> CourseStatistics:
    overview = course_overview(course)
    funnel = lesson_funnel(course)
    return CourseStatistics(
        overview=overview,
        funnel=funnel,
        funnel_chart=charts.funnel_chart(funnel, overview.enrolled),
        progress_chart=charts.progress_chart(overview.distribution),
        items=item_statistics(course),
        computed_at=timezone.now(),
    )
