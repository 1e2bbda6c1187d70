"""Sign-ups and password resets are throttled per client address, resets per e-mail address too."""

from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from tests.factories import PASSWORD
from tests.servers import free_port, running_redis

HOME = "203.0.113.9"
ELSEWHERE = "198.51.100.4"


def sign_up(client: Client, username: str, address: str = HOME):
    return client.post(
        "/accounts/signup/",
        {
            "username": username,
            "email": f"{username}@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        REMOTE_ADDR=address,
    )


def ask_reset(email: str, address: str = HOME):
    return Client().post("/accounts/password_reset/", {"email": email}, REMOTE_ADDR=address)


def test_the_limits_are_settings_with_safe_defaults():
    assert django_settings.SIGNUPS_PER_HOUR_PER_ADDRESS == 5
    assert django_settings.PASSWORD_RESETS_PER_HOUR_PER_ADDRESS == 5
    assert django_settings.PASSWORD_RESETS_PER_HOUR_PER_EMAIL == 3


def test_signups_are_throttled_per_address(db, settings):
    settings.SIGNUPS_PER_HOUR_PER_ADDRESS = 3
    for number in range(3):
        assert sign_up(Client(), f"user{number}").status_code == 302
    response = sign_up(Client(), "one-too-many")
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert "Too many sign-ups from your network; try again in an hour." in response.text
    assert not User.objects.filter(username="one-too-many").exists()
    # Another network signs up as before, and reading the form is never counted.
    assert sign_up(Client(), "elsewhere", address=ELSEWHERE).status_code == 302
    assert Client().get("/accounts/signup/", REMOTE_ADDR=HOME).status_code == 200


def test_the_signup_limit_counts_the_address_the_proxy_saw(db, settings):
    settings.SIGNUPS_PER_HOUR_PER_ADDRESS = 1
    settings.PROXY_COUNT = 1

    def through_proxy(username, forwarded_for):
        return Client().post(
            "/accounts/signup/",
            {
                "username": username,
                "email": f"{username}@example.org",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=forwarded_for,
        )

    assert through_proxy("first", HOME).status_code == 302
    assert through_proxy("second", ELSEWHERE).status_code == 302
    # A forged entry on the left does not make a new client.
    assert through_proxy("third", f"6.6.6.6, {HOME}").status_code == 429


def test_password_resets_are_throttled_per_email_address(student):
    addresses = ["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"]
    responses = [ask_reset("ada@example.org", address) for address in addresses[:3]]
    assert [response.status_code for response in responses] == [302, 302, 302]
    # The address is compared as the form reads it: case and spaces do not make a new one.
    response = ask_reset(" ADA@Example.org ", addresses[3])
    assert response.status_code == 429
    assert "Too many password reset requests; try again in an hour." in response.text
    assert len(mail.outbox) == 3


def test_password_resets_are_throttled_per_client_address(student, settings):
    settings.PASSWORD_RESETS_PER_HOUR_PER_ADDRESS = 2
    assert ask_reset("ada@example.org").status_code == 302
    assert ask_reset("nobody@example.org").status_code == 302
    assert ask_reset("someone@example.org").status_code == 429
    assert ask_reset("someone@example.org", ELSEWHERE).status_code == 302
    assert len(mail.outbox) == 1


def on_redis(settings, url: str) -> None:
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "courseapp.cache.FaultTolerantRedisCache", "LOCATION": url},
    }


def test_with_redis_the_counts_live_there_for_every_process(db, settings, tmp_path):
    settings.SIGNUPS_PER_HOUR_PER_ADDRESS = 1
    in_memory = settings.CACHES
    with running_redis(tmp_path) as server:
        on_redis(settings, server.url)
        assert sign_up(Client(), "first").status_code == 302
        assert server.keys("*rl:*")
        assert sign_up(Client(), "second").status_code == 429
        settings.CACHES = in_memory  # let go of the server before it stops


def test_limits_let_requests_through_while_redis_is_down(db, settings):
    # With REDIS_URL the counts live in Redis. Out of reach, it answers like a miss, and the
    # limits let requests through rather than refuse every sign-up until it is back.
    on_redis(settings, f"redis://127.0.0.1:{free_port()}/0")
    settings.SIGNUPS_PER_HOUR_PER_ADDRESS = 1
    assert sign_up(Client(), "first").status_code == 302
    assert sign_up(Client(), "second").status_code == 302
