"""`make stress`: load, fault and concurrency scenarios against gunicorn and a PostgreSQL cluster
of the run's own, every acknowledged write checked against the database afterwards.

Creates the `stress` cluster (port 5433), migrates and imports the real course into it, seeds
students, starts one gunicorn with the production settings on loopback, runs the five scenarios
(stress.scenarios) against it, and drops the cluster at the end, failure or not. Run as
`python -m stress [--smoke]` from the project root; see docs/reliability.md.

The parts: records and ledger (what was seen and sent, pure), plan (what students work
through), client (a student's browser), cluster and server (the processes it starts and
stops), prepare (seeding and reading rows back, inside Django), scenarios, report and reading
(the table, the page and its words).
"""

import argparse
import json
import os
import shutil
import signal
import sys

from bench.database import database_recreate
from bench.server import server_env
from bench.workspace import ROOT, BenchError, manage, step
from stress.cluster import Cluster
from stress.report import REPORT, RESULTS, failures, machine, report_write, table_print
from stress.server import Gunicorn
from stress.size import FULL, SMOKE, Size

WORK = ROOT / "var" / "stress"
REAL_COURSE = ROOT / "content"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--smoke", action="store_true", help="every scenario briefly, on little data"
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=[name for name, _ in scenario_students(FULL)],
        help="run this scenario only (repeatable); the page is not rewritten",
    )
    args = parser.parse_args()
    # Stopped from outside (a CI timeout), still drop the cluster and stop gunicorn on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        return run(smoke=args.smoke, only=args.only or [])
    except BenchError as error:
        print(f"stress: {error}", file=sys.stderr)
        return 1


def run(*, smoke: bool, only: list[str]) -> int:
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    with Cluster() as cluster:
        env = stress_env(cluster.url)
        os.environ.update(env)
        database_recreate(cluster.url)
        try:
            result = measure_all(env, cluster, smoke=smoke, only=only)
        finally:
            from django.db import connections

            connections.close_all()
    table_print(result)
    (WORK / "result.json").write_text(json.dumps(result, indent=2) + "\n")
    if not (smoke or only):
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.write_text(json.dumps(result, indent=2) + "\n")
        report_write(result)
        print(f"\nWrote {RESULTS.relative_to(ROOT)} and {REPORT.relative_to(ROOT)}.")
    problems = failures(result)
    for problem in problems:
        print(f"stress: {problem}", file=sys.stderr)
    return 1 if problems else 0


def stress_env(database_url: str) -> dict[str, str]:
    """The benchmark's server environment (production settings, HTTPS-only behaviour off for
    plain HTTP on loopback) with the site's own settings module and this run's static files."""
    return {
        **server_env(database_url),
        "DJANGO_SETTINGS_MODULE": "courseapp.settings",
        "STATIC_ROOT": str(WORK / "static"),
    }


def scenario_students(size: Size) -> list[tuple[str, dict]]:
    """Each scenario (a function of stress.scenarios) and the students it gets, new ones each."""
    return [
        ("steady_load", {"prefix": "steady", "count": size.load_students, "signed_in": True}),
        ("database_faults", {"prefix": "dbfault", "count": size.fault_students, "signed_in": True}),
        ("worker_killed", {"prefix": "killed", "count": size.fault_students, "signed_in": True}),
        ("exam_start", {"prefix": "exam", "count": size.exam_students, "signed_in": False}),
        ("identical_submits", {"prefix": "repeat", "count": size.repeat_rounds, "signed_in": True}),
    ]


def measure_all(env: dict, cluster: Cluster, *, smoke: bool, only: list[str]) -> dict:
    size = SMOKE if smoke else FULL
    step("Migrating, collecting static files, importing the course")
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "collectstatic", "--no-input", "-v0")
    manage(env, "import_content", str(REAL_COURSE))

    import django

    django.setup()
    from stress import prepare, scenarios  # their models need the app registry setup() fills

    step(f"Seeding {size.history_students} students with a history, {size.own_students} new ones")
    dataset = prepare.history_seed(size.history_students)
    plan = prepare.course_plan()
    results = []
    with Gunicorn(env, WORK / "gunicorn.log") as server:
        stage = scenarios.Stage(server, WORK, cluster, plan, size)
        for name, students in scenario_students(size):
            if only and name not in only:
                continue
            scenario = getattr(scenarios, name)
            load_before = os.getloadavg()[0]
            results.append(scenario(stage, prepare.students_create(**students)))
            results[-1]["load_average"] = [round(load_before, 1), round(os.getloadavg()[0], 1)]
    return {
        "machine": machine(cluster.version),
        "dataset": {
            **dataset,
            "lessons": len(plan.lessons),
            "questions": len(plan.questions),
            "question_types": plan.types,
            "decks": len(plan.decks),
        },
        "size": size.__dict__,
        "server": {
            "workers": int(env.get("GUNICORN_WORKERS", "2")),
            "threads": int(env.get("GUNICORN_THREADS", "4")),
        },
        "scenarios": results,
    }
