from django.contrib import admin

from courseapp.catalog.admin import ContentAdmin
from courseapp.flashcards.models import Deck, Flashcard


@admin.register(Deck)
class DeckAdmin(ContentAdmin):
    list_display = ["title", "course", "position", "archived"]
    list_filter = ["course", "archived"]


@admin.register(Flashcard)
class FlashcardAdmin(ContentAdmin):
    list_display = ["key", "deck", "position", "archived"]
    list_filter = ["deck__course", "deck", "archived"]
    search_fields = ["key", "front_html"]
