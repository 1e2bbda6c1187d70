"""Drafts: lessons, modules and courses marked `draft: true` are read, imported and previewed by
the course's instructors and staff, and left out of everything students see and count."""

import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.management import CommandError, call_command
from django.test import Client

from courseapp.catalog.models import Course, Lesson, Module
from courseapp.insights import selectors
from courseapp.progress.models import Enrollment, LessonProgress
from courseapp.quizzes.models import Attempt
from tests.factories import CourseFactory, LessonFactory, ModuleFactory, UserFactory

STEPS = "01-first-steps"
FURTHER = "02-going-further"


def run_import(root: Path) -> None:
    call_command("import_content", str(root), stdout=io.StringIO(), stderr=io.StringIO())


def set_front_matter(path: Path, line: str) -> None:
    """Add `line` to the file's front matter (after its opening ---)."""
    text = path.read_text() if path.exists() else "---\ntitle: Going further\n---\n"
    path.write_text(text.replace("---\n", f"---\n{line}\n", 1))


def mark_draft(root: Path, relative: str, line: str = "draft: true") -> None:
    set_front_matter(root / "demo" / relative, line)
    run_import(root)


# Reading and importing


def test_a_module_marked_draft_is_imported_as_a_draft(db, content_root):
    mark_draft(content_root, f"{FURTHER}/module.md")
    assert Module.objects.get(slug="going-further").draft
    assert not Module.objects.get(slug="first-steps").draft
    assert list(Lesson.objects.published().values_list("slug", flat=True)) == [
        "welcome",
        "commands",
    ]
    assert Lesson.objects.previewable().count() == 3


def test_a_module_draft_can_be_lifted_by_the_next_import(db, content_root):
    mark_draft(content_root, f"{FURTHER}/module.md")
    (content_root / "demo" / FURTHER / "module.md").write_text("---\ntitle: Going further\n---\n")
    run_import(content_root)
    assert not Module.objects.get(slug="going-further").draft
    assert Lesson.objects.published().count() == 3


@pytest.mark.parametrize("line", ["draft: true", "published: false"])
def test_draft_true_and_the_older_published_false_both_make_a_draft_course(db, content_root, line):
    mark_draft(content_root, "course.md", line)
    assert not Course.objects.get(slug="demo").published
    assert not Course.objects.visible().exists()


@pytest.mark.parametrize(
    "lines", [("draft: true", "published: true"), ("draft: false", "published: false")]
)
def test_contradicting_draft_and_published_is_an_error(db, content_root, lines):
    for line in lines:
        set_front_matter(content_root / "demo" / "course.md", line)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_content", str(content_root), stdout=io.StringIO(), stderr=err)
    assert "course.md:2: front matter: published contradicts draft" in err.getvalue()


def test_draft_must_be_true_or_false(db, content_root):
    set_front_matter(content_root / "demo" / STEPS / "module.md", "draft: soon")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_content", str(content_root), stdout=io.StringIO(), stderr=err)
    assert "module.md:2: front matter: draft must be true or false" in err.getvalue()


# Who sees a draft lesson

HTMX = {"HTTP_HX_REQUEST": "true"}
BANNER = "Draft — students cannot see this."


@pytest.fixture
def draft_lesson(demo_course, content_root):
    """The middle lesson, `commands` (between welcome and ordering), marked draft."""
    mark_draft(content_root, f"{STEPS}/02-commands.md")
    return Lesson.objects.get(slug="commands")


@pytest.fixture
def other_instructor_client(demo_course) -> Client:
    """An instructor of another course: no more rights in the demo course than a student."""
    user = UserFactory(username="hopper")
    CourseFactory().instructors.add(user)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def readers(client, student_client, other_instructor_client, instructor_client, staff_client):
    return {
        "anonymous": client,
        "student": student_client,
        "other course's instructor": other_instructor_client,
        "instructor": instructor_client,
        "staff": staff_client,
    }


STUDENTS = ("anonymous", "student", "other course's instructor")
COURSE_STAFF = ("instructor", "staff")


def test_a_draft_lesson_is_404_for_students_and_a_marked_preview_for_course_staff(
    draft_lesson, readers
):
    for name in STUDENTS:
        assert readers[name].get("/courses/demo/commands/").status_code == 404, name
    for name in COURSE_STAFF:
        response = readers[name].get("/courses/demo/commands/")
        html = response.content.decode()
        assert response.status_code == 200, name
        assert BANNER in html and "The quokka command" in html
        assert BANNER not in readers[name].get("/courses/demo/welcome/").content.decode()


def test_a_preview_records_no_progress_and_no_enrollment(draft_lesson, instructor_client):
    html = instructor_client.get("/courses/demo/commands/").content.decode()
    assert not LessonProgress.objects.exists() and not Enrollment.objects.exists()
    assert "Mark as complete" not in html and "A draft has no progress to keep." in html
    assert instructor_client.post("/courses/demo/commands/complete/").status_code == 404
    assert not LessonProgress.objects.exists()


def test_a_preview_never_reaches_the_cache_students_read(
    draft_lesson, student_client, instructor_client
):
    course = draft_lesson.course
    key = f"course:{course.pk}:v{course.content_version}:lesson:commands"
    assert instructor_client.get("/courses/demo/commands/").status_code == 200
    assert caches["content"].get(key) is None
    assert student_client.get("/courses/demo/commands/").status_code == 404
    instructor_client.post("/courses/demo/questions/port-number/answer/", {"answer": "80"})
    question_key = f"course:{course.pk}:v{course.content_version}:question:port-number"
    assert caches["content"].get(question_key) is None


def test_prev_and_next_skip_the_draft_for_everyone_even_on_the_preview(draft_lesson, readers):
    for name, client in readers.items():
        pager = client.get("/courses/demo/welcome/").content.decode().split('class="pager"')[1]
        assert 'rel="next" href="/courses/demo/ordering/"' in pager, name
        assert "/courses/demo/commands/" not in pager, name
    preview = readers["instructor"].get("/courses/demo/commands/").content.decode()
    assert 'rel="prev" href="/courses/demo/welcome/"' in preview
    assert 'rel="next" href="/courses/demo/ordering/"' in preview


@dataclass(frozen=True)
class Hidden:
    """A lesson held back by a draft, with a word only it contains and its questions."""

    slug: str
    word: str
    questions: frozenset[str]
    published: tuple[str, ...]  # the lessons left, in course order


@pytest.fixture(params=["lesson", "module"])
def hidden(request, demo_course, content_root) -> Hidden:
    """`commands` marked draft, or the module holding `ordering`."""
    if request.param == "lesson":
        mark_draft(content_root, f"{STEPS}/02-commands.md")
        return Hidden(
            "commands",
            "quokka",
            frozenset({"list-command", "port-number"}),
            (
                "welcome",
                "ordering",
            ),
        )
    mark_draft(content_root, f"{FURTHER}/module.md")
    return Hidden(
        "ordering",
        "lifecycle",
        frozenset({"lifecycle-order", "true-statements"}),
        (
            "welcome",
            "commands",
        ),
    )


def test_search_leaves_drafts_out_for_everyone(hidden, readers):
    for name, client in readers.items():
        html = client.get(f"/search/?q={hidden.word}").content.decode()
        assert f"/courses/demo/{hidden.slug}/" not in html, name
    assert b"/courses/demo/welcome/" in readers["staff"].get("/search/?q=container").content


def outline_lessons(client) -> str:
    return client.get("/courses/demo/").content.decode().split('class="outline"')[1]


def test_the_outline_shows_drafts_to_course_staff_only_marked_draft(draft_lesson, readers):
    for name in STUDENTS:
        html = readers[name].get("/courses/demo/").content.decode()
        assert "/courses/demo/commands/" not in html, name
        assert "2 lessons" in html and "draft" not in html.lower(), name
    for name in COURSE_STAFF:
        html = readers[name].get("/courses/demo/").content.decode()
        assert "2 lessons · 1 draft" in html, name
        commands = outline_lessons(readers[name]).split('href="/courses/demo/commands/"')[1]
        assert commands.split("</li>")[0].count('class="badge draft">Draft<') == 1, name
        assert outline_lessons(readers[name]).count(">Draft<") == 1, name


def test_progress_counts_published_lessons_only_for_everyone(
    hidden, student_client, instructor_client
):
    for user_client in (student_client, instructor_client):
        user_client.get("/courses/demo/welcome/")
        user_client.post("/courses/demo/welcome/complete/")
        # Completing the draft is refused: it may neither count nor shift the ratio.
        assert user_client.post(f"/courses/demo/{hidden.slug}/complete/").status_code == 404
        assert "1 of 2 lessons" in user_client.get("/courses/demo/").content.decode()
        assert "1 of 2 lessons" in user_client.get("/dashboard/").content.decode()


def test_insights_count_published_lessons_and_ignore_previews(
    hidden, student_client, instructor_client
):
    student_client.get("/courses/demo/welcome/")
    assert instructor_client.get(f"/courses/demo/{hidden.slug}/").status_code == 200
    for key in hidden.questions:
        instructor_client.post(f"/courses/demo/questions/{key}/reveal/")
    statistics = selectors.course_statistics(Course.objects.get(slug="demo"))
    assert statistics.overview.lessons == 2 and statistics.overview.enrolled == 1
    assert tuple(step.slug for step in statistics.funnel) == hidden.published
    assert [step.viewed for step in statistics.funnel] == [1, 0]
    assert {item.question.key for item in statistics.items}.isdisjoint(hidden.questions)
    assert "2 published lessons" in instructor_client.get("/insights/demo/").content.decode()


def test_course_staff_try_a_drafts_questions_without_recording_them(
    draft_lesson, instructor_client, student_client
):
    url = "/courses/demo/questions/port-number/"
    response = instructor_client.post(url + "answer/", {"answer": "80"}, **HTMX)
    assert b"<strong>Correct</strong>" in response.content and b"HTTPS uses 443" in response.content
    wrong = instructor_client.post(url + "answer/", {"answer": "8080"}, **HTMX)
    assert b"<strong>Incorrect.</strong>" in wrong.content
    revealed = instructor_client.post(url + "reveal/", **HTMX)
    assert b"Answer shown." in revealed.content and b"HTTPS uses 443" in revealed.content
    no_js = instructor_client.post(url + "answer/", {"answer": "80"})
    assert no_js.status_code == 302 and no_js["Location"] == "/courses/demo/commands/#q-port-number"
    assert not Attempt.objects.exists() and not LessonProgress.objects.exists()
    assert student_client.post(url + "answer/", {"answer": "80"}).status_code == 404
    assert student_client.post(url + "reveal/").status_code == 404


def test_a_draft_lesson_preview_and_outline_keep_bounded_queries(
    draft_lesson, instructor_client, django_assert_max_num_queries
):
    counts = []
    for _ in range(2):
        for url in ("/courses/demo/", "/courses/demo/commands/"):
            with django_assert_max_num_queries(12) as queries:
                assert instructor_client.get(url).status_code == 200
            counts.append(len(queries.captured_queries))
        module = ModuleFactory(course=draft_lesson.course, position=99, draft=True)
        for _ in range(20):
            LessonFactory(module=module, course=draft_lesson.course, draft=True)
    assert counts[:2] == counts[2:]


# Draft modules and draft courses


def test_a_draft_module_hides_its_lessons_from_students(demo_course, content_root, readers):
    mark_draft(content_root, f"{FURTHER}/module.md")
    for name in STUDENTS:
        assert readers[name].get("/courses/demo/ordering/").status_code == 404, name
        assert "Going further" not in readers[name].get("/courses/demo/").content.decode(), name
        html = readers[name].get("/courses/demo/commands/").content.decode()
        assert 'rel="next"' not in html, name
    for name in COURSE_STAFF:
        assert BANNER in readers[name].get("/courses/demo/ordering/").content.decode(), name
        module = outline_lessons(readers[name]).split("Going further")[1].split("</h2>")[0]
        assert 'class="badge draft">Draft<' in module, name


def test_a_draft_course_is_previewed_by_its_course_staff_only(demo_course, content_root, readers):
    mark_draft(content_root, "course.md")
    for name in STUDENTS:
        client = readers[name]
        assert "Demo course" not in client.get("/").content.decode(), name
        for url in ("/courses/demo/", "/courses/demo/welcome/", "/courses/demo/flashcards/"):
            assert client.get(url).status_code == 404, (name, url)
    for name in COURSE_STAFF:
        client = readers[name]
        catalog = client.get("/").content.decode()
        assert "Demo course" in catalog and 'class="badge draft">Draft<' in catalog, name
        outline = client.get("/courses/demo/").content.decode()
        assert BANNER in outline and "Start course" not in outline, name
        assert BANNER in client.get("/courses/demo/welcome/").content.decode(), name
        assert client.get("/courses/demo/flashcards/").status_code == 200, name
        assert "Demo course" not in client.get("/dashboard/").content.decode(), name
    assert not LessonProgress.objects.exists() and not Enrollment.objects.exists()
    assert readers["instructor"].post("/courses/demo/start/").status_code == 404


def test_the_catalog_keeps_one_query_for_every_reader(
    demo_course, content_root, readers, django_assert_max_num_queries
):
    mark_draft(content_root, "course.md")
    CourseFactory(slug="public", title="Public course")
    for name, client in readers.items():
        client.get("/")  # the session and user, read once per request, are not the catalog's
        with django_assert_max_num_queries(3 if name != "anonymous" else 1):
            html = client.get("/").content.decode()
        assert "Public course" in html, name
