"""What reading a submitted file gives: the data checks look at and the problems found."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

MAX_CHARACTERS = 20_000
# A file with hundreds of mistakes needs its first few fixed, not a page of them; looking for
# more than MAX_PROBLEMS_SOUGHT would only cost time.
MAX_PROBLEMS = 20
MAX_PROBLEMS_SOUGHT = 100


@dataclass(frozen=True)
class Problem:
    """Something wrong with a file: the line it is on (None for the whole file) and what it is."""

    line: int | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass(frozen=True)
class FileReading:
    """A file as checks see it (`data`, None when it could not be read) and its problems."""

    data: Any
    problems: tuple[Problem, ...] = ()

    @property
    def readable(self) -> bool:
        return self.data is not None


def unreadable(problem: Problem) -> FileReading:
    return FileReading(data=None, problems=(problem,))


def normalized_text(text: str) -> str:
    """The text with Windows line ends made plain, as a browser's textarea sends `\\r\\n`."""
    return text.replace("\r\n", "\n")


def text_problem(text: str) -> Problem | None:
    """Why `text` cannot be read at all, if it cannot: too long, not text, or empty."""
    if len(text) > MAX_CHARACTERS:
        return Problem(
            None, f"Your file is too long: {len(text):,} characters, at most {MAX_CHARACTERS:,}."
        )
    if "\x00" in text:
        return Problem(line_at(text, text.index("\x00")), "Your file contains a NUL character.")
    try:
        text.encode()
    except UnicodeEncodeError as error:
        return Problem(line_at(text, error.start), "Your file is not valid text.")
    if not text.strip():
        return Problem(None, "Your file is empty.")
    return None


def line_at(text: str, index: int) -> int:
    """The line number (from 1) of the character at `index`."""
    return text.count("\n", 0, index) + 1


def sorted_problems(problems: Iterable[Problem]) -> tuple[Problem, ...]:
    """Problems in file order, each once; the first MAX_PROBLEMS and a word that there are more."""
    unique = sorted(set(problems), key=lambda problem: (problem.line or 0, problem.message))
    if len(unique) <= MAX_PROBLEMS:
        return tuple(unique)
    return (*unique[:MAX_PROBLEMS], Problem(None, "There are more problems; fix these first."))
