"""The stress harness's own logic: how it counts lost and duplicated writes, which errors it
blames on a fault, what fails a run, how it finds gunicorn's workers, and whether the answers it
posts are what each question type's form expects. The run itself (`make stress-smoke`) needs
root and a PostgreSQL cluster of its own, so it is not started from here."""

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.management import call_command

from courseapp.quizzes.models import Attempt
from courseapp.quizzes.types import question_types
from stress import prepare, reading, report
from stress.client import TOKEN_RE, VERDICT_RE, Browser
from stress.ledger import WriteLedger, verdict
from stress.plan import Student
from stress.records import (
    Record,
    Recorder,
    Window,
    fault_figures,
    outside_windows,
    percentile,
    summary,
)
from stress.report import failures
from stress.server import cause, children

# Ledgers


def test_an_acknowledged_answer_without_its_row_is_lost():
    answers = WriteLedger("answer", exhaustive=True)
    answers.acknowledge((1, "tok-a"), "tok-a")
    answers.acknowledge((1, "tok-b"), "tok-b")
    found = verdict(answers, Counter({(1, "tok-a"): 1}))
    assert (found.acknowledged, found.lost, found.duplicated) == (2, 1, 0)


def test_a_retry_under_the_same_token_is_one_write_and_two_rows_are_a_duplicate():
    answers = WriteLedger("answer", exhaustive=True)
    answers.send((1, "tok"), "tok")
    answers.acknowledge((1, "tok"), "tok")  # the retry came back
    assert verdict(answers, Counter({(1, "tok"): 1})).duplicated == 0
    assert verdict(answers, Counter({(1, "tok"): 2})).duplicated == 1


def test_a_row_whose_answer_failed_is_kept_not_lost_nor_duplicated():
    answers = WriteLedger("answer", exhaustive=True)
    answers.send((1, "tok"), "tok")  # the response never arrived
    found = verdict(answers, Counter({(1, "tok"): 1}))
    assert (found.lost, found.duplicated, found.kept_unacknowledged) == (0, 0, 1)


def test_rows_no_write_explains_count_as_duplicates_only_where_every_row_is_ours():
    rows = Counter({(1, 7): 1, (2, 9): 1})
    ratings = WriteLedger("rating", exhaustive=True)
    ratings.acknowledge((1, 7), "new")
    assert verdict(ratings, rows).duplicated == 1
    # Answering every question completes a lesson too: such completions are not ours to count.
    completions = WriteLedger("completion", exhaustive=False)
    completions.acknowledge((1, 7))
    assert verdict(completions, rows).duplicated == 0


def test_ratings_of_one_card_count_one_row_each():
    ratings = WriteLedger("rating", exhaustive=True)
    for version in ("new", "1700000000000000", "1700000060000000"):
        ratings.acknowledge((3, 11), version)
    found = verdict(ratings, Counter({(3, 11): 2}))
    assert (found.acknowledged, found.lost, found.students) == (3, 1, 1)


# Records


def failed(start: float, end: float, kind: str = "lesson") -> Record:
    return Record(kind, start, end, "HTTP 500")


def test_percentiles_are_nearest_rank():
    values = list(range(1, 101))
    assert percentile(values, 0.5) == 50
    assert percentile(values, 0.99) == 99
    assert percentile([], 0.99) == 0
    records = [Record("lesson", 0, ms / 1000) for ms in (10, 20, 30, 40)]
    assert summary(records)["p95_ms"] == pytest.approx(40)


def test_errors_overlapping_a_fault_window_are_the_faults_and_others_are_not():
    windows = [Window("restart", 10, 15)]
    records = [failed(9.5, 10.2), failed(14.9, 16), failed(20, 20.1), Record("lesson", 1, 2)]
    assert outside_windows(records, windows) == [failed(20, 20.1)]


def test_a_fault_owns_the_failures_that_end_inside_its_window():
    window = Window("restart", 10, 15)
    records = [
        failed(9.8, 10.3),  # under way when the fault struck
        failed(11, 12.5, "answer"),
        Record("lesson", 12.9, 13.1),  # the first success after the database was back at 12.8
        failed(14.9, 16),  # ended after the window: the next fault's
    ]
    figures = fault_figures(records, window, back=12.8)
    assert figures["failed"] == 2
    assert figures["failed_reads"] == 1  # the lesson; the answer is a write
    assert figures["error_window_s"] == pytest.approx(2.7)
    assert figures["recovery_s"] == 0.0  # the last failure ended before the database was back
    assert figures["first_success_after_s"] == pytest.approx(0.3)


# What fails a run


def scenario(**figures) -> dict:
    writes = [{"kind": "answer", "acknowledged": 3, "lost": 0, "duplicated": 0}]
    return {"name": "steady load", "outside_windows": 0, "writes": writes, **figures}


def test_a_run_fails_on_unexplained_errors_and_lost_or_duplicated_rows_never_on_speed():
    slow = scenario(p99_ms=60_000)
    assert failures({"scenarios": [slow]}) == []
    lossy = scenario(writes=[{"kind": "answer", "acknowledged": 3, "lost": 1, "duplicated": 2}])
    unexplained = scenario(outside_windows=4)
    repeats = scenario(name="identical submits", rounds=5, rounds_with_one_attempt=4)
    assert failures({"scenarios": [lossy, unexplained, repeats]}) == [
        "steady load: 1 answer rows lost",
        "steady load: 2 answer rows duplicated",
        "steady load: 4 errors outside the fault windows",
        "identical submits: 1 rounds did not record exactly one attempt",
    ]


def test_the_page_reads_500s_while_the_database_is_down_as_a_failure_and_503s_as_held(
    tmp_path, monkeypatch
):
    result = json.loads(report.RESULTS.read_text())
    database = next(s for s in result["scenarios"] if s["name"] == "database restart and outage")
    database["while_down"], database["while_down_retry_after"] = {"HTTP 503": 40}, 40
    held, failed = reading.held_and_failed(result)
    assert "Pages while PostgreSQL was down: HTTP 503 (40)." in held
    database["while_down"] = {"HTTP 500": 40}
    held, failed = reading.held_and_failed(result)
    assert "Pages while PostgreSQL was down: HTTP 500 (40), not 503 with Retry-After." in failed
    monkeypatch.setattr(report, "REPORT", tmp_path / "reliability.md")
    report.report_write(result)
    assert "pages answered HTTP 500 (40): server errors, not 503" in report.REPORT.read_text()


# gunicorn's workers


def _server_dying_mid_body(listener: socket.socket) -> None:
    """Answer one request with headers promising 846 bytes, send none, and close: what a
    client sees when the worker answering it is killed."""
    connection, _ = listener.accept()
    with connection:
        connection.recv(65536)
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 846\r\n\r\n")


def test_an_answer_cut_off_by_a_dying_worker_is_recorded_as_a_failure_not_raised():
    with socket.create_server(("127.0.0.1", 0)) as listener:
        server = threading.Thread(target=_server_dying_mid_body, args=(listener,))
        server.start()
        recorder = Recorder()
        browser = Browser(
            f"http://127.0.0.1:{listener.getsockname()[1]}", recorder, Student("a", 1)
        )
        body = browser.send("answer", "POST", "/q/", data={"choice": "a"}, htmx=True)
        server.join(timeout=5)
    assert body is None
    assert [record.outcome for record in recorder.records] == ["cut off mid-answer"]


def test_children_finds_live_children_and_not_a_killed_one_awaiting_its_parent():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert child.pid in children(os.getpid())
        child.kill()
        for _ in range(100):  # until the kernel has made it a zombie
            state = Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            if state == "Z":
                break
            time.sleep(0.01)
        assert child.pid not in children(os.getpid())
    finally:
        child.kill()
        child.wait()


def test_a_logged_failure_is_named_by_its_final_exception():
    refused = (
        'Traceback (most recent call last):\n  File "x.py", line 1\n'
        "psycopg.OperationalError: consuming input failed\n\n"
        "The above exception was the direct cause of the following exception:\n\n"
        "django.db.utils.OperationalError: connection failed: connection to server at "
        '"127.0.0.1", port 5433 failed: Connection refused\n'
        "\tIs the server running on that host and accepting TCP/IP connections?"
    )
    assert cause(refused) == "database refused the connection"
    assert (
        cause(
            "psycopg.OperationalError: consuming input failed: server closed the connection"
            " unexpectedly"
        )
        == "connection cut off mid-request"
    )
    assert cause("ValueError: something else\n") == "ValueError: something else"


# The answers the students post


@pytest.fixture
def real_course(db):
    call_command("import_content", str(Path(settings.BASE_DIR) / "content"), verbosity=0)


def test_the_answers_posted_for_every_question_type_grade_as_intended(
    real_course, client, django_user_model
):
    plan = prepare.course_plan()
    assert plan.types == sorted(question_types())  # the real course has every type
    user = django_user_model.objects.create_user("examinee")
    client.force_login(user)
    posts = 0
    for kind in plan.types:
        for question in [q for q in plan.questions.values() if q.type == kind][:2]:
            page = client.get(plan.lesson_of(question.key).url).content.decode()
            token = dict(TOKEN_RE.findall(page))[question.key]
            for fields, expected in ((question.wrong, "incorrect"), (question.right, "correct")):
                if fields is None:
                    continue
                body = client.post(
                    question.url,
                    urlencode([*fields, ("token", token)]),
                    content_type="application/x-www-form-urlencoded",
                    headers={"HX-Request": "true"},
                ).content.decode()
                assert VERDICT_RE.search(body)[1] == expected, (question.key, body)
                token = TOKEN_RE.search(body)[2]  # the form's fresh token, as htmx swaps it in
                posts += 1
    assert Attempt.objects.filter(user=user).count() == posts
    assert Attempt.objects.filter(user=user).values("token").distinct().count() == posts
