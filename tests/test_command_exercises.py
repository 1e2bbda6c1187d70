"""Command exercises in a lesson: import validation, the htmx and plain answer paths, the key
kept out of the page and out of a wrong answer's feedback, and the statistics."""

import io

import pytest
from django.core.management import CommandError, call_command

from courseapp.insights.selectors import item_statistics
from courseapp.quizzes.models import Attempt, Question

FENCE = """
```quiz
id: run-web
type: command
prompt: Start `nginx:1.27` in the background as a container named `web`, host port 8080 to its port 80.
answer: docker run -d --name web -p 8080:80 nginx:1.27
accept:
  - docker run -d --name web -p 127.0.0.1:8080:80 nginx:1.27
explanation: "`-d` detaches, `--name` names it, `-p HOST:CONTAINER` publishes the port."
```
"""
URL = "/courses/demo/questions/run-web/answer/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def add_fence(content_root, fence: str = FENCE) -> None:
    lesson = content_root / "demo" / "01-first-steps" / "01-welcome.md"
    lesson.write_text(lesson.read_text() + fence)


@pytest.fixture
def command_course(db, content_root):
    add_fence(content_root)
    call_command("import_content", str(content_root), stdout=io.StringIO())


@pytest.fixture
def ada(client, command_course, django_user_model):
    client.force_login(django_user_model.objects.create_user("ada"))
    return client


def test_the_page_offers_a_command_field_without_the_key(client, command_course):
    page = client.get("/courses/demo/welcome/").content.decode()
    assert 'class="command" type="text" name="answer"' in page
    assert 'spellcheck="false"' in page and 'autocorrect="off"' in page
    assert "8080:80" not in page
    assert "127.0.0.1:8080" not in page


@pytest.mark.parametrize(
    "command",
    [
        "docker run --name=web --detach -p 8080:80 nginx:1.27",
        "$ docker container run -d -p8080:80 --name web nginx:1.27",
        "docker run --detach \\\n  --publish 127.0.0.1:8080:80 --name web nginx:1.27",
    ],
)
def test_an_equivalent_command_is_correct(ada, command):
    html = ada.post(URL, {"answer": command}, **HTMX).content.decode()
    assert "<strong>Correct</strong>" in html
    assert "docker run -d --name web -p 8080:80 nginx:1.27" in html  # the canonical command
    assert 'class="token-option"' in html  # the student's command as read, options marked


def test_a_missing_option_is_named_without_giving_the_answer_away(ada):
    html = ada.post(URL, {"answer": "docker run -d --name web nginx:1.27"}, **HTMX).content
    html = html.decode()
    assert "<strong>Incorrect.</strong>" in html
    assert "Missing option -p/--publish" in html
    assert "8080" not in html
    assert Attempt.objects.get().details == {"feedback": ["Missing option -p/--publish"]}


def test_a_wrong_value_names_the_option_not_the_value(ada):
    ada.post(URL, {"answer": "docker run -d --name api -p 8080:80 nginx:1.27"}, **HTMX)
    feedback = Attempt.objects.get().details["feedback"]
    assert feedback == ["Wrong value for --name"]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("docker run -d nginx:1.27 | tee log", "Incorrect: enter a single command"),
        ("docker run $(echo -d) nginx:1.27", "Incorrect: enter a single command"),
        ("docker run 'nginx:1.27", "quotes"),
    ],
)
def test_shell_syntax_is_an_incorrect_attempt_with_its_reason(ada, typed, message):
    response = ada.post(URL, {"answer": typed}, **HTMX)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Attempt.objects.filter(correct=False).count() == 1


@pytest.mark.parametrize(
    ("typed", "message"),
    [("   ", "Type a command first."), ("docker run " + "x" * 9_990, "too long")],
)
def test_empty_or_oversize_input_is_refused_with_a_message_and_not_recorded(ada, typed, message):
    response = ada.post(URL, {"answer": typed}, **HTMX)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Attempt.objects.exists()


def test_a_nul_byte_is_refused_not_a_server_error(ada):
    response = ada.post(URL, {"answer": "docker run\x00 nginx"}, **HTMX)
    assert response.status_code in {200, 400}
    assert not Attempt.objects.exists()


def test_without_javascript_the_answer_redirects_back_and_the_page_keeps_the_command(ada):
    response = ada.post(URL, {"answer": "docker run -d --name web nginx:1.27"})
    assert response.status_code == 302
    assert response["Location"] == "/courses/demo/welcome/#q-run-web"
    page = ada.get("/courses/demo/welcome/").content.decode()
    assert 'value="docker run -d --name web nginx:1.27"' in page
    assert "Missing option -p/--publish" in page


def test_the_statistics_list_the_most_common_wrong_command_normalised(
    command_course, django_user_model
):
    from courseapp.quizzes.selectors import question_for_answer
    from courseapp.quizzes.services import attempt_submit

    question = Question.objects.get(key="run-web")
    data = question_for_answer(question.course, "run-web")
    for number, typed in enumerate(
        ["docker run -d --name web nginx:1.27", "docker run --name=web --detach nginx:1.27"]
    ):
        user = django_user_model.objects.create_user(f"s{number}")
        attempt_submit(user=user, question=data, answer=typed)
    item = next(i for i in item_statistics(question.course) if i.question.key == "run-web")
    assert item.top_wrong_count == 2
    assert "--name" in item.top_wrong and "nginx:1.27" in item.top_wrong


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("answer: docker ps | grep web", "answer is not a single command"),
        ("answer: docker ps\naccept:\n  - docker ps; ls", "accept is not a single command"),
        ("answer: docker ps\nrubric: x", "unknown command question key 'rubric'"),
    ],
)
def test_import_refuses_an_answer_that_is_not_one_command(db, content_root, line, message):
    add_fence(content_root, f"\n```quiz\nid: bad-command\ntype: command\nprompt: P\n{line}\n```\n")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_content", str(content_root), stdout=io.StringIO(), stderr=err)
    assert message in err.getvalue()
    assert "01-welcome.md:" in err.getvalue()
