"""gunicorn as production runs it (deploy/gunicorn.conf.py: 2 workers, 4 threads each), on a
free loopback port, in a process group of its own that is ended by its id on exit; and the one
fault the run inflicts on it: SIGKILL to one worker, found among the master's children."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from datetime import datetime
from pathlib import Path

from bench.server import free_port, gunicorn_stop
from bench.workspace import ROOT, BenchError, step

READY_POLL = 0.2


class Gunicorn:
    """gunicorn with the production configuration, started on entry and stopped on exit."""

    def __init__(self, env: dict, log: Path):
        self.port = free_port()
        self.env = {**env, "PORT": str(self.port)}
        self.log_path = log
        self.base_url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Gunicorn":
        step("Starting gunicorn")
        self.log = self.log_path.open("ab")
        command = [sys.executable, "-m", "gunicorn", "courseapp.wsgi"]
        command += ["--config", "deploy/gunicorn.conf.py", "--bind", f"127.0.0.1:{self.port}"]
        self.process = subprocess.Popen(  # noqa: S603 (our interpreter, fixed arguments)
            command,
            env=self.env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as one, by its id
        )
        try:
            self.wait_ready()
            self.wait_workers(int(self.env.get("GUNICORN_WORKERS", "2")))
        except BenchError as error:
            self.__exit__(type(error), error, None)
            raise BenchError(f"{error}; see {self.log_path}") from None
        return self

    def __exit__(self, *exc) -> None:
        gunicorn_stop(self.process, self.log, check=exc[0] is None)

    def wait_ready(self, seconds: float = 60) -> None:
        """Until /readyz answers 200 (the database reached), at most `seconds`."""
        deadline = time.monotonic() + seconds
        for _ in range(int(seconds / READY_POLL)):
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/readyz", timeout=2) as response:  # noqa: S310 (loopback)
                    if response.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                break
            time.sleep(READY_POLL)
        raise BenchError(f"gunicorn did not answer /readyz within {seconds} s")

    def causes(self, recorder, window) -> dict[str, int]:
        """Why the server failed requests during a scenario's window, from its log."""
        self.log.flush()
        return logged_causes(self.log_path, recorder.wall(window.start), recorder.wall(window.end))

    def workers(self) -> list[int]:
        """The worker processes: the master's children, read from /proc."""
        return children(self.process.pid)

    def wait_workers(self, count: int, seconds: float = 30) -> list[int]:
        """Until the master has `count` workers; their ids."""
        deadline = time.monotonic() + seconds
        for _ in range(int(seconds * 20)):
            workers = self.workers()
            if len(workers) >= count or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        if len(workers) < count:
            raise BenchError(f"gunicorn had {len(workers)} workers, not {count}, after {seconds} s")
        return workers

    def worker_kill(self) -> int:
        """SIGKILL one worker (the first the master started still alive); its id."""
        worker = min(self.workers())
        if os.getpgid(worker) != self.process.pid:  # ours, in the group we started, or nothing
            raise BenchError(f"process {worker} is not one of our gunicorn workers")
        os.kill(worker, signal.SIGKILL)
        return worker


def children(parent: int) -> list[int]:
    """The ids of the live processes whose parent is `parent` (a killed worker stays a zombie
    until the master reaps it: not counted)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # ended while we looked
            continue
        # "pid (command name) state ppid …": the name may hold spaces and parentheses.
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == parent and state != "Z":
            found.append(int(entry.name))
    return sorted(found)


# What the exception a request failed with says; the first match names the cause.
CAUSES = (
    ("terminating connection", "connection cut off mid-request"),
    ("consuming input failed", "connection cut off mid-request"),
    ("Connection refused", "database refused the connection"),
    ("shutting down", "database shutting down"),
    ("starting up", "database starting up"),
    ("connection failed", "could not connect"),
)


def logged_causes(log: Path, since: float, until: float) -> dict[str, int]:
    """Why requests failed between two wall-clock times (seconds since the epoch), read from
    the exceptions gunicorn's JSON log holds."""
    causes = Counter()
    for line in log.read_text(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        exception = entry.get("exception") if isinstance(entry, dict) else None
        if not exception:
            continue
        if not since <= datetime.fromisoformat(entry["time"]).timestamp() <= until:
            continue
        causes[cause(exception)] += 1
    return dict(causes.most_common())


def cause(traceback: str) -> str:
    """The cause of a logged traceback, from its final exception (the lines from the last one
    that is not indented: a message may run over several)."""
    lines = traceback.strip().splitlines()
    start = max((i for i, line in enumerate(lines) if line[:1] not in " \t"), default=0)
    final = "\n".join(lines[start:])
    return next((name for text, name in CAUSES if text in final), final[:100])
