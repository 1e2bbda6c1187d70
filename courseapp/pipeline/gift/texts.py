"""GIFT text as Markdown, and slugs made of text (pure)."""

import re

from django.utils.html import strip_tags
from django.utils.text import slugify

from courseapp.pipeline.gift.reading import Text

HTML_TAG_RE = re.compile(r"(<(?:/?[A-Za-z][^<>]*|!--.*?--)>)", re.DOTALL)
# What Markdown would read as markup inside a line: code, emphasis, links, attributes.
MARKDOWN_INLINE_RE = re.compile(r"[\\`*\[\]{}]|(?<!_)_{1,2}(?!_)")
# Line starts that would make a heading, a quote, a list item or a numbered list.
MARKDOWN_LINE_START_RE = re.compile(r"^(\s*)(#|>|[+-](?=\s|$)|\d+(?=\.\s))", re.MULTILINE)
ENTITY_RE = re.compile(r"&(?=#?\w+;)")


def markdown(text: Text) -> str:
    """GIFT text as Markdown: Markdown as written, HTML kept (the import sanitizes it), plain
    and Moodle auto-format text escaped so that it reads as written (Moodle's format keeps its
    HTML tags)."""
    if text.format in ("markdown", "html"):
        return text.value
    if text.format == "plain":
        value = ENTITY_RE.sub("&amp;", text.value).replace("<", "&lt;")
        segments = [value]
    else:
        segments = HTML_TAG_RE.split(text.value)
    escaped = "".join(
        segment if index % 2 else MARKDOWN_INLINE_RE.sub(_backslashed, segment)
        for index, segment in enumerate(segments)
    )
    return MARKDOWN_LINE_START_RE.sub(_line_start, escaped)


def _backslashed(found: re.Match) -> str:
    return "".join(f"\\{character}" for character in found[0])


def _line_start(found: re.Match) -> str:
    marker = found[2]
    return found[1] + (f"{marker}\\" if marker[0].isdigit() else f"\\{marker}")


def slug(text: str, *, limit: int = 60) -> str:
    """Lowercase letters, digits and single hyphens, cut at a hyphen within `limit`."""
    value = slugify(re.sub(r"[\s_-]+", " ", strip_tags(text))).strip("-")
    if len(value) > limit:
        value = value[: limit + 1].rsplit("-", 1)[0] if "-" in value[:limit] else value[:limit]
    return value
