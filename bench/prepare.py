"""The benchmark's data and the scenarios' request plans, built inside Django (import this
module after django.setup())."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Prefetch
from django.templatetags.static import static
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.generate import COURSE_SLUG
from bench.scenarios import CSRF_TOKEN, Scenario, get, post
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
    students = [
        cookie(user)
        for user in get_user_model()
        .objects.filter(username__startswith="student")
        .order_by("username")[:sessions]
    ]
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
    questions = Question.objects.current().filter(course=course, type="single")
    current_choices = Prefetch("choices", Choice.objects.current(), to_attr="choice_list")
    for question in questions.prefetch_related(current_choices).order_by("position"):
        url = reverse("pages:answer", args=[course.slug, question.key])
        right = next(choice for choice in question.choice_list if choice.correct)
        wrong = next(choice for choice in question.choice_list if not choice.correct)
        pairs += [(url, f"choice={wrong.pk}"), (url, f"choice={right.pk}")]
    return pairs


def cookie(user) -> str:
    """The Cookie header of a session logged in as `user`, with the run's CSRF secret."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={CSRF_TOKEN}"


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
