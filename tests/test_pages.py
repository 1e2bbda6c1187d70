"""Catalog, outline, lesson and health pages: content, 404s and bounded queries."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from courseapp.catalog.models import Lesson
from courseapp.catalog.selectors import MAX_HITS
from courseapp.pipeline.importer import _index_for_search
from tests.factories import LessonFactory, ModuleFactory


def test_catalog_lists_visible_courses(client, demo_course):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Demo course" in response.content
    assert b"3 lessons" in response.content


def test_unpublished_and_archived_courses_are_hidden(client, demo_course):
    demo_course.published = False
    demo_course.save()
    assert b"Demo course" not in client.get("/").content
    assert client.get("/courses/demo/").status_code == 404
    assert client.get("/courses/demo/welcome/").status_code == 404


def test_outline_lists_modules_and_lessons_in_order(client, demo_course):
    html = client.get("/courses/demo/").content.decode().split('class="outline"')[1]
    positions = [
        html.index(title)
        for title in ("First steps", "Welcome", "Commands", "Going further", "Ordering things")
    ]
    assert positions == sorted(positions)
    assert "3 min" in html


def test_lesson_page_has_title_objectives_toc_breadcrumbs_and_neighbours(client, demo_course):
    html = client.get("/courses/demo/commands/").content.decode()
    assert "<h1>Commands</h1>" in html
    assert 'aria-label="Breadcrumbs"' in html and "First steps" in html
    assert 'rel="prev" href="/courses/demo/welcome/"' in html
    assert 'rel="next" href="/courses/demo/ordering/"' in html
    welcome = client.get("/courses/demo/welcome/").content.decode()
    assert "tell an image from a container" in welcome
    assert '<a href="#c-images-and-containers">Images and containers</a>' in welcome
    assert "3 min read" in welcome
    assert 'class="language-bash highlight"' in welcome


def test_questions_appear_where_their_fence_stood(client, demo_course):
    html = client.get("/courses/demo/welcome/").content.decode()
    assert (
        html.index("hello-world") < html.index('id="q-image-vs-container"') < html.index("A table")
    )
    assert html.index("A table") < html.index('id="q-layers-true-false"')


@pytest.mark.parametrize("change", [{"draft": True}, {"archived": True}])
def test_draft_and_archived_lessons_are_not_served(client, demo_course, change):
    Lesson.objects.filter(slug="commands").update(**change)
    assert client.get("/courses/demo/commands/").status_code == 404
    assert b"/courses/demo/commands/" not in client.get("/courses/demo/").content
    assert (
        b'rel="next" href="/courses/demo/ordering/"' in client.get("/courses/demo/welcome/").content
    )


def test_unknown_course_and_lesson_are_404(client, demo_course):
    assert client.get("/courses/nope/").status_code == 404
    assert client.get("/courses/demo/nope/").status_code == 404


def test_raw_html_attacks_never_reach_the_page(client, demo_course, content_root):
    from django.core.management import call_command

    lesson = content_root / "demo" / "01-first-steps" / "02-commands.md"
    lesson.write_text(
        lesson.read_text()
        + '\n<script>alert("x")</script>\n\n<p onmouseover="alert(1)">hover</p>\n\n'
        + '[click](javascript:alert(2)) <a href="JaVaScRiPt:alert(3)">y</a>\n'
    )
    call_command("import_content", str(content_root), verbosity=0)
    html = client.get("/courses/demo/commands/").content.decode().lower()
    assert "hover" in html
    body = html.split('<div class="prose">')[1]
    for needle in ("<script", "onmouseover", "javascript:", "alert("):
        assert needle not in body


def grow_course(course, lessons: int) -> None:
    module = ModuleFactory(course=course, position=99)
    for _ in range(lessons):
        LessonFactory(module=module, course=course)


@pytest.mark.parametrize(
    "url", ["/", "/courses/demo/", "/courses/demo/welcome/", "/search/?q=container"]
)
def test_page_queries_do_not_grow_with_course_size(
    client, demo_course, url, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        assert client.get(url).status_code == 200
    grow_course(demo_course, 40)
    with django_assert_max_num_queries(6):
        assert client.get(url).status_code == 200


def test_healthz_needs_no_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("catalog:healthz"))
    assert response.json() == {"status": "ok"}


def test_readyz_checks_the_database(client, db):
    response = client.get(reverse("catalog:readyz"))
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_every_page_has_a_search_box(client, demo_course):
    for url in ("/", "/courses/demo/", "/courses/demo/welcome/"):
        assert b'role="search"' in client.get(url).content


def test_search_finds_a_word_only_in_a_lesson_body(client, demo_course):
    html = client.get("/search/", {"q": "quokka"}).content.decode()
    assert '<a href="/courses/demo/commands/">Commands</a>' in html
    assert "<mark>quokka</mark>" in html
    assert "/courses/demo/welcome/" not in html.split("search-results")[1]


def test_search_escapes_the_snippet(client, demo_course):
    Lesson.objects.filter(slug="commands").update(
        search_text="Run <b>quokka</b> now", body_html="<p>x</p>"
    )
    if connection.vendor == "postgresql":
        from courseapp.pipeline.importer import _index_for_search

        _index_for_search(demo_course)
    html = client.get("/search/", {"q": "quokka"}).content.decode()
    assert "<mark>quokka</mark>" in html
    assert "<b>" not in html


def test_search_ranks_title_matches_first_on_postgres(client, demo_course):
    if connection.vendor != "postgresql":
        pytest.skip("ranking is PostgreSQL full-text search; SQLite uses substring matching")
    from courseapp.pipeline.importer import _index_for_search

    Lesson.objects.filter(slug="welcome").update(search_text="Ordering matters here.")
    _index_for_search(demo_course)
    results = client.get("/search/", {"q": "ordering"}).content.decode().split("search-results")[1]
    assert results.index("Ordering things") < results.index("Welcome")


# The visible courses' content versions, then (unless the content cache has them) the hits.
SEARCH_QUERIES = 2


def test_search_queries_do_not_grow_with_the_hits(client, demo_course, django_assert_num_queries):
    def hits(query: str) -> int:
        with django_assert_num_queries(SEARCH_QUERIES):
            html = client.get("/search/", {"q": query}).content.decode()
        return html.split("search-results")[1].count("<h2>")

    assert hits("quokka") == 1
    module = ModuleFactory(course=demo_course)
    for _ in range(40):
        LessonFactory(course=demo_course, module=module, search_text="A quokka, again.")
    _index_for_search(demo_course)
    demo_course.content_version += 1  # as the import does: cached searches are for the old one
    demo_course.save()
    assert hits("quokka") == MAX_HITS


def test_search_results_are_cached_until_an_import_changes_a_course(
    client, demo_course, content_root, django_assert_num_queries
):
    assert b"No lesson matches" in client.get("/search/", {"q": "wombat"}).content
    with django_assert_num_queries(1):  # the content versions: the hits are cached
        assert b"No lesson matches" in client.get("/search/", {"q": "wombat"}).content
    welcome = content_root / "demo" / "01-first-steps" / "01-welcome.md"
    welcome.write_text(welcome.read_text() + "\nA wombat digs.\n")
    call_command("import_content", str(content_root), verbosity=0)
    html = client.get("/search/", {"q": "wombat"}).content.decode()
    assert '<a href="/courses/demo/welcome/">Welcome</a>' in html


def test_empty_search_shows_a_hint(client, db):
    response = client.get("/search/", {"q": "  "})
    assert response.status_code == 200
    assert b"Type a word" in response.content


@pytest.mark.parametrize("control", ["\x00", "\x02", "\x1b", "\x7f", "\x85"])
def test_search_treats_control_characters_as_spaces(client, demo_course, control):
    response = client.get("/search/", {"q": f"quok{control}ka"})
    assert response.status_code == 200
    assert control not in response.content.decode()
    html = client.get("/search/", {"q": f"{control}quokka{control}"}).content.decode()
    assert "<mark>quokka</mark>" in html and control not in html
