"""Moodle's GIFT format read into plain values, the way Moodle's own importer reads it (pure).

A file is a list of blocks separated by blank lines; whole lines starting with `//` are
comments (Moodle reads `[id:…]` in them as the question's ID number). A block is a
`$CATEGORY:` line or a question: an optional `::title::`, its text, and one answer section in
braces whose content decides the kind, in Moodle's order: none (description), empty (essay),
`#…` (numerical), a `~` (multiple choice), `=` with `->` (matching), `T`/`F`/`TRUE`/`FALSE`
(true/false), else short answer. Answers inside the sentence leave a `_____` blank in it.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

FORMATS = ("moodle", "html", "plain", "markdown")
# A backslash before one of these stands for the character; each is hidden while the structure
# is read, so that an escaped `{` or `=` is text, never syntax.
ESCAPES = {":": ":", "#": "#", "=": "=", "{": "{", "}": "}", "~": "~", "n": "\n"}
_HIDDEN = {key: chr(0xE000 + index) for index, key in enumerate(ESCAPES)}
_RESTORE = str.maketrans({_HIDDEN[key]: value for key, value in ESCAPES.items()})
ESCAPE_RE = re.compile(r"\\([\\:#={}~n])")
WEIGHT_RE = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
ID_RE = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f])+)\]")
CHOICE_IDS_RE = re.compile(r"^//\s*choice ids:(.*)$")
TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}


@dataclass(frozen=True)
class Text:
    """A piece of text in one of Moodle's formats: moodle (the default), html, plain, markdown."""

    value: str
    format: str = "moodle"


@dataclass(frozen=True)
class Answer:
    text: Text
    correct: bool  # written `=`
    weight: Decimal | None  # the `%n%` percentage, when given
    feedback: Text | None


@dataclass(frozen=True)
class NumericAnswer:
    value: Decimal
    tolerance: Decimal
    written: str  # as in the file: "1822:2", "3.141..3.142"
    weight: Decimal | None
    feedback: Text | None


@dataclass(kw_only=True)
class Question:
    """What every GIFT question has; a subclass per kind adds its answers."""

    line: int  # of its first line in the file
    title: str
    text: Text  # the answer section removed (a `_____` where it stood inside the sentence)
    general_feedback: Text | None = None
    id_number: str = ""  # Moodle's ID number, from `[id:…]` in the block's comments
    choice_ids: list[str] = field(default_factory=list)  # from `// choice ids: a, b`


@dataclass(kw_only=True)
class MultipleChoice(Question):
    answers: list[Answer]


@dataclass(kw_only=True)
class TrueFalse(Question):
    answer: bool
    wrong_feedback: Text | None  # shown to who answers wrong
    right_feedback: Text | None


@dataclass(kw_only=True)
class ShortAnswer(Question):
    answers: list[Answer]


@dataclass(kw_only=True)
class Numerical(Question):
    answers: list[NumericAnswer]
    wrong_feedback: Text | None  # `~#…`: for any other number


@dataclass(kw_only=True)
class Matching(Question):
    pairs: list[tuple[Text, str]]


@dataclass(kw_only=True)
class Essay(Question):
    pass


@dataclass(kw_only=True)
class Description(Question):
    pass


@dataclass(frozen=True)
class Category:
    line: int
    name: str


@dataclass(frozen=True)
class Unreadable:
    line: int
    message: str


Item = Question | Category | Unreadable


def read_gift(text: str) -> list[Item]:
    """Every block of a GIFT file, in order, as a question, a category or what went wrong."""
    return [_read_block(line, lines) for line, lines in _blocks(text)]


def _blocks(text: str):
    """(line number of its first line that is not a comment, lines) of each block; blocks of
    comments only are left out."""
    block: list[str] = []
    for number, line in enumerate([*text.replace("\r\n", "\n").split("\n"), ""], start=1):
        if line.strip():
            block.append(line.strip())
            continue
        code = [index for index, kept in enumerate(block) if not kept.startswith("//")]
        if code:
            yield number - len(block) + code[0], block
        block = []


def _read_block(line: int, lines: list[str]) -> Item:
    comments = "\n".join(text for text in lines if text.startswith("//"))
    text = _hide_escapes("\n".join(text for text in lines if not text.startswith("//")))
    if text.startswith("$CATEGORY:"):
        return Category(line, _restore(text[len("$CATEGORY:") :]).strip())
    title = ""
    if text.startswith("::") and "::" in text[2:]:
        title, text = text[2:].split("::", 1)
        title, text = _restore(title).strip(), text.strip()
    header = {
        "line": line,
        "title": title,
        "id_number": _id_number(comments),
        "choice_ids": _choice_ids(comments),
    }
    start, end = text.find("{"), text.find("}")
    if start < 0 and end < 0:
        return Description(**header, text=_text(text))
    if start < 0 or end < start:
        return Unreadable(line, "unbalanced braces: the answers go between one { and one }")
    # Answers inside the sentence leave a blank where they stood (Moodle's "missing word").
    blank = "" if text.endswith("}") else "_____"
    rest = text[:start] + blank + text[end + 1 :]
    if "{" in rest or "}" in rest:
        return Unreadable(line, "two answer sections: separate questions with a blank line")
    header["text"] = question_text = _text(rest)
    inside = text[start + 1 : end].strip()
    if "####" in inside:
        inside, general = inside.rsplit("####", 1)
        inside = inside.strip()
        if general.strip():
            header["general_feedback"] = _text(general, question_text.format)
    try:
        return _question(header, inside, question_text.format)
    except ValueError as error:
        return Unreadable(line, str(error))


def _question(header: dict, inside: str, format: str) -> Question:
    if not inside:
        return Essay(**header)
    if inside.startswith("#"):
        return _numerical(header, inside[1:], format)
    if "~" in inside:
        parts = _split(inside.replace("=", "~="), "~")
        answers = [_answer(part.removeprefix("="), format, part.startswith("=")) for part in parts]
        if len(answers) < 2:
            raise ValueError("a multiple-choice question needs at least two answers")
        return MultipleChoice(**header, answers=answers)
    if "=" in inside and "->" in inside:
        return Matching(**header, pairs=[_pair(part, format) for part in _split(inside, "=")])
    truth, *feedback = inside.split("#", 2)
    if truth.strip() in TRUE_FALSE:
        return TrueFalse(
            **header,
            answer=TRUE_FALSE[truth.strip()],
            wrong_feedback=_feedback(feedback[0], format) if feedback else None,
            right_feedback=_feedback(feedback[1], format) if len(feedback) > 1 else None,
        )
    return ShortAnswer(**header, answers=[_answer(part, format) for part in _split(inside, "=")])


def _numerical(header: dict, inside: str, format: str) -> Numerical:
    inside, tilde, wrong = inside.partition("~")
    answers = []
    for part in _split(inside, "="):
        answer = _answer(part, format)
        value, tolerance = _number_range(answer.text.value)
        answers.append(
            NumericAnswer(value, tolerance, answer.text.value, answer.weight, answer.feedback)
        )
    if not answers:
        raise ValueError("a numerical question needs at least one answer")
    wrong_feedback = _feedback(wrong.partition("#")[2], format) if tilde else None
    return Numerical(**header, answers=answers, wrong_feedback=wrong_feedback)


def _number_range(written: str) -> tuple[Decimal, Decimal]:
    """`3.14:0.01` (answer and tolerance), `1..5` (a range: its middle and half its width), `4`."""
    try:
        if ".." in written[1:]:
            low, high = (Decimal(part.strip()) for part in written.split("..", 1))
            value, tolerance = (low + high) / 2, (high - low) / 2
        else:
            number, _, margin = written.partition(":")
            value, tolerance = Decimal(number.strip()), Decimal(margin.strip() or "0")
    except InvalidOperation:
        value = tolerance = Decimal("NaN")
    if not (value.is_finite() and tolerance.is_finite()):
        raise ValueError(f"not a number, number:tolerance or low..high range: {written!r}")
    return value, tolerance


def _split(inside: str, marker: str) -> list[str]:
    """The answers of an answer section, without their marker. Like Moodle, text before the
    first marker is an answer too."""
    head, *rest = (part.strip() for part in inside.split(marker))
    return [head, *rest] if head else rest


def _answer(part: str, format: str, correct: bool = True) -> Answer:
    """`text#feedback` or `%50%text#feedback` (a weight in percent), its marker removed."""
    weight = None
    if found := WEIGHT_RE.match(part):
        weight, part = Decimal(found[1]), part[found.end() :]
    text, hash_, feedback = part.partition("#")
    return Answer(
        _text(text, format), correct, weight, _feedback(feedback, format) if hash_ else None
    )


def _pair(part: str, format: str) -> tuple[Text, str]:
    left, arrow, right = part.partition("->")
    if not arrow:
        raise ValueError(f"a matching pair needs 'item -> match', not {_restore(part)!r}")
    return _text(left, format), _restore(right).strip()


def _feedback(text: str, format: str) -> Text | None:
    return _text(text, format) if text.strip() else None


def _text(text: str, default: str = "moodle") -> Text:
    """Text with its optional `[format]` marker read, escapes turned back into characters."""
    text = text.strip()
    name = text[1 : text.find("]")] if text.startswith("[") and "]" in text else ""
    if name in FORMATS:
        return Text(_restore(text[len(name) + 2 :]).strip(), name)
    return Text(_restore(text).strip(), default)


def _id_number(comments: str) -> str:
    found = ID_RE.search(comments)
    return found[1].replace("\\]", "]").strip() if found else ""


def _choice_ids(comments: str) -> list[str]:
    for line in comments.splitlines():
        if found := CHOICE_IDS_RE.match(line):
            return [key.strip() for key in found[1].split(",") if key.strip()]
    return []


def _hide_escapes(text: str) -> str:
    # `\\` is a backslash at once, so that `\\~` is a backslash and then a real `~`.
    return ESCAPE_RE.sub(lambda found: "\\" if found[1] == "\\" else _HIDDEN[found[1]], text)


def _restore(text: str) -> str:
    return text.translate(_RESTORE)
