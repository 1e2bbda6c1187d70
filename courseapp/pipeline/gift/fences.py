"""GIFT questions as quiz fences, each checked by the platform's own parser (pure).

What has no equivalent is never dropped quietly: a question that cannot be converted, and
anything lost from one that can (weights, feedback GIFT allows and the type has no place for),
becomes a Note at the question's line in the GIFT file.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal

import yaml
from django.utils.html import strip_tags
from django.utils.text import slugify

from courseapp.markup.markdown import find_fences
from courseapp.markup.yaml_source import SLUG_RE
from courseapp.pipeline.gift.reading import (
    Answer,
    Category,
    Description,
    Essay,
    Matching,
    MultipleChoice,
    Numerical,
    Question,
    ShortAnswer,
    Text,
    TrueFalse,
    Unreadable,
    read_gift,
)
from courseapp.pipeline.gift.texts import markdown, slug
from courseapp.quizzes.parsing import parse_question

FULL_CREDIT = Decimal(100)
# Weights that add up to 100% within this (three times 33.333%) make all the credit.
ROUNDING = Decimal("0.01")
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")
POSITION_RE = re.compile(r"(?:step\s*|no\.?\s*|#)?(\d{1,3})(?:st|nd|rd|th)?[.):]?", re.IGNORECASE)


class NotConverted(Exception):
    """Why a GIFT question has no quiz fence."""


@dataclass(frozen=True)
class Note:
    """Something an author should know about one GIFT block, at its line."""

    line: int
    message: str
    skipped: bool = False  # the block gave no question


@dataclass
class Conversion:
    fences: list[str] = field(default_factory=list)  # each a complete ```quiz fence
    notes: list[Note] = field(default_factory=list)
    questions: int = 0  # GIFT questions read, converted or not

    @property
    def markdown(self) -> str:
        return "\n\n".join(self.fences) + "\n" if self.fences else ""


def gift_to_fences(
    text: str, *, path: str, prefix: str = "", taken: frozenset[str] = frozenset()
) -> Conversion:
    """Convert a GIFT file's questions to quiz fences; ids start with `prefix` and avoid
    `taken` (ids already in the lesson they will join) and each other."""
    conversion, ids = Conversion(), set(taken)
    for item in read_gift(text):
        match item:
            case Category():
                conversion.notes.append(
                    Note(
                        item.line,
                        f"category {item.name!r} skipped: a question belongs to "
                        "the lesson whose file holds it",
                        skipped=True,
                    )
                )
            case Unreadable():
                conversion.questions += 1
                conversion.notes.append(Note(item.line, f"not converted: {item.message}", True))
            case Question():
                conversion.questions += 1
                _convert(item, conversion, ids, path=path, prefix=prefix)
    return conversion


def _convert(
    question: Question, conversion: Conversion, ids: set[str], *, path: str, prefix: str
) -> None:
    notes: list[str] = []
    try:
        key = _question_id(question, ids, notes, prefix=prefix)
        source = _fence_source(question, key, notes)
        _check(source, path=path, line=question.line)
    except NotConverted as reason:
        conversion.notes.append(Note(question.line, f"not converted: {reason}", skipped=True))
        return
    ids.add(key)
    # A fence longer than any run of backticks inside it, so that none of them closes it.
    ticks = "`" * max(3, 1 + max(map(len, re.findall("`+", source)), default=0))
    conversion.fences.append(f"{ticks}quiz\n{source}{ticks}")
    conversion.notes += [Note(question.line, f"{key}: {note}") for note in notes]


def _fence_source(question: Question, key: str, notes: list[str]) -> str:
    """The fence's YAML, its keys in the order authors write them."""
    body = _body(question, notes)
    data = {"id": key, "type": body.pop("type"), "prompt": markdown(question.text), **body}
    if question.general_feedback:
        data["explanation"] = markdown(question.general_feedback)
    return yaml.dump(data, Dumper=_FenceDumper, sort_keys=False, allow_unicode=True, width=96)


def _check(source: str, *, path: str, line: int) -> None:
    """Refuse a fence the platform's own parser would refuse at import."""
    _question, errors = parse_question(source, path=path, first_line=line)
    if errors:
        problems = "; ".join(error.message.removeprefix("quiz: ") for error in errors)
        raise NotConverted(f"the quiz parser refuses the result: {problems}")


def _body(question: Question, notes: list[str]) -> dict:
    """The type and its keys, by the kind of GIFT question."""
    match question:
        case MultipleChoice():
            return _multiple_choice(question, notes)
        case TrueFalse():
            return _true_false(question, notes)
        case ShortAnswer():
            return _short_answer(question, notes)
        case Numerical():
            return _numerical(question, notes)
        case Matching():
            return _matching(question, notes)
        case Essay():
            raise NotConverted("an essay question is graded by a person; nothing here grades it")
        case Description():
            raise NotConverted(
                "a description is text, not a question: put it in the lesson's text if you need it"
            )
    raise NotConverted(f"no quiz type for {type(question).__name__}")


def _true_false(question: TrueFalse, notes: list[str]) -> dict:
    for name, feedback in (("wrong", question.wrong_feedback), ("right", question.right_feedback)):
        if feedback:
            notes.append(
                f"feedback on the {name} answer dropped (true/false has none): {_quote(feedback)}"
            )
    return {"type": "true_false", "answer": question.answer}


def _multiple_choice(question: MultipleChoice, notes: list[str]) -> dict:
    """One `=` answer: single choice. No `=` (Moodle's "multiple answers"): a multiple question
    whose correct choices are those with a positive weight, when together they make 100%."""
    answers = question.answers
    marked = [answer for answer in answers if answer.correct]
    if len(marked) > 1:
        raise NotConverted(
            f"{len(marked)} answers are marked '=' (each alone is right): a single question "
            "has one right answer"
        )
    if marked:
        weighted = [answer for answer in answers if not answer.correct and answer.weight]
        correct = [answer.correct for answer in answers]
        kind = "single"
    else:
        weighted = [answer for answer in answers if answer.weight is not None]
        if not weighted:
            raise NotConverted("no answer is marked right (with '=' or a positive %weight%)")
        credit = sum((answer.weight for answer in weighted if answer.weight > 0), Decimal(0))
        if abs(credit - FULL_CREDIT) > ROUNDING:
            raise NotConverted(
                f"the positive weights add up to {credit}%, not 100%: no set of answers is "
                "simply right"
            )
        correct = [bool(answer.weight and answer.weight > 0) for answer in answers]
        kind = "multiple"
    if weighted:
        notes.append(
            "weights dropped (a question is right or wrong, nothing between): "
            + ", ".join(f"{_quote(answer.text)} {answer.weight}%" for answer in weighted)
        )
    return {"type": kind, "choices": _choices(question, answers, correct, notes)}


def _choices(question: Question, answers: list[Answer], correct: list[bool], notes) -> list:
    texts = [markdown(answer.text) for answer in answers]
    keys = _choice_keys(question, texts, notes)
    choices = []
    for key, text, answer, right in zip(keys, texts, answers, correct, strict=True):
        choice = {"id": key} if key else {}
        choice["text"] = text
        if right:
            choice["correct"] = True
        if answer.feedback:
            choice["feedback"] = markdown(answer.feedback)
        choices.append(choice)
    return choices


def _short_answer(question: ShortAnswer, notes: list[str]) -> dict:
    """Full-credit answers are accepted (`*`, Moodle's wildcard, becomes a regular expression);
    the others and all feedback are reported."""
    full = [answer for answer in question.answers if _full_credit(answer)]
    partial = [answer for answer in question.answers if not _full_credit(answer)]
    if not full:
        raise NotConverted("no answer carries full credit")
    if partial:
        notes.append(
            "answers with partial or no credit left out: "
            + ", ".join(f"{_quote(answer.text)} {answer.weight}%" for answer in partial)
        )
    feedback = [answer for answer in question.answers if answer.feedback]
    if feedback:
        notes.append(
            "feedback dropped (a text question has none) on: "
            + ", ".join(_quote(answer.text) for answer in feedback)
        )
    accept, patterns = [], []
    for answer in full:
        pattern = _wildcard_pattern(answer.text.value)
        if pattern:
            patterns.append(pattern)
        else:
            accept.append(answer.text.value.replace("\\*", "*"))
    body: dict = {"type": "text"}
    if accept:
        body["accept"] = accept
    if patterns:
        body["accept_regex"] = patterns
    return body


def _wildcard_pattern(answer: str) -> str | None:
    """The regular expression of an answer holding Moodle's wildcard `*` (`\\*` is a star)."""
    parts = re.split(r"(\\\*|\*)", answer)
    if "*" not in parts:
        return None
    literal = (re.escape(part.replace("\\*", "*")).replace("\\ ", " ") for part in parts)
    return "".join(".*" if part == "*" else text for part, text in zip(parts, literal, strict=True))


def _numerical(question: Numerical, notes: list[str]) -> dict:
    """The first full-credit answer, as answer and tolerance; the others are reported."""
    full = next((answer for answer in question.answers if _full_credit(answer)), None)
    if full is None:
        raise NotConverted("no answer carries full credit")
    if full.tolerance < 0:
        raise NotConverted(f"the range {full.written!r} runs backwards")
    others = [answer for answer in question.answers if answer is not full]
    if others:
        notes.append(
            "a numeric question has one answer: left out "
            + ", ".join(f"{answer.written!r} ({answer.weight or 100}%)" for answer in others)
        )
    if any(answer.feedback for answer in question.answers) or question.wrong_feedback:
        notes.append("feedback on answers dropped (a numeric question has none)")
    body: dict = {"type": "numeric", "answer": _number(full.value)}
    if full.tolerance:
        body["tolerance"] = _number(full.tolerance)
    return body


def _matching(question: Matching, notes: list[str]) -> dict:
    """Pairs that number the items 1..N (either side) are an order question; others are not."""
    lefts = [left for left, _right in question.pairs]
    rights = [right for _left, right in question.pairs]
    if (positions := _positions(rights)) is not None:
        items = lefts
    elif (positions := _positions([left.value for left in lefts])) is not None:
        items = [Text(right, "plain") for right in rights]
    else:
        raise NotConverted(
            "a matching question becomes an order question only when its pairs number the "
            "items 1, 2, 3…; these do not"
        )
    ordered = [item for _position, item in sorted(zip(positions, items, strict=True))]
    texts = [markdown(item) for item in ordered]
    keys = _choice_keys(question, texts, notes)
    return {
        "type": "order",
        "choices": [
            {"id": key, "text": text} if key else {"text": text}
            for key, text in zip(keys, texts, strict=True)
        ],
    }


def _positions(sides: list[str]) -> list[int] | None:
    """The positions 1..N that these texts name, in their order, else None."""
    positions = []
    for side in sides:
        word = strip_tags(side).strip().lower()
        found = POSITION_RE.fullmatch(word)
        if found:
            positions.append(int(found[1]))
        elif word in ORDINALS:
            positions.append(ORDINALS.index(word) + 1)
        else:
            return None
    return positions if sorted(positions) == list(range(1, len(sides) + 1)) else None


def _full_credit(answer) -> bool:
    return answer.weight is None or answer.weight == FULL_CREDIT


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _question_id(question: Question, taken: set[str], notes: list[str], *, prefix: str) -> str:
    """Moodle's ID number, else the title, else the first words of the text, as a slug."""
    words = strip_tags(question.text.value).split()[:8]
    base = slug(question.id_number) or slug(question.title) or slug(" ".join(words)) or "question"
    if prefix:
        base = f"{slug(prefix)}-{base}"
    key = _unique(base, taken)
    if key != base:
        notes.append(f"id {base!r} is taken in this file or lesson, so it is {key!r}")
    return key


def _choice_keys(question: Question, texts: list[str], notes: list[str]) -> list[str | None]:
    """The id of each choice, None where the platform's default (the slug of the text) is it.
    The ids of a `// choice ids:` comment (written by gift_export) are kept."""
    given = question.choice_ids
    if given and len(given) == len(set(given)) == len(texts) and all(map(SLUG_RE.match, given)):
        keys = given
    else:
        if given:
            notes.append(f"'choice ids' comment ignored: {len(given)} ids for {len(texts)} choices")
        keys = []
        for text in texts:
            keys.append(_unique(slug(text, limit=50) or "choice", keys))
    # The platform's own default for a choice without an id.
    return [
        None if key == slugify(text)[:50].strip("-") else key
        for key, text in zip(keys, texts, strict=True)
    ]


def _unique(base: str, taken) -> str:
    """`base`, or `base-2`, `base-3`… whichever is not taken."""
    key, number = base, 1
    while key in taken:
        number += 1
        key = f"{base}-{number}"
    return key


def fence_ids(markdown_source: str) -> frozenset[str]:
    """The ids of the quiz fences already in a lesson, so that new ones avoid them."""
    lines = markdown_source.splitlines()
    ids = set()
    for fence in find_fences(lines):
        if fence.info != "quiz":
            continue
        try:
            data = yaml.safe_load("\n".join(lines[fence.start + 1 : fence.end]))
        except yaml.YAMLError:
            continue
        if isinstance(data, dict) and isinstance(data.get("id"), str):
            ids.add(data["id"])
    return frozenset(ids)


def _quote(text: Text) -> str:
    return repr(strip_tags(text.value)[:60])


class _FenceDumper(yaml.SafeDumper):
    """YAML as an author writes it: list items indented, text of several lines as a `|` block."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


_FenceDumper.add_representer(
    str,
    lambda dumper, value: dumper.represent_scalar(
        "tag:yaml.org,2002:str", value, style="|" if "\n" in value else None
    ),
)
