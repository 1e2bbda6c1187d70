"""Command exercises: read a typed docker, kubectl or helm command and grade it, without
running anything. Pure functions over immutable values; no database, no Django.

- `grade_command(text, answers)` → `CommandVerdict` (outcome, feedback, reading);
- `read_command(text)` → `Reading`, or `CommandError` with a message (also how import checks
  an author's `answer` and `accept` entries);
- `normalise(text)` → one spelling per equivalent command, for statistics.
"""

from courseapp.quizzes.commands.grading import (
    CommandVerdict,
    Outcome,
    grade_command,
    normalise,
)
from courseapp.quizzes.commands.reading import (
    MAX_LENGTH,
    CommandError,
    CommandRefused,
    EmptyCommand,
    Reading,
    Token,
    TokenKind,
    read_command,
)

__all__ = [
    "MAX_LENGTH",
    "CommandError",
    "CommandRefused",
    "CommandVerdict",
    "EmptyCommand",
    "Outcome",
    "Reading",
    "Token",
    "TokenKind",
    "grade_command",
    "normalise",
    "read_command",
]
