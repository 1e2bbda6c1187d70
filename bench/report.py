"""What a run reports: the goals it checks, the machine it ran on, the table it prints and the
Markdown page (docs/benchmarks.md) it writes."""

import operator
import os
import platform
import subprocess
import time
from collections.abc import Callable
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
