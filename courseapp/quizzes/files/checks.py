"""Checks: JMESPath expressions an exercise's author writes, each with the message a student sees.

A check passes when its expression yields a true value in JMESPath's sense: anything but false,
null, an empty string, an empty list or an empty object. So a filter such as
`spec.containers[?name == 'web']` passes when it matches something, `false`, null and empty
results fail, and a number passes even when it is 0 (compare it: spec.replicas == `3`).
An expression that cannot be evaluated on the submitted data fails its check.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import jmespath
from jmespath.exceptions import IncompleteExpressionError, JMESPathError, LexerError, ParseError
from jmespath.functions import Functions
from jmespath.parser import ParsedResult

_FUNCTIONS = Functions().FUNCTION_TABLE
_CHECK_KEYS = {"expect", "message"}


@dataclass(frozen=True)
class Check:
    """One compiled check: its `expect` expression and its `message`."""

    expect: str
    message: str
    expression: ParsedResult = field(repr=False, compare=False)


@dataclass(frozen=True)
class CheckError:
    """Why the check at `index` (from 0) of an exercise's `checks` cannot be used."""

    index: int
    message: str


@dataclass(frozen=True)
class CheckResult:
    message: str
    passed: bool


def compile_checks(
    checks: Sequence[Mapping[str, Any]],
) -> tuple[tuple[Check, ...], tuple[CheckError, ...]]:
    """Each check compiled, or an error for each one that is not a usable check."""
    compiled, errors = [], []
    for index, check in enumerate(checks):
        try:
            compiled.append(_compiled(check))
        except ValueError as error:
            errors.append(CheckError(index, str(error)))
    return tuple(compiled), tuple(errors)


def run_checks(checks: Sequence[Check], data: Any) -> tuple[CheckResult, ...]:
    """Every check's message, and whether it holds for `data`."""
    return tuple(CheckResult(check.message, _holds(check, data)) for check in checks)


def _compiled(check: Any) -> Check:
    if not isinstance(check, Mapping):
        raise ValueError("a check is a mapping with `expect` and `message`")
    if unknown := sorted(set(check) - _CHECK_KEYS):
        raise ValueError(f"unknown key `{unknown[0]}` (a check has `expect` and `message`)")
    for key in sorted(_CHECK_KEYS):
        if not isinstance(check.get(key), str) or not check[key].strip():
            raise ValueError(f"`{key}` must be a non-empty string")
    try:
        expression = jmespath.compile(check["expect"])
    except ParseError as error:
        raise ValueError(_parse_error_text(error, check["expect"])) from None
    _refuse_unknown_functions(expression.parsed)
    return Check(check["expect"], check["message"], expression)


def _parse_error_text(error: ParseError, expect: str) -> str:
    if isinstance(error, IncompleteExpressionError):
        problem = "it is incomplete"
    elif isinstance(error, LexerError):  # "Bad jmespath expression: Unknown token '=':\n…"
        problem = str(error).split("\n", 1)[0].split(": ", 1)[-1].rstrip(":")
    elif error.token_type == "NUMBER":  # noqa: S105 (a token, not a password)
        problem = f"a number is written in backticks: `{error.token_value}`"
    elif error.token_value:
        problem = f"unexpected `{error.token_value}`"
    else:
        problem = "it ends too early"
    position = f" (character {error.lex_position + 1})" if error.lex_position is not None else ""
    return f"invalid JMESPath expression `{expect}`: {problem}{position}"


def _refuse_unknown_functions(node: Any) -> None:
    # JMESPath looks functions up only when it calls them; an author's typo is found here instead.
    if isinstance(node, list):
        for child in node:
            _refuse_unknown_functions(child)
    elif isinstance(node, dict):
        if node.get("type") == "function_expression":
            _refuse_wrong_call(node["value"], len(node["children"]))
        _refuse_unknown_functions(node.get("children", []))


def _refuse_wrong_call(name: str, argument_count: int) -> None:
    if name not in _FUNCTIONS:
        raise ValueError(f"unknown JMESPath function `{name}()`")
    signature = _FUNCTIONS[name]["signature"]
    variadic = bool(signature) and signature[-1].get("variadic", False)
    if argument_count < len(signature) or (argument_count > len(signature) and not variadic):
        expected = f"at least {len(signature)}" if variadic else str(len(signature))
        plural = "" if expected == "1" else "s"
        raise ValueError(f"`{name}()` takes {expected} argument{plural}, not {argument_count}")


def _holds(check: Check, data: Any) -> bool:
    try:
        result = check.expression.search(data)
    # A student's data can make an author's expression fail (length() of a number, say):
    # that is a failed check, never an error page.
    except (JMESPathError, TypeError, ValueError):
        return False
    return _is_true(result)


def _is_true(value: Any) -> bool:
    """JMESPath's truth: false, null and empty strings, lists and objects are false."""
    return not (
        value is None or value is False or (isinstance(value, str | list | dict) and not value)
    )
