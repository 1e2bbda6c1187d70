import time

from django.core.management.base import BaseCommand, CommandError

from courseapp.catalog.models import Course
from courseapp.insights.services import DemoStudentsExist, demo_seed


class Command(BaseCommand):
    help = (
        "Seed demo students (student0001…, password demo-password-1) with enrollments, lesson "
        "progress, quiz attempts and flashcard reviews in the given courses, so the insights "
        "can be seen and measured."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--course", action="append", required=True, metavar="SLUG", help="repeatable"
        )
        parser.add_argument("--students", type=int, required=True, metavar="N")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--reset", action="store_true", help="delete previously seeded demo students first"
        )

    def handle(self, *args, course, students, seed, reset, **options):
        if students < 1 or students > 9999:
            raise CommandError("--students must be between 1 and 9999.")
        found = Course.objects.in_bulk(course, field_name="slug")
        missing = [slug for slug in course if slug not in found]
        if missing:
            raise CommandError(
                f"Unknown course {', '.join(missing)}: import it first (import_content)."
            )
        started = time.monotonic()
        try:
            summary = demo_seed(
                courses=[found[slug] for slug in dict.fromkeys(course)],
                students=students,
                seed=seed,
                reset=reset,
            )
        except DemoStudentsExist as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Seeded {summary.students} demo students in {summary.courses} course(s): "
            f"{summary.enrollments} enrollments, {summary.progress} lesson progress rows, "
            f"{summary.attempts} attempts, {summary.reviews} flashcard reviews "
            f"in {time.monotonic() - started:.1f}s."
        )
