"""The lesson page's HTML, rendered once where it reads alike for everyone.

The frame around a lesson (breadcrumbs, heading and objectives, contents, pager) is rendered once
per content version and kept in the content cache; so is each question nobody has touched yet
(courseapp.quizzes.rendering). Per request there remains only what is the reader's own: the
questions they answered or reported, and the completion. An anonymous reader has nothing of
their own, so their whole page is rendered once, with holes for the request's CSRF token and
CSP nonce. A draft, previewed by the course staff, is rendered whole every time, never cached.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.messages import get_messages
from django.http import HttpRequest
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from courseapp.catalog.content_cache import SharedHtml, course_content, hole, marker_new
from courseapp.catalog.models import Course
from courseapp.pages.selectors import LessonPage
from courseapp.progress.models import LessonProgress
from courseapp.quizzes.rendering import Reader, questions_html
from courseapp.quizzes.selectors import QuestionView

TEMPLATE = "pages/lesson.html"


@dataclass(frozen=True)
class LessonFrame:
    """The partials of pages/lesson.html around the lesson's text, rendered."""

    breadcrumbs: str
    header: str
    toc: str
    pager: str


def reads_shared_page(request: HttpRequest) -> bool:
    """Whether the request's reader sees the lesson page as everyone does: signed out, with no
    message waiting for them (logged out for inactivity, say). Such a reader never sees a draft:
    course_get and lesson_page answer 404."""
    return not request.user.is_authenticated and not get_messages(request)


def shared_lesson_html(
    request: HttpRequest, course: Course, slug: str, page: Callable[[], LessonPage]
) -> str:
    """The lesson page `slug` as a reader of the shared page sees it (`reads_shared_page`):
    `page` is read only when the page is not rendered yet."""
    shared = course_content(
        course, f"lesson-page:{slug}", lambda: _anonymous_page(request, course, page())
    )
    return shared.filled(csrf=get_token(request), nonce=str(get_nonce(request)))


def lesson_html(
    request: HttpRequest, course: Course, page: LessonPage, progress: LessonProgress | None
) -> str:
    """The whole lesson page as the request's reader sees it: their own questions rendered for
    them, the rest from the cache (a draft's, never cached, rendered whole)."""
    return _page_render(request, course, page, progress, Reader.of(request, draft=page.draft))


def _lesson_frame(course: Course, page: LessonPage) -> LessonFrame:
    if page.draft:
        return _frame_render(course, page)
    return course_content(
        course, f"lesson-frame:{page.lesson.slug}", lambda: _frame_render(course, page)
    )


def _lesson_body(course: Course, page: LessonPage, reader: Reader) -> SafeString:
    """The lesson's text with its questions in place, as `reader` sees them."""
    questions = questions_html(course, page.questions, reader, shared=not page.draft)
    parts = (
        questions[part.key] if isinstance(part, QuestionView) else part for part in page.segments
    )
    return mark_safe("".join(parts))  # noqa: S308 (sanitised lesson HTML and our templates)


def _anonymous_page(request: HttpRequest, course: Course, page: LessonPage) -> SharedHtml:
    marker = marker_new()
    reader = Reader(signed_in=False, reportable=False, csrf_token=hole(marker, "csrf"))
    placeholders = {"csrf_token": reader.csrf_token, "csp_nonce": hole(marker, "nonce")}
    html = _page_render(request, course, page, None, reader, **placeholders)
    return SharedHtml(html, marker)


def _page_render(
    request: HttpRequest,
    course: Course,
    page: LessonPage,
    progress: LessonProgress | None,
    reader: Reader,
    **context,
) -> str:
    context |= {
        "course": course,
        "page": page,
        "lesson": page.lesson,
        "frame": _lesson_frame(course, page),
        "body": _lesson_body(course, page, reader),
        "progress": progress,
    }
    return render_to_string(TEMPLATE, context, request)


def _frame_render(course: Course, page: LessonPage) -> LessonFrame:
    context = {"course": course, "lesson": page.lesson, "question_count": len(page.questions)}
    return LessonFrame(
        *(
            mark_safe(render_to_string(f"{TEMPLATE}#{part}", context))  # noqa: S308 (ours)
            for part in ("breadcrumbs", "header", "toc", "pager")
        )
    )
