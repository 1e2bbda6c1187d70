"""A repeated submit of one rendered question form (double click, retry after a lost response)
records one attempt, also when the repeats arrive together."""

import re

import pytest
from django.db import connection
from django.test import Client

from courseapp.quizzes.models import Attempt
from tests.parallel import run_in_parallel

URL = "/courses/demo/questions/port-number/answer/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def form_token(html: str, key: str = "port-number") -> str:
    return re.search(rf'name="token" id="q-{key}-token" value="([^"]+)"', html).group(1)


@pytest.fixture
def ada(django_user_model):
    return django_user_model.objects.create_user("ada")


@pytest.fixture
def ada_client(client, ada, demo_course):
    client.force_login(ada)
    return client


def test_ten_repeats_of_one_form_record_one_attempt(ada_client):
    token = form_token(ada_client.get("/courses/demo/commands/").content.decode())
    for _ in range(5):
        ada_client.post(URL, {"answer": "8080", "token": token}, **HTMX)
        ada_client.post(URL, {"answer": "8080", "token": token})
    assert Attempt.objects.count() == 1


def test_a_repeat_returns_the_recorded_result(ada_client):
    token = form_token(ada_client.get("/courses/demo/commands/").content.decode())
    first = ada_client.post(URL, {"answer": "80", "token": token}, **HTMX).content.decode()
    again = ada_client.post(URL, {"answer": "80", "token": token}, **HTMX).content.decode()
    assert "<strong>Correct</strong>" in first and "<strong>Correct</strong>" in again
    assert Attempt.objects.count() == 1


def test_the_result_gives_the_form_a_fresh_token_for_the_next_try(ada_client):
    token = form_token(ada_client.get("/courses/demo/commands/").content.decode())
    wrong = ada_client.post(URL, {"answer": "8080", "token": token}, **HTMX).content.decode()
    fresh = form_token(wrong)
    assert fresh != token and 'hx-swap-oob="true"' in wrong
    right = ada_client.post(URL, {"answer": "80", "token": fresh}, **HTMX).content.decode()
    assert "<strong>Correct</strong>" in right
    assert [a.correct for a in Attempt.objects.order_by("pk")] == [False, True]


@pytest.mark.parametrize("token", ["short", "x" * 65, "bad token with spaces!!"])
def test_a_malformed_token_is_refused_as_plain_text(ada_client, token):
    response = ada_client.post(URL, {"answer": "80", "token": token}, **HTMX)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert not Attempt.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's concurrency")
def test_ten_identical_submits_at_once_record_one_attempt(ada, demo_course):
    token = "t" * 22

    def submit() -> int:
        client = Client()
        client.force_login(ada)
        return client.post(URL, {"answer": "8080", "token": token}, **HTMX).status_code

    assert run_in_parallel(submit, 10) == [200] * 10
    assert Attempt.objects.filter(user=ada).count() == 1
