"""In Chromium: a student reports a problem with a question (with and without JavaScript), an
instructor sees it on the insights page and resolves it, and previews a draft lesson."""

import re

import pytest
from playwright.sync_api import Page, expect

from courseapp.catalog.models import Lesson
from courseapp.quizzes.models import QuestionReport
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

PORT_QUESTION = re.compile("On which port does HTTP listen")


def log_in(page: Page, url: str, username: str, then: str) -> None:
    page.goto(f"{url}/accounts/login/?next={then}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def send_report(page: Page, reason: str, note: str) -> None:
    question = page.get_by_role("region", name=PORT_QUESTION)
    question.get_by_text("Report a problem").click()
    question.get_by_label(reason).check()
    question.get_by_label("Details").fill(note)
    question.get_by_role("button", name="Send").click()


def test_a_report_travels_from_the_question_to_the_instructor_and_is_resolved(
    page: Page, live_server, demo_course, student, instructor, check_page, page_problems
):
    log_in(page, live_server.url, student.username, "/courses/demo/commands/")
    page.evaluate("window.noReload = true")
    send_report(page, "The marked answer is wrong", "Is it not 443?")
    question = page.get_by_role("region", name=PORT_QUESTION)
    expect(question.get_by_role("status").last).to_contain_text("Thank you")
    assert page.evaluate("window.noReload === true")  # swapped in place by htmx
    check_page(page, "question-reported")
    assert QuestionReport.objects.get().note == "Is it not 443?"

    page.get_by_role("button", name="Log out").click()
    log_in(page, live_server.url, instructor.username, "/insights/demo/")
    reports = page.get_by_role("region", name="Reported problems")
    expect(reports).to_contain_text("port-number")
    expect(reports).to_contain_text("The marked answer is wrong (1)")
    expect(reports).to_contain_text("Is it not 443?")
    expect(reports).to_contain_text("demo/01-first-steps/02-commands.md:")
    check_page(page, "insights-reports")
    reports.get_by_role("button", name="Mark 1 report on port-number resolved").click()
    expect(page.get_by_text("1 report on port-number marked resolved.")).to_be_visible()
    expect(page.get_by_role("region", name="Reported problems")).to_contain_text("No open reports.")
    assert page_problems == []


def test_a_report_is_sent_without_javascript(browser, live_server, demo_course, student):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server.url, student.username, "/courses/demo/commands/")
    send_report(page, "Typo or formatting", "A stray backtick.")
    expect(page).to_have_url(re.compile(r"/courses/demo/commands/#q-port-number$"))
    expect(page.get_by_text("Thank you: your report goes to")).to_be_visible()
    question = page.get_by_role("region", name=PORT_QUESTION)
    expect(question.get_by_text("(you reported it")).to_be_visible()
    assert QuestionReport.objects.get().reason == "typo"
    context.close()


def test_an_instructor_previews_a_draft_lesson_under_a_banner(
    page: Page, live_server, demo_course, instructor, check_page, page_problems
):
    Lesson.objects.filter(slug="commands").update(draft=True)
    log_in(page, live_server.url, instructor.username, "/courses/demo/")
    outline = page.get_by_role("listitem").filter(has_text="Commands")
    expect(outline.get_by_text("Draft", exact=True)).to_be_visible()
    check_page(page, "outline-with-draft")
    outline.get_by_role("link", name="Commands").click()
    expect(page.get_by_role("note")).to_contain_text("Draft — students cannot see this.")
    check_page(page, "draft-preview")
    page.emulate_media(color_scheme="dark")
    check_page(page, "draft-preview-dark")
    question = page.get_by_role("region", name=PORT_QUESTION)
    question.get_by_label("Your answer (a number)").fill("80")
    question.get_by_role("button", name="Check answer").click()
    expect(question.get_by_role("status")).to_contain_text("Correct")
    assert page_problems == []
