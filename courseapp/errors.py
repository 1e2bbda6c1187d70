"""Error pages that never touch the database, and riding out a database that went away.

The 500 and 503 pages extend templates/layout.html and render without a request, so neither a
context processor nor the account menu can query the database. A lost connection to PostgreSQL
(a restart, a failover) surfaces as OperationalError or InterfaceError: a read is run again on a
fresh connection for a few seconds (DATABASE_READ_RETRY_SECONDS), anything else is answered 503
with Retry-After.
"""

import logging
import sys
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5
# Reads run again after a lost connection: they change nothing a second run could double (the
# lesson page's visit record is an upsert).
RETRIED_METHODS = {"GET", "HEAD"}
RETRY_PAUSE_SECONDS = 0.25


def service_unavailable() -> HttpResponse:
    """The 503 page, asking to come back in a few seconds (marked for DatabaseReadRetry)."""
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.database_unavailable = True
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the 500 page, or the 503 page when the unhandled error is the database's
    (raised outside a view, e.g. while reading the session, where the middleware cannot see it).
    """
    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        return service_unavailable()
    return HttpResponseServerError(render_to_string("500.html"))


class DatabaseReadRetry:
    """Runs a read (GET, HEAD) that met a lost database again, on new connections, every
    quarter second for DATABASE_READ_RETRY_SECONDS, so a PostgreSQL restart costs nobody a
    page. It stands before the session middleware: a session read that failed is retried too."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method not in RETRIED_METHODS or not _database_unavailable(response):
            return response
        logger.warning("Database connection lost; running %s again", request.path)
        deadline = time.monotonic() + settings.DATABASE_READ_RETRY_SECONDS
        while _database_unavailable(response) and time.monotonic() < deadline:
            time.sleep(RETRY_PAUSE_SECONDS)
            _close_broken_connections()
            response = self.get_response(request)
        return response


class DatabaseOutageMiddleware:
    """Answers a view that lost its database with the 503 page (which DatabaseReadRetry retries
    for reads); forms (POST) are never run twice."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        _close_broken_connections()
        return service_unavailable()


def _database_unavailable(response: HttpResponse) -> bool:
    return getattr(response, "database_unavailable", False)


def _close_broken_connections() -> None:
    # A broken connection stays open (and health-checked only once per request) until closed;
    # closed, it is opened afresh by the next query.
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None and not connection.is_usable():
            connection.close()
