import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from courseapp.pipeline.importer import KINDS, content_import, stored_lessons
from courseapp.pipeline.sources import ContentTree, read_content


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

    def handle(
        self, *args, root: Path | None, check: bool, watch: bool, prune: bool, **options
    ) -> None:
        root = root or settings.CONTENT_ROOT
        if not root.is_dir():
            raise CommandError(f"{root}: no such folder")
        if watch:
            self._watch(root, prune=prune)
            return
        if not self._run(root, check=check, prune=prune):
            raise CommandError("content has errors; nothing was imported", returncode=1)

    def _run(self, root: Path, *, check: bool, prune: bool) -> bool:
        started = time.perf_counter()
        # A check reads every file afresh; an import reuses what it stored for unchanged files.
        tree = read_content(
            root,
            on_file=self._progress if self.stderr.isatty() else None,
            reuse=None if check else stored_lessons(),
        )
        if tree.errors:
            for error in tree.errors:
                self.stderr.write(str(error))
            self.stderr.write(f"{len(tree.errors)} error(s) in {tree.files} file(s).")
            return False
        if check:
            self.stdout.write(f"{_describe(tree)}: no errors.")
            return True
        report = content_import(tree=tree, prune=prune)
        for kind in KINDS:
            self.stdout.write(f"{kind + ':':<11} {report.counts[kind]}")
        status = "imported" if report.changed else "no changes"
        self.stdout.write(f"{_describe(tree)}: {status} in {time.perf_counter() - started:.2f} s.")
        return True

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        end = "\n" if done == total else ""
        self.stderr.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} files", ending=end
        )
        self.stderr.flush()

    def _watch(self, root: Path, *, prune: bool) -> None:
        from watchfiles import watch

        self.stdout.write(f"Watching {root} for changes (Ctrl+C to stop).")
        self._run(root, check=False, prune=prune)
        for _changes in watch(root, debounce=300, raise_interrupt=False):
            self._run(root, check=False, prune=prune)
        sys.exit(0)


def _describe(tree: ContentTree) -> str:
    courses = ", ".join(course.slug for course in tree.courses) or "no courses"
    return f"{tree.files} files ({courses})"
