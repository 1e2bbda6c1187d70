"""File exercises: a Dockerfile, a Compose file or Kubernetes manifests, checked without running.

A submission is read first: it must be text within the limits, parse, and be valid for its
tool (Kubernetes API schemas, the Compose Specification's schema, BuildKit's Dockerfile parser).
What could be read is then given to the exercise's checks, JMESPath expressions (see checks.py).

    checks, errors = compile_checks(exercise["checks"])      # errors: CheckError(index, message)
    problems = solution_problems("kubernetes", solution, checks)   # for the import: must be ()
    verdict = check_file("kubernetes", submitted_text, checks)      # for a student's answer

Nothing here touches the database; every function is pure and answers within the limits
below well inside a second.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from . import compose, dockerfiles, kubernetes
from .checks import Check, CheckError, CheckResult, compile_checks, run_checks
from .kubernetes import KUBERNETES_VERSION
from .reading import (
    MAX_CHARACTERS,
    FileReading,
    Problem,
    normalized_text,
    text_problem,
    unreadable,
)
from .yaml_documents import MAX_DEPTH, MAX_VALUES

__all__ = [
    "FORMATS",
    "KUBERNETES_VERSION",
    "MAX_CHARACTERS",
    "MAX_DEPTH",
    "MAX_VALUES",
    "Check",
    "CheckError",
    "CheckResult",
    "FileReading",
    "FileVerdict",
    "Problem",
    "check_file",
    "compile_checks",
    "read_file",
    "solution_problems",
]

_READERS: dict[str, Callable[[str], FileReading]] = {
    "dockerfile": dockerfiles.read,
    "compose": compose.read,
    "kubernetes": kubernetes.read,
}
FORMATS = frozenset(_READERS)


@dataclass(frozen=True)
class FileVerdict:
    """The answer to one submission.

    `correct` only when the file was read without a problem and every check passed. When it
    could not be read at all (`checked` is False), every check is listed as not passed and
    `problems` say why. A file that parses but breaks its schema is still checked, so a
    student sees every problem and every check at once.
    """

    correct: bool
    checked: bool
    problems: tuple[Problem, ...]
    results: tuple[CheckResult, ...]


def read_file(kind: str, text: str) -> FileReading:
    """The file of this `kind` (one of FORMATS) as checks see it, and its problems."""
    if kind not in _READERS:
        raise ValueError(f"unknown file format {kind!r}; expected one of {sorted(FORMATS)}")
    text = normalized_text(text)
    if problem := text_problem(text):
        return unreadable(problem)
    return _READERS[kind](text)


def check_file(kind: str, text: str, checks: Sequence[Check]) -> FileVerdict:
    """Read the submitted file and run every check on what was read."""
    reading = read_file(kind, text)
    if not reading.readable:
        results = tuple(CheckResult(check.message, passed=False) for check in checks)
        return FileVerdict(correct=False, checked=False, problems=reading.problems, results=results)
    results = run_checks(checks, reading.data)
    correct = not reading.problems and all(result.passed for result in results)
    return FileVerdict(correct=correct, checked=True, problems=reading.problems, results=results)


def solution_problems(kind: str, solution: str, checks: Sequence[Check]) -> tuple[Problem, ...]:
    """Why an exercise's own `solution` would not be accepted; empty when it would be.

    Lines are the solution's own (line 1 is its first line), for the import to offset.
    """
    verdict = check_file(kind, solution, checks)
    failed = tuple(
        Problem(None, f"the solution fails its check: {result.message}")
        for result in verdict.results
        if verdict.checked and not result.passed
    )
    return verdict.problems + failed
