from django.contrib import admin

from courseapp.catalog.admin import ContentAdmin
from courseapp.progress.models import Enrollment, LessonProgress


@admin.register(Enrollment)
class EnrollmentAdmin(ContentAdmin):
    list_display = ["user", "course", "started_at"]
    list_filter = ["course"]
    search_fields = ["user__username"]
    list_select_related = ["user", "course"]


@admin.register(LessonProgress)
class LessonProgressAdmin(ContentAdmin):
    list_display = ["user", "lesson", "course", "last_viewed_at", "completed_at"]
    list_filter = ["course", ("completed_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__username", "lesson__slug"]
    list_select_related = ["user", "lesson", "course"]
