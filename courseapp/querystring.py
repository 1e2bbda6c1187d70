"""Text that visitors type into a query string, made safe to search with."""

import re

# C0 controls (NUL included), DEL and C1 controls: no search box sends them, PostgreSQL refuses
# NUL in text, and the search snippets use two of them as markers.
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
SPACE_RE = re.compile(r"\s+")


def search_terms(value: str, max_length: int) -> str:
    """`value` with control characters read as spaces, whitespace collapsed and trimmed, and
    cut to `max_length` characters: "docker\\x00run" searches for "docker run"."""
    return SPACE_RE.sub(" ", CONTROL_RE.sub(" ", value)).strip()[:max_length].strip()
