"""Live preview for authors (DEBUG only): lesson pages wait here for the next import run.

`import_content --watch` writes each run's outcome (catalog.preview); `static/js/preview.js`
asks this view for it and reloads the page, or shows the run's errors in its place. Without
DEBUG the URL answers 404 and no page loads the script.
"""

import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.db import connections
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from courseapp.catalog.preview import PreviewStatus, preview_status_read

# A long poll: one request waits for the next run rather than many asking every half second,
# which keeps the `make run` terminal free of request lines.
WAIT_SECONDS = 20.0
CHECK_SECONDS = 0.1


def debug_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The view exists only in development: 404 unless settings.DEBUG."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.DEBUG:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@debug_only
@never_cache
@require_GET
def preview_status(request: HttpRequest) -> JsonResponse:
    """The watcher's last status; with `?after=<run>`, once a newer run than that one has
    finished, or after WAIT_SECONDS with the same status."""
    after = request.GET.get("after")
    status = preview_status_read() if after is None else _status_after(after)
    return JsonResponse(status.as_json())


def _status_after(run: str) -> PreviewStatus:
    _release_database_connections()
    deadline = time.monotonic() + WAIT_SECONDS
    status = preview_status_read()
    while str(status.run) == run and time.monotonic() < deadline:
        time.sleep(CHECK_SECONDS)
        status = preview_status_read()
    return status


def _release_database_connections() -> None:
    # The thread may hold a connection opened for an earlier request on the same keep-alive
    # socket (the lesson page itself); it should not sit idle for as long as the page is open.
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close()
