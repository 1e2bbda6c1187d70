"""Writes of the flashcards app: rating a card and the user's review settings."""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from fsrs import Rating

from courseapp.flashcards.models import CardState, Flashcard, FlashcardSettings, Review
from courseapp.flashcards.scheduling import apply_review, state_version, utc
from courseapp.student_cache import student_changed

# Longer than this between showing a card and rating it is a break, not thinking time.
MAX_DURATION_MS = 60 * 60 * 1000


class ReviewAlreadyRecorded(Exception):
    """The card was rated since the form was shown: a double submit, ignored."""


@transaction.atomic(durable=True)
def card_review(
    *,
    user: AbstractBaseUser,
    card: Flashcard,
    rating: int,
    reviewed_at: datetime | None = None,
    duration_ms: int | None = None,
    shown_version: str | None = None,
) -> CardState:
    """Rate `card` for `user`: schedule it with FSRS and append a Review.

    The state row is locked (SELECT … FOR UPDATE) so parallel ratings of one card apply one
    after the other: one state per user and card, and every rating logged. `shown_version`
    (from `state_version` when the card was shown) rejects a second submit of the same form.
    """
    rating = Rating(rating)
    now = utc(reviewed_at or timezone.now())
    state, _ = CardState.objects.select_for_update().get_or_create(
        user=user, card=card, defaults={"due": now, "introduced_at": now}
    )
    if shown_version is not None and shown_version != state_version(state):
        raise ReviewAlreadyRecorded
    apply_review(state, rating=rating, now=now)
    # The foreign keys are real rows already; validating them would cost a query each.
    state.full_clean(exclude=["user", "card"], validate_unique=False, validate_constraints=False)
    state.save()
    review = Review(
        user=user,
        card=card,
        rating=int(rating),
        reviewed_at=now,
        duration_ms=None if duration_ms is None else max(0, min(duration_ms, MAX_DURATION_MS)),
    )
    review.full_clean(exclude=["user", "card"], validate_constraints=False)
    review.save()
    student_changed(user.pk)
    return state


@transaction.atomic(durable=True)
def flashcard_settings_update(
    *, user: AbstractBaseUser, new_cards_per_day: int
) -> FlashcardSettings:
    """Set how many new cards `user` sees a day."""
    settings, _ = FlashcardSettings.objects.select_for_update().get_or_create(user=user)
    settings.new_cards_per_day = new_cards_per_day
    settings.full_clean(exclude=["user"], validate_unique=False)
    settings.save()
    return settings
