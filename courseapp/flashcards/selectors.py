"""Reads of the flashcards app that views share; each runs a fixed number of queries."""

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Min, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from courseapp.catalog.models import Course, current_content
from courseapp.flashcards.models import CardState, Deck, Flashcard, FlashcardSettings, Review
from courseapp.flashcards.scheduling import (
    interval_label,
    interval_words,
    next_intervals,
    state_version,
    utc,
)

LEARNING_STATES = (CardState.State.LEARNING, CardState.State.RELEARNING)
# When nothing is due, a learning card due within this long is shown early rather than
# ending the session a minute before it comes back (Anki's "learn ahead limit").
LEARN_AHEAD = timedelta(minutes=20)


def day_start(now: datetime) -> datetime:
    """Start of the current day in UTC: the new-card limit counts from there."""
    return utc(now).replace(hour=0, minute=0, second=0, microsecond=0)


def _user_states(user: AbstractBaseUser | AnonymousUser, prefix: str = "") -> Q:
    # Anonymous readers have no states: match nothing rather than query for user NULL.
    return Q(**{f"{prefix}user": user}) if user.is_authenticated else Q(pk__in=[])


def deck_get(course: Course, *, slug: str) -> Deck:
    """The course's current deck `slug`, else 404."""
    return get_object_or_404(Deck.objects.current(), course=course, slug=slug)


def course_decks(
    *, course: Course, user: AbstractBaseUser | AnonymousUser, now: datetime | None = None
) -> list[Deck]:
    """The course's decks with `total`, `new`, `due` and `learning` counts for `user` (1 query)."""
    now = now or timezone.now()
    active = current_content("cards")
    mine = active & _user_states(user, "cards__states__")
    decks = list(
        course.decks.current().annotate(
            total=Count("cards", filter=active, distinct=True),
            studied=Count("cards__states", filter=mine),
            due=Count("cards__states", filter=mine & Q(cards__states__due__lte=now)),
            learning=Count(
                "cards__states", filter=mine & Q(cards__states__state__in=LEARNING_STATES)
            ),
        )
    )
    for deck in decks:
        deck.new = deck.total - deck.studied
    return decks


def deck_card_get(deck: Deck, *, card_id: int) -> Flashcard:
    """The deck's current card `card_id`, else 404 (a card of another deck is not found)."""
    return get_object_or_404(deck.cards.current(), pk=card_id)


def new_cards_per_day(user: AbstractBaseUser) -> int:
    """How many cards the user sees for the first time each day: their setting or the default."""
    limit = (
        FlashcardSettings.objects.filter(user=user)
        .values_list("new_cards_per_day", flat=True)
        .first()
    )
    return FlashcardSettings.DEFAULT_NEW_CARDS_PER_DAY if limit is None else limit


def deck_cards(deck: Deck) -> list[Flashcard]:
    """The deck's current cards in order."""
    return list(deck.cards.current())


def due_times(
    *, user: AbstractBaseUser, courses: Iterable[Course]
) -> dict[int, tuple[datetime, ...]]:
    """{course id: when each of the user's cards there falls due, soonest first}, every course
    present (1 query): `due_count` counts the cards due at any later moment from them."""
    times: dict[int, list[datetime]] = {course.pk: [] for course in courses}
    states = CardState.objects.filter(
        current_content("card"),
        current_content("card__deck"),
        user=user,
        card__deck__course__in=list(times),
    )
    for course_id, due in states.order_by("due").values_list("card__deck__course_id", "due"):
        times[course_id].append(due)
    return {course_id: tuple(due) for course_id, due in times.items()}


def due_count(times: Sequence[datetime], *, now: datetime | None = None) -> int:
    """How many of these due times (soonest first, from `due_times`) have come by `now`."""
    return bisect_right(times, now or timezone.now())


def course_flashcards_due(
    *, course: Course, user: AbstractBaseUser | AnonymousUser, now: datetime | None = None
) -> int | None:
    """Cards due now in the course for the outline's link; None when it has no decks (1 query)."""
    now = now or timezone.now()
    mine = (
        _user_states(user, "cards__states__")
        & current_content("cards")
        & Q(cards__states__due__lte=now)
    )
    counts = course.decks.current().aggregate(
        decks=Count("pk", distinct=True), due=Count("cards__states", filter=mine)
    )
    return counts["due"] if counts["decks"] else None


@dataclass
class RatingChoice:
    value: int
    label: str
    interval: str
    interval_words: str


@dataclass
class ReviewItem:
    """What the review page shows: the next card (or none: the session is over) and counts."""

    card: Flashcard | None
    state: CardState | None
    due: int
    new: int
    new_today_left: int
    ratings: list[RatingChoice] = field(default_factory=list)

    @property
    def version(self) -> str:
        return state_version(self.state)


def review_next(
    *, user: AbstractBaseUser, deck: Deck, now: datetime | None = None, card_id: int | None = None
) -> ReviewItem:
    """The card to review next in `deck`: due cards by due time, then new cards in deck order
    while the user's daily new-card limit lasts. `card_id` asks for a card that is on screen
    (its answer side). At most 5 queries."""
    now = now or timezone.now()
    counts = deck.cards.current().aggregate(
        total=Count("pk", distinct=True),
        studied=Count("states", filter=Q(states__user=user)),
        due=Count("states", filter=Q(states__user=user, states__due__lte=now)),
    )
    limit = new_cards_per_day(user)
    introduced = CardState.objects.filter(user=user, introduced_at__gte=day_start(now)).count()
    item = ReviewItem(
        card=None,
        state=None,
        due=counts["due"],
        new=counts["total"] - counts["studied"],
        new_today_left=max(0, limit - introduced),
    )
    mine = CardState.objects.filter(user=user).select_related("card")
    if card_id is not None:
        item.card = deck_card_get(deck, card_id=card_id)
        item.state = mine.filter(card=item.card).first()
    elif item.due:
        item.state = (
            mine.filter(current_content("card"), card__deck=deck, due__lte=now)
            .order_by("due")
            .first()
        )
    elif item.new and item.new_today_left:
        item.card = deck.cards.current().exclude(states__user=user).first()
    else:
        item.state = (
            mine.filter(
                current_content("card"),
                card__deck=deck,
                state__in=LEARNING_STATES,
                due__lte=now + LEARN_AHEAD,
            )
            .order_by("due")
            .first()
        )
    if item.state is not None:
        item.card = item.state.card
    if item.card is not None:
        item.ratings = [
            RatingChoice(
                value=int(rating),
                label=rating.name,
                interval=interval_label(interval),
                interval_words=interval_words(interval),
            )
            for rating, interval in next_intervals(item.state, now=now).items()
        ]
    return item


@dataclass
class SessionSummary:
    reviewed: int
    by_rating: list[tuple[str, int]]
    next_due: datetime | None


def review_summary(
    *, user: AbstractBaseUser, deck: Deck, now: datetime | None = None
) -> SessionSummary:
    """Today's reviews in `deck` by rating, and when its next card is due (2 queries)."""
    now = now or timezone.now()
    counts = dict(
        Review.objects.filter(user=user, card__deck=deck, reviewed_at__gte=day_start(now))
        .values_list("rating")
        .annotate(count=Count("pk"))
        .order_by()
    )
    next_due = CardState.objects.filter(
        current_content("card"), user=user, card__deck=deck
    ).aggregate(next_due=Min("due"))["next_due"]
    return SessionSummary(
        reviewed=sum(counts.values()),
        by_rating=[(rating.label, counts.get(rating.value, 0)) for rating in Review.Rating],
        next_due=next_due,
    )
