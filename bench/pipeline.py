"""The content pipeline's timing: importing the generated course (full, then unchanged) against
`mkdocs build` of the same Markdown files."""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from bench.generate import COURSE_SLUG, course_write
from bench.workspace import ROOT, WORK, BenchError, Size, manage, manage_command, step

# Each round imports the generated course from scratch.
GENERATED_COURSE_DELETE = (
    "from courseapp.catalog.models import Course; "
    f"Course.objects.filter(slug={COURSE_SLUG!r}).delete()"
)


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
