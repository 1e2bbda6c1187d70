"""Reads of the catalog that views share; each runs a fixed number of queries."""

import hashlib
import html
import re
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    QuerySet,
    Sum,
)
from django.http import Http404
from django.shortcuts import get_object_or_404

from courseapp.catalog import course_cache
from courseapp.catalog.content_cache import catalog_content
from courseapp.catalog.models import Course, Lesson, Module, published_lessons, visible_courses

type Reader = AbstractBaseUser | AnonymousUser

PUBLISHED_LESSONS = published_lessons("lessons")


def is_course_staff(user: Reader, course: Course) -> bool:
    """Staff, or one of the course's instructors: they preview its drafts and see its insights.
    The same rule as a filter on courses is `course_staff_courses`."""
    if not user.is_authenticated:
        return False
    return user.is_staff or course.instructors.filter(pk=user.pk).exists()


def course_staff_courses(user: Reader) -> Q:
    """The courses `user` is course staff of (see `is_course_staff`), as a filter on courses."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_staff:
        return Q(pk__isnull=False)  # every course (an empty Q() would vanish from a `|`)
    return Q(pk__in=user.taught_courses.values("pk"))


def catalog_courses(reader: Reader) -> list[Course]:
    """Visible courses, and the draft courses `reader` is course staff of, with their number of
    published lessons and total reading time."""
    return list(
        Course.objects.current()
        .filter(visible_courses() | course_staff_courses(reader))
        .annotate(
            lesson_count=Count("lessons", filter=PUBLISHED_LESSONS),
            total_minutes=Sum("lessons__minutes", filter=PUBLISHED_LESSONS),
        )
    )


def course_get(slug: str, *, reader: Reader | None = None) -> Course:
    """The visible course `slug`, or the draft course `slug` when `reader` is its course staff;
    else 404. Without a reader, drafts are 404 for everyone (pages that only students use)."""
    course = course_cache.current_course(slug)
    if course is None or (course.is_draft and not (reader and is_course_staff(reader, course))):
        raise Http404("No such course.")
    return course


def course_modules(course: Course, *, drafts: bool = False) -> list[Module]:
    """The course's modules in order, each with its published lessons in `lesson_list`; with
    `drafts`, the draft modules and lessons too (for course staff). Each lesson's `published`
    says whether students see it."""
    lessons = (
        (Lesson.objects.previewable() if drafts else Lesson.objects.published())
        .annotate(published=ExpressionWrapper(published_lessons(), output_field=BooleanField()))
        .only(
            "slug", "title", "summary", "minutes", "module_id", "position", "sequence", "course_id"
        )
    )
    modules = course.modules.current().prefetch_related(
        Prefetch("lessons", queryset=lessons, to_attr="lesson_list")
    )
    return [module for module in modules if module.lesson_list]


@dataclass(frozen=True)
class LessonLink:
    slug: str
    title: str


@dataclass(frozen=True)
class LessonData:
    """A lesson as its page shows it, the same for every reader: safe to cache when published."""

    pk: int
    course_id: int
    slug: str
    title: str
    module_title: str
    minutes: int
    objectives: tuple[str, ...]
    headings: tuple[dict, ...]
    body_html: str
    previous: LessonLink | None
    next: LessonLink | None

    def reference(self) -> Lesson:
        """An unsaved Lesson naming this row, for writes that need only its identity."""
        return Lesson(pk=self.pk, course_id=self.course_id, slug=self.slug)


def lesson_data(course: Course, *, slug: str, drafts: bool = False) -> LessonData:
    """The published lesson `slug` of `course` (404 if there is none), or with `drafts` also a
    draft one, with its published neighbours: students never follow a link to a draft."""
    lessons = Lesson.objects.previewable() if drafts else Lesson.objects.published()
    lesson = get_object_or_404(
        lessons.select_related("module").only(
            "course_id",
            "slug",
            "title",
            "minutes",
            "objectives",
            "headings",
            "body_html",
            "sequence",
            "module__title",
        ),
        course=course,
        slug=slug,
    )
    neighbours = course.lessons.published()
    before = neighbours.filter(sequence__lt=lesson.sequence).order_by("-sequence")
    after = neighbours.filter(sequence__gt=lesson.sequence).order_by("sequence")
    return LessonData(
        pk=lesson.pk,
        course_id=lesson.course_id,
        slug=lesson.slug,
        title=lesson.title,
        module_title=lesson.module.title,
        minutes=lesson.minutes,
        objectives=tuple(lesson.objectives),
        headings=tuple(lesson.headings),
        body_html=lesson.body_html,
        previous=_link(before.values_list("slug", "title").first()),
        next=_link(after.values_list("slug", "title").first()),
    )


def _link(row: tuple[str, str] | None) -> LessonLink | None:
    return LessonLink(*row) if row else None


@dataclass(frozen=True)
class SearchHit:
    course_slug: str
    course_title: str
    module_title: str
    slug: str
    title: str
    snippet_html: str


# Unlikely characters mark the match, so the snippet can be escaped before <mark> goes in.
START, STOP = "\x02", "\x03"
MAX_HITS = 30
MAX_QUERY_LENGTH = 200
HIT_FIELDS = ("course__slug", "course__title", "module__title", "slug", "title")


def search_lessons(query: str) -> tuple[SearchHit, ...]:
    """Published lessons of visible courses matching `query`, best first, with a snippet; from
    the content cache while no visible course changes (one query then)."""
    query = query.strip()[:MAX_QUERY_LENGTH]
    if not query:
        return ()
    courses = Course.objects.visible().only("content_version")
    name = "search:" + hashlib.blake2b(query.encode(), digest_size=16).hexdigest()
    return catalog_content(courses, name, lambda: _search(query))


def _search(query: str) -> tuple[SearchHit, ...]:
    lessons = Lesson.objects.published().filter(visible_courses("course"))
    if connection.vendor == "postgresql":
        return _search_postgres(lessons, query)
    return _search_substring(lessons, query)


def _search_postgres(lessons: QuerySet[Lesson], query: str) -> tuple[SearchHit, ...]:
    search = SearchQuery(query, search_type="websearch", config="english")
    hits = (
        lessons.filter(search_vector=search)
        .annotate(
            rank=SearchRank(F("search_vector"), search),
            snippet=SearchHeadline(
                "search_text",
                search,
                config="english",
                start_sel=START,
                stop_sel=STOP,
                max_words=35,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
        )
        .order_by("-rank", "sequence")
        .values_list(*HIT_FIELDS, "snippet")[:MAX_HITS]
    )
    return tuple(SearchHit(*fields, _mark(snippet)) for *fields, snippet in hits)


def _search_substring(lessons: QuerySet[Lesson], query: str) -> tuple[SearchHit, ...]:
    hits = lessons.filter(Q(title__icontains=query) | Q(search_text__icontains=query))
    results = []
    for *fields, text, summary in hits.order_by("course__order", "sequence").values_list(
        *HIT_FIELDS, "search_text", "summary"
    )[:MAX_HITS]:
        position = text.lower().find(query.lower())
        start = max(0, position - 100)
        excerpt = text[start : position + len(query) + 100] if position >= 0 else summary
        marked = re.sub(re.escape(query), lambda m: f"{START}{m[0]}{STOP}", excerpt, flags=re.I)
        results.append(SearchHit(*fields, _mark(("… " if start else "") + marked)))
    return tuple(results)


def _mark(snippet: str) -> str:
    return html.escape(snippet).replace(START, "<mark>").replace(STOP, "</mark>")
