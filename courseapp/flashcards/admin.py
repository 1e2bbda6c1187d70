from django.contrib import admin

from courseapp.catalog.admin import ContentAdmin
from courseapp.flashcards.models import CardState, Deck, Flashcard, FlashcardSettings, Review


@admin.register(Deck)
class DeckAdmin(ContentAdmin):
    list_display = ["title", "course", "position", "archived"]
    list_filter = ["course", "archived"]


@admin.register(Flashcard)
class FlashcardAdmin(ContentAdmin):
    list_display = ["key", "deck", "position", "archived"]
    list_filter = ["deck__course", "deck", "archived"]
    search_fields = ["key", "front_html"]


# Review data is the students' own record: the admin shows it and never edits it.
@admin.register(CardState)
class CardStateAdmin(ContentAdmin):
    list_display = ["user", "card", "state", "due", "last_review", "stability", "difficulty"]
    list_filter = ["state", "card__deck__course"]
    list_select_related = ["user", "card"]
    search_fields = ["user__username", "card__key"]


@admin.register(Review)
class ReviewAdmin(ContentAdmin):
    list_display = ["reviewed_at", "user", "card", "rating", "duration_ms"]
    list_filter = ["rating", "card__deck__course"]
    list_select_related = ["user", "card"]
    search_fields = ["user__username", "card__key"]
    date_hierarchy = "reviewed_at"


@admin.register(FlashcardSettings)
class FlashcardSettingsAdmin(ContentAdmin):
    list_display = ["user", "new_cards_per_day"]
    list_select_related = ["user"]
    search_fields = ["user__username"]
