from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("courseapp.accounts.urls")),
    path("courses/<slug:course_slug>/questions/", include("courseapp.quizzes.urls")),
    path("insights/", include("courseapp.insights.urls")),
    path("", include("courseapp.progress.urls")),
    # Before the catalog: /courses/<course>/flashcards/ would otherwise match its lesson pattern.
    path("", include("courseapp.flashcards.urls")),
    path("", include("courseapp.catalog.urls")),
]
