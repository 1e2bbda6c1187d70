from django.contrib.auth import urls as auth_urls
from django.urls import path
from django.views.decorators.cache import never_cache

from courseapp.accounts import views

# Account pages are never stored (Cache-Control: no-store), by a proxy or in the browser's
# back-button cache of a shared computer.
urlpatterns = [
    path("signup/", never_cache(views.signup), name="signup"),
    # Before Django's own route of the same name, which it replaces.
    path("password_reset/", never_cache(views.password_reset), name="password_reset"),
    *(
        path(str(route.pattern), never_cache(route.callback), name=route.name)
        for route in auth_urls.urlpatterns
    ),
]
