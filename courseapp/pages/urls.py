from django.urls import path

from courseapp.pages import preview, views

app_name = "pages"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    # Development only: the view answers 404 unless DEBUG (pages.preview).
    path("__preview__/status", preview.preview_status, name="preview-status"),
    path("courses/<slug:course_slug>/", views.course_outline, name="course"),
    path("courses/<slug:course_slug>/questions/<slug:key>/answer/", views.answer, name="answer"),
    path("courses/<slug:course_slug>/questions/<slug:key>/reveal/", views.reveal, name="reveal"),
    path("courses/<slug:course_slug>/questions/<slug:key>/report/", views.report, name="report"),
    path("courses/<slug:course_slug>/<slug:lesson_slug>/", views.lesson_detail, name="lesson"),
]
