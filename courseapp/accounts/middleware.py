"""Ends a session that has been idle for SESSION_IDLE_SECONDS, besides its absolute expiry."""

import time
from collections.abc import Callable
from datetime import UTC, datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse

LAST_ACTIVITY_KEY = "last_activity"
# Activity is written at most this often, so a busy session is saved about once a minute rather
# than on every request; the idle period is then met within a minute.
ACTIVITY_RESOLUTION_SECONDS = 60


def idle_session_middleware(get_response: Callable[[HttpRequest], HttpResponse]):
    """Logs out a user whose last request is more than SESSION_IDLE_SECONDS ago, and otherwise
    records the request as the session's last activity."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            _check_activity(request, now=int(time.time()))
        return get_response(request)

    return middleware


def session_clocks_start(sender, request: HttpRequest | None, user, **kwargs) -> None:
    """On login (the user_logged_in signal): activity is now, and the session expires
    SESSION_COOKIE_AGE from now, a date that later saves of the activity do not move."""
    if request is not None:
        _start(request.session, now=int(time.time()))


def _start(session: SessionBase, now: int) -> None:
    session.set_expiry(datetime.fromtimestamp(now + settings.SESSION_COOKIE_AGE, tz=UTC))
    session[LAST_ACTIVITY_KEY] = now


def _check_activity(request: HttpRequest, now: int) -> None:
    last = request.session.get(LAST_ACTIVITY_KEY)
    if last is None:  # a session from before the clocks were kept
        _start(request.session, now)
    elif now - last > settings.SESSION_IDLE_SECONDS:
        logout(request)
        messages.info(request, "You were logged out after a while without activity.")
    elif now - last >= ACTIVITY_RESOLUTION_SECONDS:
        request.session[LAST_ACTIVITY_KEY] = now
