"""What every question type is: the one place a kind of question's behaviour lives.

A type parses and validates its part of a `quiz` fence, reads the submitted form into the value
stored on an Attempt, grades it, and describes an answer in words for the insights and the CSV.
Its template (`quizzes/types/<name>.html` unless the type names another) holds partials:
`input` (the form's fields), `answer` (the key, shown once solved or revealed: nothing of the
student's own, since it is rendered once and shared) and, for exercises, `feedback` (what is
the student's own).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.http import QueryDict

from courseapp.markup.yaml_source import ContentError, Lines


class TamperedAnswer(ValueError):
    """A form no browser could have sent from the page (answered with a 400)."""


class EmptyAnswer(ValueError):
    """A form sent without an answer: the student is asked again."""


@dataclass(frozen=True)
class ChoiceSource:
    key: str
    text_html: str
    correct: bool
    feedback_html: str
    position: int


@dataclass
class QuestionSource:
    """A question as read from its fence, before it is stored."""

    key: str
    type: str
    prompt_html: str
    explanation_html: str = ""
    hint_html: str = ""
    answer: dict = field(default_factory=dict)  # the key of types without choices
    shuffle: bool = False
    choices: list[ChoiceSource] = field(default_factory=list)
    line: int = 1


class Fence:
    """One quiz fence being validated: its data, and the errors located at their lines."""

    def __init__(self, data: dict, *, path: str, lines: Lines) -> None:
        self.data = data
        self.path = path
        self.lines = lines
        self.errors: list[ContentError] = []

    def error(self, message: str, *where: str | int) -> None:
        self.errors.append(ContentError(self.path, self.lines.at(*where), f"quiz: {message}"))

    def flag(self, name: str, default: bool) -> bool:
        value = self.data.get(name, default)
        if not isinstance(value, bool):
            self.error(f"{name} must be true or false, not {value!r}", name)
            return default
        return value


@dataclass(frozen=True)
class Grade:
    """The verdict on one answer; `details` (JSON) are kept with the attempt for statistics."""

    correct: bool
    details: dict[str, Any] | None = None


class QuestionType:
    """Base of every question type; subclasses are registered in `courseapp.quizzes.types`."""

    name: ClassVar[str]  # the fence's `type:` and the stored Question.type
    label: ClassVar[str]  # for people: "Single choice"
    keys: ClassVar[frozenset[str]] = frozenset()  # fence keys of its own, besides the common ones
    has_choices: ClassVar[bool] = False
    shuffled_by_default: ClassVar[bool] = False
    # Static files a page needs for this type's input (an editor, say), besides the site's own.
    scripts: ClassVar[tuple[str, ...]] = ()
    stylesheets: ClassVar[tuple[str, ...]] = ()
    # Whether the template has a `feedback` partial, shown in the result after every answer.
    has_feedback: ClassVar[bool] = False
    # Whether `findings` has something to say in the question statistics.
    has_findings: ClassVar[bool] = False

    @property
    def template(self) -> str:
        return f"quizzes/types/{self.name}.html"

    @property
    def input_template(self) -> str:
        return f"{self.template}#input"

    @property
    def answer_template(self) -> str:
        return f"{self.template}#answer"

    @property
    def feedback_template(self) -> str:
        return f"{self.template}#feedback"

    def parse(self, fence: Fence, question: QuestionSource) -> None:
        """Fill in the question's key (answer, choices, shuffle) from the fence, or report."""
        raise NotImplementedError

    def read(self, choices: Sequence, data: QueryDict) -> Any:
        """The answer to store (JSON), read from a submitted form."""
        raise NotImplementedError

    def grade(self, question, choices: Sequence, answer: Any) -> Grade:
        raise NotImplementedError

    def result(self, question, answer: Any, details: dict | None) -> Any:
        """What the template shows of a graded answer besides the verdict (None: nothing)."""
        return None

    def describe(self, question, choices: Sequence, answer: Any) -> str:
        """An answer in words, for the insights and the CSV exports."""
        return str(answer)

    def findings(self, question, first_answers: Sequence[tuple]) -> tuple[str, ...]:
        """What the statistics say of this question beyond facility and discrimination, from
        every first answer as (answer, details) pairs."""
        return ()

    def wrong_answer_group(self, answer: Any) -> str | None:
        """What makes two wrong answers "the same" in the statistics; None: not grouped."""
        return None

    def display_order(self, choices: list, shuffle) -> list:
        """The choices in the order a student sees them; `shuffle` shuffles a copy stably."""
        return choices

    def sample_answer(self, question, choices: Sequence, *, correct: bool, rng) -> Any:
        """A plausible answer, right or wrong, as the form would store it (demo data)."""
        raise NotImplementedError
