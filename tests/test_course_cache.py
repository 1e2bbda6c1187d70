"""A course's row comes from the shared cache until the course changes: a visitor's lesson page
then asks nothing of the database, and every change is seen on the next page."""

import io
import time

import pytest
from django.core.management import call_command
from django.db.models import F

from courseapp.catalog.course_cache import COURSE_SECONDS, current_course
from courseapp.catalog.models import Course

pytestmark = pytest.mark.usefixtures("course_cache")

WELCOME = "/courses/demo/welcome/"


def page(client, path: str = WELCOME):
    response = client.get(path)
    return response.status_code, response.content.decode()


def test_a_visitors_lesson_page_asks_nothing_of_the_database(
    client, demo_course, django_assert_num_queries
):
    client.get(WELCOME)
    with django_assert_num_queries(0):
        status, html = page(client)
    assert status == 200
    assert "Demo course" in html


def test_without_a_shared_cache_each_page_reads_the_course(
    client, demo_course, settings, django_assert_num_queries
):
    settings.CACHES = {
        **settings.CACHES,
        "course": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
    client.get(WELCOME)
    with django_assert_num_queries(1):
        assert page(client)[0] == 200


def test_an_import_is_seen_on_the_next_page(
    client, demo_course, content_root, django_capture_on_commit_callbacks
):
    client.get(WELCOME)
    course_file = content_root / "demo" / "course.md"
    course_file.write_text(course_file.read_text().replace("Demo course", "Renamed course"))
    welcome = content_root / "demo" / "01-first-steps" / "01-welcome.md"
    welcome.write_text(welcome.read_text() + "\nA paragraph added since.\n")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_content", str(content_root), stdout=io.StringIO())
    status, html = page(client)
    assert status == 200
    assert "Renamed course" in html
    assert "A paragraph added since." in html  # the new content version


def test_a_course_archived_by_an_import_is_gone_at_once(
    client, demo_course, content_root, django_capture_on_commit_callbacks
):
    client.get(WELCOME)
    (content_root / "demo" / "course.md").rename(content_root / "course.md.bak")
    for path in sorted((content_root / "demo").rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    (content_root / "demo").rmdir()
    (content_root / "other").mkdir()
    (content_root / "other" / "course.md").write_text("---\ntitle: Other\n---\n")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_content", str(content_root), "--prune", stdout=io.StringIO())
    assert Course.objects.get(slug="demo").archived
    assert page(client)[0] == 404


def test_a_saved_course_is_read_again_once_saved(
    client, demo_course, django_capture_on_commit_callbacks
):
    client.get(WELCOME)
    demo_course.published = False  # a draft: only its course staff see it
    with django_capture_on_commit_callbacks(execute=True):
        demo_course.save()
    assert page(client)[0] == 404


def test_a_read_racing_a_change_is_not_served(demo_course, django_capture_on_commit_callbacks):
    def read_racing_a_change():
        with django_capture_on_commit_callbacks(execute=True):
            Course.objects.filter(pk=demo_course.pk).update(title="Changed meanwhile")
            demo_course.save(update_fields=["title"])  # the change's drop
        return Course.objects.get(pk=demo_course.pk)

    from courseapp.catalog import course_cache

    served = course_cache._courses.get("demo", "row", read_racing_a_change)
    assert served.title == "Demo course"  # what the read saw is served to it...
    assert current_course("demo").title == "Demo course"  # ...and, saved over, read again
    assert Course.objects.get(pk=demo_course.pk).title == "Demo course"


def test_a_change_nobody_was_told_of_is_seen_within_a_minute(client, demo_course, monkeypatch):
    client.get(WELCOME)
    # An import whose drop never reached the cache: its process could not reach Redis.
    Course.objects.filter(pk=demo_course.pk).update(
        title="Changed unannounced", content_version=F("content_version") + 1
    )
    assert "Demo course" in page(client)[1]
    later = time.time() + COURSE_SECONDS + 1
    monkeypatch.setattr("django.core.cache.backends.locmem.time.time", lambda: later)
    assert "Changed unannounced" in page(client)[1]
