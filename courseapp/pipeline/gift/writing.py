"""A course's questions as GIFT, for Moodle.

Each question keeps its id as its title (`::id::`) and as Moodle's ID number (`// [id:…]`,
which Moodle keeps and exports again), and the ids of its choices in a `// choice ids:`
comment, so that gift_import gives back the same ids. Prompts, choices, feedback and
explanations are stored as HTML and written with the `[html]` marker. Every type has one writer
below, looked up by its class; what GIFT cannot express becomes a note, never a silent loss.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Prefetch

from courseapp.catalog.models import Course, published_lessons
from courseapp.quizzes.models import Choice, Question
from courseapp.quizzes.types import QuestionType
from courseapp.quizzes.types.choices import MultipleChoice, Order, SingleChoice
from courseapp.quizzes.types.command import Command
from courseapp.quizzes.types.files import FileExercise
from courseapp.quizzes.types.values import Numeric, Text, TrueFalse

# What a backslash must escape in GIFT text; newlines become `\n` (a blank line ends a question).
GIFT_ESCAPES = str.maketrans({c: f"\\{c}" for c in "\\~=#{}:"} | {"\n": "\\n", "\r": ""})


class NotExported(Exception):
    """Why a question has no GIFT form."""


@dataclass(frozen=True)
class ExportNote:
    key: str  # the question's id
    message: str
    skipped: bool = False  # the question is not in the file


@dataclass
class Export:
    text: str = ""
    notes: list[ExportNote] = field(default_factory=list)
    exported: int = 0
    questions: int = 0


def course_questions(course: Course) -> list[tuple[Question, list[Choice]]]:
    """The course's current questions in its published lessons, in course order, each with its
    current choices in authored order."""
    current = Prefetch(
        "choices",
        queryset=Choice.objects.filter(archived=False).order_by("position"),
        to_attr="current_choices",
    )
    questions = (
        Question.objects.filter(published_lessons("lesson"), course=course, archived=False)
        .select_related("lesson")
        .prefetch_related(current)
        .order_by("lesson__sequence", "position")
    )
    return [(question, question.current_choices) for question in questions]


def questions_to_gift(course: Course, questions: Sequence[tuple[Question, list[Choice]]]) -> Export:
    """GIFT for these questions, a `$CATEGORY:` per lesson, and notes on what GIFT lost."""
    export = Export(questions=len(questions))
    blocks = [f"// {course.title}: questions exported for Moodle (GIFT)."]
    lesson = None
    for question, choices in questions:
        notes: list[str] = []
        try:
            block = _question(question, choices, notes)
        except NotExported as reason:
            export.notes.append(ExportNote(question.key, f"not exported: {reason}", skipped=True))
            continue
        if question.lesson_id != lesson:
            lesson = question.lesson_id
            blocks.append(f"$CATEGORY: {course.slug}/{question.lesson.slug}")
        blocks.append(block)
        export.exported += 1
        export.notes += [ExportNote(question.key, note) for note in notes]
    export.text = "\n\n".join(blocks) + "\n"
    return export


def _question(question: Question, choices: list[Choice], notes: list[str]) -> str:
    writer = _writer(question.kind)
    if writer is None:
        raise NotExported(f"GIFT has no form for a {question.kind.label.lower()} question")
    section = writer(question, choices, notes)
    if question.hint_html:
        notes.append("hint left out: GIFT has no hints")
    kind = question.kind
    if kind.has_choices and kind.shuffled_by_default and not question.shuffle:
        notes.append("shuffle: false left out: in Moodle the quiz's settings decide")
    comments = [f"// [id:{question.key}]"]
    if choices:
        comments.append(f"// choice ids: {', '.join(choice.key for choice in choices)}")
    prompt = gift_text(question.prompt_html)
    lines = [*comments, f"::{question.key}::[html]{prompt}{{{section.head}"]
    lines += [f"\t{answer}" for answer in section.answers]
    if general_feedback := section.solution_html + question.explanation_html:
        lines.append(f"\t####{gift_text(general_feedback)}")
    return "\n".join([*lines, "}"])


class Section(NamedTuple):
    """What a writer gives: the answer section's start, its answers, a solution to show."""

    head: str  # "#" for a numerical question
    answers: list[str]
    solution_html: str = ""  # shown in the general feedback, before the explanation


Writer = Callable[[Question, list[Choice], list[str]], Section]


def _single(question: Question, choices: list[Choice], notes: list[str]) -> Section:
    return Section("", [f"{'=' if choice.correct else '~'}{_choice(choice)}" for choice in choices])


def _multiple(question: Question, choices: list[Choice], notes) -> Section:
    """Moodle's "multiple answers": the right ones share 100%, a wrong one costs 100%."""
    share = Decimal(100) / sum(choice.correct for choice in choices)
    weight = f"{share:.5f}".rstrip("0").rstrip(".")
    return Section("", [f"~%{weight if c.correct else '-100'}%{_choice(c)}" for c in choices])


def _true_false(question: Question, choices, notes) -> Section:
    return Section("", ["TRUE" if question.answer["answer"] else "FALSE"])


def _text(question: Question, choices, notes: list[str]) -> Section:
    key = question.answer
    if key.get("accept_regex"):
        notes.append(
            f"accept_regex left out ({len(key['accept_regex'])}): GIFT has no regular expressions"
        )
    if key.get("case_sensitive"):
        notes.append("case_sensitive left out: Moodle sets it per question, GIFT cannot")
    accepted = _accepted(key.get("accept", []), notes)
    if not accepted:
        raise NotExported("no answer GIFT can express (only regular expressions accept it)")
    return Section("", accepted)


def _numeric(question: Question, choices, notes) -> Section:
    key = question.answer
    return Section("#", [f"={key['answer']}:{key.get('tolerance') or 0}"])


def _order(question: Question, choices: list[Choice], notes) -> Section:
    """A matching question: each item (HTML, so `>` is `&gt;` and no `->` cuts it short) with
    its position, which gift_import reads back as order."""
    return Section("", [f"={gift_text(c.text_html)} -> {n}" for n, c in enumerate(choices, 1)])


def _command(question: Question, choices, notes: list[str]) -> Section:
    notes.append(
        "exported as a short answer: Moodle compares the text, so the same command spelled "
        "otherwise (options in another order, long options) is marked wrong there"
    )
    key = question.answer
    return Section("", _accepted([key["answer"], *key.get("accept", [])], notes))


def _file(question: Question, choices, notes: list[str]) -> Section:
    """An essay, graded by hand in Moodle, with the solution in its general feedback."""
    notes.append("exported as an essay graded by hand: its checks and starter stay here")
    return Section("", [], solution_html=question.answer.get("solution_html", ""))


def _accepted(answers: list[str], notes: list[str]) -> list[str]:
    """Short-answer lines; a `*` is escaped (it is Moodle's wildcard)."""
    lines = []
    for answer in map(str, answers):
        if "->" in answer:
            notes.append(f"answer {answer!r} left out: GIFT reads '->' as a matching pair")
            continue
        lines.append("=" + gift_text(answer).replace("*", "\\*"))
    return lines


def _choice(choice: Choice) -> str:
    feedback = f"#{gift_text(choice.feedback_html)}" if choice.feedback_html else ""
    return gift_text(choice.text_html) + feedback


def gift_text(text: str) -> str:
    """Text with GIFT's control characters escaped, on one line."""
    return text.strip().translate(GIFT_ESCAPES)


WRITERS: dict[type[QuestionType], Writer] = {
    SingleChoice: _single,
    MultipleChoice: _multiple,
    TrueFalse: _true_false,
    Text: _text,
    Numeric: _numeric,
    Order: _order,
    Command: _command,
    FileExercise: _file,
}


def _writer(kind: QuestionType) -> Writer | None:
    """The writer of a type or of the nearest type it extends."""
    return next((WRITERS[cls] for cls in type(kind).__mro__ if cls in WRITERS), None)
