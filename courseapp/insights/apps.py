from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "courseapp.insights"

    def ready(self) -> None:
        # The students table keeps names in the student cache: its receiver drops them.
        from courseapp import student_cache  # noqa: F401 (connects its receiver)
