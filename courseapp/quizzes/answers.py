"""Reading a submitted answer form into the value stored on an Attempt.

Anything a browser could not have sent (unknown or foreign choices, text in a number field,
oversized values) raises TamperedAnswer; a form sent without an answer raises EmptyAnswer.
"""

import random
from collections.abc import Sequence
from decimal import Decimal

from django.http import QueryDict

from courseapp.quizzes.grading import to_decimal
from courseapp.quizzes.models import Choice, Question

MAX_TEXT_LENGTH = 500


class TamperedAnswer(ValueError):
    pass


class EmptyAnswer(ValueError):
    pass


def display_order(question: Question, choices: Sequence[Choice], *, seed: object) -> list[Choice]:
    """The order a student sees: authored, or shuffled stably per student when asked for.

    An order question is never shown in its answer order.
    """
    choices = list(choices)
    if not question.shuffle or len(choices) < 2:
        return choices
    shuffled = choices[:]
    random.Random(f"{seed}:{question.pk}").shuffle(shuffled)  # noqa: S311 (not security)
    if question.type == "order" and shuffled == choices:
        shuffled = shuffled[1:] + shuffled[:1]
    return shuffled


def read_answer(question: Question, choices: Sequence[Choice], data: QueryDict):
    """Return the answer to store: choice ids (list), bool, text or number."""
    by_value = {str(choice.pk): choice for choice in choices}
    if question.type in {"single", "multiple"}:
        values = data.getlist("choice")
        if not values:
            raise EmptyAnswer("Pick an answer first.")
        if question.type == "single" and len(values) > 1:
            raise TamperedAnswer("a single-choice question takes one choice")
        picked = [_choice(by_value, value).key for value in values]
        if len(set(picked)) != len(picked):
            raise TamperedAnswer("a choice was sent twice")
        return picked
    if question.type == "order":
        return _order(choices, data)
    if question.type == "true_false":
        value = data.get("answer")
        if value is None:
            raise EmptyAnswer("Pick true or false first.")
        if value not in {"true", "false"}:
            raise TamperedAnswer("true or false expected")
        return value == "true"
    value = data.get("answer", "")
    if len(value) > MAX_TEXT_LENGTH:
        raise TamperedAnswer("answer too long")
    if not value.strip():
        raise EmptyAnswer("Type an answer first.")
    if question.type == "text":
        return value
    try:
        number = to_decimal(value.replace(",", "."))
    except ValueError:
        raise TamperedAnswer("a number is expected") from None
    return _plain_number(number)


def _choice(by_value: dict[str, Choice], value: str) -> Choice:
    if value not in by_value:
        raise TamperedAnswer(f"unknown choice {value[:40]!r}")
    return by_value[value]


def _order(choices: Sequence[Choice], data: QueryDict) -> list[str]:
    positions = {}
    for choice in choices:
        value = data.get(f"position-{choice.pk}")
        if value is None:
            raise TamperedAnswer("a position is missing")
        if not value.isdigit() or not 1 <= int(value) <= len(choices):
            raise TamperedAnswer("positions run from 1 to the number of items")
        positions[choice.key] = int(value)
    if len(set(positions.values())) != len(positions):
        raise EmptyAnswer("Give every item a different position.")
    return sorted(positions, key=positions.get)


def _plain_number(number: Decimal) -> int | float:
    return int(number) if number == number.to_integral_value() else float(number)
