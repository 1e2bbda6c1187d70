"""The benchmark's data, the scenarios' request plans and the exam start, built inside Django
(import this module after django.setup())."""

import contextlib
import os
import runpy
from collections.abc import Iterator
from unittest import mock

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Prefetch
from django.templatetags.static import static
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

import courseapp.settings
from bench.generate import COURSE_SLUG
from bench.scenarios import CSRF_TOKEN, ExamStart, Scenario, get, post
from bench.workspace import BenchError
from courseapp.catalog.models import Course, Lesson
from courseapp.insights.services import demo_seed
from courseapp.quizzes.models import Choice, Question

REAL_COURSE_SLUG = "docker-kubernetes"
SEARCHES = ["docker", "volume", "kubernetes service", "image layers", "compose", "swarm", "pod"]


def data_seed(students: int) -> dict:
    courses = [Course.objects.get(slug=REAL_COURSE_SLUG), Course.objects.get(slug=COURSE_SLUG)]
    summary = demo_seed(courses=courses, students=students)
    get_user_model().objects.create_user("bench-admin", is_staff=True)
    with connection.cursor() as cursor:
        # Settle the bulk inserts now, so autovacuum does not run during the measurements.
        cursor.execute("VACUUM ANALYZE")
    return {
        "students": summary.students,
        "enrollments": summary.enrollments,
        "lesson_progress": summary.progress,
        "attempts": summary.attempts,
        "flashcard_reviews": summary.reviews,
    }


def scenarios(sessions: int) -> list[Scenario]:
    """Every scenario, the baseline first; signed-in ones rotate over `sessions` students."""
    students = [cookie(user) for user in seeded_students()[:sessions]]
    admin = cookie(get_user_model().objects.get(username="bench-admin"))
    course = Course.objects.get(slug=REAL_COURSE_SLUG)
    lessons = [lesson.get_absolute_url() for lesson in lesson_list(course)]
    answers = answer_bodies(course)
    return [
        get("baseline", ["/bench/trivial/"]),
        get("healthz probe", ["/healthz"]),
        get("static file", [static("css/site.css")]),
        get("anonymous lesson", lessons),
        get("signed-in lesson", lessons, students),
        post("answer (htmx)", answers, students),
        post("mark complete (htmx)", [(f"{url}complete/", "") for url in lessons], students),
        get("dashboard", [reverse("pages:dashboard")], students),
        get("insights", [reverse("insights:course", args=[REAL_COURSE_SLUG])], [admin]),
        get("insights (300 lessons)", [reverse("insights:course", args=[COURSE_SLUG])], [admin]),
        get("search", [f"{reverse('catalog:search')}?q={q.replace(' ', '+')}" for q in SEARCHES]),
    ]


def lesson_list(course: Course) -> list[Lesson]:
    lessons = Lesson.objects.published().filter(course=course).select_related("course")
    return list(lessons.order_by("sequence"))


def answer_bodies(course: Course) -> list[tuple[str, str]]:
    """(URL, form body) pairs: every single-choice question, answered right and wrong."""
    pairs = []
    for question in single_choice_questions(course).order_by("position"):
        url = reverse("pages:answer", args=[course.slug, question.key])
        pairs += [(url, body) for body in wrong_and_right(question)]
    return pairs


def single_choice_questions(course: Course):
    """The course's current single-choice questions, each with its `choice_list`."""
    questions = Question.objects.current().filter(course=course, type="single")
    current_choices = Prefetch("choices", Choice.objects.current(), to_attr="choice_list")
    return questions.prefetch_related(current_choices)


def wrong_and_right(question: Question) -> tuple[str, str]:
    """Form bodies answering the question wrong, then right."""
    right = next(choice for choice in question.choice_list if choice.correct)
    wrong = next(choice for choice in question.choice_list if not choice.correct)
    return f"choice={wrong.pk}", f"choice={right.pk}"


def exam_starts(students: int, passes: int) -> list[ExamStart]:
    """One exam start a pass, each with `students` students of its own (the second pass does
    not answer again for the first): they open the first lesson of the real course with a
    single-choice question and answer that question, wrong and right in turn."""
    users = list(seeded_students()[: students * passes])
    if len(users) < students * passes:
        raise BenchError(f"{passes} exam starts of {students} need more seeded students")
    course = Course.objects.get(slug=REAL_COURSE_SLUG)
    question = (
        single_choice_questions(course)
        .filter(lesson__in=Lesson.objects.published())
        .select_related("lesson__course")
        .order_by("lesson__sequence", "position")
        .first()
    )
    return [
        ExamStart(
            lesson=question.lesson.get_absolute_url(),
            answer=reverse("pages:answer", args=[course.slug, question.key]),
            bodies=wrong_and_right(question),
            cookies=tuple(cookie(user) for user in users[start : start + students]),
        )
        for start in range(0, students * passes, students)
    ]


def seeded_students():
    return get_user_model().objects.filter(username__startswith="student").order_by("username")


def cookie(user) -> str:
    """The Cookie header of a session logged in as `user`, with the run's CSRF secret."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={CSRF_TOKEN}"


@contextlib.contextmanager
def redis_configured(redis_url: str) -> Iterator[None]:
    """This process's caches and sessions as courseapp.settings configures them for REDIS_URL,
    so that queries_per_request counts what the Redis pass's server runs."""
    with mock.patch.dict(os.environ, REDIS_URL=redis_url):
        configured = runpy.run_path(courseapp.settings.__file__)
    caches_and_sessions = {
        name: configured[name] for name in ("CACHES", "SESSION_ENGINE", "SESSION_CACHE_ALIAS")
    }
    with override_settings(**caches_and_sessions):
        yield


def queries_per_request(scenario: Scenario) -> int:
    """SQL queries of the plan's first request, sent twice by the test client: the second."""
    method, path, cookie_header, body = scenario.lines[0].split("\t")
    client = Client(enforce_csrf_checks=True)
    for pair in filter(None, cookie_header.split("; ")):
        name, value = pair.split("=", 1)
        client.cookies[name] = value
    headers = {"X-CSRFToken": CSRF_TOKEN, "HX-Request": "true"} if method == "POST" else {}
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            if method == "POST":
                response = client.post(
                    path, body, content_type="application/x-www-form-urlencoded", headers=headers
                )
            else:
                response = client.get(path)
        if response.status_code != scenario.expected:
            raise BenchError(
                f"{scenario.name}: {method} {path} answered {response.status_code}, "
                f"not {scenario.expected}"
            )
    return len(queries)
