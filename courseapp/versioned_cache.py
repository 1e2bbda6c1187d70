"""Values kept in a shared cache until what they were read from changes.

Each owner (a student, a course) has a version in the cache, and a value is kept with the
version it was read under. A change to the owner drops the version once it commits
(`VersionedCache.changed`), so the next read finds no version, or another one, and reads
afresh. A version is stored before the records are read, so a change that commits during the
read drops it, and the value kept under it is not served. A drop that could not reach Redis is
repeated by `courseapp.cache` before that process uses Redis again. A hit costs one round trip,
for one owner or for many: versions and values are read together. None is never kept.

Only a cache that every process shares sees every drop: without Redis such an alias keeps
nothing (settings.CACHES) and each read goes to the database.

Values are named by the version of the code that kept them (settings.CACHE_RELEASE), owners'
versions are not: during a rolling update, a change made through the old code drops what the
new code keeps, and the new code never reads a value pickled by the old.
"""

import secrets
from collections.abc import Callable, Collection, Sequence

from django.conf import settings
from django.core.cache import caches
from django.db import transaction


class VersionedCache:
    """Values by owner, in the cache alias `alias`, each kept until its owner changes or for
    `seconds` at most."""

    def __init__(self, alias: str, seconds: int):
        self.alias = alias
        self.seconds = seconds

    def get[T](self, owner: str, name: str, read: Callable[[], T]) -> T:
        """What `read` returns for `owner` as of its last change; `name` tells the values of
        one owner apart and names whatever else they depend on."""
        return self.get_many([owner], name, lambda missing: {owner: read()})[owner]

    def get_many[T](
        self, owners: Sequence[str], name: str, read: Callable[[list[str]], dict[str, T]]
    ) -> dict[str, T]:
        """{owner: value} for these owners, each as of its last change: `read` reads the values
        of those the cache does not hold, all at once."""
        cache = caches[self.alias]
        keys = {owner: (_version_key(owner), _value_key(owner, name)) for owner in owners}
        found = cache.get_many([key for pair in keys.values() for key in pair])
        values, versions, new_versions = {}, {}, {}
        for owner, (version_key, key) in keys.items():
            version = found.get(version_key)
            if version is not None and key in found and found[key][0] == version:
                values[owner] = found[key][1]
            elif version is not None:
                versions[owner] = version
            else:
                versions[owner] = new_versions[version_key] = secrets.token_hex(8)
        if versions:
            cache.set_many(new_versions, self.seconds)  # before reading: see the module
            read_values = read(list(versions))
            cache.set_many(
                {
                    keys[owner][1]: (versions[owner], value)
                    for owner, value in read_values.items()
                    if value is not None
                },
                self.seconds,
            )
            values.update(read_values)
        return values

    def changed(self, owners: Collection[str]) -> None:
        """These owners change: what was cached for them is read again, from the moment the
        current transaction commits (at once outside one)."""
        keys = [_version_key(owner) for owner in owners]
        if keys:
            transaction.on_commit(lambda: caches[self.alias].delete_many(keys))


def _version_key(owner: str) -> str:
    return f"{owner}:version"


def _value_key(owner: str, name: str) -> str:
    """Named by the code's version too (settings.CACHE_RELEASE), unlike the owner's version: a
    change made by any version of the code drops what every version keeps."""
    return f"{owner}:{name}:{settings.CACHE_RELEASE}"
