from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "courseapp.catalog"
