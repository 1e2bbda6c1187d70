"""The five scenarios: steady load, PostgreSQL restarted and down, a worker killed, an exam
start, ten identical submits. Each drives the run's gunicorn from threads, one per student, then
checks every acknowledged write against the database. Import after django.setup()
(stress.prepare needs the app registry).
"""

import json
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.workspace import BenchError, step
from stress import prepare
from stress.client import Browser, StudentSession, Writes
from stress.cluster import Cluster
from stress.ledger import verdict
from stress.plan import STUDENT_PASSWORD, CoursePlan, Student
from stress.records import (
    Record,
    Recorder,
    Window,
    by_kind,
    fault_figures,
    outside_windows,
    summary,
)
from stress.server import Gunicorn
from stress.size import Size

GRACE = 5.0  # seconds after a fault's end still counted as its window: time to reconnect
PROBE_INTERVAL = 0.5
EXAM_TIMEOUT = (5, 120)  # 200 logins at once queue behind the password hashing
REPEATS = 10  # identical submits of one form, sent together


@dataclass
class Stage:
    """What every scenario works with: one server for the whole run, as a site lives through
    all of this (a fault left unrepaired shows in the scenarios after it)."""

    server: Gunicorn
    work: Path
    cluster: Cluster
    plan: CoursePlan
    size: Size

    def keep(self, name: str, records: list[Record]) -> None:
        """Every request of a scenario, one JSON object a line, for a closer look."""
        lines = (json.dumps(asdict(record)) for record in records)
        (self.work / f"{name}.records.jsonl").write_text("\n".join(lines) + "\n")


class Load:
    """Students studying in threads until stopped (or a hard deadline), while the caller
    inflicts a fault; the same recorder and ledgers for all of them."""

    def __init__(self, base_url: str, plan: CoursePlan, students: list[Student], seconds: float):
        self.base_url, self.plan, self.students = base_url, plan, students
        self.recorder = Recorder()
        self.writes = Writes()
        self.stopped = threading.Event()
        self.deadline = time.monotonic() + seconds

    def __enter__(self) -> "Load":
        self.pool = ThreadPoolExecutor(len(self.students) + 1, thread_name_prefix="student")
        self.futures = [
            self.pool.submit(self._study, student, index)
            for index, student in enumerate(self.students)
        ]
        return self

    def _study(self, student: Student, index: int) -> None:
        browser = Browser(self.base_url, self.recorder, student)
        session = StudentSession(student, browser, self.writes, random.Random(index))  # noqa: S311
        try:
            session.study(self.plan, self.deadline, self.stopped)
        finally:
            browser.close()

    def probe(self, interval: float = PROBE_INTERVAL) -> None:
        """Also ask /healthz and /readyz every `interval` seconds, as an orchestrator would."""
        self.futures.append(self.pool.submit(self._probe, interval))

    def _probe(self, interval: float) -> None:
        browser = Browser(self.base_url, self.recorder, Student("probe", 0))
        try:
            for _ in range(int((self.deadline - time.monotonic()) / interval) + 1):
                if self.stopped.is_set() or time.monotonic() >= self.deadline:
                    return
                browser.send("probe /healthz", "GET", "/healthz")
                browser.send("probe /readyz", "GET", "/readyz")
                time.sleep(interval)
        finally:
            browser.close()

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        done, pending = wait(self.futures, timeout=max(0, self.deadline - time.monotonic()) + 90)
        self.pool.shutdown(wait=not pending, cancel_futures=True)
        if pending:
            raise BenchError(f"{len(pending)} students still running after the load's end")
        for future in done:
            future.result()  # a failure of the harness itself surfaces here

    def load_records(self):
        return [r for r in self.recorder.records if not r.kind.startswith("probe")]


def writes_check(writes: Writes, students: list[Student]) -> list[dict]:
    """Each kind of write compared, student by student, with the rows the database holds."""
    ids = [student.user_id for student in students]
    rows = {
        "answer": prepare.attempt_rows(ids),
        "completion": prepare.completion_rows(ids),
        "rating": prepare.review_rows(ids),
    }
    return [asdict(verdict(ledger, rows[ledger.kind])) for ledger in writes.all()]


def steady_load(stage: Stage, students: list[Student]) -> dict:
    """Scenario 1: signed-in students read, answer every type of question, complete lessons
    and review flashcards for a while; every acknowledged write is looked up afterwards."""
    seconds = stage.size.load_seconds
    step(f"Steady load: {len(students)} students for {seconds:.0f} s")
    cpu = time.process_time()
    with Load(stage.server.base_url, stage.plan, students, seconds) as load:
        load.stopped.wait(seconds)
    stage.keep("steady-load", load.recorder.records)
    records = load.load_records()
    return {
        "name": "steady load",
        "students": len(students),
        "seconds": seconds,
        **summary(records, seconds),
        "by_kind": by_kind(records),
        "question_types": stage.plan.types,
        "answered_types": dict(sorted(load.writes.answered_types.items())),
        "outside_windows": len(outside_windows(records, [])),
        "writes": writes_check(load.writes, students),
        "harness_cpu_s": round(time.process_time() - cpu, 1),
    }


def database_faults(stage: Stage, students: list[Student]) -> dict:
    """Scenario 2: under load, PostgreSQL restarted (a quick restart), then stopped for
    `outage_seconds` and started again. What failed, for how long, and what pages answered
    while the database was down."""
    size = stage.size
    down_for = f"{size.outage_seconds:.0f} s"
    step(f"PostgreSQL restarted, then down {down_for}, under {len(students)} students")
    planned = 3 * size.steady_seconds + size.outage_seconds + 60
    with Load(stage.server.base_url, stage.plan, students, planned) as load:
        load.probe()
        clock = load.recorder
        time.sleep(size.steady_seconds)
        restart_began = clock.now()
        stage.cluster.restart()
        restart_back = clock.now()
        time.sleep(size.steady_seconds)
        stop_began = clock.now()
        stage.cluster.stop()
        down = clock.now()
        time.sleep(size.outage_seconds)
        start_began = clock.now()
        stage.cluster.start()
        outage_back = clock.now()
        time.sleep(size.steady_seconds)
    stage.keep("database", load.recorder.records)
    records = load.load_records()
    # A window ends GRACE seconds after its fault, or where the next fault begins.
    windows = [
        Window("restart", restart_began, min(restart_back + GRACE, stop_began)),
        Window("outage", stop_began, outage_back + GRACE),
    ]
    while_down = [r for r in records if r.start >= down and r.end <= start_began]
    probes_down = [
        r
        for r in load.recorder.records
        if r.kind.startswith("probe") and down <= r.start <= start_began
    ]
    return {
        "name": "database restart and outage",
        "students": len(students),
        "grace_s": GRACE,
        **summary(records, clock.now()),
        "restart": {
            "unavailable_s": round(restart_back - restart_began, 2),
            **fault_figures(records, windows[0], restart_back),
            "causes": stage.server.causes(clock, windows[0]),
        },
        "outage": {
            "unavailable_s": round(outage_back - stop_began, 2),
            **fault_figures(records, windows[1], outage_back),
            "causes": stage.server.causes(clock, windows[1]),
        },
        "while_down": outcomes(while_down),
        "while_down_retry_after": sum(r.retry_after is not None for r in while_down),
        "probes_while_down": {
            kind: outcomes([r for r in probes_down if r.kind == kind])
            for kind in ("probe /healthz", "probe /readyz")
        },
        "outside_windows": len(outside_windows(load.recorder.records, windows)),
        "outside_windows_by_kind": outcomes(outside_windows(load.recorder.records, windows)),
        "writes": writes_check(load.writes, students),
    }


def worker_killed(stage: Stage, students: list[Student]) -> dict:
    """Scenario 3: under load, SIGKILL one gunicorn worker; the master starts another."""
    size = stage.size
    step(f"A gunicorn worker killed under {len(students)} students")
    planned = 2 * size.steady_seconds + 60
    server = stage.server
    with Load(server.base_url, stage.plan, students, planned) as load:
        clock = load.recorder
        time.sleep(size.steady_seconds)
        before = set(server.workers())
        killed_at = clock.now()
        killed = server.worker_kill()
        replacement = replacement_wait(server, before - {killed}, killed)
        replaced_at = clock.now()
        time.sleep(size.steady_seconds)
    stage.keep("worker", load.recorder.records)
    records = load.load_records()
    window = Window("worker", killed_at, replaced_at + GRACE)
    return {
        "name": "worker killed",
        "students": len(students),
        **summary(records, clock.now()),
        "killed_pid": killed,
        "replacement_pid": replacement,
        "replaced_after_s": round(replaced_at - killed_at, 2),
        "fault": fault_figures(records, window, replaced_at),
        "outside_windows": len(outside_windows(records, [window])),
        "outside_windows_by_kind": outcomes(outside_windows(records, [window])),
        "writes": writes_check(load.writes, students),
    }


def replacement_wait(
    server: Gunicorn, survivors: set[int], killed: int, seconds: float = 30
) -> int | None:
    """The worker the master starts in place of a killed one (None if none within `seconds`)."""
    deadline = time.monotonic() + seconds
    for _ in range(int(seconds * 20)):
        new = set(server.workers()) - survivors - {killed}
        if new or time.monotonic() > deadline:
            return min(new) if new else None
        time.sleep(0.05)
    return None


def exam_start(stage: Stage, students: list[Student]) -> dict:
    """Scenario 4: every student logs in through the form and answers the same question,
    all arriving within `exam_spread_seconds`."""
    size = stage.size
    lesson = stage.plan.lessons[0]
    question = stage.plan.questions[lesson.questions[0]]
    spread = size.exam_spread_seconds
    step(f"Exam start: {len(students)} logins and answers within {spread:.0f} s")
    recorder, writes = Recorder(), Writes()
    first = recorder.now() + 0.5
    arrivals = [first + index * spread / len(students) for index in range(len(students))]

    def sit(student: Student, arrival: float) -> None:
        browser = Browser(stage.server.base_url, recorder, student, timeout=EXAM_TIMEOUT)
        session = StudentSession(student, browser, writes, random.Random(student.user_id))  # noqa: S311
        time.sleep(max(0.0, arrival - recorder.now()))
        try:
            if session.log_in(STUDENT_PASSWORD):
                token = session.read(lesson).get(question.key)
                if token:
                    session.answer(question, token, right=True)
        finally:
            browser.close()

    with ThreadPoolExecutor(len(students), thread_name_prefix="examinee") as pool:
        futures = [pool.submit(sit, s, t) for s, t in zip(students, arrivals, strict=True)]
        done, pending = wait(futures, timeout=spread + 4 * EXAM_TIMEOUT[1] + 30)
        if pending:
            raise BenchError(f"{len(pending)} examinees still waiting after the time allowed")
        for future in done:
            future.result()
    stage.keep("exam", recorder.records)
    records = recorder.records
    return {
        "name": "exam start",
        "students": len(students),
        "spread_s": spread,
        "timeout_s": EXAM_TIMEOUT[1],
        "question": question.key,
        "question_type": question.type,
        **summary(records),
        "by_kind": by_kind(records),
        "answered": sum(1 for ids in writes.answers.acknowledged.values() if ids),
        "password_hashing": prepare.password_hashing(),
        "makespan_s": round(max((r.end for r in records), default=first) - first, 2),
        "outside_windows": len(outside_windows(records, [])),
        "writes": writes_check(writes, students),
    }


def identical_submits(stage: Stage, students: list[Student]) -> dict:
    """Scenario 5: the same answer form (one token) submitted REPEATS times at once, round after
    round, one student and one question per round: exactly one attempt each time."""
    step(f"Ten identical submits at once, {len(students)} rounds")
    keys = sorted(stage.plan.questions)
    rng = random.Random(5)  # noqa: S311
    recorder, writes, rounds = Recorder(), Writes(), []
    for student in students:
        question = stage.plan.questions[rng.choice(keys)]
        reader = Browser(stage.server.base_url, recorder, student)
        session = StudentSession(student, reader, writes, rng)
        token = session.read(stage.plan.lesson_of(question.key)).get(question.key)
        reader.close()
        attempts = acknowledged = None
        if token is not None:
            acknowledged = submit_together(stage, recorder, writes, student, question, token)
            attempts = prepare.token_rows(token)
        rounds.append(
            {
                "question": question.key,
                "type": question.type,
                "attempts": attempts,
                "acknowledged": acknowledged,
            }
        )
    stage.keep("repeats", recorder.records)
    repeats = [r for r in recorder.records if r.kind == "repeat answer"]
    return {
        "name": "identical submits",
        "rounds": len(rounds),
        "rounds_with_one_attempt": sum(r["attempts"] == 1 for r in rounds),
        "attempts_per_round": sorted({r["attempts"] for r in rounds if r["attempts"] is not None}),
        "round_details": rounds,
        **summary(recorder.records),
        "repeat_responses": outcomes(repeats),
        "outside_windows": len(outside_windows(recorder.records, [])),
        "writes": writes_check(writes, students),
    }


def submit_together(stage: Stage, recorder, writes, student, question, token) -> int:
    """REPEATS browsers of one student post the same form at the same moment; how many
    answers came back showing the verdict."""
    barrier = threading.Barrier(REPEATS, timeout=30)
    base_url = stage.server.base_url

    def submit(index: int) -> bool:
        browser = Browser(base_url, recorder, student)
        session = StudentSession(student, browser, writes, random.Random(index))  # noqa: S311
        try:
            browser.session.get(f"{base_url}/healthz", timeout=5)  # connected before the race
            barrier.wait()
            return session.answer_once(question, token, kind="repeat answer") is not None
        finally:
            browser.close()

    with ThreadPoolExecutor(REPEATS, thread_name_prefix="repeat") as pool:
        return sum(pool.map(submit, range(REPEATS)))


def outcomes(records) -> dict[str, int]:
    return dict(Counter(record.outcome for record in records).most_common())
