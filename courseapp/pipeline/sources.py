"""Read a content folder into validated, rendered sources (pure: files in, values out).

Everything is parsed and checked before anything is written; every problem is collected as a
ContentError with its file and line.
"""

import functools
import hashlib
import json
import math
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.urls import URLResolver, get_resolver

from courseapp.markup.markdown import (
    QUIZ_MARKER,
    RENDERER_VERSION,
    Heading,
    find_fences,
    plain_text,
    render,
)
from courseapp.markup.yaml_source import (
    SLUG_RE,
    ContentError,
    Lines,
    YamlSyntaxError,
    check_keys,
    load_yaml,
    split_front_matter,
)
from courseapp.pipeline.decks import CardSource, parse_cards
from courseapp.quizzes.parsing import parse_question
from courseapp.quizzes.types import QuestionSource

NUMBERED_RE = re.compile(r"^(?P<number>\d+)-(?P<slug>.+)$")
WORDS_PER_MINUTE = 200
_QUIZ_SLOT = "QUIZ-SLOT-7f3a-{key}"

# A course's `published: false` is the older spelling of `draft: true`.
COURSE_KEYS = ({"title"}, {"title", "summary", "order", "draft", "published"})
MODULE_KEYS = ({"title"}, {"title", "summary", "draft"})
LESSON_KEYS = ({"title"}, {"title", "summary", "minutes", "objectives", "draft"})
DECK_KEYS = ({"title"}, {"title", "summary"})


@dataclass
class LessonSource:
    slug: str
    title: str
    path: str  # as the import was given it, for messages
    source: str  # within the course folder ("01-basics/02-run.md"): its identity on disk
    position: int
    content_hash: str
    summary: str = ""
    minutes: int = 1
    objectives: list[str] = field(default_factory=list)
    draft: bool = False
    html: str = ""
    headings: list[Heading] = field(default_factory=list)
    text: str = ""
    questions: list[QuestionSource] = field(default_factory=list)
    stored: bool = False  # read back from the database (unchanged file), not parsed


@dataclass
class ModuleSource:
    slug: str
    title: str
    position: int
    summary: str = ""
    draft: bool = False
    lessons: list[LessonSource] = field(default_factory=list)


@dataclass
class DeckSource:
    slug: str
    title: str
    position: int
    summary: str = ""
    cards: list[CardSource] = field(default_factory=list)


@dataclass
class CourseSource:
    slug: str
    title: str
    summary: str = ""
    order: int = 0
    published: bool = True
    modules: list[ModuleSource] = field(default_factory=list)
    decks: list[DeckSource] = field(default_factory=list)

    @property
    def lessons(self) -> list[LessonSource]:
        return [lesson for module in self.modules for lesson in module.lessons]


@dataclass
class ContentTree:
    courses: list[CourseSource] = field(default_factory=list)
    errors: list[ContentError] = field(default_factory=list)
    files: int = 0


@dataclass
class _FrontMatter:
    data: dict
    body: str
    body_line: int
    lines: Lines = field(default_factory=lambda: Lines({}, 2))


# Returns the stored reading of a lesson file by (source within its course, content hash).
Reuse = Callable[[str, str], "LessonSource | None"]


def read_content(
    root: Path,
    *,
    on_file: Callable[[int, int], None] | None = None,
    reuse: Reuse | None = None,
    max_file_bytes: int | None = None,
) -> ContentTree:
    """Read every course under `root` (or `root` itself if it holds a course.md).

    A lesson file whose content hash `reuse` knows is not parsed or rendered again: its hash
    covers its bytes, the renderer's version and where each of its links leads, so it would
    read exactly as stored. Files over `max_file_bytes` (default: the CONTENT_MAX_FILE_BYTES
    setting) are refused unread.
    """
    limits = _Limits(root, max_file_bytes or settings.CONTENT_MAX_FILE_BYTES)
    folders = [root] if (root / "course.md").exists() else _course_folders(root)
    tree = ContentTree()
    plans = [_CoursePlan(folder, tree.errors, reuse, limits) for folder in folders]
    total = sum(len(plan.files) for plan in plans)
    for plan in plans:
        course = plan.read(lambda: _count(tree, total, on_file))
        if course:
            tree.courses.append(course)
    tree.errors.sort()
    return tree


def _count(tree: ContentTree, total: int, on_file) -> None:
    tree.files += 1
    if on_file:
        on_file(tree.files, total)


def _course_folders(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def _display(path: Path) -> str:
    return str(path)


@functools.cache
def reserved_lesson_slugs() -> frozenset[str]:
    """The first segments of the routes under /courses/<course>/ besides the lesson page
    (`start`, `questions`, `flashcards`, …): read from the URL table, so a route added later
    is reserved too. A lesson with such a slug could never be opened."""
    prefix = "courses/<slug:course_slug>/"
    reserved = set()
    for route in _routes(get_resolver().url_patterns, ""):
        if route.startswith(prefix):
            segment = route.removeprefix(prefix).split("/", 1)[0]
            if segment and "<" not in segment:
                reserved.add(segment)
    return frozenset(reserved)


def _routes(patterns, prefix: str):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        else:
            yield route


@dataclass(frozen=True)
class _Limits:
    root: Path
    max_file_bytes: int


class _CoursePlan:
    """The files of one course folder, checked for layout before any of them is parsed."""

    def __init__(
        self, folder: Path, errors: list[ContentError], reuse: Reuse | None, limits: _Limits
    ) -> None:
        self.folder = folder
        self.errors = errors
        self.reuse = reuse
        self.limits = limits
        self.modules: list[tuple[int, str, Path]] = []
        self.lessons: dict[Path, list[tuple[int, str, Path]]] = {}
        self.decks: list[Path] = []
        self.files: list[Path] = []
        self._scan()

    def _error(self, path: Path, line: int, message: str) -> None:
        self.errors.append(ContentError(_display(path), line, message))

    def _scan(self) -> None:
        folder = self.folder
        if not SLUG_RE.match(folder.name):
            self._error(
                folder / "course.md", 1, f"course folder name {folder.name!r} is not a slug"
            )
        if not (folder / "course.md").is_file():
            self._error(folder / "course.md", 1, "missing course.md (front matter: title, summary)")
            return
        self.files.append(folder / "course.md")
        for entry in sorted(folder.iterdir()):
            if entry.name.startswith(".") or entry.name == "course.md" or not self._usable(entry):
                continue
            if entry.is_dir() and entry.name == "flashcards":
                self.decks = sorted(
                    p for p in entry.iterdir() if p.suffix == ".md" and self._usable(p, file=True)
                )
                self.files += self.decks
            elif entry.is_dir():
                self._scan_module(entry)
            elif entry.suffix == ".md":
                self._error(
                    entry,
                    1,
                    "unexpected file: lessons live in module folders (NN-module/NN-lesson.md)",
                )
        self._check_lesson_slugs()

    def _scan_module(self, folder: Path) -> None:
        numbered = _numbered(folder.name)
        if numbered is None:
            self._error(folder, 1, "module folder must be named NN-slug (e.g. 01-basics)")
            return
        self.modules.append((*numbered, folder))
        lessons = self.lessons.setdefault(folder, [])
        if (folder / "module.md").is_file():
            self.files.append(folder / "module.md")
        for entry in sorted(folder.iterdir()):
            if entry.suffix != ".md" or entry.name == "module.md":
                continue
            if not self._usable(entry, file=True):
                continue
            numbered = _numbered(entry.stem)
            if numbered is None:
                self._error(entry, 1, "lesson file must be named NN-slug.md (e.g. 01-intro.md)")
                continue
            lessons.append((*numbered, entry))
            self.files.append(entry)

    def _usable(self, entry: Path, *, file: bool = False) -> bool:
        """Whether an entry may be read: no link out of the content folder, a file where a
        file is expected, no file over the size limit; anything else is reported."""
        if entry.is_symlink() and not entry.resolve().is_relative_to(self.limits.root.resolve()):
            self.errors.append(
                ContentError(_display(entry), 0, "symlink outside the content folder")
            )
            return False
        if file and not entry.is_file():
            self._error(entry, 0, "expected a file, found a folder")
            return False
        if file and entry.stat().st_size > self.limits.max_file_bytes:
            size, limit = entry.stat().st_size, self.limits.max_file_bytes
            message = f"file too large ({size:,} bytes; at most {limit:,}, CONTENT_MAX_FILE_BYTES)"
            self._error(entry, 0, message)
            return False
        return True

    def _decoded(self, path: Path, raw: bytes) -> str | None:
        """The file's text; a file that is not UTF-8 is an error, never replacement characters."""
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as error:
            line = raw[: error.start].count(b"\n") + 1
            byte = raw[error.start]
            message = f"not UTF-8 (byte 0x{byte:02x} at line {line})"
            self._error(path, 0, message)
            return None

    def _check_lesson_slugs(self) -> None:
        seen: dict[str, Path] = {}
        reserved = reserved_lesson_slugs()
        for _, slug, path in sorted(item for items in self.lessons.values() for item in items):
            if slug in reserved:
                self._error(
                    path,
                    1,
                    f"lesson slug {slug!r} is reserved: /courses/<course>/{slug}/ is a page of "
                    "its own; rename the file",
                )
            elif slug in seen:
                self._error(
                    path, 1, f"lesson slug {slug!r} is already used by {_display(seen[slug])}"
                )
            seen[slug] = path
        module_slugs = [slug for _, slug, _ in self.modules]
        for _, slug, path in self.modules:
            if module_slugs.count(slug) > 1:
                self._error(path, 1, f"module slug {slug!r} is used by more than one folder")

    def read(self, counted: Callable[[], None]) -> CourseSource | None:
        if not (self.folder / "course.md").is_file():
            return None
        meta = self._front_matter(self.folder / "course.md", COURSE_KEYS)
        counted()
        course = CourseSource(
            slug=self.folder.name,
            title=str(meta.data.get("title", self.folder.name)),
            summary=str(meta.data.get("summary", "")),
            order=self._typed(meta, "order", int, 0, self.folder / "course.md"),
            published=not self._course_draft(meta),
        )
        # Lesson files by their path in the course folder ("01-basics/02-run.md"): their URLs.
        urls = {
            self._relative(path): f"/courses/{course.slug}/{slug}/"
            for items in self.lessons.values()
            for _, slug, path in items
        }
        for number, slug, folder in sorted(self.modules):
            course.modules.append(self._read_module(number, slug, folder, urls, counted))
        for position, path in enumerate(self.decks):
            deck = self._read_deck(position, path)
            counted()
            if deck:
                course.decks.append(deck)
        self._check_question_ids(course)
        return course

    def _read_module(self, number, slug, folder, urls, counted) -> ModuleSource:
        module = ModuleSource(slug=slug, title=slug.replace("-", " ").capitalize(), position=number)
        if (folder / "module.md").is_file():
            meta = self._front_matter(folder / "module.md", MODULE_KEYS)
            counted()
            module.title = str(meta.data.get("title", module.title))
            module.summary = str(meta.data.get("summary", ""))
            module.draft = self._typed(meta, "draft", bool, False, folder / "module.md")
        for lesson_number, lesson_slug, path in sorted(self.lessons[folder]):
            lesson = self._read_lesson(lesson_number, lesson_slug, path, urls)
            counted()
            if lesson:
                module.lessons.append(lesson)
        return module

    @staticmethod
    def _relative(lesson_path: Path) -> str:
        """A lesson file's path in its course folder ("01-basics/02-run.md"): lessons always sit
        one module folder deep (see _scan)."""
        return f"{lesson_path.parent.name}/{lesson_path.name}"

    def _read_lesson(self, number: int, slug: str, path: Path, urls) -> LessonSource | None:
        raw = path.read_bytes()
        here = posixpath.dirname(self._relative(path))

        def resolve(link: str) -> str | None:
            return urls.get(_normalize(posixpath.join(here, link)))

        content_hash = _hash(raw, RENDERER_VERSION, _link_targets(raw, resolve))
        source = self._relative(path)
        stored = self.reuse(source, content_hash) if self.reuse else None
        if stored is not None:
            stored.path = _display(path)
            return stored
        text = self._decoded(path, raw)
        if text is None:
            return None
        meta = self._front_matter(path, LESSON_KEYS, text)
        lesson = LessonSource(
            slug=slug,
            title=str(meta.data.get("title", slug)),
            path=_display(path),
            source=source,
            position=number,
            content_hash=content_hash,
            summary=str(meta.data.get("summary", "")),
            draft=self._typed(meta, "draft", bool, False, path),
            objectives=self._objectives(meta, path),
        )
        body, questions = self._extract_quizzes(meta.body, path, meta.body_line)
        lesson.questions = questions
        rendered = render(body, resolve_link=resolve)
        for href, message in rendered.problems:
            self._error(path, _line_of(text, href), message)
        lesson.html = _place_quizzes(rendered.html, questions)
        lesson.headings = rendered.headings
        lesson.text = plain_text(lesson.html)
        words = len(rendered.text.split())
        lesson.minutes = self._typed(
            meta, "minutes", int, max(1, math.ceil(words / WORDS_PER_MINUTE)), path
        )
        return lesson

    def _extract_quizzes(
        self, body: str, path: Path, body_line: int
    ) -> tuple[str, list[QuestionSource]]:
        lines = body.splitlines()
        questions: list[QuestionSource] = []
        for fence in reversed([f for f in find_fences(lines) if f.info == "quiz"]):
            if fence.end == len(lines):
                self._error(path, body_line + fence.start, "quiz fence is never closed")
                continue
            text = "\n".join(lines[fence.start + 1 : fence.end])
            question, errors = parse_question(
                text, path=_display(path), first_line=body_line + fence.start + 1
            )
            self.errors.extend(errors)
            if question:
                questions.insert(0, question)
                token = _QUIZ_SLOT.format(key=question.key)
                lines[fence.start : fence.end + 1] = ["", token, ""]
            else:
                lines[fence.start : fence.end + 1] = [""]
        return "\n".join(lines), questions

    def _read_deck(self, position: int, path: Path) -> DeckSource | None:
        numbered = _numbered(path.stem)
        slug = numbered[1] if numbered else path.stem
        if not SLUG_RE.match(slug):
            self._error(path, 1, f"deck file name {path.name!r} is not a slug")
            return None
        text = self._decoded(path, path.read_bytes())
        if text is None:
            return None
        meta = self._front_matter(path, DECK_KEYS, text)
        body = parse_cards(meta.body, path=_display(path), first_line=meta.body_line)
        self.errors.extend(body.errors)
        return DeckSource(
            slug=slug,
            title=str(meta.data.get("title", slug)),
            summary=str(meta.data.get("summary", "")),
            position=numbered[0] if numbered else position,
            cards=body.cards,
        )

    def _check_question_ids(self, course: CourseSource) -> None:
        seen: dict[str, str] = {}
        for lesson in course.lessons:
            for question in lesson.questions:
                if question.key in seen:
                    self.errors.append(
                        ContentError(
                            lesson.path,
                            question.line,
                            f"question id {question.key!r} is already used in {seen[question.key]}",
                        )
                    )
                seen.setdefault(question.key, lesson.path)

    def _front_matter(self, path: Path, keys, text: str | None = None) -> _FrontMatter:
        text = self._decoded(path, path.read_bytes()) if text is None else text
        if text is None:
            return _FrontMatter({}, "", 1)
        yaml_text, body, body_line = split_front_matter(text)
        where = _display(path)
        if yaml_text is None:
            self._error(
                path, 1, "missing front matter: start the file with '---', title: ..., '---'"
            )
            return _FrontMatter({}, text, 1)
        try:
            data, lines, duplicates = load_yaml(yaml_text, first_line=2)
        except YamlSyntaxError as error:
            self._error(path, error.line, f"front matter: {error.message}")
            return _FrontMatter({}, body, body_line)
        for line, message in duplicates:
            self._error(path, line, f"front matter: {message}")
        if not isinstance(data, dict):
            self._error(path, 2, "front matter must be a YAML mapping (key: value lines)")
            return _FrontMatter({}, body, body_line)
        required, allowed = keys
        self.errors.extend(
            check_keys(
                data,
                required=required,
                allowed=allowed,
                lines=lines,
                path=where,
                what="front-matter",
            )
        )
        for name in ("title", "summary"):
            if name in data and not (isinstance(data[name], str) and data[name].strip()):
                self._error(path, lines.at(name), f"front matter: {name} must be non-empty text")
        return _FrontMatter(data, body, body_line, lines)

    def _typed(self, meta: _FrontMatter, name: str, kind: type, default, path: Path):
        if name not in meta.data:
            return default
        value = meta.data[name]
        valid = isinstance(value, kind) and (kind is bool or not isinstance(value, bool))
        if not valid or (kind is int and value < 0):
            expected = "true or false" if kind is bool else "a whole number ≥ 0"
            self._error(
                path, meta.lines.at(name), f"front matter: {name} must be {expected}, not {value!r}"
            )
            return default
        return value

    def _course_draft(self, meta: _FrontMatter) -> bool:
        """`draft: true`, or its older spelling `published: false`; both given must agree."""
        path = self.folder / "course.md"
        draft = self._typed(meta, "draft", bool, False, path)
        hidden = not self._typed(meta, "published", bool, True, path)
        if "draft" in meta.data and "published" in meta.data and draft != hidden:
            self._error(
                path,
                meta.lines.at("published"),
                "front matter: published contradicts draft; keep draft only",
            )
        return draft or hidden

    def _objectives(self, meta: _FrontMatter, path: Path) -> list[str]:
        value = meta.data.get("objectives", [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self._error(
                path,
                meta.lines.at("objectives"),
                "front matter: objectives must be a list of text items",
            )
            return []
        return value


def _numbered(name: str) -> tuple[int, str] | None:
    match = NUMBERED_RE.match(name)
    if not match or not SLUG_RE.match(match["slug"]):
        return None
    return int(match["number"]), match["slug"]


def _normalize(path: str) -> str:
    parts: list[str] = []
    for part in path.split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part not in {".", ""}:
            parts.append(part)
    return "/".join(parts)


def _line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return 1


def _place_quizzes(html: str, questions: list[QuestionSource]) -> str:
    for question in questions:
        token = _QUIZ_SLOT.format(key=question.key)
        html = html.replace(f"<p>{token}</p>", QUIZ_MARKER.format(key=question.key))
    return html


# What ends a link's path in Markdown source: every word between these ending in ".md" is a
# possible lesson link, a superset of the links a lesson has.
_LINK_DELIMITERS = b" \t\n\r\f\v()<>[]\"'`#?"
_WORD_END_MD_RE = re.compile(rb"\.md(?![^\s()<>\[\]\"'`#?])")


def _link_targets(raw: bytes, resolve: Callable[[str], str | None]) -> str:
    """Where every possible lesson link of a file leads, for its content hash."""
    candidates = set()
    for match in _WORD_END_MD_RE.finditer(raw):
        start = max(raw.rfind(delimiter, 0, match.start()) for delimiter in _LINK_DELIMITERS) + 1
        candidates.add(raw[start : match.end()].decode("utf-8", "replace"))
    return json.dumps({link: resolve(posixpath.normpath(link)) for link in sorted(candidates)})


def _hash(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\0")
    return digest.hexdigest()
