from django.urls import path

from courseapp.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.index, name="index"),
    path("search/", views.search, name="search"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
]
