"""Reads of the quizzes app shared by the lesson page and the answer views."""

import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404

from courseapp.catalog.content_cache import course_content
from courseapp.catalog.models import Course, current_lessons, published_lessons
from courseapp.quizzes.models import Attempt, Choice, Question, QuestionReport
from courseapp.quizzes.types import QuestionType, question_type


@dataclass(frozen=True)
class ChoiceData:
    pk: int
    key: str
    text_html: str
    correct: bool
    feedback_html: str
    position: int


@dataclass(frozen=True)
class QuestionData:
    """A question as stored, the same for every student: safe to cache and share."""

    pk: int
    key: str
    type: str
    prompt_html: str
    explanation_html: str
    hint_html: str
    answer: dict  # the key of types without choices (JSON: read, never changed)
    shuffle: bool
    lesson_id: int
    lesson_slug: str
    course_id: int
    choices: tuple[ChoiceData, ...]

    @property
    def kind(self) -> QuestionType:
        return question_type(self.type)


@dataclass
class QuestionView:
    """A question as one student sees it: choices in their order, their latest attempt."""

    question: QuestionData
    choices: list[ChoiceData]
    attempt: Attempt | None = None
    solved: bool = False
    report: QuestionReport | None = None  # the student's open report of a problem with it
    picked: set[str] = field(default_factory=set)
    positions: dict[str, int] = field(default_factory=dict)
    # One per rendered form: a repeated submission of it is recognised (attempt_submit).
    token: str = field(default_factory=lambda: secrets.token_urlsafe(16))

    @property
    def key(self) -> str:
        return self.question.key

    @property
    def kind(self) -> QuestionType:
        return self.question.kind

    @cached_property
    def result(self):
        """The type's reading of the latest answer, for its feedback and answer partials."""
        if not self.attempt or self.attempt.revealed:
            return None
        return self.kind.result(self.question, self.attempt.answer, self.attempt.details)

    @property
    def untouched(self) -> bool:
        """Nothing of the student's own in it yet: it reads as it does for everyone."""
        return self.attempt is None and not self.solved and self.report is None

    def with_token(self, token: str) -> "QuestionView":
        return replace(self, token=token)

    @property
    def show_answer(self) -> bool:
        """The key and explanation are shown once solved or revealed, never before."""
        return self.solved or bool(self.attempt and self.attempt.revealed)

    @property
    def correct_choices(self) -> list[ChoiceData]:
        return [choice for choice in self.choices if choice.correct]

    @property
    def authored_choices(self) -> list[ChoiceData]:
        return sorted(self.choices, key=lambda choice: choice.position)

    @property
    def picked_feedback(self) -> list[ChoiceData]:
        return [c for c in self.choices if c.key in self.picked and c.feedback_html]

    @property
    def order_rows(self) -> list[tuple[ChoiceData, int]]:
        """Each item with the position to preselect: the last answer's, else as displayed."""
        return [
            (choice, self.positions.get(choice.key, index))
            for index, choice in enumerate(self.choices, start=1)
        ]

    @property
    def last_value(self) -> str:
        answer = self.attempt.answer if self.attempt else None
        return "" if answer is None or isinstance(answer, list | bool) else str(answer)


def _question_data(questions: QuerySet[Question]) -> tuple[QuestionData, ...]:
    """Questions (with their lesson's slug) as values, with their current choices: two queries."""
    rows = list(
        questions.values(
            "pk",
            "key",
            "type",
            "prompt_html",
            "explanation_html",
            "hint_html",
            "answer",
            "shuffle",
            "lesson_id",
            "lesson__slug",
            "course_id",
        )
    )
    choices: dict[int, list[ChoiceData]] = {row["pk"]: [] for row in rows}
    for question_id, *fields in (
        Choice.objects.current()
        .filter(question_id__in=list(choices))
        .order_by("question_id", "position")
        .values_list(
            "question_id", "pk", "key", "text_html", "correct", "feedback_html", "position"
        )
    ):
        choices[question_id].append(ChoiceData(*fields))
    return tuple(
        QuestionData(
            **{name: value for name, value in row.items() if name != "lesson__slug"},
            lesson_slug=row["lesson__slug"],
            choices=tuple(choices[row["pk"]]),
        )
        for row in rows
    )


def lesson_questions(lesson_id: int) -> tuple[QuestionData, ...]:
    """The lesson's questions in order, the same for everyone."""
    questions = Question.objects.current().filter(lesson_id=lesson_id).order_by("position")
    return _question_data(questions)


def question_views(
    questions: Sequence[QuestionData], *, user: AbstractBaseUser | AnonymousUser
) -> dict[str, QuestionView]:
    """One QuestionView per question key, with the user's latest attempt and open report (two
    queries for a signed-in user, none for an anonymous reader)."""
    latest, solved = _attempt_states(questions, user)
    reports = _open_reports(questions, user)
    seed = user.pk if user.is_authenticated else "anonymous"
    views = {}
    for question in questions:
        view = question_view(
            question, latest.get(question.pk), solved=question.pk in solved, seed=seed
        )
        view.report = reports.get(question.pk)
        views[question.key] = view
    return views


def _open_reports(
    questions: Sequence[QuestionData], user: AbstractBaseUser | AnonymousUser
) -> dict[int, QuestionReport]:
    """The user's open reports on these questions, by question id."""
    if not user.is_authenticated or not questions:
        return {}
    reports = QuestionReport.objects.open().filter(
        user=user, question_id__in=[q.pk for q in questions]
    )
    return {report.question_id: report for report in reports.order_by()}


def _attempt_states(
    questions: Sequence[QuestionData], user: AbstractBaseUser | AnonymousUser
) -> tuple[dict[int, Attempt], set[int]]:
    """The user's latest attempt at each question, and the questions they answered correctly.

    One plain query over their attempts at these questions (a handful each): cheaper to build
    and run than correlated subqueries per question.
    """
    if not user.is_authenticated or not questions:
        return {}, set()
    attempts = Attempt.objects.filter(user=user, question__in=[q.pk for q in questions])
    latest, solved = {}, set()
    for attempt in attempts.order_by("created_at", "pk"):
        latest[attempt.question_id] = attempt
        if attempt.correct:
            solved.add(attempt.question_id)
    return latest, solved


def question_view(
    question: QuestionData, attempt: Attempt | None, *, solved: bool, seed: object
) -> QuestionView:
    """The question as one student sees it after `attempt` (their latest, or None); `seed`
    (the student) fixes the order of shuffled choices."""
    view = QuestionView(
        question=question,
        choices=display_order(question, question.choices, seed=seed),
        attempt=attempt,
        solved=solved,
    )
    if attempt and isinstance(attempt.answer, list):
        view.picked = set(attempt.answer)
        view.positions = {key: index for index, key in enumerate(attempt.answer, start=1)}
    elif attempt and isinstance(attempt.answer, bool):
        view.picked = {"true" if attempt.answer else "false"}
    return view


def display_order(
    question: QuestionData, choices: Sequence[ChoiceData], *, seed: object
) -> list[ChoiceData]:
    """The order a student sees: authored, or shuffled stably per student when asked for."""
    choices = list(choices)
    if not question.shuffle:
        return choices

    def shuffle(items: list) -> list:
        shuffled = items[:]
        random.Random(f"{seed}:{question.pk}").shuffle(shuffled)  # noqa: S311 (not security)
        return shuffled

    return question.kind.display_order(choices, shuffle)


def question_for_answer(course: Course, key: str) -> QuestionData:
    """A question of `course` that can be answered (current, in a published lesson), else 404;
    cached with the course's content."""
    return course_content(
        course, f"question:{key}", lambda: _answerable(course, key, published_lessons("lesson"))
    )


def question_for_preview(course: Course, key: str) -> QuestionData:
    """A current question of `course` in any current lesson, drafts included, else 404: for the
    course staff trying out a draft. Never cached, so a draft never reaches a key students read."""
    return _answerable(course, key, current_lessons("lesson"))


def _answerable(course: Course, key: str, lessons: Q) -> QuestionData:
    questions = Question.objects.current().filter(lessons, course=course, key=key)
    found = _question_data(questions)
    if not found:
        raise Http404("No such question.")
    return found[0]
