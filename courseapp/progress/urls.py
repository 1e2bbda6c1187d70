from django.urls import path

from courseapp.progress import views

app_name = "progress"
urlpatterns = [
    path("courses/<slug:course_slug>/start/", views.course_start, name="start"),
    path(
        "courses/<slug:course_slug>/<slug:lesson_slug>/complete/",
        views.lesson_complete,
        name="complete",
    ),
    path(
        "courses/<slug:course_slug>/<slug:lesson_slug>/incomplete/",
        views.lesson_uncomplete,
        name="uncomplete",
    ),
]
