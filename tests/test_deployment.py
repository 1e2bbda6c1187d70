"""Deployment files, checked offline: Compose against the Compose Specification, every Kubernetes
manifest against the Kubernetes schemas, and the image: what it runs, and its structure."""

import json
import os
import posixpath
import re
import runpy
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit
from wsgiref.simple_server import WSGIRequestHandler, make_server

import dockerfile
import kubernetes_validate
import pytest
import yaml
from django.core.wsgi import get_wsgi_application
from dockerfile import Command

ROOT = Path(__file__).resolve().parent.parent
K8S = ROOT / "deploy" / "k8s"
# The oldest Kubernetes the manifests promise to work on (preStop `sleep` needs 1.30).
K8S_VERSION = "1.30.0"
SECRET_TEMPLATE = "secret.example.yaml"


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def manifests() -> list[tuple[str, dict]]:
    return [
        (path.name, doc)
        for path in sorted(K8S.glob("*.yaml"))
        if path.name != "kustomization.yaml"
        for doc in yaml.safe_load_all(path.read_text())
        if doc
    ]


def of_kind(kind: str, name: str | None = None) -> dict:
    found = [
        doc
        for _, doc in manifests()
        if doc["kind"] == kind and name in (None, doc["metadata"]["name"])
    ]
    assert len(found) == 1, f"expected one {kind} {name or ''}, found {len(found)}"
    return found[0]


# --- Compose -------------------------------------------------------------------------------


def test_compose_file_matches_the_compose_specification():
    check = Path(sys.executable).parent / "check-jsonschema"
    result = subprocess.run(
        [str(check), "--builtin-schema", "vendor.compose-spec", str(ROOT / "docker-compose.yml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_database_is_pinned_private_persistent_and_health_checked():
    config = compose()
    db = config["services"]["db"]
    assert re.fullmatch(r"postgres:\d+(-[a-z0-9.]+)?", db["image"]), "pin the major version"
    assert "ports" not in db, "the database must not be published on the host"
    volume = db["volumes"][0].split(":")[0]
    assert volume in config["volumes"], "data lives in a named volume"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])


def test_compose_web_waits_for_a_healthy_database_and_a_finished_setup():
    services = compose()["services"]
    web, setup = services["web"], services["setup"]
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    assert web["depends_on"]["setup"]["condition"] == "service_completed_successfully"
    assert setup["depends_on"]["db"]["condition"] == "service_healthy"
    assert setup["command"] == ["setup"] and web["command"] == ["serve"]
    assert setup["restart"] == "no"
    assert web["restart"] == "unless-stopped"
    assert "/healthz" in " ".join(web["healthcheck"]["test"])
    assert any(str(port).endswith(":8000") for port in web["ports"])
    assert web["build"] == "." and setup["image"] == web["image"]


def test_compose_refuses_to_start_without_secrets():
    services = compose()["services"]
    for name in ("web", "setup"):
        environment = services[name]["environment"]
        assert re.fullmatch(r"\$\{SECRET_KEY:\?[^}]+\}", environment["SECRET_KEY"])
        assert "${POSTGRES_PASSWORD:?" in environment["DATABASE_URL"]
        assert services[name]["env_file"][0]["path"] == ".env"
    assert services["db"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    assert "SECRET_KEY=\n" in (ROOT / ".env.example").read_text(), "no default key to copy"


def redis_arguments(command: list[str]) -> dict[str, str]:
    """`redis-server --name value ...` as {name: value}."""
    assert command[0] == "redis-server"
    return dict(zip(command[1::2], command[2::2], strict=True))


def assert_a_bounded_cache_without_persistence(command: list[str]) -> None:
    arguments = redis_arguments(command)
    assert arguments["--maxmemory"].endswith("mb")
    assert arguments["--maxmemory-policy"] == "allkeys-lru"
    assert arguments["--save"] == "" and arguments["--appendonly"] == "no"


def test_compose_redis_is_a_pinned_private_bounded_cache():
    redis = compose()["services"]["redis"]
    assert re.fullmatch(r"redis:\d+\.\d+(\.\d+)?-alpine", redis["image"]), "pin the version"
    assert "ports" not in redis, "Redis has no password: it must not be published on the host"
    assert "volumes" not in redis, "a cache keeps nothing on disk"
    assert redis["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    assert_a_bounded_cache_without_persistence(redis["command"])


def test_compose_app_uses_the_redis_service_once_it_is_healthy():
    services = compose()["services"]
    for name in ("web", "setup"):
        assert services[name]["depends_on"]["redis"]["condition"] == "service_healthy"
        # A REDIS_URL in .env (a managed Redis) wins over the bundled service.
        assert services[name]["environment"]["REDIS_URL"] == "${REDIS_URL:-redis://redis:6379/0}"


def test_compose_mounts_content_read_only_for_updates_without_rebuilding():
    web = compose()["services"]["web"]
    mount = next(volume for volume in web["volumes"] if volume["target"] == "/app/content")
    assert mount["source"] == "./content" and mount["read_only"] is True


# --- Kubernetes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "manifest"),
    manifests(),
    ids=[f"{name}:{doc['kind']}" for name, doc in manifests()],
)
def test_kubernetes_manifest_is_valid_in_strict_mode(filename, manifest):
    try:
        kubernetes_validate.validate(manifest, K8S_VERSION, strict=True)
    except kubernetes_validate.ValidationError as error:
        pytest.fail(f"{filename}: {error.message} at {list(error.path)}")


def test_kustomization_lists_every_manifest_but_the_secret_template():
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    files = {path.name for path in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files - {SECRET_TEMPLATE}


def test_kustomize_renders_the_manifests():
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed; the manifests are still schema-checked above")
    result = subprocess.run(
        [kubectl, "kustomize", str(K8S)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    kinds = {doc["kind"] for doc in yaml.safe_load_all(result.stdout)}
    assert {"Deployment", "Service", "Ingress", "HorizontalPodAutoscaler", "Job"} <= kinds
    assert {"ConfigMap", "StatefulSet", "NetworkPolicy"} <= kinds and "Secret" not in kinds


def test_secret_template_holds_no_real_secret():
    for _, doc in manifests():
        if doc["kind"] == "Secret":
            for value in doc.get("stringData", {}).values():
                assert "REPLACE" in value
            assert "data" not in doc


def pod_containers(pod_spec: dict) -> list[dict]:
    return pod_spec.get("initContainers", []) + pod_spec["containers"]


@pytest.mark.parametrize(
    ("kind", "name"),
    [("Deployment", "web"), ("Job", "setup"), ("StatefulSet", "postgres"), ("Deployment", "redis")],
)
def test_pods_run_unprivileged_with_limits_and_a_read_only_root(kind, name):
    pod = of_kind(kind, name)["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    for container in pod_containers(pod):
        security = container["securityContext"]
        assert security["allowPrivilegeEscalation"] is False
        assert security["readOnlyRootFilesystem"] is True
        assert security["capabilities"]["drop"] == ["ALL"]
        assert {"cpu", "memory"} <= container["resources"]["requests"].keys()
        assert {"cpu", "memory"} <= container["resources"]["limits"].keys()


def test_web_deployment_has_replicas_and_probes_on_the_health_endpoints():
    deployment = of_kind("Deployment", "web")
    assert deployment["spec"]["replicas"] >= 2
    web = deployment["spec"]["template"]["spec"]["containers"][0]
    assert web["args"] == ["serve"]
    assert web["startupProbe"]["httpGet"]["path"] == "/healthz"
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
    init = deployment["spec"]["template"]["spec"]["initContainers"][0]
    assert init["args"] == ["wait-migrations"]
    assert {source.get("secretRef", {}).get("name") for source in web["envFrom"]} >= {
        "courseapp-secrets"
    }


def test_redis_is_a_cache_the_web_pods_reach_through_its_service():
    deployment, service = of_kind("Deployment", "redis"), of_kind("Service", "redis")
    pod = deployment["spec"]["template"]
    assert service["spec"]["selector"].items() <= pod["metadata"]["labels"].items()
    [port] = service["spec"]["ports"]
    assert deployment["spec"]["replicas"] == 1
    assert deployment["spec"]["strategy"]["type"] == "Recreate", "never two caches at once"
    [redis] = pod["spec"]["containers"]
    assert re.fullmatch(r"redis:\d+\.\d+(\.\d+)?-alpine", redis["image"])
    assert_a_bounded_cache_without_persistence(redis["args"])
    for probe in ("readinessProbe", "livenessProbe"):
        assert redis[probe]["exec"]["command"] == ["redis-cli", "ping"]
    assert all("persistentVolumeClaim" not in volume for volume in pod["spec"]["volumes"])
    # The web pods find it by the Service's name and port.
    url = urlsplit(of_kind("ConfigMap")["data"]["REDIS_URL"])
    assert (url.hostname, url.port) == (service["metadata"]["name"], port["port"])
    # Only the app's pods may connect to the password-less Redis.
    policy = of_kind("NetworkPolicy", "redis")
    assert policy["spec"]["podSelector"]["matchLabels"].items() <= pod["metadata"]["labels"].items()
    web_labels = of_kind("Deployment", "web")["spec"]["template"]["metadata"]["labels"]
    [allowed] = policy["spec"]["ingress"][0]["from"]
    assert allowed["podSelector"]["matchLabels"].items() <= web_labels.items()


def test_autoscaler_keeps_at_least_two_web_replicas():
    hpa = of_kind("HorizontalPodAutoscaler")
    assert hpa["spec"]["scaleTargetRef"]["name"] == "web"
    assert hpa["spec"]["minReplicas"] >= 2


def test_setup_job_migrates_and_imports_through_the_start_script():
    job = of_kind("Job", "setup")
    assert job["spec"]["template"]["spec"]["containers"][0]["args"] == ["setup"]


def test_configmap_trusts_the_ingress_for_https():
    data = of_kind("ConfigMap")["data"]
    assert data["SECURE_PROXY_SSL_HEADER"] == "1" and data["DEBUG"] == "0"
    assert "SECRET_KEY" not in data and "DATABASE_URL" not in data


# --- Dockerfile ----------------------------------------------------------------------------
# No Docker engine runs here: what the image does is run where it can be (its health check, its
# build's collectstatic step, deploy/start.sh in test_start.py); its structure is read with the
# Dockerfile parser Docker itself uses.


def image_stages() -> list[list[Command]]:
    """The Dockerfile's instructions, one list per stage (each from its FROM on)."""
    stages: list[list[Command]] = []
    for command in dockerfile.parse_file(str(ROOT / "Dockerfile")):
        if command.cmd.upper() == "FROM":
            stages.append([])
        stages[-1].append(command)
    return stages


def runtime_stage() -> list[Command]:
    return image_stages()[-1]


def instructions(stage: list[Command], name: str) -> list[Command]:
    return [command for command in stage if command.cmd.upper() == name]


def image_files(stage: list[Command]) -> dict[str, str]:
    """{path in the image: path in the build context} for the stage's COPYs from the context."""
    files, workdir = {}, "/"
    for command in stage:
        if command.cmd.upper() == "WORKDIR":
            workdir = posixpath.join(workdir, command.value[0])
        elif command.cmd.upper() == "COPY" and not any(
            flag.startswith("--from=") for flag in command.flags
        ):
            *sources, target = command.value
            target = posixpath.join(workdir, target)
            for source in sources:
                inside = target.endswith("/") or len(sources) > 1
                path = posixpath.join(target, posixpath.basename(source)) if inside else target
                files[posixpath.normpath(path)] = source
    return files


def test_dockerfile_is_multi_stage_on_python_3_13_slim():
    stages = image_stages()
    assert len(stages) >= 2
    _, as_, build = stages[0][0].value
    assert as_.upper() == "AS"
    runtime = stages[-1]
    assert runtime[0].value[0] == "python:3.13-slim"
    copied = [c.value for c in instructions(runtime, "COPY") if c.flags == (f"--from={build}",)]
    assert copied == [("/opt/venv", "/opt/venv")]
    assert not any("pip" in command.value[0] for command in instructions(runtime, "RUN"))


def test_dockerfile_runs_as_a_non_root_user():
    runtime = runtime_stage()
    users = instructions(runtime, "USER")
    assert users, "the image must switch to a non-root USER"
    user = users[-1].value[0].split(":")[0]
    # Kubernetes verifies runAsNonRoot only for a numeric user.
    assert user.isdigit() and int(user) != 0


@pytest.fixture
def serving_app():
    """The application on a free loopback port, as a container's health check finds it."""

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    server.server_close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_image_health_check_passes_while_the_app_serves_and_fails_otherwise(serving_app):
    [check] = instructions(runtime_stage(), "HEALTHCHECK")
    kind, program, *arguments = check.value
    assert (kind, program) == ("CMD", "python")

    def health_check(port: int) -> int:
        # The image's own command, with the image's PORT variable pointing at `port`.
        environment = {"PATH": os.environ["PATH"], "PORT": str(port)}
        command = [sys.executable, *arguments]
        return subprocess.run(command, env=environment, capture_output=True, timeout=30).returncode

    assert health_check(serving_app) == 0
    assert health_check(free_port()) != 0


def test_the_image_build_collects_static_files_without_a_database_or_a_secret(tmp_path):
    [build_step] = [
        command.value[0]
        for command in instructions(runtime_stage(), "RUN")
        if "collectstatic" in command.value[0]
    ]
    collect = next(part for part in build_step.split("&&") if "collectstatic" in part)
    environment = {
        # Only what a build has: the image's Python, its STATIC_ROOT; no DATABASE_URL, no key.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/bin:/bin",
        "STATIC_ROOT": str(tmp_path / "static"),
        "HOME": str(tmp_path),
    }
    result = subprocess.run(
        ["/bin/sh", "-c", collect], cwd=ROOT, env=environment, capture_output=True, timeout=120
    )
    assert result.returncode == 0, result.stderr.decode()
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
    assert "css/site.css" in manifest["paths"]


def test_the_image_starts_through_the_start_script():
    runtime = runtime_stage()
    [entrypoint] = instructions(runtime, "ENTRYPOINT")
    assert entrypoint.json, "exec form, so signals reach start.sh and gunicorn"
    assert image_files(runtime)[entrypoint.value[0]] == "deploy/start.sh"
    [command] = instructions(runtime, "CMD")
    assert command.value == ("all",)


def test_dockerfile_fetches_nothing_remote_and_bakes_in_no_secrets():
    for stage in image_stages():
        for command in instructions(stage, "ADD"):
            assert not any(re.match(r"https?://|git@", value) for value in command.value)
        for command in [*instructions(stage, "ENV"), *instructions(stage, "ARG")]:
            for value in command.value:  # names and values
                assert not re.search(r"SECRET|PASSWORD|TOKEN|DATABASE_URL", value, re.I), value
        for command in instructions(stage, "COPY"):
            assert ".env" not in map(posixpath.basename, command.value)


def test_the_build_context_holds_what_the_image_copies_and_no_local_secrets():
    lines = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines[0] == "*", "the build context is an allow-list"
    allowed = {line.removeprefix("!").rstrip("/") for line in lines if line.startswith("!")}
    for source in image_files(runtime_stage()).values():
        assert source in allowed, f"COPY {source}: not in the build context (.dockerignore)"
    assert not any(".env" in path for path in allowed)
    assert "**/.env" in lines[lines.index("*") :]


@pytest.mark.django_db
def test_postgresql_connections_run_without_jit():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("JIT is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)


@pytest.mark.parametrize(("threads", "worker_class"), [("4", "gthread"), ("1", "sync")])
def test_gunicorn_workers_hold_one_connection_more_than_their_threads(
    monkeypatch, threads, worker_class
):
    """So a proxy's few kept-alive connections cannot all land in one process."""
    monkeypatch.setenv("GUNICORN_THREADS", threads)
    settings = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert settings["worker_class"] == worker_class
    assert settings["worker_connections"] == int(threads) + 1
