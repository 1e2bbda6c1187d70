from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "courseapp.insights"
