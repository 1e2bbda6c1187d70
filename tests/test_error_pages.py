"""Error pages in the site's layout without the database; a database outage is a 503 that asks
to come back in seconds, and a read survives a lost connection by running again."""

import socket
import time
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test import Client

from tests import error_urls


@pytest.fixture
def urls_with_failures(settings):
    settings.ROOT_URLCONF = "tests.error_urls"
    error_urls.calls.clear()


def assert_site_page(response, status: int, heading: str) -> None:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert f"<h1>{heading}</h1>" in html
    assert 'class="site-header"' in html and 'href="#main"' in html
    assert 'href="/static/css/site.css"' in html


def test_a_missing_page_has_the_site_layout_and_needs_no_database(
    client, db, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get("/no-such-page/")
    assert_site_page(response, 404, "Page not found")


def test_a_bad_request_has_the_site_layout(client, db, settings):
    settings.ALLOWED_HOSTS = ["courses.example.com"]
    assert_site_page(client.get("/", HTTP_HOST="evil.example"), 400, "Bad request")


def test_a_forbidden_page_has_the_site_layout(student_client, demo_course):
    assert_site_page(student_client.get("/insights/demo/"), 403, "Not allowed")


def test_the_500_page_renders_with_the_database_out_of_reach(urls_with_failures):
    # No db fixture: pytest-django refuses every database access in this test.
    response = Client(raise_request_exception=False).get("/test/crash/")
    assert_site_page(response, 500, "Something went wrong")
    assert "a bug" not in response.content.decode()


def test_a_database_outage_is_a_503_with_retry_after(urls_with_failures, settings):
    settings.DATABASE_READ_RETRY_SECONDS = 0.6
    started = time.monotonic()
    response = Client(raise_request_exception=False).get("/test/database-down/")
    assert_site_page(response, 503, "Back in a moment")
    assert response["Retry-After"] == "5"
    # Tried again every quarter second for the retry window, then gave up.
    assert set(error_urls.calls) == {"GET"} and 3 <= len(error_urls.calls) <= 6
    assert 0.5 <= time.monotonic() - started < 3


def test_a_read_survives_a_lost_connection_by_running_again(urls_with_failures):
    response = Client().get("/test/database-blip/")
    assert response.status_code == 200
    assert response.content == b"served"
    assert error_urls.calls == ["GET", "GET"]


def test_a_write_is_never_run_twice(urls_with_failures):
    response = Client(raise_request_exception=False).post("/test/database-blip/")
    assert response.status_code == 503
    assert error_urls.calls == ["POST"]


@pytest.fixture
def postgresql(transactional_db):
    # Closing a connection inside a test's transaction would lose the transaction: these tests
    # commit, and pytest-django empties the tables after them.
    if connection.vendor != "postgresql":
        pytest.skip("needs a PostgreSQL server to lose the connection to")


def test_a_read_survives_losing_the_real_connection(postgresql, urls_with_failures):
    response = Client().get("/test/connection-lost/")
    assert response.status_code == 200
    assert response.content == b"0 courses"
    assert error_urls.calls == ["GET", "GET"]


@contextmanager
def postgresql_unreachable():
    """The connection pointed at a port where nothing listens, as while PostgreSQL is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = closed_port
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port


def test_pages_answer_503_while_postgresql_is_unreachable(postgresql, student_client):
    student = student_client
    student.raise_request_exception = False
    anonymous = Client(raise_request_exception=False)
    with postgresql_unreachable():
        # The catalog's query fails in the view; the student's session cannot even be read.
        for client, path in [(anonymous, "/"), (student, "/dashboard/")]:
            response = client.get(path)
            assert_site_page(response, 503, "Back in a moment")
            assert response["Retry-After"] == "5"
    # Back up: the student is still logged in.
    assert student.get("/dashboard/").status_code == 200
