"""Drafts: lessons, modules and courses marked `draft: true` are read, imported and previewed by
the course's instructors and staff, and left out of everything students see and count."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from courseapp.catalog.models import Course, Lesson, Module

STEPS = "01-first-steps"
FURTHER = "02-going-further"


def run_import(root: Path) -> None:
    call_command("import_content", str(root), stdout=io.StringIO(), stderr=io.StringIO())


def set_front_matter(path: Path, line: str) -> None:
    """Add `line` to the file's front matter (after its opening ---)."""
    text = path.read_text() if path.exists() else "---\ntitle: Going further\n---\n"
    path.write_text(text.replace("---\n", f"---\n{line}\n", 1))


def mark_draft(root: Path, relative: str, line: str = "draft: true") -> None:
    set_front_matter(root / "demo" / relative, line)
    run_import(root)


# Reading and importing


def test_a_module_marked_draft_is_imported_as_a_draft(db, content_root):
    mark_draft(content_root, f"{FURTHER}/module.md")
    assert Module.objects.get(slug="going-further").draft
    assert not Module.objects.get(slug="first-steps").draft
    assert list(Lesson.objects.published().values_list("slug", flat=True)) == [
        "welcome",
        "commands",
    ]
    assert Lesson.objects.previewable().count() == 3


def test_a_module_draft_can_be_lifted_by_the_next_import(db, content_root):
    mark_draft(content_root, f"{FURTHER}/module.md")
    (content_root / "demo" / FURTHER / "module.md").write_text("---\ntitle: Going further\n---\n")
    run_import(content_root)
    assert not Module.objects.get(slug="going-further").draft
    assert Lesson.objects.published().count() == 3


@pytest.mark.parametrize("line", ["draft: true", "published: false"])
def test_draft_true_and_the_older_published_false_both_make_a_draft_course(db, content_root, line):
    mark_draft(content_root, "course.md", line)
    assert not Course.objects.get(slug="demo").published
    assert not Course.objects.visible().exists()


@pytest.mark.parametrize(
    "lines", [("draft: true", "published: true"), ("draft: false", "published: false")]
)
def test_contradicting_draft_and_published_is_an_error(db, content_root, lines):
    for line in lines:
        set_front_matter(content_root / "demo" / "course.md", line)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_content", str(content_root), stdout=io.StringIO(), stderr=err)
    assert "course.md:2: front matter: published contradicts draft" in err.getvalue()


def test_draft_must_be_true_or_false(db, content_root):
    set_front_matter(content_root / "demo" / STEPS / "module.md", "draft: soon")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_content", str(content_root), stdout=io.StringIO(), stderr=err)
    assert "module.md:2: front matter: draft must be true or false" in err.getvalue()
