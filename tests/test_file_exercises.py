"""File exercises in a lesson: import validation of checks and solution, the result listing
every check, problems with their lines, limits, the key kept out of the page, statistics."""

import io

import pytest
from django.core.management import CommandError, call_command

from courseapp.insights.selectors import item_statistics
from courseapp.quizzes.models import Attempt, Question

SOLUTION = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          readinessProbe:
            httpGet: {path: /, port: 80}
"""
FENCE = """
```quiz
id: web-deployment
type: kubernetes
prompt: Write a Deployment named `web` with three replicas of `nginx:1.27` and a readiness probe on port 80.
starter: |
  apiVersion: apps/v1
  kind: Deployment
checks:
  - expect: "kind == 'Deployment' && metadata.name == 'web'"
    message: A Deployment named web
  - expect: "spec.replicas == `3`"
    message: Three replicas
  - expect: "spec.template.spec.containers[0].readinessProbe.httpGet.port == `80`"
    message: A readiness probe on port 80
solution: |
{solution}explanation: The readiness probe keeps the Pod out of the Service until nginx answers.
```
"""
URL = "/courses/demo/questions/web-deployment/answer/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def fence(solution: str = SOLUTION) -> str:
    indented = "".join(f"  {line}\n" for line in solution.splitlines())
    return FENCE.replace("{solution}", indented)


def add_fence(content_root, text: str) -> None:
    lesson = content_root / "demo" / "01-first-steps" / "01-welcome.md"
    lesson.write_text(lesson.read_text() + text)


@pytest.fixture
def ada(client, db, content_root, django_user_model):
    add_fence(content_root, fence())
    call_command("import_content", str(content_root), stdout=io.StringIO())
    client.force_login(django_user_model.objects.create_user("ada"))
    return client


def test_the_page_has_an_editor_field_with_the_starter_and_not_the_solution(ada):
    page = ada.get("/courses/demo/welcome/").content.decode()
    assert 'data-code-editor="yaml"' in page
    assert "code-editor.js" in page and "code-editor.css" in page
    assert 'data-code-editor-reset="q-web-deployment-input" hidden' in page
    assert "apiVersion: apps/v1\nkind: Deployment" in page  # the starter
    assert "readinessProbe" not in page and "httpGet" not in page  # nor the solution


def test_a_file_missing_the_probe_fails_that_check_alone(ada):
    without_probe = SOLUTION.split("          readinessProbe")[0]
    html = ada.post(URL, {"answer": without_probe}, **HTMX).content.decode()
    assert "<strong>Incorrect.</strong>" in html
    assert '<li class="passed"><span aria-hidden="true">✓</span>' in html
    assert "Failed:</span> A readiness probe on port 80" in html
    assert "Passed:</span> Three replicas" in html
    assert "httpGet" not in html  # no solution in a wrong answer's feedback
    assert Attempt.objects.get().details == {"problems": [], "failed": [2]}


def test_a_correct_file_in_another_key_order_is_correct_and_shows_the_solution(ada):
    reordered = SOLUTION.replace("  replicas: 3\n", "").replace(
        "spec:\n  selector", "spec:\n  replicas: 3\n  selector", 1
    )
    html = ada.post(URL, {"answer": reordered}, **HTMX).content.decode()
    assert "<strong>Correct</strong>" in html
    assert 'class="language-yaml highlight"' in html  # the solution, highlighted
    assert "The readiness probe keeps the Pod out" in html


def test_schema_errors_come_with_their_line_and_count_as_an_attempt(ada):
    typo = SOLUTION.replace("  replicas: 3", "  replica: 3")
    html = ada.post(URL, {"answer": typo}, **HTMX).content.decode()
    assert "line 6:" in html and "replica" in html
    assert "<strong>Incorrect.</strong>" in html
    assert Attempt.objects.get().correct is False


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   ", "Write the file first."),
        ("x" * 25_000, "Your file is too long: 25,000 characters, at most 20,000."),
    ],
)
def test_empty_or_oversize_files_are_refused_with_a_message(ada, text, message):
    response = ada.post(URL, {"answer": text}, **HTMX)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Attempt.objects.exists()


def test_an_alias_bomb_is_refused_quickly_as_an_incorrect_attempt(ada):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
    )
    response = ada.post(URL, {"answer": bomb}, **HTMX)
    assert response.status_code == 200
    assert "<strong>Incorrect.</strong>" in response.content.decode()


def test_without_javascript_the_textarea_keeps_the_last_submission(ada):
    without_probe = SOLUTION.split("          readinessProbe")[0]
    response = ada.post(URL, {"answer": without_probe})
    assert response.status_code == 302
    page = ada.get("/courses/demo/welcome/").content.decode()
    assert "image: nginx:1.27\n</textarea>" in page
    assert "Failed:</span> A readiness probe on port 80" in page


def test_the_statistics_say_which_check_first_submissions_missed(ada, django_user_model):
    from courseapp.quizzes.selectors import question_for_answer
    from courseapp.quizzes.services import attempt_submit

    question = Question.objects.get(key="web-deployment")
    data = question_for_answer(question.course, "web-deployment")
    without_probe = SOLUTION.split("          readinessProbe")[0]
    for number, text in enumerate([without_probe, without_probe, SOLUTION, SOLUTION]):
        user = django_user_model.objects.create_user(f"s{number}")
        attempt_submit(user=user, question=data, answer=text)
    item = next(i for i in item_statistics(question.course) if i.question.key == "web-deployment")
    assert item.findings == ("50 % missed: A readiness probe on port 80",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            fence(SOLUTION.replace("replicas: 3", "replicas: 2")),
            "the solution fails its check: Three replicas",
        ),
        (fence().replace("spec.replicas == `3`", "spec.replicas ==="), "check 2:"),
        (
            fence().replace("explanation:", "rubric: x\nexplanation:"),
            "unknown kubernetes question key 'rubric'",
        ),
        (
            fence(SOLUTION.replace("  replicas: 3", "  replica: 3")),
            "the solution is not accepted (its line 6)",
        ),
    ],
)
def test_import_refuses_a_key_that_cannot_be_right(db, content_root, text, message):
    add_fence(content_root, text)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_content", str(content_root), stdout=io.StringIO(), stderr=err)
    assert message in err.getvalue()
    assert "01-welcome.md:" in err.getvalue()
