import shutil
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client

from courseapp.catalog import content_cache
from courseapp.catalog.models import Course
from tests.factories import UserFactory

FIXTURE_CONTENT = Path(__file__).parent / "fixtures" / "content"


@pytest.fixture(autouse=True)
def _fast_test_settings(settings):
    # A fast hasher: tests create many users; production keeps Django's default.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Pages render {% static %} without a collectstatic manifest in tests.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _empty_caches():
    # Cached statistics and content must not leak from one test into the next: content keys
    # carry the course's id, which SQLite hands out again after a test's rollback.
    for cache in (*caches.all(), content_cache.memory):
        cache.clear()
    yield
    for cache in (*caches.all(), content_cache.memory):
        cache.clear()


@pytest.fixture
def student_cache(settings):
    """The student cache kept in memory, as Redis keeps it for every process: the test process
    is the only one."""
    yield from _kept_in_memory(settings, "student")


@pytest.fixture
def course_cache(settings):
    """The course cache kept in memory, as Redis keeps it for every process."""
    yield from _kept_in_memory(settings, "course")


def _kept_in_memory(settings, alias: str):
    """The cache `alias` in this process's memory, instead of nothing without Redis. Its memory
    outlives the setting, so it is emptied on both sides."""
    settings.CACHES = {
        **settings.CACHES,
        alias: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": alias},
    }
    caches[alias].clear()
    yield caches[alias]
    caches[alias].clear()


@pytest.fixture
def content_root(tmp_path) -> Path:
    """A writable copy of the demo content, for tests that edit files."""
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    return root


@pytest.fixture
def demo_course(db, content_root) -> Course:
    call_command("import_content", str(content_root), verbosity=0, stdout=None)
    return Course.objects.get(slug="demo")


# Who is using the site. A `*_client` fixture is a test client of its own, logged in as that
# user, so a test can hold it beside the anonymous `client`.


@pytest.fixture
def student(db) -> User:
    """ada, a student: no staff rights, teaches no course."""
    return UserFactory(username="ada")


@pytest.fixture
def student_client(student) -> Client:
    return _logged_in(student)


@pytest.fixture
def instructor(demo_course) -> User:
    """grace, listed among the demo course's instructors: sees its insights, not the admin."""
    user = UserFactory(username="grace")
    demo_course.instructors.add(user)
    return user


@pytest.fixture
def instructor_client(instructor) -> Client:
    return _logged_in(instructor)


@pytest.fixture
def staff(db) -> User:
    """root, an admin: staff with every permission, so every course's insights and the admin."""
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(staff) -> Client:
    return _logged_in(staff)


def _logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client
