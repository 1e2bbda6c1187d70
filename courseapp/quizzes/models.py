from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone

from courseapp.catalog.models import ContentQuerySet
from courseapp.quizzes.types import QuestionType, question_type, type_choices


class Question(models.Model):
    """A question embedded in a lesson; its identity is its id within the course."""

    course = models.ForeignKey("catalog.Course", on_delete=models.CASCADE, related_name="questions")
    lesson = models.ForeignKey("catalog.Lesson", on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(max_length=100)
    type = models.CharField(max_length=20, choices=type_choices)
    prompt_html = models.TextField()
    explanation_html = models.TextField(blank=True)
    hint_html = models.TextField(blank=True)
    answer = models.JSONField(default=dict, blank=True, help_text="The key of non-choice types.")
    shuffle = models.BooleanField(default=False)
    position = models.PositiveIntegerField()
    source_line = models.PositiveIntegerField(default=1, help_text="Line of its quiz fence.")
    archived = models.BooleanField(default=False)

    objects = ContentQuerySet.as_manager()

    class Meta:
        ordering = ["lesson", "position"]
        constraints = [
            models.UniqueConstraint(fields=["course", "key"], name="question_unique_key_per_course")
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def kind(self) -> QuestionType:
        """The question's type: what parses, reads, grades and shows it."""
        return question_type(self.type)


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    key = models.SlugField(max_length=100)
    text_html = models.TextField()
    correct = models.BooleanField(default=False)
    feedback_html = models.TextField(blank=True)
    position = models.PositiveIntegerField(
        help_text="Authored order; for order questions, the key."
    )
    archived = models.BooleanField(default=False)

    objects = ContentQuerySet.as_manager()

    class Meta:
        # By the column, not the relation: ordering by "question" would join three tables.
        ordering = ["question_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "key"], name="choice_unique_key_per_question"
            )
        ]

    def __str__(self) -> str:
        return self.key


class AttemptQuerySet(models.QuerySet):
    def first_answers(self):
        """Each student's first answer to each question, never a reveal: the one definition,
        flagged when the attempt is recorded (quizzes.services.attempt_submit)."""
        return self.filter(first=True)


class Attempt(models.Model):
    """One submission or reveal; append-only, never updated or deleted by the application."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="attempts")
    answer = models.JSONField(
        null=True, blank=True, help_text="Choice ids, text or number as sent."
    )
    correct = models.BooleanField()
    details = models.JSONField(
        null=True, blank=True, help_text="What grading found, for feedback and statistics."
    )
    revealed = models.BooleanField(default=False, help_text="The student pressed Show answer.")
    first = models.BooleanField(
        default=False, help_text="The student's first answer to the question (never a reveal)."
    )
    token = models.CharField(
        max_length=64,
        blank=True,
        default="",
        help_text="The one-time token of the form it was sent from: a repeat is not a new attempt.",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "question", "-created_at"]),
            # A student's latest activity in a course: their attempts, newest first.
            models.Index(fields=["user", "-created_at"], name="attempt_user_recent"),
            # Students' first answers and which were right, counted from the index alone.
            models.Index(
                fields=["user", "question", "correct"],
                condition=models.Q(first=True),
                name="attempt_first_answers",
            ),
        ]
        constraints = [
            # Also the index that counts a student's first answers.
            models.UniqueConstraint(
                fields=["user", "question"],
                condition=models.Q(first=True),
                name="attempt_one_first_per_question",
            ),
            models.UniqueConstraint(
                fields=["user", "token"],
                condition=~models.Q(token=""),
                name="attempt_one_per_form_token",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.question} · {'correct' if self.correct else 'incorrect'}"


# A report's note: enough for a sentence or two with an example, not an essay.
REPORT_NOTE_MAX_LENGTH = 1000


class QuestionReportQuerySet(models.QuerySet):
    def open(self):
        """Reports nobody has resolved yet: what the course's instructors still have to look at."""
        return self.filter(resolved_at__isnull=True)


class QuestionReport(models.Model):
    """A student's report of a problem with a question, until an instructor resolves it.

    A student has at most one open report per question; reporting again changes its reason and
    note. Once resolved it stays as a record, and the student may report the question again.
    """

    class Reason(models.TextChoices):
        WRONG_ANSWER = "wrong-answer", "The marked answer is wrong"
        UNCLEAR = "unclear", "The question is unclear"
        TYPO = "typo", "Typo or formatting"
        OTHER = "other", "Something else"

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="reports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="question_reports"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.TextField(
        blank=True,
        max_length=REPORT_NOTE_MAX_LENGTH,
        validators=[MaxLengthValidator(REPORT_NOTE_MAX_LENGTH)],
    )
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = QuestionReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # A student's reports of the last hour: the rate limit counts them.
            models.Index(fields=["user", "-created_at"], name="question_report_user_recent"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "question"],
                condition=models.Q(resolved_at__isnull=True),
                name="question_report_one_open_per_student",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.question} · {self.get_reason_display()}"
