"""The live preview's status: what the last run of `import_content --watch` found.

The watcher and the web server are separate processes (and each keeps its caches in its own
memory), so the status is a small JSON file, `settings.PREVIEW_STATUS_FILE`, replaced whole on
every run so that a reader never sees half of it. The lesson pages read it through
`pages.preview` in development only (DEBUG).
"""

import json
import os
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from courseapp.catalog.models import Course
from courseapp.markup.yaml_source import ContentError


@dataclass(frozen=True)
class PreviewStatus:
    """One import run: `ok` when it imported, else every error it found (nothing was imported).

    `run` tells runs apart (0: no watcher has written a status); `versions` maps each course's
    slug to its `content_version` after the run, which a page compares with the one it shows.
    """

    run: int = 0
    errors: tuple[ContentError, ...] = ()
    versions: Mapping[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_json(self) -> dict:
        """The status as the preview script reads it; `line` is null for a whole file."""
        return {
            "run": str(self.run),
            "ok": self.ok,
            "errors": [
                {"path": error.path, "line": error.line or None, "message": error.message}
                for error in self.errors
            ],
            "versions": dict(self.versions),
        }


NO_STATUS = PreviewStatus()


def preview_status_record(*, errors: Sequence[ContentError]) -> PreviewStatus:
    """Write the outcome of an import run, with every course's content version as it now is."""
    status = PreviewStatus(
        run=time.time_ns(),
        errors=tuple(errors),
        versions=dict(Course.objects.order_by().values_list("slug", "content_version")),
    )
    _write_atomically(settings.PREVIEW_STATUS_FILE, json.dumps(status.as_json()))
    return status


def preview_status_read() -> PreviewStatus:
    """The last status written, or NO_STATUS when no watcher runs (or the file is unreadable)."""
    try:
        data = json.loads(Path(settings.PREVIEW_STATUS_FILE).read_text(encoding="utf-8"))
        return PreviewStatus(
            run=int(data["run"]),
            errors=tuple(
                ContentError(error["path"], error["line"] or 0, error["message"])
                for error in data["errors"]
            ),
            versions={str(slug): int(version) for slug, version in data["versions"].items()},
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return NO_STATUS


def preview_status_clear() -> None:
    """Remove the status when the watcher stops, so that no page waits on a stale one."""
    Path(settings.PREVIEW_STATUS_FILE).unlink(missing_ok=True)


def _write_atomically(path: Path, text: str) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", delete=False
    ) as temporary:
        temporary.write(text)
    # A rename within one folder replaces the file in one step.
    os.replace(temporary.name, path)
