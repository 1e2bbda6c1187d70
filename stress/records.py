"""What the simulated students saw: every request with its timing and outcome, and the figures
drawn from them (latency percentiles, errors by kind, errors inside and outside fault windows).

Plain data and arithmetic, no HTTP and no database: the unit tests exercise it directly.
"""

import math
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

OK = "ok"
# Requests that only read: a retry of them is always safe, so none should fail to a client.
READS = frozenset({"lesson", "review card", "show answer", "login page"})


@dataclass(frozen=True)
class Record:
    """One request: what it was, when it started and ended (seconds since the scenario began)
    and how it ended: OK or what went wrong ("HTTP 500", "timeout", "connection refused", …)."""

    kind: str
    start: float
    end: float
    outcome: str = OK
    retry_after: str | None = None  # the Retry-After header of an error answer, if any

    @property
    def ok(self) -> bool:
        return self.outcome == OK

    @property
    def ms(self) -> float:
        return (self.end - self.start) * 1000


class Recorder:
    """Collects the records of one scenario from many threads; times count from its creation."""

    def __init__(self):
        self.started = time.monotonic()
        self.wall_started = time.time()  # the same moment on the clock logs are stamped with
        self._records: list[Record] = []
        self._lock = threading.Lock()

    def now(self) -> float:
        return time.monotonic() - self.started

    def wall(self, moment: float) -> float:
        """A moment of the scenario as seconds since the epoch."""
        return self.wall_started + moment

    def add(self, record: Record) -> None:
        with self._lock:
            self._records.append(record)

    @property
    def records(self) -> list[Record]:
        with self._lock:
            return list(self._records)


@dataclass(frozen=True)
class Window:
    """A stretch of a scenario in which errors are expected: a fault and the recovery after it."""

    name: str
    start: float
    end: float


def percentile(values: Iterable[float], fraction: float) -> float:
    """The nearest-rank percentile (0 when there are no values)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def summary(records: list[Record], seconds: float | None = None) -> dict:
    """Requests, errors by kind and latency percentiles (ms) of a list of records."""
    latencies = [record.ms for record in records]
    figures = {
        "requests": len(records),
        "errors": sum(not record.ok for record in records),
        "errors_by_kind": dict(Counter(r.outcome for r in records if not r.ok).most_common()),
        "mean_ms": round(sum(latencies) / len(latencies), 1) if latencies else 0.0,
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
    }
    if seconds:
        figures["requests_per_second"] = round(len(records) / seconds, 1)
    return figures


def by_kind(records: list[Record]) -> dict[str, dict]:
    """The summary of each kind of request, in the order the kinds first appear."""
    kinds = dict.fromkeys(record.kind for record in records)
    return {kind: summary([r for r in records if r.kind == kind]) for kind in kinds}


def overlapping(records: list[Record], start: float, end: float) -> list[Record]:
    """The records of requests that were under way at some moment between start and end."""
    return [record for record in records if record.start <= end and record.end >= start]


def outside_windows(records: list[Record], windows: list[Window]) -> list[Record]:
    """The failed requests that overlap no fault window: errors nothing in the scenario explains."""
    return [
        record
        for record in records
        if not record.ok
        and not any(overlapping([record], window.start, window.end) for window in windows)
    ]


def fault_figures(records: list[Record], window: Window, back: float) -> dict:
    """What a fault cost, `back` being the moment the faulty part (database, worker) was
    serving again.

    A failure is the fault's when it ended inside the window (a request that began before a
    fault fails when the fault strikes). The error window runs from the start of the first such
    failure to the end of the last; recovery is how long after `back` the last one ended.
    """
    inside = overlapping(records, window.start, window.end)
    failed = [r for r in inside if not r.ok and window.start <= r.end <= window.end]
    succeeded_after = [record.end for record in inside if record.ok and record.start >= back]
    figures = {
        "requests": len(inside),
        "failed": len(failed),
        "failed_reads": sum(record.kind in READS for record in failed),
        "errors_by_kind": dict(Counter(record.outcome for record in failed).most_common()),
        "error_window_s": 0.0,
        "recovery_s": 0.0,
        "first_success_after_s": round(min(succeeded_after) - back, 2) if succeeded_after else None,
    }
    if failed:
        first, last = min(r.start for r in failed), max(r.end for r in failed)
        figures["error_window_s"] = round(last - first, 2)
        figures["recovery_s"] = round(max(0.0, last - back), 2)
    return figures
