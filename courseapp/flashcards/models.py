from django.db import models


class Deck(models.Model):
    course = models.ForeignKey("catalog.Course", on_delete=models.CASCADE, related_name="decks")
    slug = models.SlugField()
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    position = models.PositiveIntegerField()
    archived = models.BooleanField(default=False)
    source_hash = models.CharField(max_length=64)

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

    class Meta:
        ordering = ["deck", "position"]
        constraints = [
            models.UniqueConstraint(fields=["deck", "key"], name="flashcard_unique_key_per_deck")
        ]

    def __str__(self) -> str:
        return self.key
