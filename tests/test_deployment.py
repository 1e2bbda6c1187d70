"""Deployment files, checked offline: Compose against the Compose Specification, every Kubernetes
manifest against the Kubernetes schemas, and the Dockerfile's essentials."""

import re
import runpy
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml

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


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    text = (ROOT / "Dockerfile").read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line.strip() else "")
        for line in joined.splitlines()
        if line.strip()
    ]


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


def test_dockerfile_is_multi_stage_on_python_3_13_slim():
    stages = [args for instruction, args in dockerfile_instructions() if instruction == "FROM"]
    assert len(stages) >= 2
    assert stages[-1].split()[0] == "python:3.13-slim"
    copies = [args for instruction, args in dockerfile_instructions() if instruction == "COPY"]
    assert any(args.startswith("--from=build /opt/venv") for args in copies)


def test_dockerfile_runs_as_a_non_root_user():
    instructions = dockerfile_instructions()
    users = [args for instruction, args in instructions if instruction == "USER"]
    assert users, "the image must switch to a non-root USER"
    assert users[-1].split(":")[0] not in {"root", "0"}
    last_from = max(i for i, (instruction, _) in enumerate(instructions) if instruction == "FROM")
    last_user = max(i for i, (instruction, _) in enumerate(instructions) if instruction == "USER")
    assert last_user > last_from
    # Kubernetes verifies runAsNonRoot only for a numeric user.
    assert users[-1].split(":")[0].isdigit()


def test_dockerfile_checks_health_collects_static_and_starts_through_the_start_script():
    instructions = dict(dockerfile_instructions())
    assert "/healthz" in instructions["HEALTHCHECK"]
    runs = " ".join(args for instruction, args in dockerfile_instructions() if instruction == "RUN")
    assert "collectstatic" in runs
    assert "deploy/start.sh" in instructions["ENTRYPOINT"]


def test_dockerfile_fetches_nothing_remote_and_bakes_in_no_secrets():
    for instruction, args in dockerfile_instructions():
        assert instruction != "ADD" or not re.search(r"https?://|git@", args)
        if instruction in {"ENV", "ARG"}:
            assert not re.search(r"SECRET|PASSWORD|TOKEN|DATABASE_URL", args, re.IGNORECASE)
        if instruction == "COPY":
            assert ".env" not in args.split()
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    assert "*" in lines, "the build context is an allow-list"
    assert not any(line.startswith("!") and ".env" in line for line in lines)
    assert "**/.env" in lines


def test_start_script_is_the_one_entry_point():
    script = (ROOT / "deploy" / "start.sh").read_text()
    for step in ("migrate --no-input", "import_content", "collectstatic", "gunicorn"):
        assert step in script
    assert (ROOT / "deploy" / "start.sh").stat().st_mode & 0o111, "start.sh must be executable"


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
