"""Students report problems with questions; the course's instructors see them on the insights
page, grouped by question, and mark them resolved."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courseapp.catalog.models import Course, Lesson
from courseapp.insights import selectors
from courseapp.quizzes.models import Question, QuestionReport
from courseapp.quizzes.selectors import question_for_answer
from courseapp.quizzes.services import REPORTS_PER_HOUR, question_report_submit
from tests.factories import CourseFactory, UserFactory
from tests.parallel import run_in_parallel

HTMX = {"HTTP_HX_REQUEST": "true"}
THANKS = "Thank you: your report goes to the instructors of this course."


def report_url(key: str) -> str:
    return f"/courses/demo/questions/{key}/report/"


def resolve_url(key: str) -> str:
    return f"/insights/demo/reports/{key}/resolve/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def report(user, key: str, reason: str = "unclear", note: str = "") -> QuestionReport:
    question = question_for_answer(Course.objects.get(slug="demo"), key)
    return question_report_submit(user=user, question=question, reason=reason, note=note)


def report_section(html: str) -> str:
    return html.split('id="reports"')[1].split("</section>")[0]


# The form under each question


def test_signed_in_students_get_a_report_form_under_each_question(student_client, demo_course):
    html = student_client.get("/courses/demo/welcome/").content.decode()
    question = html.split('id="q-image-vs-container"')[1].split("</section>")[0]
    assert '<details class="report" id="q-image-vs-container-report">' in question
    assert "<summary>Report a problem</summary>" in question
    form = question.split('<details class="report"')[1]
    assert 'action="/courses/demo/questions/image-vs-container/report/"' in form
    assert 'hx-post="/courses/demo/questions/image-vs-container/report/"' in form
    assert 'hx-disabled-elt="find button"' in form
    for label in (
        "The marked answer is wrong",
        "The question is unclear",
        "Typo or formatting",
        "Something else",
    ):
        assert f"> {label}</label>" in form
    assert form.count('type="radio" name="reason"') == 4
    assert 'name="note" rows="3" maxlength="1000"' in form
    assert ">Send</button>" in form
    assert html.count('<details class="report"') == len(
        Question.objects.filter(lesson__slug="welcome")
    )


def test_anonymous_readers_and_draft_previews_get_no_report_form(
    client, instructor_client, demo_course
):
    assert b'class="report"' not in client.get("/courses/demo/commands/").content
    Lesson.objects.filter(slug="welcome").update(draft=True)
    preview = instructor_client.get("/courses/demo/welcome/").content
    assert b"Draft" in preview and b'class="report"' not in preview


# Sending a report


def test_without_javascript_a_report_redirects_to_its_question_with_a_thank_you(
    student_client, student, demo_course
):
    response = student_client.post(
        report_url("port-number"), {"reason": "wrong-answer", "note": "80 is HTTP, not HTTPS."}
    )
    assert response.status_code == 302
    assert response["Location"] == "/courses/demo/commands/#q-port-number"
    stored = QuestionReport.objects.get()
    assert (stored.user, stored.question.key) == (student, "port-number")
    assert (stored.reason, stored.note, stored.resolved_at) == (
        "wrong-answer",
        "80 is HTTP, not HTTPS.",
        None,
    )
    page = student_client.get(response["Location"]).content.decode()
    assert THANKS in page
    question = page.split('id="q-port-number"')[1].split("</section>")[0]
    assert "(you reported it; sending again replaces your report)" in question
    assert 'value="wrong-answer" required checked' in question
    assert "80 is HTTP, not HTTPS.</textarea>" in question


def test_with_htmx_a_thank_you_replaces_the_form(student_client, demo_course):
    response = student_client.post(report_url("port-number"), {"reason": "typo"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert THANKS in html and 'role="status"' in html and "<form" not in html
    assert QuestionReport.objects.get().reason == "typo"


def test_one_open_report_per_student_and_question_a_new_one_replaces_it(
    student_client, student, demo_course
):
    student_client.post(report_url("port-number"), {"reason": "typo", "note": "first"})
    student_client.post(report_url("port-number"), {"reason": "other", "note": "second"}, **HTMX)
    stored = QuestionReport.objects.get()
    assert (stored.reason, stored.note) == ("other", "second")
    report(UserFactory(), "port-number")
    report(student, "list-command")
    assert QuestionReport.objects.count() == 3
    # Once resolved, a report stays as a record and the student may report the question again.
    QuestionReport.objects.filter(pk=stored.pk).update(resolved_at=timezone.now())
    student_client.post(report_url("port-number"), {"reason": "unclear"})
    mine = QuestionReport.objects.filter(user=student, question__key="port-number")
    assert mine.count() == 2 and mine.open().get().reason == "unclear"


def test_the_database_refuses_a_second_open_report(student, demo_course):
    first = report(student, "port-number")
    with transaction.atomic(), pytest.raises(IntegrityError):
        QuestionReport.objects.create(user=student, question=first.question, reason="typo")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's concurrency")
def test_parallel_reports_by_one_student_leave_one_open_report(demo_course):
    student = UserFactory()

    def send() -> int:
        return signed_in(student).post(report_url("port-number"), {"reason": "typo"}).status_code

    assert run_in_parallel(send, 8) == [302] * 8
    assert QuestionReport.objects.filter(user=student).count() == 1


def test_a_student_may_send_a_limited_number_of_reports_an_hour(
    student_client, student, demo_course
):
    question = Question.objects.get(key="port-number")
    now = timezone.now()
    QuestionReport.objects.bulk_create(
        QuestionReport(
            user=student,
            question=question,
            reason="typo",
            created_at=now - timedelta(minutes=59),
            resolved_at=now,
        )
        for _ in range(REPORTS_PER_HOUR)
    )
    refused = student_client.post(report_url("list-command"), {"reason": "typo"}, **HTMX)
    assert refused.status_code == 200
    assert f"You sent {REPORTS_PER_HOUR} reports in the last hour" in refused.content.decode()
    assert 'value="typo" required checked' in refused.content.decode()  # the form, kept
    no_js = student_client.post(report_url("list-command"), {"reason": "typo"}, follow=True)
    assert "try again later" in no_js.content.decode()
    assert not QuestionReport.objects.filter(question__key="list-command").exists()
    # Other students are not limited by this one, and an hour later neither is this one.
    assert report(UserFactory(), "list-command")
    QuestionReport.objects.filter(user=student).update(created_at=now - timedelta(minutes=61))
    student_client.post(report_url("list-command"), {"reason": "typo"})
    assert QuestionReport.objects.filter(user=student, question__key="list-command").exists()


def test_at_the_limit_a_student_may_still_change_an_open_report(student, demo_course):
    open_report = report(student, "port-number", "typo")
    QuestionReport.objects.bulk_create(
        QuestionReport(
            user=student,
            question=open_report.question,
            reason="typo",
            resolved_at=timezone.now(),
        )
        for _ in range(REPORTS_PER_HOUR)
    )
    assert report(student, "port-number", "other").pk == open_report.pk


def test_anonymous_reports_are_refused(client, demo_course):
    no_js = client.post(report_url("port-number"), {"reason": "typo"})
    assert no_js.status_code == 302
    assert no_js["Location"].startswith("/accounts/login/?next=/courses/demo/commands/")
    htmx = client.post(report_url("port-number"), {"reason": "typo"}, **HTMX)
    assert htmx.status_code == 403 and htmx.content == b"Log in to report a problem."
    assert not QuestionReport.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Pick what is wrong first."),
        ({"reason": "boring"}, "Pick one of the listed problems."),
        ({"reason": "other", "note": "x" * 1001}, "Keep the note to 1,000 characters."),
    ],
)
def test_a_report_that_cannot_be_read_says_what_to_correct(
    student_client, demo_course, data, message
):
    htmx = student_client.post(report_url("port-number"), data, **HTMX)
    assert htmx.status_code == 200
    assert message in htmx.content.decode() and "<form" in htmx.content.decode()
    no_js = student_client.post(report_url("port-number"), data, follow=True)
    assert message in no_js.content.decode()
    assert not QuestionReport.objects.exists()


def test_a_note_of_exactly_the_limit_is_kept(student_client, demo_course):
    student_client.post(report_url("port-number"), {"reason": "other", "note": "y" * 1000})
    assert QuestionReport.objects.get().note == "y" * 1000


def test_questions_of_drafts_and_unknown_questions_cannot_be_reported(
    student_client, instructor_client, demo_course
):
    Lesson.objects.filter(slug="commands").update(draft=True)
    for client in (student_client, instructor_client):
        assert client.post(report_url("port-number"), {"reason": "typo"}).status_code == 404
    assert student_client.post(report_url("nope"), {"reason": "typo"}).status_code == 404
    assert not QuestionReport.objects.exists()


# The insights page


@pytest.fixture
def reports(demo_course):
    """Open reports: port-number by three students, list-command by one, image-vs-container by
    two; and one resolved report on list-command, which no longer counts."""
    students = UserFactory.create_batch(3)
    report(students[0], "port-number", "wrong-answer", "HTTPS is 443; the key says 80 is wrong?")
    report(students[1], "port-number", "wrong-answer")
    report(students[2], "port-number", "unclear", "Which protocol?")
    report(students[0], "list-command", "typo", "Missing backticks.")
    report(students[0], "image-vs-container", "other")
    report(students[1], "image-vs-container", "unclear")
    resolved = report(students[2], "list-command", "unclear", "Old note")
    QuestionReport.objects.filter(pk=resolved.pk).update(resolved_at=timezone.now())
    return students


def test_insights_list_reported_questions_most_reported_first(instructor_client, reports):
    section = report_section(instructor_client.get("/insights/demo/").content.decode())
    assert '<h2 id="reports-heading">Reported problems</h2>' in section
    order = [section.index(f"#q-{key}") for key in ("port-number", "image-vs-container")]
    assert order == sorted(order) and order[1] < section.index("#q-list-command")
    port = section.split("#q-port-number")[1].split("</li>\n    \n    <li>")[0]
    assert "Commands · 3 open reports" in port
    line = Question.objects.get(key="port-number").source_line
    assert f"<code>demo/01-first-steps/02-commands.md:{line}</code>" in port
    assert "The marked answer is wrong (2) · The question is unclear (1)" in port
    assert "HTTPS is 443; the key says 80 is wrong?" in port and "Which protocol?" in port
    assert "Mark 3 reports on port-number resolved</button>" in port
    assert "Old note" not in section
    assert "Missing backticks." in section and "1 open report<" in section


def test_line_numbers_point_at_the_quiz_fence(reports):
    lesson = (
        Lesson.objects.get(slug="commands").source_path,
        Question.objects.get(key="port-number").source_line,
    )
    reported = selectors.reported_questions(Course.objects.get(slug="demo"))
    assert reported[0].source == f"demo/{lesson[0]}:{lesson[1]}"
    from tests.conftest import FIXTURE_CONTENT

    lines = (FIXTURE_CONTENT / "demo" / lesson[0]).read_text().splitlines()
    assert lines[lesson[1] - 1] == "```quiz" and lines[lesson[1]] == "id: port-number"


def test_only_the_course_staff_see_the_reports(
    client, student_client, staff_client, instructor_client, reports
):
    assert "Which protocol?" in staff_client.get("/insights/demo/").content.decode()
    assert "Which protocol?" in instructor_client.get("/insights/demo/").content.decode()
    assert student_client.get("/insights/demo/").status_code == 403
    other = UserFactory()
    CourseFactory().instructors.add(other)
    assert signed_in(other).get("/insights/demo/").status_code == 403
    assert client.get("/insights/demo/").status_code == 302
    assert b"Which protocol?" not in student_client.get("/courses/demo/commands/").content


def test_no_reports_says_so(instructor_client, demo_course):
    section = report_section(instructor_client.get("/insights/demo/").content.decode())
    assert "No open reports." in section


def test_the_open_reports_are_read_once_until_a_report_changes(
    instructor_client, reports, course_cache, django_capture_on_commit_callbacks
):
    def page() -> tuple[str, int]:
        """The reports section, and how many queries read the reports table for it."""
        with CaptureQueriesContext(connection) as queries:
            html = instructor_client.get("/insights/demo/").content.decode()
        read = sum('FROM "quizzes_questionreport"' in q["sql"] for q in queries.captured_queries)
        return report_section(html), read

    assert page()[1] == 1
    section, read = page()
    assert read == 0 and "Which protocol?" in section
    with django_capture_on_commit_callbacks(execute=True):
        late = report(UserFactory(), "list-command", "typo", "Sent a moment later")
    section, read = page()
    assert read == 1 and "Sent a moment later" in section
    with django_capture_on_commit_callbacks(execute=True):
        instructor_client.post(resolve_url("port-number"))
    assert "#q-port-number" not in page()[0]
    with django_capture_on_commit_callbacks(execute=True):
        late.delete()
    assert "Sent a moment later" not in page()[0]


# Resolving


def test_resolving_closes_the_questions_open_reports(instructor_client, instructor, reports):
    newest = QuestionReport.objects.filter(question__key="port-number").latest("pk").pk
    response = instructor_client.post(resolve_url("port-number"), {"up_to": newest})
    assert response.status_code == 302 and response["Location"] == "/insights/demo/#reports"
    port = QuestionReport.objects.filter(question__key="port-number")
    assert not port.open().exists()
    assert {(r.resolved_by, r.resolved_at is not None) for r in port} == {(instructor, True)}
    assert QuestionReport.objects.open().count() == 3  # the other questions' reports
    page = instructor_client.get("/insights/demo/").content.decode()
    assert "3 reports on port-number marked resolved." in page
    assert "#q-port-number" not in report_section(page)
    again = instructor_client.post(resolve_url("port-number"), {"up_to": newest}, follow=True)
    assert "0 reports on port-number marked resolved." in again.content.decode()


def test_a_report_sent_after_the_page_was_read_stays_open(instructor_client, reports):
    shown = QuestionReport.objects.filter(question__key="port-number").latest("pk").pk
    late = report(UserFactory(), "port-number", "typo", "Sent while the page was open")
    instructor_client.post(resolve_url("port-number"), {"up_to": shown})
    assert list(QuestionReport.objects.filter(question__key="port-number").open()) == [late]


def test_only_the_course_staff_may_resolve(client, student_client, staff_client, reports):
    other = UserFactory()
    CourseFactory().instructors.add(other)
    assert signed_in(other).post(resolve_url("port-number")).status_code == 403
    assert student_client.post(resolve_url("port-number")).status_code == 403
    assert client.post(resolve_url("port-number"))["Location"].startswith("/accounts/login/")
    assert staff_client.get(resolve_url("port-number")).status_code == 405
    assert staff_client.post(resolve_url("nope")).status_code == 404
    assert QuestionReport.objects.open().count() == 6
    assert staff_client.post(resolve_url("port-number")).status_code == 302
    assert QuestionReport.objects.open().count() == 3


# Query counts


def test_the_insights_page_reads_reports_in_a_fixed_number_of_queries(
    instructor_client, reports, django_assert_num_queries
):
    from django.core.cache import caches

    from courseapp.catalog import content_cache

    def count() -> None:
        caches["default"].clear()
        caches["content"].clear()  # the lesson count too, here and in the process memory
        content_cache.memory.clear()
        # The page and its statistics (see tests/test_insights.py), whatever the reports.
        with django_assert_num_queries(15):
            assert instructor_client.get("/insights/demo/").status_code == 200

    count()
    for student in UserFactory.create_batch(5):
        for key in ("lifecycle-order", "true-statements", "layers-true-false"):
            report(student, key, "other", f"note by {student.username}")
    count()


def test_the_lesson_page_reads_the_students_reports_in_one_query(
    student_client, student, django_assert_max_num_queries, demo_course
):
    student_client.get("/courses/demo/welcome/")  # the content, now cached
    with django_assert_max_num_queries(8) as before:
        student_client.get("/courses/demo/welcome/")
    for key in ("image-vs-container", "layers-true-false"):
        report(student, key)
    with django_assert_max_num_queries(8) as after:
        html = student_client.get("/courses/demo/welcome/").content.decode()
    assert len(after.captured_queries) == len(before.captured_queries)
    assert html.count("(you reported it;") == 2
