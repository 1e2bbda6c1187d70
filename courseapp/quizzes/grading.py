"""Grading: is a submitted answer correct? Pure functions, one per question type."""

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

SPACE_RE = re.compile(r"\s+")


def normalize_text(text: str, *, case_sensitive: bool) -> str:
    text = SPACE_RE.sub(" ", text).strip()
    return text if case_sensitive else text.casefold()


def grade_text(key: dict, answer: str) -> bool:
    """Accepted if equal to an `accept` entry after trimming and collapsing whitespace
    (case-insensitive unless `case_sensitive`), or if an `accept_regex` matches all of it."""
    case_sensitive = key.get("case_sensitive", False)
    given = normalize_text(answer, case_sensitive=case_sensitive)
    if not given:
        return False
    if any(given == normalize_text(str(a), case_sensitive=case_sensitive) for a in key["accept"]):
        return True
    flags = 0 if case_sensitive else re.IGNORECASE
    return any(re.fullmatch(pattern, given, flags) for pattern in key.get("accept_regex", []))


def to_decimal(value: object) -> Decimal:
    """Exact decimal of a number or numeric string (floats via their shortest repr)."""
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return number


def grade_numeric(key: dict, answer: Decimal) -> bool:
    """Correct when within the absolute tolerance, boundaries included."""
    return abs(answer - to_decimal(key["answer"])) <= to_decimal(key.get("tolerance", 0))


def grade_true_false(key: dict, answer: bool) -> bool:
    return answer is key["answer"]


def grade_choices(kind: str, choices: Sequence[tuple[str, bool]], answer: Sequence[str]) -> bool:
    """`choices` are (id, correct) in authored order; `answer` is the ids submitted.

    single: the one correct id; multiple: exactly the correct ids, each once;
    order: every id once, in the authored order.
    """
    known = [choice_id for choice_id, _ in choices]
    if len(set(answer)) != len(answer) or not set(answer) <= set(known):
        return False
    correct = [choice_id for choice_id, is_correct in choices if is_correct]
    if kind == "order":
        return list(answer) == known
    if kind == "single":
        return len(answer) == 1 and answer[0] in correct
    return set(answer) == set(correct)
