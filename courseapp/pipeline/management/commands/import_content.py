import json
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from courseapp.catalog.preview import preview_status_clear, preview_status_record
from courseapp.markup.yaml_source import ContentError
from courseapp.pipeline.importer import KINDS, content_import, stored_lessons
from courseapp.pipeline.sources import ContentTree, read_content


def json_line(error: ContentError) -> str:
    """One JSON object per error (JSON Lines); `line` is null for an error about a whole file."""
    return json.dumps({"path": error.path, "line": error.line or None, "message": error.message})


def github_annotation(error: ContentError) -> str:
    """A GitHub Actions workflow command that shows the error as an annotation at its line."""
    where = f"file={_github_property(error.path)}"
    if error.line:
        where += f",line={error.line}"
    return f"::error {where},title=Content error::{_github_data(error.message)}"


# Escaped as GitHub's own toolkit does (actions/toolkit, packages/core/src/command.ts).
def _github_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: str) -> str:
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")


# How errors are printed. "text" goes to stderr for people; the others go to stdout for tools
# and leave stdout to them alone: everything else the command says goes to stderr.
FORMATS: dict[str, Callable[[ContentError], str]] = {
    "text": str,
    "json": json_line,
    "github": github_annotation,
}


class Command(BaseCommand):
    help = "Validate and import courses from Markdown files (see docs/authoring.md)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "root", nargs="?", type=Path, help="folder of course folders (default: content/)"
        )
        parser.add_argument("--check", action="store_true", help="validate only; write nothing")
        parser.add_argument(
            "--watch", action="store_true", help="re-import whenever a file changes"
        )
        parser.add_argument("--prune", action="store_true", help="archive courses absent from ROOT")
        parser.add_argument(
            "--format",
            dest="error_format",
            choices=FORMATS,
            default="text",
            help="how errors are printed: text (stderr), json (JSON Lines on stdout) or github "
            "(GitHub Actions annotations on stdout)",
        )

    def execute(self, *args, **options):
        # A check reads files only, so it runs where there is no database (a course's own CI);
        # the system checks would open one.
        if options.get("check"):
            options["skip_checks"] = True
        return super().execute(*args, **options)

    def handle(
        self,
        *args,
        root: Path | None,
        check: bool,
        watch: bool,
        prune: bool,
        error_format: str,
        **options,
    ) -> None:
        self.describe_error = FORMATS[error_format]
        machine_readable = error_format != "text"
        self.errors_out = self.stdout if machine_readable else self.stderr
        self.notes_out = self.stderr if machine_readable else self.stdout
        root = root or settings.CONTENT_ROOT
        if not root.is_dir():
            raise CommandError(f"{root}: no such folder")
        if watch:
            self._watch(root, prune=prune)
            return
        errors = self._run(root, check=check, prune=prune)
        if errors:
            raise CommandError("content has errors; nothing was imported", returncode=1)

    def _run(self, root: Path, *, check: bool, prune: bool) -> list[ContentError]:
        """Check or import once; return the errors found (none: it was checked or imported)."""
        started = time.perf_counter()
        # A check reads every file afresh; an import reuses what it stored for unchanged files.
        tree = read_content(
            root,
            on_file=self._progress if self.stderr.isatty() else None,
            reuse=None if check else stored_lessons(),
        )
        if tree.errors:
            for error in tree.errors:
                self.errors_out.write(self.describe_error(error))
            self.stderr.write(f"{len(tree.errors)} error(s) in {tree.files} file(s).")
            return tree.errors
        if check:
            self.notes_out.write(f"{_describe(tree)}: no errors.")
            return []
        report = content_import(tree=tree, prune=prune)
        for kind in KINDS:
            self.notes_out.write(f"{kind + ':':<11} {report.counts[kind]}")
        status = "imported" if report.changed else "no changes"
        self.notes_out.write(
            f"{_describe(tree)}: {status} in {time.perf_counter() - started:.2f} s."
        )
        return []

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        end = "\n" if done == total else ""
        self.stderr.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} files", ending=end
        )
        self.stderr.flush()

    def _watch(self, root: Path, *, prune: bool) -> None:
        """Import now and after every change; each run's outcome goes to the live preview."""
        from watchfiles import watch

        # `make run` stops its processes with SIGTERM: stop as on Ctrl+C, clearing the status.
        on_sigterm = signal.signal(signal.SIGTERM, signal.default_int_handler)
        self.notes_out.write(f"Watching {root} for changes (Ctrl+C to stop).")
        try:
            preview_status_record(errors=self._run(root, check=False, prune=prune))
            for _changes in watch(root, debounce=300, raise_interrupt=False):
                preview_status_record(errors=self._run(root, check=False, prune=prune))
        except KeyboardInterrupt:
            pass  # stopped during an import, whose transaction rolled back
        finally:
            preview_status_clear()
            signal.signal(signal.SIGTERM, on_sigterm)
        sys.exit(0)


def _describe(tree: ContentTree) -> str:
    courses = ", ".join(course.slug for course in tree.courses) or "no courses"
    return f"{tree.files} files ({courses})"
