"""Instructors and admins in Chromium: insights, the student's detail, CSV downloads, the admin."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from courseapp.catalog.models import Lesson
from courseapp.progress.services import lesson_complete
from courseapp.quizzes.selectors import question_for_answer
from courseapp.quizzes.services import attempt_submit
from tests.factories import PASSWORD, CourseFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def course_with_a_student(demo_course, student):
    lesson_complete(
        user=student, lesson=Lesson.objects.select_related("course").get(slug="welcome")
    )
    question = question_for_answer(demo_course, "image-vs-container")
    attempt_submit(user=student, question=question, answer=["same"])
    attempt_submit(user=student, question=question, answer=["template"])
    return demo_course


def log_in(page: Page, url: str, username: str) -> None:
    page.goto(url + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_instructor_sees_their_course_and_downloads_both_csvs(
    page: Page, live_server, course_with_a_student, instructor, check_page, page_problems
):
    log_in(page, live_server.url, instructor.username)
    page.goto(live_server.url + "/courses/demo/")
    page.get_by_role("link", name=re.compile("Insights")).first.click()
    expect(page.get_by_role("heading", level=1, name="Insights: Demo course")).to_be_visible()
    check_page(page, "insights")
    page.emulate_media(color_scheme="dark")
    check_page(page, "insights-dark")
    page.emulate_media(color_scheme="light")

    students = page.get_by_role("region", name="Students")
    expect(students.get_by_role("row", name=re.compile(r"^ada"))).to_contain_text("33%")
    items = page.get_by_role("region", name="Question statistics")
    expect(items.get_by_role("row", name=re.compile("image-vs-container"))).to_contain_text("0%")

    for link, header in (
        ("students (CSV)", "username"),
        ("question statistics (CSV)", "lesson,question"),
    ):
        with page.expect_download() as download:
            page.get_by_role("link", name=link).click()
        text = Path(download.value.path()).read_text(encoding="utf-8")
        assert text.lower().startswith(header), text[:80]
        assert "ada" in text or "image-vs-container" in text

    students.get_by_role("link", name="ada").click()
    expect(page.get_by_role("heading", level=1, name=re.compile("^ada"))).to_be_visible()
    welcome = page.get_by_role("row", name=re.compile(r"\bWelcome\b"))
    expect(welcome).to_contain_text(re.compile("complete", re.I))
    expect(welcome).to_contain_text("✗ incorrect")
    check_page(page, "insights-student")
    assert page_problems == []


def test_an_instructor_of_another_course_is_refused(page: Page, live_server, course_with_a_student):
    other = CourseFactory(slug="other", title="Other course")
    teacher = UserFactory(username="linus")
    other.instructors.add(teacher)
    log_in(page, live_server.url, teacher.username)
    for path in ("/insights/demo/", "/insights/demo/students.csv", "/insights/demo/questions.csv"):
        response = page.request.get(live_server.url + path)
        assert response.status == 403, path
    page.goto(live_server.url + "/courses/demo/")
    expect(page.get_by_role("link", name=re.compile("Insights"))).to_have_count(0)


def test_admin_opens_the_admin_and_insights_of_any_course(
    page: Page, live_server, course_with_a_student, staff, check_page
):
    log_in(page, live_server.url, staff.username)
    page.get_by_role("link", name="Admin").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    page.get_by_role("link", name="Attempts", exact=True).click()
    expect(page.get_by_text("image-vs-container").first).to_be_visible()
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Insights", exact=True).click()
    page.get_by_role("link", name="Demo course").click()
    expect(page.get_by_role("heading", level=1, name="Insights: Demo course")).to_be_visible()
