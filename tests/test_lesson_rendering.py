"""The lesson page renders once what reads alike for everyone and only a reader's own state per
request; what it shares never holds an answer key or another request's tokens."""

import re
from unittest import mock

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.middleware.csrf import CSRF_TOKEN_LENGTH
from django.test import Client

from courseapp.catalog import content_cache
from courseapp.pages import selectors as page_selectors
from courseapp.quizzes import rendering
from courseapp.quizzes.models import Attempt, Question
from tests.factories import UserFactory
from tests.test_quiz_answers import HTMX, RIGHT_AND_WRONG, url

pytestmark = pytest.mark.usefixtures("demo_course")

WELCOME = "/courses/demo/welcome/"
COMMANDS = "/courses/demo/commands/"


@pytest.fixture
def renders():
    """Every rendering of a lesson page, a partial of it or a question, by template name."""
    names = []
    real = rendering.render_to_string

    def counted(name, context=None, *args, **kwargs):
        names.append(name)
        return real(name, context, *args, **kwargs)

    with (
        mock.patch.object(rendering, "render_to_string", counted),
        mock.patch("courseapp.pages.rendering.render_to_string", counted),
    ):
        yield names


@pytest.fixture
def cached():
    """What the content cache is asked to keep: (name, value), the name after the version."""
    stored = []
    cache = caches[content_cache.CONTENT_CACHE]
    real = cache.set_many

    def recording(data, timeout=None):
        stored.extend((key.split(":", 3)[3], value) for key, value in data.items())
        return real(data, timeout)

    with mock.patch.object(cache, "set_many", recording):
        yield stored


def question_section(html: str, key: str) -> str:
    return html.split(f'id="q-{key}"')[1].split("</section>")[0]


def form_tokens(html: str) -> list[str]:
    return re.findall(r'name="token" id="q-[^"]+" value="([^"]*)"', html)


def csrf_tokens(html: str) -> list[str]:
    return re.findall(r'name="csrfmiddlewaretoken" value="([^"]*)"', html)


def test_anonymous_readers_share_one_rendering_of_the_lesson(client, renders):
    first = client.get(WELCOME).content.decode()
    assert renders, "the first view renders the frame and the questions"
    renders.clear()
    second = client.get(WELCOME).content.decode()
    assert renders == []
    # Alike but for the request's own tokens.
    strip = re.compile(r'"[A-Za-z0-9_-]{16,}"')
    assert strip.sub("", first) == strip.sub("", second)
    assert "Log in</a> or" in question_section(second, "image-vs-container")


def test_a_served_anonymous_page_reads_nothing_of_the_lesson(client):
    client.get(WELCOME)
    with mock.patch.object(
        page_selectors, "lesson_page", wraps=page_selectors.lesson_page
    ) as lesson_page:
        assert client.get(WELCOME).status_code == 200
        lesson_page.assert_not_called()  # no question views built only to be thrown away
        assert client.get("/courses/demo/no-such-lesson/").status_code == 404
        lesson_page.assert_called_once()


def test_students_share_untouched_questions_and_get_their_own_state(renders):
    ada, bob = (UserFactory(username=name) for name in ("ada", "bob"))
    clients = []
    for user in (ada, bob):
        client = Client()
        client.force_login(user)
        clients.append(client)
    clients[0].get(COMMANDS)
    clients[0].post(url("port-number"), {"answer": "8080"}, **HTMX)
    renders.clear()
    html = clients[1].get(COMMANDS).content.decode()
    # Bob sees the commands lesson in the order ada saw it (no shuffled questions there): every
    # question comes from the shared rendering, ada's answer stays hers.
    assert renders == ["pages/lesson.html"]  # the page around them, with bob's account menu
    assert 'value="8080"' not in question_section(html, "port-number")
    renders.clear()
    mine = clients[0].get(COMMANDS).content.decode()
    assert renders == ["quizzes/_question.html", "pages/lesson.html"]  # the one she answered
    assert 'value="8080"' in question_section(mine, "port-number")
    assert "<strong>Incorrect.</strong>" in question_section(mine, "port-number")


def test_shared_renderings_never_hold_an_answer_key(client, student_client, cached):
    for reader in (client, student_client):
        for path in (WELCOME, COMMANDS, "/courses/demo/ordering/"):
            reader.get(path)
    forms = [(name, value) for name, value in cached if name.startswith("question-form:")]
    assert {name.split(":")[2] for name, _ in forms} == {"anonymous", "student"}
    explanations = Question.objects.current().exclude(explanation_html="")
    assert explanations.count() >= 3
    for name, form in forms:
        assert "answer-key" not in form.html and "The answer" not in form.html, name
        for question in explanations:
            assert question.explanation_html not in form.html, name


def test_a_shared_form_is_filled_with_fresh_tokens_that_work(student_client, student, renders):
    student_client.get(WELCOME)
    renders.clear()
    pages = [student_client.get(WELCOME).content.decode() for _ in range(2)]
    assert renders == ["pages/lesson.html"] * 2
    tokens = [form_tokens(page) for page in pages]
    assert len(tokens[0]) == Question.objects.filter(lesson__slug="welcome").count()
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{16,64}", token) for token in tokens[0] + tokens[1])
    assert set(tokens[0]).isdisjoint(tokens[1]), "every rendered form has a token of its own"
    assert len(set(tokens[0])) == len(tokens[0])
    assert all(len(token) == CSRF_TOKEN_LENGTH for token in csrf_tokens(pages[1]))
    # Posted without JavaScript, with the CSRF check on, the served form is accepted once.
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(student)
    html = strict.get(WELCOME).content.decode()
    section = question_section(html, "layers-true-false")
    data = {
        "csrfmiddlewaretoken": csrf_tokens(section)[0],
        "token": form_tokens(section)[0],
        "answer": "false",
    }
    assert strict.post(url("layers-true-false"), data).status_code == 302
    assert strict.post(url("layers-true-false"), data).status_code == 302  # a repeat
    assert Attempt.objects.filter(user=student, question__key="layers-true-false").count() == 1


def test_an_import_renders_the_changed_lesson_anew(client, content_root, renders):
    assert "Welcome" in client.get(WELCOME).content.decode()
    lesson = content_root / "demo" / "01-first-steps" / "01-welcome.md"
    lesson.write_text(lesson.read_text().replace("title: Welcome", "title: Welcome aboard", 1))
    call_command("import_content", str(content_root), verbosity=0)
    renders.clear()
    html = client.get(WELCOME).content.decode()
    assert "Welcome aboard" in html
    assert renders, "the new content version is rendered again"


def test_the_answer_key_is_shared_once_solved(student_client, renders):
    right, _ = RIGHT_AND_WRONG["port-number"]
    first = student_client.post(url("port-number"), right(), **HTMX).content.decode()
    assert "HTTPS uses 443." in first
    assert f"{rendering.QUESTION_TEMPLATE}#answer-key" in renders
    renders.clear()
    other = UserFactory(username="bob")
    bob = Client()
    bob.force_login(other)
    again = bob.post(url("port-number"), right(), **HTMX).content.decode()
    assert "HTTPS uses 443." in again
    assert f"{rendering.QUESTION_TEMPLATE}#answer-key" not in renders


def test_an_anonymous_page_has_the_requests_own_nonce_and_csrf_token(client):
    client.get(WELCOME)
    seen = []
    for _ in range(2):
        response = client.get(WELCOME)
        html = response.content.decode()
        nonces = set(re.findall(r'nonce="([^"]+)"', html))
        [nonce] = nonces
        assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
        [csrf] = set(re.findall(r'"X-CSRFToken": "([^"]+)"', html))
        assert len(csrf) == CSRF_TOKEN_LENGTH
        assert response.cookies.get("csrftoken") or client.cookies.get("csrftoken")
        assert form_tokens(html) == [], "no one-time tokens: an anonymous reader cannot answer"
        seen.append((nonce, csrf))
    assert seen[0][0] != seen[1][0] and seen[0][1] != seen[1][1]


def test_a_message_for_an_anonymous_reader_is_shown(client, student_client, settings):
    client.get(WELCOME)  # the anonymous page is in the cache
    settings.SESSION_IDLE_SECONDS = -1  # the student's next request finds the session idle
    html = student_client.get(WELCOME).content.decode()
    assert "You were logged out after a while without activity." in html
    assert "Log in</a> or" in question_section(html, "image-vs-container")
    assert 'class="messages"' not in student_client.get(WELCOME).content.decode()
