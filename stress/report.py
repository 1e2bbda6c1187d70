"""What a run reports: the checks that fail it, the table it prints, and docs/reliability.md,
written from stress/reliability.template.md with a reading of each scenario drawn from its
figures by stress.reading (so the page stays true when a later run finds something else)."""

import os
import platform
import time

from bench.report import cpu_model
from bench.workspace import ROOT
from stress import reading
from stress.reading import written

RESULTS = ROOT / "stress" / "results" / "latest.json"
REPORT = ROOT / "docs" / "reliability.md"
REPORT_TEMPLATE = ROOT / "stress" / "reliability.template.md"


def machine(postgresql: str) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0].split()[0]
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu_model(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "postgresql": server_version or postgresql,
        "date": time.strftime("%Y-%m-%d"),
    }


def failures(result: dict) -> list[str]:
    """What fails a run: errors outside the fault windows, lost or duplicated rows, a round of
    identical submits that did not record exactly one attempt. Never speed."""
    found = []
    for scenario in result["scenarios"]:
        name = scenario["name"]
        if scenario["outside_windows"]:
            found.append(f"{name}: {scenario['outside_windows']} errors outside the fault windows")
        for writes in scenario["writes"]:
            for problem in ("lost", "duplicated"):
                if writes[problem]:
                    found.append(f"{name}: {writes[problem]} {writes['kind']} rows {problem}")
        if "rounds" in scenario and scenario["rounds_with_one_attempt"] != scenario["rounds"]:
            bad = scenario["rounds"] - scenario["rounds_with_one_attempt"]
            found.append(f"{name}: {bad} rounds did not record exactly one attempt")
    return found


def table_print(result: dict) -> None:
    header = (
        "scenario",
        "requests",
        "errors",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "writes",
        "lost",
        "dup",
    )
    print("\n{:<28} {:>8} {:>7} {:>8} {:>8} {:>8} {:>7} {:>5} {:>5}".format(*header))
    for s in result["scenarios"]:
        acknowledged, lost, duplicated = written(s)
        print(
            f"{s['name']:<28} {s['requests']:8d} {s['errors']:7d} {s['p50_ms']:8.1f} "
            f"{s['p95_ms']:8.1f} {s['p99_ms']:8.1f} {acknowledged:7d} {lost:5d} {duplicated:5d}"
        )
        if s["errors_by_kind"]:
            print(f"{'':<28} errors: {s['errors_by_kind']}")


def report_write(result: dict) -> None:
    """docs/reliability.md from its template: the figures, and a reading of each scenario."""
    scenarios = {scenario["name"]: scenario for scenario in result["scenarios"]}
    cpus = result["machine"]["cpus"]
    threads = result["server"]["workers"] * result["server"]["threads"]
    load = [value for s in result["scenarios"] for value in s["load_average"]]
    held, failed = reading.held_and_failed(result)
    values = {
        **{f"machine_{key}": value for key, value in result["machine"].items()},
        **{f"dataset_{key}": value for key, value in result["dataset"].items()},
        **{f"size_{key}": value for key, value in result["size"].items()},
        **{f"server_{key}": value for key, value in result["server"].items()},
        "dataset_question_types": ", ".join(result["dataset"]["question_types"]),
        "load_average": f"{min(load):.1f} to {max(load):.1f}",
        "grace": f"{scenarios['database restart and outage']['grace_s']:.0f}",
        "summary_rows": "\n".join(reading.summary_row(s) for s in result["scenarios"]),
        "held": reading.bullets(held) or "- nothing",
        "failed": reading.bullets(failed) or "- nothing",
        **reading.steady_section(scenarios["steady load"], cpus, threads),
        **reading.database_section(scenarios["database restart and outage"]),
        **reading.worker_section(scenarios["worker killed"]),
        **reading.exam_section(scenarios["exam start"], cpus),
        **reading.repeats_section(scenarios["identical submits"]),
    }
    REPORT.write_text(REPORT_TEMPLATE.read_text().format(**values))
