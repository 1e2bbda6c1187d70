"""The site's URLs plus views that fail on purpose, for tests/test_error_pages.py."""

from django.db import OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.urls import path

from courseapp import urls
from courseapp.catalog.models import Course

calls: list[str] = []


def crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def database_down(request: HttpRequest) -> HttpResponse:
    calls.append(request.method)
    raise OperationalError("connection refused")


def database_blip(request: HttpRequest) -> HttpResponse:
    """Loses its connection on the first call, as when PostgreSQL restarts under a request."""
    calls.append(request.method)
    if len(calls) == 1:
        raise OperationalError("server closed the connection unexpectedly")
    return HttpResponse("served")


def connection_lost(request: HttpRequest) -> HttpResponse:
    """Closes the real connection's socket on the first call, then queries."""
    calls.append(request.method)
    if len(calls) == 1:
        connection.ensure_connection()
        connection.connection.close()
    return HttpResponse(f"{Course.objects.count()} courses")


urlpatterns = [
    path("test/crash/", crash),
    path("test/database-down/", database_down),
    path("test/database-blip/", database_blip),
    path("test/connection-lost/", connection_lost),
    *urls.urlpatterns,
]
handler500 = urls.handler500
