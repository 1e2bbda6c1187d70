"""`make bench`: measure the platform under load, each figure beside a baseline of the same run.

Creates its own PostgreSQL database, imports the real course and a generated one (timed against
`mkdocs build` of the same files), seeds students, attempts, progress and flashcard reviews, starts
gunicorn with the production settings and drives it with wrk over loopback. Run as
`python -m bench [--smoke]` from the project root; see docs/benchmarks.md.
"""

import argparse
import json
import operator
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import psycopg

from bench.generate import COURSE_SLUG, course_write

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench"
RESULTS = ROOT / "bench" / "results" / "latest.json"
REPORT = ROOT / "docs" / "benchmarks.md"
REPORT_TEMPLATE = ROOT / "bench" / "benchmarks.template.md"
REAL_COURSE = ROOT / "content"
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/courseapp_bench"
CSRF_TOKEN = secrets.token_hex(16)  # 32 characters: a valid unmasked CSRF secret


@dataclass(frozen=True)
class Size:
    lessons: int
    students: int
    sessions: int
    seconds: float
    warmup: float
    connections: int
    pipeline_rounds: int


FULL = Size(
    lessons=300, students=1000, sessions=50, seconds=10, warmup=3, connections=8, pipeline_rounds=3
)
SMOKE = Size(
    lessons=30, students=40, sessions=10, seconds=1, warmup=0.5, connections=4, pipeline_rounds=1
)


@dataclass(frozen=True)
class Scenario:
    name: str
    method: str
    lines: list[str]  # "METHOD\tpath\tcookie\tbody", replayed round-robin
    expected: int = 200


@dataclass
class Measure:
    name: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    queries: int
    ratio: float = 0.0


@dataclass(frozen=True)
class Goal:
    """A figure to aim for, reported as met or missed (never asserted)."""

    name: str
    sign: str  # "≥", "≤" or "<": how the measure must compare with the target
    target: float
    shown: str  # how the target and the measure are written, e.g. "{:.0f} ms"
    measure: Callable[[dict], float]

    def check(self, result: dict) -> dict:
        value = self.measure(result)
        return {
            "goal": self.name,
            "target": f"{self.sign} {self.shown.format(self.target)}",
            "measured": self.shown.format(value),
            "met": COMPARISONS[self.sign](value, self.target),
        }


RATIO = "{:.2f}\N{MULTIPLICATION SIGN}"
COMPARISONS = {"≥": operator.ge, "≤": operator.le, "<": operator.lt}


def scenario_figure(name: str, figure: str) -> Callable[[dict], float]:
    return lambda result: next(m[figure] for m in result["scenarios"] if m["name"] == name)


GOALS = (
    Goal(
        "signed-in lesson page, throughput",
        "≥",
        0.5,
        RATIO,
        scenario_figure("signed-in lesson", "ratio"),
    ),
    Goal(
        "answer POST (htmx), throughput",
        "≥",
        0.4,
        RATIO,
        scenario_figure("answer (htmx)", "ratio"),
    ),
    Goal(
        "insights page, p50 latency", "≤", 200, "{:.0f} ms", scenario_figure("insights", "p50_ms")
    ),
    Goal(
        "full import, time against `mkdocs build`",
        "<",
        1,
        RATIO,
        lambda r: r["pipeline"]["import_vs_mkdocs"],
    ),
    Goal(
        "unchanged re-import, time against a full import",
        "≤",
        0.1,
        RATIO,
        lambda r: r["pipeline"]["unchanged_vs_full"],
    ),
)


class BenchError(Exception):
    pass


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
    from bench import prepare

    step(f"Seeding {size.students} students in two courses")
    seeded = prepare.data_seed(size.students)
    scenarios = prepare.scenarios(size.sessions, csrf_token=CSRF_TOKEN)
    queries = {s.name: prepare.queries_per_request(s, csrf_token=CSRF_TOKEN) for s in scenarios}

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


def server_env(database_url: str) -> dict[str, str]:
    """The production settings, with HTTPS-only behaviour off: wrk speaks plain HTTP on loopback."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "STATIC_ROOT": str(WORK / "static"),
        "PYTHONPATH": str(ROOT),
        # No access log: its cost would weigh on the baseline most and flatter every ratio.
        "LOG_LEVEL": "WARNING",
    }


def database_recreate(database_url: str) -> None:
    name = database_name(database_url)
    step(f"Creating database {name}")
    with admin_connection(database_url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def database_drop(database_url: str) -> None:
    from django.db import connections

    connections.close_all()
    with admin_connection(database_url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database_name(database_url)}" WITH (FORCE)')


def database_name(database_url: str) -> str:
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise BenchError(f"BENCH_DATABASE_URL must be a PostgreSQL URL, not {database_url!r}.")
    name = database_url.rsplit("/", 1)[-1].split("?")[0]
    if not name.replace("_", "").isalnum():
        raise BenchError(f"Unexpected database name {name!r} in BENCH_DATABASE_URL.")
    return name


def admin_connection(database_url: str) -> psycopg.Connection:
    maintenance = database_url.rsplit("/", 1)[0] + "/postgres"
    try:
        return psycopg.connect(maintenance, autocommit=True)
    except psycopg.OperationalError as error:
        raise BenchError(f"PostgreSQL is not reachable at {maintenance}: {error}") from None


def pipeline_measure(size: Size, env: dict) -> dict:
    """Import the generated course (full, then unchanged) and build the same files with mkdocs,
    `size.pipeline_rounds` times in turn. Each time is its best round, the one least disturbed
    by the rest of the machine; each peak is the highest."""
    step(f"Content pipeline: {size.lessons} generated lessons, {size.pipeline_rounds} rounds")
    content = WORK / "content"
    course_dir = course_write(content, size.lessons)
    full, unchanged, mkdocs = [], [], []
    for _ in range(size.pipeline_rounds):
        manage(env, "shell", "-c", GENERATED_COURSE_DELETE)
        full.append(timed([*manage_command("import_content", str(content))], env))
        unchanged.append(timed([*manage_command("import_content", str(content))], env))
        mkdocs.append(timed(mkdocs_command(course_dir), env))
    import_own = min(import_seconds(run["output"]) for run in full)
    unchanged_own = min(import_seconds(run["output"]) for run in unchanged)
    best = {
        name: min(run["seconds"] for run in runs)
        for name, runs in (("full", full), ("unchanged", unchanged), ("mkdocs", mkdocs))
    }
    return {
        "files": sum(1 for _ in course_dir.rglob("*.md")),
        "rounds": size.pipeline_rounds,
        "import_seconds": best["full"],
        "import_peak_mib": max(run["peak_mib"] for run in full),
        "import_own_seconds": import_own,
        "unchanged_import_seconds": best["unchanged"],
        "unchanged_import_own_seconds": unchanged_own,
        "unchanged_import_peak_mib": max(run["peak_mib"] for run in unchanged),
        "mkdocs_seconds": best["mkdocs"],
        "mkdocs_peak_mib": max(run["peak_mib"] for run in mkdocs),
        "import_vs_mkdocs": best["full"] / best["mkdocs"],
        "unchanged_vs_full": unchanged_own / import_own,
    }


# Each round imports the generated course from scratch.
GENERATED_COURSE_DELETE = (
    "from courseapp.catalog.models import Course; "
    f"Course.objects.filter(slug={COURSE_SLUG!r}).delete()"
)


def mkdocs_command(course_dir: Path) -> list[str]:
    """`mkdocs build` of the course's Markdown, with the extensions lessons are built with."""
    from courseapp.markup.markdown import EXTENSION_CONFIGS, EXTENSIONS

    extensions = [{name: EXTENSION_CONFIGS.get(name, {})} for name in EXTENSIONS]
    config = {
        "site_name": "Generated course",
        "docs_dir": str(course_dir),
        "site_dir": str(WORK / "mkdocs-site"),
        "markdown_extensions": extensions,
    }
    config_file = WORK / "mkdocs.yml"
    config_file.write_text(json.dumps(config))  # JSON is YAML
    mkdocs = Path(sys.executable).with_name("mkdocs")
    if not mkdocs.exists():
        raise BenchError("mkdocs is not installed: pip install -e '.[bench]' (make bench does).")
    return [str(mkdocs), "build", "--quiet", "--config-file", str(config_file)]


def manage_command(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "manage.py"), *args]


def manage(env: dict, *args: str) -> None:
    completed = subprocess.run(manage_command(*args), env=env, cwd=ROOT, capture_output=True)
    if completed.returncode:
        raise BenchError(f"manage.py {' '.join(args)} failed:\n{completed.stderr.decode()}")


def timed(command: list[str], env: dict) -> dict:
    """Wall time, peak resident memory and output of one command."""
    out, err = WORK / "command.out", WORK / "command.err"
    started = time.perf_counter()
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=stdout, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise BenchError(f"{' '.join(command)} failed:\n{err.read_text()}")
    # ru_maxrss is in KiB on Linux and in bytes on macOS.
    peak = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    return {"seconds": round(seconds, 3), "peak_mib": round(peak, 1), "output": out.read_text()}


def import_seconds(output: str) -> float:
    """The import's own time, as import_content reports it (without starting Python and Django)."""
    match = re.search(r" in ([0-9.]+) s\.$", output.strip())
    if match is None:
        raise BenchError(f"import_content printed no time:\n{output}")
    return float(match[1])


class gunicorn:
    """gunicorn with the production configuration on a free loopback port, stopped on exit."""

    def __init__(self, env: dict):
        self.port = free_port()
        self.env = {**env, "PORT": str(self.port)}

    def __enter__(self) -> str:
        step("Starting gunicorn")
        self.log = (WORK / "gunicorn.log").open("wb")
        command = [sys.executable, "-m", "gunicorn", "courseapp.wsgi"]
        command += ["--config", "deploy/gunicorn.conf.py", "--bind", f"127.0.0.1:{self.port}"]
        self.process = subprocess.Popen(
            command,
            env=self.env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base_url = f"http://127.0.0.1:{self.port}"
        wait_ready(f"{base_url}/readyz", self.process)
        return base_url

    def __exit__(self, *exc) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.log.close()
        if exc[0] is None and group_alive(self.process.pid):
            raise BenchError("gunicorn left processes behind after stopping")


def group_alive(group: int) -> bool:
    """Whether any process of the group is still running (its workers, say)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return False
        time.sleep(0.1)
    return True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited with {process.returncode}; see {WORK}/gunicorn.log")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise BenchError(f"gunicorn did not answer {url} within 60 s")


def load_measure(scenario: Scenario, base_url: str, size: Size, queries: int) -> Measure:
    plan = WORK / f"{scenario.name.replace(' ', '-')}.plan"
    plan.write_text("\n".join(scenario.lines) + "\n")
    if size.warmup:
        wrk(base_url, plan, scenario, size.warmup, size.connections)
    stats = wrk(base_url, plan, scenario, size.seconds, size.connections)
    print(f"  {scenario.name:<24} {stats['requests'] / stats['seconds']:9.0f} req/s", flush=True)
    return Measure(
        name=scenario.name,
        requests_per_second=round(stats["requests"] / stats["seconds"], 1),
        p50_ms=round(stats["p50_ms"], 2),
        p99_ms=round(stats["p99_ms"], 2),
        errors=stats["unexpected_status"] + stats["socket_errors"],
        queries=queries,
    )


def wrk(base_url: str, plan: Path, scenario: Scenario, seconds: float, connections: int) -> dict:
    script = ROOT / "bench" / "wrk" / "plan.lua"
    command = ["wrk", "--threads", "1", "--connections", str(connections)]
    command += ["--duration", f"{max(1, round(seconds))}s", "--timeout", "10s"]
    command += ["--script", str(script), base_url, "--", str(plan), CSRF_TOKEN]
    command += [str(scenario.expected)]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    if completed.returncode:
        raise BenchError(f"wrk failed for {scenario.name}: {completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def machine() -> dict:
    from django.db import connection

    return {
        "cpus": os.cpu_count(),
        "cpu": cpu_model(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "postgresql": postgresql_version(connection),
        "wrk": subprocess.run(["wrk", "--version"], capture_output=True, text=True)
        .stdout.split("[")[0]
        .strip(),
        "date": time.strftime("%Y-%m-%d"),
    }


def postgresql_version(connection) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0].split()[0]  # "15.14 (Debian 15.14-0+deb12u1)"


def cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def table_print(result: dict) -> None:
    header = ("scenario", "req/s", "ratio", "p50 ms", "p99 ms", "errors", "queries")
    print("\n{:<24} {:>9} {:>6} {:>8} {:>8} {:>6} {:>7}".format(*header))
    for m in result["scenarios"]:
        print(
            f"{m['name']:<24} {m['requests_per_second']:9.0f} {m['ratio']:6.2f} "
            f"{m['p50_ms']:8.1f} {m['p99_ms']:8.1f} {m['errors']:6d} {m['queries']:7d}"
        )
    p = result["pipeline"]
    print(
        f"\nFull import of {p['files']} files: {p['import_seconds']:.2f} s "
        f"({p['import_own_seconds']:.2f} s after start-up), {p['import_peak_mib']:.0f} MiB peak.\n"
        f"Unchanged re-import: {p['unchanged_import_seconds']:.2f} s "
        f"({p['unchanged_import_own_seconds']:.2f} s after start-up: "
        f"{p['unchanged_vs_full']:.2f}x the full import's).\n"
        f"mkdocs build of the same files: {p['mkdocs_seconds']:.2f} s, "
        f"{p['mkdocs_peak_mib']:.0f} MiB peak (import/mkdocs: {p['import_vs_mkdocs']:.2f}x)."
    )
    print()
    for goal in result["goals"]:
        verdict = "met" if goal["met"] else "MISSED"
        print(f"Goal: {goal['goal']} {goal['target']}: {goal['measured']}, {verdict}.")


def report_write(result: dict) -> None:
    rows = "\n".join(
        f"| {m['name']} | {m['requests_per_second']:.0f} | {m['ratio']:.2f} | {m['p50_ms']:.1f} "
        f"| {m['p99_ms']:.1f} | {m['errors']} | {m['queries']} |"
        for m in result["scenarios"]
    )
    values = {
        **{f"machine_{key}": value for key, value in result["machine"].items()},
        **{f"dataset_{key}": value for key, value in result["dataset"].items()},
        **{f"pipeline_{key}": value for key, value in result["pipeline"].items()},
        **{f"load_{key}": value for key, value in result["load"].items()},
        "scenario_rows": rows,
        "goal_rows": "\n".join(
            f"| {g['goal']} | {g['target']} | {g['measured']} | {'met' if g['met'] else 'missed'} |"
            for g in result["goals"]
        ),
        "baseline_first": result["baseline_requests_per_second"]["first"],
        "baseline_last": result["baseline_requests_per_second"]["last"],
    }
    REPORT.write_text(REPORT_TEMPLATE.read_text().format(**values))


def step(message: str) -> None:
    print(f"== {message}", flush=True)
