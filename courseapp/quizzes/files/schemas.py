"""JSON Schema validation of YAML documents, with every error told at the line it is about."""

import json
import re
from collections.abc import Iterator, Sequence
from itertools import islice
from typing import Any

from jsonschema import Draft202012Validator, ValidationError, validators
from jsonschema.exceptions import best_match
from referencing import Registry

from .reading import MAX_PROBLEMS_SOUGHT, Problem
from .yaml_documents import YamlDocument

# Keys written as plain names in a path; any other key is quoted: labels["app.kubernetes.io/name"].
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
}


def schema_validator(schema: dict, registry: Registry | None = None) -> Any:
    """A JSON Schema 2020-12 validator for `schema` whose costly keywords take one pass.

    jsonschema's uniqueItems compares every pair of mappings (seconds for a list of a thousand)
    and its unevaluatedProperties validates the subschemas again to learn which properties they
    evaluated (a third of a millisecond for each Compose service). Here uniqueItems compares
    canonical JSON texts, and `unevaluatedProperties: false` refuses the properties that no
    subschema declares; a declared property is validated by its own subschema anyway.
    """

    declared: dict[int, tuple[set[str], list[re.Pattern]]] = {}  # by id() of a subschema

    def unevaluated_properties(
        validator: Any, unevaluated: Any, instance: Any, subschema: dict
    ) -> Iterator[ValidationError]:
        if unevaluated is not False or not validator.is_type(instance, "object"):
            yield from _UNEVALUATED_PROPERTIES(validator, unevaluated, instance, subschema)
            return
        if id(subschema) not in declared:  # the schema, and so each subschema, outlives this
            declared[id(subschema)] = _declared(subschema, schema, deep=True)
        names, patterns = declared[id(subschema)]
        if any(key not in names and not _matches(key, patterns) for key in instance):
            yield ValidationError("has properties its schema does not declare")

    keywords = {"uniqueItems": _unique_items, "unevaluatedProperties": unevaluated_properties}
    validator_class = validators.extend(Draft202012Validator, keywords)
    return validator_class(schema, registry=registry) if registry else validator_class(schema)


_UNEVALUATED_PROPERTIES = Draft202012Validator.VALIDATORS["unevaluatedProperties"]


def _unique_items(validator: Any, unique: bool, instance: Any, schema: dict) -> Iterator:
    if not unique or not validator.is_type(instance, "array"):
        return
    seen = set()
    for item in instance:
        text = json.dumps(_canonical(item), sort_keys=True)
        if text in seen:
            yield ValidationError("has the same item more than once")
            return
        seen.add(text)


def _canonical(value: Any) -> Any:
    """The value with 1 and 1.0 made alike, as JSON Schema counts them equal."""
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_canonical(item) for item in value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def schema_problems(validator: Any, document: YamlDocument, subject: str = "") -> list[Problem]:
    """Every way `document` breaks the schema, each at its line, named from `subject` down."""
    return [
        problem
        for error in islice(validator.iter_errors(document.data), MAX_PROBLEMS_SOUGHT)
        for problem in _describe(error, document, subject, validator.schema)
    ]


def _describe(
    error: ValidationError, document: YamlDocument, subject: str, root: dict
) -> Iterator[Problem]:
    path = list(error.absolute_path)
    where = path_text(subject, path)
    line = document.line_of(path)
    match error.validator:
        case "additionalProperties" | "unevaluatedProperties" if isinstance(error.instance, dict):
            names, patterns = _declared(
                error.schema, root, deep=error.validator != "additionalProperties"
            )
            for key in error.instance:
                if key not in names and not _matches(key, patterns):
                    yield _unexpected(document, subject, path, key, names)
        case "required" if isinstance(error.instance, dict):
            for name in error.validator_value:
                if name not in error.instance:
                    yield Problem(line, f"missing required field `{name}` in {where}")
        case "type":
            expected = _expected_types([error.validator_value])
            yield Problem(line, f"{where} must be {expected}, not {_found(error.instance)}")
        case "enum" | "const":
            allowed = (
                error.validator_value if error.validator == "enum" else [error.validator_value]
            )
            choices = ", ".join(json.dumps(choice) for choice in allowed[:12])
            more = ", …" if len(allowed) > 12 else ""
            yield Problem(
                line, f"{where} must be one of {choices}{more}; not {_found(error.instance)}"
            )
        case "oneOf" | "anyOf" if error.context:
            yield from _describe_alternatives(error, document, subject, root, line, where)
        case _:
            yield Problem(line, f"{where}: {_shortened(error.message)}")


def _describe_alternatives(
    error: ValidationError, document: YamlDocument, subject: str, root: dict, line: int, where: str
) -> Iterator[Problem]:
    # An alternative of another type only says "not this one"; what is wrong inside the
    # alternative of the right type (an unknown field in the mapping form, say) says more.
    inside = [sub for sub in error.context if sub.validator != "type" or sub.relative_path]
    if inside:
        yield from _describe(best_match(inside), document, subject, root)
    else:
        expected = _expected_types([sub.validator_value for sub in error.context])
        yield Problem(line, f"{where} must be {expected}, not {_found(error.instance)}")


def _declared(schema: dict, root: dict, *, deep: bool) -> tuple[set[str], list[re.Pattern]]:
    """The property names and name patterns `schema` declares; with `deep`, also those its
    `allOf`, `anyOf`, `oneOf` and local `$ref` subschemas declare (for unevaluatedProperties).

    Counting only what validated, as unevaluatedProperties does, would call every property of a
    failing `allOf` branch unknown; a property the schema declares is never an unknown field.
    """
    names = set(schema.get("properties", {}))
    patterns = [re.compile(pattern) for pattern in schema.get("patternProperties", {})]
    if deep:
        for subschema in _subschemas(schema, root):
            more_names, more_patterns = _declared(subschema, root, deep=False)
            names |= more_names
            patterns += more_patterns
    return names, patterns


def _matches(key: str, patterns: list[re.Pattern]) -> bool:
    return any(pattern.search(key) for pattern in patterns)


def _subschemas(schema: dict, root: dict, depth: int = 0) -> Iterator[dict]:
    if depth > 8:  # schemas may refer to themselves
        return
    found = [each for key in ("allOf", "anyOf", "oneOf") for each in schema.get(key, [])]
    reference = schema.get("$ref", "")
    if reference.startswith("#/"):
        found.append(_pointed(root, reference))
    for subschema in found:
        if isinstance(subschema, dict):
            yield subschema
            yield from _subschemas(subschema, root, depth + 1)


def _pointed(root: dict, reference: str) -> Any:
    target: Any = root
    for part in reference[2:].split("/"):
        target = (
            target.get(part.replace("~1", "/").replace("~0", "~"), {})
            if isinstance(target, dict)
            else {}
        )
    return target


def _unexpected(
    document: YamlDocument, subject: str, path: list, key: str, declared: set[str]
) -> Problem:
    line = document.line_of([*path, key])
    where = path_text(subject, path)
    if not declared:  # a mapping of names, such as services: the name breaks its pattern
        return Problem(line, f"`{_shortened(key, 60)}` is not an allowed name in {where}")
    return Problem(line, f"unknown field `{_shortened(key, 60)}` in {where}")


def path_text(subject: str, path: Sequence[str | int]) -> str:
    """`Deployment.spec.template.spec.containers[0]`; `the top level` for an empty path."""
    text = subject
    for step in path:
        if isinstance(step, int):
            text += f"[{step}]"
        elif _PLAIN_KEY.fullmatch(step):
            text += f".{step}" if text else step
        else:
            text += f"[{json.dumps(_shortened(step, 60))}]"
    return text or "the top level"


def _expected_types(type_values: list) -> str:
    names = []
    for value in type_values:
        for name in [value] if isinstance(value, str) else value:
            # Kubernetes allows null for every optional field; it is never what was meant.
            if name != "null" and _TYPE_NAMES.get(name, name) not in names:
                names.append(_TYPE_NAMES.get(name, name))
    return " or ".join(names) or "null"


def _found(value: Any) -> str:
    if isinstance(value, bool):
        return f"`{json.dumps(value)}`"
    if value is None:
        return "empty"
    if isinstance(value, str):
        return f"the string {json.dumps(_shortened(value, 40))}"
    if isinstance(value, int | float):
        return f"the number {value}"
    return "a mapping" if isinstance(value, dict) else "a list"


def _shortened(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
