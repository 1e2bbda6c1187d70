"""A student's whole visit in Chromium: sign up, read, answer every question type, progress,
search, flashcards, log out — with accessibility and layout checks on the way."""

import re

import pytest
from playwright.sync_api import Page, expect

from courseapp.progress.models import LessonProgress
from courseapp.quizzes.models import Attempt
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def question(page: Page, prompt: str):
    return page.get_by_role("region", name=re.compile(re.escape(prompt)))


def check(block, status_starts: str) -> None:
    block.get_by_role("button", name="Check answer").click()
    expect(block.get_by_role("status")).to_contain_text(re.compile(rf"^\s*{status_starts}"))


def same_page(page: Page) -> bool:
    return page.evaluate("window.noReload === true")


def test_student_journey(page: Page, live_server, demo_course, check_page, page_problems):
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(live_server.url + "/")
    check_page(page, "catalog")
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("link", name="Dashboard")).to_be_visible()

    page.get_by_role("link", name="Demo course").click()
    check_page(page, "outline")
    page.get_by_role("button", name="Start course").click()
    expect(page.get_by_role("heading", level=1, name="Welcome")).to_be_visible()

    # Reading: the table of contents jumps, code is highlighted.
    page.get_by_role("navigation", name="On this page").get_by_role("link", name="A table").click()
    expect(page).to_have_url(re.compile(r"/courses/demo/welcome/#c-a-table$"))
    code = page.get_by_role("code").filter(has_text="starting")
    colours = code.evaluate(
        "node => [...node.querySelectorAll('span')].map(s => getComputedStyle(s).color)"
    )
    assert len(set(colours)) >= 3, f"code is not highlighted: {colours}"
    check_page(page, "lesson-before-answering")

    # Single choice, with the hint first; feedback comes live, without a page load.
    page.evaluate("window.noReload = true")
    single = question(page, "Which statement is true?")
    single.get_by_text("Show hint").click()
    expect(single.get_by_text("Think of a class and its objects.")).to_be_visible()
    single.get_by_label("Image and container are two names for the same thing.").check()
    check(single, "Incorrect")
    expect(single.get_by_role("status")).to_contain_text("A container adds a writable layer")
    single.get_by_label("An image is a read-only template").check()
    check(single, "Correct")
    expect(single.get_by_role("status")).to_contain_text("The image never changes")

    true_false = question(page, "Image layers can be changed by a running container.")
    true_false.get_by_label("True").check()
    check(true_false, "Incorrect")
    true_false.get_by_label("False").check()
    check(true_false, "Correct")
    assert same_page(page)
    # Both questions right: the lesson completed itself.
    expect(page.get_by_text("You completed this lesson.")).to_be_visible()
    check_page(page, "lesson-after-answering")

    page.get_by_role("link", name=re.compile("^Next")).click()
    page.evaluate("window.noReload = true")
    text = question(page, "Which command lists running containers?")
    text.get_by_label("Your answer").fill("docker images")
    check(text, "Incorrect")
    text.get_by_label("Your answer").fill("  docker CONTAINER ls ")
    check(text, "Correct")
    numeric = question(page, "On which port does HTTP listen by default?")
    numeric.get_by_label("Your answer (a number)").fill("8080")
    check(numeric, "Incorrect")
    numeric.get_by_role("button", name="Show answer").click()
    expect(numeric.get_by_role("status")).to_contain_text("Answer shown")
    expect(numeric.get_by_role("status")).to_contain_text("HTTPS uses 443")
    numeric.get_by_label("Your answer (a number)").fill("80")
    check(numeric, "Correct")
    assert same_page(page)

    # Progress: the outline and the dashboard agree; Continue leads to the next lesson.
    page.get_by_role("link", name="Demo course").click()
    expect(page.get_by_text("67% · 2 of 3 lessons")).to_be_visible()
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_text("67% · 2 of 3 lessons")).to_be_visible()
    check_page(page, "dashboard")
    page.get_by_role("link", name=re.compile("^Continue")).click()
    expect(page.get_by_role("heading", level=1, name="Ordering things")).to_be_visible()
    page.get_by_role("button", name="Mark as complete").click()
    expect(page.get_by_text("You completed this lesson.")).to_be_visible()
    assert LessonProgress.objects.filter(completed_at__isnull=False).count() == 3
    page.get_by_role("button", name="Mark as not complete").click()
    expect(page.get_by_role("button", name="Mark as complete")).to_be_visible()

    page.evaluate("window.noReload = true")
    order = question(page, "Put the steps in order.")
    steps = ["Pull the image", "Create the container", "Start it"]
    for position, step in enumerate(reversed(steps), start=1):
        order.get_by_label(f"Position of: {step}").select_option(str(position))
    check(order, "Incorrect")
    for position, step in enumerate(steps, start=1):
        order.get_by_label(f"Position of: {step}").select_option(str(position))
    check(order, "Correct")
    multiple = question(page, "Which are container runtimes?")
    multiple.get_by_label("runc").check()
    check(multiple, "Incorrect")
    multiple.get_by_label("crun").check()
    check(multiple, "Correct")
    assert same_page(page)
    assert Attempt.objects.filter(user__username="ada").count() == 13

    expect(page.get_by_text("You completed this lesson.")).to_be_visible()
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_text("100% · 3 of 3 lessons")).to_be_visible()

    # Search, and open the hit.
    page.get_by_role("searchbox", name="Search lessons").fill("quokka")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Commands").click()
    expect(page.get_by_role("heading", level=1, name="Commands")).to_be_visible()

    # Flashcards, keyboard only.
    page.goto(live_server.url + "/courses/demo/flashcards/basics/review/")
    check_page(page, "flashcard-review")
    page.keyboard.press("Space")
    expect(page.get_by_text("A read-only template made of layers.")).to_be_visible()
    page.keyboard.press("3")
    expect(page.get_by_role("status").first).to_contain_text("Good")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    assert page_problems == []


@pytest.mark.parametrize("width", [375, 1280])
def test_lesson_and_dashboard_fit_the_screen(
    page: Page, live_server, check_page, demo_course, student, width
):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(live_server.url + "/accounts/login/?next=/courses/demo/welcome/")
    page.get_by_label("Username").fill(student.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1, name="Welcome")).to_be_visible()
    check_page(page, f"lesson-{width}px", axe_check=False)
    page.goto(live_server.url + "/dashboard/")
    check_page(page, f"dashboard-{width}px", axe_check=False)


def test_keyboard_only_quiz_with_visible_focus(page: Page, live_server, demo_course, student):
    page.goto(live_server.url + "/accounts/login/?next=/courses/demo/welcome/")
    page.get_by_label("Username").fill(student.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    true_false = question(page, "Image layers can be changed by a running container.")
    true_false.get_by_label("False").focus()
    page.keyboard.press("Space")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused control shows no outline"
    page.keyboard.press("Tab")
    expect(true_false.get_by_role("button", name="Check answer")).to_be_focused()
    page.keyboard.press("Enter")
    expect(true_false.get_by_role("status")).to_contain_text("Correct")
