"""Instructor and admin insights: statistics on a small hand-computed dataset, pages, CSV,
permissions, bounded queries and the demo seed command."""

import csv
import io
import math
import random
import threading
import time
from dataclasses import replace
from datetime import timedelta

import pytest
from django.contrib.auth.models import update_last_login
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courseapp.catalog.models import Course, Lesson
from courseapp.flashcards.models import CardState, Review
from courseapp.insights import selectors, views
from courseapp.insights.charts import nice_ceiling
from courseapp.insights.services import demo_seed
from courseapp.progress.models import Enrollment, LessonProgress
from courseapp.progress.services import course_enroll, lesson_complete, lesson_view_record
from courseapp.quizzes.models import Attempt, Question
from courseapp.quizzes.selectors import QuestionData, question_for_answer
from courseapp.quizzes.services import attempt_reveal, attempt_submit
from tests.factories import CourseFactory, LessonFactory, UserFactory
from tests.parallel import run_in_parallel

NOW = timezone.now()
BASE = NOW - timedelta(days=30)


def _question(key: str) -> QuestionData:
    return question_for_answer(Course.objects.get(slug="demo"), key)


def _answer(user, key: str, answer, *, minute: int) -> Attempt:
    """An answer as the quiz records it (graded, its first answer flagged), `minute` minutes
    into the dataset's day."""
    return _dated(attempt_submit(user=user, question=_question(key), answer=answer).attempt, minute)


def _reveal(user, key: str, *, minute: int) -> Attempt:
    return _dated(attempt_reveal(user=user, question=_question(key)), minute)


def _dated(attempt: Attempt, minute: int) -> Attempt:
    # The statistics depend on when students answered (active this week, last activity), and
    # the quiz stamps an answer with the time it arrives: the dataset sets it afterwards.
    attempt.created_at = BASE + timedelta(minutes=minute)
    attempt.save(update_fields=["created_at"])
    return attempt


def _progress(user, slug, *, completed, viewed=BASE):
    """Progress as of `viewed`, written as rows: the services stamp the current time."""
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
def dataset(demo_course):
    """Five enrolled students with hand-computable statistics (see the tests for the values).

    First-attempt scores (1 correct, 0 wrong) on three questions:
        image-vs-container  layers-true-false  list-command   total
    a          1                  1                1            3
    b          1                  0                1            2
    c          0                  1                0            1
    d          0                  0                -            0
    """
    a, b, c, d, e = (
        UserFactory(username=name) for name in ["anna", "bert", "cleo", "dora", "emil"]
    )
    b.first_name, b.last_name = "Bertha", "Benz"
    b.save()
    for user in (a, b, c, d, e):
        Enrollment.objects.create(user=user, course=demo_course, started_at=BASE)
    _answer(a, "image-vs-container", ["template"], minute=1)
    _answer(a, "layers-true-false", False, minute=2)
    _answer(a, "list-command", "docker ps", minute=3)
    _answer(b, "image-vs-container", ["template"], minute=1)
    _answer(b, "layers-true-false", True, minute=2)  # wrong
    _answer(b, "layers-true-false", False, minute=3)
    b_last = _answer(b, "list-command", "docker ps", minute=4)
    b_last.created_at = NOW - timedelta(days=2)  # active this week through an answer only
    b_last.save()
    _answer(c, "image-vs-container", ["same"], minute=1)  # wrong
    _reveal(c, "image-vs-container", minute=2)
    _answer(c, "image-vs-container", ["template"], minute=3)
    _answer(c, "layers-true-false", False, minute=4)
    _answer(c, "list-command", "docker ls", minute=5)  # wrong
    # A reveal before any answer is not a first attempt.
    _reveal(d, "layers-true-false", minute=0)
    _answer(d, "layers-true-false", True, minute=1)  # wrong
    _answer(d, "image-vs-container", ["same"], minute=2)  # wrong
    _answer(d, "image-vs-container", ["same"], minute=3)  # a retry: not first
    for slug in ("welcome", "commands", "ordering"):
        _progress(a, slug, completed=True, viewed=NOW - timedelta(days=1))
    _progress(b, "welcome", completed=True, viewed=NOW - timedelta(days=10))
    _progress(b, "commands", completed=False, viewed=NOW - timedelta(days=10))
    _progress(c, "welcome", completed=True, viewed=NOW - timedelta(days=20))
    _progress(d, "welcome", completed=False, viewed=NOW - timedelta(days=20))
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "course": demo_course}


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
    demo_course,
):
    # Only the weakest student gets image-vs-container right; nobody gets port-number right.
    scores = [(0, 1, 1), (0, 1, 1), (0, 1, 0), (1, 0, 0), (0, 0, 0)]
    for image, layers, listing in scores:
        user = UserFactory()
        _answer(user, "image-vs-container", ["template"] if image else ["same"], minute=1)
        _answer(user, "layers-true-false", not layers, minute=2)  # the key is false
        _answer(user, "list-command", "docker ps" if listing else "x", minute=3)
        _answer(user, "port-number", 81, minute=4)
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


def test_students_table_sorts_searches_and_paginates(staff_client, dataset, monkeypatch):
    url = "/insights/demo/"
    html = staff_client.get(url, {"sort": "-progress"}).content.decode()
    assert html.index(">anna<") < html.index(">bert<")
    assert 'aria-sort="descending"' in html
    html = staff_client.get(url, {"sort": "-accuracy"}).content.decode()
    # accuracy: anna 100%, bert 67%, cleo 33%, dora 0%, emil none (last)
    order = [html.index(f">{name}<") for name in ("anna", "bert", "cleo", "dora", "emil")]
    assert order == sorted(order)
    html = staff_client.get(url, {"q": "benz"}).content.decode()
    assert ">bert<" in html and ">anna<" not in html
    monkeypatch.setattr("courseapp.insights.views.STUDENTS_PER_PAGE", 2)
    html = staff_client.get(url, {"page": 2}).content.decode()
    assert "Page 2 of 3" in html and ">cleo<" in html and ">anna<" not in html
    partial = staff_client.get(url, {"page": 2}, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<section class="insights-section" id="students"')
    assert "Completion funnel" not in partial


def test_page_draws_accessible_svg_charts_without_inline_styles(staff_client, dataset):
    response = staff_client.get("/insights/demo/")
    html = response.content.decode()
    assert html.count('role="img"') == 2
    assert '<title id="funnel-title">Completion funnel by lesson</title>' in html
    assert '<desc id="funnel-desc">3 lessons in course order. Of 5 enrolled students' in html
    assert "Funnel as a table" in html and "Distribution as a table" in html
    assert "style=" not in html and "<style" not in html and "<script>" not in html
    assert "very low facility" not in html


def test_student_detail_lists_every_lesson_and_attempt(staff_client, dataset):
    cleo = dataset["c"]
    html = staff_client.get(f"/insights/demo/students/{cleo.pk}/").content.decode()
    assert html.count('class="state-') == 3
    assert "completed" in html and "not started" in html
    assert (
        "✗ incorrect (same)" in html and "shown answer" in html and "✓ correct (template)" in html
    )
    outsider = UserFactory(username="zed")
    assert staff_client.get(f"/insights/demo/students/{outsider.pk}/").status_code == 404


def test_students_csv_has_headers_and_escapes_cells(staff_client, dataset):
    dataset["b"].first_name, dataset["b"].last_name = "=HYPERLINK(1)", 'O"Neil, Jr'
    dataset["b"].save()
    response = staff_client.get("/insights/demo/students.csv")
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


def test_questions_csv_has_the_item_statistics(staff_client, dataset):
    response = staff_client.get("/insights/demo/questions.csv")
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
    client, student_client, instructor_client, url
):
    assert client.get(url)["Location"].startswith("/accounts/login/")
    assert student_client.get(url).status_code == 403
    teacher_elsewhere = UserFactory()
    CourseFactory().instructors.add(teacher_elsewhere)
    client.force_login(teacher_elsewhere)
    assert client.get(url).status_code == 403
    assert instructor_client.get(url).status_code == 200


def test_student_detail_is_kept_from_other_users(client, dataset):
    client.force_login(dataset["a"])
    assert client.get(f"/insights/demo/students/{dataset['b'].pk}/").status_code == 403


def test_admins_see_every_course_and_unknown_courses_are_404(staff_client, demo_course):
    hidden = CourseFactory(published=False, title="Hidden course")
    html = staff_client.get("/insights/").content.decode()
    assert "Hidden course" in html and demo_course.title in html
    assert staff_client.get(f"/insights/{hidden.slug}/").status_code == 200
    assert staff_client.get("/insights/nope/").status_code == 404


def test_outline_links_to_insights_only_for_those_who_may_see_them(
    student_client, instructor_client
):
    assert b"/insights/demo/" not in student_client.get("/courses/demo/").content
    assert b"/insights/demo/" in instructor_client.get("/courses/demo/").content


def _grow(course: Course, *, students: int, lessons: int):
    """More students, lessons and attempts: the query counts must not change."""
    module = course.modules.first()
    for _ in range(lessons):
        LessonFactory(course=course, module=module)
    Course.objects.filter(pk=course.pk).update(
        content_version=F("content_version") + 1
    )  # as an import does
    questions = [_question(key) for key in course.questions.values_list("key", flat=True)]
    rng = random.Random(1)
    for _ in range(students):
        user = UserFactory()
        course_enroll(user=user, course=course)
        for lesson in Lesson.objects.filter(course=course):
            lesson_view_record(user=user, lesson=lesson)
        for question in questions:
            for correct in (False, True):  # a wrong first answer, then the right one
                answer = question.kind.sample_answer(
                    question, question.choices, correct=correct, rng=rng
                )
                attempt_submit(user=user, question=question, answer=answer)


# Queries with cold caches, whatever the number of students, lessons and answers. The page:
# the session, the user, the course, its lessons, the students, a page of them, the enrollments
# of those whose rows are not cached (here: all) and their standings (two), the reported
# problems, and nine for the statistics.
QUERIES = {
    "/insights/demo/": 19,
    "/insights/demo/students.csv": 7,
    "/insights/demo/questions.csv": 7,
    "/insights/demo/?sort=-accuracy&q=e": 19,
}


@pytest.mark.parametrize("url", QUERIES)
def test_query_counts_are_bounded_and_independent_of_size(
    staff_client, dataset, django_assert_num_queries, url
):
    def count() -> None:
        cache.clear()  # the statistics themselves, not their cached fragments
        with django_assert_num_queries(QUERIES[url]):
            response = staff_client.get(url)
            assert response.status_code == 200
            if response.streaming:
                b"".join(response.streaming_content)

    count()
    _grow(dataset["course"], students=6, lessons=3)
    count()


# The page with its statistics and the rows of its students cached: the session, the user, the
# course, the students, a page of them, the reported problems. The rows the student cache does
# not hold: those students' enrollments and their standings (two queries).
PAGE_QUERIES = 6
ROWS_QUERIES = 3
STUDENT_LINK = '<th scope="row"><a href="students/'


def test_the_students_table_costs_the_same_for_5_and_30_students(
    staff_client, dataset, student_cache, django_assert_num_queries
):
    staff_client.get("/insights/demo/")  # the statistics and the five standings, now cached
    with django_assert_num_queries(PAGE_QUERIES):
        assert staff_client.get("/insights/demo/").content.decode().count(STUDENT_LINK) == 5
    _grow(dataset["course"], students=25, lessons=2)
    # Every row anew (the lessons changed the course's content version), and its lesson count.
    with django_assert_num_queries(PAGE_QUERIES + ROWS_QUERIES + 1):
        assert staff_client.get("/insights/demo/").content.decode().count(STUDENT_LINK) == 30
    with django_assert_num_queries(PAGE_QUERIES):
        staff_client.get("/insights/demo/")


def test_a_cached_students_table_follows_each_students_writes(
    staff_client, dataset, student_cache, django_capture_on_commit_callbacks
):
    emil = dataset["e"]

    def after(write) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            write()
        html = staff_client.get("/insights/demo/").content.decode()
        start = html.index(">emil</a>")
        return html[start : html.index("</tr>", start)]

    started = f"{BASE:%Y-%m-%d %H:%M}</time>"
    assert "—</td>" in after(lambda: None) and started in after(lambda: None)
    answered = f"{BASE + timedelta(minutes=5):%Y-%m-%d %H:%M}</time>"
    row = after(lambda: _answer(emil, "image-vs-container", ["template"], minute=5))
    assert "100%</td>" in row and answered in row
    row = after(lambda: attempt_reveal(user=emil, question=_question("list-command")))
    assert "100%</td>" in row and answered not in row  # active now
    welcome = Lesson.objects.get(slug="welcome")
    assert "1 of 3</td>" in after(lambda: lesson_complete(user=emil, lesson=welcome))


def test_a_student_renamed_is_shown_by_the_new_name_and_a_login_keeps_the_row(
    staff_client, dataset, student_cache, django_capture_on_commit_callbacks
):
    emil = dataset["e"]
    staff_client.get("/insights/demo/")  # every row, now cached
    with django_capture_on_commit_callbacks(execute=True) as dropped:
        update_last_login(None, emil)
    assert dropped == []
    with django_capture_on_commit_callbacks(execute=True):
        emil.first_name, emil.last_name = "Emil", "Zola"
        emil.save()
    assert (
        '<span class="meta">Emil Zola</span>'
        in staff_client.get("/insights/demo/").content.decode()
    )


def test_each_process_keeps_the_statistics_html_while_the_cache_names_it_current(
    staff_client, dataset
):
    key = views.statistics_html_key(dataset["course"])
    staff_client.get("/insights/demo/")
    kept = cache.get(key)
    elsewhere = replace(kept, summary_html="<p>rendered elsewhere</p>")
    cache.set(key, elsewhere)  # under the same token: the process reads its own copy
    assert "rendered elsewhere" not in staff_client.get("/insights/demo/").content.decode()
    cache.set_many({key: replace(elsewhere, token="newer"), f"{key}:token": "newer"})
    assert "rendered elsewhere" in staff_client.get("/insights/demo/").content.decode()


def test_course_statistics_are_cached_for_a_minute_and_the_students_stay_live(
    staff_client, dataset
):
    first = staff_client.get("/insights/demo/").content.decode()
    assert "<dt>Enrolled</dt><dd>5</dd>" in first and "Statistics as of" in first
    course_enroll(user=UserFactory(username="zelda"), course=dataset["course"])
    with CaptureQueriesContext(connection) as cached:
        second = staff_client.get("/insights/demo/").content.decode()
    assert "<dt>Enrolled</dt><dd>5</dd>" in second  # the cached statistics
    assert "zelda" in second  # the students table is computed on every request
    cache.clear()  # a minute later
    with CaptureQueriesContext(connection) as fresh:
        third = staff_client.get("/insights/demo/").content.decode()
    assert "<dt>Enrolled</dt><dd>6</dd>" in third
    assert len(cached.captured_queries) < len(fresh.captured_queries)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need their own connections")
def test_parallel_requests_for_cold_statistics_compute_them_once(demo_course, staff, monkeypatch):
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


def test_statistics_another_process_is_computing_are_waited_for_not_computed_again(
    demo_course, monkeypatch
):
    """Another process holds the marker in the shared cache and stores its result a moment
    later: this one waits and reads it."""
    computed = []
    monkeypatch.setattr(
        selectors, "_course_statistics_compute", lambda course: computed.append(course.pk)
    )
    key = selectors.statistics_key(demo_course)
    cache.add(f"{key}:computing", 1, 20)
    theirs = "statistics computed by another process"
    threading.Timer(0.2, lambda: cache.set(key, theirs, 60)).start()
    assert selectors.course_statistics(demo_course) == theirs
    assert computed == []


def test_without_a_marker_in_the_cache_statistics_are_computed_at_once(demo_course, monkeypatch):
    """An unreachable shared cache can neither hold the marker nor the result: no waiting."""
    monkeypatch.setattr(cache, "add", lambda *args, **kwargs: False)
    started = time.monotonic()
    assert selectors.course_statistics(demo_course).overview.lessons == 3
    assert time.monotonic() - started < 5


def test_student_detail_queries_are_bounded(staff_client, dataset, django_assert_num_queries):
    with django_assert_num_queries(10):
        assert staff_client.get(f"/insights/demo/students/{dataset['a'].pk}/").status_code == 200


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


@pytest.mark.skipif(connection.vendor != "postgresql", reason="only PostgreSQL is analyzed")
def test_seed_demo_analyzes_the_tables_once_they_are_filled(demo_course):
    with CaptureQueriesContext(connection) as queries:
        demo_seed(courses=[demo_course], students=30, seed=1)
    statements = [query["sql"] for query in queries.captured_queries]
    [analyze] = [i for i, sql in enumerate(statements) if sql.startswith("ANALYZE")]
    for model in (Attempt, CardState, Review):
        table = model._meta.db_table
        inserts = [
            i for i, sql in enumerate(statements) if sql.startswith(f'INSERT INTO "{table}"')
        ]
        assert inserts and max(inserts) < analyze, table
        assert table in statements[analyze]


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


@pytest.mark.parametrize("control", ["\x00", "\x1f", "\x7f"])
def test_students_search_treats_control_characters_as_spaces(staff_client, dataset, control):
    response = staff_client.get("/insights/demo/", {"q": f"benz{control}"})
    assert response.status_code == 200
    html = response.content.decode()
    assert ">bert<" in html and ">anna<" not in html and control not in html
    response = staff_client.get("/insights/demo/", {"q": control, "sort": control, "page": control})
    assert response.status_code == 200
    assert ">anna<" in response.content.decode()
