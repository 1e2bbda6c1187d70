"""The student cache: what one student's own records add up to (their dashboard), kept until
they write again.

Each student has a version in the cache, and a value is kept with the version it was computed
under. Every write to the student's progress, answers or flashcards drops the version once it
commits (`student_changed`), so the next read finds no version, or another one, and computes
afresh; a read that raced the write kept its value under the dropped version, which no longer
matches. A drop that could not reach Redis is repeated by `courseapp.cache` before Redis is used
again. A hit costs one round trip: the version and the value are read together.

Only a cache that every process shares sees every drop: without Redis the alias keeps nothing
(settings.CACHES) and each read computes.
"""

import secrets
from collections.abc import Callable

from django.core.cache import caches
from django.db import transaction

STUDENT_CACHE = "student"  # its alias in settings.CACHES
STUDENT_SECONDS = 3600


def student_cached[T](user_id: int, name: str, read: Callable[[], T]) -> T:
    """What `read` returns for the student as of their last write; `name` tells the values apart
    and names whatever else they depend on (the content versions of the student's courses)."""
    cache = caches[STUDENT_CACHE]
    version_key, key = _version_key(user_id), f"{user_id}:{name}"
    found = cache.get_many([version_key, key])
    version = found.get(version_key)
    if version is not None and key in found and found[key][0] == version:
        return found[key][1]
    if version is None:
        version = secrets.token_hex(8)
        cache.add(version_key, version, STUDENT_SECONDS)  # lost to a parallel read: a later miss
    value = read()
    cache.set(key, (version, value), STUDENT_SECONDS)
    return value


def student_changed(user_id: int) -> None:
    """The student's records change: what was cached for them is read again, from the moment
    the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: caches[STUDENT_CACHE].delete(_version_key(user_id)))


def _version_key(user_id: int) -> str:
    return f"{user_id}:version"
