"""Flashcard decks from Markdown: one card per `## Front` heading (pure, no database)."""

import re
from dataclasses import dataclass, field

from django.utils.text import slugify

from courseapp.markup.markdown import find_fences, render, render_inline
from courseapp.markup.yaml_source import SLUG_RE, ContentError

CARD_HEADING_RE = re.compile(r"^##(?!#)\s+(?P<front>.*?)(?:\s*\{#(?P<key>[^}]*)\})?\s*$")


@dataclass
class CardSource:
    key: str
    front_html: str
    back_html: str
    position: int
    line: int


@dataclass
class DeckBody:
    cards: list[CardSource] = field(default_factory=list)
    errors: list[ContentError] = field(default_factory=list)


def parse_cards(body: str, *, path: str, first_line: int) -> DeckBody:
    """Split a deck's body into cards; the back runs up to the next `##` heading."""
    lines = body.splitlines()
    in_fence = set()
    for fence in find_fences(lines):
        in_fence.update(range(fence.start, fence.end + 1))
    headings = [
        (index, match)
        for index, line in enumerate(lines)
        if index not in in_fence and (match := CARD_HEADING_RE.match(line))
    ]
    deck = DeckBody()
    before_first = lines[: headings[0][0]] if headings else lines
    if any(line.strip() for line in before_first):
        deck.errors.append(
            ContentError(
                path, first_line, "text before the first card: every card starts with '## Front'"
            )
        )
    ends = [index for index, _ in headings[1:]] + [len(lines)]
    for position, ((index, match), end) in enumerate(zip(headings, ends, strict=True)):
        line = first_line + index
        front = match["front"].strip()
        key = match["key"] if match["key"] is not None else slugify(front)[:80].strip("-")
        back = "\n".join(lines[index + 1 : end]).strip()
        problem = _card_problem(front, key, back, deck.cards)
        if problem:
            deck.errors.append(ContentError(path, line, problem))
            continue
        deck.cards.append(
            CardSource(
                key=key,
                front_html=render_inline(front),
                back_html=render(back).html,
                position=position,
                line=line,
            )
        )
    if not headings:
        deck.errors.append(
            ContentError(path, first_line, "a deck needs at least one '## Front' card")
        )
    return deck


def _card_problem(front: str, key: str, back: str, cards: list[CardSource]) -> str | None:
    if not front:
        return "card front is empty"
    if not SLUG_RE.match(key):
        return f"card key must be a slug (lowercase letters, digits, hyphens), not {key!r}"
    if any(card.key == key for card in cards):
        return f"duplicate card key {key!r} in this deck"
    if not back:
        return f"card {key!r} has no back: write its answer below the heading"
    return None
