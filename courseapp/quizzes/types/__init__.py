"""The question types, one class each, registered here by their name.

Nothing else names a type: parsing, reading forms, grading, display and statistics all ask the
question's type (`question_type(question.type)`). Adding a type means one class, registered with
`register`, and its template `quizzes/types/<name>.html`.
"""

from courseapp.quizzes.types.base import (
    ChoiceSource,
    EmptyAnswer,
    Fence,
    Grade,
    QuestionSource,
    QuestionType,
    TamperedAnswer,
)
from courseapp.quizzes.types.choices import MultipleChoice, Order, SingleChoice
from courseapp.quizzes.types.command import Command
from courseapp.quizzes.types.files import Compose, Dockerfile, Kubernetes
from courseapp.quizzes.types.values import Numeric, Text, TrueFalse

__all__ = [
    "ChoiceSource",
    "EmptyAnswer",
    "Fence",
    "Grade",
    "QuestionSource",
    "QuestionType",
    "TamperedAnswer",
    "question_type",
    "question_types",
    "register",
]

_REGISTRY: dict[str, QuestionType] = {}


def register(kind: type[QuestionType]) -> type[QuestionType]:
    """Make a question type known by its name (usable as a class decorator)."""
    _REGISTRY[kind.name] = kind()
    return kind


def question_type(name: str) -> QuestionType:
    """The type called `name`; KeyError if there is none."""
    return _REGISTRY[name]


def question_types() -> dict[str, QuestionType]:
    return dict(_REGISTRY)


def type_choices() -> list[tuple[str, str]]:
    """(name, label) pairs for the model field and the admin's filter."""
    return [(kind.name, kind.label) for kind in _REGISTRY.values()]


for _kind in (
    SingleChoice,
    MultipleChoice,
    TrueFalse,
    Text,
    Numeric,
    Order,
    Command,
    Dockerfile,
    Compose,
    Kubernetes,
):
    register(_kind)
