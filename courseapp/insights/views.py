import csv
import secrets
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import batched

from django.conf import settings
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
from courseapp.student_cache import students_cached

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
    lesson_count = selectors.lesson_count(course)
    students = selectors.student_rows(course, search=search, sort=sort)
    page = Paginator(students.values_list("user_id", flat=True), STUDENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "course": course,
        "search": search,
        "sort": sort,
        "page": page,
        "students": student_rows_html(course, list(page.object_list), lessons=lesson_count),
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


def student_rows_html(course, user_ids: list[int], *, lessons: int) -> list[SafeString]:
    """These enrolled students' rows of the students table, rendered once and kept in the
    student cache until they write again (or their account changes): a page of fifty rows is
    one round trip, and only the rows it does not hold are read and rendered."""

    def render(missing: list[int]) -> dict[int, str]:
        enrollments = selectors.student_rows(course).filter(user_id__in=missing)
        return {
            row.user.pk: render_to_string("insights/course.html#student-row", {"row": row})
            for row in selectors.student_table(course, enrollments=enrollments, lessons=lessons)
        }

    rows = students_cached(user_ids, f"insights-row:{course.pk}v{course.content_version}", render)
    return [mark_safe(rows[user_id]) for user_id in user_ids]  # noqa: S308 (our template)


@dataclass(frozen=True)
class StatisticsSections:
    summary_html: SafeString
    items_html: SafeString
    token: str  # names this rendering; the shared cache keeps it beside the sections


def statistics_sections(request: HttpRequest, course) -> StatisticsSections:
    """The course-wide statistics as HTML, rendered once per computation and cached beside
    them: every instructor sees the same, and rendering hundreds of question rows on each
    request cost more than the rest of the page. The sections weigh hundreds of kilobytes, so
    each process keeps those it used last and asks the cache only whether they are current."""
    key = statistics_html_key(course)
    kept = _kept_sections.get(course.pk)
    if kept is not None and cache.get(f"{key}:token") == kept.token:
        return kept
    sections = cache.get(key)
    if sections is None:
        with _rendering[course.pk]:  # one thread of a process renders, the others wait for it
            sections = cache.get(key) or _sections_render(request, course, key)
    _kept_sections[course.pk] = sections
    return sections


def statistics_html_key(course) -> str:
    return f"insights:statistics-html:{course.pk}:{settings.CACHE_RELEASE}"


def _sections_render(request: HttpRequest, course, key: str) -> StatisticsSections:
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
        token=secrets.token_hex(8),
    )
    cache.set_many({key: sections, f"{key}:token": sections.token}, selectors.STATISTICS_SECONDS)
    return sections


_kept_sections: dict[int, StatisticsSections] = {}  # by course id, in this process
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
    lesson_count = selectors.lesson_count(course)
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
