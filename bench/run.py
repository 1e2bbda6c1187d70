"""`make bench`: measure the platform under load, each figure beside a baseline of the same run.

Creates its own PostgreSQL database, imports the real course and a generated one (timed against
`mkdocs build` of the same files), and seeds students, attempts, progress and flashcard reviews.
Then two passes with the same load: gunicorn with the production settings and each process's
own caches, then the same with its caches and sessions in Redis (REDIS_URL). Each pass drives
the server with wrk over loopback, scenario by scenario, and ends with an exam start (students
all at once, from threads of this process). Run as `python -m bench [--smoke]` from the project
root; see docs/benchmarks.md.

The parts, each importing only what lies below it: workspace (paths, sizes, errors), scenarios
(what wrk replays, what an exam start is), database (PostgreSQL), redis_database (the Redis
pass's database), server (gunicorn), pipeline (import against mkdocs), load (wrk), exam (the
exam start), report (goals, table, Markdown), and prepare (seeding and plans, inside Django),
which this module imports once Django is set up.
"""

import argparse
import json
import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import asdict

from bench.database import DEFAULT_DATABASE, database_drop, database_recreate
from bench.exam import WINDOW_SECONDS, exam_measure
from bench.load import load_measure
from bench.pipeline import pipeline_measure
from bench.redis_database import redis_flush, redis_keys, redis_url, redis_version
from bench.report import GOALS, PASSES, REPORT, RESULTS, machine, report_write, table_print
from bench.scenarios import ExamStart, Scenario
from bench.server import gunicorn, server_env
from bench.workspace import FULL, ROOT, SMOKE, WORK, BenchError, Size, manage, step

REAL_COURSE = ROOT / "content"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny data, two seconds a scenario")
    args = parser.parse_args()
    size = SMOKE if args.smoke else FULL
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE)
    try:
        return run(size, database_url, smoke=args.smoke)
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1


def run(size: Size, database_url: str, *, smoke: bool) -> int:
    if shutil.which("wrk") is None:
        raise BenchError(
            "wrk is not installed (Debian/Ubuntu: apt-get install wrk; macOS: brew install wrk)."
        )
    redis = redis_url()
    redis_version(redis)  # fails now rather than after the long preparation if Redis is down
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    env = server_env(database_url)
    os.environ.pop("REDIS_URL", None)  # this process keeps its caches in memory too
    os.environ.update(env)
    database_recreate(database_url)
    try:
        return measure_all(size, env, redis, smoke=smoke)
    finally:
        database_drop(database_url)


def measure_all(size: Size, env: dict, redis: str, *, smoke: bool) -> int:
    step("Migrating and collecting static files")
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "collectstatic", "--no-input", "-v0")
    manage(env, "import_content", str(REAL_COURSE))
    pipeline = pipeline_measure(size, env)

    import django

    django.setup()
    from bench import prepare  # its models need the app registry that setup() fills

    step(f"Seeding {size.students} students in two courses")
    seeded = prepare.data_seed(size.students)
    baseline, *pages = prepare.scenarios(size.sessions)
    exams = prepare.exam_starts(size.exam_students, passes=len(PASSES))
    queries = {s.name: prepare.queries_per_request(s) for s in (baseline, *pages)}
    with prepare.redis_configured(redis):
        redis_queries = {s.name: prepare.queries_per_request(s) for s in (baseline, *pages)}

    step("Pass 1 of 2: caches and sessions in each process")
    with gunicorn(env) as base_url:
        per_process = pass_measure(baseline, pages, exams[0], base_url, size, queries)
    step("Pass 2 of 2: caches and sessions in Redis")
    redis_flush(redis)
    with gunicorn({**env, "REDIS_URL": redis}) as base_url:
        in_redis = pass_measure(baseline, pages, exams[1], base_url, size, redis_queries)
    if not redis_keys(redis):
        raise BenchError("the Redis pass's server stored nothing in Redis: REDIS_URL went unused")

    result = {
        "machine": {**machine(), "redis": redis_version(redis)},
        "dataset": {**seeded, "generated_lessons": size.lessons},
        "load": {
            "connections": size.connections,
            "seconds": size.seconds,
            "exam_students": size.exam_students,
            "exam_window_seconds": WINDOW_SECONDS,
        },
        "passes": {"per_process": per_process, "redis": in_redis},
        "pipeline": pipeline,
    }
    return result_report(result, smoke=smoke)


def result_report(result: dict, *, smoke: bool) -> int:
    """Check the goals, print the table and, after a full run, write the results and the page;
    1 when anything answered with errors or not at all."""
    result["goals"] = [goal.check(result) for goal in GOALS]
    table_print(result)
    if not smoke:
        RESULTS.write_text(json.dumps(result, indent=2) + "\n")
        report_write(result)
        print(f"\nWrote {RESULTS.relative_to(ROOT)} and {REPORT.relative_to(ROOT)}.")
    errors = list(failures(result))
    if errors:
        print(f"bench: errors or no answers in: {', '.join(errors)}", file=sys.stderr)
        return 1
    return 0


def pass_measure(
    baseline: Scenario,
    pages: list[Scenario],
    exam: ExamStart,
    base_url: str,
    size: Size,
    queries: dict[str, int],
) -> dict:
    """The baseline, every other scenario, the exam start and the baseline again, against the
    server at `base_url`; each ratio is to the mean of this pass's two baseline figures, so a
    machine that slows down or speeds up between the passes does not tilt one against the
    other."""
    opening = load_measure(baseline, base_url, size, queries[baseline.name])
    measures = [load_measure(s, base_url, size, queries[s.name]) for s in pages]
    exam_start = exam_measure(base_url, exam)
    closing = load_measure(baseline, base_url, size, queries[baseline.name])
    mean = (opening.requests_per_second + closing.requests_per_second) / 2
    for measure in (opening, *measures):
        measure.ratio = measure.requests_per_second / mean
    return {
        "scenarios": [asdict(m) for m in (opening, *measures)],
        "exam_start": asdict(exam_start),
        "baseline_requests_per_second": {
            "first": opening.requests_per_second,
            "last": closing.requests_per_second,
        },
    }


def failures(result: dict) -> Iterator[str]:
    """What answered with errors or not at all, in which pass."""
    for key, label in PASSES.items():
        measured = result["passes"][key]
        for m in measured["scenarios"]:
            if m["errors"] or not m["requests_per_second"]:
                yield f"{m['name']} ({label})"
        if measured["exam_start"]["errors"]:
            yield f"exam start ({label})"
