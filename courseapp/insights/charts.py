"""Bar charts as geometry for server-drawn SVG: pure functions, no database, no JavaScript.

Templates draw the shapes with CSS classes (the Content-Security-Policy forbids inline styles),
so the colours follow the light and dark themes of site.css.
"""

import math
from dataclasses import dataclass, field

WIDTH = 720
HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 10, 34
MAX_X_LABELS = 16


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    kind: str  # CSS class suffix: bar-<kind>
    label: str  # the bar's tooltip and accessible text


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    description: str
    bars: list[Bar]
    y_ticks: list[Tick]
    x_labels: list[Tick]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM
    legend: list[tuple[str, str]] = field(default_factory=list)  # (kind, label)


def nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten at or above value: a readable axis top."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def _y_ticks(top_value: int) -> list[Tick]:
    steps = 4 if top_value % 4 == 0 else (5 if top_value % 5 == 0 else 2 if top_value > 1 else 1)
    plot = HEIGHT - BOTTOM - TOP
    return [
        Tick(HEIGHT - BOTTOM - plot * i / steps, f"{top_value * i // steps:,}")
        for i in range(steps + 1)
    ]


def bar_chart(
    *,
    id: str,
    title: str,
    description: str,
    labels: list[str],
    series: list[tuple[str, list[int], str]],
    tick_labels: list[str] | None = None,
) -> BarChart:
    """Overlaid bars, one slot per label; `series` are (kind, values, verb), drawn in order.

    Later series are drawn on top, so list the larger values first (viewed, then completed).
    """
    count = max(len(labels), 1)
    top_value = nice_ceiling(max((max(values, default=0) for _, values, _ in series), default=0))
    plot_width, plot_height = WIDTH - RIGHT - LEFT, HEIGHT - BOTTOM - TOP
    slot = plot_width / count
    gap = slot * 0.15 if slot > 4 else 0
    bars = []
    for kind, values, verb in series:
        for index, (label, value) in enumerate(zip(labels, values, strict=True)):
            height = plot_height * value / top_value
            bars.append(
                Bar(
                    x=round(LEFT + index * slot + gap / 2, 2),
                    y=round(HEIGHT - BOTTOM - height, 2),
                    width=round(max(slot - gap, 0.5), 2),
                    height=round(height, 2),
                    kind=kind,
                    label=f"{label}: {value:,} {verb}",
                )
            )
    tick_labels = tick_labels or labels
    every = math.ceil(count / MAX_X_LABELS)
    x_labels = [
        Tick(round(LEFT + (index + 0.5) * slot, 2), text)
        for index, text in enumerate(tick_labels)
        if index % every == 0
    ]
    return BarChart(
        id=id,
        title=title,
        description=description,
        bars=bars,
        y_ticks=_y_ticks(top_value),
        x_labels=x_labels,
        legend=[(kind, verb) for kind, _, verb in series] if len(series) > 1 else [],
    )


def funnel_chart(lessons: list, enrolled: int) -> BarChart:
    """Per lesson in course order, students who viewed it and who completed it."""
    first = lessons[0].viewed if lessons else 0
    last = lessons[-1].completed if lessons else 0
    return bar_chart(
        id="funnel",
        title="Completion funnel by lesson",
        description=(
            f"{len(lessons)} lessons in course order. Of {enrolled:,} enrolled students, "
            f"{first:,} viewed the first lesson and {last:,} completed the last one."
        ),
        labels=[f"{i}. {lesson.title}" for i, lesson in enumerate(lessons, 1)],
        tick_labels=[str(i) for i in range(1, len(lessons) + 1)],
        series=[
            ("viewed", [lesson.viewed for lesson in lessons], "viewed"),
            ("completed", [lesson.completed for lesson in lessons], "completed"),
        ],
    )


def progress_chart(distribution: list) -> BarChart:
    """Students per band of course progress."""
    busiest = max(distribution, key=lambda b: b.students, default=None)
    return bar_chart(
        id="progress-distribution",
        title="Students by course progress",
        description=(
            f"{sum(b.students for b in distribution):,} students in {len(distribution)} bands "
            f"of progress; the most, {busiest.students:,}, are at {busiest.label}."
            if busiest and busiest.students
            else "No students yet."
        ),
        labels=[b.label for b in distribution],
        series=[("students", [b.students for b in distribution], "students")],
    )
