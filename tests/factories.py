"""Small factories: users, and rows the import normally writes for tests that need many."""

import factory

from courseapp.catalog.models import Course, Lesson, Module

# Every test user's password, for the tests that log in through a form.
PASSWORD = "a-Long-pass-9"


class UserFactory(factory.django.DjangoModelFactory):
    """A user who logs in with PASSWORD."""

    class Meta:
        model = "auth.User"

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password(PASSWORD)


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    slug = factory.Sequence(lambda n: f"course-{n}")
    title = factory.Sequence(lambda n: f"Course {n}")


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module

    course = factory.SubFactory(CourseFactory)
    slug = factory.Sequence(lambda n: f"module-{n}")
    title = factory.Sequence(lambda n: f"Module {n}")
    position = factory.Sequence(int)


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    module = factory.SubFactory(ModuleFactory)
    course = factory.SelfAttribute("module.course")
    slug = factory.Sequence(lambda n: f"lesson-{n}")
    title = factory.Sequence(lambda n: f"Lesson {n}")
    position = factory.Sequence(int)
    sequence = factory.Sequence(int)
    body_html = "<p>Body</p>"
    source_path = "x.md"
    source_hash = "0" * 64
