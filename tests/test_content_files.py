"""What the import accepts as content files: identity independent of how ROOT is typed,
reserved slugs from the URL table, UTF-8 only, no links out, no folders posing as files, a size
limit. Every refusal names the file and nothing is imported."""

import importlib
import io
import os
import time

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from courseapp.catalog.models import Course, Lesson
from courseapp.pipeline.sources import reserved_lesson_slugs

LESSON = "---\ntitle: New\n---\n\nText.\n"


def import_content(root, *args) -> str:
    out = io.StringIO()
    call_command("import_content", str(root), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def refused(root) -> str:
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_content", str(root), stdout=io.StringIO(), stderr=err)
    return err.getvalue()


@pytest.mark.django_db
def test_the_same_tree_typed_three_ways_is_one_import(content_root, monkeypatch):
    monkeypatch.chdir(content_root.parent)
    assert "imported" in import_content("content")
    assert "no changes" in import_content("./content")
    assert "no changes" in import_content(content_root.resolve())
    assert "no changes" in import_content(f"{os.curdir}/content/../content")
    sources = set(Lesson.objects.values_list("source_path", flat=True))
    assert sources == {
        "01-first-steps/01-welcome.md",
        "01-first-steps/02-commands.md",
        "02-going-further/01-ordering.md",
    }


def test_reserved_slugs_come_from_the_url_table():
    assert {"start", "questions", "flashcards", "insights"} <= reserved_lesson_slugs()
    assert "dashboard" not in reserved_lesson_slugs()  # not under /courses/<course>/


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["start", "questions", "flashcards", "insights"])
def test_a_lesson_named_like_a_course_route_is_refused(content_root, slug):
    path = content_root / "demo" / "01-first-steps" / f"03-{slug}.md"
    path.write_text(LESSON)
    output = refused(content_root)
    assert f"{path}:1: lesson slug '{slug}' is reserved" in output
    assert not Course.objects.exists()


@pytest.mark.django_db
def test_a_file_that_is_not_utf8_is_refused_with_its_path(content_root):
    path = content_root / "demo" / "01-first-steps" / "03-cafe.md"
    path.write_bytes("---\ntitle: Caf\u00e9\n---\n\nText.\n".encode("latin-1"))
    output = refused(content_root)
    assert f"{path}: not UTF-8 (byte 0xe9 at line 2)" in output
    assert not Lesson.objects.exists()


@pytest.mark.django_db
def test_a_deck_that_is_not_utf8_is_refused(content_root):
    path = content_root / "demo" / "flashcards" / "latin.md"
    path.write_bytes("---\ntitle: Deck\n---\n\n## Front\n\nBack \xe9.\n".encode("latin-1"))
    assert f"{path}: not UTF-8 (byte 0xe9 at line 7)" in refused(content_root)


@pytest.mark.django_db
def test_a_symlink_out_of_the_content_folder_is_refused(content_root, tmp_path):
    outside = tmp_path / "secret.md"
    outside.write_text(LESSON)
    link = content_root / "demo" / "01-first-steps" / "03-linked.md"
    link.symlink_to(outside)
    assert f"{link}: symlink outside the content folder" in refused(content_root)


@pytest.mark.django_db
def test_a_folder_named_like_a_lesson_file_is_refused(content_root):
    folder = content_root / "demo" / "01-first-steps" / "04-x.md"
    folder.mkdir()
    assert f"{folder}: expected a file, found a folder" in refused(content_root)


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused_unread(content_root, settings):
    settings.CONTENT_MAX_FILE_BYTES = 2_000
    path = content_root / "demo" / "01-first-steps" / "03-big.md"
    path.write_text(LESSON + "word " * 1_000)
    assert f"{path}: file too large (5,026 bytes; at most 2,000" in refused(content_root)
    assert not Course.objects.exists()


@pytest.mark.django_db
def test_stored_paths_of_an_older_import_become_paths_within_the_course(demo_course):
    migration = importlib.import_module(
        "courseapp.catalog.migrations.0004_lesson_source_within_course"
    )
    lesson = Lesson.objects.get(slug="welcome")
    Lesson.objects.filter(pk=lesson.pk).update(
        source_path="/app/content/demo/01-first-steps/01-welcome.md"
    )
    migration.to_path_within_course(apps, None)
    lesson.refresh_from_db()
    assert lesson.source_path == "01-first-steps/01-welcome.md"


BOMB = "\n".join(
    [
        "a: &a [x, x, x, x, x, x, x, x, x]",
        *(
            f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]"
            for i in range(8)
        ),
    ]
)


@pytest.mark.django_db
def test_an_alias_bomb_in_a_quiz_fence_is_a_content_error_found_at_once(content_root):
    path = content_root / "demo" / "01-first-steps" / "01-welcome.md"
    path.write_text(path.read_text() + f"\n```quiz\n{BOMB}\n```\n")
    started = time.monotonic()
    output = refused(content_root)
    assert time.monotonic() - started < 5
    assert "aliases expand to more than 10,000 values" in output


@pytest.mark.django_db
def test_an_alias_bomb_in_front_matter_is_a_content_error(content_root):
    path = content_root / "demo" / "01-first-steps" / "03-bomb.md"
    path.write_text(f"---\ntitle: Bomb\n{BOMB.replace('a:', 'x-a:', 1)}\n---\n\nText.\n")
    assert f"{path}:" in refused(content_root)
    assert "aliases expand to more than 10,000 values" in refused(content_root)
