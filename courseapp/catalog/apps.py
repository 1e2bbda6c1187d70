from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "courseapp.catalog"

    def ready(self) -> None:
        from courseapp.catalog import course_cache  # noqa: F401 (connects its receiver)
