"""Failures are visible to htmx users: a failed answer or completion says why in place, an
expired session links to the login page, and buttons are disabled while a request is out."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, Route, expect

from tests.conftest import FIXTURE_CONTENT
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def lesson_page(page: Page, live_server) -> Page:
    call_command("import_content", str(FIXTURE_CONTENT), verbosity=0)
    UserFactory(username="ada")
    page.goto(live_server.url + "/accounts/login/?next=/courses/demo/commands/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    return page


def numeric(page: Page):
    return page.get_by_role("region", name=re.compile("On which port does HTTP listen"))


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (500, "Couldn't save your answer — try again."),
        (503, "Couldn't save your answer — try again."),
        (403, "Your session has expired — log in again."),
    ],
)
def test_a_failed_answer_says_why_in_its_status_region(lesson_page: Page, status, message):
    lesson_page.route("**/answer/", lambda route: route.fulfill(status=status, body="no"))
    question = numeric(lesson_page)
    question.get_by_label("Your answer (a number)").fill("80")
    question.get_by_role("button", name="Check answer").click()
    expect(question.get_by_role("status")).to_contain_text(message)
    expect(question.get_by_role("button", name="Check answer")).to_be_enabled()
    if status == 403:
        login = question.get_by_role("link", name="Log in")
        expect(login).to_have_attribute(
            "href", "/accounts/login/?next=%2Fcourses%2Fdemo%2Fcommands%2F%23q-port-number"
        )


def test_a_lost_connection_says_so(lesson_page: Page):
    lesson_page.route("**/answer/", lambda route: route.abort())
    question = numeric(lesson_page)
    question.get_by_label("Your answer (a number)").fill("80")
    question.get_by_role("button", name="Check answer").click()
    expect(question.get_by_role("status")).to_contain_text("Couldn't reach the server")


def test_mark_as_complete_failing_says_so(lesson_page: Page):
    lesson_page.route("**/complete/", lambda route: route.fulfill(status=500, body="no"))
    lesson_page.get_by_role("button", name="Mark as complete").click()
    expect(lesson_page.get_by_role("alert")).to_contain_text("try again")


def test_the_button_is_disabled_while_its_request_is_out(lesson_page: Page):
    waiting: list[Route] = []
    lesson_page.route("**/answer/", lambda route: waiting.append(route))
    question = numeric(lesson_page)
    question.get_by_label("Your answer (a number)").fill("80")
    button = question.get_by_role("button", name="Check answer")
    button.click()
    expect(button).to_be_disabled()
    waiting[0].continue_()
    expect(question.get_by_role("status")).to_contain_text("Correct")
    expect(button).to_be_enabled()
