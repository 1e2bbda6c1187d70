"""Grade a typed command against the accepted answers, with feedback that teaches.

A command is right when it reads (see `reading.py`) the same as one accepted answer: same
command path, same options (a set; repeatable ones a multiset), same arguments in order.
Otherwise the feedback names at most two differences with the closest answer, most
important first, and never the expected command, value or argument:

1. the command: "Wrong command: `docker ps` does not do what the prompt asks"
   (nothing else is compared when the command differs);
2. a missing option: "Missing option -p/--publish";
3. a wrong value: "Wrong value for --name" (or "Wrong order for -f/--file" when only the
   order of an ordered option differs);
4. a wrong or missing argument: "Wrong image", "Missing argument 2";
5. an unexpected option: "Unexpected option --rm";
6. an unexpected argument: "Unexpected argument 3".

What is missing or wrong comes before what is extra: it is what keeps the command from
doing what the prompt asks, while an extra option or argument is often only noise.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from functools import lru_cache

from courseapp.quizzes.commands import table
from courseapp.quizzes.commands.reading import (
    CommandError,
    CommandRefused,
    EmptyCommand,
    Reading,
    read_command,
)

MAX_FEEDBACK = 2


class Outcome(StrEnum):
    CORRECT = "correct"
    INCORRECT = "incorrect"  # read, and not an accepted answer; or not one simple command
    EMPTY = "empty"  # nothing typed: "Type a command first", not an attempt
    REFUSED = "refused"  # over a limit (length, control characters): not read at all


@dataclass(frozen=True)
class CommandVerdict:
    outcome: Outcome
    feedback: tuple[str, ...] = ()  # sentences for the student, most important first
    reading: Reading | None = None  # how the command was read; None when it could not be

    @property
    def correct(self) -> bool:
        return self.outcome is Outcome.CORRECT


class Rank(IntEnum):
    """The order in which differences are reported."""

    COMMAND = 0
    MISSING_OPTION = 1
    WRONG_VALUE = 2
    WRONG_ARGUMENT = 3
    UNEXPECTED_OPTION = 4
    UNEXPECTED_ARGUMENT = 5


@dataclass(frozen=True)
class Difference:
    rank: Rank
    message: str


def grade_command(text: str, answers: Sequence[str | Reading]) -> CommandVerdict:
    """Grade `text` against the accepted answers (the `answer`, then each `accept` entry).

    Answers are command strings or readings of them; an answer that cannot be read is the
    author's error and raises `CommandError` (import checks answers with `read_command`).
    """
    if not answers:
        raise ValueError("a command exercise needs at least one accepted answer")
    try:
        reading = read_command(text)
    except EmptyCommand as error:
        return CommandVerdict(Outcome.EMPTY, (error.message,))
    except CommandRefused as error:
        return CommandVerdict(Outcome.REFUSED, (error.message,))
    except CommandError as error:
        return CommandVerdict(Outcome.INCORRECT, (error.message,))
    expected = [
        answer if isinstance(answer, Reading) else read_answer(answer) for answer in answers
    ]
    closest = min(
        (differences(reading, answer) for answer in expected),
        key=lambda found: (bool(found) and found[0].rank is Rank.COMMAND, len(found)),
    )
    if not closest:
        return CommandVerdict(Outcome.CORRECT, reading=reading)
    feedback = tuple(difference.message for difference in closest[:MAX_FEEDBACK])
    return CommandVerdict(Outcome.INCORRECT, feedback, reading)


@lru_cache(maxsize=1024)
def read_answer(text: str) -> Reading:
    """`read_command` for an author's answer: the same few strings come back on every grading."""
    return read_command(text)


def normalise(text: str) -> str:
    """The canonical spelling of a command, for grouping equivalent wrong answers; raises
    `CommandError` when the text cannot be read."""
    return read_command(text).normalised


def differences(given: Reading, expected: Reading) -> list[Difference]:
    """What differs between two readings, most important first."""
    if given.command != expected.command:
        message = f"Wrong command: `{given.typed_command}` does not do what the prompt asks"
        return [Difference(Rank.COMMAND, message)]
    found = option_differences(given, expected) + argument_differences(given, expected)
    return sorted(found, key=lambda difference: difference.rank)


def option_differences(given: Reading, expected: Reading) -> list[Difference]:
    """Each option name compared as a multiset of values: values the answer has and the
    command lacks are missing, the reverse unexpected, and one of each makes a wrong value."""
    names = dict.fromkeys(name for name, _ in (*expected.options, *given.options))
    found = []
    for name in names:
        option = table.find_option(expected.command, name)
        label = option.label if option else name
        wanted = [value for option_name, value in expected.options if option_name == name]
        typed = [value for option_name, value in given.options if option_name == name]
        missing = sum((Counter(wanted) - Counter(typed)).values())
        extra = sum((Counter(typed) - Counter(wanted)).values())
        wrong = min(missing, extra)
        if wrong:
            found.append(Difference(Rank.WRONG_VALUE, f"Wrong value for {label}"))
        if missing > wrong:
            found.append(Difference(Rank.MISSING_OPTION, f"Missing option {label}"))
        if extra > wrong:
            found.append(Difference(Rank.UNEXPECTED_OPTION, f"Unexpected option {label}"))
        if not missing and not extra and option and option.ordered and wanted != typed:
            found.append(Difference(Rank.WRONG_VALUE, f"Wrong order for {label}"))
    return found


def argument_differences(given: Reading, expected: Reading) -> list[Difference]:
    """Positional arguments compared in order, named by the table where it can
    ("Wrong image"), else by position ("Wrong argument 2").

    A `--` (which ends the options: `kubectl exec web -- sh`) present on one side only is
    reported as such, and the arguments are then compared without it.
    """
    typed, wanted = given.arguments, expected.arguments
    found = []
    if "--" in wanted and "--" not in typed:
        found.append(Difference(Rank.WRONG_ARGUMENT, "Missing -- before the command to run"))
    elif "--" in typed and "--" not in wanted:
        found.append(Difference(Rank.UNEXPECTED_ARGUMENT, "Unexpected --"))
    if found:
        typed, wanted = without_dashes(typed), without_dashes(wanted)
    command = table.find_command(expected.command)
    names = command.arguments if command else ()
    for index in range(max(len(typed), len(wanted))):
        what = names[index] if index < len(names) else f"argument {index + 1}"
        if index >= len(typed):  # the first missing one says it: the rest are missing too
            return [*found, Difference(Rank.WRONG_ARGUMENT, f"Missing {what}")]
        if index >= len(wanted):
            return [
                *found,
                Difference(Rank.UNEXPECTED_ARGUMENT, f"Unexpected argument {index + 1}"),
            ]
        if typed[index] != wanted[index]:
            found.append(Difference(Rank.WRONG_ARGUMENT, f"Wrong {what}"))
    return found


def without_dashes(arguments: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(argument for argument in arguments if argument != "--")
