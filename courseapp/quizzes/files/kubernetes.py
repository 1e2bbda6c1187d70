"""Kubernetes manifests: every document validated against the API schemas of one Kubernetes version.

The schemas are the ones the kubernetes-validate package ships for each version, in their strict
variant (an unknown field is an error, as with `kubectl apply --validate=strict`). Its own
`validate()` reloads a 1.5 MB file and builds a registry on every call (about 1.7 s) and stops at
the first error, so this module loads each version's definitions once and reports every error.
"""

import difflib
import functools
import json
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from referencing import Registry, Resource

from .reading import MAX_PROBLEMS_SOUGHT, FileReading, Problem, sorted_problems, unreadable
from .schemas import schema_problems, schema_validator
from .yaml_documents import UnreadableYaml, YamlDocument, load_documents

# The oldest minor version the Kubernetes project still supports (1.35, 1.36 and 1.37 in
# December 2026): a manifest valid for it works on every supported cluster.
KUBERNETES_VERSION = "1.35"


@dataclass(frozen=True)
class _Schemas:
    version: str
    registry: Registry
    definitions_uri: str
    definition_of: dict[tuple[str, str], str]  # (apiVersion, kind): name in the definitions
    api_versions_of: dict[str, tuple[str, ...]]  # kind: its apiVersions


def read(text: str, version: str = KUBERNETES_VERSION) -> FileReading:
    """Manifests as checks see them: one object, or the list of them; every schema error found.

    `text` is within the limits `read_file` enforces. Empty documents are skipped, as kubectl does.
    """
    try:
        documents = [document for document in load_documents(text) if document.data is not None]
    except UnreadableYaml as error:
        return unreadable(error.problem)
    if not documents:
        return unreadable(Problem(None, "Your file has no Kubernetes object."))
    schemas = _schemas(version)
    problems: list[Problem] = []
    for document in documents:
        if len(problems) >= MAX_PROBLEMS_SOUGHT:
            break
        problems += _problems(document, schemas)
    data = documents[0].data if len(documents) == 1 else [document.data for document in documents]
    return FileReading(data, sorted_problems(problems))


def _problems(document: YamlDocument, schemas: _Schemas) -> list[Problem]:
    data = document.data
    if not isinstance(data, dict):
        return [Problem(document.line_of([]), "each document must be one Kubernetes object")]
    for field in ("apiVersion", "kind"):
        if field not in data:
            return [Problem(document.line_of([]), f"missing required field `{field}`")]
        if not isinstance(data[field], str):
            return [Problem(document.line_of([field]), f"`{field}` must be a string")]
    definition = schemas.definition_of.get((data["apiVersion"], data["kind"]))
    if definition is None:
        return [_unknown_kind(document, schemas)]
    return schema_problems(_validator(schemas.version, definition), document, data["kind"])


def _unknown_kind(document: YamlDocument, schemas: _Schemas) -> Problem:
    api_version, kind = document.data["apiVersion"], document.data["kind"]
    if kind in schemas.api_versions_of:
        known = " or ".join(f"`{each}`" for each in schemas.api_versions_of[kind])
        message = f"the apiVersion of a {kind} is {known}, not `{api_version}`"
        return Problem(document.line_of(["apiVersion"]), message)
    message = f"Kubernetes {schemas.version} has no kind `{kind}`"
    if suggestion := _similar_kind(kind, schemas):
        message += f"; did you mean `{suggestion}`?"
    return Problem(document.line_of(["kind"]), message)


def _similar_kind(kind: str, schemas: _Schemas) -> str | None:
    kinds = {known.lower(): known for known in schemas.api_versions_of}
    typed = kind.lower()
    if typed in kinds:
        return kinds[typed]
    # A typo seldom changes the first letter or the length by much; comparing only those
    # kinds keeps difflib's cost (the product of the lengths) small.
    candidates = [
        known for known in kinds if known[:1] == typed[:1] and abs(len(known) - len(typed)) <= 2
    ]
    close = difflib.get_close_matches(typed, candidates, n=1, cutoff=0.75)
    return kinds[close[0]] if close else None


@functools.cache
def _schemas(version: str) -> _Schemas:
    folder = files("kubernetes_validate") / "kubernetes-json-schema" / f"v{version}.0-local-strict"
    definitions = json.loads((folder / "_definitions.json").read_text())
    resource = Resource.from_contents(definitions)
    definition_of: dict[tuple[str, str], str] = {}
    api_versions_of: dict[str, tuple[str, ...]] = {}
    for name, schema in definitions["$defs"].items():
        for group_version_kind in schema.get("x-kubernetes-group-version-kind", ()):
            api_version, kind = _api_version_and_kind(group_version_kind)
            definition_of[(api_version, kind)] = name
            api_versions_of[kind] = (*api_versions_of.get(kind, ()), api_version)
    return _Schemas(
        version=version,
        registry=resource @ Registry(),
        definitions_uri=resource.id(),
        definition_of=definition_of,
        api_versions_of=api_versions_of,
    )


def _api_version_and_kind(group_version_kind: dict[str, str]) -> tuple[str, str]:
    group, version = group_version_kind["group"], group_version_kind["version"]
    return (f"{group}/{version}" if group else version), group_version_kind["kind"]


@functools.cache
def _validator(version: str, definition: str) -> Any:
    schemas = _schemas(version)
    schema = {"$ref": f"{schemas.definitions_uri}#/$defs/{definition}"}
    return schema_validator(schema, schemas.registry)
