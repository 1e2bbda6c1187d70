"""Writes of the catalog: the content import, the only place content reaches the database."""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.search import SearchVector
from django.db import connection, models, transaction
from django.db.models import F

from courseapp.catalog.course_cache import courses_changed
from courseapp.catalog.models import Course, Lesson, Module
from courseapp.flashcards.models import Deck, Flashcard
from courseapp.markup.markdown import Heading
from courseapp.pipeline.sources import ContentTree, CourseSource, LessonSource, Reuse
from courseapp.quizzes.models import Choice, Question
from courseapp.quizzes.types import ChoiceSource, QuestionSource

KINDS = ("courses", "modules", "lessons", "questions", "choices", "decks", "cards")


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    archived: int = 0

    def __str__(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.archived} archived"
        )


@dataclass
class ImportReport:
    counts: dict[str, Counts] = field(default_factory=lambda: {kind: Counts() for kind in KINDS})

    @property
    def changed(self) -> bool:
        return self.change_count() > 0

    def change_count(self) -> int:
        return sum(c.created + c.updated + c.archived for c in self.counts.values())


@transaction.atomic
def content_import(*, tree: ContentTree, prune: bool = False) -> ImportReport:
    """Apply a validated content tree in one transaction: upsert by identity, archive what vanished.

    Nothing is ever deleted: attempts, progress and reviews keep pointing at archived rows.
    """
    if tree.errors:
        raise ValueError("refusing to import a content tree with errors")
    report = ImportReport()
    existing = {course.slug: course for course in Course.objects.all()}
    desired = {source.slug: _course_fields(source) for source in tree.courses}
    stored = {  # as they are, before _sync sets the new values on these same rows
        slug: {**_course_fields(course), "archived": course.archived}
        for slug, course in existing.items()
    }
    courses = _sync(Course, existing, desired, report.counts["courses"], archive_missing=prune)
    courses_changed(existing.keys() | desired.keys())  # their rows, bulk-written, are read again
    for source in tree.courses:
        row_changed = stored.get(source.slug) != {**desired[source.slug], "archived": False}
        _import_course(courses[source.slug], source, report, row_changed=row_changed)
    if report.changed and connection.vendor == "postgresql":
        # Fresh planner statistics: a course imported a minute ago has none until autovacuum's
        # next round, and pages that join its lessons and questions would pick poor plans.
        tables = [m._meta.db_table for m in (Module, Lesson, Question, Choice, Deck, Flashcard)]
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(tables)}")
    return report


def stored_lessons() -> Reuse:
    """The current lessons as the reader would read them again, by (source path, content hash),
    so an import leaves unchanged files unparsed (see `read_content`). Read as plain values:
    model instances would cost more than parsing some of the files."""
    choices: dict[int, list[ChoiceSource]] = defaultdict(list)
    for question_id, *fields in (
        Choice.objects.current()
        .order_by("question_id", "position")
        .values_list("question_id", "key", "text_html", "correct", "feedback_html", "position")
    ):
        choices[question_id].append(ChoiceSource(*fields))
    questions: dict[int, list[QuestionSource]] = defaultdict(list)
    for row in (
        Question.objects.current()
        .order_by("lesson_id", "position")
        .values("id", "lesson_id", *QUESTION_SOURCE_FIELDS.values())
    ):
        fields = {name: row[column] for name, column in QUESTION_SOURCE_FIELDS.items()}
        questions[row["lesson_id"]].append(QuestionSource(**fields, choices=choices[row["id"]]))
    stored = {
        (row["source_path"], row["source_hash"]): row
        for row in Lesson.objects.current().order_by().values("id", *LESSON_SOURCE_FIELDS.values())
    }

    def reuse(path: str, content_hash: str) -> LessonSource | None:
        row = stored.get((path, content_hash))
        if row is None:
            return None
        fields = {name: row[column] for name, column in LESSON_SOURCE_FIELDS.items()}
        fields["headings"] = [Heading(**heading) for heading in fields["headings"]]
        return LessonSource(**fields, path="", questions=questions[row["id"]], stored=True)

    return reuse


# LessonSource and QuestionSource fields by the columns they are stored in.
LESSON_SOURCE_FIELDS = {
    "slug": "slug",
    "title": "title",
    "source": "source_path",
    "position": "position",
    "content_hash": "source_hash",
    "summary": "summary",
    "minutes": "minutes",
    "objectives": "objectives",
    "draft": "draft",
    "html": "body_html",
    "headings": "headings",
    "text": "search_text",
}
QUESTION_SOURCE_FIELDS = {
    "key": "key",
    "type": "type",
    "prompt_html": "prompt_html",
    "explanation_html": "explanation_html",
    "hint_html": "hint_html",
    "answer": "answer",
    "shuffle": "shuffle",
    "line": "source_line",
}


COURSE_FIELDS = ("slug", "title", "summary", "order", "published")


def _course_fields(course: CourseSource | Course) -> dict[str, Any]:
    return {name: getattr(course, name) for name in COURSE_FIELDS}


def _import_course(
    course: Course, source: CourseSource, report: ImportReport, *, row_changed: bool
) -> None:
    changes = report.change_count()
    _import_course_content(course, source, report)
    if row_changed or report.change_count() > changes:
        # Pages cache a course's content, its title in every lesson's header too, under its
        # version (catalog.content_cache).
        Course.objects.filter(pk=course.pk).update(content_version=F("content_version") + 1)


def _import_course_content(course: Course, source: CourseSource, report: ImportReport) -> None:
    # Existing rows are read unordered (order_by()): the models' orderings join other tables.
    modules = _sync(
        Module,
        {m.slug: m for m in course.modules.order_by()},
        {
            m.slug: {
                "course_id": course.pk,
                "slug": m.slug,
                "title": m.title,
                "summary": m.summary,
                "position": m.position,
                "draft": m.draft,
            }
            for m in source.modules
        },
        report.counts["modules"],
    )
    lesson_fields = {}
    pairs = [(module, lesson) for module in source.modules for lesson in module.lessons]
    for sequence, (module, lesson) in enumerate(pairs, start=1):
        lesson_fields[lesson.slug] = {
            "course_id": course.pk,
            "module_id": modules[module.slug].pk,
            "slug": lesson.slug,
            "title": lesson.title,
            "summary": lesson.summary,
            "objectives": lesson.objectives,
            "minutes": lesson.minutes,
            "position": lesson.position,
            "sequence": sequence,
            "draft": lesson.draft,
            "body_html": lesson.html,
            "headings": [{"level": h.level, "id": h.id, "text": h.text} for h in lesson.headings],
            "search_text": lesson.text,
            "search_headings": " ".join(h.text for h in lesson.headings),
            "source_path": lesson.source,
            "source_hash": lesson.content_hash,
        }
    lesson_counts = report.counts["lessons"]
    before = lesson_counts.created + lesson_counts.updated
    lessons = _sync(
        Lesson,
        {lesson.slug: lesson for lesson in course.lessons.order_by()},
        lesson_fields,
        lesson_counts,
        compare=("source_hash", "module_id", "position", "sequence", "source_path"),
    )
    if lesson_counts.created + lesson_counts.updated > before:
        _index_for_search(course)
    _import_questions(course, source, lessons, report)
    _import_decks(course, source, report)


def _import_questions(course, source: CourseSource, lessons, report: ImportReport) -> None:
    # A lesson read back from the database has its questions stored as they are: only the
    # questions of parsed lessons, and of lessons that are gone, need comparing.
    parsed = [lesson for lesson in source.lessons if not lesson.stored]
    kept = [lessons[lesson.slug].pk for lesson in source.lessons if lesson.stored]
    for lesson in source.lessons:
        if lesson.stored:
            report.counts["questions"].unchanged += len(lesson.questions)
            report.counts["choices"].unchanged += sum(len(q.choices) for q in lesson.questions)
    desired = {}
    for lesson in parsed:
        for position, question in enumerate(lesson.questions):
            desired[question.key] = {
                "course_id": course.pk,
                "lesson_id": lessons[lesson.slug].pk,
                "key": question.key,
                "type": question.type,
                "prompt_html": question.prompt_html,
                "explanation_html": question.explanation_html,
                "hint_html": question.hint_html,
                "answer": question.answer,
                "shuffle": question.shuffle,
                "position": position,
                "source_line": question.line,
            }
    questions = _sync(
        Question,
        {q.key: q for q in course.questions.exclude(lesson_id__in=kept).order_by()},
        desired,
        report.counts["questions"],
    )
    choices = {
        (choice.question_id, choice.key): choice
        for choice in Choice.objects.filter(question__course=course)
        .exclude(question__lesson_id__in=kept)
        .order_by()
    }
    desired_choices = {}
    for lesson in parsed:
        for question in lesson.questions:
            owner = questions[question.key]
            for choice in question.choices:
                desired_choices[(owner.pk, choice.key)] = {
                    "question_id": owner.pk,
                    "key": choice.key,
                    "text_html": choice.text_html,
                    "correct": choice.correct,
                    "feedback_html": choice.feedback_html,
                    "position": choice.position,
                }
    _sync(Choice, choices, desired_choices, report.counts["choices"])


def _import_decks(course, source: CourseSource, report: ImportReport) -> None:
    decks = _sync(
        Deck,
        {deck.slug: deck for deck in course.decks.order_by()},
        {
            d.slug: {
                "course_id": course.pk,
                "slug": d.slug,
                "title": d.title,
                "summary": d.summary,
                "position": d.position,
            }
            for d in source.decks
        },
        report.counts["decks"],
    )
    cards = {
        (card.deck_id, card.key): card
        for card in Flashcard.objects.filter(deck__course=course).order_by()
    }
    desired = {
        (decks[deck.slug].pk, card.key): {
            "deck_id": decks[deck.slug].pk,
            "key": card.key,
            "front_html": card.front_html,
            "back_html": card.back_html,
            "position": card.position,
        }
        for deck in source.decks
        for card in deck.cards
    }
    _sync(Flashcard, cards, desired, report.counts["cards"])


def _sync(
    model: type[models.Model],
    existing: dict,
    desired: dict[Any, dict[str, Any]],
    counts: Counts,
    *,
    archive_missing: bool = True,
    compare: tuple[str, ...] | None = None,
) -> dict:
    """Create, update or archive rows so that `existing` matches `desired`, in bulk.

    `compare` names the fields that decide whether a row changed (e.g. a content hash);
    by default every desired field is compared.
    """
    rows, to_create, to_update = {}, [], []
    for key, fields in desired.items():
        row = existing.get(key)
        if row is None:
            row = model(**fields)
            to_create.append(row)
        elif row.archived or any(
            getattr(row, name) != fields[name] for name in (compare or fields)
        ):
            for name, value in fields.items():
                setattr(row, name, value)
            row.archived = False
            to_update.append(row)
        else:
            counts.unchanged += 1
        rows[key] = row
    vanished = [row for key, row in existing.items() if key not in desired and not row.archived]
    if archive_missing:
        for row in vanished:
            row.archived = True
        counts.archived += len(vanished)
    model.objects.bulk_create(to_create)
    update_fields = sorted({*next(iter(desired.values()), {}), "archived"})
    changed = to_update + (vanished if archive_missing else [])
    if changed:
        model.objects.bulk_update(changed, update_fields, batch_size=200)
    counts.created += len(to_create)
    counts.updated += len(to_update)
    return rows


def _index_for_search(course: Course) -> None:
    # Full-text search is PostgreSQL's; other databases fall back to substring search.
    if connection.vendor != "postgresql":
        return
    course.lessons.update(
        search_vector=SearchVector("title", weight="A", config="english")
        + SearchVector("search_headings", weight="B", config="english")
        + SearchVector("search_text", weight="C", config="english")
    )
