from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("courseapp.accounts.urls")),
    # Before the catalog: /courses/<course>/flashcards/ would otherwise match its lesson pattern.
    path("", include("courseapp.flashcards.urls")),
    path("", include("courseapp.catalog.urls")),
]
