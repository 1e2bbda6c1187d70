"""Content errors in formats for tools (JSON Lines, GitHub annotations) and the course-side check.

The check reads files only: these tests run without the `db` fixture, so any query would fail.
"""

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from courseapp.markup.yaml_source import ContentError
from courseapp.pipeline.management.commands.import_content import github_annotation
from tests.conftest import FIXTURE_CONTENT

NEW_LESSON = "demo/01-first-steps/03-new.md"
NOT_UTF8 = "demo/01-first-steps/04-latin1.md"
BAD_MODULE = "demo/basics"


def break_content(root: Path) -> None:
    """Three errors: a line in a file, a whole file (line 0) and a folder."""
    (root / NEW_LESSON).write_text("---\ntitle: New\nbogus: 1\n---\n")
    (root / NOT_UTF8).write_bytes(b"---\ntitle: Caf\xe9\n---\n")
    (root / BAD_MODULE).mkdir()


def expected_errors(root: Path | str) -> list[dict]:
    return [
        {
            "path": f"{root}/{NEW_LESSON}",
            "line": 3,
            "message": "unknown front-matter key 'bogus'",
        },
        {
            "path": f"{root}/{NOT_UTF8}",
            "line": None,
            "message": "not UTF-8 (byte 0xe9 at line 2)",
        },
        {
            "path": f"{root}/{BAD_MODULE}",
            "line": 1,
            "message": "module folder must be named NN-slug (e.g. 01-basics)",
        },
    ]


def check(root: Path, *args: str) -> tuple[int, str, str]:
    """Run `import_content ROOT --check ARGS`; return its exit status, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_content", str(root), "--check", *args, stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_json_prints_one_object_per_error_and_nothing_else_on_stdout(content_root):
    break_content(content_root)
    status, out, err = check(content_root, "--format", "json")
    assert status == 1
    assert [json.loads(line) for line in out.splitlines()] == expected_errors(content_root)
    assert err == "3 error(s) in 8 file(s).\n"


def test_json_on_clean_content_prints_nothing_on_stdout(content_root):
    status, out, err = check(content_root, "--format", "json")
    assert (status, out) == (0, "")
    assert err == "6 files (demo): no errors.\n"


def test_github_prints_an_annotation_per_error(content_root):
    break_content(content_root)
    status, out, _ = check(content_root, "--format", "github")
    assert status == 1
    assert out.splitlines() == [
        f"::error file={content_root}/{NEW_LESSON},line=3,title=Content error::"
        "unknown front-matter key 'bogus'",
        f"::error file={content_root}/{NOT_UTF8},title=Content error::"
        "not UTF-8 (byte 0xe9 at line 2)",
        f"::error file={content_root}/{BAD_MODULE},line=1,title=Content error::"
        "module folder must be named NN-slug (e.g. 01-basics)",
    ]


def test_github_escapes_messages_and_properties_as_github_documents():
    error = ContentError("content/a:b,c.md", 7, "100% sure\nnext line\rend: yes, really")
    assert github_annotation(error) == (
        "::error file=content/a%3Ab%2Cc.md,line=7,title=Content error::"
        "100%25 sure%0Anext line%0Dend: yes, really"
    )


@pytest.mark.parametrize("args", [(), ("--format", "text")])
def test_text_is_the_default_and_unchanged(content_root, args):
    break_content(content_root)
    status, out, err = check(content_root, *args)
    assert (status, out) == (1, "")
    assert err.splitlines() == [
        f"{content_root}/{NEW_LESSON}:3: unknown front-matter key 'bogus'",
        f"{content_root}/{NOT_UTF8}: not UTF-8 (byte 0xe9 at line 2)",
        f"{content_root}/{BAD_MODULE}:1: module folder must be named NN-slug (e.g. 01-basics)",
        "3 error(s) in 8 file(s).",
    ]


def test_the_format_applies_to_an_import_too(db, content_root):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_content", str(content_root), "--format", "json", stdout=out, stderr=err)
    assert out.getvalue() == ""
    assert "imported" in err.getvalue()

    break_content(content_root)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_content", str(content_root), "--format", "json", stdout=out)
    assert [json.loads(line) for line in out.getvalue().splitlines()] == expected_errors(
        content_root
    )


def run_console_script(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """`courseapp-check ARGS` as a course repository runs it: no settings, key or database."""
    script = shutil.which("courseapp-check", path=Path(sys.executable).parent)
    assert script, "courseapp-check is not installed: pip install -e . (pyproject.toml scripts)"
    unset = {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DATABASE_URL", "DEBUG", "LOG_LEVEL"}
    env = {name: value for name, value in os.environ.items() if name not in unset}
    return subprocess.run(
        [script, *args], capture_output=True, text=True, check=False, cwd=cwd, env=env
    )


def test_the_console_script_checks_a_course_repository(tmp_path):
    shutil.copytree(FIXTURE_CONTENT, tmp_path / "content")

    clean = run_console_script(tmp_path, "content", "--format", "json")
    assert (clean.returncode, clean.stdout) == (0, "")
    assert "no errors" in clean.stderr

    break_content(tmp_path / "content")
    broken = run_console_script(tmp_path, "--format", "json")
    assert broken.returncode == 1, broken.stderr
    # Relative paths, as given (here the default `content`), as GitHub annotations need.
    assert [json.loads(line) for line in broken.stdout.splitlines()] == expected_errors("content")


def test_the_console_script_reports_a_missing_folder(tmp_path):
    result = run_console_script(tmp_path, "courses")
    assert result.returncode == 1
    assert result.stderr == "courses: no such folder\n"


def test_a_check_through_manage_py_opens_no_database(tmp_path):
    # The system checks would open this database; a check must not need it.
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/missing/db.sqlite3"}
    result = subprocess.run(
        [sys.executable, "manage.py", "import_content", str(FIXTURE_CONTENT), "--check"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parent.parent,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "no errors" in result.stdout
