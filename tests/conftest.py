import shutil
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.management import call_command

from courseapp.catalog.models import Course

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
    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


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
