"""The answer flow with JavaScript switched off: plain forms post and come back to the question."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_answers_work_without_javascript(browser, live_server, demo_course, student):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/?next=/courses/demo/commands/")
    page.get_by_label("Username").fill(student.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    numeric = page.get_by_role("region", name=re.compile("On which port does HTTP listen"))
    numeric.get_by_label("Your answer (a number)").fill("8080")
    numeric.get_by_role("button", name="Check answer").click()
    expect(page).to_have_url(re.compile(r"/courses/demo/commands/#q-port-number$"))
    expect(numeric.get_by_role("status")).to_contain_text("Incorrect")
    numeric.get_by_role("button", name="Show answer").click()
    expect(numeric.get_by_role("status")).to_contain_text("HTTPS uses 443")
    numeric.get_by_label("Your answer (a number)").fill("80")
    numeric.get_by_role("button", name="Check answer").click()
    expect(numeric.get_by_role("status")).to_contain_text("Correct")

    text = page.get_by_role("region", name=re.compile("Which command lists running containers"))
    text.get_by_label("Your answer").fill("docker ps")
    text.get_by_role("button", name="Check answer").click()
    expect(text.get_by_role("status")).to_contain_text("Correct")
    expect(page.get_by_text("You completed this lesson.")).to_be_visible()
    page.get_by_role("button", name="Mark as not complete").click()
    expect(page.get_by_role("button", name="Mark as complete")).to_be_visible()
    context.close()
