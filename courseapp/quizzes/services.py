"""Writes of the quizzes app: recording attempts, and students' reports of problems."""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from courseapp.quizzes.models import Attempt, Question, QuestionReport
from courseapp.quizzes.report_cache import reports_changed
from courseapp.quizzes.selectors import QuestionData
from courseapp.quizzes.types import Grade
from courseapp.student_cache import student_changed

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
def attempt_submit(
    *, user: AbstractBaseUser, question: QuestionData, answer, token: str | None = None
) -> AttemptResult:
    """Grade and record one answer; attempts are append-only.

    `token` is the one-time token of the form the answer came from: a repeat of the same
    submission (a double click, a retry after a lost response) returns the attempt already
    recorded for it instead of recording another.
    """
    if token and (stored := _attempt_with_token(user, token)):
        return _result_of(stored)
    grade = question_grade(question, answer)
    before = Attempt.objects.filter(user=user, question_id=question.pk, revealed=False).aggregate(
        answers=Count("pk"), correct=Count("pk", filter=Q(correct=True))
    )
    attempt = Attempt(
        user=user,
        question_id=question.pk,
        answer=answer,
        correct=grade.correct,
        details=grade.details,
        first=not before["answers"],
        token=token or "",
    )
    attempt.full_clean(exclude=LOADED_RELATIONS, validate_constraints=False)
    recorded = _attempt_save(attempt)
    if recorded is not attempt:
        return _result_of(recorded)
    student_changed(user.pk)
    solved_before = before["correct"] > 0
    return AttemptResult(
        attempt=attempt,
        solved=grade.correct or solved_before,
        first_solve=grade.correct and not solved_before,
    )


def attempt_preview(*, user: AbstractBaseUser, question: QuestionData, answer) -> AttemptResult:
    """Grade an answer as `attempt_submit` would, recording nothing: the course staff try out a
    draft's questions, and their tries must count in no statistic."""
    grade = question_grade(question, answer)
    attempt = Attempt(
        user=user,
        question_id=question.pk,
        answer=answer,
        correct=grade.correct,
        details=grade.details,
    )
    return AttemptResult(attempt=attempt, solved=grade.correct, first_solve=False)


def _attempt_save(attempt: Attempt) -> Attempt:
    """Save and return the attempt that stands for this submission: a parallel request that
    stored the same form's token first wins; one that stored this student's first answer first
    makes this one a retry."""
    if not (attempt.first or attempt.token):
        attempt.save()
        return attempt
    try:
        with transaction.atomic():
            attempt.save()
    except IntegrityError:
        if attempt.token and (stored := _attempt_with_token(attempt.user, attempt.token)):
            return stored
        attempt.pk, attempt.first = None, False
        attempt.save()
    return attempt


def _attempt_with_token(user: AbstractBaseUser, token: str) -> Attempt | None:
    return Attempt.objects.filter(user=user, token=token).first()


def _result_of(attempt: Attempt) -> AttemptResult:
    """The result of an attempt recorded earlier, as its first submission returned it."""
    solved = (
        attempt.correct
        or Attempt.objects.filter(
            user_id=attempt.user_id,
            question_id=attempt.question_id,
            correct=True,
            created_at__lt=attempt.created_at,
        ).exists()
    )
    return AttemptResult(attempt=attempt, solved=solved, first_solve=False)


def attempt_reveal(*, user: AbstractBaseUser, question: QuestionData) -> Attempt:
    """Record that the student asked to see the answer."""
    attempt = attempt_reveal_preview(user=user, question=question)
    attempt.full_clean(exclude=LOADED_RELATIONS, validate_constraints=False)
    attempt.save()
    student_changed(user.pk)
    return attempt


def attempt_reveal_preview(*, user: AbstractBaseUser, question: QuestionData) -> Attempt:
    """A reveal as `attempt_reveal` records it, unsaved: for the course staff trying a draft."""
    return Attempt(user=user, question_id=question.pk, answer=None, correct=False, revealed=True)


# New reports a student may send in an hour: enough for a careful reader, not for a script.
REPORTS_PER_HOUR = 20


class ReportLimitReached(Exception):
    """The student sent REPORTS_PER_HOUR new reports in the last hour."""


@transaction.atomic
def question_report_submit(
    *, user: AbstractBaseUser, question: QuestionData, reason: str, note: str = ""
) -> QuestionReport:
    """Report a problem with a question. The student's open report on it, if any, takes the new
    reason and note instead of a second report (also when two requests race to create it).

    Raises ReportLimitReached when a new report would exceed REPORTS_PER_HOUR, and
    ValidationError for an unknown reason or a note over REPORT_NOTE_MAX_LENGTH.
    """
    mine = QuestionReport.objects.open().filter(user=user, question_id=question.pk)
    report = mine.select_for_update().first()
    if report is None:
        if _reports_in_the_last_hour(user) >= REPORTS_PER_HOUR:
            raise ReportLimitReached(
                f"You sent {REPORTS_PER_HOUR} reports in the last hour: try again later."
            )
        report = QuestionReport(user=user, question_id=question.pk, reason=reason, note=note)
        report.full_clean(exclude=LOADED_RELATIONS, validate_constraints=False)
        try:
            with transaction.atomic():
                report.save()
            return report
        except IntegrityError:  # a parallel request created it first: update that one
            report = mine.select_for_update().get()
    report.reason, report.note = reason, note
    report.full_clean(exclude=LOADED_RELATIONS, validate_constraints=False)
    report.save(update_fields=["reason", "note"])
    return report


def _reports_in_the_last_hour(user: AbstractBaseUser) -> int:
    since = timezone.now() - timedelta(hours=1)
    return QuestionReport.objects.filter(user=user, created_at__gte=since).count()


def question_report_resolve(
    *, question: Question, user: AbstractBaseUser, up_to: int | None = None
) -> int:
    """Mark the question's open reports resolved by `user`; returns how many. `up_to` (the
    newest report id the instructor was shown) leaves a report sent since then open."""
    reports = QuestionReport.objects.open().filter(question=question)
    if up_to is not None:
        reports = reports.filter(pk__lte=up_to)
    resolved = reports.update(resolved_at=timezone.now(), resolved_by=user)
    reports_changed()
    return resolved
