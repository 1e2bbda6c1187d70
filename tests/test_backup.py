"""The backup of docs/deployment.md round-trips: pg_dump in custom format, pg_restore into a
fresh database, and every attempt, progress row, review and account is there, identical."""

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from tests.servers import postgres_server_url

ROOT = Path(__file__).resolve().parent.parent
TABLES = [
    "auth_user",
    "quizzes_attempt",
    "progress_lessonprogress",
    "progress_enrollment",
    "flashcards_cardstate",
    "flashcards_review",
]


@pytest.fixture
def two_databases():
    if not shutil.which("pg_dump") or not shutil.which("pg_restore"):
        pytest.skip("pg_dump and pg_restore are needed (Debian's postgresql-client)")
    parts = urlsplit(postgres_server_url())
    names = [f"courseapp_backup_{secrets.token_hex(4)}" for _ in range(2)]
    try:
        admin = psycopg.connect(
            parts._replace(path="/postgres").geturl(), autocommit=True, connect_timeout=3
        )
    except psycopg.OperationalError as error:
        pytest.skip(f"no PostgreSQL server for throwaway databases: {error}")
    with admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield [parts._replace(path=f"/{name}").geturl() for name in names]
        finally:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "backup-test"}
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )


def fingerprints(url: str) -> dict[str, tuple[int, str]]:
    """Each table's row count and a digest of every row, in id order."""
    with psycopg.connect(url) as connection:
        return {
            table: connection.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) "  # noqa: S608
                f"FROM {table} t"
            ).fetchone()
            for table in TABLES
        }


def test_a_dump_restores_every_attempt_progress_row_and_review(two_databases, tmp_path):
    source, target = two_databases
    manage(source, "migrate", "--no-input")
    manage(source, "import_content", str(ROOT / "tests" / "fixtures" / "content"))
    manage(source, "seed_demo", "--course", "demo", "--students", "15", "--seed", "3")
    before = fingerprints(source)
    assert all(count > 0 for count, _ in before.values()), before

    dump = tmp_path / "courseapp.dump"
    with dump.open("wb") as out:
        subprocess.run(
            [shutil.which("pg_dump"), f"--dbname={source}", "--format=custom"],
            stdout=out,
            check=True,
        )
    with dump.open("rb") as backup:
        subprocess.run(
            [
                shutil.which("pg_restore"),
                f"--dbname={target}",
                "--clean",
                "--if-exists",
                "--no-owner",
            ],
            stdin=backup,
            check=True,
            capture_output=True,
        )
    assert fingerprints(target) == before
    manage(target, "migrate", "--check")  # the restored schema is current
