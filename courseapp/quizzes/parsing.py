"""Questions from `quiz` fences: validation with file lines, rendering of their Markdown (pure)."""

import math
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.text import slugify

from courseapp.markup.markdown import render, render_inline
from courseapp.markup.yaml_source import (
    SLUG_RE,
    ContentError,
    Lines,
    YamlSyntaxError,
    check_keys,
    load_yaml,
)

CHOICE_TYPES = {"single", "multiple", "order"}
TYPE_KEYS = {
    "single": {"choices", "shuffle"},
    "multiple": {"choices", "shuffle"},
    "order": {"choices"},
    "true_false": {"answer"},
    "text": {"accept", "accept_regex", "case_sensitive"},
    "numeric": {"answer", "tolerance"},
}
COMMON_KEYS = {"id", "type", "prompt", "explanation", "hint"}
CHOICE_KEYS = {"id", "text", "correct", "feedback"}


@dataclass
class ChoiceSource:
    key: str
    text_html: str
    correct: bool
    feedback_html: str
    position: int


@dataclass
class QuestionSource:
    key: str
    type: str
    prompt_html: str
    explanation_html: str = ""
    hint_html: str = ""
    answer: dict = field(default_factory=dict)  # the key for non-choice types
    shuffle: bool = False
    choices: list[ChoiceSource] = field(default_factory=list)
    line: int = 1


class _Problems:
    """Collects errors for one question, located by their path in the YAML document."""

    def __init__(self, path: str, lines: Lines) -> None:
        self.path = path
        self.lines = lines
        self.errors: list[ContentError] = []

    def add(self, message: str, *where: str | int) -> None:
        self.errors.append(ContentError(self.path, self.lines.at(*where), message))


def parse_question(
    text: str, *, path: str, first_line: int
) -> tuple[QuestionSource | None, list[ContentError]]:
    """Validate and render the YAML of one quiz fence whose first line is `first_line`."""
    try:
        data, lines, duplicates = load_yaml(text, first_line=first_line)
    except YamlSyntaxError as error:
        return None, [ContentError(path, error.line, f"quiz: {error.message}")]
    problems = _Problems(path, lines)
    for line, message in duplicates:
        problems.errors.append(ContentError(path, line, f"quiz: {message}"))
    if not isinstance(data, dict):
        problems.add("quiz: expected a YAML mapping with id, type and prompt")
        return None, problems.errors

    kind = data.get("type")
    if kind not in TYPE_KEYS:
        problems.add(f"quiz: type must be one of {', '.join(TYPE_KEYS)}, not {kind!r}", "type")
        return None, problems.errors
    problems.errors += check_keys(
        data,
        required={"id", "type", "prompt"},
        allowed=COMMON_KEYS | TYPE_KEYS[kind],
        lines=lines,
        path=path,
        what=f"{kind} question",
    )
    key = data.get("id")
    if "id" in data and not (isinstance(key, str) and SLUG_RE.match(key)):
        problems.add(
            f"quiz: id must be a slug (lowercase letters, digits, hyphens), not {key!r}", "id"
        )
    for name in ("prompt", "explanation", "hint"):
        if name in data and not (isinstance(data[name], str) and data[name].strip()):
            problems.add(f"quiz: {name} must be non-empty text", name)

    question = QuestionSource(
        key=str(key),
        type=kind,
        prompt_html=render(_text(data.get("prompt"))).html,
        explanation_html=render(_text(data.get("explanation"))).html,
        hint_html=render(_text(data.get("hint"))).html,
        line=first_line - 1,
    )
    if kind in CHOICE_TYPES:
        question.choices = _choices(data, kind, problems)
        question.shuffle = kind == "order" or _bool(data, "shuffle", False, problems)
    else:
        question.answer = ANSWER_PARSERS[kind](data, problems)
    if problems.errors:
        return None, problems.errors
    return question, []


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _bool(data: dict, name: str, default: bool, problems: _Problems) -> bool:
    value = data.get(name, default)
    if not isinstance(value, bool):
        problems.add(f"quiz: {name} must be true or false, not {value!r}", name)
        return default
    return value


def _choices(data: dict, kind: str, problems: _Problems) -> list[ChoiceSource]:
    items = data.get("choices")
    if not isinstance(items, list) or len(items) < 2:
        problems.add(f"quiz: a {kind} question needs a list of at least two choices", "choices")
        return []
    choices: list[ChoiceSource] = []
    for position, item in enumerate(items):
        where = ("choices", position)
        if not isinstance(item, dict):
            problems.add("quiz: each choice must be a mapping with at least 'text'", *where)
            continue
        allowed = CHOICE_KEYS - {"correct"} if kind == "order" else CHOICE_KEYS
        for name in item:
            if name not in allowed:
                hint = " (order questions list choices in the correct order)" * (name == "correct")
                problems.add(f"quiz: unknown choice key {name!r}{hint}", *where, name)
        text = item.get("text")
        if not (isinstance(text, str | int | float) and str(text).strip()):
            problems.add("quiz: choice needs a non-empty 'text'", *where)
            continue
        key = item.get("id", slugify(str(text))[:50].strip("-"))
        if not (isinstance(key, str) and SLUG_RE.match(key)):
            problems.add(f"quiz: choice id must be a slug, not {key!r}", *where, "id")
            continue
        if any(choice.key == key for choice in choices):
            problems.add(f"quiz: duplicate choice id {key!r}", *where)
            continue
        correct = item.get("correct", False)
        if not isinstance(correct, bool):
            problems.add(f"quiz: correct must be true or false, not {correct!r}", *where, "correct")
        feedback = item.get("feedback", "")
        choices.append(
            ChoiceSource(
                key=key,
                text_html=render_inline(str(text)),
                correct=correct is True or kind == "order",
                feedback_html=render(str(feedback)).html if feedback else "",
                position=position,
            )
        )
    correct_count = sum(choice.correct for choice in choices)
    if kind == "single" and len(choices) == len(items) and correct_count != 1:
        problems.add(
            f"quiz: a single question needs exactly one correct choice, not {correct_count}",
            "choices",
        )
    if kind == "multiple" and len(choices) == len(items) and correct_count == 0:
        problems.add("quiz: a multiple question needs at least one correct choice", "choices")
    return choices


def _true_false_answer(data: dict, problems: _Problems) -> dict:
    answer = data.get("answer")
    if not isinstance(answer, bool):
        problems.add(f"quiz: answer must be true or false, not {answer!r}", "answer")
    return {"answer": answer}


def _text_answer(data: dict, problems: _Problems) -> dict:
    accept = data.get("accept", [])
    patterns = data.get("accept_regex", [])
    for name, values in (("accept", accept), ("accept_regex", patterns)):
        if not isinstance(values, list) or not all(
            isinstance(v, str | int | float) for v in values
        ):
            problems.add(f"quiz: {name} must be a list of strings", name)
            return {}
    if not accept and not patterns:
        problems.add("quiz: a text question needs 'accept' and/or 'accept_regex'")
    for position, pattern in enumerate(patterns):
        try:
            re.compile(str(pattern))
        except re.error as error:
            problems.add(
                f"quiz: invalid regular expression {pattern!r}: {error}", "accept_regex", position
            )
    return {
        "accept": [str(value) for value in accept],
        "accept_regex": [str(value) for value in patterns],
        "case_sensitive": _bool(data, "case_sensitive", False, problems),
    }


def _number(data: dict, name: str, default: float | None, problems: _Problems) -> float | None:
    value = data.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        problems.add(f"quiz: {name} must be a number, not {value!r}", name)
        return None
    return value


def _numeric_answer(data: dict, problems: _Problems) -> dict:
    answer = _number(data, "answer", None, problems)
    tolerance = _number(data, "tolerance", 0, problems)
    if tolerance is not None and tolerance < 0:
        problems.add("quiz: tolerance must not be negative", "tolerance")
    return {"answer": answer, "tolerance": tolerance}


ANSWER_PARSERS = {
    "true_false": _true_false_answer,
    "text": _text_answer,
    "numeric": _numeric_answer,
}
