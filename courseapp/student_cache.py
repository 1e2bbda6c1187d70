"""The student cache: what one student's own records add up to (their dashboard, their row of a
course's students table), kept until they write again.

Each student has a version in the cache, and a value is kept with the version it was computed
under. Every write to the student's progress, answers or flashcards drops the version once it
commits (`student_changed`), so the next read finds no version, or another one, and computes
afresh. A version is stored before the records are read, so a write that commits during the
read drops it, and the value kept under it is not served. A drop that could not reach Redis is
repeated by `courseapp.cache` before Redis is used again. A hit costs one round trip, for one
student or for a page of them: versions and values are read together.

Only a cache that every process shares sees every drop: without Redis the alias keeps nothing
(settings.CACHES) and each read computes.
"""

import secrets
from collections.abc import Callable, Sequence

from django.core.cache import caches
from django.db import transaction

STUDENT_CACHE = "student"  # its alias in settings.CACHES
STUDENT_SECONDS = 3600


def student_cached[T](user_id: int, name: str, read: Callable[[], T]) -> T:
    """What `read` returns for the student as of their last write; `name` tells the values apart
    and names whatever else they depend on (the content versions of the student's courses)."""
    return students_cached([user_id], name, lambda missing: {user_id: read()})[user_id]


def students_cached[T](
    user_ids: Sequence[int], name: str, read: Callable[[list[int]], dict[int, T]]
) -> dict[int, T]:
    """{user id: value} for these students, each as of their last write: `read` computes the
    values of those the cache does not hold, all at once."""
    cache = caches[STUDENT_CACHE]
    keys = {user_id: (_version_key(user_id), f"{user_id}:{name}") for user_id in user_ids}
    found = cache.get_many([key for pair in keys.values() for key in pair])
    values, versions, new_versions = {}, {}, {}
    for user_id, (version_key, key) in keys.items():
        version = found.get(version_key)
        if version is not None and key in found and found[key][0] == version:
            values[user_id] = found[key][1]
        elif version is not None:
            versions[user_id] = version
        else:
            versions[user_id] = new_versions[version_key] = secrets.token_hex(8)
    if versions:
        cache.set_many(new_versions, STUDENT_SECONDS)  # before reading: see the module
        computed = read(list(versions))
        cache.set_many(
            {keys[user_id][1]: (versions[user_id], value) for user_id, value in computed.items()},
            STUDENT_SECONDS,
        )
        values.update(computed)
    return values


def student_changed(user_id: int) -> None:
    """The student's records change: what was cached for them is read again, from the moment
    the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: caches[STUDENT_CACHE].delete(_version_key(user_id)))


def _version_key(user_id: int) -> str:
    return f"{user_id}:version"
