"""`make bench`: measure the platform under load, each figure beside a baseline of the same run.

Creates its own PostgreSQL database, imports the real course and a generated one (timed against
`mkdocs build` of the same files), seeds students, attempts, progress and flashcard reviews, starts
gunicorn with the production settings and drives it with wrk over loopback. Run as
`python -m bench [--smoke]` from the project root; see docs/benchmarks.md.

The parts, each importing only what lies below it: workspace (paths, sizes, errors), scenarios
(what wrk replays), database, server (gunicorn), pipeline (import against mkdocs), load (wrk),
report (goals, table, Markdown), and prepare (seeding and plans, inside Django), which this
module imports once Django is set up.
"""

import argparse
import json
import os
import shutil
import sys
from dataclasses import asdict

from bench.database import DEFAULT_DATABASE, database_drop, database_recreate
from bench.load import load_measure
from bench.pipeline import pipeline_measure
from bench.report import GOALS, REPORT, RESULTS, machine, report_write, table_print
from bench.server import gunicorn, server_env
from bench.workspace import FULL, ROOT, SMOKE, WORK, BenchError, Size, manage, step

REAL_COURSE = ROOT / "content"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny data, one second a scenario")
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
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    env = server_env(database_url)
    os.environ.update(env)
    database_recreate(database_url)
    try:
        return measure_all(size, env, smoke=smoke)
    finally:
        database_drop(database_url)


def measure_all(size: Size, env: dict, *, smoke: bool) -> int:
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
    scenarios = prepare.scenarios(size.sessions)
    queries = {s.name: prepare.queries_per_request(s) for s in scenarios}

    with gunicorn(env) as base_url:
        measures = [load_measure(s, base_url, size, queries[s.name]) for s in scenarios]
        closing = load_measure(scenarios[0], base_url, size, queries[scenarios[0].name])
    baseline = (measures[0].requests_per_second + closing.requests_per_second) / 2
    for measure in measures:
        measure.ratio = measure.requests_per_second / baseline
    result = {
        "machine": machine(),
        "dataset": {**seeded, "generated_lessons": size.lessons},
        "load": {"connections": size.connections, "seconds": size.seconds},
        "baseline_requests_per_second": {
            "first": measures[0].requests_per_second,
            "last": closing.requests_per_second,
        },
        "scenarios": [asdict(m) for m in measures],
        "pipeline": pipeline,
    }
    result["goals"] = [goal.check(result) for goal in GOALS]
    table_print(result)
    errors = [m.name for m in measures if m.errors or not m.requests_per_second]
    if not smoke:
        RESULTS.write_text(json.dumps(result, indent=2) + "\n")
        report_write(result)
        print(f"\nWrote {RESULTS.relative_to(ROOT)} and {REPORT.relative_to(ROOT)}.")
    if errors:
        print(f"bench: scenarios with errors: {', '.join(errors)}", file=sys.stderr)
        return 1
    return 0
