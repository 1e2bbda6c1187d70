"""Servers a test starts and stops itself: a redis-server of its own on a free port, a throwaway
PostgreSQL database, gunicorn running the site, and a minimal browser that keeps cookies.

Each process runs in its own process group and is stopped by its own PID; nothing here touches
a Redis or PostgreSQL server it did not start (the machine's Redis on 6379 in particular).
"""

import contextlib
import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psycopg
import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, *, timeout: float, message: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(message)
        time.sleep(0.1)


def stop_process_group(process: subprocess.Popen) -> None:
    """SIGTERM to the group `process` leads, SIGKILL if it lingers."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


class RedisServer:
    """A redis-server of the test's own: no persistence, 127.0.0.1 only, a free port."""

    def __init__(self, directory: Path):
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip(
                "redis-server is not installed (apt-get install redis-server; .ci/run does): "
                "the tests against a real Redis did not run"
            )
        self.binary = binary
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--daemonize", "no"]
        command += ["--dir", str(self.directory)]
        with (self.directory / "redis.log").open("a") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        wait_until(self.answers, timeout=10, message="redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            stop_process_group(self.process)
            self.process = None

    def pause(self) -> None:
        """Freezes the server: connections are accepted by the kernel, never answered."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16) == b"+PONG\r\n"
        except OSError:
            return False

    def keys(self, pattern: str = "*") -> list[str]:
        """The keys matching `pattern`, read with redis-py (no Django prefix handling)."""
        import redis

        with redis.Redis.from_url(self.url, socket_timeout=2) as client:
            return sorted(key.decode() for key in client.scan_iter(match=pattern))

    def get(self, key: str) -> bytes | None:
        import redis

        with redis.Redis.from_url(self.url, socket_timeout=2) as client:
            return client.get(key)


@contextlib.contextmanager
def running_redis(directory: Path) -> Iterator[RedisServer]:
    server = RedisServer(directory)
    server.start()
    try:
        yield server
    finally:
        if server.process is not None:
            server.resume()  # a paused server would not act on SIGTERM
        server.stop()


def postgres_server_url() -> str:
    """The PostgreSQL server of DATABASE_URL, else the local one CI and developers run."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = "postgres://postgres@127.0.0.1:5432/postgres"
    return url


@contextlib.contextmanager
def throwaway_database() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped afterwards."""
    parts = urlsplit(postgres_server_url())
    name = f"courseapp_throwaway_{secrets.token_hex(4)}"
    try:
        admin = psycopg.connect(
            parts._replace(path="/postgres").geturl(), autocommit=True, connect_timeout=3
        )
    except psycopg.OperationalError as error:
        pytest.skip(f"no PostgreSQL server to create a throwaway database on: {error}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield parts._replace(path=f"/{name}").geturl()
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def site_environment(**overrides: str) -> dict[str, str]:
    """The environment of a production-like site process on this host, without the caller's
    REDIS_URL unless given."""
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}",
        DEBUG="0",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        ALLOWED_HOSTS="127.0.0.1",
        GUNICORN_WORKERS="1",
        GUNICORN_THREADS="2",
    )
    env.update(overrides)
    return env


def manage(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


class Gunicorn:
    """The site under gunicorn, as deploy/start.sh serves it, on a free port."""

    def __init__(self, env: dict[str, str], log_path: Path):
        self.port = free_port()
        self.log_path = log_path
        with log_path.open("w") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "-c",
                    "deploy/gunicorn.conf.py",
                    "courseapp.wsgi",
                ],
                cwd=ROOT,
                env={**env, "PORT": str(self.port)},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until(self.ready, timeout=60, message=f"gunicorn did not start:\n{self.log()}")

    def ready(self) -> bool:
        assert self.process.poll() is None, f"gunicorn exited:\n{self.log()}"
        try:
            return Browser(self.port).get("/readyz").status == 200
        except OSError:
            return False

    def log(self) -> str:
        return self.log_path.read_text()

    def stop(self) -> None:
        stop_process_group(self.process)


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    text: str


class Browser:
    """Requests with a cookie jar; `port` picks the server, as a load balancer would."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, *, form: dict | None = None, port: int | None = None, **h
    ) -> Response:
        port = port or self.port
        headers = {"Host": "127.0.0.1", **h}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode({**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            result = Response(response.status, response.headers, response.read().decode())
        finally:
            connection.close()
        for header in result.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value:
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return result

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, form: dict, **kwargs) -> Response:
        if "csrftoken" not in self.cookies:
            self.get("/accounts/login/", port=kwargs.get("port"))
        return self.request("POST", path, form=form, **kwargs)

    def log_in(self, username: str, password: str, **kwargs) -> None:
        self.get("/accounts/login/", **kwargs)
        response = self.post(
            "/accounts/login/", {"username": username, "password": password}, **kwargs
        )
        assert response.status == 302, f"login failed: {response.status}\n{response.text[:500]}"

    def signed_in_as(self, username: str, **kwargs) -> bool:
        """Whether the dashboard opens for `username` rather than sending to the login page."""
        response = self.get("/dashboard/", **kwargs)
        return response.status == 200 and username in response.text
