"""What a trusted reverse proxy in front of the app tells us about the client."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the entry PROXY_COUNT hops from the right of
    X-Forwarded-For when that many trusted proxies stand in front (entries further left can be
    forged by the client, so they are never used)."""
    remote_addr = request.META.get("REMOTE_ADDR", "")
    if settings.PROXY_COUNT < 1:
        return remote_addr
    forwarded = [
        hop.strip()
        for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if hop.strip()
    ]
    if len(forwarded) < settings.PROXY_COUNT:
        return remote_addr
    return forwarded[-settings.PROXY_COUNT]
