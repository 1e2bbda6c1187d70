"""Parallel ratings of one card by one user, on real PostgreSQL connections in threads."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, connections

from courseapp.flashcards import services
from courseapp.flashcards.models import CardState, Flashcard, Review
from courseapp.flashcards.scheduling import apply_review

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
THREADS = 6

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks need PostgreSQL; SQLite serializes writers anyway",
    ),
]


def rate_in_parallel(user, card, reviewed_at: datetime) -> list[BaseException]:
    barrier, errors = threading.Barrier(THREADS), []

    def rate(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            services.card_review(
                user=user,
                card=card,
                rating=1 + index % 4,
                reviewed_at=reviewed_at + timedelta(milliseconds=index),
            )
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()  # each thread has its own connection

    threads = [threading.Thread(target=rate, args=(index,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


def test_parallel_first_ratings_make_one_state_and_log_every_review(demo_course, student):
    card = Flashcard.objects.get(key="image")
    assert rate_in_parallel(student, card, T0) == []
    assert CardState.objects.filter(user=student, card=card).count() == 1
    assert Review.objects.filter(user=student, card=card).count() == THREADS


def test_parallel_ratings_of_a_studied_card_apply_one_after_another(demo_course, student):
    card = Flashcard.objects.get(key="image")
    services.card_review(user=student, card=card, rating=3, reviewed_at=T0)
    later = T0 + timedelta(days=3)
    assert rate_in_parallel(student, card, later) == []
    state = CardState.objects.get(user=student, card=card)
    reviews = Review.objects.filter(user=student, card=card)
    assert reviews.count() == THREADS + 1
    # Serialized: replaying the log in the order it was written gives the stored state,
    # so no rating was computed from a state another one had already replaced.
    replayed = CardState(card=card, due=T0, introduced_at=T0)
    for review in reviews.order_by("pk"):
        apply_review(replayed, rating=review.rating, now=review.reviewed_at)
    assert (replayed.stability, replayed.difficulty, replayed.due, replayed.last_review) == (
        state.stability,
        state.difficulty,
        state.due,
        state.last_review,
    )
