"""gunicorn with the production settings on a free loopback port, started and stopped."""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from bench.workspace import ROOT, WORK, BenchError, step


def server_env(database_url: str) -> dict[str, str]:
    """The production settings, with HTTPS-only behaviour off: wrk speaks plain HTTP on loopback.
    Caches and sessions are per process; the Redis pass adds REDIS_URL."""
    return {
        **{name: value for name, value in os.environ.items() if name != "REDIS_URL"},
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "STATIC_ROOT": str(WORK / "static"),
        "PYTHONPATH": str(ROOT),
        # No access log: its cost would weigh on the baseline most and flatter every ratio.
        "LOG_LEVEL": "WARNING",
    }


class gunicorn:
    """gunicorn with the production configuration on a free loopback port, stopped on exit."""

    def __init__(self, env: dict):
        self.port = free_port()
        self.env = {**env, "PORT": str(self.port)}

    def __enter__(self) -> str:
        step("Starting gunicorn")
        self.log = (WORK / "gunicorn.log").open("ab")  # one log for every server of the run
        command = [sys.executable, "-m", "gunicorn", "courseapp.wsgi"]
        command += ["--config", "deploy/gunicorn.conf.py", "--bind", f"127.0.0.1:{self.port}"]
        self.process = subprocess.Popen(
            command,
            env=self.env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base_url = f"http://127.0.0.1:{self.port}"
        wait_ready(f"{base_url}/readyz", self.process)
        return base_url

    def __exit__(self, *exc) -> None:
        gunicorn_stop(self.process, self.log, check=exc[0] is None)


def gunicorn_stop(process: subprocess.Popen, log, *, check: bool) -> None:
    """Stop gunicorn's process group (SIGTERM, then SIGKILL after 30 s) and close its log;
    with `check`, fail when a process of the group outlives it."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    log.close()
    if check and group_alive(process.pid):
        raise BenchError("gunicorn left processes behind after stopping")


def group_alive(group: int) -> bool:
    """Whether any process of the group is still running (its workers, say)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return False
        time.sleep(0.1)
    return True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited with {process.returncode}; see {WORK}/gunicorn.log")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise BenchError(f"gunicorn did not answer {url} within 60 s")
