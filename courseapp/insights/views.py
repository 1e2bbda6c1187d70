import csv
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import batched

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from courseapp.insights import selectors
from courseapp.querystring import search_terms
from courseapp.quizzes.services import question_report_resolve

STUDENTS_PER_PAGE = 50
MAX_SEARCH_LENGTH = 100
CSV_CHUNK = 500  # students read (and their answers counted) at a time for the CSV export
COLUMNS = [
    ("name", "Student", False),
    ("progress", "Progress", True),
    ("accuracy", "First-attempt accuracy", True),
    ("activity", "Last activity", True),
]
# Spreadsheets run cells starting with these as formulas (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@never_cache
@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    courses = selectors.insights_courses(request.user)
    return render(request, "insights/index.html", {"courses": courses})


@never_cache
@login_required
@require_GET
@vary_on_headers("HX-Request")
def course_insights(request: HttpRequest, course_slug: str) -> HttpResponse:
    course = selectors.insights_course_get(request.user, slug=course_slug)
    search = search_terms(request.GET.get("q", ""), MAX_SEARCH_LENGTH)
    sort = request.GET.get("sort", "name")
    lesson_count = selectors.course_lessons(course).count()
    page = Paginator(
        selectors.student_rows(course, search=search, sort=sort), STUDENTS_PER_PAGE
    ).get_page(request.GET.get("page"))
    context = {
        "course": course,
        "search": search,
        "sort": sort,
        "page": page,
        "students": selectors.student_table(
            course, enrollments=list(page.object_list), lessons=lesson_count
        ),
        "columns": _columns(sort),
        "sort_label": next(
            (label for key, label, _ in COLUMNS if key == sort.removeprefix("-")), "Student"
        ).lower(),
        "min_flag_students": selectors.MIN_STUDENTS_TO_FLAG,
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "insights/course.html#students", context)
    context["sections"] = statistics_sections(request, course)
    context["reported"] = selectors.reported_questions(course)
    return render(request, "insights/course.html", context)


@dataclass(frozen=True)
class StatisticsSections:
    summary_html: SafeString
    items_html: SafeString


def statistics_sections(request: HttpRequest, course) -> StatisticsSections:
    """The course-wide statistics as HTML, rendered once per computation and cached beside
    them: every instructor sees the same, and rendering hundreds of question rows on each
    request cost more than the rest of the page."""
    key = f"insights:statistics-html:{course.pk}"
    sections = cache.get(key)
    if sections is not None:
        return sections
    with _rendering[course.pk]:  # one thread of a process renders, the others wait for it
        sections = cache.get(key)
        if sections is not None:
            return sections
        context = {
            "course": course,
            "stats": selectors.course_statistics(course),
            "min_flag_students": selectors.MIN_STUDENTS_TO_FLAG,
        }
        sections = StatisticsSections(
            summary_html=mark_safe(  # noqa: S308 (our template's output)
                render_to_string("insights/course.html#summary", context, request)
            ),
            items_html=mark_safe(  # noqa: S308 (our template's output)
                render_to_string("insights/course.html#items", context, request)
            ),
        )
        cache.set(key, sections, selectors.STATISTICS_SECONDS)
    return sections


_rendering: defaultdict[int, threading.Lock] = defaultdict(threading.Lock)


@login_required
@require_POST
def reports_resolve(request: HttpRequest, course_slug: str, key: str) -> HttpResponse:
    """Mark a question's open reports resolved (those shown on the page: `up_to`)."""
    course = selectors.insights_course_get(request.user, slug=course_slug)
    question = selectors.course_question_get(course, key=key)
    up_to = request.POST.get("up_to", "")
    resolved = question_report_resolve(
        question=question, user=request.user, up_to=int(up_to) if up_to.isdigit() else None
    )
    messages.success(
        request, f"{resolved} report{pluralize(resolved)} on {question.key} marked resolved."
    )
    return redirect(reverse("insights:course", args=[course.slug]) + "#reports")


@never_cache
@login_required
@require_GET
def student(request: HttpRequest, course_slug: str, user_id: int) -> HttpResponse:
    course = selectors.insights_course_get(request.user, slug=course_slug)
    detail = selectors.student_detail(course, user_id=user_id)
    return render(request, "insights/student.html", {"course": course, "detail": detail})


@login_required
@require_GET
def students_csv(request: HttpRequest, course_slug: str) -> StreamingHttpResponse:
    course = selectors.insights_course_get(request.user, slug=course_slug)
    lesson_count = selectors.course_lessons(course).count()
    header = [
        "username",
        "name",
        "progress_percent",
        "lessons_completed",
        "lessons_total",
        "questions_attempted",
        "first_attempt_accuracy_percent",
        "last_activity",
    ]

    def rows():
        enrollments = selectors.student_rows(course).iterator(chunk_size=CSV_CHUNK)
        for chunk in batched(enrollments, CSV_CHUNK):
            for row in selectors.student_table(course, enrollments=chunk, lessons=lesson_count):
                yield [
                    row.user.get_username(),
                    row.user.get_full_name(),
                    row.progress,
                    row.completed,
                    row.lessons,
                    row.attempted,
                    "" if row.accuracy is None else row.accuracy,
                    row.last_activity.isoformat(),
                ]

    return _csv_response(f"{course.slug}-students.csv", header, rows())


@login_required
@require_GET
def questions_csv(request: HttpRequest, course_slug: str) -> StreamingHttpResponse:
    course = selectors.insights_course_get(request.user, slug=course_slug)
    header = [
        "lesson",
        "question",
        "type",
        "students",
        "attempts",
        "facility",
        "discrimination",
        "most_chosen_wrong_answer",
        "most_chosen_wrong_answer_count",
        "reveals",
        "flags",
        "findings",
    ]

    def rows():
        for item in selectors.item_statistics(course):
            yield [
                item.question.lesson_title,
                item.question.key,
                item.question.type_label,
                item.students,
                item.attempts,
                "" if item.facility is None else f"{item.facility:.3f}",
                "" if item.discrimination is None else f"{item.discrimination:.3f}",
                item.top_wrong or "",
                item.top_wrong_count or "",
                item.reveals,
                "; ".join(item.flags),
                "; ".join(item.findings),
            ]

    return _csv_response(f"{course.slug}-questions.csv", header, rows())


def _columns(sort: str) -> list[dict]:
    """Sortable headers: each links to its ascending order, or flips the current one."""
    columns = []
    for key, label, numeric in COLUMNS:
        aria_sort = {key: "ascending", f"-{key}": "descending"}.get(sort)
        columns.append(
            {
                "label": label,
                "numeric": numeric,
                "aria_sort": aria_sort,
                "next": f"-{key}" if sort == key else key,
            }
        )
    return columns


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a stream."""

    def write(self, value: str) -> str:
        return value


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _csv_response(filename: str, header: list[str], rows: Iterable[list]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
