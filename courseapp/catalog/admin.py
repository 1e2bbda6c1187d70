from django.contrib import admin

from courseapp.catalog.models import Course, Lesson, Module


class ContentAdmin(admin.ModelAdmin):
    """Content comes from the Markdown files: the admin shows it but never edits it."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "published", "archived", "order"]
    list_filter = ["published", "archived"]
    readonly_fields = ["slug", "title", "summary", "order", "published", "archived", "updated_at"]
    filter_horizontal = ["instructors"]
    fields = [*readonly_fields, "instructors"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Module)
class ModuleAdmin(ContentAdmin):
    list_display = ["title", "course", "position", "archived"]
    list_filter = ["course", "archived"]


@admin.register(Lesson)
class LessonAdmin(ContentAdmin):
    list_display = ["title", "course", "module", "sequence", "draft", "archived"]
    list_filter = ["course", "draft", "archived"]
    search_fields = ["title", "slug"]
    exclude = ["search_vector"]
