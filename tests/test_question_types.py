"""A new kind of question needs one class and its template, nothing else: this module adds one
(a word count, answered with a whole number) through the class interface alone and takes it
through import, the lesson page, answering and the statistics."""

import io
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from courseapp.quizzes import types
from courseapp.quizzes.models import Attempt, Question
from courseapp.quizzes.selectors import question_for_answer
from courseapp.quizzes.services import attempt_submit
from courseapp.quizzes.types import (
    EmptyAnswer,
    Fence,
    Grade,
    QuestionSource,
    QuestionType,
    TamperedAnswer,
)
from tests.factories import UserFactory


class WordCount(QuestionType):
    name = "word_count"
    label = "Word count"
    keys = frozenset({"words"})

    def parse(self, fence: Fence, question: QuestionSource) -> None:
        words = fence.data.get("words")
        if not isinstance(words, int) or words < 1:
            fence.error(f"words must be a whole number of at least 1, not {words!r}", "words")
        question.answer = {"words": words}

    def read(self, choices, data) -> int:
        value = data.get("answer", "").strip()
        if not value:
            raise EmptyAnswer("Count the words first.")
        if not (value.isascii() and value.isdigit() and len(value) < 6):
            raise TamperedAnswer("a whole number is expected")
        return int(value)

    def grade(self, question, choices, answer) -> Grade:
        return Grade(answer == question.answer["words"])

    def describe(self, question, choices, answer) -> str:
        return f"{answer} words"

    def wrong_answer_group(self, answer) -> str | None:
        return str(answer)

    def sample_answer(self, question, choices, *, correct, rng) -> int:
        return question.answer["words"] + (0 if correct else 1)


TEMPLATE = """{% partialdef input %}<label for="q-{{ view.key }}-input">Number of words</label>
<input id="q-{{ view.key }}-input" name="answer" inputmode="numeric">{% endpartialdef %}
{% partialdef answer %}<p>{{ view.question.answer.words }} words</p>{% endpartialdef %}
"""

FENCE = """
```quiz
id: count-the-words
type: word_count
prompt: How many words are in "containers share the host kernel"?
words: 5
explanation: Five words.
```
"""

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def word_count(monkeypatch, settings, tmp_path):
    monkeypatch.setitem(types._REGISTRY, WordCount.name, WordCount())
    folder = tmp_path / "templates" / "quizzes" / "types"
    folder.mkdir(parents=True)
    (folder / "word_count.html").write_text(TEMPLATE)
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates", *settings.TEMPLATES[0]["DIRS"]]}
    ]


@pytest.fixture
def course_with_word_count(db, word_count, content_root):
    lesson = content_root / "demo" / "01-first-steps" / "01-welcome.md"
    lesson.write_text(lesson.read_text() + FENCE)
    call_command("import_content", str(content_root), stdout=io.StringIO())


def test_the_new_type_imports_renders_and_grades(course_with_word_count, client, student_client):
    question = Question.objects.get(key="count-the-words")
    assert question.kind.label == "Word count"
    page = client.get("/courses/demo/welcome/").content.decode()
    assert "Number of words" in page
    assert "5 words" not in page  # the key stays out of the page

    url = "/courses/demo/questions/count-the-words/answer/"
    wrong = student_client.post(url, {"answer": "4"}, **HTMX).content.decode()
    assert "Incorrect" in wrong
    right = student_client.post(url, {"answer": "5"}, **HTMX).content.decode()
    assert "Correct" in right
    assert "5 words" in right
    assert student_client.post(url, {"answer": "five"}, **HTMX).status_code == 400
    assert [a.answer for a in Attempt.objects.order_by("pk")] == [4, 5]


def test_the_new_type_feeds_the_question_statistics(course_with_word_count):
    from courseapp.insights.selectors import item_statistics

    question = Question.objects.get(key="count-the-words")
    for _ in range(3):
        answering = question_for_answer(question.course, question.key)
        attempt_submit(user=UserFactory(), question=answering, answer=4)
    item = next(i for i in item_statistics(question.course) if i.question.pk == question.pk)
    assert (item.top_wrong, item.top_wrong_count) == ("4 words", 3)
    assert question.kind.sample_answer(question, [], correct=True, rng=random.Random(1)) == 5


def test_a_bad_key_of_the_new_type_is_a_content_error(db, word_count, content_root):
    lesson = content_root / "demo" / "01-first-steps" / "01-welcome.md"
    lesson.write_text(lesson.read_text() + FENCE.replace("words: 5", "words: none"))
    err = io.StringIO()
    with pytest.raises(Exception, match="content has errors"):
        call_command("import_content", str(content_root), stdout=io.StringIO(), stderr=err)
    assert "quiz: words must be a whole number of at least 1, not 'none'" in err.getvalue()


def test_nothing_outside_the_types_switches_on_a_type_name(settings):
    """No comparison or match on a question's type outside the types package (code and
    templates): behaviour that varies by type lives in the type's class."""
    switch = re.compile(r"\.type\s*(==|!=|in\s)|match\s+\S*\.type\b|kind\.name\s*==\s*['\"]")
    root = Path(settings.BASE_DIR)
    files = [*(root / "courseapp").rglob("*.py"), *(root / "templates").rglob("*.html")]
    found = [
        f"{path.relative_to(root)}: {line.strip()}"
        for path in files
        if "types" not in path.parent.parts and "migrations" not in path.parts
        for line in path.read_text().splitlines()
        if switch.search(line)
    ]
    assert found == []


def test_check_reads_files_only_and_needs_no_database(settings):
    result = subprocess.run(
        [sys.executable, "manage.py", "import_content", "tests/fixtures/content", "--check"],
        cwd=settings.BASE_DIR,
        env={
            "PATH": "/usr/bin:/bin",
            "SECRET_KEY": "check",
            "DATABASE_URL": "postgres://nobody@127.0.0.1:9/none",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "no errors" in result.stdout
