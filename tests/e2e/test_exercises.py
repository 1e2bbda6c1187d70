"""Exercises in Chromium: a typed command and a file written in the code editor, with and
without JavaScript, under the site's CSP, with axe on the page."""

import io
import re
import shutil

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.conftest import FIXTURE_CONTENT
from tests.test_command_exercises import FENCE as COMMAND_FENCE
from tests.test_file_exercises import SOLUTION
from tests.test_file_exercises import fence as file_fence

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-Long-pass-9"
WITHOUT_PROBE = SOLUTION.split("          readinessProbe")[0]


@pytest.fixture
def exercises(tmp_path, django_user_model):
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    lesson = root / "demo" / "01-first-steps" / "01-welcome.md"
    lesson.write_text(lesson.read_text() + COMMAND_FENCE + file_fence())
    call_command("import_content", str(root), stdout=io.StringIO())
    django_user_model.objects.create_user("ada", "ada@example.org", PASSWORD)


def log_in(page: Page, url: str) -> None:
    page.goto(url + "/accounts/login/?next=/courses/demo/welcome/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1, name="Welcome")).to_be_visible()


def paste(page: Page, editor, text: str) -> None:
    """Replace the editor's text as a student pasting it would (CodeMirror reads the paste
    event; typed newlines would be auto-indented)."""
    editor.click()
    page.keyboard.press("Control+A")
    editor.evaluate(
        """(element, text) => {
            const data = new DataTransfer();
            data.setData("text/plain", text);
            element.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true}));
        }""",
        text,
    )


def code_editor(exercise):
    """The editor once the script has enhanced the textarea (before, the textarea has its
    label, and it is hidden a moment later)."""
    editor = exercise.locator(".cm-content")
    expect(editor).to_be_visible()
    expect(editor).to_have_accessible_name("Your Kubernetes manifests")
    return editor


def command_region(page: Page):
    return page.get_by_role("region", name=re.compile("Start nginx:1.27 in the background"))


def file_region(page: Page):
    return page.get_by_role("region", name=re.compile("Write a Deployment named web"))


def test_a_command_and_a_file_with_javascript(
    page: Page, live_server, exercises, check_page, page_problems
):
    log_in(page, live_server.url)
    command = command_region(page)
    field = command.get_by_label("Your command")
    field.fill("docker run -d --name web nginx:1.27")
    field.press("Enter")
    expect(command.get_by_role("status")).to_contain_text("Incorrect")
    expect(command.get_by_role("status")).to_contain_text("Missing option -p/--publish")
    field.fill("docker run --publish 8080:80 --name=web --detach nginx:1.27")
    command.get_by_role("button", name="Check answer").click()
    expect(command.get_by_role("status")).to_contain_text("Correct")
    expect(command.get_by_role("status")).to_contain_text("Your command as it was read")

    exercise = file_region(page)
    editor = code_editor(exercise)
    paste(page, editor, WITHOUT_PROBE)
    exercise.get_by_role("button", name="Check answer").click()
    status = exercise.get_by_role("status")
    expect(status).to_contain_text("Incorrect")
    expect(status).to_contain_text("Failed: A readiness probe on port 80")
    expect(status).to_contain_text("Passed: Three replicas")
    paste(page, editor, SOLUTION)
    exercise.get_by_role("button", name="Check answer").click()
    expect(status).to_contain_text("Correct")
    expect(status.locator(".language-yaml")).to_be_visible()  # the solution, highlighted
    check_page(page, "exercises")
    page.set_viewport_size({"width": 375, "height": 800})
    check_page(page, "exercises-phone")
    assert page_problems == []


def test_the_editor_resets_to_the_starter(page: Page, live_server, exercises, page_problems):
    log_in(page, live_server.url)
    exercise = file_region(page)
    editor = code_editor(exercise)
    paste(page, editor, "kind: Pod\n")
    exercise.get_by_role("button", name="Reset to starter").click()
    expect(editor).to_contain_text("apiVersion: apps/v1")
    assert page_problems == []


def test_exercises_without_javascript(browser, live_server, exercises):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server.url)
    command = command_region(page)
    command.get_by_label("Your command").fill("docker run -d --name web nginx:1.27")
    command.get_by_role("button", name="Check answer").click()
    expect(page).to_have_url(re.compile(r"/courses/demo/welcome/#q-run-web$"))
    expect(command_region(page).get_by_role("status")).to_contain_text("-p/--publish")
    command_region(page).get_by_label("Your command").fill(
        "docker run -p 8080:80 -d --name web nginx:1.27"
    )
    command_region(page).get_by_role("button", name="Check answer").click()
    expect(command_region(page).get_by_role("status")).to_contain_text("Correct")

    exercise = file_region(page)
    expect(exercise.get_by_role("button", name="Reset to starter")).to_be_hidden()
    exercise.get_by_label("Your Kubernetes manifests").fill(WITHOUT_PROBE)
    exercise.get_by_role("button", name="Check answer").click()
    expect(file_region(page).get_by_role("status")).to_contain_text("Failed: A readiness probe")
    file_region(page).get_by_label("Your Kubernetes manifests").fill(SOLUTION)
    file_region(page).get_by_role("button", name="Check answer").click()
    expect(file_region(page).get_by_role("status")).to_contain_text("Correct")
    context.close()
