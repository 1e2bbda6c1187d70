from django import forms

from courseapp.quizzes.models import REPORT_NOTE_MAX_LENGTH, QuestionReport


class QuestionReportForm(forms.Form):
    """A student's report of a problem with a question."""

    reason = forms.ChoiceField(
        choices=QuestionReport.Reason.choices,
        error_messages={
            "required": "Pick what is wrong first.",
            "invalid_choice": "Pick one of the listed problems.",
        },
    )
    note = forms.CharField(
        required=False,
        max_length=REPORT_NOTE_MAX_LENGTH,
        error_messages={"max_length": "Keep the note to 1,000 characters."},
    )

    def first_error(self) -> str:
        """The message to show when the form is not valid."""
        return next(iter(self.errors.values()))[0]
