"""Read a command line the way its tool would: command path, options, positional arguments.

Nothing is executed. The line is split like a POSIX shell line (`shlex` in POSIX mode), after
one pass over its quoting that removes line continuations and refuses what would make it more
than one simple command; then the words are read against the table in `table.py`.
"""

import re
import shlex
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from courseapp.quizzes.commands import table
from courseapp.quizzes.commands.table import Command, Option, Tool

MAX_LENGTH = 2000
SINGLE_COMMAND = "Incorrect: enter a single command"
UNBALANCED_QUOTES = "Incorrect: the quotes are not balanced"

# Outside quotes these make a pipeline, a list, a redirection, a subshell or a substitution.
OPERATORS = frozenset("|&;<>()`\n")
# What Go's strconv.ParseBool reads, as docker, kubectl and helm do for `--flag=value`.
TRUE_WORDS = frozenset({"1", "t", "T", "true", "TRUE", "True"})
FALSE_WORDS = frozenset({"0", "f", "F", "false", "FALSE", "False"})
PROMPT = re.compile(r"\A\$(?:[ \t]+|\Z)")
SEGMENT = re.compile(
    r"""
      (?P<single>'[^']*')              # single quotes: every character literal
    | (?P<double>"(?:[^"\\]|\\.)*")    # double quotes: backslash escapes, $( and ` substitute
    | (?P<escape>\\(?:.|\Z))           # one escaped character, or a line continuation
    | (?P<plain>[^'"\\]+)
    """,
    re.VERBOSE | re.DOTALL,
)
ESCAPED = re.compile(r"\\(.)", re.DOTALL)


class CommandError(ValueError):
    """The text cannot be read as one command; `message` says why, for the student."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class EmptyCommand(CommandError):
    """Nothing was typed (or only a `$ ` prompt)."""


class CommandRefused(CommandError):
    """Over a limit (length, control characters): refused before reading."""


class TokenKind(StrEnum):
    COMMAND = "command"  # the program and its subcommands
    OPTION = "option"
    VALUE = "value"  # an option's value
    ARGUMENT = "argument"


@dataclass(frozen=True)
class Token:
    """One word of the command as it was read, for display."""

    text: str  # the word after the shell removed quotes and escapes
    kind: TokenKind
    separator: str = " "  # what joins it to the previous token: " ", "" (`-owide`) or "="

    @property
    def shown(self) -> str:
        """The word quoted for a shell line, when it needs quotes."""
        return shlex.quote(self.text)


@dataclass(frozen=True)
class Reading:
    """A command line as its tool reads it, with equivalent spellings made identical."""

    command: tuple[str, ...]  # canonical path: ("docker", "run"), ("kubectl", "get")
    options: tuple[tuple[str, str | None], ...]  # (canonical name, value or None), sorted
    arguments: tuple[str, ...]  # positional arguments in order
    tokens: tuple[Token, ...]  # what the student typed, word by word, with its kind
    # For each option, the index in `command` of the word it follows (docker reads an option
    # at its own level: `docker --context x run`); -1, the last word, for kubectl and helm.
    option_levels: tuple[int, ...] = ()

    @property
    def typed_command(self) -> str:
        """The program and subcommands as typed (`docker container ls`)."""
        return " ".join(token.text for token in self.tokens if token.kind is TokenKind.COMMAND)

    @property
    def shown(self) -> str:
        """The command on one line, as the grader read it."""
        return "".join(token.separator + token.shown for token in self.tokens).lstrip()

    @property
    def normalised(self) -> str:
        """One spelling for every equivalent command: the canonical path, the options sorted
        with their long names and `=` values (each after the word that defines it, for
        docker), then the arguments (`docker run --detach --name=web --publish=8080:80
        nginx:1.27`). For a command the table knows, with options it knows, this spelling
        reads back the same; a line the tool itself would reject may not."""
        words = [[shlex.quote(word)] for word in self.command]
        levels = self.option_levels or (-1,) * len(self.options)
        for (name, value), level in zip(self.options, levels, strict=True):
            words[level].append(name if value is None else f"{name}={shlex.quote(value)}")
        words.append([shlex.quote(argument) for argument in self.arguments])
        return " ".join(word for level in words for word in level)


def read_command(text: str) -> Reading:
    """Read one command line; raise `CommandError` (or a subclass) with a message for the
    student when it is empty, over a limit, unbalanced or more than one command."""
    return read_words(split_command_line(text))


def split_command_line(text: str) -> list[str]:
    """The words of one simple shell command, quotes and escapes removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    refuse_over_limits(text)
    text = PROMPT.sub("", text.strip(), count=1).strip()
    if not text:
        raise EmptyCommand("Type a command first")
    try:
        words = shlex.split(one_command(text))
    except ValueError as error:  # CommandError, or shlex on a quirk the check above let by
        raise (
            error if isinstance(error, CommandError) else CommandError(UNBALANCED_QUOTES)
        ) from None
    if not words:
        raise EmptyCommand("Type a command first")
    return words


def refuse_over_limits(text: str) -> None:
    if len(text) > MAX_LENGTH:
        raise CommandRefused(
            f"Your command is too long ({len(text):,} characters; at most {MAX_LENGTH:,})"
        )
    for character in text:
        if character not in "\t\n" and unicodedata.category(character) in ("Cc", "Cf", "Cs"):
            raise CommandRefused(
                "Your command contains an invisible or control character "
                f"(U+{ord(character):04X}); type it again without it"
            )


def one_command(text: str) -> str:
    """The text without its line continuations, once its quoting shows one simple command.

    `shlex` cannot tell a quoted `";"` or `\\;` from the operator, nor `$(...)` in double
    quotes (a substitution) from one in single quotes (literal), and keeps a line
    continuation as a newline: this pass over the quoting does what it cannot.
    """
    kept = []
    unquoted = []
    position = 0
    while position < len(text):
        segment = SEGMENT.match(text, position)
        if segment is None:  # an opening quote with no closing one
            raise CommandError(UNBALANCED_QUOTES)
        position = segment.end()
        piece = segment[0]
        if segment["plain"]:
            unquoted.append(piece)
        elif segment["double"]:
            if "$(" in ESCAPED.sub("", piece) or "`" in ESCAPED.sub("", piece):
                raise CommandError(SINGLE_COMMAND)
            piece = ESCAPED.sub(lambda match: "" if match[1] == "\n" else match[0], piece)
        elif segment["escape"] in ("\\\n", "\\"):
            piece = ""  # a continuation, or a lone backslash ending the line
        kept.append(piece)
    if OPERATORS.intersection("".join(unquoted)):
        raise CommandError(SINGLE_COMMAND)
    return "".join(kept)


# --- Reading the words against the table ------------------------------------------------


@dataclass(frozen=True)
class Found:
    """An option as read: the table's entry (None when unknown), its name and value."""

    option: Option | None
    name: str
    value: str | None
    level: int = -1


def read_words(words: Sequence[str]) -> Reading:
    """Find the command path, then read every other word as an option, its value or an
    argument, each in the scope where the tool would look it up."""
    # A program the table does not know is a tool of one command, with no options.
    tool, start = table.PROGRAMS.get(words[0]) or (Tool(Command(names=(words[0],))), ())
    nodes = tool.find(start)
    path = (tool.root.name, *start)
    start_depth = len(nodes) - 1  # `docker-compose` starts at `docker compose`
    nodes, path, path_positions, values, walked = find_path(tool, words, nodes, path)
    leaf = nodes[-1]

    tokens = [Token(words[0], TokenKind.COMMAND, "")]
    found: list[Found] = []
    arguments: list[str] = []
    argument_tokens: list[int] = []
    options_ended = False
    position = 1
    while position < len(words):
        word = words[position]
        if position in path_positions:
            tokens.append(Token(word, TokenKind.COMMAND))
            position += 1
        elif not options_ended and is_option(word):
            depth = start_depth + sum(1 for at in path_positions if at < position)
            # A link makes the canonical path shorter than the typed one (`docker container ls`
            # is `docker ps`): an option after it belongs to the last word.
            level = -1 if tool.options_anywhere else min(depth, len(path) - 1)
            scope = option_scope(tool, leaf if tool.options_anywhere else nodes[depth])
            following, takes = next_word(words, position), False
            if position < walked:  # the path was found with these decisions: keep them
                takes = position + 1 in values
                following = following if takes else None
            options, option_tokens, used = read_option(word, following, scope, takes)
            found += [replace(option, level=level) for option in options]
            tokens += option_tokens
            position += used
        else:
            options_ended = options_ended or word == "--" or not leaf.interspersed
            argument_tokens.append(len(tokens))
            tokens.append(Token(word, TokenKind.ARGUMENT))
            arguments.append(word)
            position += 1

    if not leaf.runnable and arguments and arguments[0] != "--":
        # An unknown subcommand of a group (`docker lgos`): part of the command, not an argument.
        path = (*path, arguments.pop(0))
        tokens[argument_tokens[0]] = Token(path[-1], TokenKind.COMMAND)
    elif leaf.read_arguments:
        arguments = list(leaf.read_arguments(tuple(arguments)))
    options = settle(found)
    return Reading(
        command=path,
        options=tuple((item.name, item.value) for item in options),
        arguments=tuple(arguments),
        tokens=tuple(tokens),
        option_levels=tuple(item.level for item in options),
    )


def find_path(
    tool: Tool, words: Sequence[str], nodes: list[Command], path: tuple[str, ...]
) -> tuple[list[Command], tuple[str, ...], frozenset[int], frozenset[int], int]:
    """Walk down the subcommands, stepping over options on the way as the tool does; return
    the nodes, the canonical path, the positions of its words and of the options' values,
    and the position where the walk stopped.

    docker steps over the options of the level reached and no others. kubectl and helm
    (cobra) know only the global options there, and take the word after an unknown `--x` or
    `-x` as its value: `kubectl -n shop get pods` works, while `kubectl -A get pods` fails
    with `unknown command "pods"` (kubernetes/kubernetes#93432), and reads so here too.
    """
    positions = []
    values = []
    position = 1
    while position < len(words) and nodes[-1].subcommands:
        word = words[position]
        if word == "--":
            break
        if is_option(word):
            scope = option_scope(tool, nodes[-1])
            used = read_option(word, next_word(words, position), scope, tool.options_anywhere)[2]
            values += [position + 1] if used == 2 else []
            position += used
            continue
        child = nodes[-1].subcommand_by_name.get(word)
        if child is None:
            break
        if child.same_as:
            child, target = tool.resolve(child)
            path = (tool.root.name, *target)
        else:
            path = (*path, child.name)
        nodes.append(child)
        positions.append(position)
        position += 1
    return nodes, path, frozenset(positions), frozenset(values), position


def option_scope(tool: Tool, node: Command) -> dict[str, Option]:
    """The options that can be written at `node`: its own, and for kubectl and helm the
    global ones too (a command's own spelling wins, as with cobra's local flags)."""
    if not tool.options_anywhere:
        return node.option_by_spelling
    return tool.root.option_by_spelling | node.option_by_spelling


def is_option(word: str) -> bool:
    return word.startswith("-") and word not in ("-", "--")


def next_word(words: Sequence[str], position: int) -> str | None:
    return words[position + 1] if position + 1 < len(words) else None


def read_option(
    word: str, following: str | None, scope: dict[str, Option], unknown_takes_value=False
) -> tuple[list[Found], list[Token], int]:
    """The option(s) in `word`, their display tokens and how many words they use (2 when
    the value is the `following` word)."""
    if not word.startswith("--"):
        return read_short_options(word, following, scope, unknown_takes_value)
    spelling, equals, attached = word.partition("=")
    option = scope.get(spelling)
    if option is None:  # unknown: a flag, unless a value is attached (or cobra takes one)
        if equals or not unknown_takes_value or following is None:
            value = attached if equals else None
            return [Found(None, spelling, value)], option_tokens(spelling, value, "=", None), 1
        return (
            [Found(None, spelling, following)],
            option_tokens(spelling, None, "", following, 2),
            2,
        )
    value, used = read_value(option, attached if equals else None, following)
    tokens = option_tokens(spelling, attached if equals else None, "=", following, used)
    return [Found(option, option.name, value)], tokens, used


def read_short_options(
    word: str, following: str | None, scope: dict[str, Option], unknown_takes_value: bool
) -> tuple[list[Found], list[Token], int]:
    """`-it` = `-i -t`; `-p8080:80`, `-p=8080:80` and `-p 8080:80` are the same value.
    A cluster with a letter the table does not know is kept whole, as one unknown flag."""
    letters = word[1:]
    found = []
    for index, letter in enumerate(letters):
        option = scope.get(f"-{letter}")
        if option is None:
            if unknown_takes_value and len(word) == 2 and following is not None:
                return (
                    [Found(None, word, following)],
                    option_tokens(word, None, "", following, 2),
                    2,
                )
            return [Found(None, word, None)], [Token(word, TokenKind.OPTION)], 1
        rest = letters[index + 1 :]
        if option.takes_value or rest.startswith("="):
            separator, attached = ("=", rest[1:]) if rest.startswith("=") else ("", rest or None)
            value, used = read_value(option, attached, following)
            tokens = option_tokens(word[: index + 2], attached, separator, following, used)
            return [*found, Found(option, option.name, value)], tokens, used
        found.append(Found(option, option.name, None))
    return found, [Token(word, TokenKind.OPTION)], 1


def read_value(
    option: Option, attached: str | None, following: str | None
) -> tuple[str | None, int]:
    """A known option's value (None for a flag) and how many words it uses; `attached` is
    what was written with it (`--name=web`, `-owide`), None when nothing was."""
    if not option.takes_value:
        if attached is None or attached in TRUE_WORDS:
            return None, 1
        return ("false" if attached in FALSE_WORDS else attached), 1
    if attached is not None:
        return attached, 1
    if option.implicit_value is not None:
        return option.implicit_value, 1
    if following is None:  # the line ends where its value should be: read as an empty one
        return "", 1
    return following, 2


def option_tokens(
    spelling: str, attached: str | None, separator: str, following: str | None, used: int = 1
) -> list[Token]:
    tokens = [Token(spelling, TokenKind.OPTION)]
    if attached is not None:
        tokens.append(Token(attached, TokenKind.VALUE, separator))
    elif used == 2 and following is not None:
        tokens.append(Token(following, TokenKind.VALUE))
    return tokens


def settle(found: Sequence[Found]) -> list[Found]:
    """The options as the tool keeps them, sorted: a repeated single-valued option keeps its
    last value; a repeatable one keeps every value (in order, when the order matters)."""
    single: dict[str, Found] = {}
    repeated: list[Found] = []
    for item in found:
        if item.option is not None and not item.option.repeatable:
            single[item.name] = item
        else:
            repeated.append(item)

    def sort_key(item: Found) -> tuple:
        if item.option is not None and item.option.ordered:
            return (item.name,)  # a stable sort keeps these in the order they were written
        return (item.name, item.value is not None, item.value or "")

    return sorted([*single.values(), *repeated], key=sort_key)
