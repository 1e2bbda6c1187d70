"""Questions answered with a value: true or false, a short text, a number."""

import math
import re
from collections.abc import Sequence
from decimal import Decimal

import re2
from django.http import QueryDict

from courseapp.quizzes.types.base import (
    EmptyAnswer,
    Fence,
    Grade,
    QuestionSource,
    QuestionType,
    TamperedAnswer,
)

MAX_TEXT_LENGTH = 500
SPACE_RE = re.compile(r"\s+")
# The number field's own pattern (the template's `pattern` attribute), bounded in length: a
# number is kept as the Decimal of its text, never int() or float() of an unbounded value.
NUMBER_RE = re.compile(r"-?[0-9]{1,20}(?:[.,][0-9]{1,20})?")


def typed_text(data: QueryDict) -> str:
    """The `answer` field as typed; what no browser field sends (NUL, oversize) is tampering."""
    value = data.get("answer", "")
    if len(value) > MAX_TEXT_LENGTH:
        raise TamperedAnswer("answer too long")
    if "\x00" in value:
        raise TamperedAnswer("answer holds a NUL character")
    if not value.strip():
        raise EmptyAnswer("Type an answer first.")
    return value


class TrueFalse(QuestionType):
    name = "true_false"
    label = "True or false"
    keys = frozenset({"answer"})

    def parse(self, fence: Fence, question: QuestionSource) -> None:
        answer = fence.data.get("answer")
        if not isinstance(answer, bool):
            fence.error(f"answer must be true or false, not {answer!r}", "answer")
        question.answer = {"answer": answer}

    def read(self, choices: Sequence, data: QueryDict) -> bool:
        value = data.get("answer")
        if value is None:
            raise EmptyAnswer("Pick true or false first.")
        if value not in {"true", "false"}:
            raise TamperedAnswer("true or false expected")
        return value == "true"

    def grade(self, question, choices: Sequence, answer) -> Grade:
        return Grade(answer is question.answer["answer"])

    def describe(self, question, choices: Sequence, answer) -> str:
        return "True" if answer else "False"

    def sample_answer(self, question, choices: Sequence, *, correct: bool, rng) -> bool:
        truth = bool(question.answer.get("answer"))
        return truth if correct else not truth


def normalize_text(text: str, *, case_sensitive: bool) -> str:
    text = SPACE_RE.sub(" ", text).strip()
    return text if case_sensitive else text.casefold()


class Text(QuestionType):
    """A short typed answer: equal to an `accept` entry after trimming and collapsing
    whitespace (case-insensitive unless `case_sensitive`), or fully matched by `accept_regex`."""

    name = "text"
    label = "Short text"
    keys = frozenset({"accept", "accept_regex", "case_sensitive"})

    def parse(self, fence: Fence, question: QuestionSource) -> None:
        accept = fence.data.get("accept", [])
        patterns = fence.data.get("accept_regex", [])
        for name, values in (("accept", accept), ("accept_regex", patterns)):
            if not isinstance(values, list) or not all(
                isinstance(v, str | int | float) for v in values
            ):
                fence.error(f"{name} must be a list of strings", name)
                return
        if not accept and not patterns:
            fence.error("a text question needs 'accept' and/or 'accept_regex'")
        for position, pattern in enumerate(patterns):
            try:
                self.regex(str(pattern), case_sensitive=True)
            except re2.error as error:
                reason = error.args[0].decode() if error.args else "not valid"
                fence.error(
                    f"invalid regular expression {pattern!r}: {reason} (RE2 syntax: no "
                    "backreferences or lookarounds)",
                    "accept_regex",
                    position,
                )
        question.answer = {
            "accept": [str(value) for value in accept],
            "accept_regex": [str(value) for value in patterns],
            "case_sensitive": fence.flag("case_sensitive", False),
        }

    def read(self, choices: Sequence, data: QueryDict) -> str:
        return typed_text(data)

    def grade(self, question, choices: Sequence, answer) -> Grade:
        key = question.answer
        case_sensitive = key.get("case_sensitive", False)
        given = normalize_text(answer, case_sensitive=case_sensitive)
        if not given:
            return Grade(False)
        if any(
            given == normalize_text(str(a), case_sensitive=case_sensitive) for a in key["accept"]
        ):
            return Grade(True)
        patterns = key.get("accept_regex", [])
        return Grade(any(self.matches(pattern, given, case_sensitive) for pattern in patterns))

    @staticmethod
    def regex(pattern: str, *, case_sensitive: bool):
        """`pattern` compiled by RE2, which matches in time linear in the answer's length
        (Python's re backtracks: `(a+)+$` stalls on 30 letters); re2.error if RE2 cannot run it.
        Compiled patterns are cached by the re2 module."""
        options = re2.Options()
        options.case_sensitive = case_sensitive
        options.log_errors = False  # reported as an import error, not on stderr
        return re2.compile(pattern, options)

    @classmethod
    def matches(cls, pattern: str, given: str, case_sensitive: bool) -> bool:
        """Whether `pattern` matches the whole of `given`; a pattern RE2 cannot compile (stored
        before patterns were checked with RE2) matches nothing."""
        try:
            regex = cls.regex(pattern, case_sensitive=case_sensitive)
        except re2.error:
            return False
        return regex.fullmatch(given) is not None

    def wrong_answer_group(self, answer) -> str | None:
        return normalize_text(str(answer), case_sensitive=False)

    def sample_answer(self, question, choices: Sequence, *, correct: bool, rng) -> str:
        accepted = question.answer.get("accept") or ["answer"]
        return str(accepted[0]) if correct else "not sure"


class Numeric(QuestionType):
    """A number, correct within an absolute tolerance (boundaries included)."""

    name = "numeric"
    label = "Number"
    keys = frozenset({"answer", "tolerance"})

    def parse(self, fence: Fence, question: QuestionSource) -> None:
        answer = _number(fence, "answer", None)
        tolerance = _number(fence, "tolerance", 0)
        if tolerance is not None and tolerance < 0:
            fence.error("tolerance must not be negative", "tolerance")
        question.answer = {"answer": answer, "tolerance": tolerance}

    def read(self, choices: Sequence, data: QueryDict) -> int | float:
        value = typed_text(data).strip()
        if not NUMBER_RE.fullmatch(value):
            raise TamperedAnswer("a number is expected")
        number = Decimal(value.replace(",", "."))
        return int(number) if number == number.to_integral_value() else float(number)

    def grade(self, question, choices: Sequence, answer) -> Grade:
        key = question.answer
        distance = abs(exact(answer) - exact(key["answer"]))
        return Grade(distance <= exact(key.get("tolerance", 0)))

    def wrong_answer_group(self, answer) -> str | None:
        return str(answer)

    def sample_answer(self, question, choices: Sequence, *, correct: bool, rng) -> int | float:
        value = float(question.answer.get("answer", 0))
        tolerance = float(question.answer.get("tolerance", 0) or 0)
        number = value if correct else value + 2 * tolerance + 1
        return int(number) if number.is_integer() else number


def exact(value: int | float) -> Decimal:
    """The exact decimal of a stored number (floats through their shortest repr)."""
    return Decimal(str(value))


def _number(fence: Fence, name: str, default: float | None) -> float | None:
    value = fence.data.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        fence.error(f"{name} must be a number, not {value!r}", name)
        return None
    if abs(value) >= 1e15:
        fence.error(f"{name} must be smaller than 10^15, not {value!r}", name)
        return None
    return value
