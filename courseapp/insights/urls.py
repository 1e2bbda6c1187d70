from django.urls import path

from courseapp.insights import views

app_name = "insights"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:course_slug>/", views.course_insights, name="course"),
    path("<slug:course_slug>/students.csv", views.students_csv, name="students_csv"),
    path("<slug:course_slug>/questions.csv", views.questions_csv, name="questions_csv"),
    path("<slug:course_slug>/students/<int:user_id>/", views.student, name="student"),
    path(
        "<slug:course_slug>/reports/<slug:key>/resolve/",
        views.reports_resolve,
        name="reports_resolve",
    ),
]
