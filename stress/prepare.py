"""The run's data, inside Django (import this module after django.setup()): students with a
history and students of its own, the plan they work through, and the rows the checks read back.
"""

import random
import time
from collections import Counter

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, get_hasher, make_password
from django.db import connection, connections
from django.urls import reverse

from bench.prepare import REAL_COURSE_SLUG, cookie, lesson_list
from bench.workspace import BenchError
from courseapp.catalog.models import Course
from courseapp.flashcards.models import Deck, Review
from courseapp.insights.services import demo_seed
from courseapp.progress.models import LessonProgress
from courseapp.quizzes.models import Attempt
from courseapp.quizzes.selectors import QuestionData, lesson_questions
from stress.plan import STUDENT_PASSWORD, CoursePlan, Fields, LessonPlan, QuestionPlan, Student


def history_seed(students: int) -> dict:
    """Students with weeks of attempts, progress and reviews in the real course, so pages and
    checks run over tables of a realistic size; the load itself uses students of its own."""
    summary = demo_seed(courses=[Course.objects.get(slug=REAL_COURSE_SLUG)], students=students)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return {
        "students": summary.students,
        "lesson_progress": summary.progress,
        "attempts": summary.attempts,
        "flashcard_reviews": summary.reviews,
    }


def students_create(prefix: str, count: int, *, signed_in: bool) -> list[Student]:
    """`count` new students (`prefix`0001…) without history, password STUDENT_PASSWORD (hashed
    once); `signed_in`: each with a session already open, as after logging in."""
    User = get_user_model()
    password = make_password(STUDENT_PASSWORD)
    names = [f"{prefix}{index:04d}" for index in range(1, count + 1)]
    User.objects.bulk_create([User(username=name, password=password) for name in names])
    users = User.objects.filter(username__in=names).order_by("username")
    return [
        Student(user.username, user.pk, _cookie_pairs(cookie(user)) if signed_in else ())
        for user in users
    ]


def _cookie_pairs(header: str) -> tuple[tuple[str, str], ...]:
    return tuple(tuple(pair.split("=", 1)) for pair in header.split("; "))


def course_plan(slug: str = REAL_COURSE_SLUG, seed: int = 1) -> CoursePlan:
    """Every published lesson of the course with questions, every question with a right and a
    wrong answer as form fields, and the course's flashcard decks."""
    course = Course.objects.get(slug=slug)
    rng = random.Random(seed)  # noqa: S311 (made-up answers, not security)
    lessons, questions = [], {}
    for lesson in lesson_list(course):
        found = lesson_questions(lesson.pk)
        if not found:
            continue
        url = lesson.get_absolute_url()
        lessons.append(LessonPlan(lesson.pk, url, tuple(q.key for q in found)))
        for question in found:
            questions[question.key] = question_plan(course.slug, question, rng)
    decks = [
        reverse("flashcards:review", args=[course.slug, slug])
        for slug in Deck.objects.current().filter(course=course).values_list("slug", flat=True)
    ]
    return CoursePlan(course.slug, tuple(lessons), questions, tuple(decks))


def question_plan(course_slug: str, question: QuestionData, rng: random.Random) -> QuestionPlan:
    """The question's form fields for a right and a wrong answer, each graded first to make
    sure it is what it claims (a made-up wrong answer can happen to be right)."""
    kind = question.kind
    right = kind.sample_answer(question, question.choices, correct=True, rng=rng)
    wrong = kind.sample_answer(question, question.choices, correct=False, rng=rng)
    if not kind.grade(question, question.choices, right).correct:
        raise BenchError(f"The right answer made up for {question.key} grades as wrong.")
    wrong_correct = kind.grade(question, question.choices, wrong).correct
    return QuestionPlan(
        key=question.key,
        type=question.type,
        url=reverse("pages:answer", args=[course_slug, question.key]),
        right=form_fields(question, right),
        wrong=None if wrong_correct else form_fields(question, wrong),
    )


def form_fields(question: QuestionData, answer) -> Fields:
    """An answer as stored (choice keys, a boolean, text) as the fields a browser posts: the
    client's side of each type's input template."""
    pk = {choice.key: str(choice.pk) for choice in question.choices}
    if question.type in {"single", "multiple"}:
        return tuple(("choice", pk[key]) for key in answer)
    if question.type == "order":
        return tuple((f"position-{pk[key]}", str(i)) for i, key in enumerate(answer, start=1))
    if question.type == "true_false":
        return (("answer", "true" if answer else "false"),)
    return (("answer", str(answer)),)


def attempt_rows(user_ids: list[int]) -> Counter:
    """Attempts per (student, form token)."""
    connections.close_all()  # the database may have restarted since the last query
    rows = Attempt.objects.filter(user_id__in=user_ids).values_list("user_id", "token")
    return Counter(rows)


def completion_rows(user_ids: list[int]) -> Counter:
    """Completed lesson progress rows per (student, lesson)."""
    connections.close_all()
    rows = LessonProgress.objects.filter(user_id__in=user_ids, completed_at__isnull=False)
    return Counter(rows.values_list("user_id", "lesson_id"))


def review_rows(user_ids: list[int]) -> Counter:
    """Flashcard reviews per (student, card)."""
    connections.close_all()
    return Counter(Review.objects.filter(user_id__in=user_ids).values_list("user_id", "card_id"))


def token_rows(token: str) -> int:
    """Attempts recorded under one form token."""
    connections.close_all()
    return Attempt.objects.filter(token=token).count()


def password_hashing() -> dict:
    """The password hasher a login runs and what one check costs here (best of three)."""
    encoded = make_password(STUDENT_PASSWORD)
    times = []
    for _ in range(3):
        started = time.perf_counter()
        check_password(STUDENT_PASSWORD, encoded)
        times.append(time.perf_counter() - started)
    return {"algorithm": get_hasher().algorithm, "check_ms": round(min(times) * 1000)}
