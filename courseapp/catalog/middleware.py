from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.middleware.security import SecurityMiddleware

from courseapp.catalog import views

# Probes address the container as localhost or by pod IP, names that ALLOWED_HOSTS rightly refuses;
# their answers build no URL from the Host header, so they are served before host validation.
PROBES = {"/healthz": views.healthz, "/readyz": views.readyz}


def with_security_headers(view: Callable[[HttpRequest], HttpResponse]):
    """`view` behind the middleware that give every page its security headers (HSTS over HTTPS,
    nosniff, Referrer-Policy, COOP, X-Frame-Options, CSP). None of them reads the Host header,
    and the probes are exempt from the HTTPS redirect (SECURE_REDIRECT_EXEMPT)."""
    return SecurityMiddleware(XFrameOptionsMiddleware(ContentSecurityPolicyMiddleware(view)))


def probe_middleware(get_response: Callable[[HttpRequest], HttpResponse]):
    """Answers /healthz and /readyz whatever the Host header and without an HTTPS redirect."""
    probes = {path: with_security_headers(view) for path, view in PROBES.items()}

    def middleware(request: HttpRequest) -> HttpResponse:
        probe = probes.get(request.path_info)
        if probe is not None:
            return probe(request)
        return get_response(request)

    return middleware
