"""Cached values are named by the version of the code that kept them (settings.CACHE_RELEASE):
during a rolling update, old and new code share one Redis, and neither must read what the
other pickled or rendered; a change made through either must still drop what both keep."""

from django.conf import settings

import courseapp.settings
from courseapp.versioned_cache import VersionedCache


def test_the_release_names_the_modules_and_templates(tmp_path, monkeypatch):
    (tmp_path / "courseapp").mkdir()
    (tmp_path / "templates").mkdir()
    (tmp_path / "courseapp" / "views.py").write_text("VIEW = 1\n")
    template = tmp_path / "templates" / "page.html"
    template.write_text("<p>{{ title }}</p>\n")
    monkeypatch.setattr(courseapp.settings, "BASE_DIR", tmp_path)
    first = courseapp.settings.code_release()
    assert courseapp.settings.code_release() == first  # every replica of a version agrees
    template.write_text("<p class=new>{{ title }}</p>\n")
    assert courseapp.settings.code_release() != first
    (tmp_path / "notes.txt").write_text("not code")
    template.write_text("<p>{{ title }}</p>\n")
    assert courseapp.settings.code_release() == first
    (tmp_path / "static" / "css").mkdir(parents=True)  # pages link to it by its hash
    (tmp_path / "static" / "css" / "site.css").write_text("body { margin: 0 }\n")
    assert courseapp.settings.code_release() != first


def test_a_value_kept_by_another_release_is_not_read_and_a_change_drops_both(
    db, student_cache, django_capture_on_commit_callbacks
):
    cache = VersionedCache("student", 60)
    reads = []

    def read(release: str):
        def value() -> str:
            reads.append(release)
            return f"kept by {release}"

        return value

    for release in ("old", "new", "old", "new"):
        settings.CACHE_RELEASE = release
        assert cache.get("7", "dashboard", read(release)) == f"kept by {release}"
    assert reads == ["old", "new"]  # each read once, neither the other's

    with django_capture_on_commit_callbacks(execute=True):
        cache.changed(["7"])  # by either version of the code
    for release in ("old", "new"):
        settings.CACHE_RELEASE = release
        cache.get("7", "dashboard", read(release))
    assert reads == ["old", "new", "old", "new"]
