"""The import contract: upsert by identity, skip unchanged, archive, one transaction, summary."""

import dataclasses
import io
import json
import re
import shutil

import pytest
from django.core.cache import caches
from django.core.management import CommandError, call_command

from courseapp.catalog.models import Course, Lesson, Module
from courseapp.flashcards.models import Deck, Flashcard
from courseapp.quizzes.models import Choice, Question


def run_import(root, *args: str) -> str:
    out = io.StringIO()
    call_command("import_content", str(root), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_first_import_creates_everything(db, content_root):
    output = run_import(content_root)
    assert "lessons:    3 created, 0 updated, 0 unchanged, 0 archived" in output
    assert "questions:  6 created" in output
    assert "cards:      2 created" in output
    course = Course.objects.get(slug="demo")
    assert [lesson.slug for lesson in course.lessons.all()] == ["welcome", "commands", "ordering"]
    assert Lesson.objects.get(slug="ordering").module.slug == "going-further"
    assert Flashcard.objects.get(key="what-is-a-container").deck.slug == "basics"


def test_second_run_reports_no_changes(db, content_root):
    first = run_import(content_root)
    output = run_import(content_root)
    assert "no changes" in output
    for kind in ("courses", "modules", "lessons", "questions", "choices", "decks", "cards"):
        created = re.search(rf"{kind}: +(\d+) created", first)[1]
        assert f"{kind + ':':<11} 0 created, 0 updated, {created} unchanged, 0 archived" in output


def test_a_question_dropped_from_a_lesson_is_archived_and_the_others_kept(db, content_root):
    run_import(content_root)
    kept = dict(Question.objects.exclude(key="port-number").values_list("key", "pk"))
    path = content_root / "demo" / "01-first-steps" / "02-commands.md"
    text = path.read_text()
    path.write_text(text[: text.index("```quiz\nid: port-number")])
    output = run_import(content_root)
    assert "questions:  0 created, 0 updated, 5 unchanged, 1 archived" in output
    assert Question.objects.get(key="port-number").archived
    assert dict(Question.objects.filter(archived=False).values_list("key", "pk")) == kept


def test_a_question_moved_to_another_lesson_keeps_its_identity(db, content_root):
    run_import(content_root)
    question = Question.objects.get(key="port-number")
    steps = content_root / "demo" / "01-first-steps"
    commands = (steps / "02-commands.md").read_text()
    fence = commands[commands.index("```quiz\nid: port-number") :]
    (steps / "02-commands.md").write_text(commands.replace(fence, ""))
    welcome = steps / "01-welcome.md"
    welcome.write_text(f"{welcome.read_text()}\n{fence}")
    output = run_import(content_root)
    assert "questions:  0 created, 1 updated, 5 unchanged, 0 archived" in output
    moved = Question.objects.get(pk=question.pk)
    assert (moved.lesson.slug, moved.archived) == ("welcome", False)


def test_check_validates_without_writing(db, content_root):
    output = run_import(content_root, "--check")
    assert "no errors" in output
    assert not Course.objects.exists()


def test_changed_file_is_updated_and_others_unchanged(db, content_root):
    run_import(content_root)
    path = content_root / "demo" / "01-first-steps" / "02-commands.md"
    path.write_text(path.read_text().replace("quokka", "wombat"))
    output = run_import(content_root)
    assert "lessons:    0 created, 1 updated, 2 unchanged" in output
    assert "wombat" in Lesson.objects.get(slug="commands").body_html


def test_moving_a_lesson_to_another_module_keeps_its_identity(db, content_root):
    run_import(content_root)
    lesson = Lesson.objects.get(slug="commands")
    question_ids = set(lesson.questions.values_list("pk", flat=True))
    demo = content_root / "demo"
    shutil.move(
        demo / "01-first-steps" / "02-commands.md", demo / "02-going-further" / "05-commands.md"
    )
    (demo / "01-first-steps" / "01-welcome.md").write_text(
        (demo / "01-first-steps" / "01-welcome.md")
        .read_text()
        .replace("02-commands.md", "../02-going-further/05-commands.md")
    )
    run_import(content_root)
    moved = Lesson.objects.get(slug="commands")
    assert moved.pk == lesson.pk
    assert moved.module.slug == "going-further"
    assert set(moved.questions.values_list("pk", flat=True)) == question_ids
    assert [lesson.slug for lesson in Course.objects.get().lessons.all()] == [
        "welcome",
        "ordering",
        "commands",
    ]


def test_removed_lesson_and_question_are_archived_not_deleted(db, content_root):
    run_import(content_root)
    demo = content_root / "demo"
    shutil.rmtree(demo / "02-going-further")
    (demo / "01-first-steps" / "01-welcome.md").unlink()
    (demo / "01-first-steps" / "02-commands.md").write_text(
        "---\ntitle: Commands\n---\n\nNo quiz left.\n"
    )
    output = run_import(content_root)
    assert "lessons:    0 created, 1 updated, 0 unchanged, 2 archived" in output
    assert "modules:    0 created, 0 updated, 1 unchanged, 1 archived" in output
    assert "questions:  0 created, 0 updated, 0 unchanged, 6 archived" in output
    assert Lesson.objects.filter(archived=True).count() == 2
    assert Question.objects.count() == 6 and not Question.objects.filter(archived=False).exists()
    assert Choice.objects.count() == 8
    assert Module.objects.get(slug="going-further").archived


def test_current_rows_are_those_the_content_folder_still_has(db, content_root):
    run_import(content_root)
    shutil.rmtree(content_root / "demo" / "02-going-further")
    deck = content_root / "demo" / "flashcards" / "basics.md"
    deck.write_text(deck.read_text().split("## What is a container?")[0])
    run_import(content_root)
    assert {module.slug for module in Module.objects.current()} == {"first-steps"}
    assert {lesson.slug for lesson in Lesson.objects.current()} == {"welcome", "commands"}
    assert "lifecycle-order" not in {question.key for question in Question.objects.current()}
    assert not Choice.objects.current().filter(question__key="lifecycle-order").exists()
    assert {card.key for card in Flashcard.objects.current()} == {"image"}
    assert Deck.objects.current().get().cards.current().get().key == "image"
    assert Module.objects.count() == 2 and Flashcard.objects.count() == 2  # archived, kept


def test_a_restored_file_is_unarchived(db, content_root):
    run_import(content_root)
    lesson = content_root / "demo" / "02-going-further" / "01-ordering.md"
    text = lesson.read_text()
    lesson.unlink()
    run_import(content_root)
    lesson.write_text(text)
    run_import(content_root)
    assert not Lesson.objects.get(slug="ordering").archived
    assert not Question.objects.get(key="lifecycle-order").archived


def test_card_rewording_keeps_the_card_and_removed_cards_are_archived(db, content_root):
    run_import(content_root)
    card = Flashcard.objects.get(key="image")
    deck = content_root / "demo" / "flashcards" / "basics.md"
    deck.write_text(
        deck.read_text()
        .replace("What is an image?", "Define an image")
        .split("## What is a container?")[0]
    )
    run_import(content_root)
    card.refresh_from_db()
    assert "Define an image" in card.front_html
    assert Flashcard.objects.get(key="what-is-a-container").archived


def test_course_absent_from_root_is_kept_unless_pruned(db, content_root, tmp_path):
    run_import(content_root)
    other = tmp_path / "other"
    (other / "solo" / "01-only").mkdir(parents=True)
    (other / "solo" / "course.md").write_text("---\ntitle: Solo\n---\n")
    (other / "solo" / "01-only" / "01-one.md").write_text("---\ntitle: One\n---\n\nHello.\n")
    run_import(other)
    assert not Course.objects.get(slug="demo").archived
    output = run_import(other, "--prune")
    assert "courses:    0 created, 0 updated, 1 unchanged, 1 archived" in output
    assert Course.objects.get(slug="demo").archived
    assert Lesson.objects.filter(course__slug="demo").count() == 3


def test_a_single_course_folder_can_be_imported(db, content_root):
    run_import(content_root / "demo")
    assert Course.objects.get().slug == "demo"


def test_quiz_key_and_choices_are_stored_but_not_in_the_lesson_html(db, content_root):
    run_import(content_root)
    welcome = Lesson.objects.get(slug="welcome")
    assert "<!-- quiz:image-vs-container -->" in welcome.body_html
    assert "read-only template; a container" not in welcome.body_html
    question = Question.objects.get(key="image-vs-container")
    assert [(c.key, c.correct) for c in question.choices.all()] == [
        ("template", True),
        ("same", False),
    ]
    assert Question.objects.get(key="list-command").answer["accept"] == [
        "docker ps",
        "docker container ls",
    ]
    assert Question.objects.get(key="port-number").answer == {"answer": 80, "tolerance": 0}
    order = Question.objects.get(key="lifecycle-order")
    assert order.shuffle and list(order.choices.values_list("key", flat=True)) == [
        "pull",
        "create",
        "start",
    ]


def test_relative_links_become_lesson_urls(db, content_root):
    run_import(content_root)
    assert (
        'href="/courses/demo/commands/#c-running"' in Lesson.objects.get(slug="welcome").body_html
    )
    assert 'href="/courses/demo/welcome/"' in Lesson.objects.get(slug="ordering").body_html


def test_renaming_a_linked_lesson_rerenders_the_linking_lesson(db, content_root):
    run_import(content_root)
    demo = content_root / "demo" / "01-first-steps"
    shutil.move(demo / "02-commands.md", demo / "02-cli.md")
    welcome = demo / "01-welcome.md"
    welcome.write_text(welcome.read_text().replace("02-commands.md", "02-cli.md"))
    run_import(content_root)
    assert 'href="/courses/demo/cli/#c-running"' in Lesson.objects.get(slug="welcome").body_html


def test_import_is_one_transaction(db, content_root, monkeypatch):
    from courseapp.pipeline import importer as services

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_import_decks", explode)
    with pytest.raises(RuntimeError):
        run_import(content_root)
    assert not Course.objects.exists() and not Lesson.objects.exists()
    assert not Deck.objects.exists()


def test_progress_bar_only_on_a_terminal(db, content_root):
    err = io.StringIO()
    call_command("import_content", str(content_root), stdout=io.StringIO(), stderr=err)
    assert "[" not in err.getvalue()


def import_errors(root, *args: str) -> list[str]:
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_content", str(root), *args, stdout=io.StringIO(), stderr=err)
    return err.getvalue().splitlines()[:-1]


def stored_rows() -> list[tuple]:
    lessons = Lesson.objects.values_list()
    questions = Question.objects.values_list()
    return [*lessons.order_by("pk"), *questions.order_by("pk"), *Choice.objects.values_list()]


def test_unchanged_lesson_files_are_not_parsed_again(db, content_root, monkeypatch):
    from courseapp.pipeline import sources

    run_import(content_root)
    before = stored_rows()

    def refuse(*args, **kwargs):
        raise AssertionError("an unchanged lesson was parsed again")

    monkeypatch.setattr(sources, "render", refuse)
    monkeypatch.setattr(sources, "parse_question", refuse)
    assert "no changes" in run_import(content_root)
    assert stored_rows() == before


def test_every_way_of_writing_a_lesson_link_counts_in_the_content_hash():
    from courseapp.pipeline.sources import _link_targets

    raw = (
        b"[a](02-b.md) [c](../02-x/01-d.md#part) <03-e.md> [f](05-i.md?x)\n"
        b'[g]: 04-g.md "title"\n`06-j.md` not-a-link.mdx a.md.md'
    )
    targets = json.loads(_link_targets(raw, resolve=lambda link: link))
    assert set(targets) == {
        "02-b.md",
        "../02-x/01-d.md",
        "03-e.md",
        "04-g.md",
        "05-i.md",
        "06-j.md",
        "a.md.md",
    }


def test_an_unchanged_file_whose_link_target_vanished_is_reported(db, content_root):
    run_import(content_root)
    steps = content_root / "demo" / "01-first-steps"
    shutil.move(steps / "02-commands.md", steps / "02-cli.md")  # 01-welcome.md links to it
    errors = import_errors(content_root)
    assert errors == import_errors(content_root, "--check")
    assert len(errors) == 1 and "01-welcome.md:" in errors[0]
    assert "link to a missing lesson file '02-commands.md#running'" in errors[0]


def test_a_question_id_clashing_with_an_unchanged_lesson_is_located_as_by_a_full_read(
    db, content_root
):
    run_import(content_root)
    welcome = content_root / "demo" / "01-first-steps" / "01-welcome.md"
    welcome.write_text(welcome.read_text().replace("id: layers-true-false", "id: list-command"))
    errors = import_errors(content_root)
    assert errors == import_errors(content_root, "--check")
    assert "02-commands.md:" in errors[0] and "'list-command' is already used" in errors[0]


def test_pages_show_a_changed_lesson_at_once_and_keep_their_cache_otherwise(
    db, client, content_root
):
    run_import(content_root)
    course = Course.objects.get(slug="demo")
    assert b"quokka" in client.get("/courses/demo/commands/").content  # now cached
    run_import(content_root)
    course_after_no_change = Course.objects.get(slug="demo")
    assert course_after_no_change.content_version == course.content_version
    path = content_root / "demo" / "01-first-steps" / "02-commands.md"
    path.write_text(path.read_text().replace("quokka", "wombat"))
    run_import(content_root)
    assert Course.objects.get(slug="demo").content_version == course.content_version + 1
    page = client.get("/courses/demo/commands/").content
    assert b"wombat" in page and b"quokka" not in page


def test_saving_a_course_in_the_admin_leaves_its_content_cache_alone(db, client, content_root):
    run_import(content_root)
    course = Course.objects.get(slug="demo")
    version = course.content_version
    client.get("/courses/demo/commands/")
    course.summary = "Edited by hand."
    course.save()
    course.refresh_from_db()
    assert course.content_version == version
    assert caches["content"].get(f"course:{course.pk}:v{version}:lesson:commands") is not None


def test_cached_content_is_immutable(db, client, content_root):
    from courseapp.pages.selectors import lesson_content

    run_import(content_root)
    course = Course.objects.get(slug="demo")
    content = lesson_content(course, slug="welcome")
    assert content == lesson_content(course, slug="welcome")
    with pytest.raises(dataclasses.FrozenInstanceError):
        content.lesson.title = "changed"
    with pytest.raises(dataclasses.FrozenInstanceError):
        next(q for q in content.questions if q.choices).choices[0].correct = False
    assert isinstance(content.questions, tuple) and isinstance(content.lesson.headings, tuple)


def test_a_course_renamed_by_an_import_shows_its_new_name(client, demo_course, content_root):
    client.get("/courses/demo/welcome/")  # its header is cached under the content version
    course_file = content_root / "demo" / "course.md"
    course_file.write_text(course_file.read_text().replace("Demo course", "Renamed course"))
    call_command("import_content", str(content_root), stdout=io.StringIO())
    assert "Renamed course" in client.get("/courses/demo/welcome/").content.decode()
