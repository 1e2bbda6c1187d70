"""Writes of the insights app: seeding a realistic demo dataset for dashboards and benchmarks."""

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Prefetch
from django.utils import timezone

from courseapp.catalog.models import Course, current_content
from courseapp.flashcards.models import CardState, Flashcard, Review
from courseapp.flashcards.scheduling import RATINGS, apply_review
from courseapp.progress.models import Enrollment, LessonProgress
from courseapp.quizzes.models import Attempt, Choice, Question

DEMO_PASSWORD = "demo-password-1"  # noqa: S105 (a documented demo account password)
DEMO_USERNAME_RE = r"^student[0-9]{4,}$"
DAYS = 60
BATCH = 5000
MAX_TRIES = 6  # the last try is right: students retry until correct
MAX_REVIEWS = 10  # of one card by one student
# The tables the seed fills beyond the users: analyzed once they are full.
SEEDED = (Enrollment, LessonProgress, Attempt, CardState, Review)
RATING_WEIGHTS = (1, 1, 6, 2)  # Again, Hard, Good, Easy
FIRST_NAMES = [
    "Ada",
    "Alan",
    "Grace",
    "Edsger",
    "Barbara",
    "Donald",
    "Frances",
    "Ken",
    "Radia",
    "Linus",
    "Margaret",
    "Guido",
]
LAST_NAMES = [
    "Lovelace",
    "Turing",
    "Hopper",
    "Dijkstra",
    "Liskov",
    "Knuth",
    "Allen",
    "Thompson",
    "Perlman",
    "Hamilton",
]


class DemoStudentsExist(Exception):
    pass


@dataclass(frozen=True)
class SeedSummary:
    students: int
    courses: int
    enrollments: int
    progress: int
    attempts: int
    reviews: int


def demo_students():
    return get_user_model().objects.filter(username__regex=DEMO_USERNAME_RE)


@transaction.atomic
def demo_seed(
    *, courses: list[Course], students: int, seed: int = 1, reset: bool = False
) -> SeedSummary:
    """Create `students` demo students (student0001…) with enrollments, lesson progress,
    attempts and flashcard reviews in each course: drop-off along the course, first-try
    correctness from student ability and question difficulty, retries until correct, some
    reveals, cards reviewed when due, over the last 60 days.

    Refuses (DemoStudentsExist) when demo students exist, unless `reset` deletes them first.
    """
    existing = demo_students()
    if reset:
        existing.delete()
    elif existing.exists():
        raise DemoStudentsExist(
            f"{existing.count()} demo students (student0001…) already exist; "
            "pass --reset to delete them and seed again."
        )
    rng = random.Random(seed)  # noqa: S311 (demo data, not security)
    now = timezone.now()
    password = make_password(DEMO_PASSWORD)  # hashed once: hashing per user would take minutes
    User = get_user_model()
    users = User.objects.bulk_create(
        [
            User(
                username=f"student{i:04d}",
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                email=f"student{i:04d}@example.org",
                password=password,
                date_joined=now - timedelta(days=DAYS),
            )
            for i in range(1, students + 1)
        ],
        batch_size=BATCH,
    )
    if users and users[0].pk is None:  # backends that do not return ids from bulk inserts
        users = list(demo_students().order_by("username"))
    ability = {user.pk: rng.gauss(0, 1) for user in users}
    totals = [0, 0, 0, 0]
    for course in courses:
        counts = (
            *_course_seed(course, users, ability, rng, now),
            _reviews_seed(course, users, rng, now),
        )
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
    _planner_statistics_refresh()
    return SeedSummary(len(users), len(courses), *totals)


def _planner_statistics_refresh() -> None:
    """Fresh planner statistics for the seeded tables, once every row is in: without them the
    first dashboards pick poor plans."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(model._meta.db_table for model in SEEDED)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


def _course_seed(course: Course, users, ability: dict, rng: random.Random, now: datetime):
    lessons = list(course.lessons.published().order_by("sequence").values_list("pk", flat=True))
    questions: dict[int, list[Question]] = {}
    for question in (
        Question.objects.current()
        .filter(course=course, lesson_id__in=lessons)
        .prefetch_related(Prefetch("choices", Choice.objects.current(), to_attr="choice_list"))
        .order_by("position")
    ):
        question.difficulty = rng.gauss(0, 1)
        questions.setdefault(question.lesson_id, []).append(question)
    enrollments, progress, attempts = [], [], []
    for user in users:
        start = now - timedelta(seconds=rng.uniform(0, DAYS * 86400))
        enrollments.append(Enrollment(user=user, course=course, started_at=start))
        # Drop-off: each student carries on to the next lesson with their own persistence.
        persistence = 1 - rng.betavariate(1.2, 12)
        reach = 1
        while reach < len(lessons) and rng.random() < persistence:
            reach += 1
        end = start + (now - start) * rng.uniform(0.3, 1.0)
        times = sorted(start + (end - start) * rng.random() for _ in range(reach))
        for index, (lesson_id, viewed_at) in enumerate(zip(lessons, times, strict=False)):
            done = index < reach - 1 or rng.random() < 0.5
            done = done and rng.random() < 0.93
            last_viewed = min(viewed_at + timedelta(minutes=rng.uniform(2, 40)), now)
            progress.append(
                LessonProgress(
                    user=user,
                    lesson_id=lesson_id,
                    course=course,
                    first_viewed_at=viewed_at,
                    last_viewed_at=last_viewed,
                    completed_at=last_viewed if done else None,
                )
            )
            for question in questions.get(lesson_id, []):
                if done or rng.random() < 0.6:
                    attempts += _answers(question, user, ability[user.pk], viewed_at, rng, now)
    Enrollment.objects.bulk_create(enrollments, batch_size=BATCH)
    LessonProgress.objects.bulk_create(progress, batch_size=BATCH)
    Attempt.objects.bulk_create(attempts, batch_size=BATCH)
    return len(enrollments), len(progress), len(attempts)


def _reviews_seed(course: Course, users, rng: random.Random, now: datetime) -> int:
    """Each student studies the first part of the course's cards, reviewing each when due."""
    cards = list(
        Flashcard.objects.current()
        .filter(current_content("deck"), deck__course=course)
        .order_by("deck__position", "position")
    )
    states, reviews = [], []
    for user in users:
        for card in cards[: int(len(cards) * rng.betavariate(1, 4))]:
            at = now - timedelta(seconds=rng.uniform(0, DAYS * 86400))
            state = CardState(user=user, card=card, due=at, introduced_at=at)
            for _ in range(MAX_REVIEWS):
                rating = rng.choices(RATINGS, weights=RATING_WEIGHTS)[0]
                apply_review(state, rating=rating, now=at)
                reviews.append(
                    Review(
                        user=user,
                        card=card,
                        rating=int(rating),
                        reviewed_at=at,
                        duration_ms=rng.randint(1500, 20000),
                    )
                )
                at = state.due + timedelta(seconds=rng.uniform(0, 2 * 86400))
                if at > now:
                    break
            states.append(state)
    CardState.objects.bulk_create(states, batch_size=BATCH)
    Review.objects.bulk_create(reviews, batch_size=BATCH)
    return len(reviews)


def _answers(question, user, ability: float, at: datetime, rng: random.Random, now: datetime):
    """A student's attempts on one question: first try, then retries (or a reveal) until right."""
    chance = 1 / (1 + math.exp(-(1.3 * (ability - question.difficulty) + 0.9)))
    attempts = []
    time = at + timedelta(seconds=rng.uniform(20, 300))
    for tries in range(MAX_TRIES):
        last = tries == MAX_TRIES - 1
        correct = last or rng.random() < (chance if tries == 0 else max(chance, 0.6))
        if tries and not correct and rng.random() < 0.35:
            attempts.append(
                Attempt(user=user, question=question, correct=False, revealed=True, created_at=time)
            )
            time += timedelta(seconds=rng.uniform(5, 60))
            correct = True
        answer = question.kind.sample_answer(
            question, question.choice_list, correct=correct, rng=rng
        )
        attempts.append(
            Attempt(
                user=user,
                question=question,
                answer=answer,
                correct=correct,
                first=tries == 0,
                created_at=min(time, now),
            )
        )
        if correct:
            break
        time += timedelta(seconds=rng.uniform(10, 120))
    return attempts
