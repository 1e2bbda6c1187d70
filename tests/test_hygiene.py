"""Account and page hygiene: password length, idle sessions, pages kept out of caches and out of
htmx's history, security headers on the probes too."""

import time

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from courseapp.accounts.middleware import LAST_ACTIVITY_KEY
from courseapp.progress.models import Enrollment

# --- Passwords -----------------------------------------------------------------------------


def test_passwords_need_twelve_characters():
    with pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password("Tr0ub4dor&3")
    validate_password("Tr0ub4dor&3x")


def test_signup_refuses_an_eleven_character_password(client, db):
    response = client.post(
        "/accounts/signup/",
        {"username": "ada", "email": "a@example.org", "password1": "Tr0ub4dor&3"}
        | {"password2": "Tr0ub4dor&3"},
    )
    assert response.status_code == 200
    assert "at least 12 characters" in response.text


# --- Idle sessions -------------------------------------------------------------------------


def idle_for(client: Client, seconds: int) -> None:
    """Move the session's last activity `seconds` into the past."""
    session = client.session
    session[LAST_ACTIVITY_KEY] = int(time.time()) - seconds
    session.save()


def test_idle_timeout_is_a_setting_of_two_hours():
    assert django_settings.SESSION_IDLE_SECONDS == 2 * 60 * 60


def test_a_session_idle_for_longer_than_the_timeout_is_logged_out(student_client):
    assert student_client.get("/dashboard/").status_code == 200
    idle_for(student_client, django_settings.SESSION_IDLE_SECONDS + 1)
    response = student_client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert SESSION_KEY not in student_client.session
    page = student_client.get(response["Location"]).text
    assert "logged out after" in page


def test_activity_keeps_a_session_alive_and_the_idle_period_is_a_setting(student_client, settings):
    settings.SESSION_IDLE_SECONDS = 600
    idle_for(student_client, 590)
    assert student_client.get("/dashboard/").status_code == 200
    # That request counted as activity: ten more minutes from now.
    assert student_client.session[LAST_ACTIVITY_KEY] >= int(time.time()) - 1
    idle_for(student_client, 601)
    assert student_client.get("/dashboard/").status_code == 302


def test_recording_activity_keeps_the_absolute_expiry(student_client):
    student_client.get("/dashboard/")
    expiry = student_client.session.get_expiry_date()
    idle_for(student_client, 3600)
    student_client.get("/dashboard/")
    assert student_client.session.get_expiry_date() == expiry
    assert abs(expiry.timestamp() - time.time() - django_settings.SESSION_COOKIE_AGE) < 60


def test_a_session_from_before_the_timeout_starts_its_clocks_on_its_next_request(student_client):
    session = student_client.session
    del session[LAST_ACTIVITY_KEY]
    session.set_expiry(None)
    session.save()
    assert student_client.get("/dashboard/").status_code == 200
    assert student_client.session[LAST_ACTIVITY_KEY] >= int(time.time()) - 1
    assert "_session_expiry" in student_client.session


def test_anonymous_visits_store_no_session(client, db):
    response = client.get("/")
    assert django_settings.SESSION_COOKIE_NAME not in response.cookies


# --- Pages kept out of caches and out of htmx's history ------------------------------------


@pytest.fixture
def enrolled(student, demo_course):
    Enrollment.objects.create(user=student, course=demo_course)
    return student


@pytest.mark.parametrize(
    "path",
    [
        "/dashboard/",
        "/insights/",
        "/insights/demo/",
        "/insights/demo/students/{student}/",
        "/insights/demo/students.csv",
        "/insights/demo/questions.csv",
        "/accounts/password_change/",
        "/accounts/password_change/done/",
    ],
)
def test_private_pages_are_never_stored(staff_client, enrolled, path):
    response = staff_client.get(path.format(student=enrolled.pk))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password_reset/",
        "/accounts/password_reset/done/",
        "/accounts/reset/MQ/bad-token/",
        "/accounts/reset/done/",
    ],
)
def test_account_pages_are_never_stored(client, db, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("path", ["/insights/demo/", "/insights/demo/students/{student}/"])
def test_pages_with_other_students_data_stay_out_of_htmx_history(staff_client, enrolled, path):
    assert 'hx-history="false"' in staff_client.get(path.format(student=enrolled.pk)).text


# --- Probes --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_carry_the_security_headers(client, db, path):
    response = client.get(path, secure=True, HTTP_HOST="10.42.0.17:8000")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]
