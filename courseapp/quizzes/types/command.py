"""A command exercise: the student types a docker, compose, kubectl or helm command, and it is
compared with the accepted ones the way a person would read it (quizzes.commands)."""

import shlex
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from django.http import QueryDict

from courseapp.quizzes.commands import (
    CommandError,
    CommandRefused,
    EmptyCommand,
    Token,
    grade_command,
    read_command,
)
from courseapp.quizzes.types.base import (
    EmptyAnswer,
    Fence,
    Grade,
    QuestionSource,
    QuestionType,
    TamperedAnswer,
)

# A form field longer than this was not typed into the page (its field allows far less).
MAX_POSTED = 20_000


@dataclass(frozen=True)
class CommandResult:
    """What the result shows of a graded command: the differences, and how it was read."""

    feedback: tuple[str, ...]
    tokens: tuple[Token, ...]


class Command(QuestionType):
    name = "command"
    label = "Command"
    keys = frozenset({"answer", "accept"})
    has_feedback = True
    has_findings = True

    def parse(self, fence: Fence, question: QuestionSource) -> None:
        answer = fence.data.get("answer")
        accept = fence.data.get("accept", [])
        if not isinstance(answer, str) or not answer.strip():
            fence.error("a command exercise needs an 'answer': the command", "answer")
            return
        if not isinstance(accept, list) or not all(isinstance(item, str) for item in accept):
            fence.error("accept must be a list of commands", "accept")
            return
        entries = [("answer", answer), *(("accept", i, c) for i, c in enumerate(accept))]
        for *where, command in entries:
            try:
                read_command(command)
            except CommandError as error:
                fence.error(f"{where[0]} is not a single command: {error.message}", *where)
        question.answer = {
            "answer": answer.strip(),
            "accept": [command.strip() for command in accept],
            "multiline": "\n" in answer.strip(),
        }

    def read(self, choices: Sequence, data: QueryDict) -> str:
        text = data.get("answer", "")
        if len(text) > MAX_POSTED:
            raise TamperedAnswer("command too long")
        try:
            read_command(text)
        except EmptyCommand:
            raise EmptyAnswer("Type a command first.") from None
        except CommandRefused as error:
            raise EmptyAnswer(error.message) from None
        except CommandError:
            pass  # read, and graded as incorrect with the reason
        return text.strip()

    def grade(self, question, choices: Sequence, answer) -> Grade:
        verdict = grade_command(answer, _accepted(question))
        return Grade(verdict.correct, {"feedback": list(verdict.feedback)})

    def result(self, question, answer, details) -> CommandResult:
        try:
            tokens = read_command(answer).tokens
        except CommandError:
            tokens = ()
        return CommandResult(tuple((details or {}).get("feedback", ())), tokens)

    def describe(self, question, choices: Sequence, answer) -> str:
        try:
            return read_command(answer).shown
        except CommandError:
            return str(answer)

    def wrong_answer_group(self, answer) -> str | None:
        try:
            return read_command(answer).normalised
        except CommandError:
            return " ".join(str(answer).split())

    def findings(self, question, first_answers: Sequence[tuple]) -> tuple[str, ...]:
        """The most common wrong first commands, normalised, with how many typed each."""
        wrong = Counter(
            self.wrong_answer_group(answer)
            for answer, details in first_answers
            if (details or {}).get("feedback")
        )
        return tuple(f"{command} ({n})" for command, n in wrong.most_common(5))

    def sample_answer(self, question, choices: Sequence, *, correct: bool, rng) -> str:
        right = question.answer["answer"]
        if correct:
            return right
        words = shlex.split(right)
        return shlex.join(words[:-1] if len(words) > 2 else [*words, "--help"])


def _accepted(question) -> list[str]:
    return [question.answer["answer"], *question.answer.get("accept", [])]
