"""Questions answered by picking among choices: single, multiple and order."""

from collections.abc import Sequence

from django.http import QueryDict
from django.utils.html import strip_tags
from django.utils.text import slugify

from courseapp.markup.markdown import render, render_inline
from courseapp.markup.yaml_source import SLUG_RE
from courseapp.quizzes.types.base import (
    ChoiceSource,
    EmptyAnswer,
    Fence,
    Grade,
    QuestionSource,
    QuestionType,
    TamperedAnswer,
)

CHOICE_KEYS = frozenset({"id", "text", "correct", "feedback"})


class ChoiceQuestion(QuestionType):
    """Choices with ids, texts, feedback and which are correct; answers are lists of choice ids."""

    has_choices = True
    choice_keys = CHOICE_KEYS

    def parse(self, fence: Fence, question: QuestionSource) -> None:
        question.choices = self._choices(fence)
        question.shuffle = fence.flag("shuffle", self.shuffled_by_default)
        correct = sum(choice.correct for choice in question.choices)
        if len(question.choices) == len(fence.data.get("choices") or []):
            self.check_correct_count(fence, correct)

    def check_correct_count(self, fence: Fence, correct: int) -> None:
        """Report a key that cannot be right (e.g. no correct choice)."""

    def _choices(self, fence: Fence) -> list[ChoiceSource]:
        items = fence.data.get("choices")
        if not isinstance(items, list) or len(items) < 2:
            fence.error(f"a {self.name} question needs a list of at least two choices", "choices")
            return []
        choices: list[ChoiceSource] = []
        for position, item in enumerate(items):
            choice = self._choice(fence, item, position, choices)
            if choice:
                choices.append(choice)
        return choices

    def _choice(self, fence: Fence, item, position: int, earlier) -> ChoiceSource | None:
        where = ("choices", position)
        if not isinstance(item, dict):
            fence.error("each choice must be a mapping with at least 'text'", *where)
            return None
        for name in item:
            if name not in self.choice_keys:
                hint = self.unknown_key_hint(name)
                fence.error(f"unknown choice key {name!r}{hint}", *where, name)
        text = item.get("text")
        if not (isinstance(text, str | int | float) and str(text).strip()):
            fence.error("choice needs a non-empty 'text'", *where)
            return None
        key = item.get("id", slugify(str(text))[:50].strip("-"))
        if not (isinstance(key, str) and SLUG_RE.match(key)):
            fence.error(f"choice id must be a slug, not {key!r}", *where, "id")
            return None
        if any(choice.key == key for choice in earlier):
            fence.error(f"duplicate choice id {key!r}", *where)
            return None
        feedback = item.get("feedback", "")
        return ChoiceSource(
            key=key,
            text_html=render_inline(str(text)),
            correct=self.choice_correct(fence, item, where),
            feedback_html=render(str(feedback)).html if feedback else "",
            position=position,
        )

    def choice_correct(self, fence: Fence, item: dict, where: tuple) -> bool:
        correct = item.get("correct", False)
        if not isinstance(correct, bool):
            fence.error(f"correct must be true or false, not {correct!r}", *where, "correct")
        return correct is True

    def unknown_key_hint(self, name: str) -> str:
        return ""

    def picked(self, choices: Sequence, data: QueryDict) -> list[str]:
        """The ids of the picked choices; choices arrive as opaque row ids."""
        by_value = {str(choice.pk): choice for choice in choices}
        values = data.getlist("choice")
        if not values:
            raise EmptyAnswer("Pick an answer first.")
        unknown = next((value for value in values if value not in by_value), None)
        if unknown is not None:
            raise TamperedAnswer(f"unknown choice {unknown[:40]!r}")
        picked = [by_value[value].key for value in values]
        if len(set(picked)) != len(picked):
            raise TamperedAnswer("a choice was sent twice")
        return picked

    def describe(self, question, choices: Sequence, answer) -> str:
        texts = {choice.key: strip_tags(choice.text_html).strip() for choice in choices}
        keys = answer if isinstance(answer, list) else [answer]
        return "; ".join(texts.get(str(key), str(key)) for key in keys)

    def wrong_answer_group(self, answer) -> str | None:
        # Picked in display order, which differs per student: the same set is the same answer.
        return "; ".join(sorted(map(str, answer))) if isinstance(answer, list) else None

    def display_order(self, choices: list, shuffle) -> list:
        return shuffle(choices) if len(choices) > 1 else choices


class PickChoices(ChoiceQuestion):
    """Choices picked with radio buttons or checkboxes, drawn by one template."""

    keys = frozenset({"choices", "shuffle"})
    shuffled_by_default = True
    input_type = "radio"

    @property
    def template(self) -> str:
        return "quizzes/types/choices.html"


class SingleChoice(PickChoices):
    name = "single"
    label = "Single choice"

    def check_correct_count(self, fence: Fence, correct: int) -> None:
        if correct != 1:
            fence.error(
                f"a single question needs exactly one correct choice, not {correct}", "choices"
            )

    def read(self, choices: Sequence, data: QueryDict) -> list[str]:
        if len(data.getlist("choice")) > 1:
            raise TamperedAnswer("a single-choice question takes one choice")
        return self.picked(choices, data)

    def grade(self, question, choices: Sequence, answer) -> Grade:
        correct = {choice.key for choice in choices if choice.correct}
        return Grade(_each_once(answer, choices) and len(answer) == 1 and answer[0] in correct)

    def sample_answer(self, question, choices: Sequence, *, correct: bool, rng) -> list[str]:
        right = [choice.key for choice in choices if choice.correct]
        wrong = [choice.key for choice in choices if not choice.correct]
        # Earlier distractors are the more tempting ones, so one wrong answer stands out.
        return right[:1] if correct or not wrong else [_tempting(wrong, rng)]


class MultipleChoice(PickChoices):
    name = "multiple"
    label = "Multiple choice"
    input_type = "checkbox"

    def check_correct_count(self, fence: Fence, correct: int) -> None:
        if correct == 0:
            fence.error("a multiple question needs at least one correct choice", "choices")

    def read(self, choices: Sequence, data: QueryDict) -> list[str]:
        return self.picked(choices, data)

    def grade(self, question, choices: Sequence, answer) -> Grade:
        correct = {choice.key for choice in choices if choice.correct}
        return Grade(_each_once(answer, choices) and set(answer) == correct)

    def sample_answer(self, question, choices: Sequence, *, correct: bool, rng) -> list[str]:
        keys = [choice.key for choice in choices]
        right = [choice.key for choice in choices if choice.correct]
        wrong = [choice.key for choice in choices if not choice.correct]
        if correct or not wrong:
            return right
        picked = set(right) ^ {_tempting(keys, rng)}
        return [key for key in keys if key in picked] or [_tempting(wrong, rng)]


class Order(ChoiceQuestion):
    """Items listed in the file in their correct order; shown shuffled, never in that order."""

    name = "order"
    label = "Put in order"
    keys = frozenset({"choices"})
    choice_keys = CHOICE_KEYS - {"correct"}

    def parse(self, fence: Fence, question: QuestionSource) -> None:
        question.choices = self._choices(fence)
        question.shuffle = True

    def choice_correct(self, fence: Fence, item: dict, where: tuple) -> bool:
        return True

    def unknown_key_hint(self, name: str) -> str:
        return " (order questions list choices in the correct order)" * (name == "correct")

    def read(self, choices: Sequence, data: QueryDict) -> list[str]:
        positions = {}
        for choice in choices:
            value = data.get(f"position-{choice.pk}")
            if value is None:
                raise TamperedAnswer("a position is missing")
            # ASCII digits only: str.isdigit() accepts "²", which int() refuses.
            if not (value.isascii() and value.isdigit() and len(value) <= 4):
                raise TamperedAnswer("positions run from 1 to the number of items")
            if not 1 <= int(value) <= len(choices):
                raise TamperedAnswer("positions run from 1 to the number of items")
            positions[choice.key] = int(value)
        if len(set(positions.values())) != len(positions):
            raise EmptyAnswer("Give every item a different position.")
        return sorted(positions, key=positions.get)

    def grade(self, question, choices: Sequence, answer) -> Grade:
        return Grade(list(answer) == [choice.key for choice in choices])

    def wrong_answer_group(self, answer) -> str | None:
        return None  # the order is the answer: nothing to group

    def display_order(self, choices: list, shuffle) -> list:
        if len(choices) < 2:
            return choices
        shuffled = shuffle(choices)
        return shuffled[1:] + shuffled[:1] if shuffled == choices else shuffled

    def sample_answer(self, question, choices: Sequence, *, correct: bool, rng) -> list[str]:
        keys = [choice.key for choice in choices]
        if correct or len(keys) < 2:
            return keys
        i = rng.randrange(len(keys) - 1)
        keys[i], keys[i + 1] = keys[i + 1], keys[i]
        return keys


def _each_once(answer, choices: Sequence) -> bool:
    """The answer names known choices, none twice."""
    return len(set(answer)) == len(answer) and set(answer) <= {choice.key for choice in choices}


def _tempting(keys: list[str], rng) -> str:
    return rng.choices(keys, weights=[2**-i for i in range(len(keys))])[0]
