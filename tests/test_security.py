"""Production settings: check --deploy, security headers and CSP, probes, login lockouts, logs."""

import json
import logging
import os
import re
import runpy
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory

from courseapp.logs import JsonFormatter
from courseapp.proxy import client_ip
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parent.parent


def configmap() -> dict[str, str]:
    return yaml.safe_load((ROOT / "deploy" / "k8s" / "configmap.yaml").read_text())["data"]


def env_example() -> dict[str, str]:
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value
    return values


@pytest.mark.parametrize("production_settings", [env_example, configmap])
def test_check_deploy_passes_with_the_documented_production_settings(tmp_path, production_settings):
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        **production_settings(),
        "SECRET_KEY": secrets.token_urlsafe(50),
        # Field checks open the database; any will do, and a fresh checkout has no var/.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'check.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


# --- Settings read from the environment ---------------------------------------------------

SETTINGS = ROOT / "courseapp" / "settings.py"
GUNICORN_SETTINGS = ROOT / "deploy" / "gunicorn.conf.py"


class RecordingEnviron(dict):
    """A process environment that notes every name looked up in it."""

    def __init__(self, values: dict[str, str]) -> None:
        super().__init__(values)
        self.read: set[str] = set()

    def get(self, name, default=None):
        self.read.add(name)
        return super().get(name, default)

    def __getitem__(self, name):
        self.read.add(name)
        return super().__getitem__(name)

    def __contains__(self, name):
        self.read.add(name)
        return super().__contains__(name)


def run_settings(path: Path, monkeypatch, **environment: str) -> tuple[dict, set[str]]:
    """Run a settings file as a process starting with `environment` would: the names it
    defines, and the environment variables it read."""
    recording = RecordingEnviron(environment)
    with monkeypatch.context() as patch:
        patch.setattr(os, "environ", recording)
        defined = runpy.run_path(str(path))
    return defined, recording.read


def shell_variables(script: Path) -> set[str]:
    """The environment variables a shell script expands (${NAME...}), comments left out: a
    script cannot be asked what it reads, so its words are read instead."""
    words = shlex.split(script.read_text(), comments=True)
    return {name for word in words for name in re.findall(r"\$\{([A-Z][A-Z0-9_]*)", word)}


def compose_variables(node) -> set[str]:
    """The variables Compose interpolates into the file's values ($$ is a literal $)."""
    if isinstance(node, dict):
        return set().union(*map(compose_variables, node.values()))
    if isinstance(node, list):
        return set().union(*map(compose_variables, node))
    if isinstance(node, str):
        text = node.replace("$$", "")
        return {a or b for a, b in re.findall(r"\$\{([A-Za-z_]\w*)|\$([A-Za-z_]\w*)", text)}
    return set()


def test_env_example_documents_every_variable_that_is_read(monkeypatch):
    read = set()
    for debug in ("0", "1"):  # development and production read different variables
        read |= run_settings(SETTINGS, monkeypatch, DEBUG=debug, SECRET_KEY="k")[1]
    read |= run_settings(GUNICORN_SETTINGS, monkeypatch)[1]
    read |= shell_variables(ROOT / "deploy" / "start.sh")
    read |= compose_variables(yaml.safe_load((ROOT / "docker-compose.yml").read_text()))
    assert {"SECRET_KEY", "DATABASE_URL", "EMAIL_HOST", "PORT", "GUNICORN_WORKERS"} <= read
    assert {"CONTENT_ROOT", "MIGRATION_WAIT_ATTEMPTS", "WEB_PORT", "POSTGRES_PASSWORD"} <= read
    documented = set(re.findall(r"^#? ?([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert read - documented == set()


def test_production_is_the_default_and_needs_a_secret_key(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY must be set"):
        run_settings(SETTINGS, monkeypatch)
    settings, _ = run_settings(SETTINGS, monkeypatch, SECRET_KEY="k")
    assert settings["DEBUG"] is False
    assert settings["SECURE_SSL_REDIRECT"] and settings["SECURE_HSTS_SECONDS"] == 31536000
    assert settings["SESSION_COOKIE_SECURE"] and settings["CSRF_COOKIE_SECURE"]
    assert settings["ALLOWED_HOSTS"] == ["localhost", "127.0.0.1", "[::1]"]
    assert "SECURE_PROXY_SSL_HEADER" not in settings  # trusted only when said so


def test_debug_relaxes_https_for_a_local_checkout(monkeypatch):
    settings, _ = run_settings(SETTINGS, monkeypatch, DEBUG="1", SECRET_KEY="k")
    assert settings["DEBUG"] is True
    assert not settings["SECURE_SSL_REDIRECT"] and settings["SECURE_HSTS_SECONDS"] == 0
    assert not settings["SESSION_COOKIE_SECURE"]


def test_deployment_variables_become_settings(monkeypatch):
    settings, _ = run_settings(
        SETTINGS,
        monkeypatch,
        SECRET_KEY="k",
        ALLOWED_HOSTS="courses.example.com, www.courses.example.com",
        DATABASE_URL="postgres://app:pw@db:5432/courses",
        SECURE_PROXY_SSL_HEADER="true",
        PROXY_COUNT="2",
    )
    assert settings["ALLOWED_HOSTS"] == ["courses.example.com", "www.courses.example.com"]
    database = settings["DATABASES"]["default"]
    assert (database["HOST"], database["NAME"], database["USER"]) == ("db", "courses", "app")
    assert database["OPTIONS"]["options"] == "-c jit=off"
    assert database["CONN_MAX_AGE"] > 0 and database["CONN_HEALTH_CHECKS"] is True
    assert settings["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert settings["PROXY_COUNT"] == 2


def test_a_mistyped_switch_stops_the_start(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="SECURE_SSL_REDIRECT must be a boolean"):
        run_settings(SETTINGS, monkeypatch, SECRET_KEY="k", SECURE_SSL_REDIRECT="yes please")


def test_pages_carry_security_headers_and_a_strict_csp(client, demo_course):
    response = client.get("/courses/demo/welcome/", secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    nonce = re.search(r"script-src 'self' 'nonce-([^']+)'", policy).group(1)
    html = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts)
    assert all('src="/static/' in tag for tag in scripts), "scripts come from our static files"
    assert not re.search(r"<style\b|\sstyle=", html), "no inline styles: style-src is 'self'"


def test_every_response_gets_a_new_nonce(client, demo_course):
    first = client.get("/courses/demo/welcome/")["Content-Security-Policy"]
    second = client.get("/courses/demo/welcome/")["Content-Security-Policy"]
    assert first != second


@pytest.fixture
def production_hosts(settings):
    settings.ALLOWED_HOSTS = ["courses.example.com"]
    settings.SECURE_SSL_REDIRECT = True


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
@pytest.mark.parametrize("host", ["localhost", "10.42.0.17:8000", "127.0.0.1:8000"])
def test_probes_answer_any_host_over_plain_http(client, db, production_hosts, path, host):
    response = client.get(path, HTTP_HOST=host)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_other_pages_still_validate_the_host_and_redirect_to_https(client, db, production_hosts):
    assert client.get("/", HTTP_HOST="10.42.0.17:8000").status_code == 400
    response = client.get("/", HTTP_HOST="courses.example.com")
    assert response.status_code == 301
    assert response["Location"] == "https://courses.example.com/"


def test_probe_paths_are_exempt_from_the_https_redirect():
    exempt = [re.compile(pattern) for pattern in django_settings.SECURE_REDIRECT_EXEMPT]
    for path in ("healthz", "readyz"):
        assert any(pattern.search(path) for pattern in exempt)
    assert not any(pattern.search("courses/demo/healthz/") for pattern in exempt)


# --- Login attempts ------------------------------------------------------------------------


def admin_login(client: Client, password: str, address: str = "203.0.113.9"):
    """Log in to the admin as `staff` (root)."""
    return client.post(
        "/admin/login/",
        {"username": "root", "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def test_repeated_failed_logins_lock_out_every_replica(staff, settings):
    settings.AXES_FAILURE_LIMIT = 3
    replica_a, replica_b = Client(), Client()
    for _ in range(2):
        assert admin_login(replica_a, "wrong").status_code == 200
    assert admin_login(replica_b, "wrong").status_code == 429
    # The count lives in the database, so another process (a new client) sees the lockout.
    assert AccessAttempt.objects.get(username="root").failures_since_start == 3
    assert admin_login(Client(), PASSWORD).status_code == 429


def test_a_lockout_does_not_shut_out_the_same_user_elsewhere(staff, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        admin_login(Client(), "wrong", address="203.0.113.9")
    response = admin_login(Client(), PASSWORD, address="198.51.100.4")
    assert response.status_code == 302


def test_login_lockouts_are_shared_through_the_database():
    assert django_settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"
    assert django_settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert django_settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    assert django_settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, "198.51.100.1", "10.0.0.2"),
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "6.6.6.6, 198.51.100.1", "198.51.100.1"),
        (2, "6.6.6.6, 198.51.100.1, 10.0.0.9", "198.51.100.1"),
        (2, "198.51.100.1", "10.0.0.2"),
    ],
)
def test_client_address_ignores_what_the_client_can_forge(
    settings, proxies, forwarded_for, expected
):
    settings.PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded_for)
    assert client_ip(request) == expected


# --- Logs ----------------------------------------------------------------------------------


def test_logs_are_one_json_object_per_line():
    try:
        raise ValueError("line one\nline two")
    except ValueError:
        record = logging.LogRecord(
            "courseapp", logging.ERROR, __file__, 1, "failed: %s", ("x",), sys.exc_info()
        )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and entry["message"] == "failed: x"
    assert "ValueError: line one" in entry["exception"]


def test_log_configuration_writes_json_to_stdout():
    handler = logging.getLogger("django").handlers[0]
    assert isinstance(handler.formatter, JsonFormatter)
    assert handler.stream is sys.stdout or getattr(handler.stream, "name", "") == "<stdout>"
