"""YAML read as Kubernetes and Compose read it, with aliases allowed but their expansion bounded.

Compose files share settings through anchors and aliases (`x-common: &common`, `<<: *common`), so
both are allowed. An alias repeats a whole subtree without repeating its text, though, so a few
lines can stand for billions of values. The loader counts what every node expands to while it
composes the document, and refuses it past MAX_VALUES before anything walks the expanded tree
(merging `<<` keys included). Nesting is bounded too, so nothing recurses without limit.

Every mapping key is read as the text it was written as (`80: x` has the key "80"), which keeps
documents plain JSON data for the schemas and for JMESPath. Duplicate keys are errors, as they
are for Compose and for kubectl's strict validation.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml._yaml import CParser  # libyaml, which PyYAML's wheels include
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from .reading import Problem

# Written out, a value takes at least two characters (`1,`), so 20,000 characters hold about
# 10,000: aliases may not make a document bigger than plain text could, and every later step
# (schema, checks) is bounded by what plain text costs.
MAX_VALUES = 10_000
MAX_DEPTH = 64

MERGE_TAG = "tag:yaml.org,2002:merge"


class UnreadableYaml(Exception):
    """The text is not YAML these loaders accept; `problem` says where and why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class _Refused(yaml.MarkedYAMLError):
    """A limit or rule of this loader, reported at the node that broke it."""

    def __init__(self, message: str, mark: yaml.Mark) -> None:
        super().__init__(problem=message, problem_mark=mark)


@dataclass(frozen=True)
class YamlDocument:
    """One document: its data and its node tree, which knows the line of every value."""

    node: Node
    data: Any
    _keys: dict[int, dict[str, tuple[Node, Node]]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def line_of(self, path: list[str | int] | tuple[str | int, ...]) -> int:
        """The line of the key (or list item) at `path`; as near as it gets when it is missing."""
        node = self.node
        line = node.start_mark.line + 1
        for step in path:
            if isinstance(node, MappingNode) and (pair := self._pairs(node).get(str(step))):
                key, node = pair
                line = key.start_mark.line + 1
            elif (
                isinstance(node, SequenceNode) and isinstance(step, int) and step < len(node.value)
            ):
                node = node.value[step]
                line = node.start_mark.line + 1
            else:
                break
        return line

    def _pairs(self, node: MappingNode) -> dict[str, tuple[Node, Node]]:
        # Indexed once per mapping: schema errors may point into one mapping many times.
        if id(node) not in self._keys:
            self._keys[id(node)] = {key.value: (key, value) for key, value in node.value}
        return self._keys[id(node)]


class _BoundedLoader(Composer, CParser, SafeConstructor, Resolver):
    """PyYAML's safe loader with the bounds above; YAML 1.1 types, as Kubernetes reads them.

    libyaml parses (a few times faster than PyYAML's own parser, whose cost grows with every
    open `[`); PyYAML's composer, in Python, builds the nodes, so this class can count them.
    """

    def __init__(self, text: str) -> None:
        CParser.__init__(self, text)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self._expanded: dict[int, tuple[int, int]] = {}  # id(node): (values, levels)
        self._depth = 0
        self._total = 0

    def compose_document(self) -> Node:
        node = super().compose_document()
        self._total += self._expanded[id(node)][0]
        if self._total > MAX_VALUES:
            raise _Refused(_too_many_values(), node.start_mark)
        return node

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            node = super().compose_node(parent, index)
            if id(node) not in self._expanded:
                raise _Refused("an alias may not refer to a value that contains it", mark)
            return node
        # YAML lets an anchor be defined again; aliases after it mean the new value.
        self.anchors.pop(self.peek_event().anchor, None)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(_too_deep(), self.peek_event().start_mark)
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        children = _children(node)
        values = 1 + sum(self._expanded[id(child)][0] for child in children)
        levels = 1 + max((self._expanded[id(child)][1] for child in children), default=0)
        if values > MAX_VALUES:
            raise _Refused(_too_many_values(), node.start_mark)
        if levels > MAX_DEPTH:
            raise _Refused(_too_deep(), node.start_mark)
        self._expanded[id(node)] = (values, levels)
        if isinstance(node, MappingNode):
            _refuse_duplicate_keys(node)
        return node

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[str, Any]:
        if not isinstance(node, MappingNode):
            raise ConstructorError(
                None, None, f"expected a mapping, found {node.id}", node.start_mark
            )
        self.flatten_mapping(node)
        mapping = {}
        for key, value in node.value:
            if not isinstance(key, ScalarNode):
                raise _Refused(f"a key must be a plain value, not a {key.id}", key.start_mark)
            mapping[key.value] = self.construct_object(value, deep=deep)
        return mapping

    def construct_yaml_int(self, node: ScalarNode) -> int:
        try:
            return super().construct_yaml_int(node)
        except ValueError:
            raise _Refused("this number is too long", node.start_mark) from None

    def construct_as_written(self, node: ScalarNode) -> str:
        return str(node.value)

    def refuse_tag(self, node: Node) -> None:
        raise _Refused(f"the tag {node.tag} is not supported here", node.start_mark)


_BoundedLoader.add_constructor("tag:yaml.org,2002:int", _BoundedLoader.construct_yaml_int)
# Dates stay text as written: checks compare them as strings, and JSON has no dates.
_BoundedLoader.add_constructor("tag:yaml.org,2002:timestamp", _BoundedLoader.construct_as_written)
_BoundedLoader.add_constructor("tag:yaml.org,2002:value", _BoundedLoader.construct_as_written)
for _tag in ("binary", "set", "omap", "pairs"):
    _BoundedLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _BoundedLoader.refuse_tag)


class _Yaml12Loader(_BoundedLoader):
    """YAML 1.2 core types, as Compose's Go YAML library reads them: `no` and `on` are text."""

    yaml_implicit_resolvers: dict = {}

    def construct_yaml_int(self, node: ScalarNode) -> int:
        text = node.value
        digits = text.lstrip("+-")
        sign = -1 if text.startswith("-") else 1
        try:
            if digits.startswith(("0o", "0x")):
                return int(digits[2:], 8 if digits[1] == "o" else 16)
            # Go's YAML reads a leading zero as octal (`mode: 0440`), as YAML 1.1 did.
            if len(digits) > 1 and digits.startswith("0") and max(digits) < "8":
                return sign * int(digits, 8)
            return sign * int(digits)
        except ValueError:
            raise _Refused("this number is too long", node.start_mark) from None


for _tag, _pattern, _first in (
    ("bool", r"true|True|TRUE|false|False|FALSE", "tTfF"),
    ("int", r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+", "-+0123456789"),
    (
        "float",
        r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
        "-+.0123456789",
    ),
    ("null", r"~|null|Null|NULL|", ["~", "n", "N", ""]),
    ("merge", r"<<", "<"),
):
    _Yaml12Loader.add_implicit_resolver(
        f"tag:yaml.org,2002:{_tag}", re.compile(f"^(?:{_pattern})$"), list(_first)
    )
_Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _Yaml12Loader.construct_yaml_int)


def load_documents(text: str, *, yaml_1_2: bool = False) -> tuple[YamlDocument, ...]:
    """Every document of `text`; raises UnreadableYaml with the line of the first error."""
    try:
        loader = (_Yaml12Loader if yaml_1_2 else _BoundedLoader)(text)
        try:
            return tuple(_documents(loader))
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        raise UnreadableYaml(_yaml_problem(error, text)) from None
    except yaml.reader.ReaderError as error:
        # libyaml counts the position in bytes of UTF-8.
        line = text.encode()[: error.position].count(b"\n") + 1
        message = f"the character U+{error.character:04X} is not allowed in YAML"
        raise UnreadableYaml(Problem(line, message)) from None


def _documents(loader: _BoundedLoader) -> Iterator[YamlDocument]:
    while loader.check_node():
        node = loader.get_node()
        yield YamlDocument(node, loader.construct_document(node))


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [child for pair in node.value for child in pair]
    if isinstance(node, SequenceNode):
        return node.value
    return []


def _refuse_duplicate_keys(node: MappingNode) -> None:
    seen: dict[str, Node] = {}
    for key, _ in node.value:
        if not isinstance(key, ScalarNode) or key.tag == MERGE_TAG:
            continue
        if key.value in seen:
            first = seen[key.value].start_mark.line + 1
            raise _Refused(f"duplicate key `{key.value}` (first on line {first})", key.start_mark)
        seen[key.value] = key


def _too_many_values() -> str:
    return f"more than {MAX_VALUES:,} values here (each use of an alias counts them all again)"


def _too_deep() -> str:
    return f"values are nested more than {MAX_DEPTH} levels deep"


def _yaml_problem(error: yaml.MarkedYAMLError, text: str) -> Problem:
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark else None
    if line and "\t" in _indentation(text, line):
        return Problem(line, "this line is indented with a tab; YAML allows only spaces")
    message = error.problem or error.context or "this is not valid YAML"
    if error.context and error.problem and error.context_mark:
        message += f" ({error.context} on line {error.context_mark.line + 1})"
    return Problem(line, message)


def _indentation(text: str, line: int) -> str:
    lines = text.split("\n", line)
    content = lines[line - 1] if line <= len(lines) else ""
    return content[: len(content) - len(content.lstrip())]
