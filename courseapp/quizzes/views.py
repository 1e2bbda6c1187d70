from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from courseapp.quizzes import selectors
from courseapp.quizzes.answers import EmptyAnswer, TamperedAnswer, read_answer
from courseapp.quizzes.models import Question
from courseapp.quizzes.services import attempt_reveal, attempt_submit


@require_POST
def answer(request: HttpRequest, course_slug: str, key: str) -> HttpResponse:
    question = selectors.question_for_answer(course_slug, key)
    if not request.user.is_authenticated:
        return _sign_in_required(request, question)
    try:
        value = read_answer(question, question.choice_list, request.POST)
    except TamperedAnswer as error:
        return HttpResponseBadRequest(f"Invalid answer: {error}")
    except EmptyAnswer as error:
        return _answer_missing(request, question, str(error))
    result = attempt_submit(
        user=request.user, question=question, choices=question.choice_list, answer=value
    )
    view = selectors.question_view(
        question, result.attempt, solved=result.solved, seed=request.user.pk
    )
    return _result(request, question, view, lesson_completed=result.lesson_completed)


@require_POST
def reveal(request: HttpRequest, course_slug: str, key: str) -> HttpResponse:
    question = selectors.question_for_answer(course_slug, key)
    if not request.user.is_authenticated:
        return _sign_in_required(request, question)
    attempt = attempt_reveal(user=request.user, question=question)
    view = selectors.question_view(question, attempt, solved=False, seed=request.user.pk)
    return _result(request, question, view)


def _result(
    request: HttpRequest, question: Question, view, *, lesson_completed: bool = False
) -> HttpResponse:
    if request.htmx:
        context = {"view": view, "course": question.course, "lesson_completed": lesson_completed}
        return render(request, "quizzes/_answer_result.html", context)
    return redirect(_question_url(question))


def _answer_missing(request: HttpRequest, question: Question, message: str) -> HttpResponse:
    if request.htmx:
        return render(request, "quizzes/_question.html#prompt-needed", {"message": message})
    messages.warning(request, message)
    return redirect(_question_url(question))


def _sign_in_required(request: HttpRequest, question: Question) -> HttpResponse:
    if request.htmx:
        return HttpResponse("Log in to check your answer.", status=403)
    return redirect(f"{reverse('login')}?next={_question_url(question)}")


def _question_url(question: Question) -> str:
    lesson_url = reverse("catalog:lesson", args=[question.course.slug, question.lesson.slug])
    return f"{lesson_url}#q-{question.key}"
