"""The shipped course: it imports, its answer keys are right, its code is valid, its words are ours."""

import ast
import io
import json
import random
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from pygments.lexers import get_lexer_by_name
from pygments.token import Error

from courseapp.catalog.models import Lesson
from courseapp.markup.markdown import find_fences
from courseapp.pipeline.sources import read_content
from courseapp.quizzes.files import read_file
from courseapp.quizzes.selectors import lesson_questions
from courseapp.quizzes.services import question_grade
from courseapp.quizzes.types import question_types

CONTENT = Path(settings.BASE_DIR) / "content"
COURSE = CONTENT / "docker-kubernetes"
SEEDS = Path(settings.BASE_DIR).parent / "shared" / "seeds"
MARKDOWN_FILES = sorted(COURSE.rglob("*.md"))
LEXED = {
    "dockerfile",
    "bash",
    "sh",
    "shell",
    "console",
    "ini",
    "toml",
    "nginx",
    "go",
    "text",
    "sql",
    "hcl",
}


@pytest.fixture(scope="module")
def tree():
    return read_content(CONTENT)


def test_the_course_validates(tree):
    assert tree.errors == []
    assert [course.slug for course in tree.courses] == ["docker-kubernetes"]


def test_the_course_is_big_enough(tree):
    course = tree.courses[0]
    questions = [q for lesson in course.lessons for q in lesson.questions]
    types = Counter(q.type for q in questions)
    assert len(course.modules) >= 19
    assert len(course.lessons) >= 68
    assert len(questions) >= 300
    assert sum(len(deck.cards) for deck in course.decks) >= 260
    assert set(types) == set(question_types())
    assert types["command"] >= 40
    assert types["dockerfile"] + types["compose"] + types["kubernetes"] >= 25
    thin = [lesson.slug for lesson in course.lessons if len(lesson.questions) < 3]
    assert thin == []


def _questions(tree, *types: str) -> list:
    return [q for lesson in tree.courses[0].lessons for q in lesson.questions if q.type in types]


def test_the_right_choice_is_not_given_away_by_its_position(tree):
    singles = _questions(tree, "single")
    first = [q.key for q in singles if q.choices[0].correct]
    assert len(first) <= 0.4 * len(singles), first
    multiples = _questions(tree, "multiple")
    correct_first = [
        q.key
        for q in multiples
        if [c.correct for c in q.choices] == sorted((c.correct for c in q.choices), reverse=True)
    ]
    assert len(correct_first) <= 0.3 * len(multiples), correct_first


def test_true_and_false_are_balanced(tree):
    answers = [q.answer["answer"] for q in _questions(tree, "true_false")]
    assert 0.4 <= sum(answers) / len(answers) <= 0.6


def test_order_questions_have_one_order_of_distinct_items(tree):
    for question in _questions(tree, "order"):
        texts = [choice.text_html for choice in question.choices]
        assert len(set(texts)) == len(texts) >= 3, question.key


def test_every_text_question_shows_an_accepted_answer(tree):
    for lesson in tree.courses[0].lessons:
        for question in lesson.questions:
            if question.type == "text":
                assert question.answer["accept"], question.key


@pytest.mark.django_db
def test_every_question_grades_its_key_correct_and_a_wrong_answer_incorrect(client):
    call_command("import_content", str(CONTENT), stdout=io.StringIO())
    rng = random.Random(7)
    questions = [
        question
        for lesson_id in Lesson.objects.values_list("pk", flat=True)
        for question in lesson_questions(lesson_id)
    ]
    assert len(questions) >= 150
    for question in questions:
        kind = question.kind
        right = kind.sample_answer(question, question.choices, correct=True, rng=rng)
        wrong = kind.sample_answer(question, question.choices, correct=False, rng=rng)
        assert question_grade(question, right).correct, question.key
        assert not question_grade(question, wrong).correct, question.key
        for accepted in question.answer.get("accept", []):
            assert question_grade(question, accepted).correct, (question.key, accepted)


@pytest.mark.django_db
def test_every_lesson_page_renders(client):
    call_command("import_content", str(CONTENT), stdout=io.StringIO())
    from courseapp.catalog.models import Lesson

    for lesson in Lesson.objects.select_related("course"):
        response = client.get(lesson.get_absolute_url())
        assert response.status_code == 200, lesson.slug
        assert response.content.count(b'<section class="question') == lesson.questions.count()


def code_blocks(path: Path):
    lines = path.read_text().splitlines()
    for fence in find_fences(lines):
        yield fence.start + 1, fence.info, "\n".join(lines[fence.start + 1 : fence.end])


@pytest.mark.parametrize("path", MARKDOWN_FILES, ids=lambda p: str(p.relative_to(COURSE)))
def test_code_blocks_are_valid(path):
    for line, language, code in code_blocks(path):
        where = f"{path}:{line}"
        assert language, f"{where}: a code block needs a language"
        if language == "quiz":
            continue
        if language == "yaml":
            list(yaml.safe_load_all(code))
        elif language == "json":
            json.loads(code)
        elif language == "python":
            ast.parse(code)
        else:
            assert language in LEXED, f"{where}: unexpected language {language!r}"
            errors = [
                value
                for kind, value in get_lexer_by_name(language).get_tokens(code)
                if kind is Error
            ]
            assert not errors, f"{where}: {language} does not lex: {errors[:5]}"


# Files the course shows that are not Kubernetes API objects (config files, custom resources of
# tools the course presents): the schemas do not know them, and that alone is no error.
NOT_API_KINDS = {
    "Config",  # kubeconfig
    "EncryptionConfiguration",
    "Kustomization",
    "Gateway",  # Gateway API, a CRD
    "HTTPRoute",
    "Application",  # Argo CD
    "GitRepository",  # Flux
}
NOT_API_KIND_RE = re.compile(r"Kubernetes [0-9.]+ has no kind `([A-Za-z]+)`")


def manifests(path: Path):
    """The YAML blocks of a file that are Kubernetes manifests or Compose files, with the
    format to validate them as."""
    for line, language, code in code_blocks(path):
        if language != "yaml":
            continue
        documents = [document for document in yaml.safe_load_all(code) if document is not None]
        if documents and all(
            isinstance(d, dict) and {"apiVersion", "kind"} <= d.keys() for d in documents
        ):
            yield line, "kubernetes", code
        elif len(documents) == 1 and isinstance(documents[0], dict) and "services" in documents[0]:
            yield line, "compose", code


@pytest.mark.parametrize("path", MARKDOWN_FILES, ids=lambda p: str(p.relative_to(COURSE)))
def test_every_manifest_and_compose_file_validates(path):
    """Strictly against the Kubernetes 1.35 schemas, or the Compose Specification."""
    for line, kind, code in manifests(path):
        problems = [
            str(problem)
            for problem in read_file(kind, code).problems
            if (NOT_API_KIND_RE.search(problem.message) or [None, None])[1] not in NOT_API_KINDS
        ]
        assert problems == [], f"{path}:{line}: {problems}"


WORD_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
RUN = 12


def runs(text: str) -> set[tuple[str, ...]]:
    words = WORD_RE.findall(text.lower())
    return {tuple(words[i : i + RUN]) for i in range(len(words) - RUN + 1)}


def prose(path: Path) -> str:
    """The file without its code blocks (quiz fences are kept: they are prose too)."""
    lines = path.read_text().splitlines()
    for fence in reversed(find_fences(lines)):
        if fence.info != "quiz":
            del lines[fence.start : fence.end + 1]
    return "\n".join(lines)


def test_no_sentence_is_copied_from_the_seeds():
    if not SEEDS.is_dir():
        pytest.skip(f"the seed notes are not beside this checkout ({SEEDS})")
    seed_runs = set().union(*(runs(p.read_text(errors="replace")) for p in SEEDS.glob("*.txt")))
    copied = {
        str(path.relative_to(COURSE)): " ".join(run)
        for path in MARKDOWN_FILES
        for run in runs(prose(path)) & seed_runs
    }
    assert copied == {}
