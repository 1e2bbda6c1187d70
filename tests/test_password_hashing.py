"""Passwords are hashed with Argon2id at OWASP's parameters; older PBKDF2 hashes still log in
and are rehashed with Argon2id when they do."""

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher, make_password
from django.test import Client

from courseapp import settings as production
from tests.factories import PASSWORD


@pytest.fixture
def production_hashers(settings):
    # The suite hashes with MD5 for speed (conftest); these tests need the real list.
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS


def test_argon2id_comes_first_with_owasp_parameters(production_hashers):
    hasher = get_hasher("default")
    assert hasher.algorithm == "argon2"
    assert (hasher.memory_cost, hasher.time_cost, hasher.parallelism) == (19456, 2, 1)
    assert make_password(PASSWORD).startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in production.PASSWORD_HASHERS[1:]


def test_a_pbkdf2_hash_logs_in_and_is_upgraded_to_argon2id(production_hashers, student):
    student.password = PBKDF2PasswordHasher().encode(PASSWORD, "somesalt", iterations=1_000)
    student.save()
    response = Client().post("/accounts/login/", {"username": "ada", "password": PASSWORD})
    assert response.status_code == 302
    student.refresh_from_db()
    assert student.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert student.check_password(PASSWORD)
