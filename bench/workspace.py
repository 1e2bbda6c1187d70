"""What every part of the benchmark shares: where it works, how big a run is, how it fails and
reports progress, and how it runs the project's manage.py."""

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench"


class BenchError(Exception):
    """A run that cannot go on; `python -m bench` prints it and exits with 1."""


@dataclass(frozen=True)
class Size:
    lessons: int
    students: int
    sessions: int
    seconds: float
    warmup: float
    connections: int
    pipeline_rounds: int
    exam_students: int  # how many start the exam together, in each pass


FULL = Size(
    lessons=300,
    students=1000,
    sessions=50,
    seconds=10,
    warmup=3,
    connections=8,
    pipeline_rounds=3,
    exam_students=200,
)
SMOKE = Size(
    lessons=30,
    students=40,
    sessions=10,
    seconds=2,
    warmup=0,
    connections=4,
    pipeline_rounds=1,
    exam_students=20,
)


def step(message: str) -> None:
    print(f"== {message}", flush=True)


def manage_command(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "manage.py"), *args]


def manage(env: dict, *args: str) -> None:
    completed = subprocess.run(manage_command(*args), env=env, cwd=ROOT, capture_output=True)
    if completed.returncode:
        raise BenchError(f"manage.py {' '.join(args)} failed:\n{completed.stderr.decode()}")
