from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courseapp.pipeline.gift.fences import fence_ids, gift_to_fences


class Command(BaseCommand):
    help = (
        "Convert a Moodle GIFT file to quiz fences: printed, or appended to a lesson with --into. "
        "What cannot be converted is listed on stderr (see docs/authoring.md)."
    )
    # It reads and writes files only: no system checks, so it runs without a database.
    requires_system_checks: list = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="the GIFT file")
        parser.add_argument("--into", type=Path, metavar="LESSON.md", help="append to this lesson")
        parser.add_argument("--prefix", default="", help="start every question id with PREFIX-")

    def handle(self, *args, file: Path, into: Path | None, prefix: str, **options) -> None:
        lesson = _read(into) if into else ""
        conversion = gift_to_fences(
            _read(file), path=str(file), prefix=prefix, taken=fence_ids(lesson)
        )
        for note in conversion.notes:
            self.stderr.write(f"{file}:{note.line}: {note.message}")
        converted = len(conversion.fences)
        self.stderr.write(
            f"{converted} of {conversion.questions} question(s) converted, "
            f"{len(conversion.notes)} note(s)."
        )
        if into is None:
            self.stdout.write(conversion.markdown, ending="")
        elif converted:
            if lesson.strip():
                lesson = lesson.rstrip("\n") + "\n\n"
            into.write_text(lesson + conversion.markdown, encoding="utf-8")
            self.stderr.write(f"Appended {converted} question(s) to {into}.")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file") from None
    except UnicodeDecodeError as error:
        raise CommandError(f"{path}: not UTF-8 (byte {error.start})") from None
    except OSError as error:
        raise CommandError(f"{path}: {error.strerror}") from None
