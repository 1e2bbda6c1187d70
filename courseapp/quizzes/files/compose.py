"""Compose files, validated against the Compose Specification's JSON Schema (vendored, see vendor/).

YAML is read with YAML 1.2 types, as Compose's Go YAML library reads it: `restart: no` is the
string "no", not false. Compose merges the documents of a multi-document file; an exercise
asks for one, so a second document is refused rather than merged by rules of our own.
"""

import functools
import json
from pathlib import Path
from typing import Any

from .reading import FileReading, Problem, sorted_problems, unreadable
from .schemas import schema_problems, schema_validator
from .yaml_documents import UnreadableYaml, load_documents

SCHEMA = Path(__file__).parent / "vendor" / "compose-spec.json"


def read(text: str) -> FileReading:
    """A Compose file as checks see it (its top-level mapping) and every schema error found.

    `text` is within the limits `read_file` enforces.
    """
    try:
        documents = [
            document
            for document in load_documents(text, yaml_1_2=True)
            if document.data is not None
        ]
    except UnreadableYaml as error:
        return unreadable(error.problem)
    if not documents:
        return unreadable(Problem(None, "Your file has no Compose content."))
    if len(documents) > 1:
        message = "write the Compose file as one YAML document; a second one starts here"
        return unreadable(Problem(documents[1].line_of([]), message))
    document = documents[0]
    return FileReading(document.data, sorted_problems(schema_problems(_validator(), document)))


@functools.cache
def _validator() -> Any:
    return schema_validator(json.loads(SCHEMA.read_text()))
