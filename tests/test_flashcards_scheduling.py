"""FSRS scheduling through the services, with fixed clocks: intervals, re-imports, limits."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command

from courseapp.flashcards import selectors, services
from courseapp.flashcards.models import CardState, Flashcard, FlashcardSettings, Review
from courseapp.flashcards.scheduling import interval_label, next_intervals

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4


@pytest.fixture
def deck(demo_course):
    return demo_course.decks.get(slug="basics")


def card(key: str) -> Flashcard:
    return Flashcard.objects.get(deck__slug="basics", key=key)


def test_a_new_card_rated_good_is_due_later_than_one_rated_again(student, deck):
    good = services.card_review(user=student, card=card("image"), rating=GOOD, reviewed_at=T0)
    again = services.card_review(
        user=student, card=card("what-is-a-container"), rating=AGAIN, reviewed_at=T0
    )
    assert good.due > again.due > T0
    assert good.last_review == again.last_review == T0
    assert good.stability > again.stability


def test_repeated_good_ratings_grow_the_interval(student, deck):
    now, intervals = T0, []
    for _ in range(6):
        state = services.card_review(user=student, card=card("image"), rating=GOOD, reviewed_at=now)
        intervals.append(state.due - now)
        now = state.due  # review exactly when due
    assert intervals == sorted(intervals)
    assert len(set(intervals)) == len(intervals), intervals
    assert intervals[-1] > timedelta(days=10)
    assert CardState.objects.get().state == CardState.State.REVIEW
    assert Review.objects.filter(user=student).count() == 6


def test_a_review_is_logged_with_its_rating_time_and_duration(student, deck):
    services.card_review(
        user=student, card=card("image"), rating=HARD, reviewed_at=T0, duration_ms=4200
    )
    review = Review.objects.get()
    assert (review.rating, review.reviewed_at, review.duration_ms) == (HARD, T0, 4200)
    state = CardState.objects.get()
    assert state.introduced_at == state.last_review == T0


def test_a_card_is_new_until_its_first_review(student, deck):
    [listed] = selectors.course_decks(course=deck.course, user=student, now=T0)
    assert (listed.new, listed.due, listed.learning, listed.total) == (2, 0, 0, 2)
    services.card_review(user=student, card=card("image"), rating=AGAIN, reviewed_at=T0)
    [listed] = selectors.course_decks(course=deck.course, user=student, now=T0 + timedelta(hours=1))
    assert (listed.new, listed.due, listed.learning, listed.total) == (1, 1, 1, 2)


def test_naive_datetimes_are_refused(student, deck):
    with pytest.raises(ValueError, match="naive"):
        services.card_review(
            user=student,
            card=card("image"),
            rating=GOOD,
            reviewed_at=datetime(2026, 3, 2, 9),  # noqa: DTZ001
        )
    assert not CardState.objects.exists()


def test_a_bad_rating_changes_nothing(student, deck):
    with pytest.raises(ValueError):
        services.card_review(user=student, card=card("image"), rating=5, reviewed_at=T0)
    assert not CardState.objects.exists() and not Review.objects.exists()


def test_review_state_survives_a_reimport_that_rewords_the_card(student, deck, content_root):
    state = services.card_review(user=student, card=card("image"), rating=GOOD, reviewed_at=T0)
    path = content_root / "demo" / "flashcards" / "basics.md"
    path.write_text(
        path.read_text()
        .replace("## What is an image? {#image}", "## What, exactly, is an image? {#image}")
        .replace("A read-only template made of layers.", "A read-only, layered template.")
    )
    call_command("import_content", str(content_root), verbosity=0)
    reworded = card("image")
    assert "exactly" in reworded.front_html and "layered" in reworded.back_html
    kept = CardState.objects.get(user=student, card=reworded)
    assert (kept.pk, kept.due, kept.stability) == (state.pk, state.due, state.stability)
    assert Review.objects.get().card == reworded


def test_archived_cards_stop_appearing_but_keep_their_history(student, deck, content_root):
    services.card_review(user=student, card=card("image"), rating=AGAIN, reviewed_at=T0)
    path = content_root / "demo" / "flashcards" / "basics.md"
    text = path.read_text()
    path.write_text(
        text[: text.index("## What is an image?")] + text[text.index("## What is a container?") :]
    )
    call_command("import_content", str(content_root), verbosity=0)
    assert card("image").archived
    later = T0 + timedelta(hours=1)
    [listed] = selectors.course_decks(course=deck.course, user=student, now=later)
    assert (listed.total, listed.new, listed.due, listed.learning) == (1, 1, 0, 0)
    times = selectors.due_times(user=student, courses=[deck.course])
    assert selectors.due_count(times[deck.course.pk], now=later) == 0
    item = selectors.review_next(user=student, deck=deck, now=later)
    assert item.card.key == "what-is-a-container"
    assert CardState.objects.count() == 1 and Review.objects.count() == 1


def test_review_next_shows_due_cards_first_then_new_ones(student, deck):
    services.card_review(
        user=student, card=card("what-is-a-container"), rating=AGAIN, reviewed_at=T0
    )
    item = selectors.review_next(user=student, deck=deck, now=T0 + timedelta(minutes=5))
    assert item.card.key == "what-is-a-container" and item.due == 1 and item.new == 1
    assert [choice.label for choice in item.ratings] == ["Again", "Hard", "Good", "Easy"]
    item = selectors.review_next(user=student, deck=deck, now=T0 + timedelta(seconds=1))
    assert item.card.key == "image" and item.due == 0


def test_the_daily_new_card_limit_holds_back_new_cards_until_tomorrow(student, deck):
    FlashcardSettings.objects.create(user=student, new_cards_per_day=1)
    services.card_review(user=student, card=card("image"), rating=EASY, reviewed_at=T0)
    item = selectors.review_next(user=student, deck=deck, now=T0 + timedelta(minutes=1))
    assert item.card is None and item.new == 1 and item.new_today_left == 0
    tomorrow = selectors.review_next(user=student, deck=deck, now=T0 + timedelta(days=1))
    assert tomorrow.card.key == "what-is-a-container"


def test_the_default_new_card_limit_is_twenty(student, deck):
    assert selectors.review_next(user=student, deck=deck, now=T0).new_today_left == 20


def test_a_learning_card_due_soon_is_shown_rather_than_ending_the_session(student, deck):
    FlashcardSettings.objects.create(user=student, new_cards_per_day=1)
    services.card_review(user=student, card=card("image"), rating=AGAIN, reviewed_at=T0)
    item = selectors.review_next(user=student, deck=deck, now=T0 + timedelta(seconds=10))
    assert item.card.key == "image"


def test_a_double_submit_of_the_same_form_is_recorded_once(student, deck):
    version = selectors.review_next(user=student, deck=deck, now=T0).version
    services.card_review(
        user=student, card=card("image"), rating=GOOD, reviewed_at=T0, shown_version=version
    )
    with pytest.raises(services.ReviewAlreadyRecorded):
        services.card_review(
            user=student,
            card=card("image"),
            rating=GOOD,
            reviewed_at=T0 + timedelta(seconds=1),
            shown_version=version,
        )
    assert Review.objects.count() == 1


def test_button_intervals_match_what_the_rating_schedules(student, deck):
    previews = next_intervals(None, now=T0)
    assert [interval_label(i) for i in previews.values()][:1] == ["1m"]
    for rating, interval in previews.items():
        services.card_review(user=student, card=card("image"), rating=int(rating), reviewed_at=T0)
        state = CardState.objects.get(card=card("image"))
        assert state.due - T0 == interval
        CardState.objects.all().delete()


@pytest.mark.parametrize(
    ("interval", "label"),
    [
        (timedelta(seconds=20), "<1m"),
        (timedelta(minutes=10), "10m"),
        (timedelta(hours=5), "5h"),
        (timedelta(days=3), "3d"),
        (timedelta(days=90), "3mo"),
        (timedelta(days=365 * 2), "2y"),
    ],
)
def test_interval_labels_are_short(interval, label):
    assert interval_label(interval) == label


def test_due_times_tell_the_due_cards_per_course_at_any_time_from_one_query(
    student, deck, django_assert_num_queries
):
    services.card_review(user=student, card=card("image"), rating=AGAIN, reviewed_at=T0)
    services.card_review(
        user=student, card=card("what-is-a-container"), rating=EASY, reviewed_at=T0
    )
    from tests.factories import CourseFactory

    other = CourseFactory()
    with django_assert_num_queries(1):
        times = selectors.due_times(user=student, courses=[deck.course, other])
    counts = {
        pk: selectors.due_count(due, now=T0 + timedelta(hours=1)) for pk, due in times.items()
    }
    assert counts == {deck.course.pk: 1, other.pk: 0}
    assert selectors.due_count(times[deck.course.pk], now=T0) == 0  # not due yet when rated
