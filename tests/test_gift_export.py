"""A course's questions as GIFT, and back: the same ids, types, texts and keys come out."""

import io
import re

import pytest
from django.core.management import CommandError, call_command

from courseapp.markup.markdown import plain_text
from courseapp.pipeline.gift import writing
from courseapp.pipeline.gift.fences import gift_to_fences
from courseapp.pipeline.gift.reading import Essay, read_gift
from courseapp.pipeline.gift.writing import course_questions
from courseapp.quizzes.models import Choice, Question
from courseapp.quizzes.parsing import parse_question

EXERCISES = """---
title: Exercises
---

```quiz
id: run-web
type: command
prompt: Start `nginx:1.27` in the background as a container named `web`, host port 8080 to its port 80.
answer: docker run -d --name web -p 8080:80 nginx:1.27
accept:
  - docker run -d --name web -p 127.0.0.1:8080:80 nginx:1.27
```

```quiz
id: web-compose
type: compose
prompt: Write a Compose file with one service, `web`, running `nginx:1.27`.
checks:
  - expect: "services.web.image == 'nginx:1.27'"
    message: web runs nginx:1.27
solution: |
  services:
    web:
      image: nginx:1.27
explanation: One service is enough.
```

```quiz
id: any-ls
type: text
prompt: List the containers, running or not.
accept_regex: ['docker (ps|container ls) -a']
```

```quiz
id: scale
type: single
shuffle: false
prompt: How sure are you?
choices:
  - text: Not at all
  - text: Quite
    correct: true
  - text: Very
```
"""


def gift_export(*args: str) -> tuple[str, list[str]]:
    out, err = io.StringIO(), io.StringIO()
    call_command("gift_export", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue().splitlines()


def reimported(gift: str) -> dict:
    """The questions gift_import makes of a GIFT text, parsed as the content import parses them."""
    conversion = gift_to_fences(gift, path="export.gift")
    questions = {}
    for fence in conversion.fences:
        source = fence.split("\n", 1)[1].rsplit("\n", 1)[0]
        question, errors = parse_question(source, path="export.gift", first_line=2)
        assert errors == []
        questions[question.key] = question
    return questions


def summary(question, choices) -> dict:
    """What must survive the round trip, from a stored question or a re-read one."""
    answer = {key: value for key, value in question.answer.items() if key != "accept_regex"}
    return {
        "type": question.type,
        "prompt": plain_text(question.prompt_html),
        "explanation": plain_text(question.explanation_html),
        "choices": [(c.key, plain_text(c.text_html), c.correct) for c in choices],
        "answer": answer,
    }


def current_choices() -> dict[tuple[str, str], int]:
    rows = Choice.objects.filter(archived=False).values_list("question__key", "key", "pk")
    return {(question, choice): pk for question, choice, pk in rows}


def test_every_question_is_written_with_its_id_and_html(demo_course):
    gift, report = gift_export("demo")
    assert "$CATEGORY: demo/welcome\n\n// [id:image-vs-container]\n" in gift
    assert (
        "// choice ids: template, same\n"
        "::image-vs-container::[html]<p>Which statement is true?</p>{\n"
        "\t=An image is a read-only template; a container is a running instance of it.\n"
        "\t~Image and container are two names for the same thing."
        "#<p>A container adds a writable layer and a process.</p>\n"
        "\t####<p>The image never changes; each container gets its own writable layer.</p>\n"
        "}"
    ) in gift
    assert "{\n\tFALSE\n\t####<p>Layers are read-only" in gift
    assert "{#\n\t=80:0\n\t####<p>HTTPS uses 443.</p>\n}" in gift
    assert "\t=Pull the image -> 1\n\t=Create the container -> 2\n\t=Start it -> 3\n" in gift
    assert "\t~%50%runc\n\t~%50%crun\n\t~%-100%nginx\n" in gift
    assert report == [
        "image-vs-container: hint left out: GIFT has no hints",
        "list-command: accept_regex left out (1): GIFT has no regular expressions",
        "6 of 6 question(s) exported, 2 note(s).",
    ]


def test_the_round_trip_gives_back_the_same_questions(demo_course):
    gift, _report = gift_export("demo")
    back = reimported(gift)
    stored = {
        question.key: summary(question, choices)
        for question, choices in course_questions(demo_course)
    }
    assert (
        set(back)
        == set(stored)
        == {
            "image-vs-container",
            "layers-true-false",
            "list-command",
            "port-number",
            "lifecycle-order",
            "true-statements",
        }
    )
    for key, question in back.items():
        assert summary(question, question.choices) == stored[key], key
    assert stored["port-number"]["answer"] == {"answer": 80, "tolerance": 0}
    assert stored["list-command"]["answer"]["accept"] == ["docker ps", "docker container ls"]


def test_re_importing_the_export_keeps_every_question_and_choice(db, content_root, tmp_path):
    """Replace the course's fences with the imported GIFT: the rows stay the same rows."""
    call_command("import_content", str(content_root), stdout=io.StringIO())
    questions = dict(Question.objects.values_list("key", "pk"))
    choices = current_choices()
    gift = tmp_path / "demo.gift"
    call_command("gift_export", "demo", "--output", str(gift), stderr=io.StringIO())
    for lesson in (content_root / "demo").rglob("0*.md"):
        lesson.write_text(re.sub(r"```quiz\n.*?\n```\n", "", lesson.read_text(), flags=re.S))
    target = content_root / "demo" / "02-going-further" / "02-from-moodle.md"
    target.write_text("---\ntitle: From Moodle\n---\n")
    call_command("gift_import", str(gift), "--into", str(target), stderr=io.StringIO())
    out = io.StringIO()
    call_command("import_content", str(content_root), stdout=out, stderr=io.StringIO())
    assert "questions:  0 created, 6 updated, 0 unchanged, 0 archived" in out.getvalue()
    assert "choices:    0 created" in out.getvalue()
    assert dict(Question.objects.filter(archived=False).values_list("key", "pk")) == questions
    assert current_choices() == choices
    assert set(Question.objects.values_list("lesson__slug", flat=True)) == {"from-moodle"}


def test_exercises_and_what_gift_cannot_say_are_reported(db, content_root):
    lesson = content_root / "demo" / "02-going-further" / "02-exercises.md"
    lesson.write_text(EXERCISES)
    call_command("import_content", str(content_root), stdout=io.StringIO())
    gift, report = gift_export("demo")
    assert (
        "=docker run -d --name web -p 8080\\:80 nginx\\:1.27\n"
        "\t=docker run -d --name web -p 127.0.0.1\\:8080\\:80 nginx\\:1.27\n"
    ) in gift
    essay = next(item for item in read_gift(gift) if getattr(item, "title", "") == "web-compose")
    assert isinstance(essay, Essay)
    solution = plain_text(essay.general_feedback.value)
    assert "services: web: image: nginx:1.27" in solution
    assert solution.endswith("One service is enough.")
    assert "::any-ls::" not in gift
    assert "::scale::" in gift
    assert report[-5:] == [
        "run-web: exported as a short answer: Moodle compares the text, so the same command "
        "spelled otherwise (options in another order, long options) is marked wrong there",
        "web-compose: exported as an essay graded by hand: its checks and starter stay here",
        "any-ls: not exported: no answer GIFT can express (only regular expressions accept it)",
        "scale: shuffle: false left out: in Moodle the quiz's settings decide",
        "9 of 10 question(s) exported, 6 note(s).",
    ]
    back = reimported(gift)
    assert back["run-web"].type == "text"
    assert back["run-web"].answer["accept"] == [
        "docker run -d --name web -p 8080:80 nginx:1.27",
        "docker run -d --name web -p 127.0.0.1:8080:80 nginx:1.27",
    ]
    assert "web-compose" not in back


def test_only_current_questions_of_published_lessons_are_exported(
    demo_course, django_assert_num_queries
):
    Question.objects.filter(key="port-number").update(archived=True)
    demo_course.lessons.filter(slug="ordering").update(draft=True)
    Choice.objects.filter(key="same").update(archived=True)
    with django_assert_num_queries(2):  # the questions with their lessons, then the choices
        keys = [question.key for question, _choices in course_questions(demo_course)]
    assert keys == ["image-vs-container", "layers-true-false", "list-command"]
    gift, _report = gift_export("demo")
    assert "::port-number::" not in gift and "$CATEGORY: demo/ordering" not in gift
    assert "// choice ids: template\n" in gift


def test_a_type_without_a_writer_is_reported(demo_course, monkeypatch):
    writers = {
        kind: writer for kind, writer in writing.WRITERS.items() if kind.__name__ != "Numeric"
    }
    monkeypatch.setattr(writing, "WRITERS", writers)
    gift, report = gift_export("demo")
    assert "port-number: not exported: GIFT has no form for a number question" in report
    assert "::port-number::" not in gift


def test_output_file_and_unknown_course(demo_course, tmp_path):
    target = tmp_path / "demo.gift"
    out, report = gift_export("demo", "--output", str(target))
    assert out == ""
    assert target.read_text().startswith("// Demo course: questions exported for Moodle (GIFT).")
    assert report[-1] == f"Wrote {target}."
    with pytest.raises(CommandError, match="no course 'nope'"):
        gift_export("nope")
