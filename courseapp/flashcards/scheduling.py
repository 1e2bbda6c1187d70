"""FSRS scheduling: CardState rows to and from fsrs.Card, interval previews (pure, no database)."""

from datetime import UTC, datetime, timedelta

from fsrs import Card, Rating, Scheduler, State

from courseapp.flashcards.models import CardState

# No fuzzing: the interval printed on a rating button is exactly the one that rating gives.
SCHEDULER = Scheduler(enable_fuzzing=False)

RATINGS = (Rating.Again, Rating.Hard, Rating.Good, Rating.Easy)


def utc(moment: datetime) -> datetime:
    """fsrs refuses anything but timezone-aware UTC datetimes."""
    if moment.tzinfo is None:
        raise ValueError("a naive datetime cannot be scheduled")
    return moment.astimezone(UTC)


def state_version(state: CardState | None) -> str:
    """A token for the state a rating form was shown for, to recognise a double submit."""
    if state is None or state.last_review is None:
        return "new"
    return str(int(state.last_review.timestamp() * 1_000_000))


def to_fsrs(state: CardState | None, *, now: datetime) -> Card:
    """The fsrs.Card for a user's state of a card; a new card when there is no state yet."""
    if state is None:
        return Card(card_id=0, due=utc(now))
    return Card(
        card_id=state.card_id,
        state=State(state.state),
        step=state.step,
        stability=state.stability,
        difficulty=state.difficulty,
        due=utc(state.due),
        last_review=utc(state.last_review) if state.last_review else None,
    )


def apply_review(state: CardState, *, rating: Rating, now: datetime) -> CardState:
    """Update `state` in place with the outcome of rating it at `now`."""
    card, _ = SCHEDULER.review_card(to_fsrs(state, now=now), rating, review_datetime=utc(now))
    state.state = int(card.state)
    state.step = card.step
    state.stability = card.stability
    state.difficulty = card.difficulty
    state.due = card.due
    state.last_review = card.last_review
    return state


def next_intervals(state: CardState | None, *, now: datetime) -> dict[Rating, timedelta]:
    """What each rating would schedule, computed without saving anything."""
    card = to_fsrs(state, now=now)
    return {
        rating: SCHEDULER.review_card(card, rating, review_datetime=utc(now))[0].due - utc(now)
        for rating in RATINGS
    }


def interval_label(interval: timedelta) -> str:
    """A short human interval: '<1m', '10m', '3h', '4d', '2mo', '1.5y'."""
    minutes = interval.total_seconds() / 60
    if minutes < 1:
        return "<1m"
    if minutes < 60:
        return f"{round(minutes)}m"
    if minutes < 24 * 60:
        return f"{round(minutes / 60)}h"
    days = minutes / (24 * 60)
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{round(days / 30)}mo"
    return f"{days / 365:.1f}".removesuffix(".0") + "y"


def interval_words(interval: timedelta) -> str:
    """The same interval spelled out, for screen readers and status messages."""
    label = interval_label(interval)
    if label == "<1m":
        return "less than a minute"
    for suffix, word in (
        ("mo", "month"),
        ("m", "minute"),
        ("h", "hour"),
        ("d", "day"),
        ("y", "year"),
    ):
        if label.endswith(suffix):
            number = label.removesuffix(suffix)
            return f"{number} {word}{'' if number == '1' else 's'}"
    return label
