"""The exam start: every student opens the same lesson and answers the same question within a
couple of seconds, as when a class starts an exam together.

wrk keeps a fixed number of connections busy, one request after another; here each student is a
thread with a connection of its own. A barrier releases them all at once, each starts at its
place in an even spread over the window, reads the lesson (GET) and answers (an htmx POST) on
the same connection, and every request is timed. Requests go to the loopback server only.
"""

import http.client
import math
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from bench.scenarios import CSRF_TOKEN, ExamStart
from bench.workspace import BenchError

WINDOW_SECONDS = 2.0
REQUEST_TIMEOUT = 30.0  # seconds to connect, and to wait for each answer
STARTING_SECONDS = 10.0  # for the threads to start and meet at the barrier
EXPECTED = 200
ANSWER_HEADERS = {
    "Content-Type": "application/x-www-form-urlencoded",
    "HX-Request": "true",
    "X-CSRFToken": CSRF_TOKEN,
}


@dataclass(frozen=True)
class Percentiles:
    p50_ms: float
    p99_ms: float


@dataclass(frozen=True)
class ExamMeasure:
    students: int
    window_seconds: float
    requests: int
    errors: int  # another status than 200, or no answer (refused, reset, timed out)
    wall_seconds: float  # from the release to the last answer
    lesson: Percentiles
    answer: Percentiles
    overall: Percentiles


@dataclass(frozen=True)
class Sample:
    kind: str  # "lesson" or "answer"
    seconds: float | None  # None when no answer came
    ok: bool
    finished: float  # time.monotonic() when it ended


def exam_measure(
    base_url: str,
    exam: ExamStart,
    *,
    window: float = WINDOW_SECONDS,
    timeout: float = REQUEST_TIMEOUT,
) -> ExamMeasure:
    """Start the exam against the server at `base_url` and time it; fails (BenchError) if it
    has not ended once every student could have waited `timeout` for both requests."""
    host, port = loopback_address(base_url)
    students = len(exam.cookies)
    released: list[float] = []
    barrier = threading.Barrier(students, action=lambda: released.append(time.monotonic()))
    samples: list[Sample] = []

    def student(index: int) -> None:
        barrier.wait()
        time.sleep(max(0.0, released[0] + window * index / students - time.monotonic()))
        samples.extend(student_requests(host, port, exam, index, timeout))

    threads = [threading.Thread(target=student, args=(i,), daemon=True) for i in range(students)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + STARTING_SECONDS + window + 2 * timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    if any(thread.is_alive() for thread in threads):
        barrier.abort()
        raise BenchError(f"the exam start of {students} students did not end in time")
    if len(samples) < 2 * students:
        raise BenchError("a student of the exam start stopped on an unexpected error (above)")
    measure = exam_summary(samples, students, window, released[0])
    print(
        f"  {'exam start':<24} {measure.requests} requests, {measure.errors} errors, "
        f"p99 {measure.overall.p99_ms:.0f} ms, {measure.wall_seconds:.1f} s",
        flush=True,
    )
    return measure


def loopback_address(base_url: str) -> tuple[str, int]:
    parts = urlsplit(base_url)
    if parts.scheme != "http" or parts.hostname != "127.0.0.1" or parts.port is None:
        raise BenchError(f"the exam start only goes to http://127.0.0.1:<port>, not {base_url}")
    return parts.hostname, parts.port


def student_requests(
    host: str, port: int, exam: ExamStart, index: int, timeout: float
) -> list[Sample]:
    """One student: the lesson, then the answer, on one kept-alive connection."""
    cookie = {"Cookie": exam.cookies[index]}
    body = exam.bodies[index % len(exam.bodies)]
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        return [
            timed_request(connection, "lesson", "GET", exam.lesson, cookie),
            timed_request(
                connection, "answer", "POST", exam.answer, {**cookie, **ANSWER_HEADERS}, body
            ),
        ]
    finally:
        connection.close()


def timed_request(
    connection: http.client.HTTPConnection,
    kind: str,
    method: str,
    path: str,
    headers: dict[str, str],
    body: str | None = None,
) -> Sample:
    started = time.monotonic()
    try:
        connection.request(method, path, body=body, headers=headers)
        with connection.getresponse() as response:
            response.read()
    except (OSError, http.client.HTTPException):
        connection.close()  # the next request opens a new connection
        return Sample(kind, None, ok=False, finished=time.monotonic())
    finished = time.monotonic()
    return Sample(kind, finished - started, response.status == EXPECTED, finished)


def exam_summary(
    samples: list[Sample], students: int, window: float, released: float
) -> ExamMeasure:
    """Counts and latencies; a latency is that of a request that was answered, as wrk's are."""

    def latencies(kind: str | None = None) -> Percentiles:
        answered = [s for s in samples if s.seconds is not None]
        return percentiles([s.seconds for s in answered if kind is None or s.kind == kind])

    return ExamMeasure(
        students=students,
        window_seconds=window,
        requests=len(samples),
        errors=sum(not sample.ok for sample in samples),
        wall_seconds=round(max(sample.finished for sample in samples) - released, 2),
        lesson=latencies("lesson"),
        answer=latencies("answer"),
        overall=latencies(),
    )


def percentiles(seconds: list[float]) -> Percentiles:
    """The 50th and 99th percentiles by nearest rank, in ms (NaN when nothing was answered)."""
    ordered = sorted(seconds)

    def rank(fraction: float) -> float:
        if not ordered:
            return math.nan
        return round(ordered[math.ceil(fraction * len(ordered)) - 1] * 1000, 1)

    return Percentiles(p50_ms=rank(0.50), p99_ms=rank(0.99))
