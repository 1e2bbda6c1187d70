"""Writes the students sent and the ones the server acknowledged, checked against the rows the
database holds afterwards: what was lost, what was stored twice.

A write has a key, the row it must show up as (a student and a form token, a student and a
lesson, a student and a card), and an id that tells its repeats apart from new writes: a
retry under the same form token is the same answer, a rating of a card shown again is a new
one. Plain data and arithmetic; stress.prepare reads the rows.
"""

import threading
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass, field


@dataclass
class WriteLedger:
    """The writes of one kind a scenario sent and the ones acknowledged (a 2xx answer showing
    the write took effect).

    `exhaustive`: every row of the scenario's students must come from a write it sent
    (attempts and reviews are only ever appended by the students themselves; a lesson can also
    be completed by answering all of its questions, so completions are not exhaustive).
    """

    kind: str
    exhaustive: bool
    sent: dict[Hashable, set] = field(default_factory=dict)
    acknowledged: dict[Hashable, set] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def send(self, key: Hashable, write_id: Hashable = None) -> None:
        with self._lock:
            self.sent.setdefault(key, set()).add(write_id)

    def acknowledge(self, key: Hashable, write_id: Hashable = None) -> None:
        with self._lock:
            self.sent.setdefault(key, set()).add(write_id)
            self.acknowledged.setdefault(key, set()).add(write_id)


@dataclass(frozen=True)
class Verdict:
    kind: str
    acknowledged: int  # writes the server said it made
    lost: int  # acknowledged, yet no row
    duplicated: int  # rows beyond one per write sent (or rows no write explains)
    kept_unacknowledged: int  # a write whose answer failed but whose row is there: allowed
    students: int  # distinct students among the checked keys


def verdict(ledger: WriteLedger, rows: Counter, student: callable = lambda key: key[0]) -> Verdict:
    """Compare the ledger with `rows`, the number of stored rows per key.

    Per key, with `sent` distinct writes of which `acknowledged` were acknowledged and `stored`
    rows: `acknowledged - stored` rows are lost (if positive), `stored - sent` duplicated (if
    positive), and stored rows beyond the acknowledged ones, up to `sent`, are writes whose
    answer was lost on the way while the database kept them.
    """
    keys = set(ledger.sent) | (set(rows) if ledger.exhaustive else set())
    lost = duplicated = kept = 0
    for key in keys:
        sent = len(ledger.sent.get(key, ()))
        acknowledged = len(ledger.acknowledged.get(key, ()))
        stored = rows.get(key, 0)
        lost += max(0, acknowledged - stored)
        duplicated += max(0, stored - sent)
        kept += max(0, min(stored, sent) - acknowledged)
    return Verdict(
        kind=ledger.kind,
        acknowledged=sum(len(ids) for ids in ledger.acknowledged.values()),
        lost=lost,
        duplicated=duplicated,
        kept_unacknowledged=kept,
        students=len({student(key) for key in keys}),
    )
