"""What a run reports: the goals it checks, the machine it ran on, the table it prints and the
Markdown page (docs/benchmarks.md) it writes."""

import operator
import os
import platform
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.workspace import ROOT

RESULTS = ROOT / "bench" / "results" / "latest.json"
REPORT = ROOT / "docs" / "benchmarks.md"
REPORT_TEMPLATE = ROOT / "bench" / "benchmarks.template.md"


@dataclass(frozen=True)
class Goal:
    """A figure to aim for, reported as met or missed (never asserted)."""

    name: str
    sign: str  # "≥", "≤", "<" or "=": how the measure must compare with the target
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
MILLISECONDS = "{:.0f} ms"
COMPARISONS = {"≥": operator.ge, "≤": operator.le, "<": operator.lt, "=": operator.eq}

# The two passes of a run, by their key in the results: the same server and load, with the
# caches and sessions in each process's memory, then in Redis.
PASSES = {"per_process": "per-process cache", "redis": "Redis"}
LOAD_GOALS_ON = "redis"  # what a deployment runs, and what the load goals are checked on


def scenario_figure(name: str, figure: str) -> Callable[[dict], float]:
    return lambda result: next(
        m[figure] for m in result["passes"][LOAD_GOALS_ON]["scenarios"] if m["name"] == name
    )


def exam_figure(measure: Callable[[dict], float]) -> Callable[[dict], float]:
    return lambda result: measure(result["passes"][LOAD_GOALS_ON]["exam_start"])


GOALS = (
    Goal(
        "signed-in lesson page, throughput",
        "≥",
        0.15,
        RATIO,
        scenario_figure("signed-in lesson", "ratio"),
    ),
    Goal(
        "answer POST (htmx), throughput",
        "≥",
        0.15,
        RATIO,
        scenario_figure("answer (htmx)", "ratio"),
    ),
    Goal(
        "anonymous lesson page, throughput",
        "≥",
        0.40,
        RATIO,
        scenario_figure("anonymous lesson", "ratio"),
    ),
    Goal("dashboard, throughput", "≥", 0.08, RATIO, scenario_figure("dashboard", "ratio")),
    Goal(
        "insights page, p50 latency", "≤", 60, MILLISECONDS, scenario_figure("insights", "p50_ms")
    ),
    Goal("search, p50 latency", "≤", 50, MILLISECONDS, scenario_figure("search", "p50_ms")),
    Goal("exam start, errors", "=", 0, "{:.0f}", exam_figure(lambda exam: exam["errors"])),
    Goal(
        "exam start, p99 latency",
        "≤",
        1,
        "{:.2f} s",
        exam_figure(lambda exam: exam["overall"]["p99_ms"] / 1000),
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

# The exam start's figures, one row each: (label, cell of one pass's exam start).
EXAM_ROWS = (
    ("requests", lambda e: f"{e['requests']}"),
    ("errors", lambda e: f"{e['errors']}"),
    ("lesson page, p50 / p99 ms", lambda e: p50_p99(e["lesson"])),
    ("answer (htmx), p50 / p99 ms", lambda e: p50_p99(e["answer"])),
    ("all requests, p50 / p99 ms", lambda e: p50_p99(e["overall"])),
    ("first request to last answer, s", lambda e: f"{e['wall_seconds']:.1f}"),
)


def p50_p99(percentiles: dict) -> str:
    return f"{percentiles['p50_ms']:.0f} / {percentiles['p99_ms']:.0f}"


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


def scenario_rows(result: dict) -> Iterator[tuple[str, str, dict]]:
    """(scenario, pass, measure) in the order the scenarios ran, each scenario's Redis row under
    its per-process one; the scenario is named on its first row only."""
    redis = {m["name"]: m for m in result["passes"]["redis"]["scenarios"]}
    for measure in result["passes"]["per_process"]["scenarios"]:
        yield measure["name"], PASSES["per_process"], measure
        if measure["name"] in redis:
            yield "", PASSES["redis"], redis[measure["name"]]


def exam_rows(result: dict) -> list[tuple[str, ...]]:
    """(label, one cell a pass) for each of the exam start's figures."""
    exams = [result["passes"][key]["exam_start"] for key in PASSES]
    return [(label, *(cell(exam) for exam in exams)) for label, cell in EXAM_ROWS]


def exam_title(result: dict) -> str:
    exam = result["passes"][LOAD_GOALS_ON]["exam_start"]
    return f"exam start: {exam['students']} students within {exam['window_seconds']:g} s"


def table_print(result: dict) -> None:
    header = ("scenario", "caches", "req/s", "ratio", "p50 ms", "p99 ms", "errors", "queries")
    print("\n{:<24} {:<17} {:>9} {:>6} {:>8} {:>8} {:>6} {:>7}".format(*header))
    for name, caches, m in scenario_rows(result):
        print(
            f"{name:<24} {caches:<17} {m['requests_per_second']:9.0f} {m['ratio']:6.2f} "
            f"{m['p50_ms']:8.1f} {m['p99_ms']:8.1f} {m['errors']:6d} {m['queries']:7d}"
        )
    print(f"\n{exam_title(result):<42}" + "".join(f"{label:>18}" for label in PASSES.values()))
    for label, *cells in exam_rows(result):
        print(f"{label:<42}" + "".join(f"{cell:>18}" for cell in cells))
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
    print(f"\nLoad goals are checked on the {PASSES[LOAD_GOALS_ON]} pass.")
    for goal in result["goals"]:
        verdict = "met" if goal["met"] else "MISSED"
        print(f"Goal: {goal['goal']} {goal['target']}: {goal['measured']}, {verdict}.")


def report_write(result: dict) -> None:
    REPORT.write_text(report_render(result))


def report_render(result: dict) -> str:
    """docs/benchmarks.md for this result."""
    scenario_lines = (
        f"| {name} | {caches} | {m['requests_per_second']:.0f} | {m['ratio']:.2f} "
        f"| {m['p50_ms']:.1f} | {m['p99_ms']:.1f} | {m['errors']} | {m['queries']} |"
        for name, caches, m in scenario_rows(result)
    )
    values = {
        **{f"machine_{key}": value for key, value in result["machine"].items()},
        **{f"dataset_{key}": value for key, value in result["dataset"].items()},
        **{f"pipeline_{key}": value for key, value in result["pipeline"].items()},
        **{f"load_{key}": value for key, value in result["load"].items()},
        "scenario_rows": "\n".join(scenario_lines),
        "exam_header": " | ".join((exam_title(result), *PASSES.values())),
        "exam_rows": "\n".join(f"| {' | '.join(row)} |" for row in exam_rows(result)),
        "goal_rows": "\n".join(
            f"| {g['goal']} | {g['target']} | {g['measured']} | {'met' if g['met'] else 'missed'} |"
            for g in result["goals"]
        ),
        "baseline_rows": "\n".join(
            f"| {label} | {baseline['first']:.0f} | {baseline['last']:.0f} |"
            for label, baseline in (
                (label, result["passes"][key]["baseline_requests_per_second"])
                for key, label in PASSES.items()
            )
        ),
    }
    return REPORT_TEMPLATE.read_text().format(**values)
