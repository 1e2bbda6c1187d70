"""Questions from `quiz` fences: the keys every question has; each type parses the rest (pure)."""

from typing import Any

from courseapp.markup.markdown import render
from courseapp.markup.yaml_source import (
    SLUG_RE,
    ContentError,
    YamlSyntaxError,
    check_keys,
    load_yaml,
)
from courseapp.quizzes.types import Fence, QuestionSource, question_type, question_types

COMMON_KEYS = {"id", "type", "prompt", "explanation", "hint"}


def parse_question(
    text: str, *, path: str, first_line: int
) -> tuple[QuestionSource | None, list[ContentError]]:
    """Validate and render the YAML of one quiz fence whose first line is `first_line`."""
    try:
        data, lines, duplicates = load_yaml(text, first_line=first_line)
    except YamlSyntaxError as error:
        return None, [ContentError(path, error.line, f"quiz: {error.message}")]
    fence = Fence(data, path=path, lines=lines)
    for line, message in duplicates:
        fence.errors.append(ContentError(path, line, f"quiz: {message}"))
    if not isinstance(data, dict):
        fence.error("expected a YAML mapping with id, type and prompt")
        return None, fence.errors
    name = data.get("type")
    if not isinstance(name, str) or name not in question_types():
        fence.error(f"type must be one of {', '.join(question_types())}, not {name!r}", "type")
        return None, fence.errors
    kind = question_type(name)
    fence.errors += check_keys(
        data,
        required={"id", "type", "prompt"},
        allowed=COMMON_KEYS | kind.keys,
        lines=lines,
        path=path,
        what=f"{name} question",
    )
    key = data.get("id")
    if "id" in data and not (isinstance(key, str) and SLUG_RE.match(key)):
        fence.error(f"id must be a slug (lowercase letters, digits, hyphens), not {key!r}", "id")
    for field in ("prompt", "explanation", "hint"):
        if field in data and not (isinstance(data[field], str) and data[field].strip()):
            fence.error(f"{field} must be non-empty text", field)
    question = QuestionSource(
        key=str(key),
        type=name,
        prompt_html=render(_text(data.get("prompt"))).html,
        explanation_html=render(_text(data.get("explanation"))).html,
        hint_html=render(_text(data.get("hint"))).html,
        line=first_line - 1,
    )
    kind.parse(fence, question)
    if fence.errors:
        return None, fence.errors
    return question, []


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
