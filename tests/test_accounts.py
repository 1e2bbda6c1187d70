from django.contrib.auth.models import User
from django.core import mail

from tests.factories import PASSWORD


def test_signup_logs_the_new_user_in(client, db):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "ada",
            "email": "ada@example.org",
            "password1": "a-Long-pass-9",
            "password2": "a-Long-pass-9",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="ada").email == "ada@example.org"
    assert b"ada" in client.get("/").content


def test_signup_rejects_weak_passwords_and_missing_email(client, db):
    response = client.post(
        "/accounts/signup/",
        {"username": "bob", "email": "", "password1": "123", "password2": "123"},
    )
    assert response.status_code == 200
    assert b"This field is required" in response.content
    assert b"too short" in response.content
    assert not User.objects.filter(username="bob").exists()


def test_signup_ignores_an_offsite_next(client, db):
    response = client.post(
        "/accounts/signup/?next=https://evil.example/",
        {
            "username": "eve",
            "email": "e@example.org",
            "password1": "a-Long-pass-9",
            "password2": "a-Long-pass-9",
        },
    )
    assert response["Location"] == "/"


def test_login_and_logout_by_post(client, student):
    response = client.post("/accounts/login/", {"username": "ada", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/accounts/logout/").status_code == 405
    client.post("/accounts/logout/")
    assert b"Log in" in client.get("/").content


def test_password_reset_sends_a_mail(client, student):
    response = client.post("/accounts/password_reset/", {"email": "ada@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body


def test_password_change_needs_login(client, db):
    assert client.get("/accounts/password_change/")["Location"].startswith("/accounts/login/")
