"""How big a run is: the full one behind docs/reliability.md, and the smoke run CI can afford."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Size:
    history_students: int
    load_students: int
    load_seconds: float
    fault_students: int
    steady_seconds: float  # load before and after each fault
    outage_seconds: float
    exam_students: int
    exam_spread_seconds: float
    repeat_rounds: int

    @property
    def own_students(self) -> int:
        """Students the scenarios use, each in one scenario only: its rows are its own."""
        return (
            self.load_students + 2 * self.fault_students + self.exam_students + self.repeat_rounds
        )


FULL = Size(
    history_students=300,
    load_students=64,
    load_seconds=60,
    fault_students=32,
    steady_seconds=10,
    outage_seconds=20,
    exam_students=200,
    exam_spread_seconds=2,
    repeat_rounds=20,
)
SMOKE = Size(
    history_students=10,
    load_students=8,
    load_seconds=5,
    fault_students=8,
    steady_seconds=2,
    outage_seconds=3,
    exam_students=10,
    exam_spread_seconds=2,
    repeat_rounds=3,
)
