from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("courseapp.accounts.urls")),
    path("insights/", include("courseapp.insights.urls")),
    # Routes under /courses/<course>/ come before its lesson pattern, which would match them;
    # lesson slugs may not take their first segment (pipeline.reserved_lesson_slugs).
    path(
        "courses/<slug:course_slug>/insights/",
        RedirectView.as_view(pattern_name="insights:course"),
        name="course-insights",
    ),
    path("", include("courseapp.progress.urls")),
    path("", include("courseapp.flashcards.urls")),
    path("", include("courseapp.catalog.urls")),
    path("", include("courseapp.pages.urls")),
]

# 404 and 403 are Django's views with our templates (404.html, 403.html); 500 needs our own.
handler500 = "courseapp.errors.server_error"
