"""Reviewing flashcards in Chromium with the keyboard only: Space, then 1-4."""

import re

import pytest
from playwright.sync_api import Page, expect

from courseapp.flashcards.models import CardState, Review
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_review_a_deck_with_the_keyboard(
    page: Page, live_server, demo_course, student, page_problems
):
    page.goto(f"{live_server.url}/courses/demo/flashcards/basics/review/")
    page.get_by_label("Username").fill(student.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Review: Basics")).to_be_visible()
    # htmx attaches to the page's forms once it has loaded; a key pressed before would post
    # the plain form. A load-state wait evaluates no string in the page, which the page's CSP
    # (no 'unsafe-eval') could refuse to a polled predicate.
    page.wait_for_load_state("load")
    # A marker that survives only if the cards are swapped in without a page load.
    page.evaluate("window.stillTheSamePage = true")
    status = page.get_by_role("status")
    review = page.locator("#review")

    expect(review).to_contain_text("What is an image?")
    expect(review).not_to_contain_text("A read-only template")
    page.keyboard.press("Space")
    expect(review).to_contain_text("A read-only template made of layers.")
    expect(
        page.get_by_role("button", name=re.compile(r"^Again, next review in 1 minute"))
    ).to_be_visible()
    page.keyboard.press("1")
    expect(status).to_have_text("Again: next review in 1 minute.")

    expect(review).to_contain_text("What is a container?")
    page.keyboard.press("Space")
    expect(review).to_contain_text("A running instance of an image.")
    page.keyboard.press("3")
    expect(status).to_have_text("Good: next review in 10 minutes.")

    # Nothing else is new: the card marked Again comes back while still learning.
    expect(review).to_contain_text("What is an image?")
    page.keyboard.press("Space")
    expect(review).to_contain_text("A read-only template made of layers.")
    page.keyboard.press("4")
    expect(status).to_have_text(re.compile(r"^Easy: next review in \d+ days?\.$"))

    expect(review).to_contain_text("What is a container?")
    page.keyboard.press("Space")
    expect(review).to_contain_text("A running instance of an image.")
    page.keyboard.press("3")
    expect(page.get_by_role("heading", name="Session complete")).to_be_visible()
    expect(review).to_contain_text("You reviewed 4 cards in this deck today.")

    assert page.evaluate("window.stillTheSamePage") is True
    assert page_problems == []
    assert list(Review.objects.order_by("pk").values_list("card__key", "rating")) == [
        ("image", 1),
        ("what-is-a-container", 3),
        ("image", 4),
        ("what-is-a-container", 3),
    ]
    assert CardState.objects.count() == 2
