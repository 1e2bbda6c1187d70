"""A question's HTML, with what is the same for every student rendered once and shared.

Two parts read alike for everyone, so they are rendered once per content version and kept in
the content cache: the form of a question nobody has touched yet (for anonymous readers or for
students, in one order of its choices) and the answer key. Everything of a student's own (their
answer, the verdict, their report) is rendered per request. The answer key lives in its own
entry, so nothing cached for a student who has not answered holds it.

A shared form has holes where the request's CSRF token and the form's one-time token go;
serving it fills them in.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string

from courseapp.catalog.content_cache import (
    SharedHtml,
    course_content,
    course_contents,
    hole,
    marker_new,
)
from courseapp.catalog.models import Course
from courseapp.quizzes.models import QuestionReport
from courseapp.quizzes.selectors import QuestionView

QUESTION_TEMPLATE = "quizzes/_question.html"


@dataclass(frozen=True)
class Reader:
    """Who the question is rendered for, besides their own state in the QuestionView."""

    signed_in: bool  # may check answers; else is offered to log in
    reportable: bool  # may report a problem (signed in, and not previewing a draft)
    csrf_token: str

    @classmethod
    def of(cls, request: HttpRequest, *, draft: bool = False) -> "Reader":
        """The request's reader; problems are reported on published questions only (a draft's
        course staff fix them in the file instead)."""
        signed_in = request.user.is_authenticated
        return cls(signed_in, reportable=signed_in and not draft, csrf_token=get_token(request))

    @property
    def audience(self) -> str:
        """The kind of reader a shared rendering is for; drafts are never shared."""
        return "student" if self.signed_in else "anonymous"


def questions_html(
    course: Course, views: Sequence[QuestionView], reader: Reader, *, shared: bool
) -> dict[str, str]:
    """Each question as `reader` sees it, by key. With `shared` (published content) those the
    student has not touched come from the shared renderings, fetched from the cache at once."""
    names = {view.key: _form_name(view, reader) for view in views if shared and view.untouched}
    forms = course_contents(
        course,
        {
            names[view.key]: partial(_shared_form, course, view, reader)
            for view in views
            if view.key in names
        },
    )
    return {
        view.key: (
            forms[names[view.key]].filled(csrf=reader.csrf_token, token=view.token)
            if view.key in names
            else render_to_string(QUESTION_TEMPLATE, question_context(course, view, reader))
        )
        for view in views
    }


def question_context(course: Course, view: QuestionView, reader: Reader) -> dict:
    """What the question template and its result partial read."""
    return {
        "view": view,
        "course": course,
        "reader": reader,
        "csrf_token": reader.csrf_token,
        "report_reasons": QuestionReport.Reason.choices,
        "answer_key": answer_key_html(course, view) if view.show_answer else "",
    }


def answer_key_html(course: Course, view: QuestionView) -> str:
    """The key and explanation, shown once solved or revealed: the same for every student who
    sees the choices in this order, so rendered once."""
    return course_content(
        course,
        f"answer-key:{view.key}:{_order(view)}",
        lambda: render_to_string(f"{QUESTION_TEMPLATE}#answer-key", {"view": view}),
    )


def _shared_form(course: Course, view: QuestionView, reader: Reader) -> SharedHtml:
    marker = marker_new()
    placeholder = Reader(reader.signed_in, reader.reportable, csrf_token=hole(marker, "csrf"))
    context = question_context(course, view, placeholder)
    context["view"] = view.with_token(hole(marker, "token"))
    return SharedHtml(render_to_string(QUESTION_TEMPLATE, context), marker)


def _form_name(view: QuestionView, reader: Reader) -> str:
    return f"question-form:{view.key}:{reader.audience}:{_order(view)}"


def _order(view: QuestionView) -> str:
    """The order of the choices as this student sees them (shuffled ones differ), in short."""
    keys = ",".join(choice.key for choice in view.choices)
    return hashlib.blake2b(keys.encode(), digest_size=8).hexdigest()
