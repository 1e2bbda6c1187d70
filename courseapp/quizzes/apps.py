from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "courseapp.quizzes"

    def ready(self) -> None:
        from courseapp.quizzes import report_cache  # noqa: F401 (connects its receiver)
