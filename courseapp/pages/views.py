"""Pages that combine the domain apps: the course outline, the lesson page, answering a
question (which may complete the lesson) and the student's dashboard."""

import re
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from courseapp.catalog import selectors as catalog
from courseapp.catalog.models import Course, Lesson
from courseapp.flashcards.selectors import course_flashcards_due
from courseapp.pages import rendering, selectors
from courseapp.progress import selectors as progress
from courseapp.progress.services import lesson_complete_if_solved, lesson_view_record
from courseapp.quizzes import selectors as quizzes
from courseapp.quizzes.forms import QuestionReportForm
from courseapp.quizzes.models import QuestionReport
from courseapp.quizzes.rendering import Reader, question_context
from courseapp.quizzes.selectors import QuestionData
from courseapp.quizzes.services import (
    ReportLimitReached,
    attempt_preview,
    attempt_reveal,
    attempt_reveal_preview,
    attempt_submit,
    question_report_submit,
)
from courseapp.quizzes.types import EmptyAnswer, TamperedAnswer

FORM_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")
REPORT_THANKS = "Thank you: your report goes to the instructors of this course."


@require_GET
def course_outline(request: HttpRequest, course_slug: str) -> HttpResponse:
    course = catalog.course_get(course_slug, reader=request.user)
    course_staff = catalog.is_course_staff(request.user, course)
    modules = catalog.course_modules(course, drafts=course_staff)
    lessons = [lesson for module in modules for lesson in module.lesson_list]
    published = [lesson for lesson in lessons if lesson.published]
    completed = progress.completed_lesson_ids(request.user, course)
    context = {
        "course": course,
        "modules": modules,
        "lesson_count": len(published),
        "draft_count": len(lessons) - len(published),
        "first_lesson": published[0] if published else None,
        "completed_ids": completed,
        "progress": progress.course_progress(
            completed_ids=completed, published_ids={lesson.pk for lesson in published}
        ),
        "enrolled": progress.is_enrolled(request.user, course),
        "flashcards_due": course_flashcards_due(course=course, user=request.user),
        "can_view_insights": course_staff,
    }
    return render(request, "pages/course.html", context)


@require_GET
def lesson_detail(request: HttpRequest, course_slug: str, lesson_slug: str) -> HttpResponse:
    course = catalog.course_get(course_slug, reader=request.user)
    read_page = partial(selectors.lesson_page, course, slug=lesson_slug, user=request.user)
    if rendering.reads_shared_page(request):  # nothing of the reader's own: rendered once
        return HttpResponse(rendering.shared_lesson_html(request, course, lesson_slug, read_page))
    page = read_page()
    lesson_progress = None
    if request.user.is_authenticated and not page.draft:  # a preview changes no statistic
        lesson_progress = lesson_view_record(user=request.user, lesson=page.lesson.reference())
    return HttpResponse(rendering.lesson_html(request, course, page, lesson_progress))


@never_cache
@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    rows = selectors.dashboard_courses(request.user)
    return render(request, "pages/dashboard.html", {"rows": rows})


@require_POST
def answer(request: HttpRequest, course_slug: str, key: str) -> HttpResponse:
    course = catalog.course_get(course_slug, reader=request.user)
    question, draft = selectors.answerable_question(course, key, user=request.user)
    if not request.user.is_authenticated:
        return _sign_in_required(request, course, question)
    try:
        value = question.kind.read(question.choices, request.POST)
        token = _form_token(request.POST)
    except TamperedAnswer as error:
        return HttpResponseBadRequest(f"Invalid answer: {error}", content_type="text/plain")
    except EmptyAnswer as error:
        return _answer_missing(request, course, question, str(error))
    if draft:
        result = attempt_preview(user=request.user, question=question, answer=value)
    else:
        result = attempt_submit(user=request.user, question=question, answer=value, token=token)
    lesson = Lesson(pk=question.lesson_id, course=course, slug=question.lesson_slug)
    lesson_completed = result.first_solve and lesson_complete_if_solved(
        user=request.user, lesson=lesson
    )
    view = quizzes.question_view(
        question, result.attempt, solved=result.solved, seed=request.user.pk
    )
    return _result(request, course, question, view, lesson=lesson, completed=lesson_completed)


@require_POST
def reveal(request: HttpRequest, course_slug: str, key: str) -> HttpResponse:
    course = catalog.course_get(course_slug, reader=request.user)
    question, draft = selectors.answerable_question(course, key, user=request.user)
    if not request.user.is_authenticated:
        return _sign_in_required(request, course, question)
    reveal_as = attempt_reveal_preview if draft else attempt_reveal
    attempt = reveal_as(user=request.user, question=question)
    view = quizzes.question_view(question, attempt, solved=False, seed=request.user.pk)
    return _result(request, course, question, view)


@require_POST
def report(request: HttpRequest, course_slug: str, key: str) -> HttpResponse:
    """A student's report of a problem with a question: with htmx a thank-you in place of the
    form (or the form again with what to correct), else back to the question with a message."""
    course = catalog.course_get(course_slug)
    question = quizzes.question_for_answer(course, key)
    if not request.user.is_authenticated:
        return _sign_in_required(request, course, question, "Log in to report a problem.")
    form = QuestionReportForm(request.POST)
    error = None if form.is_valid() else form.first_error()
    if error is None:
        try:
            question_report_submit(
                user=request.user,
                question=question,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except ReportLimitReached as limit:
            error = str(limit)
    return _reported(request, course, question, form, error)


def _reported(
    request: HttpRequest,
    course: Course,
    question: QuestionData,
    form: QuestionReportForm,
    error: str | None,
) -> HttpResponse:
    if request.htmx and error:
        context = {
            "course": course,
            "key": question.key,
            "reasons": QuestionReport.Reason.choices,
            "report": {"reason": form.data.get("reason"), "note": form.data.get("note", "")},
            "error": error,
        }
        return render(request, "quizzes/_report.html#form", context)
    if request.htmx:
        return render(request, "quizzes/_report.html#thanks", {"message": REPORT_THANKS})
    if error:
        messages.warning(request, error)
    else:
        messages.success(request, REPORT_THANKS)
    return redirect(_question_url(course, question))


def _form_token(form) -> str | None:
    """The question form's one-time token (pages rendered before tokens existed send none)."""
    token = form.get("token")
    if token is not None and not FORM_TOKEN_RE.fullmatch(token):
        raise TamperedAnswer("malformed form token")
    return token


def _result(
    request: HttpRequest,
    course: Course,
    question: QuestionData,
    view,
    *,
    lesson: Lesson | None = None,
    completed: bool = False,
) -> HttpResponse:
    if request.htmx:
        context = question_context(course, view, Reader.of(request))
        context.update(lesson=lesson, lesson_completed=completed)
        return render(request, "quizzes/_answer_result.html", context)
    return redirect(_question_url(course, question))


def _answer_missing(
    request: HttpRequest, course: Course, question: QuestionData, message: str
) -> HttpResponse:
    if request.htmx:
        return render(request, "quizzes/_question.html#prompt-needed", {"message": message})
    messages.warning(request, message)
    return redirect(_question_url(course, question))


def _sign_in_required(
    request: HttpRequest,
    course: Course,
    question: QuestionData,
    message: str = "Log in to check your answer.",
) -> HttpResponse:
    if request.htmx:
        return HttpResponse(message, status=403)
    return redirect(f"{reverse('login')}?next={_question_url(course, question)}")


def _question_url(course: Course, question: QuestionData) -> str:
    lesson_url = reverse("pages:lesson", args=[course.slug, question.lesson_slug])
    return f"{lesson_url}#q-{question.key}"
