"""Every kind of content error names its file and line, and nothing is written."""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from courseapp.catalog.models import Course, Lesson
from courseapp.quizzes.models import Question

WELCOME = "01-first-steps/01-welcome.md"
QUIZ = """
```quiz
{body}
```
"""


def run_check(root: Path, *args: str) -> str:
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_content", str(root), *args, stdout=io.StringIO(), stderr=err)
    assert raised.value.returncode == 1
    return err.getvalue()


def write(root: Path, relative: str, text: str) -> Path:
    path = root / "demo" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def append_quiz(root: Path, body: str) -> int:
    """Append a quiz fence to the welcome lesson; return the file line of its first YAML line."""
    path = root / "demo" / WELCOME
    before = path.read_text()
    path.write_text(before + QUIZ.format(body=body))
    return len(before.splitlines()) + 3


LESSON = "---\ntitle: New\n---\n\nText.\n"


@pytest.mark.parametrize(
    ("relative", "text", "line", "message"),
    [
        (
            "01-first-steps/03-new.md",
            "---\ntitle: [unclosed\n---\n",
            3,
            "front matter: invalid YAML",
        ),
        (
            "01-first-steps/03-new.md",
            "---\ntitle: New\ncolour: red\n---\n",
            3,
            "unknown front-matter key 'colour'",
        ),
        (
            "01-first-steps/03-new.md",
            "---\nsummary: No title\n---\n",
            2,
            "missing required front-matter key 'title'",
        ),
        ("01-first-steps/03-new.md", "No front matter\n", 1, "missing front matter"),
        (
            "01-first-steps/03-new.md",
            "---\ntitle: New\nminutes: soon\n---\n",
            3,
            "front matter: minutes must be a whole number",
        ),
        (
            "01-first-steps/03-new.md",
            "---\ntitle: New\ntitle: Again\n---\n",
            3,
            "front matter: duplicate key 'title'",
        ),
        ("01-first-steps/03-flashcards.md", LESSON, 1, "lesson slug 'flashcards' is reserved"),
        ("01-first-steps/03-insights.md", LESSON, 1, "lesson slug 'insights' is reserved"),
        ("02-going-further/02-welcome.md", LESSON, 1, "lesson slug 'welcome' is already used"),
        ("01-first-steps/new.md", LESSON, 1, "lesson file must be named NN-slug.md"),
        ("01-first-steps/03-Bad_Slug.md", LESSON, 1, "lesson file must be named NN-slug.md"),
        ("stray.md", LESSON, 1, "unexpected file"),
        (
            "01-first-steps/03-new.md",
            LESSON + "\nSee [this](../09-none/01-gone.md).\n",
            7,
            "link to a missing lesson file '../09-none/01-gone.md'",
        ),
        (
            "01-first-steps/03-new.md",
            LESSON + "\n```quiz\nid: open\n",
            7,
            "quiz fence is never closed",
        ),
        (
            "flashcards/more.md",
            "---\ntitle: More\n---\n\n## One {#a}\n\nBack.\n\n## Two {#a}\n\nBack.\n",
            9,
            "duplicate card key 'a'",
        ),
        (
            "flashcards/more.md",
            "---\ntitle: More\n---\n\n## Empty back\n",
            5,
            "card 'empty-back' has no back",
        ),
        (
            "flashcards/more.md",
            "---\ntitle: More\nsize: 3\n---\n\n## Q\n\nA\n",
            3,
            "unknown front-matter key 'size'",
        ),
    ],
)
def test_file_errors_are_located(db, content_root, relative, text, line, message):
    path = write(content_root, relative, text)
    output = run_check(content_root)
    assert f"{path}:{line}: {message}" in output


@pytest.mark.parametrize(
    ("body", "offset", "message"),
    [
        ("id: broken\ntype: single\nprompt: [oops", 2, "quiz: invalid YAML"),
        ("id: x1\ntype: essay\nprompt: Why?", 1, "quiz: type must be one of"),
        (
            "id: x2\ntype: true_false\nprompt: Yes?\nanswer: true\ncolour: red",
            4,
            "unknown true_false question key 'colour'",
        ),
        (
            "id: x3\ntype: true_false\nanswer: true",
            0,
            "missing required true_false question key 'prompt'",
        ),
        ("id: Bad Id\ntype: true_false\nprompt: P\nanswer: true", 0, "quiz: id must be a slug"),
        (
            "id: x4\ntype: true_false\nprompt: P\nanswer: maybe",
            3,
            "quiz: answer must be true or false",
        ),
        (
            "id: x5\ntype: single\nprompt: P\nchoices:\n  - text: A\n    correct: true\n  - text: B\n    correct: true",
            3,
            "quiz: a single question needs exactly one correct choice, not 2",
        ),
        (
            "id: x6\ntype: multiple\nprompt: P\nchoices:\n  - text: A\n  - text: B",
            3,
            "quiz: a multiple question needs at least one correct choice",
        ),
        (
            "id: x7\ntype: single\nprompt: P\nchoices:\n  - text: A\n    correct: true\n  - id: a\n    text: B",
            6,
            "quiz: duplicate choice id 'a'",
        ),
        (
            "id: x8\ntype: single\nprompt: P\nchoices:\n  - text: A\n    correct: yes please\n  - text: B\n    correct: true",
            5,
            "quiz: correct must be true or false",
        ),
        (
            "id: x9\ntype: order\nprompt: P\nchoices:\n  - text: A\n    correct: true\n  - text: B",
            5,
            "quiz: unknown choice key 'correct'",
        ),
        (
            "id: x10\ntype: single\nprompt: P\nchoices:\n  - text: only",
            3,
            "quiz: a single question needs a list of at least two choices",
        ),
        (
            "id: x11\ntype: text\nprompt: P",
            0,
            "quiz: a text question needs 'accept' and/or 'accept_regex'",
        ),
        (
            "id: x12\ntype: text\nprompt: P\naccept_regex: ['(unclosed']",
            3,
            "quiz: invalid regular expression",
        ),
        (
            "id: x12b\ntype: text\nprompt: P\naccept_regex: ['ok', '(a)\\1']",
            3,
            "quiz: invalid regular expression '(a)\\\\1'",
        ),
        (
            "id: x12c\ntype: text\nprompt: P\naccept_regex:\n  - ok\n  - (?=docker)run",
            5,
            "quiz: invalid regular expression '(?=docker)run'",
        ),
        ("id: x13\ntype: numeric\nprompt: P\nanswer: ten", 3, "quiz: answer must be a number"),
        (
            "id: x14\ntype: numeric\nprompt: P\nanswer: 3\ntolerance: -1",
            4,
            "quiz: tolerance must not be negative",
        ),
        (
            "id: image-vs-container\ntype: true_false\nprompt: P\nanswer: true",
            -1,
            "question id 'image-vs-container' is already used",
        ),
    ],
)
def test_quiz_errors_point_inside_the_fence(db, content_root, body, offset, message):
    first_line = append_quiz(content_root, body)
    output = run_check(content_root)
    assert f"{content_root / 'demo' / WELCOME}:{first_line + offset}: {message}" in output


def test_all_errors_are_reported_together_and_nothing_is_written(db, content_root):
    call_command("import_content", str(content_root), stdout=io.StringIO())
    lesson = content_root / "demo" / WELCOME
    lesson.write_text(lesson.read_text().replace("title: Welcome", "title: Changed\nextra: 1"))
    write(content_root, "01-first-steps/03-flashcards.md", LESSON)
    snapshot = list(Lesson.objects.values_list("slug", "title", "archived"))

    output = run_check(content_root)

    assert "unknown front-matter key 'extra'" in output
    assert "lesson slug 'flashcards' is reserved" in output
    assert "2 error(s)" in output
    assert list(Lesson.objects.values_list("slug", "title", "archived")) == snapshot


def test_errors_leave_an_empty_database_empty(db, content_root):
    append_quiz(content_root, "id: broken\ntype: numeric\nprompt: P")
    run_check(content_root)
    assert not Course.objects.exists()
    assert not Question.objects.exists()


def test_missing_course_md_and_bad_module_folder(db, content_root):
    (content_root / "demo" / "course.md").unlink()
    (content_root / "other" / "basics").mkdir(parents=True)
    (content_root / "other" / "course.md").write_text("---\ntitle: Other\n---\n")
    output = run_check(content_root)
    assert f"{content_root / 'demo' / 'course.md'}:1: missing course.md" in output
    assert f"{content_root / 'other' / 'basics'}:1: module folder must be named NN-slug" in output


def test_the_command_exits_with_status_1_on_errors(content_root):
    write(content_root, "01-first-steps/03-new.md", "---\ntitle: New\nbogus: 1\n---\n")
    result = subprocess.run(
        [sys.executable, "manage.py", "import_content", str(content_root), "--check"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parent.parent,
    )
    assert result.returncode == 1
    assert "03-new.md:3: unknown front-matter key 'bogus'" in result.stderr
