"""Instructor and admin insights: statistics on a small hand-computed dataset, pages, CSV,
permissions, bounded queries and the demo seed command."""

import csv
import io
import math
import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courseapp.catalog.models import Course, Lesson
from courseapp.flashcards.models import CardState, Review
from courseapp.insights import selectors
from courseapp.insights.charts import nice_ceiling
from courseapp.progress.models import Enrollment, LessonProgress
from courseapp.quizzes.models import Attempt, Question
from tests.factories import CourseFactory, LessonFactory
from tests.parallel import run_in_parallel

NOW = timezone.now()
BASE = NOW - timedelta(days=30)


def _student(django_user_model, name, **extra):
    return django_user_model.objects.create_user(name, f"{name}@example.org", "x", **extra)


def _answer(user, key, correct, *, minute, answer=None, revealed=False):
    """An attempt as the quiz records it (called in time order per student and question)."""
    question = Question.objects.get(key=key)
    answered = question.attempts.filter(user=user, revealed=False).exists()
    return Attempt.objects.create(
        user=user,
        question=question,
        answer=answer,
        correct=correct,
        revealed=revealed,
        first=not revealed and not answered,
        created_at=BASE + timedelta(minutes=minute),
    )


def _progress(user, slug, *, completed, viewed=BASE):
    lesson = Lesson.objects.get(slug=slug)
    LessonProgress.objects.create(
        user=user,
        lesson=lesson,
        course=lesson.course,
        first_viewed_at=viewed,
        last_viewed_at=viewed,
        completed_at=viewed if completed else None,
    )


@pytest.fixture
def dataset(demo_course, django_user_model):
    """Five enrolled students with hand-computable statistics (see the tests for the values).

    First-attempt scores (1 correct, 0 wrong) on three questions:
        image-vs-container  layers-true-false  list-command   total
    a          1                  1                1            3
    b          1                  0                1            2
    c          0                  1                0            1
    d          0                  0                -            0
    """
    a, b, c, d, e = (
        _student(django_user_model, name) for name in ["anna", "bert", "cleo", "dora", "emil"]
    )
    b.first_name, b.last_name = "Bertha", "Benz"
    b.save()
    for user in (a, b, c, d, e):
        Enrollment.objects.create(user=user, course=demo_course, started_at=BASE)
    _answer(a, "image-vs-container", True, minute=1, answer=["template"])
    _answer(a, "layers-true-false", True, minute=2, answer=False)
    _answer(a, "list-command", True, minute=3, answer="docker ps")
    _answer(b, "image-vs-container", True, minute=1, answer=["template"])
    _answer(b, "layers-true-false", False, minute=2, answer=True)
    _answer(b, "layers-true-false", True, minute=3, answer=False)
    b_last = _answer(b, "list-command", True, minute=4, answer="docker ps")
    b_last.created_at = NOW - timedelta(days=2)  # active this week through an answer only
    b_last.save()
    _answer(c, "image-vs-container", False, minute=1, answer=["same"])
    _answer(c, "image-vs-container", True, minute=2, revealed=True)
    _answer(c, "image-vs-container", True, minute=3, answer=["template"])
    _answer(c, "layers-true-false", True, minute=4, answer=False)
    _answer(c, "list-command", False, minute=5, answer="docker ls")
    # A reveal before any answer is not a first attempt.
    _answer(d, "layers-true-false", False, minute=0, revealed=True)
    _answer(d, "layers-true-false", False, minute=1, answer=True)
    _answer(d, "image-vs-container", False, minute=2, answer=["same"])
    _answer(d, "image-vs-container", False, minute=3, answer=["same"])  # a retry: not first
    for slug in ("welcome", "commands", "ordering"):
        _progress(a, slug, completed=True, viewed=NOW - timedelta(days=1))
    _progress(b, "welcome", completed=True, viewed=NOW - timedelta(days=10))
    _progress(b, "commands", completed=False, viewed=NOW - timedelta(days=10))
    _progress(c, "welcome", completed=True, viewed=NOW - timedelta(days=20))
    _progress(d, "welcome", completed=False, viewed=NOW - timedelta(days=20))
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "course": demo_course}


@pytest.fixture
def staff(django_user_model):
    return _student(django_user_model, "root", is_staff=True)


@pytest.fixture
def as_staff(client, staff):
    client.force_login(staff)
    return client


def _items(course):
    return {item.question.key: item for item in selectors.item_statistics(course)}


def test_facility_discrimination_and_counts_match_hand_computed_values(dataset):
    items = _items(dataset["course"])
    image = items["image-vs-container"]
    # x = 1,1,0,0; rest = 2,1,1,0: r = (4*3 - 2*4) / sqrt((4*2 - 4) * (4*6 - 16)) = 1/sqrt(2)
    assert (image.students, image.correct, image.facility) == (4, 2, 0.5)
    assert image.discrimination == pytest.approx(1 / math.sqrt(2))
    assert image.attempts == 6 and image.reveals == 1
    assert image.top_wrong == "Image and container are two names for the same thing."
    assert image.top_wrong_count == 2
    layers = items["layers-true-false"]
    # x = 1,0,1,0; rest = 2,2,0,0: covariance 0
    assert (layers.students, layers.facility, layers.reveals) == (4, 0.5, 1)
    assert layers.discrimination == pytest.approx(0.0)
    assert layers.top_wrong is None  # not a choice question
    listing = items["list-command"]
    # x = 1,1,0; rest = 2,1,1: r = (3*3 - 2*4) / sqrt((3*2 - 4) * (3*6 - 16)) = 0.5
    assert listing.facility == pytest.approx(2 / 3)
    assert listing.discrimination == pytest.approx(0.5)
    unanswered = items["port-number"]
    assert (unanswered.students, unanswered.facility, unanswered.discrimination) == (0, None, None)
    assert not any(item.flags for item in items.values())  # fewer than 5 students each


def test_questions_with_very_low_facility_or_negative_discrimination_are_flagged(
    demo_course, django_user_model
):
    # Only the weakest student gets image-vs-container right; nobody gets port-number right.
    scores = [(0, 1, 1), (0, 1, 1), (0, 1, 0), (1, 0, 0), (0, 0, 0)]
    for i, (image, layers, listing) in enumerate(scores):
        user = _student(django_user_model, f"s{i}")
        _answer(user, "image-vs-container", bool(image), minute=1, answer=["template"])
        _answer(user, "layers-true-false", bool(layers), minute=2, answer=False)
        _answer(user, "list-command", bool(listing), minute=3, answer="x")
        _answer(user, "port-number", False, minute=4, answer=81)
    items = _items(demo_course)
    assert items["image-vs-container"].discrimination < 0
    assert items["image-vs-container"].flags == ["negative discrimination"]
    assert items["port-number"].flags == ["very low facility"]
    assert items["layers-true-false"].flags == []


def test_overview_funnel_and_median_match_hand_computed_values(dataset):
    course = dataset["course"]
    overview = selectors.course_overview(course, now=NOW)
    # Completed lessons per student: 3, 1, 1, 0, 0 of 3 -> median 1 lesson = 33.3%.
    assert (overview.lessons, overview.enrolled, overview.completed_course) == (3, 5, 1)
    assert overview.median_progress == pytest.approx(100 / 3)
    assert overview.active == 2  # anna viewed yesterday, bert answered two days ago
    bins = {b.label: b.students for b in overview.distribution if b.students}
    assert bins == {"0\N{EN DASH}9%": 2, "30\N{EN DASH}39%": 2, "100%": 1}
    funnel = [
        (lesson.slug, lesson.viewed, lesson.completed) for lesson in selectors.lesson_funnel(course)
    ]
    assert funnel == [("welcome", 4, 3), ("commands", 2, 1), ("ordering", 1, 1)]


def test_median_of_an_even_number_of_students_averages_the_middle_two():
    assert selectors._median([(0, 2), (1, 1), (3, 1)]) == 0.5
    assert selectors._median([]) is None


def test_students_table_sorts_searches_and_paginates(as_staff, dataset, monkeypatch):
    url = "/insights/demo/"
    html = as_staff.get(url, {"sort": "-progress"}).content.decode()
    assert html.index(">anna<") < html.index(">bert<")
    assert 'aria-sort="descending"' in html
    html = as_staff.get(url, {"sort": "-accuracy"}).content.decode()
    # accuracy: anna 100%, bert 67%, cleo 33%, dora 0%, emil none (last)
    order = [html.index(f">{name}<") for name in ("anna", "bert", "cleo", "dora", "emil")]
    assert order == sorted(order)
    html = as_staff.get(url, {"q": "benz"}).content.decode()
    assert ">bert<" in html and ">anna<" not in html
    monkeypatch.setattr("courseapp.insights.views.STUDENTS_PER_PAGE", 2)
    html = as_staff.get(url, {"page": 2}).content.decode()
    assert "Page 2 of 3" in html and ">cleo<" in html and ">anna<" not in html
    partial = as_staff.get(url, {"page": 2}, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<section class="insights-section" id="students"')
    assert "Completion funnel" not in partial


def test_page_draws_accessible_svg_charts_without_inline_styles(as_staff, dataset):
    response = as_staff.get("/insights/demo/")
    html = response.content.decode()
    assert html.count('role="img"') == 2
    assert '<title id="funnel-title">Completion funnel by lesson</title>' in html
    assert '<desc id="funnel-desc">3 lessons in course order. Of 5 enrolled students' in html
    assert "Funnel as a table" in html and "Distribution as a table" in html
    assert "style=" not in html and "<style" not in html and "<script>" not in html
    assert "very low facility" not in html


def test_student_detail_lists_every_lesson_and_attempt(as_staff, dataset):
    cleo = dataset["c"]
    html = as_staff.get(f"/insights/demo/students/{cleo.pk}/").content.decode()
    assert html.count('class="state-') == 3
    assert "completed" in html and "not started" in html
    assert (
        "✗ incorrect (same)" in html and "shown answer" in html and "✓ correct (template)" in html
    )
    outsider = _student(type(cleo), "zed")
    assert as_staff.get(f"/insights/demo/students/{outsider.pk}/").status_code == 404


def test_students_csv_has_headers_and_escapes_cells(as_staff, dataset):
    dataset["b"].first_name, dataset["b"].last_name = "=HYPERLINK(1)", 'O"Neil, Jr'
    dataset["b"].save()
    response = as_staff.get("/insights/demo/students.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="demo-students.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == [
        "username",
        "name",
        "progress_percent",
        "lessons_completed",
        "lessons_total",
        "questions_attempted",
        "first_attempt_accuracy_percent",
        "last_activity",
    ]
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["bert"][1] == "'=HYPERLINK(1) O\"Neil, Jr"
    assert by_name["bert"][2:7] == ["33", "1", "3", "3", "67"]
    assert by_name["emil"][6] == ""


def test_questions_csv_has_the_item_statistics(as_staff, dataset):
    response = as_staff.get("/insights/demo/questions.csv")
    assert response["Content-Disposition"] == 'attachment; filename="demo-questions.csv"'
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    image = next(row for row in rows if row["question"] == "image-vs-container")
    assert image["facility"] == "0.500" and image["discrimination"] == "0.707"
    assert image["students"] == "4" and image["attempts"] == "6" and image["reveals"] == "1"
    assert image["most_chosen_wrong_answer_count"] == "2"
    assert len(rows) == Question.objects.count()


URLS = ["/insights/demo/", "/insights/demo/students.csv", "/insights/demo/questions.csv"]


@pytest.mark.parametrize("url", URLS)
def test_students_other_instructors_and_anonymous_users_are_kept_out(
    client, demo_course, django_user_model, url
):
    assert client.get(url)["Location"].startswith("/accounts/login/")
    other = CourseFactory()
    teacher = _student(django_user_model, "teacher")
    other.instructors.add(teacher)
    for user in (_student(django_user_model, "pupil"), teacher):
        client.force_login(user)
        assert client.get(url).status_code == 403
    demo_course.instructors.add(teacher)
    assert client.get(url).status_code == 200


def test_student_detail_is_kept_from_other_users(client, dataset):
    client.force_login(dataset["a"])
    assert client.get(f"/insights/demo/students/{dataset['b'].pk}/").status_code == 403


def test_admins_see_every_course_and_unknown_courses_are_404(as_staff, demo_course):
    hidden = CourseFactory(published=False, title="Hidden course")
    html = as_staff.get("/insights/").content.decode()
    assert "Hidden course" in html and demo_course.title in html
    assert as_staff.get(f"/insights/{hidden.slug}/").status_code == 200
    assert as_staff.get("/insights/nope/").status_code == 404


def test_outline_links_to_insights_only_for_those_who_may_see_them(client, dataset):
    client.force_login(dataset["a"])
    assert b"/insights/demo/" not in client.get("/courses/demo/").content
    dataset["course"].instructors.add(dataset["a"])
    assert b"/insights/demo/" in client.get("/courses/demo/").content


def _grow(course: Course, django_user_model, *, students: int, lessons: int):
    """More students, lessons and attempts: the query counts must not change."""
    module = course.modules.first()
    for _ in range(lessons):
        LessonFactory(course=course, module=module)
    questions = list(Question.objects.filter(course=course))
    for i in range(students):
        user = _student(django_user_model, f"extra{i}")
        Enrollment.objects.create(user=user, course=course)
        for lesson in Lesson.objects.filter(course=course):
            LessonProgress.objects.create(user=user, lesson=lesson, course=course)
        for question in questions:
            Attempt.objects.create(
                user=user, question=question, answer=["same"], correct=False, first=True
            )
            Attempt.objects.create(user=user, question=question, answer=["x"], correct=True)


@pytest.mark.parametrize("url", [*URLS, "/insights/demo/?sort=-accuracy&q=e"])
def test_query_counts_are_bounded_and_independent_of_size(
    as_staff, dataset, django_user_model, django_assert_max_num_queries, url
):
    def count() -> int:
        cache.clear()  # the statistics themselves, not their cached fragments
        with CaptureQueriesContext(connection) as queries:
            response = as_staff.get(url)
            assert response.status_code == 200
            if response.streaming:
                b"".join(response.streaming_content)
        return len(queries)

    small = count()
    _grow(dataset["course"], django_user_model, students=6, lessons=3)
    with django_assert_max_num_queries(18):
        assert count() == small


def test_course_statistics_are_cached_for_a_minute_and_the_students_stay_live(
    as_staff, dataset, django_user_model
):
    first = as_staff.get("/insights/demo/").content.decode()
    assert "<dt>Enrolled</dt><dd>5</dd>" in first and "Statistics as of" in first
    newcomer = django_user_model.objects.create_user("zelda")
    Enrollment.objects.create(user=newcomer, course=dataset["course"], started_at=timezone.now())
    with CaptureQueriesContext(connection) as cached:
        second = as_staff.get("/insights/demo/").content.decode()
    assert "<dt>Enrolled</dt><dd>5</dd>" in second  # the cached statistics
    assert "zelda" in second  # the students table is computed on every request
    cache.clear()  # a minute later
    with CaptureQueriesContext(connection) as fresh:
        third = as_staff.get("/insights/demo/").content.decode()
    assert "<dt>Enrolled</dt><dd>6</dd>" in third
    assert len(cached.captured_queries) < len(fresh.captured_queries)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need their own connections")
def test_parallel_requests_for_cold_statistics_compute_them_once(
    demo_course, django_user_model, monkeypatch
):
    staff = django_user_model.objects.create_user("boss", is_staff=True)
    computed = []

    def slow_item_statistics(course):
        computed.append(course.pk)
        time.sleep(0.2)  # long enough for every request to arrive meanwhile
        return []

    monkeypatch.setattr(selectors, "item_statistics", slow_item_statistics)

    def fetch() -> int:
        client = Client()
        client.force_login(staff)
        return client.get("/insights/demo/").status_code

    statuses = run_in_parallel(fetch, 4)
    assert statuses == [200] * 4
    assert computed == [demo_course.pk]


def test_student_detail_queries_are_bounded(as_staff, dataset, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        assert as_staff.get(f"/insights/demo/students/{dataset['a'].pk}/").status_code == 200


def test_nice_axis_tops():
    assert [nice_ceiling(v) for v in (0, 1, 3, 7, 10, 11, 240, 1000)] == [
        1,
        1,
        5,
        10,
        10,
        20,
        500,
        1000,
    ]


def test_seed_demo_creates_students_progress_and_attempts(demo_course, django_user_model):
    out = io.StringIO()
    call_command("seed_demo", course=["demo"], students=30, seed=1, stdout=out)
    assert out.getvalue().startswith("Seeded 30 demo students in 1 course(s): 30 enrollments")
    assert out.getvalue().count("\n") == 1
    users = list(django_user_model.objects.filter(username__startswith="student"))
    assert len(users) == 30 and users[0].check_password("demo-password-1")
    assert len({user.password for user in users}) == 1  # hashed once
    assert LessonProgress.objects.count() >= 30
    attempts = Attempt.objects.all()
    assert attempts.filter(revealed=True).exists() and attempts.filter(correct=False).exists()
    # Retries until correct: every question a student answered wrong first is solved later.
    wrong = set(attempts.filter(correct=False, revealed=False).values_list("user", "question"))
    right = set(attempts.filter(correct=True).values_list("user", "question"))
    assert wrong <= right
    oldest = attempts.order_by("created_at").first().created_at
    assert timezone.now() - oldest <= timedelta(days=60)
    # Flashcards: reviewed when due, one state per student and card, ratings of every kind.
    reviews = Review.objects.all()
    assert f"{reviews.count()} flashcard reviews" in out.getvalue()
    ratings = set(reviews.values_list("rating", flat=True))
    assert ratings <= {1, 2, 3, 4} and len(ratings) > 1
    assert reviews.count() > CardState.objects.count() > 0  # cards come back when due
    states = CardState.objects.all()
    assert {(s.user_id, s.card_id) for s in states} == set(reviews.values_list("user", "card"))
    assert all(state.last_review == state_last_review(state) for state in states)
    assert reviews.filter(reviewed_at__gt=timezone.now()).count() == 0
    with pytest.raises(CommandError, match="already exist; pass --reset"):
        call_command("seed_demo", course=["demo"], students=5, stdout=io.StringIO())
    call_command("seed_demo", course=["demo"], students=5, reset=True, stdout=io.StringIO())
    assert Enrollment.objects.count() == 5


def state_last_review(state):
    return (
        Review.objects.filter(user=state.user_id, card=state.card_id)
        .order_by("-reviewed_at")
        .values_list("reviewed_at", flat=True)
        .first()
    )


def test_seed_demo_refuses_unknown_courses(db):
    with pytest.raises(CommandError, match="Unknown course nope"):
        call_command("seed_demo", course=["nope"], students=5, stdout=io.StringIO())
