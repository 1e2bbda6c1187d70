"""The layers of docs/architecture.md hold, and the import-linter contract would catch a break."""

import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _lint_imports(tree: Path) -> subprocess.CompletedProcess:
    lint = Path(sys.executable).with_name("lint-imports")
    return subprocess.run(
        [lint, "--no-cache", "--config", ROOT / "pyproject.toml"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _copy_of_the_code(tmp_path: Path) -> Path:
    shutil.copytree(
        ROOT / "courseapp", tmp_path / "courseapp", ignore=shutil.ignore_patterns("__pycache__")
    )
    return tmp_path


def test_the_code_keeps_its_layers(tmp_path):
    result = _lint_imports(_copy_of_the_code(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_domain_app_importing_the_pipeline_breaks_the_contract(tmp_path):
    tree = _copy_of_the_code(tmp_path)
    models = tree / "courseapp" / "catalog" / "models.py"
    models.write_text(models.read_text() + "\nfrom courseapp.pipeline import sources  # noqa\n")
    result = _lint_imports(tree)
    assert result.returncode == 1
    assert "courseapp.catalog.models -> courseapp.pipeline.sources" in result.stdout


def test_a_cycle_between_quizzes_and_progress_breaks_the_contract(tmp_path):
    tree = _copy_of_the_code(tmp_path)
    services = tree / "courseapp" / "quizzes" / "services.py"
    services.write_text(
        services.read_text() + "\nfrom courseapp.progress import services  # noqa\n"
    )
    result = _lint_imports(tree)
    assert result.returncode == 1
    assert "courseapp.quizzes.services -> courseapp.progress.services" in result.stdout
