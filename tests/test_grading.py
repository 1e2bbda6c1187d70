"""Grading rules per question type, including the edge cases."""

import time
from types import SimpleNamespace

import pytest
from django.http import QueryDict

from courseapp.quizzes.types import TamperedAnswer, question_type


def _choices(pairs):
    return [SimpleNamespace(key=key, correct=correct) for key, correct in pairs]


def grade_choices(kind, pairs, answer) -> bool:
    return question_type(kind).grade(None, _choices(pairs), answer).correct


def grade_true_false(key, answer) -> bool:
    return question_type("true_false").grade(SimpleNamespace(answer=key), [], answer).correct


def grade_text(key, answer) -> bool:
    return question_type("text").grade(SimpleNamespace(answer=key), [], answer).correct


def grade_numeric(key, typed: str) -> bool:
    numeric = question_type("numeric")
    answer = numeric.read([], QueryDict(mutable=True) | {"answer": typed})
    return numeric.grade(SimpleNamespace(answer=key), [], answer).correct


CHOICES = [("a", True), ("b", False), ("c", True), ("d", False)]


@pytest.mark.parametrize(
    ("answer", "correct"),
    [
        (["a"], True),
        (["b"], False),
        ([], False),
        (["a", "c"], False),
        (["zz"], False),
        (["a", "a"], False),
    ],
)
def test_single(answer, correct):
    assert grade_choices("single", [("a", True), ("b", False)], answer) is correct


@pytest.mark.parametrize(
    ("answer", "correct"),
    [
        (["a", "c"], True),
        (["c", "a"], True),
        (["a"], False),  # partial selection
        (["a", "b", "c"], False),  # a wrong one added
        ([], False),
        (["a", "c", "c"], False),  # duplicated id
        (["a", "c", "x"], False),  # unknown id
    ],
)
def test_multiple(answer, correct):
    assert grade_choices("multiple", CHOICES, answer) is correct


@pytest.mark.parametrize(
    ("answer", "correct"),
    [
        (["a", "b", "c", "d"], True),
        (["b", "a", "c", "d"], False),
        (["a", "b", "c"], False),  # an item missing
        (["a", "b", "c", "c"], False),
        (["a", "b", "c", "d", "e"], False),
    ],
)
def test_order(answer, correct):
    assert grade_choices("order", [(key, True) for key in "abcd"], answer) is correct


def test_true_false():
    assert grade_true_false({"answer": False}, False)
    assert not grade_true_false({"answer": False}, True)


TEXT = {
    "accept": ["docker ps", "docker container ls"],
    "accept_regex": [r"docker container (ls|list)( -a)?"],
}


@pytest.mark.parametrize(
    ("answer", "correct"),
    [
        ("docker ps", True),
        ("  Docker   PS ", True),  # whitespace and case
        ("docker\tcontainer\nls", True),
        ("docker container list -a", True),  # regex
        ("docker container ls -a --all", False),  # regex must match the whole answer
        ("run docker ps", False),
        ("", False),
        ("   ", False),
    ],
)
def test_text(answer, correct):
    assert grade_text(TEXT, answer) is correct


def test_text_case_sensitive():
    key = {"accept": ["ENTRYPOINT"], "accept_regex": ["CMD|RUN"], "case_sensitive": True}
    assert grade_text(key, "ENTRYPOINT")
    assert not grade_text(key, "entrypoint")
    assert grade_text(key, "CMD")
    assert not grade_text(key, "cmd")


def test_text_regex_anchors_are_implicit():
    key = {"accept": [], "accept_regex": ["port"]}
    assert grade_text(key, "port")
    assert not grade_text(key, "ports")
    assert not grade_text(key, "export")


def test_text_regex_runs_in_linear_time():
    # Nested quantifiers backtrack exponentially in Python's re: 26 letters took seconds.
    key = {"accept": [], "accept_regex": [r"(a+)+$"]}
    started = time.perf_counter()
    assert not grade_text(key, "a" * 26 + "!")
    assert grade_text(key, "a" * 400)
    assert time.perf_counter() - started < 0.5


def test_text_regex_case_insensitive_and_full_match():
    key = {"accept": [], "accept_regex": [r"Ökonomie|\pL+ \d{2}"]}
    assert grade_text(key, "öKONOMIE")
    assert grade_text(key, "Étape 42")
    assert not grade_text(key, "Étape 42!")
    sensitive = {"accept": [], "accept_regex": [r"(?i)ctrl-p", "Q"], "case_sensitive": True}
    assert grade_text(sensitive, "CTRL-P")
    assert not grade_text(sensitive, "q")


def test_text_regex_that_cannot_compile_matches_nothing():
    # A key stored before patterns were checked with RE2: a wrong answer, never a 500.
    key = {"accept": ["yes"], "accept_regex": [r"(a)\1"]}
    assert not grade_text(key, "aa")
    assert grade_text(key, "yes")


@pytest.mark.parametrize(
    ("answer", "correct"),
    [
        ("80", True),
        ("79.5", True),
        ("80,5", True),
        ("80.51", False),
        ("79.49", False),
        ("-80", False),
    ],
)
def test_numeric_tolerance_boundaries_are_inclusive(answer, correct):
    assert grade_numeric({"answer": 80, "tolerance": 0.5}, answer) is correct


def test_numeric_without_tolerance_is_exact_and_decimal_safe():
    assert grade_numeric({"answer": 0.3, "tolerance": 0}, "0.30")
    assert grade_numeric({"answer": 0.3}, "0.3")
    assert not grade_numeric({"answer": 0.3}, "0.3000001")


@pytest.mark.parametrize(
    "value", ["ten", "nan", "inf", "1e", "1e5000", "1e999999999", "0x10", "1" * 41, "٣"]
)
def test_numbers_are_read_by_the_fields_own_pattern(value):
    with pytest.raises(TamperedAnswer, match="number"):
        question_type("numeric").read([], QueryDict(mutable=True) | {"answer": value})
