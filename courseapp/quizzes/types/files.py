"""File exercises: the student writes a Dockerfile, a Compose file or Kubernetes manifests in
the lesson; the file is read and validated with the tools' own definitions, then every check of
the exercise (a JMESPath expression) is run on it (quizzes.files). Nothing is executed."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from django.http import QueryDict

from courseapp.markup.markdown import render
from courseapp.quizzes import files
from courseapp.quizzes.types.base import (
    EmptyAnswer,
    Fence,
    Grade,
    QuestionSource,
    QuestionType,
    TamperedAnswer,
)

# A form field longer than this was not typed into the page (an editor holds far less).
MAX_POSTED = 200_000


@dataclass(frozen=True)
class FileResult:
    """What the result shows of a graded file: problems first, then every check."""

    problems: tuple[str, ...]
    checks: tuple[tuple[str, bool], ...]  # (message, passed)


class FileExercise(QuestionType):
    """A file the student writes; subclasses name the format and the editor's language."""

    keys = frozenset({"starter", "checks", "solution"})
    has_feedback = True
    has_findings = True
    language = "yaml"  # the code editor's highlighting
    scripts = ("vendor/codemirror/code-editor.js",)
    stylesheets = ("css/code-editor.css",)

    @property
    def template(self) -> str:
        return "quizzes/types/file.html"  # one template for every format

    def parse(self, fence: Fence, question: QuestionSource) -> None:
        checks, solution = fence.data.get("checks"), fence.data.get("solution")
        starter = fence.data.get("starter", "")
        if not isinstance(checks, list) or not checks:
            fence.error("a file exercise needs 'checks': a list of expect and message", "checks")
            return
        if not isinstance(solution, str) or not solution.strip():
            fence.error("a file exercise needs a 'solution': the file that passes", "solution")
            return
        if not isinstance(starter, str):
            fence.error("starter must be text", "starter")
            return
        compiled, errors = files.compile_checks(checks)
        for error in errors:
            fence.error(f"check {error.index + 1}: {error.message}", "checks", error.index)
        if errors:
            return
        for problem in files.solution_problems(self.name, solution, compiled):
            where = ("solution",)
            offset = f" (its line {problem.line})" if problem.line else ""
            fence.error(f"the solution is not accepted{offset}: {problem.message}", *where)
        question.answer = {
            "checks": [{"expect": c["expect"], "message": c["message"]} for c in checks],
            "solution": solution,
            "solution_html": render(f"~~~~~{self.language}\n{solution}\n~~~~~").html,
            "starter": starter,
        }

    def read(self, choices: Sequence, data: QueryDict) -> str:
        text = data.get("answer", "")
        if len(text) > MAX_POSTED:
            raise TamperedAnswer("file too long")
        text = files.normalized_text(text)
        if not text.strip():
            raise EmptyAnswer("Write the file first.")
        if len(text) > files.MAX_CHARACTERS:
            raise EmptyAnswer(
                f"Your file is too long: {len(text):,} characters, "
                f"at most {files.MAX_CHARACTERS:,}."
            )
        return text

    def grade(self, question, choices: Sequence, answer) -> Grade:
        verdict = files.check_file(self.name, answer, _checks(question))
        failed = [index for index, result in enumerate(verdict.results) if not result.passed]
        problems = [str(problem) for problem in verdict.problems]
        return Grade(verdict.correct, {"problems": problems, "failed": failed})

    def result(self, question, answer, details) -> FileResult:
        details = details or {}
        failed = set(details.get("failed", ()))
        checks = question.answer["checks"]
        return FileResult(
            problems=tuple(details.get("problems", ())),
            checks=tuple((c["message"], i not in failed) for i, c in enumerate(checks)),
        )

    def describe(self, question, choices: Sequence, answer) -> str:
        lines = str(answer).strip().splitlines()
        return f"{lines[0]} … ({len(lines)} lines)" if lines else ""

    def findings(self, question, first_answers: Sequence[tuple]) -> tuple[str, ...]:
        """How first submissions failed: the share missing each check, the common problems
        (`first_answers` are every student's first submission, right or wrong)."""
        details = [d or {} for _, d in first_answers]
        if not details:
            return ()
        total = len(details)
        missed = Counter(i for d in details for i in set(d.get("failed", ())))
        checks = question.answer["checks"]
        lines = [
            f"{round(100 * missed[i] / total)} % missed: {check['message']}"
            for i, check in enumerate(checks)
            if missed[i]
        ]
        problems = Counter(
            _without_line(problem) for d in details for problem in set(d.get("problems", ()))
        )
        lines += [f"{problem} ({n} of {total})" for problem, n in problems.most_common(3)]
        return tuple(lines)

    def sample_answer(self, question, choices: Sequence, *, correct: bool, rng) -> str:
        solution = question.answer["solution"]
        if correct:
            return solution
        return question.answer.get("starter") or "\n".join(solution.splitlines()[:1])


class Dockerfile(FileExercise):
    name = "dockerfile"
    label = "Dockerfile"
    language = "dockerfile"


class Compose(FileExercise):
    name = "compose"
    label = "Compose file"


class Kubernetes(FileExercise):
    name = "kubernetes"
    label = "Kubernetes manifests"


@lru_cache(maxsize=512)
def _compiled(checks: tuple[tuple[str, str], ...]) -> tuple[files.Check, ...]:
    compiled, _ = files.compile_checks([{"expect": e, "message": m} for e, m in checks])
    return compiled


def _checks(question) -> tuple[files.Check, ...]:
    return _compiled(tuple((c["expect"], c["message"]) for c in question.answer["checks"]))


def _without_line(problem: str) -> str:
    head, _, rest = problem.partition(": ")
    return rest if head.startswith("line ") and rest else problem
