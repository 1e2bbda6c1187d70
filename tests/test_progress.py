"""Per-user progress: views, completion (manual and automatic), enrollment and the dashboard."""

import io
import shutil
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courseapp.catalog.models import Course, Lesson
from courseapp.flashcards.models import Flashcard
from courseapp.flashcards.services import card_review
from courseapp.progress.models import Enrollment, LessonProgress
from courseapp.progress.services import lesson_complete
from courseapp.quizzes.models import Choice
from courseapp.student_cache import student_cached, student_changed
from tests.factories import CourseFactory, LessonFactory, ModuleFactory, UserFactory
from tests.parallel import run_in_parallel

HTMX = {"HTTP_HX_REQUEST": "true"}

pytestmark = pytest.mark.usefixtures("demo_course")


def test_opening_a_lesson_records_the_view_and_enrolls(student_client, student):
    student_client.get("/courses/demo/welcome/")
    earlier = timezone.now() - timedelta(minutes=3)
    LessonProgress.objects.update(first_viewed_at=earlier, last_viewed_at=earlier)
    student_client.get("/courses/demo/welcome/")
    progress = LessonProgress.objects.get(user=student)
    assert progress.lesson.slug == "welcome" and not progress.completed
    assert progress.last_viewed_at > progress.first_viewed_at
    assert Enrollment.objects.filter(user=student, course__slug="demo").count() == 1


def test_viewing_a_lesson_again_at_once_writes_nothing(student_client, student):
    student_client.get("/courses/demo/welcome/")
    with CaptureQueriesContext(connection) as queries:
        assert student_client.get("/courses/demo/welcome/").status_code == 200
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []


def test_a_later_visit_updates_its_time_and_nothing_else(student_client, student):
    student_client.get("/courses/demo/welcome/")
    LessonProgress.objects.update(last_viewed_at=timezone.now() - timedelta(minutes=3))
    with CaptureQueriesContext(connection) as queries:
        assert student_client.get("/courses/demo/welcome/").status_code == 200
    statements = [q["sql"].split()[0] for q in queries]
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in {"INSERT", "UPDATE", "DELETE"}]
    assert len(writes) == 2, writes
    assert writes[0].startswith('UPDATE "progress_lessonprogress" SET "last_viewed_at"')
    assert writes[1].startswith("INSERT") and '"progress_enrollment"' in writes[1]
    assert "DO NOTHING" in writes[1] or "OR IGNORE" in writes[1]  # PostgreSQL, SQLite
    assert statements.count("SAVEPOINT") <= 1, "one transaction for both"
    assert not any("progress_lessonprogress" in q["sql"] and "INSERT" in q["sql"] for q in queries)


def test_anonymous_views_record_nothing(client):
    html = client.get("/courses/demo/welcome/").content.decode()
    assert "to keep track of your progress" in html
    assert not LessonProgress.objects.exists()


def test_mark_complete_with_htmx_and_undo(student_client, student):
    response = student_client.post("/courses/demo/welcome/complete/", **HTMX)
    assert b"You completed this lesson" in response.content
    assert b"Mark as not complete" in response.content
    assert LessonProgress.objects.get(user=student).completed
    response = student_client.post("/courses/demo/welcome/incomplete/", **HTMX)
    assert b"Mark as complete" in response.content
    assert not LessonProgress.objects.get(user=student).completed


def test_mark_complete_without_javascript_redirects_to_the_lesson(student_client):
    response = student_client.post("/courses/demo/welcome/complete/")
    assert response["Location"] == "/courses/demo/welcome/"
    assert b"You completed this lesson" in student_client.get("/courses/demo/welcome/").content


def test_completion_needs_login_and_post(client, student_client):
    assert student_client.get("/courses/demo/welcome/complete/").status_code == 405
    assert client.post("/courses/demo/welcome/complete/")["Location"].startswith("/accounts/login/")
    assert not LessonProgress.objects.filter(completed_at__isnull=False).exists()


def test_draft_or_unknown_lessons_cannot_be_completed(student_client):
    Lesson.objects.filter(slug="commands").update(draft=True)
    assert student_client.post("/courses/demo/commands/complete/").status_code == 404
    assert student_client.post("/courses/demo/nope/complete/").status_code == 404


def test_answering_every_question_correctly_completes_the_lesson(student_client, student):
    template = Choice.objects.get(key="template").pk
    student_client.post(
        "/courses/demo/questions/image-vs-container/answer/", {"choice": template}, **HTMX
    )
    assert not LessonProgress.objects.filter(user=student, completed_at__isnull=False).exists()
    response = student_client.post(
        "/courses/demo/questions/layers-true-false/answer/", {"answer": "false"}, **HTMX
    )
    assert b'id="lesson-completion" hx-swap-oob="true"' in response.content
    assert LessonProgress.objects.get(user=student, lesson__slug="welcome").completed


def test_outline_shows_percent_ticks_and_count(student_client):
    student_client.post("/courses/demo/welcome/complete/")
    html = student_client.get("/courses/demo/").content.decode()
    assert "<strong>33%</strong> · 1 of 3 lessons" in html
    assert html.count('class="completed"') == 1


def test_start_course_enrolls_and_opens_the_first_lesson(student_client, student):
    assert b"Start course" in student_client.get("/courses/demo/").content
    response = student_client.post("/courses/demo/start/")
    assert response["Location"] == "/courses/demo/welcome/"
    assert Enrollment.objects.filter(user=student).count() == 1
    assert b"0 of 3 lessons" in student_client.get("/courses/demo/").content


def test_progress_survives_reimport_move_and_archiving(student_client, student, content_root):
    for slug in ("welcome", "commands"):
        student_client.post(f"/courses/demo/{slug}/complete/")
    demo = content_root / "demo"
    shutil.move(
        demo / "01-first-steps" / "02-commands.md", demo / "02-going-further" / "02-commands.md"
    )
    welcome = demo / "01-first-steps" / "01-welcome.md"
    welcome.write_text(
        welcome.read_text().replace("02-commands.md", "../02-going-further/02-commands.md")
    )
    call_command("import_content", str(content_root), stdout=io.StringIO())
    assert b"2 of 3 lessons" in student_client.get("/courses/demo/").content

    welcome.unlink()
    ordering = demo / "02-going-further" / "01-ordering.md"
    ordering.write_text(
        ordering.read_text().replace(
            "[the beginning](../01-first-steps/01-welcome.md)", "the beginning"
        )
    )
    call_command("import_content", str(content_root), stdout=io.StringIO())
    assert b"1 of 2 lessons" in student_client.get("/courses/demo/").content
    assert LessonProgress.objects.filter(user=student, completed_at__isnull=False).count() == 2


def test_marking_complete_twice_keeps_one_row_and_the_first_time(student_client, student):
    student_client.post("/courses/demo/welcome/complete/")
    first = LessonProgress.objects.get(user=student).completed_at
    student_client.post("/courses/demo/welcome/complete/")
    assert LessonProgress.objects.filter(user=student).count() == 1
    assert LessonProgress.objects.get(user=student).completed_at == first


@pytest.mark.django_db(transaction=True)
def test_parallel_completions_leave_exactly_one_row(student):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL (SQLite serialises writers)")
    lesson = Lesson.objects.select_related("course").get(slug="welcome")
    outcomes = run_in_parallel(lambda: lesson_complete(user=student, lesson=lesson), 8)
    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert LessonProgress.objects.filter(user=student, lesson=lesson).count() == 1
    assert LessonProgress.objects.get(user=student, lesson=lesson).completed
    assert Enrollment.objects.filter(user=student).count() == 1


def test_a_student_never_sees_or_changes_another_students_progress(client, student_client, student):
    student_client.post("/courses/demo/welcome/complete/")
    other = UserFactory(username="bob")
    client.force_login(other)
    assert b"You have not started a course yet" in client.get("/dashboard/").content
    assert b"0 of 3 lessons" not in client.get("/courses/demo/").content
    assert b"You completed this lesson" not in client.get("/courses/demo/welcome/").content
    client.post("/courses/demo/welcome/incomplete/")
    assert LessonProgress.objects.get(user=student).completed
    assert not LessonProgress.objects.get(user=other).completed


def test_dashboard_shows_progress_accuracy_and_continue(student_client):
    template, same = (Choice.objects.get(key=k).pk for k in ("template", "same"))
    student_client.post("/courses/demo/questions/image-vs-container/answer/", {"choice": same})
    student_client.post("/courses/demo/questions/image-vs-container/answer/", {"choice": template})
    student_client.post("/courses/demo/questions/layers-true-false/answer/", {"answer": "false"})
    student_client.get("/courses/demo/commands/")
    html = student_client.get("/dashboard/").content.decode()
    assert "Demo course" in html
    assert "<strong>33%</strong> · 1 of 3 lessons" in html
    assert "Quiz accuracy, first try</dt><dd>50%" in html
    assert "100% of 2 answered" in html
    assert 'href="/courses/demo/commands/">Continue' in html


def test_dashboard_counts_flashcards_due(student_client, student):
    student_client.get("/courses/demo/welcome/")
    card = Flashcard.objects.get(key="image")
    card_review(user=student, card=card, rating=1, reviewed_at=timezone.now() - timedelta(hours=1))
    html = student_client.get("/dashboard/").content.decode()
    assert 'Flashcards due</dt><dd><a href="/courses/demo/flashcards/">1<' in html


def test_continue_falls_back_to_the_first_unfinished_lesson(student_client):
    student_client.post("/courses/demo/welcome/complete/")
    html = student_client.get("/dashboard/").content.decode()
    assert 'href="/courses/demo/commands/">Continue' in html


def test_dashboard_with_nothing_completed_yet(student_client):
    student_client.get("/courses/demo/commands/")
    html = student_client.get("/dashboard/").content.decode()
    assert "<strong>0%</strong> · 0 of 3 lessons" in html
    assert 'href="/courses/demo/commands/">Continue' in html


def test_dashboard_empty_state_and_login(client, student_client):
    assert client.get("/dashboard/")["Location"].startswith("/accounts/login/")
    html = student_client.get("/dashboard/").content.decode()
    assert "You have not started a course yet" in html and 'href="/"' in html


def test_a_cached_dashboard_follows_each_of_the_students_writes(
    student_client, student, student_cache, django_capture_on_commit_callbacks
):
    def after(write) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            write()
        return student_client.get("/dashboard/").content.decode()

    assert "You have not started a course yet" in after(lambda: None)
    assert "0 of 3 lessons" in after(lambda: student_client.post("/courses/demo/start/"))
    html = after(lambda: student_client.get("/courses/demo/commands/"))
    assert 'href="/courses/demo/commands/">Continue' in html
    assert "1 of 3 lessons" in after(lambda: student_client.post("/courses/demo/welcome/complete/"))
    uncomplete = after(lambda: student_client.post("/courses/demo/welcome/incomplete/"))
    assert "0 of 3 lessons" in uncomplete and "Quiz accuracy, first try</dt><dd>—" in uncomplete
    answer = {"answer": "false"}
    html = after(
        lambda: student_client.post("/courses/demo/questions/layers-true-false/answer/", answer)
    )
    assert "Quiz accuracy, first try</dt><dd>100%" in html
    card = Flashcard.objects.get(key="image")
    an_hour_ago = timezone.now() - timedelta(hours=1)
    html = after(lambda: card_review(user=student, card=card, rating=1, reviewed_at=an_hour_ago))
    assert 'Flashcards due</dt><dd><a href="/courses/demo/flashcards/">1<' in html
    with CaptureQueriesContext(connection) as queries:
        again = student_client.get("/dashboard/").content.decode()
    assert _main(again) == _main(html)
    assert len(queries) == DASHBOARD_CACHED_QUERIES


def _main(html: str) -> str:
    return html[html.index('<main id="main"') : html.index("</main>")]


def test_what_was_read_while_a_write_committed_is_not_served_after_it(
    student, student_cache, django_capture_on_commit_callbacks
):
    def read_racing_a_write() -> str:
        with django_capture_on_commit_callbacks(execute=True):
            student_changed(student.pk)  # another request's write commits meanwhile
        return "read before the write"

    assert student_cached(student.pk, "x", read_racing_a_write) == "read before the write"
    assert student_cached(student.pk, "x", lambda: "read after it") == "read after it"
    assert student_cached(student.pk, "x", lambda: "not read") == "read after it"


def test_a_cached_dashboard_counts_cards_as_they_fall_due(
    student_client, student, student_cache, monkeypatch
):
    student_client.get("/courses/demo/welcome/")
    card_review(user=student, card=Flashcard.objects.get(key="image"), rating=1)  # due in a minute
    due = 'Flashcards due</dt><dd><a href="/courses/demo/flashcards/">{}<'
    assert due.format(0) in student_client.get("/dashboard/").content.decode()
    later = timezone.now() + timedelta(minutes=5)
    monkeypatch.setattr(timezone, "now", lambda: later)
    with CaptureQueriesContext(connection) as queries:
        assert due.format(1) in student_client.get("/dashboard/").content.decode()
    assert len(queries) == DASHBOARD_CACHED_QUERIES  # no write: the cached due times tell


def test_a_cached_dashboard_follows_an_import(student_client, student_cache, content_root):
    student_client.post("/courses/demo/commands/complete/")
    assert "1 of 3 lessons" in student_client.get("/dashboard/").content.decode()
    (content_root / "demo" / "01-first-steps" / "01-welcome.md").unlink()
    ordering = content_root / "demo" / "02-going-further" / "01-ordering.md"
    ordering.write_text(
        ordering.read_text().replace(
            "[the beginning](../01-first-steps/01-welcome.md)", "the beginning"
        )
    )
    call_command("import_content", str(content_root), stdout=io.StringIO())
    assert "1 of 2 lessons" in student_client.get("/dashboard/").content.decode()


# The dashboard's queries whatever the number of courses, lessons, answers and cards: the
# session, the user and their courses; then, unless the student cache holds their standings,
# their enrollments with progress, their answers, the lessons to continue and their cards.
DASHBOARD_QUERIES = 7
DASHBOARD_CACHED_QUERIES = 3
OUTLINE_QUERIES = 9


@pytest.mark.parametrize("cached", [False, True], ids=["uncached", "cached"])
def test_dashboard_and_outline_queries_do_not_grow(
    student_client, student, cached, request, django_assert_num_queries
):
    if cached:
        request.getfixturevalue("student_cache")
    student_client.post("/courses/demo/welcome/complete/")
    student_client.post("/courses/demo/questions/layers-true-false/answer/", {"answer": "true"})
    for _ in range(2):
        with django_assert_num_queries(DASHBOARD_QUERIES):
            student_client.get("/dashboard/")
        if cached:
            with django_assert_num_queries(DASHBOARD_CACHED_QUERIES):
                student_client.get("/dashboard/")
        with django_assert_num_queries(OUTLINE_QUERIES):
            student_client.get("/courses/demo/")
        _grow(student)


def _grow(student) -> None:
    """Four more courses of five completed lessons, ten more lessons in the demo course."""
    for _ in range(4):
        course = CourseFactory()
        module = ModuleFactory(course=course)
        for _ in range(5):
            lesson = LessonFactory(module=module, course=course)
            lesson_complete(user=student, lesson=lesson)
    demo = Course.objects.get(slug="demo")
    for _ in range(10):
        LessonFactory(module=ModuleFactory(course=demo), course=demo)
