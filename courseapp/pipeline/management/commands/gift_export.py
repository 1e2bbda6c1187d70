from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courseapp.catalog.models import Course
from courseapp.pipeline.gift.writing import course_questions, questions_to_gift


class Command(BaseCommand):
    help = (
        "Write a course's current questions as Moodle GIFT, to stdout or --output. "
        "What GIFT cannot express is listed on stderr (see docs/authoring.md)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("course", help="the course's slug (its folder name)")
        parser.add_argument("--output", type=Path, metavar="FILE", help="write the GIFT here")

    def handle(self, *args, course: str, output: Path | None, **options) -> None:
        found = Course.objects.filter(slug=course).first()
        if found is None:
            raise CommandError(f"no course {course!r}")
        export = questions_to_gift(found, course_questions(found))
        for note in export.notes:
            self.stderr.write(f"{note.key}: {note.message}")
        self.stderr.write(
            f"{export.exported} of {export.questions} question(s) exported, "
            f"{len(export.notes)} note(s)."
        )
        if output is None:
            self.stdout.write(export.text, ending="")
            return
        try:
            output.write_text(export.text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"{output}: {error.strerror}") from None
        self.stderr.write(f"Wrote {output}.")
