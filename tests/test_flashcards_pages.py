"""Deck list, deck page, review session (with and without htmx) and the outline's due link."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from courseapp.flashcards import services
from courseapp.flashcards.models import CardState, Deck, Flashcard, FlashcardSettings, Review

REVIEW = "/courses/demo/flashcards/basics/review/"
RATE = "/courses/demo/flashcards/basics/review/rate/"

pytestmark = pytest.mark.usefixtures("demo_course")


def card(key: str) -> Flashcard:
    return Flashcard.objects.get(deck__slug="basics", key=key)


def field(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html)[1]


def add_cards(deck: Deck, count: int) -> None:
    Flashcard.objects.bulk_create(
        Flashcard(deck=deck, key=f"extra-{n}", front_html="F", back_html="B", position=10 + n)
        for n in range(count)
    )


def test_flashcards_url_is_not_taken_for_a_lesson(client):
    response = client.get("/courses/demo/flashcards/")
    assert response.status_code == 200
    assert response.templates[0].name == "flashcards/decks.html"


def test_anonymous_readers_browse_decks_and_cards(client, django_assert_num_queries):
    with django_assert_num_queries(2):  # the course, its decks with their counts
        html = client.get("/courses/demo/flashcards/").content.decode()
    assert "Basics" in html and "The words to know." in html
    assert "Log in to review" in html
    with django_assert_num_queries(3):  # the course, the deck, its cards
        html = client.get("/courses/demo/flashcards/basics/").content.decode()
    assert "What is an image?" in html and "A read-only template made of layers." in html
    assert "A running instance of an image." in html
    assert "## not a heading" in html


def test_deck_list_shows_new_due_learning_and_total(
    student_client, student, demo_course, django_assert_num_queries
):
    add_cards(demo_course.decks.get(), 30)
    past = timezone.now() - timedelta(hours=1)
    services.card_review(user=student, card=card("image"), rating=1, reviewed_at=past)
    with django_assert_num_queries(5):
        html = student_client.get("/courses/demo/flashcards/").content.decode()
    counts = dict(re.findall(r"<dt>(\w[\w ]*)</dt><dd>(\d+)</dd>", html))
    assert counts == {"New": "31", "Due now": "1", "Learning": "1", "Total": "32"}
    assert 'value="20"' in html  # new cards per day


def test_unknown_and_archived_decks_are_404(client):
    assert client.get("/courses/demo/flashcards/nope/").status_code == 404
    assert client.get("/courses/nope/flashcards/").status_code == 404
    Deck.objects.update(archived=True)
    assert client.get("/courses/demo/flashcards/basics/").status_code == 404
    assert b"no flashcards yet" in client.get("/courses/demo/flashcards/").content


def test_reviewing_needs_an_account(client):
    response = client.get(REVIEW)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.post(RATE, {"card": card("image").pk, "rating": 3}).status_code == 302
    assert not Review.objects.exists()


def test_review_without_javascript_front_answer_rate_and_summary(student_client, student):
    html = student_client.get(REVIEW).content.decode()
    assert "What is an image?" in html and "A read-only template" not in html
    assert "Show answer" in html and 'src="/static/js/flashcards.js"' in html
    answer = student_client.get(
        REVIEW, {"card": field(html, "card"), "answer": "1", "shown": field(html, "shown")}
    ).content.decode()
    assert "A read-only template made of layers." in answer
    for label, interval in [("Again", "1m"), ("Hard", "6m"), ("Good", "10m"), ("Easy", "")]:
        assert re.search(rf'aria-label="{label}, next review in [^"]+"', answer)
        assert f'<span class="rating-interval">{interval}' in answer
    response = student_client.post(
        RATE,
        {
            "card": field(answer, "card"),
            "rating": "3",
            "shown": field(answer, "shown"),
            "version": field(answer, "version"),
        },
    )
    assert (response.status_code, response["Location"]) == (302, REVIEW)
    html = student_client.get(REVIEW).content.decode()
    assert 'role="status">Good: next review in 10 minutes.</p>' in html
    assert "What is a container?" in html
    review = Review.objects.get()
    assert (review.user, review.card.key, review.rating) == (student, "image", 3)
    assert review.duration_ms is not None and review.duration_ms >= 0
    services.card_review(user=student, card=card("what-is-a-container"), rating=4)
    FlashcardSettings.objects.create(user=student, new_cards_per_day=2)
    CardState.objects.filter(card__key="image").update(due=timezone.now() + timedelta(days=1))
    html = student_client.get(REVIEW).content.decode()
    assert "Session complete" in html and "You reviewed 2 cards" in html
    assert "<li>Good: 1</li>" in html and "<li>Easy: 1</li>" in html


def test_htmx_shows_the_answer_and_swaps_in_the_next_card(student_client):
    htmx = {"HTTP_HX_REQUEST": "true"}
    front = student_client.get(REVIEW).content.decode()
    answer = student_client.get(
        REVIEW, {"card": field(front, "card"), "answer": "1", "shown": "1"}, **htmx
    ).content.decode()
    assert "<html" not in answer and "A read-only template" in answer
    assert 'hx-post="/courses/demo/flashcards/basics/review/rate/"' in answer
    fields = {name: field(answer, name) for name in ("card", "shown", "version")}
    response = student_client.post(RATE, {**fields, "rating": "1"}, **htmx)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert (
        '<p id="review-status" hx-swap-oob="innerHTML">Again: next review in 1 minute.</p>' in html
    )
    assert "What is a container?" in html and "Show answer" in html
    assert response["Vary"].count("HX-Request") == 1
    # The same form posted again (a double click) records nothing more.
    again = student_client.post(RATE, {**fields, "rating": "1"}, **htmx).content.decode()
    assert "already rated" in again
    assert Review.objects.count() == 1 and CardState.objects.count() == 1


def test_review_page_and_rating_run_a_bounded_number_of_queries(
    student_client, demo_course, django_assert_num_queries
):
    add_cards(demo_course.decks.get(), 50)
    with django_assert_num_queries(8):
        front = student_client.get(REVIEW).content.decode()
    with django_assert_num_queries(9):
        answer = student_client.get(
            REVIEW, {"card": field(front, "card"), "answer": "1"}
        ).content.decode()
    fields = {name: field(answer, name) for name in ("card", "shown", "version")}
    with django_assert_num_queries(13):
        response = student_client.post(RATE, {**fields, "rating": "3"})
    assert response.status_code == 302
    with django_assert_num_queries(14):
        student_client.post(RATE, {**fields, "rating": "3", "version": ""}, HTTP_HX_REQUEST="true")
    assert Review.objects.count() == 2


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"card": "x", "rating": "3"},
        {"card": "1", "rating": "5"},
        {"card": "1", "rating": "0"},
        {"card": "9" * 40, "rating": "3"},
    ],
)
def test_tampered_rating_posts_change_nothing(student_client, data):
    assert student_client.post(RATE, data).status_code == 400
    assert not Review.objects.exists()


def test_cards_of_other_decks_and_archived_cards_cannot_be_rated(student_client, demo_course):
    other = Deck.objects.create(course=demo_course, slug="other", title="Other", position=9)
    foreign = Flashcard.objects.create(
        deck=other, key="x", front_html="x", back_html="y", position=0
    )
    assert student_client.post(RATE, {"card": foreign.pk, "rating": "3"}).status_code == 404
    assert student_client.get(REVIEW, {"card": foreign.pk, "answer": "1"}).status_code == 404
    Flashcard.objects.filter(key="image").update(archived=True)
    assert student_client.post(RATE, {"card": card("image").pk, "rating": "3"}).status_code == 404
    assert not Review.objects.exists()


def test_rating_needs_post_and_csrf(student_client, student):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(student)
    assert csrf_client.post(RATE, {"card": card("image").pk, "rating": "3"}).status_code == 403
    assert student_client.get(RATE).status_code == 405
    assert not Review.objects.exists()


def test_new_cards_per_day_setting(student_client, student):
    response = student_client.post(
        "/flashcards/settings/", {"new_cards_per_day": "1", "next": "/courses/demo/flashcards/"}
    )
    assert response["Location"] == "/courses/demo/flashcards/"
    assert FlashcardSettings.objects.get(user=student).new_cards_per_day == 1
    assert b"up to 1 new cards a day" in student_client.get("/courses/demo/flashcards/").content
    for bad in ("-1", "501", "lots"):
        student_client.post("/flashcards/settings/", {"new_cards_per_day": bad})
    assert FlashcardSettings.objects.get(user=student).new_cards_per_day == 1
    offsite = student_client.post(
        "/flashcards/settings/", {"new_cards_per_day": "5", "next": "https://evil.example/"}
    )
    assert offsite["Location"] == "/"


def test_a_message_is_shown_once(student_client):
    student_client.post(
        "/flashcards/settings/", {"new_cards_per_day": "7", "next": "/courses/demo/flashcards/"}
    )
    decks = student_client.get("/courses/demo/flashcards/").content.decode()
    assert decks.count("You will see up to 7 new cards a day.") == 1
    front = student_client.get(REVIEW).content.decode()
    answer = student_client.get(REVIEW, {"card": field(front, "card"), "answer": "1"})
    fields = {name: field(answer.content.decode(), name) for name in ("card", "version")}
    student_client.post(RATE, {**fields, "rating": "3"})
    review = student_client.get(REVIEW).content.decode()
    assert review.count("Good: next review in 10 minutes.") == 1
    assert review.count('role="status"') == 1


def test_outline_links_to_flashcards_with_the_due_count(
    client, student_client, student, django_assert_num_queries
):
    assert (
        '<a href="/courses/demo/flashcards/">Flashcards</a>'
        in client.get("/courses/demo/").content.decode()
    )
    services.card_review(
        user=student, card=card("image"), rating=1, reviewed_at=timezone.now() - timedelta(hours=1)
    )
    with django_assert_num_queries(9):
        html = student_client.get("/courses/demo/").content.decode()
    assert '<a href="/courses/demo/flashcards/">Flashcards: 1 due</a>' in html
    Deck.objects.update(archived=True)
    assert "/courses/demo/flashcards/" not in student_client.get("/courses/demo/").content.decode()
