from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models

from courseapp.catalog.models import ContentQuerySet


class Deck(models.Model):
    course = models.ForeignKey("catalog.Course", on_delete=models.CASCADE, related_name="decks")
    slug = models.SlugField()
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    position = models.PositiveIntegerField()
    archived = models.BooleanField(default=False)

    objects = ContentQuerySet.as_manager()

    class Meta:
        ordering = ["course", "position", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="deck_unique_slug_per_course")
        ]

    def __str__(self) -> str:
        return self.title


class Flashcard(models.Model):
    """A card; its key survives rewording, so review history stays attached."""

    deck = models.ForeignKey(Deck, on_delete=models.CASCADE, related_name="cards")
    key = models.SlugField(max_length=100)
    front_html = models.TextField()
    back_html = models.TextField()
    position = models.PositiveIntegerField()
    archived = models.BooleanField(default=False)

    objects = ContentQuerySet.as_manager()

    class Meta:
        ordering = ["deck", "position"]
        constraints = [
            models.UniqueConstraint(fields=["deck", "key"], name="flashcard_unique_key_per_deck")
        ]

    def __str__(self) -> str:
        return self.key


class CardState(models.Model):
    """One user's FSRS memory of one card; a card with no state is new to that user."""

    class State(models.IntegerChoices):
        # The values of fsrs.State, so a row converts to and from an fsrs.Card as is.
        LEARNING = 1, "Learning"
        REVIEW = 2, "Review"
        RELEARNING = 3, "Relearning"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="card_states"
    )
    card = models.ForeignKey(Flashcard, on_delete=models.CASCADE, related_name="states")
    state = models.PositiveSmallIntegerField(choices=State.choices, default=State.LEARNING)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    due = models.DateTimeField()
    last_review = models.DateTimeField(null=True, blank=True)
    introduced_at = models.DateTimeField(
        help_text="First review: counts against the new-card limit."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "card"], name="card_state_unique_per_user")
        ]
        indexes = [models.Index(fields=["user", "due"], name="card_state_user_due")]

    def __str__(self) -> str:
        return f"{self.user} · {self.card}"


class Review(models.Model):
    """One rating of a card: an append-only log, never updated or deleted by the app."""

    class Rating(models.IntegerChoices):
        # The values of fsrs.Rating.
        AGAIN = 1, "Again"
        HARD = 2, "Hard"
        GOOD = 3, "Good"
        EASY = 4, "Easy"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="card_reviews"
    )
    card = models.ForeignKey(Flashcard, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField(choices=Rating.choices)
    reviewed_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(
        null=True, blank=True, help_text="From showing the front to the rating."
    )

    class Meta:
        ordering = ["reviewed_at", "pk"]
        indexes = [models.Index(fields=["user", "reviewed_at"], name="review_user_time")]

    def __str__(self) -> str:
        return f"{self.user} · {self.card} · {self.get_rating_display()}"


class FlashcardSettings(models.Model):
    """A user's review preferences; users without a row get the defaults."""

    DEFAULT_NEW_CARDS_PER_DAY = 20

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flashcard_settings"
    )
    new_cards_per_day = models.PositiveSmallIntegerField(
        default=DEFAULT_NEW_CARDS_PER_DAY,
        validators=[MaxValueValidator(500)],
        help_text="How many cards you see for the first time each day (UTC).",
    )

    class Meta:
        verbose_name_plural = "flashcard settings"

    def __str__(self) -> str:
        return f"{self.user}: {self.new_cards_per_day} new cards a day"
