from django.urls import path

from courseapp.quizzes import views

app_name = "quizzes"
urlpatterns = [
    path("<slug:key>/answer/", views.answer, name="answer"),
    path("<slug:key>/reveal/", views.reveal, name="reveal"),
]
