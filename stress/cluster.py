"""A PostgreSQL cluster of the run's own (`stress`, port 5433), the only one it ever stops or
restarts: created with Debian's postgresql-common tools, dropped at the end, failure or not.

The machine's main cluster (5432) is never touched.
"""

import os
import socket
import subprocess
import time
from pathlib import Path

import psycopg

from bench.workspace import BenchError, step

NAME = "stress"
PORT = 5433
DATABASE = "courseapp_stress"
# Only loopback, without a password: the cluster lives for one run and holds throwaway data.
HBA = "local all all trust\nhost all all 127.0.0.1/32 trust\n"


class Cluster:
    """The run's PostgreSQL cluster: created and started on entry, dropped on exit."""

    def __init__(self):
        self.version = postgresql_version()
        self.url = f"postgres://postgres@127.0.0.1:{PORT}/{DATABASE}"

    def __enter__(self) -> "Cluster":
        if self.exists():
            step(f"Dropping the cluster {self.version}/{NAME} an interrupted run left behind")
            self.drop()
        if port_in_use(PORT):
            raise BenchError(f"Port {PORT} is taken by something else; the run needs it.")
        step(f"Creating PostgreSQL cluster {self.version}/{NAME} on port {PORT}")
        command(
            "pg_createcluster", self.version, NAME, "--port", str(PORT), "--start-conf", "manual"
        )
        (Path("/etc/postgresql") / self.version / NAME / "pg_hba.conf").write_text(HBA)
        try:
            self.start()
        except BaseException:
            self.drop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        step(f"Dropping PostgreSQL cluster {self.version}/{NAME}")
        self.drop()

    def start(self) -> None:
        self.control("start")

    def stop(self) -> None:
        self.control("stop")

    def restart(self) -> None:
        self.control("restart")

    def control(self, action: str) -> None:
        # No systemd here or there: pg_ctl directly, not a unit that might manage other clusters.
        command("pg_ctlcluster", "--skip-systemctl-redirect", self.version, NAME, action)
        if action != "stop":
            wait_accepting(PORT)

    def exists(self) -> bool:
        return (Path("/etc/postgresql") / self.version / NAME).is_dir()

    def drop(self) -> None:
        if self.exists():
            command("pg_dropcluster", "--stop", self.version, NAME)


def postgresql_version() -> str:
    """The newest PostgreSQL version installed (the directories of /etc/postgresql)."""
    root = Path("/etc/postgresql")
    if not root.is_dir() or not os.access("/etc/postgresql", os.W_OK):
        raise BenchError(
            "make stress creates a PostgreSQL cluster of its own with postgresql-common "
            "(pg_createcluster): run it as root on a Debian or Ubuntu machine with PostgreSQL."
        )
    versions = [path.name for path in root.iterdir() if path.name.replace(".", "").isdigit()]
    if not versions:
        raise BenchError("No PostgreSQL version under /etc/postgresql.")
    return max(versions, key=lambda version: [int(part) for part in version.split(".")])


def command(*args: str) -> None:
    # postgresql-common's own tools with fixed arguments, the cluster name always ours.
    completed = subprocess.run(args, capture_output=True, text=True, timeout=120)  # noqa: S603
    if completed.returncode:
        raise BenchError(f"{' '.join(args)} failed:\n{completed.stdout}{completed.stderr}")


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_accepting(port: int, seconds: float = 60) -> None:
    """Until PostgreSQL accepts connections on the port."""
    deadline = time.monotonic() + seconds
    for _ in range(int(seconds * 10)):
        try:
            psycopg.connect(
                f"postgres://postgres@127.0.0.1:{port}/postgres", connect_timeout=2
            ).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)
    raise BenchError(f"PostgreSQL did not accept connections on port {port} in {seconds} s")
