"""YAML with line numbers, and the error value every content check reports (pure, no database)."""

import re
from dataclasses import dataclass
from typing import Any

import yaml

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# libyaml's parser when PyYAML was built with it (several times faster), the same safe loading.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, order=True)
class ContentError:
    """A problem an author can fix, located as `path:line` (line 0: the file as a whole)."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class YamlSyntaxError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class Lines:
    """Maps a path into a YAML document (keys and list indexes) to its line in the file."""

    def __init__(self, index: dict[tuple, int], first_line: int) -> None:
        self._index = index
        self._first_line = first_line

    def at(self, *path: str | int) -> int:
        while path and path not in self._index:
            path = path[:-1]
        return self._first_line + self._index.get(path, 0)


def load_yaml(text: str, *, first_line: int) -> tuple[Any, Lines, list[tuple[int, str]]]:
    """Parse one YAML document; return the data, its line index and duplicate-key problems.

    `first_line` is the file line of the text's first line. Syntax errors raise YamlSyntaxError.
    """
    try:
        node, data = _parse(text, SafeLoader, first_line)
    except yaml.YAMLError:
        # Rare, so worth a second parse: the pure-Python parser places errors more precisely
        # (at an unclosed bracket rather than at the line after it).
        try:
            node, data = _parse(text, yaml.SafeLoader, first_line)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = first_line + (mark.line if mark else 0)
            raise YamlSyntaxError(line, f"invalid YAML: {error.problem or error.context}") from None
        except yaml.YAMLError as error:
            raise YamlSyntaxError(first_line, f"invalid YAML: {error}") from None
    index: dict[tuple, int] = {}
    duplicates: list[tuple[int, str]] = []
    if node is not None:
        _index_node(node, (), index, duplicates, first_line)
    return data, Lines(index, first_line), duplicates


def _parse(text: str, loader_class, first_line: int) -> tuple[Any, Any]:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _refuse_alias_bombs(node, first_line)
        return node, loader.construct_document(node)
    finally:
        loader.dispose()


# Content YAML is small; aliases that expand past this many values are an alias bomb, which
# would take minutes and gigabytes to walk (a nine-level "billion laughs").
MAX_EXPANDED_VALUES = 10_000


def _refuse_alias_bombs(root, first_line: int) -> None:
    """Count the values the document holds with every alias written out, stopping at the limit."""
    stack, count = [root], 0
    while stack:
        node = stack.pop()
        count += 1
        if count > MAX_EXPANDED_VALUES:
            raise YamlSyntaxError(
                first_line + root.start_mark.line,
                f"YAML aliases expand to more than {MAX_EXPANDED_VALUES:,} values; "
                "write the values out instead",
            )
        if isinstance(node, yaml.MappingNode):
            stack.extend(child for pair in node.value for child in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def _index_node(node, path, index, duplicates, first_line) -> None:
    index[path] = node.start_mark.line
    if isinstance(node, yaml.MappingNode):
        seen = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                duplicates.append((first_line + key_node.start_mark.line, f"duplicate key {key!r}"))
            seen.add(key)
            index[(*path, key)] = key_node.start_mark.line
            _index_children(value_node, (*path, key), index, duplicates, first_line)
    elif isinstance(node, yaml.SequenceNode):
        for position, item in enumerate(node.value):
            _index_node(item, (*path, position), index, duplicates, first_line)


def _index_children(node, path, index, duplicates, first_line) -> None:
    # The key's own line stays the location of the path; only nested items get lines of their own.
    key_line = index[path]
    _index_node(node, path, index, duplicates, first_line)
    index[path] = key_line


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """Return (front matter YAML or None, body, file line of the body's first line)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None, text, 1
    for number, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return "".join(lines[1:number]), "".join(lines[number + 1 :]), number + 2
    return None, text, 1


def check_keys(
    data: dict, *, required: set[str], allowed: set[str], lines: Lines, path: str, what: str
) -> list[ContentError]:
    errors = [
        ContentError(path, lines.at(key), f"unknown {what} key {key!r}")
        for key in data
        if key not in allowed
    ]
    errors += [
        ContentError(path, lines.at(), f"missing required {what} key {key!r}")
        for key in sorted(required - data.keys())
    ]
    return errors
