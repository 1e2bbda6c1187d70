from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.views import PasswordResetView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django_ratelimit.decorators import ratelimit

from courseapp.accounts.forms import SignupForm

# A limit's window is an hour: the most a throttled client waits.
RETRY_AFTER_SECONDS = 3600


def per_hour(setting: str) -> Callable[[str, HttpRequest], str]:
    """A django-ratelimit rate read from `setting` at each request, so it can be changed."""
    return lambda group, request: f"{getattr(settings, setting)}/h"


def email_address(group: str, request: HttpRequest) -> str:
    """The e-mail address posted to the reset form, compared as the form's lookup does."""
    return request.POST.get("email", "").strip().lower()


def too_many(request: HttpRequest, message: str) -> HttpResponse:
    """The 429 page of a throttled form."""
    response = render(request, "registration/too_many.html", {"message": message}, status=429)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@sensitive_post_parameters("password1", "password2")
@ratelimit(key="ip", rate=per_hour("SIGNUPS_PER_HOUR_PER_ADDRESS"), method="POST", block=False)
def signup(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    if request.user.is_authenticated:
        return redirect(next_url or "catalog:index")
    if request.limited:
        return too_many(request, "Too many sign-ups from your network; try again in an hour.")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(next_url or "catalog:index")
    return render(request, "registration/signup.html", {"form": form, "next": next_url})


@ratelimit(
    key="ip", rate=per_hour("PASSWORD_RESETS_PER_HOUR_PER_ADDRESS"), method="POST", block=False
)
@ratelimit(
    key=email_address,
    rate=per_hour("PASSWORD_RESETS_PER_HOUR_PER_EMAIL"),
    method="POST",
    block=False,
)
def password_reset(request: HttpRequest) -> HttpResponse:
    """Django's password reset form, throttled per client and per e-mail address: each request
    may send a mail to someone else's inbox."""
    if request.limited:
        return too_many(request, "Too many password reset requests; try again in an hour.")
    return PasswordResetView.as_view()(request)
