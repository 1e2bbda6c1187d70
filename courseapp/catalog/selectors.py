"""Reads of the catalog that views share; each runs a fixed number of queries."""

import html
import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from courseapp.catalog.models import Course, Lesson, Module, published_lessons, visible_courses

PUBLISHED_LESSONS = published_lessons("lessons")


def catalog_courses() -> list[Course]:
    """Visible courses with their number of lessons and total reading time."""
    return list(
        Course.objects.visible().annotate(
            lesson_count=Count("lessons", filter=PUBLISHED_LESSONS),
            total_minutes=Sum("lessons__minutes", filter=PUBLISHED_LESSONS),
        )
    )


def course_get(slug: str) -> Course:
    """The visible course `slug`, else 404."""
    return get_object_or_404(Course.objects.visible(), slug=slug)


def course_modules(course: Course) -> list[Module]:
    """The course's modules in order, each with its published lessons in `lesson_list`."""
    lessons = Lesson.objects.published().only(
        "slug", "title", "summary", "minutes", "module_id", "position", "sequence", "course_id"
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
    """A published lesson as its page shows it, the same for every reader: safe to cache."""

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


def lesson_data(course: Course, *, slug: str) -> LessonData:
    """The published lesson `slug` of `course` (404 if there is none) with its neighbours."""
    lesson = get_object_or_404(
        Lesson.objects.published()
        .select_related("module")
        .only(
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


@dataclass
class SearchHit:
    lesson: Lesson
    snippet_html: str


# Unlikely characters mark the match, so the snippet can be escaped before <mark> goes in.
START, STOP = "\x02", "\x03"
MAX_HITS = 30


def search_lessons(query: str) -> list[SearchHit]:
    """Published lessons of visible courses matching `query`, best first, with a snippet."""
    query = query.strip()[:200]
    if not query:
        return []
    lessons = (
        Lesson.objects.published()
        .filter(visible_courses("course"))
        .select_related("course", "module")
    )
    if connection.vendor == "postgresql":
        return _search_postgres(lessons, query)
    return _search_substring(lessons, query)


def _search_postgres(lessons: QuerySet[Lesson], query: str) -> list[SearchHit]:
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
        .order_by("-rank", "sequence")[:MAX_HITS]
    )
    return [SearchHit(hit, _mark(hit.snippet)) for hit in hits]


def _search_substring(lessons: QuerySet[Lesson], query: str) -> list[SearchHit]:
    hits = lessons.filter(Q(title__icontains=query) | Q(search_text__icontains=query))
    results = []
    for hit in hits.order_by("course__order", "sequence")[:MAX_HITS]:
        position = hit.search_text.lower().find(query.lower())
        start = max(0, position - 100)
        excerpt = (
            hit.search_text[start : position + len(query) + 100] if position >= 0 else hit.summary
        )
        marked = re.sub(re.escape(query), lambda m: f"{START}{m[0]}{STOP}", excerpt, flags=re.I)
        results.append(SearchHit(hit, _mark(("… " if start else "") + marked)))
    return results


def _mark(snippet: str) -> str:
    return html.escape(snippet).replace(START, "<mark>").replace(STOP, "</mark>")
