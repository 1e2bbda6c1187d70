"""Reads of the quizzes app shared by the lesson page and the answer views."""

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from courseapp.catalog.content_cache import course_content
from courseapp.catalog.models import LESSON_TEXT_FIELDS, Course, Lesson, published_lessons
from courseapp.quizzes.models import Attempt, Choice, Question
from courseapp.quizzes.types import QuestionType


@dataclass
class QuestionView:
    """A question as one student sees it: choices in their order, their latest attempt."""

    question: Question
    choices: list[Choice]
    attempt: Attempt | None = None
    solved: bool = False
    picked: set[str] = field(default_factory=set)
    positions: dict[str, int] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.question.key

    @property
    def kind(self) -> QuestionType:
        return self.question.kind

    @property
    def show_answer(self) -> bool:
        """The key and explanation are shown once solved or revealed, never before."""
        return self.solved or bool(self.attempt and self.attempt.revealed)

    @property
    def correct_choices(self) -> list[Choice]:
        return [choice for choice in self.choices if choice.correct]

    @property
    def authored_choices(self) -> list[Choice]:
        return sorted(self.choices, key=lambda choice: choice.position)

    @property
    def picked_feedback(self) -> list[Choice]:
        return [c for c in self.choices if c.key in self.picked and c.feedback_html]

    @property
    def order_rows(self) -> list[tuple[Choice, int]]:
        """Each item with the position to preselect: the last answer's, else as displayed."""
        return [
            (choice, self.positions.get(choice.key, index))
            for index, choice in enumerate(self.choices, start=1)
        ]

    @property
    def last_value(self) -> str:
        answer = self.attempt.answer if self.attempt else None
        return "" if answer is None or isinstance(answer, list | bool) else str(answer)


def _choices_prefetch() -> Prefetch:
    return Prefetch(
        "choices", queryset=Choice.objects.filter(archived=False), to_attr="choice_list"
    )


def lesson_questions(lesson: Lesson) -> list[Question]:
    """The lesson's questions in order, each with its `choice_list` (the same for everyone)."""
    questions = lesson.questions.filter(archived=False).order_by("position")
    return list(questions.prefetch_related(_choices_prefetch()))


def question_views(questions: list[Question], user) -> dict[str, QuestionView]:
    """One QuestionView per question key, with the user's latest attempt (one query)."""
    latest, solved = _attempt_states(questions, user)
    seed = user.pk if user.is_authenticated else "anonymous"
    return {
        question.key: question_view(
            question, latest.get(question.pk), solved=question.pk in solved, seed=seed
        )
        for question in questions
    }


def _attempt_states(questions: list[Question], user) -> tuple[dict[int, Attempt], set[int]]:
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
    question: Question, attempt: Attempt | None, *, solved: bool, seed
) -> QuestionView:
    view = QuestionView(
        question=question,
        choices=display_order(question, question.choice_list, seed=seed),
        attempt=attempt,
        solved=solved,
    )
    if attempt and isinstance(attempt.answer, list):
        view.picked = set(attempt.answer)
        view.positions = {key: index for index, key in enumerate(attempt.answer, start=1)}
    elif attempt and isinstance(attempt.answer, bool):
        view.picked = {"true" if attempt.answer else "false"}
    return view


def display_order(question: Question, choices: Sequence[Choice], *, seed: object) -> list[Choice]:
    """The order a student sees: authored, or shuffled stably per student when asked for."""
    choices = list(choices)
    if not question.shuffle:
        return choices

    def shuffle(items: list) -> list:
        shuffled = items[:]
        random.Random(f"{seed}:{question.pk}").shuffle(shuffled)  # noqa: S311 (not security)
        return shuffled

    return question.kind.display_order(choices, shuffle)


def question_for_answer(course_slug: str, key: str) -> Question:
    """A question that can be answered: published lesson of a visible course, not archived;
    with its lesson (without the text) and `choice_list`, cached like the lesson pages."""
    course = get_object_or_404(Course.objects.visible(), slug=course_slug)
    question = course_content(course, f"question:{key}", lambda: _answerable(course, key))
    question.course = question.lesson.course = course
    return question


def _answerable(course: Course, key: str) -> Question:
    return get_object_or_404(
        Question.objects.filter(published_lessons("lesson"), course=course, archived=False)
        .select_related("lesson")
        .defer(*(f"lesson__{name}" for name in LESSON_TEXT_FIELDS))
        .prefetch_related(_choices_prefetch()),
        key=key,
    )
