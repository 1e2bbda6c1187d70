"""Dockerfiles, parsed by BuildKit's own parser, shown to checks as a documented structure.

The `dockerfile` package wraps BuildKit's Go parser. Like `docker build`, this module then refuses
what BuildKit's instruction layer refuses and the bare parser lets through: an unknown instruction,
an instruction before the first FROM, a FROM or COPY without the arguments it needs.

The structure checks see (docs/authoring.md shows it with examples):

    {"stages": [Stage, ...], "final": Stage (the last one) or None,
     "instructions": [Instruction, ...] (all, in file order, ARG before the first FROM included)}
    Stage = {"index", "name" (lower case, as BuildKit compares it) or None, "base" (as written),
             "image", "tag", "digest", "platform", "user" (the last USER's argument) or None,
             "instructions" (the stage's own, FROM first)}
    Instruction = {"keyword" (upper case), "arguments" (BuildKit's words; the JSON array's items
             for the exec form; one string for a shell-form RUN, CMD or ENTRYPOINT),
             "exec_form", "flags" ({"from": "build", "link": True}; a list when repeated), "line"}
"""

import re
from types import ModuleType
from typing import Any

from .reading import FileReading, Problem, sorted_problems, unreadable

# BuildKit's rule for stage names, checked on the lower-cased name.
_STAGE_NAME = re.compile(r"[a-z][a-z0-9_.-]*")


def read(text: str) -> FileReading:
    """A Dockerfile as checks see it, and what BuildKit would refuse in it.

    `text` is within the limits `read_file` enforces.
    """
    parser = _parser()
    try:
        commands = parser.parse_string(text)
    except parser.GoParseError as error:
        return unreadable(_parse_problem(parser, text, str(error)))
    instructions = [_instruction(command) for command in commands]
    stages = _stages(instructions)
    data = {"stages": stages, "final": stages[-1] if stages else None, "instructions": instructions}
    known = {keyword.upper() for keyword in parser.all_cmds()}
    return FileReading(data, sorted_problems(_problems(instructions, stages, known)))


def _parser() -> ModuleType:
    # Imported on first use: loading it starts a Go runtime, which does not survive a fork, so
    # it must not be loaded in a server's parent process before the workers are forked.
    import dockerfile

    return dockerfile


def _parse_problem(parser: ModuleType, text: str, message: str) -> Problem:
    if message == "file with no instructions":
        return Problem(None, "Your Dockerfile has no instructions.")
    return Problem(_error_line(parser, text, message), message)


def _error_line(parser: ModuleType, text: str, message: str) -> int | None:
    """The first line whose text, with the lines before it, makes the parser fail this way.

    The wrapper reports BuildKit's message without its line, so the line is found by bisection
    on how many lines the parser is given. Instructions a probe has parsed are blank lines in
    later probes (blank lines cost the parser a tenth of an instruction), so the whole search
    costs about two parses of the file. The first instruction stays: it ends the parser
    directives (`# escape=`) the lines before it may hold.
    """
    lines = text.split("\n")
    blank_from = blank_to = 0

    def fails_within(count: int) -> bool:
        nonlocal blank_from, blank_to
        given = lines[:count]
        given[blank_from:blank_to] = [""] * (blank_to - blank_from)
        try:
            commands = parser.parse_string("\n".join(given))
        except parser.GoParseError as error:
            return str(error) == message
        if len(commands) > 1:  # all but the last ended before the last began: they are complete
            blank_from, blank_to = commands[0].end_line, commands[-1].start_line - 1
        return False

    if not fails_within(len(lines)):
        return None
    low, high = 1, len(lines)
    while low < high:
        middle = (low + high) // 2
        if fails_within(middle):
            high = middle
        else:
            low = middle + 1
    return low


def _instruction(command: Any) -> dict[str, Any]:
    arguments = list(command.value)
    if command.sub_cmd:  # ONBUILD RUN …: the instruction it adds comes first
        arguments.insert(0, command.sub_cmd.upper())
    if command.heredocs and len(arguments) == 1:  # RUN <<EOF: the script follows, as written
        arguments[0] += "".join(
            f"\n{heredoc.content}{heredoc.name}" for heredoc in command.heredocs
        )
    return {
        "keyword": command.cmd.upper(),
        "arguments": arguments,
        "exec_form": command.json,
        "flags": _flags(command.flags),
        "line": command.start_line,
    }


def _flags(written: tuple[str, ...]) -> dict[str, Any]:
    flags: dict[str, Any] = {}
    for flag in written:
        name, has_value, value = flag.removeprefix("--").partition("=")
        parsed = value if has_value else True
        if name not in flags:
            flags[name] = parsed
        elif isinstance(flags[name], list):
            flags[name].append(parsed)
        else:  # RUN --mount=… --mount=…: every value kept
            flags[name] = [flags[name], parsed]
    return flags


def _stages(instructions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    stages: list[dict[str, Any]] = []
    for instruction in instructions:
        if instruction["keyword"] == "FROM":
            stages.append(_stage(len(stages), instruction))
        elif stages:
            stages[-1]["instructions"].append(instruction)
            if instruction["keyword"] == "USER":
                stages[-1]["user"] = " ".join(instruction["arguments"]) or None
    return stages


def _stage(index: int, from_instruction: dict[str, Any]) -> dict[str, Any]:
    arguments = from_instruction["arguments"]
    base = arguments[0] if arguments else None
    image, tag, digest = _reference(base) if base else (None, None, None)
    platform = from_instruction["flags"].get("platform")
    return {
        "index": index,
        "name": _stage_name(arguments),
        "base": base,
        "image": image,
        "tag": tag,
        "digest": digest,
        "platform": platform if isinstance(platform, str) else None,
        "user": None,
        "instructions": [from_instruction],
    }


def _stage_name(from_arguments: list[str]) -> str | None:
    if len(from_arguments) == 3 and from_arguments[1].lower() == "as":
        return from_arguments[2].lower()
    return None


def _reference(base: str) -> tuple[str, str | None, str | None]:
    """`registry:5000/team/app:1.2@sha256:…` → ("registry:5000/team/app", "1.2", "sha256:…")."""
    name, _, digest = base.partition("@")
    last_slash, last_colon = name.rfind("/"), name.rfind(":")
    if last_colon > last_slash:  # a colon before the last slash belongs to a registry's port
        return name[:last_colon], name[last_colon + 1 :] or None, digest or None
    return name, None, digest or None


def _problems(
    instructions: list[dict[str, Any]], stages: list[dict[str, Any]], known: set[str]
) -> list[Problem]:
    problems = [] if stages else [Problem(None, "A Dockerfile needs a FROM instruction.")]
    after_from = False
    for instruction in instructions:
        keyword, line = instruction["keyword"], instruction["line"]
        if keyword not in known:
            problems.append(Problem(line, f"unknown instruction: {keyword}"))
            continue
        after_from = after_from or keyword == "FROM"
        if not after_from and keyword != "ARG":
            problems.append(Problem(line, f"{keyword} comes before the first FROM; only ARG may"))
        problems.extend(_argument_problems(instruction))
    return problems + _stage_name_problems(stages)


def _argument_problems(instruction: dict[str, Any]) -> list[Problem]:
    keyword, arguments, line = instruction["keyword"], instruction["arguments"], instruction["line"]
    if keyword == "FROM" and not (len(arguments) == 1 or _stage_name(arguments)):
        return [Problem(line, "FROM requires either one or three arguments: FROM image [AS name]")]
    if keyword in ("COPY", "ADD") and len(arguments) < 2:
        return [
            Problem(line, f"{keyword} requires at least two arguments: sources and a destination")
        ]
    if not arguments:
        return [Problem(line, f"{keyword} requires at least one argument")]
    return []


def _stage_name_problems(stages: list[dict[str, Any]]) -> list[Problem]:
    problems = []
    first_line: dict[str, int] = {}
    for stage in stages:
        name, line = stage["name"], stage["instructions"][0]["line"]
        if name is None:
            continue
        if not _STAGE_NAME.fullmatch(name):
            rule = "a letter first, then letters, digits, `-`, `_` or `.`"
            problems.append(Problem(line, f"invalid stage name `{name}`: {rule}"))
        elif name in first_line:
            message = f"a stage is already named `{name}` (line {first_line[name]})"
            problems.append(Problem(line, message))
        first_line.setdefault(name, line)
    return problems
