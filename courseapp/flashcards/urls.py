from django.urls import path

from courseapp.flashcards import views

app_name = "flashcards"
urlpatterns = [
    path("courses/<slug:course_slug>/flashcards/", views.deck_list, name="decks"),
    path("courses/<slug:course_slug>/flashcards/<slug:deck_slug>/", views.deck_detail, name="deck"),
    path(
        "courses/<slug:course_slug>/flashcards/<slug:deck_slug>/review/",
        views.review,
        name="review",
    ),
    path(
        "courses/<slug:course_slug>/flashcards/<slug:deck_slug>/review/rate/",
        views.review_rate,
        name="rate",
    ),
    path("flashcards/settings/", views.settings_update, name="settings"),
]
