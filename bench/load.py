"""Load: one scenario replayed by wrk against the running server, and what it measured."""

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.scenarios import CSRF_TOKEN, Scenario
from bench.workspace import ROOT, WORK, BenchError, Size

PLAN_SCRIPT = ROOT / "bench" / "wrk" / "plan.lua"


@dataclass
class Measure:
    name: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    queries: int
    ratio: float = 0.0


def load_measure(scenario: Scenario, base_url: str, size: Size, queries: int) -> Measure:
    """Replay the scenario for `size.seconds` after a warm-up; `queries` is its SQL per request."""
    plan = WORK / f"{scenario.name.replace(' ', '-')}.plan"
    plan.write_text("\n".join(scenario.lines) + "\n")
    if size.warmup:
        _wrk(base_url, plan, scenario, size.warmup, size.connections)
    stats = _wrk(base_url, plan, scenario, size.seconds, size.connections)
    print(f"  {scenario.name:<24} {stats['requests'] / stats['seconds']:9.0f} req/s", flush=True)
    return Measure(
        name=scenario.name,
        requests_per_second=round(stats["requests"] / stats["seconds"], 1),
        p50_ms=round(stats["p50_ms"], 2),
        p99_ms=round(stats["p99_ms"], 2),
        errors=stats["unexpected_status"] + stats["socket_errors"],
        queries=queries,
    )


def _wrk(base_url: str, plan: Path, scenario: Scenario, seconds: float, connections: int) -> dict:
    """One wrk run; plan.lua prints its figures as JSON on the last line."""
    command = ["wrk", "--threads", "1", "--connections", str(connections)]
    command += ["--duration", f"{max(1, round(seconds))}s", "--timeout", "10s"]
    command += ["--script", str(PLAN_SCRIPT), base_url, "--", str(plan), CSRF_TOKEN]
    command += [str(scenario.expected)]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    if completed.returncode:
        raise BenchError(f"wrk failed for {scenario.name}: {completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])
