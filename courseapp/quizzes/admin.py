from django.contrib import admin

from courseapp.catalog.admin import ContentAdmin
from courseapp.quizzes.models import Attempt, Choice, Question, QuestionReport


class ChoiceInline(admin.TabularInline):
    model = Choice
    fields = ["position", "key", "text_html", "correct", "feedback_html", "archived"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Question)
class QuestionAdmin(ContentAdmin):
    list_display = ["key", "type", "lesson", "course", "archived"]
    list_filter = ["course", "type", "archived"]
    search_fields = ["key", "prompt_html"]
    inlines = [ChoiceInline]


@admin.register(Attempt)
class AttemptAdmin(ContentAdmin):
    """Attempts are append-only: browsable and filterable, never edited."""

    list_display = ["created_at", "user", "question", "correct", "revealed"]
    list_filter = ["correct", "revealed", "question__course", "created_at"]
    search_fields = ["user__username", "question__key"]
    list_select_related = ["user", "question"]
    date_hierarchy = "created_at"
    raw_id_fields = ["user", "question"]


@admin.register(QuestionReport)
class QuestionReportAdmin(ContentAdmin):
    """Students write reports and instructors resolve them on the insights page: browsable here."""

    list_display = ["created_at", "question", "user", "reason", "resolved_at"]
    list_filter = ["reason", ("resolved_at", admin.EmptyFieldListFilter), "question__course"]
    search_fields = ["user__username", "question__key", "note"]
    list_select_related = ["user", "question"]
    raw_id_fields = ["user", "question", "resolved_by"]
