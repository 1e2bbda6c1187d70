from django.urls import include, path

from courseapp.accounts import views

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    # Before Django's own route of the same name, which it replaces.
    path("password_reset/", views.password_reset, name="password_reset"),
    path("", include("django.contrib.auth.urls")),
]
