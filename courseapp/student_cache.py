"""The student cache: what one student's own records add up to (their dashboard, their row of a
course's students table), kept until they write again.

Every write to the student's progress, answers or flashcards calls `student_changed`, which
drops what was kept for them once it commits, and so does a change to their account;
`courseapp.versioned_cache` says how, and why a read racing a write serves nothing stale. Only
a cache that every process shares sees every drop: without Redis the alias keeps nothing
(settings.CACHES) and each read computes. A hit costs one round trip, for one student or for a
page of them.
"""

from collections.abc import Callable, Sequence

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

from courseapp.versioned_cache import VersionedCache

STUDENT_CACHE = "student"  # its alias in settings.CACHES
STUDENT_SECONDS = 3600

_students = VersionedCache(STUDENT_CACHE, STUDENT_SECONDS)


def student_cached[T](user_id: int, name: str, read: Callable[[], T]) -> T:
    """What `read` returns for the student as of their last write; `name` tells the values apart
    and names whatever else they depend on (the content versions of the student's courses)."""
    return _students.get(str(user_id), name, read)


def students_cached[T](
    user_ids: Sequence[int], name: str, read: Callable[[list[int]], dict[int, T]]
) -> dict[int, T]:
    """{user id: value} for these students, each as of their last write: `read` computes the
    values of those the cache does not hold, all at once."""
    values = _students.get_many(
        [str(user_id) for user_id in user_ids],
        name,
        lambda missing: {str(k): v for k, v in read([int(owner) for owner in missing]).items()},
    )
    return {int(owner): value for owner, value in values.items()}


def student_changed(user_id: int) -> None:
    """The student's records change: what was cached for them is read again, from the moment
    the current transaction commits (at once outside one)."""
    _students.changed([str(user_id)])


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="student_cache")
def _account_saved(sender, instance, created, update_fields=None, **kwargs) -> None:
    """What is kept for a student may show their account (a name in the students table): a
    save drops it, except the one every login makes (and a new account has nothing kept)."""
    if not created and (update_fields is None or set(update_fields) != {"last_login"}):
        student_changed(instance.pk)
