"""Markdown to sanitized HTML: the one renderer for lessons, questions and cards.

Pure functions: text in, HTML and metadata out, no database. Raw HTML in the source is
cleaned with nh3, so scripts, event handlers and `javascript:` URLs never reach a page.
"""

import html
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from posixpath import normpath
from urllib.parse import urlsplit

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

# Bump when the rendered output changes for the same source, so the next import re-renders it.
RENDERER_VERSION = "2"
# Every id in rendered content starts with this, and so does every in-page link to one: content
# can then never take an id the page relies on (the skip link's "main", a question's "q-<key>"),
# whether the id is raw HTML's or a heading's. Page templates never use ids starting with it.
CONTENT_ID_PREFIX = "c-"
# Where a quiz fence stood in a rendered lesson; the lesson page puts the question there.
QUIZ_MARKER = "<!-- quiz:{key} -->"
QUIZ_MARKER_RE = re.compile(r"<!-- quiz:([a-z0-9-]+) -->")

EXTENSIONS = [
    "admonition",
    "attr_list",
    "def_list",
    "footnotes",
    "sane_lists",
    "tables",
    "toc",
    "pymdownx.details",
    "pymdownx.highlight",
    "pymdownx.inlinehilite",
    "pymdownx.superfences",
    "pymdownx.tabbed",
]
EXTENSION_CONFIGS = {
    "toc": {"permalink": "#", "permalink_title": "Link to this section", "toc_depth": "2-3"},
    "tables": {"use_align_attribute": True},
    "pymdownx.highlight": {"use_pygments": True, "guess_lang": False, "pygments_lang_class": True},
    "pymdownx.tabbed": {"alternate_style": True},
}

ALLOWED_TAGS = nh3.ALLOWED_TAGS | {
    "details", "summary", "input", "label", "div", "span", "pre", "code", "kbd", "mark",
    "table", "thead", "tbody", "tr", "th", "td", "sup", "sub", "hr", "dl", "dt", "dd",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "input": {"type", "name", "checked"},
    "label": {"for"},
    "th": {"align", "colspan", "rowspan"},
    "td": {"align", "colspan", "rowspan"},
    "ol": {"start"},
    "details": {"open"},
}
# Tabs are radio buttons grouped by name (pymdownx.tabbed); the only names content may carry.
TAB_GROUP_RE = re.compile(r"__tabbed_[0-9]+")
# nh3 escapes ">" inside attribute values, so in its output this spans exactly one tag, and a
# type attribute is always written as ` type="..."` (quotes inside values are escaped too).
INPUT_TAG_RE = re.compile(r"<input\b[^>]*>")
TOGGLE_TYPE_RE = re.compile(r'\stype="(radio|checkbox)"')


def content_id(value: str) -> str:
    """The id an element of rendered content gets for `value` (see CONTENT_ID_PREFIX)."""
    return CONTENT_ID_PREFIX + value


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "id" or (tag, attribute) == ("label", "for"):
        return content_id(value)
    if (tag, attribute) == ("a", "href") and value.startswith("#") and len(value) > 1:
        return "#" + content_id(value[1:])
    if tag == "input" and attribute == "type":
        value = value.lower()
        return value if value in {"radio", "checkbox"} else None
    if tag == "input" and attribute == "name":
        # A name would let content pose as a login form for password managers.
        return value if TAB_GROUP_RE.fullmatch(value) else None
    return value


def _toggle_inputs_only(tag: re.Match) -> str:
    # A text box, password field or button from content could pass for the site's own form.
    kind = TOGGLE_TYPE_RE.search(tag[0])
    if kind is None:
        return ""
    if kind[1] == "checkbox":  # a task list's tick, shown and never a control
        return tag[0][:-1] + " disabled>"
    return tag[0]


def sanitize(html_text: str) -> str:
    """`html_text` with only the allowed tags and attributes, ids moved under
    CONTENT_ID_PREFIX, and no form control but tab radios and disabled checkboxes."""
    cleaned = nh3.clean(
        html_text,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
    )
    return INPUT_TAG_RE.sub(_toggle_inputs_only, cleaned)


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    text: str


@dataclass
class Rendered:
    html: str
    headings: list[Heading]
    text: str
    problems: list[tuple[str, str]] = field(default_factory=list)  # (link as written, message)


# Resolves a relative link to a Markdown file ("../02-x/01-y.md") to a URL, or None if missing.
LinkResolver = Callable[[str], str | None]


class _LessonLinks(Treeprocessor):
    def __init__(self, md, extension: "_LessonLinksExtension") -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, root) -> None:
        resolve, rendered = self.extension.resolver, self.extension.rendered
        for anchor in root.iter("a"):
            href = anchor.get("href", "")
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.endswith(".md"):
                continue
            url = resolve(normpath(parts.path))
            if url is None:
                rendered.problems.append((href, f"link to a missing lesson file {href!r}"))
                continue
            url += f"#{content_id(parts.fragment)}" if parts.fragment else ""
            anchor.set("href", url)


class _LessonLinksExtension(Extension):
    """Rewrites links to lesson files; `resolver` and `rendered` are set for each document."""

    resolver: LinkResolver
    rendered: Rendered

    def extendMarkdown(self, md) -> None:  # the name is Python-Markdown's API
        md.treeprocessors.register(_LessonLinks(md, self), "lesson-links", 5)


def _no_links(path: str) -> None:
    return None


_local = threading.local()


def _converter() -> tuple[markdown.Markdown, _LessonLinksExtension]:
    # Building a Markdown instance loads every extension: do it once per thread, reset per use.
    if not hasattr(_local, "md"):
        _local.links = _LessonLinksExtension()
        _local.md = markdown.Markdown(
            extensions=[*EXTENSIONS, _local.links], extension_configs=EXTENSION_CONFIGS
        )
    return _local.md, _local.links


# One line of words and punctuation that Markdown leaves as it is: a prompt, a choice, a feedback.
PLAIN_RE = re.compile(r"[A-Za-z][A-Za-z0-9 ,.;:?!'\"()/%=@$+-]*")


def render(text: str, *, resolve_link: LinkResolver = _no_links) -> Rendered:
    """Render a Markdown document to sanitized HTML with its h2/h3 headings and plain text."""
    plain = text.rstrip("\n")
    if PLAIN_RE.fullmatch(plain) and plain == plain.strip() and "  " not in plain:
        # The paragraph Markdown would make, without a converter's run (most quiz texts are this).
        return Rendered(html=f"<p>{html.escape(plain, quote=False)}</p>", headings=[], text=plain)
    return render_markdown(text, resolve_link=resolve_link)


def render_markdown(text: str, *, resolve_link: LinkResolver = _no_links) -> Rendered:
    """`render` through the whole Markdown pipeline."""
    rendered = Rendered(html="", headings=[], text="")
    md, links = _converter()
    links.resolver, links.rendered = resolve_link, rendered
    md.reset()
    rendered.html = sanitize(md.convert(text))
    rendered.headings = list(_flatten(md.toc_tokens))
    rendered.text = plain_text(rendered.html)
    return rendered


def render_inline(text: str) -> str:
    """Render a short Markdown snippet (a choice, a card front) without the wrapping paragraph."""
    html_text = render(text).html.strip()
    if html_text.startswith("<p>") and html_text.endswith("</p>") and html_text.count("<p>") == 1:
        return html_text[3:-4]
    return html_text


HEADERLINK_RE = re.compile(r'<a class="headerlink"[^>]*>.*?</a>')
SPACE_RE = re.compile(r"\s+")


def plain_text(html_text: str) -> str:
    text = nh3.clean(HEADERLINK_RE.sub("", html_text), tags=set())
    return SPACE_RE.sub(" ", html.unescape(text)).strip()


def _flatten(tokens: list[dict]):
    for token in tokens:
        name = html.unescape(plain_text(token["name"]))
        yield Heading(level=token["level"], id=content_id(token["id"]), text=name)
        yield from _flatten(token["children"])


FENCE_OPEN_RE = re.compile(r"^ {0,3}(?P<mark>`{3,}|~{3,})\s*(?P<info>[^`\s]*)")


@dataclass(frozen=True)
class Fence:
    start: int  # index of the opening line
    end: int  # index of the closing line (len(lines) when the fence is never closed)
    info: str


def find_fences(lines: list[str]) -> list[Fence]:
    """Top-level fenced code blocks of a Markdown source, by line index."""
    fences: list[Fence] = []
    index = 0
    while index < len(lines):
        opening = FENCE_OPEN_RE.match(lines[index])
        if not opening:
            index += 1
            continue
        mark = opening["mark"]
        close_re = re.compile(rf"^ {{0,3}}{mark[0]}{{{len(mark)},}}\s*$")
        end = next(
            (i for i in range(index + 1, len(lines)) if close_re.match(lines[i])), len(lines)
        )
        fences.append(Fence(index, end, opening["info"].strip("{}. ").lower()))
        index = end + 1
    return fences
