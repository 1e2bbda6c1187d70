"""`courseapp-check`: validate a course where it is written, without a database or a server.

The console script of this package (pyproject.toml), so a course's own repository can run the
import's checks in CI or as a pre-commit hook (.pre-commit-hooks.yaml, docs/authoring.md).
"""

import argparse
import os
import sys

# Set, not defaulted: whatever a course repository's CI exports is meant for something else.
CHECK_ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "courseapp.settings",
    # The check signs nothing, so the settings' required key can be a placeholder; without a
    # DATABASE_URL they name an SQLite file that a check never opens.
    "SECRET_KEY": "courseapp-check-signs-nothing",
    # Logs go to stdout, which the json and github formats keep for errors alone.
    "LOG_LEVEL": "WARNING",
}


def main(argv: list[str] | None = None) -> int:
    """Check the content folder named on the command line; the exit status is 1 on errors."""
    os.environ.update(CHECK_ENVIRONMENT)
    # Imported only now: the settings read the environment when Django is set up.
    import django

    django.setup()
    from django.core.management import CommandError, call_command

    from courseapp.pipeline.management.commands.import_content import FORMATS

    parser = argparse.ArgumentParser(
        prog="courseapp-check",
        description="Check a course's Markdown as the import would, writing nothing.",
    )
    parser.add_argument("root", nargs="?", default="content", help="default: content")
    parser.add_argument("--format", choices=FORMATS, default="text", help="default: text")
    options = parser.parse_args(argv)
    try:
        call_command("import_content", options.root, check=True, error_format=options.format)
    except CommandError as error:
        print(error, file=sys.stderr)
        return error.returncode
    return 0
