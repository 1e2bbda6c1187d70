"""Writes of the quizzes app: recording attempts."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Count, Q

from courseapp.quizzes.models import Attempt
from courseapp.quizzes.selectors import QuestionData
from courseapp.quizzes.types import Grade

# The caller passes rows it just loaded; re-checking that they exist costs a query each. The one
# constraint (a single first answer) is the database's to enforce, under parallel requests too.
LOADED_RELATIONS = {"user", "question"}


@dataclass(frozen=True)
class AttemptResult:
    attempt: Attempt
    solved: bool  # answered correctly now or before
    first_solve: bool  # answered correctly for the first time now


def question_grade(question: QuestionData, answer) -> Grade:
    """Grade an answer (as read from the form) against the question's current key."""
    return question.kind.grade(question, question.choices, answer)


@transaction.atomic
def attempt_submit(*, user: AbstractBaseUser, question: QuestionData, answer) -> AttemptResult:
    """Grade and record one answer; attempts are append-only."""
    grade = question_grade(question, answer)
    correct = grade.correct
    before = Attempt.objects.filter(user=user, question_id=question.pk, revealed=False).aggregate(
        answers=Count("pk"), correct=Count("pk", filter=Q(correct=True))
    )
    solved_before = before["correct"] > 0
    attempt = Attempt(
        user=user,
        question_id=question.pk,
        answer=answer,
        correct=correct,
        details=grade.details,
        first=not before["answers"],
    )
    attempt.full_clean(exclude=LOADED_RELATIONS, validate_constraints=False)
    _attempt_save(attempt)
    return AttemptResult(
        attempt=attempt, solved=correct or solved_before, first_solve=correct and not solved_before
    )


def _attempt_save(attempt: Attempt) -> None:
    """Save; a parallel request that stored this student's first answer first makes it a retry."""
    if not attempt.first:
        attempt.save()
        return
    try:
        with transaction.atomic():
            attempt.save()
    except IntegrityError:
        attempt.pk, attempt.first = None, False
        attempt.save()


def attempt_reveal(*, user: AbstractBaseUser, question: QuestionData) -> Attempt:
    """Record that the student asked to see the answer."""
    attempt = Attempt(user=user, question_id=question.pk, answer=None, correct=False, revealed=True)
    attempt.full_clean(exclude=LOADED_RELATIONS, validate_constraints=False)
    attempt.save()
    return attempt
