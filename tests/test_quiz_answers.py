"""Answering embedded questions: feedback, attempts, tampering, and the hidden answer key."""

import importlib
import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from courseapp.catalog.models import Lesson
from courseapp.quizzes.models import Attempt, Choice, Question
from courseapp.quizzes.selectors import question_for_answer
from courseapp.quizzes.services import _attempt_save, attempt_submit, question_grade
from tests.factories import UserFactory

HTMX = {"HTTP_HX_REQUEST": "true"}

pytestmark = pytest.mark.usefixtures("demo_course")


def url(key: str, action: str = "answer") -> str:
    return f"/courses/demo/questions/{key}/{action}/"


def choice_pk(question: str, key: str) -> str:
    return str(Choice.objects.get(question__key=question, key=key).pk)


def order_post(keys: list[str]) -> dict[str, str]:
    return {
        f"position-{choice_pk('lifecycle-order', key)}": str(i) for i, key in enumerate(keys, 1)
    }


RIGHT_AND_WRONG = {
    "image-vs-container": (
        lambda: {"choice": choice_pk("image-vs-container", "template")},
        lambda: {"choice": choice_pk("image-vs-container", "same")},
    ),
    "true-statements": (
        lambda: {
            "choice": [choice_pk("true-statements", "runc"), choice_pk("true-statements", "crun")]
        },
        lambda: {"choice": [choice_pk("true-statements", "runc")]},
    ),
    "layers-true-false": (lambda: {"answer": "false"}, lambda: {"answer": "true"}),
    "list-command": (
        lambda: {"answer": "  Docker   container ls "},
        lambda: {"answer": "docker images"},
    ),
    "port-number": (lambda: {"answer": "80"}, lambda: {"answer": "8080"}),
    "lifecycle-order": (
        lambda: order_post(["pull", "create", "start"]),
        lambda: order_post(["create", "pull", "start"]),
    ),
}


@pytest.mark.parametrize("key", RIGHT_AND_WRONG)
def test_wrong_then_right_with_htmx(student_client, key):
    right, wrong = RIGHT_AND_WRONG[key]
    response = student_client.post(url(key), wrong(), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<p class="verdict incorrect"><strong>Incorrect.')
    assert "Show answer" in html
    assert "explanation" not in html

    html = student_client.post(url(key), right(), **HTMX).content.decode()
    assert html.lstrip().startswith('<p class="verdict correct"><strong>Correct')
    assert "The answer" in html
    attempts = Attempt.objects.filter(question__key=key).order_by("created_at", "pk")
    assert [a.correct for a in attempts] == [False, True]


def test_attempt_stores_the_answer_as_ids_and_values(student_client):
    for key, (right, _) in RIGHT_AND_WRONG.items():
        student_client.post(url(key), right(), **HTMX)
    stored = dict(Attempt.objects.values_list("question__key", "answer"))
    assert stored == {
        "image-vs-container": ["template"],
        "true-statements": ["runc", "crun"],
        "layers-true-false": False,
        "list-command": "  Docker   container ls ",
        "port-number": 80,
        "lifecycle-order": ["pull", "create", "start"],
    }


def test_feedback_of_the_picked_choice_is_shown(student_client):
    html = student_client.post(
        url("image-vs-container"), {"choice": choice_pk("image-vs-container", "same")}, **HTMX
    ).content.decode()
    assert "A container adds a writable layer and a process." in html


def test_without_javascript_the_form_redirects_back_to_the_question(student_client):
    response = student_client.post(url("port-number"), {"answer": "8080"})
    assert response.status_code == 302
    assert response["Location"] == "/courses/demo/commands/#q-port-number"
    html = student_client.get("/courses/demo/commands/").content.decode()
    section = html.split('id="q-port-number"')[1].split("</section>")[0]
    assert "<strong>Incorrect.</strong>" in section
    assert 'value="8080"' in section  # the last answer is shown again


def test_returning_student_sees_solved_state(student_client):
    student_client.post(url("layers-true-false"), {"answer": "false"})
    html = student_client.get("/courses/demo/welcome/").content.decode()
    section = html.split('id="q-layers-true-false"')[1].split("</section>")[0]
    assert "answered correctly" in section
    assert "<strong>Correct</strong>" in section
    assert 'value="false" checked' in section


def test_show_answer_is_recorded_and_reveals_key_and_explanation(student_client):
    student_client.post(url("port-number"), {"answer": "1"}, **HTMX)
    html = student_client.post(url("port-number", "reveal"), **HTMX).content.decode()
    assert "Answer shown" in html
    assert "<p>80</p>" in html and "HTTPS uses 443" in html
    attempt = Attempt.objects.latest("created_at")
    assert attempt.revealed and not attempt.correct and attempt.answer is None


def test_empty_answer_writes_nothing_and_asks_for_one(student_client):
    response = student_client.post(url("image-vs-container"), {}, **HTMX)
    assert response.status_code == 200
    assert b"Pick an answer first." in response.content
    assert student_client.post(url("list-command"), {"answer": "   "}).status_code == 302
    assert not Attempt.objects.exists()


def test_anonymous_reader_sees_questions_and_a_sign_in_prompt(client):
    html = client.get("/courses/demo/welcome/").content.decode()
    assert "Which statement is true?" in html
    assert "Check answer" not in html
    assert "to check your answer" in html
    response = client.post(url("port-number"), {"answer": "80"})
    assert response["Location"].startswith("/accounts/login/")
    assert client.post(url("port-number"), {"answer": "80"}, **HTMX).status_code == 403
    assert not Attempt.objects.exists()


@pytest.mark.parametrize(
    ("key", "data"),
    [
        (
            "image-vs-container",
            lambda: {"choice": choice_pk("true-statements", "runc")},
        ),  # another question's choice
        ("image-vs-container", lambda: {"choice": "999999"}),
        ("image-vs-container", lambda: {"choice": "abc"}),
        (
            "image-vs-container",
            lambda: {
                "choice": [
                    choice_pk("image-vs-container", "template"),
                    choice_pk("image-vs-container", "same"),
                ]
            },
        ),
        ("true-statements", lambda: {"choice": [choice_pk("true-statements", "runc")] * 2}),
        ("port-number", lambda: {"answer": "eighty"}),
        ("port-number", lambda: {"answer": "NaN"}),
        ("layers-true-false", lambda: {"answer": "maybe"}),
        ("list-command", lambda: {"answer": "x" * 501}),
        (
            "lifecycle-order",
            lambda: {
                **order_post(["pull", "create", "start"]),
                f"position-{choice_pk('lifecycle-order', 'start')}": "9",
            },
        ),
        ("lifecycle-order", lambda: {f"position-{choice_pk('lifecycle-order', 'pull')}": "1"}),
        ("list-command", lambda: {"answer": "docker\x00ps"}),
        ("port-number", lambda: {"answer": "1e999999999"}),
        ("port-number", lambda: {"answer": "1e5000"}),
        (
            "lifecycle-order",
            lambda: {
                **order_post(["pull", "create", "start"]),
                f"position-{choice_pk('lifecycle-order', 'start')}": "\u00b2",
            },
        ),
        (
            "lifecycle-order",
            lambda: {
                **order_post(["pull", "create", "start"]),
                f"position-{choice_pk('lifecycle-order', 'start')}": "3" * 5_000,
            },
        ),
    ],
)
def test_tampered_posts_are_rejected_and_write_nothing(student_client, key, data):
    response = student_client.post(url(key), data(), **HTMX)
    assert response.status_code == 400
    assert not Attempt.objects.exists()


def test_a_tampered_value_is_answered_as_plain_text_not_html(student_client):
    response = student_client.post(
        url("true-statements"), {"choice": "<script>alert(1)</script>"}, **HTMX
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")


def test_question_of_an_archived_lesson_cannot_be_answered(student_client):
    Lesson.objects.filter(slug="commands").update(archived=True)
    assert student_client.post(url("port-number"), {"answer": "80"}).status_code == 404
    assert student_client.post(url("no-such-question"), {"answer": "80"}).status_code == 404
    assert not Attempt.objects.exists()


def test_a_question_an_import_removes_cannot_be_answered_from_then_on(student_client, content_root):
    assert (
        student_client.post(url("port-number"), {"answer": "80"}).status_code == 302
    )  # now cached
    path = content_root / "demo" / "01-first-steps" / "02-commands.md"
    text = path.read_text()
    path.write_text(text[: text.index("```quiz\nid: port-number")])
    call_command("import_content", str(content_root), stdout=io.StringIO())
    assert student_client.post(url("port-number"), {"answer": "80"}).status_code == 404
    assert student_client.post(url("list-command"), {"answer": "docker ps"}).status_code == 302
    assert Attempt.objects.count() == 2


def test_missing_csrf_token_is_refused(student):
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    assert client.post(url("port-number"), {"answer": "80"}).status_code == 403
    assert not Attempt.objects.exists()


def test_oversized_body_is_refused(student_client):
    response = student_client.post(
        url("list-command"), {"answer": "docker ps", "padding": "x" * 100_000}
    )
    assert response.status_code == 400
    assert not Attempt.objects.exists()


def test_get_is_not_allowed(student_client):
    assert student_client.get(url("port-number")).status_code == 405


SECRETS = {
    "image-vs-container": ["The image never changes", "A container adds a writable layer"],
    "layers-true-false": ["Layers are read-only; changes go"],
    "list-command": ["docker container ls", "docker container (ls", "Both forms do the same"],
    "port-number": ['value="80"', "HTTPS uses 443"],
    "lifecycle-order": [],
    "true-statements": [],
}


@pytest.mark.parametrize("user_kind", ["anonymous", "student"])
def test_answer_key_never_reaches_the_page_before_answering(client, student, user_kind):
    if user_kind == "student":
        client.force_login(student)
    pages = "".join(
        client.get(f"/courses/demo/{slug}/").content.decode()
        for slug in ("welcome", "commands", "ordering")
    )
    for key, secrets in SECRETS.items():
        assert f'id="q-{key}"' in pages
        for secret in secrets:
            assert secret not in pages, (key, secret)
    for choice in Choice.objects.all():
        assert f'value="{choice.key}"' not in pages
    for needle in ("correct", "explanation", "feedback"):
        assert f"data-{needle}" not in pages and f'class="{needle}' not in pages
    order = pages.split('id="q-lifecycle-order"')[1].split("</section>")[0]
    shown = [
        text for text in ("Pull the image", "Create the container", "Start it") if text in order
    ]
    assert sorted(shown, key=order.index) != ["Pull the image", "Create the container", "Start it"]


def _section(html: str) -> str:
    return html.split('id="q-true-statements"')[1].split("</section>")[0]


def _shown_choices(html: str) -> list[str]:
    return re.findall(r'name="choice" value="(\d+)"', _section(html))


def test_shuffle_is_stable_per_student_and_differs_between_students(client):
    orders = []
    for _ in range(5):
        client.force_login(UserFactory())
        first = client.get("/courses/demo/ordering/").content.decode()
        again = client.get("/courses/demo/ordering/").content.decode()
        assert _shown_choices(first) == _shown_choices(again)
        orders.append(tuple(sorted(("runc", "crun", "nginx"), key=_section(first).index)))
    assert len(set(orders)) > 1


def test_reimport_after_rewording_and_reordering_keeps_attempts_gradable(
    student_client, content_root
):
    student_client.post(
        url("image-vs-container"), {"choice": choice_pk("image-vs-container", "template")}
    )
    lesson = content_root / "demo" / "01-first-steps" / "01-welcome.md"
    text = lesson.read_text()
    first, second = text.index("  - id: template"), text.index("  - id: same")
    end = text.index("explanation: The image never changes")
    reordered = text[:first] + text[second:end] + text[first:second] + text[end:]
    lesson.write_text(reordered.replace("Which statement is true?", "Which statement is accurate?"))
    call_command("import_content", str(content_root), stdout=io.StringIO())

    question = Question.objects.get(key="image-vs-container")
    assert "accurate" in question.prompt_html
    assert [c.key for c in question.choices.all()] == ["same", "template"]
    attempt = Attempt.objects.get()
    assert attempt.question == question
    current = question_for_answer(question.course, question.key)
    assert question_grade(current, attempt.answer).correct
    response = student_client.post(
        url("image-vs-container"), {"choice": choice_pk("image-vs-container", "template")}, **HTMX
    )
    assert b"<strong>Correct</strong>" in response.content


def test_lesson_page_queries_are_bounded(student_client, django_assert_max_num_queries):
    for key, (right, wrong) in RIGHT_AND_WRONG.items():
        for data in (wrong, wrong, right):
            student_client.post(url(key), data(), **HTMX)
    # Session, user and course; the lesson's content (five queries, then from the cache); the
    # student's attempts at its questions, their open reports of problems, their progress.
    with django_assert_max_num_queries(11):
        first = student_client.get("/courses/demo/welcome/")
    # Viewed a moment ago: the visit is not written again.
    with django_assert_max_num_queries(6):
        again = student_client.get("/courses/demo/welcome/")
    for response in (first, again):
        assert response.content.count(b"<strong>Correct</strong>") == 2


def test_an_anonymous_lesson_page_reads_only_the_course(client, django_assert_num_queries):
    client.get("/courses/demo/welcome/")
    with django_assert_num_queries(1):
        assert client.get("/courses/demo/welcome/").status_code == 200


def test_answer_post_queries_are_bounded(student_client, django_assert_max_num_queries):
    for _ in range(5):
        student_client.post(url("port-number"), {"answer": "1"}, **HTMX)
    # Session, user, course; the student's earlier answers, the new one. Inside the test's
    # transaction, attempt_submit's own is a savepoint: two queries more.
    with django_assert_max_num_queries(9):  # and whether the lesson is now solved: two more
        student_client.post(url("port-number"), {"answer": "80"}, **HTMX)
    with django_assert_max_num_queries(7):
        student_client.post(url("port-number"), {"answer": "80"}, **HTMX)


def test_the_first_answer_is_flagged_and_a_reveal_never_is(student_client, student):
    student_client.post(url("port-number", "reveal"), **HTMX)
    student_client.post(url("port-number"), {"answer": "1"}, **HTMX)
    student_client.post(url("port-number"), {"answer": "80"}, **HTMX)
    attempts = Attempt.objects.filter(user=student).order_by("created_at", "pk")
    assert [(a.revealed, a.first) for a in attempts] == [
        (True, False),
        (False, True),
        (False, False),
    ]


def test_a_parallel_first_answer_makes_the_second_a_retry(student, demo_course):
    question = question_for_answer(demo_course, "port-number")
    attempt_submit(user=student, question=question, answer=1)
    late = Attempt(user=student, question_id=question.pk, answer=80, correct=True, first=True)
    _attempt_save(late)  # what a request that counted no answer before the other saved does
    assert late.pk and not late.first
    assert Attempt.objects.filter(user=student, question_id=question.pk, first=True).count() == 1


def test_the_migration_flags_each_students_first_answer(student):
    """Raw rows, as the migration found them: attempts stored before the flag existed."""
    migration = importlib.import_module("courseapp.quizzes.migrations.0006_attempt_first")
    question = Question.objects.get(key="port-number")
    other = UserFactory()
    at = timezone.now()
    rows = [
        (student, True, at),  # a reveal first
        (student, False, at + timedelta(seconds=1)),  # the first answer
        (student, False, at + timedelta(seconds=1)),  # same time, later row: a retry
        (other, False, at + timedelta(seconds=5)),
        (other, False, at),  # earlier although stored later: the first
    ]
    attempts = [
        Attempt.objects.create(
            user=user,
            question=question,
            answer=None,
            correct=False,
            revealed=revealed,
            created_at=t,
        )
        for user, revealed, t in rows
    ]
    with connection.cursor() as cursor:
        cursor.execute(migration.MARK_FIRST)
    flagged = set(Attempt.objects.filter(first=True).values_list("pk", flat=True))
    assert flagged == {attempts[1].pk, attempts[4].pk}
