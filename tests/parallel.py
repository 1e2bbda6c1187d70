"""Running one task in several threads at once, each on its own database connection."""

import threading
from collections.abc import Callable

from django.db import connections


def run_in_parallel(task: Callable[[], object], count: int) -> list:
    """Start `count` threads, release them together into `task` and return what each returned
    or raised, in the order they finished."""
    barrier, outcomes = threading.Barrier(count), []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(task())
        except Exception as error:
            outcomes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes
