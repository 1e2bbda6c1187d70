from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse


def _through(path: str, name: str) -> str:
    """The lookup of field `name` reached through `path` ("" for the queried model itself)."""
    return f"{path}__{name}" if path else name


def current_content(path: str = "") -> models.Q:
    """Content rows the import still finds in the content folder: not archived. Archived rows
    stay for what points at them (attempts, progress, reviews) but no page shows them.
    `path` leads from the queried model to the rows ("cards" from a deck)."""
    return models.Q(**{_through(path, "archived"): False})


def visible_courses(path: str = "") -> models.Q:
    """The courses readers see: published and current; `path` leads from the queried model to
    the course ("course" from an enrollment)."""
    return current_content(path) & models.Q(**{_through(path, "published"): True})


def current_lessons(path: str = "") -> models.Q:
    """Lessons the content folder still has, in a module it still has, drafts included: what a
    course's instructors may preview. `path` leads from the queried model to the lesson."""
    return current_content(path) & current_content(_through(path, "module"))


def published_lessons(path: str = "") -> models.Q:
    """The lessons students see: current lessons that are neither drafts nor in a draft module.
    `path` leads from the queried model to the lesson ("lessons" from a course). Whether the
    course itself is visible is `visible_courses`."""
    return (
        current_lessons(path)
        & models.Q(**{_through(path, "draft"): False})
        & models.Q(**{_through(path, "module__draft"): False})
    )


class ContentQuerySet(models.QuerySet):
    """Rows that only the content import writes; it archives what vanished, never deletes."""

    def current(self):
        """The rows the content folder still has."""
        return self.filter(current_content())


class CourseQuerySet(ContentQuerySet):
    def visible(self):
        return self.filter(visible_courses())


class Course(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)
    published = models.BooleanField(
        default=True, help_text="Off for a draft: only its instructors and staff see it."
    )
    archived = models.BooleanField(default=False, help_text="Hidden: gone from the content folder.")
    instructors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="taught_courses",
        help_text="They see this course's insights.",
    )
    content_version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Moved on by every import that changes the course."
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["order", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("pages:course", args=[self.slug])

    @property
    def is_draft(self) -> bool:
        """Students do not see it (see `visible_courses`); its course staff preview it."""
        return not self.published


class Module(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    slug = models.SlugField()
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    position = models.PositiveIntegerField()
    draft = models.BooleanField(
        default=False, help_text="Its lessons are drafts: only instructors and staff see them."
    )
    archived = models.BooleanField(default=False)

    objects = ContentQuerySet.as_manager()

    class Meta:
        ordering = ["course", "position", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="module_unique_slug_per_course")
        ]

    def __str__(self) -> str:
        return self.title


class LessonQuerySet(ContentQuerySet):
    def published(self):
        """What students see (see `published_lessons`)."""
        return self.filter(published_lessons())

    def previewable(self):
        """What the course's instructors see: the published lessons and the drafts."""
        return self.filter(current_lessons())


# The columns that hold a lesson's text: the page and the search read them, little else does.
LESSON_TEXT_FIELDS = ("body_html", "headings", "search_text", "search_headings", "search_vector")


class Lesson(models.Model):
    """One lesson page; its Markdown is rendered and sanitized once, at import."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    slug = models.SlugField()
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    objectives = models.JSONField(default=list, blank=True)
    minutes = models.PositiveIntegerField(default=1)
    position = models.PositiveIntegerField(help_text="Order within the module.")
    sequence = models.PositiveIntegerField(help_text="Order within the course, across modules.")
    draft = models.BooleanField(
        default=False, help_text="Only the course's instructors and staff see it."
    )
    archived = models.BooleanField(default=False, help_text="Hidden: gone from the content folder.")
    body_html = models.TextField()
    headings = models.JSONField(default=list, blank=True)
    search_text = models.TextField(blank=True)
    search_headings = models.TextField(blank=True)
    search_vector = SearchVectorField(null=True, editable=False)
    source_path = models.CharField(max_length=500)
    source_hash = models.CharField(max_length=64)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LessonQuerySet.as_manager()

    class Meta:
        ordering = ["course", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="lesson_unique_slug_per_course")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("pages:lesson", args=[self.course.slug, self.slug])
