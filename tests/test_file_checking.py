"""File exercises: Dockerfiles, Compose files and Kubernetes manifests read, validated and checked.

Every submission goes through `answer()`, which also asserts it was answered within a second.
"""

import time
from textwrap import dedent

import pytest

from courseapp.quizzes.files import (
    FORMATS,
    KUBERNETES_VERSION,
    MAX_CHARACTERS,
    CheckResult,
    Problem,
    check_file,
    compile_checks,
    read_file,
    solution_problems,
)
from courseapp.quizzes.files import kubernetes as kubernetes_format


def answer(kind: str, text: str, checks=()):
    """check_file, timed: every submission must be answered well within a second.

    The time is this thread's processor time, so other work on a shared machine does not count.
    """
    start = time.thread_time()
    verdict = check_file(kind, text, checks)
    elapsed = time.thread_time() - start
    assert elapsed < 1.0, f"answered in {elapsed:.2f} s"
    return verdict


def compiled(*pairs: tuple[str, str]):
    checks, errors = compile_checks([{"expect": e, "message": m} for e, m in pairs])
    assert errors == ()
    return checks


def problems(kind: str, text: str) -> list[str]:
    return [str(problem) for problem in answer(kind, text).problems]


def failed(verdict) -> list[str]:
    return [result.message for result in verdict.results if not result.passed]


# --- Worked checks: the ones docs/authoring.md shows, each verified below ---------------------

DEPLOYMENT_CHECKS = compiled(
    ("kind == 'Deployment' && metadata.name == 'web'", "A Deployment named web"),
    ("spec.replicas == `3`", "Three replicas"),
    ("spec.template.spec.containers[0].image == 'nginx:1.27'", "The image nginx:1.27"),
    (
        "spec.template.spec.containers[0].readinessProbe.httpGet.port == `80`",
        "A readiness probe on port 80",
    ),
    (
        "length(spec.template.spec.containers[?resources.requests.cpu && resources.requests.memory])"
        " == length(spec.template.spec.containers)",
        "Every container requests CPU and memory",
    ),
    (
        "spec.selector.matchLabels.app == spec.template.metadata.labels.app",
        "The selector matches the Pod template's labels",
    ),
)

SERVICE_CHECKS = compiled(
    ("length([?kind == 'Deployment']) == `1`", "One Deployment"),
    ("[?kind == 'Service'] | [0].spec.ports[0].port == `80`", "A Service on port 80"),
    (
        "[[?kind == 'Service'] | [0].spec.selector.app,"
        " [?kind == 'Deployment'] | [0].spec.template.metadata.labels.app]"
        " | [0] != null && [0] == [1]",
        "The Service selects the Deployment's Pods",
    ),
)

COMPOSE_CHECKS = compiled(
    ("contains(keys(volumes), 'db-data')", "A named volume db-data"),
    ("services.db.volumes[?starts_with(@, 'db-data:')]", "The database keeps its data in it"),
    (
        "services.web.depends_on.db.condition == 'service_healthy'",
        "web waits for a healthy database",
    ),
    ("contains(services.db.healthcheck.test, 'pg_isready')", "The database is health-checked"),
    ("services.db.ports == null", "The database is not published on the host"),
    ("contains(services.web.ports, '8080:80')", "web is published on port 8080"),
)

DOCKERFILE_CHECKS = compiled(
    ("length(stages) >= `2`", "A multi-stage build"),
    (
        "final.user != null && !starts_with(final.user, 'root') && !starts_with(final.user, '0')",
        "The final stage runs as a non-root user",
    ),
    (
        "!(stages[?(tag == null && digest == null) || tag == 'latest'])",
        "Every base image is pinned",
    ),
    ("final.instructions[?keyword == 'CMD'] | [-1].exec_form", "CMD in exec form"),
    (
        "final.instructions[?keyword == 'COPY' && flags.from == 'build']",
        "The final stage copies from the build stage",
    ),
    ("!(instructions[?keyword == 'ADD'])", "COPY rather than ADD"),
)

# --- Kubernetes ------------------------------------------------------------------------------

DEPLOYMENT = dedent("""\
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      labels:
        app: web
    spec:
      replicas: 3
      selector:
        matchLabels:
          app: web
      template:
        metadata:
          labels:
            app: web
        spec:
          containers:
            - name: web
              image: nginx:1.27
              ports:
                - containerPort: 80
              readinessProbe:
                httpGet:
                  path: /
                  port: 80
              resources:
                requests:
                  cpu: 100m
                  memory: 128Mi
                limits:
                  memory: 256Mi
    """)

# The same Deployment, keys in another order and partly in flow style.
DEPLOYMENT_REORDERED = dedent("""\
    spec:
      template:
        spec:
          containers:
            - resources: {limits: {memory: 256Mi}, requests: {memory: 128Mi, cpu: 100m}}
              readinessProbe: {httpGet: {port: 80, path: /}}
              image: "nginx:1.27"
              name: web
              ports: [{containerPort: 80}]
        metadata: {labels: {app: web}}
      selector: {matchLabels: {app: web}}
      replicas: 3
    metadata: {labels: {app: web}, name: web}
    kind: Deployment
    apiVersion: apps/v1
    """)

SERVICE = dedent("""\
    apiVersion: v1
    kind: Service
    metadata:
      name: web
    spec:
      selector:
        app: web
      ports:
        - port: 80
          targetPort: 80
    """)


def test_the_formats():
    assert {"dockerfile", "compose", "kubernetes"} == FORMATS
    with pytest.raises(ValueError, match="unknown file format"):
        read_file("helm", "a: 1")


@pytest.mark.parametrize("text", [DEPLOYMENT, DEPLOYMENT_REORDERED], ids=["written", "reordered"])
def test_a_valid_deployment_passes_every_check(text):
    verdict = answer("kubernetes", text, DEPLOYMENT_CHECKS)
    assert verdict.problems == ()
    assert verdict.correct and verdict.checked
    assert all(result.passed for result in verdict.results)


@pytest.mark.parametrize(
    ("change", "failing"),
    [
        (("name: web\n  labels", "name: api\n  labels"), "A Deployment named web"),
        (("replicas: 3", "replicas: 2"), "Three replicas"),
        (("image: nginx:1.27", "image: nginx:latest"), "The image nginx:1.27"),
        (("port: 80", "port: 8080"), "A readiness probe on port 80"),
        (("  cpu: 100m\n", ""), "Every container requests CPU and memory"),
        (
            ("matchLabels:\n      app: web", "matchLabels:\n      app: api"),
            "The selector matches the Pod template's labels",
        ),
    ],
)
def test_each_deployment_check_fails_alone(change, failing):
    text = DEPLOYMENT.replace(*change, 1)
    assert text != DEPLOYMENT
    verdict = answer("kubernetes", text, DEPLOYMENT_CHECKS)
    assert verdict.problems == ()
    assert failed(verdict) == [failing]
    assert not verdict.correct


def test_a_missing_probe_fails_its_check_without_an_error():
    probe = ("readinessProbe:", "httpGet:", "path: /", " port: 80")
    text = "\n".join(line for line in DEPLOYMENT.split("\n") if not line.strip().startswith(probe))
    assert "readinessProbe" not in text and "containerPort: 80" in text
    assert failed(answer("kubernetes", text, DEPLOYMENT_CHECKS)) == ["A readiness probe on port 80"]


def test_an_unknown_field_is_an_error_at_its_line():
    text = DEPLOYMENT.replace("  replicas: 3\n", "  replica: 3\n")
    assert problems("kubernetes", text) == ["line 8: unknown field `replica` in Deployment.spec"]


def test_an_unknown_field_deep_in_the_pod_template():
    text = DEPLOYMENT.replace("image: nginx:1.27", "imagee: nginx:1.27")
    assert problems("kubernetes", text) == [
        "line 19: unknown field `imagee` in Deployment.spec.template.spec.containers[0]"
    ]


def test_a_wrong_type_is_an_error_at_its_line():
    text = DEPLOYMENT.replace("replicas: 3", 'replicas: "3"')
    assert problems("kubernetes", text) == [
        'line 8: Deployment.spec.replicas must be an integer, not the string "3"'
    ]


def test_a_missing_required_field_is_an_error_at_its_object():
    text = DEPLOYMENT.replace("- name: web\n          image", "- image")
    assert problems("kubernetes", text) == [
        "line 18: missing required field `name` in Deployment.spec.template.spec.containers[0]"
    ]


def test_an_int_or_string_field_takes_either_but_nothing_else():
    assert problems("kubernetes", SERVICE.replace("targetPort: 80", "targetPort: http")) == []
    assert problems("kubernetes", SERVICE.replace("targetPort: 80", "targetPort: [80]")) == [
        "line 10: Service.spec.ports[0].targetPort must be a string or an integer, not a list"
    ]


def test_a_schema_error_still_runs_the_checks():
    text = DEPLOYMENT.replace("replicas: 3", "replicas: 3\n  paused: 1")
    verdict = answer("kubernetes", text, DEPLOYMENT_CHECKS)
    assert [str(p) for p in verdict.problems] == [
        "line 9: Deployment.spec.paused must be true or false, not the number 1"
    ]
    assert verdict.checked and not verdict.correct
    assert failed(verdict) == []


def test_every_error_is_reported_in_line_order():
    text = (
        DEPLOYMENT.replace("replicas: 3", "replicas: three")
        .replace("image: nginx:1.27", "image: nginx:1.27\n          tty: maybe")
        .replace("  name: web\n  labels", "  nme: web\n  labels")
    )
    assert problems("kubernetes", text) == [
        "line 4: unknown field `nme` in Deployment.metadata",
        'line 8: Deployment.spec.replicas must be an integer, not the string "three"',
        'line 20: Deployment.spec.template.spec.containers[0].tty must be true or false, not the string "maybe"',
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("apiVersion: apps/v1", "apiVersion: app/v1"),
            "line 1: the apiVersion of a Deployment is `apps/v1`, not `app/v1`",
        ),
        (
            ("kind: Deployment", "kind: Deploymnet"),
            "line 2: Kubernetes 1.35 has no kind `Deploymnet`; did you mean `Deployment`?",
        ),
        (
            ("kind: Deployment", "kind: deployment"),
            "line 2: Kubernetes 1.35 has no kind `deployment`; did you mean `Deployment`?",
        ),
        (("kind: Deployment\n", ""), "line 1: missing required field `kind`"),
    ],
)
def test_the_kind_and_api_version_must_exist(change, message):
    assert problems("kubernetes", DEPLOYMENT.replace(*change)) == [message]


def test_invalid_yaml_is_an_error_at_its_line():
    text = DEPLOYMENT.replace("  replicas: 3\n", "  replicas: 3\n   paused: true\n")
    verdict = answer("kubernetes", text, DEPLOYMENT_CHECKS)
    assert [str(p) for p in verdict.problems] == [
        "line 9: mapping values are not allowed in this context"
    ]
    assert not verdict.checked and not verdict.correct
    assert verdict.results == tuple(CheckResult(c.message, False) for c in DEPLOYMENT_CHECKS)


def test_a_tab_in_the_indentation_is_named():
    text = DEPLOYMENT.replace("  replicas: 3", "\treplicas: 3")
    assert problems("kubernetes", text) == [
        "line 8: this line is indented with a tab; YAML allows only spaces"
    ]


def test_a_duplicate_key_is_an_error():
    text = DEPLOYMENT.replace("replicas: 3", "replicas: 3\n  replicas: 4")
    assert problems("kubernetes", text) == ["line 9: duplicate key `replicas` (first on line 8)"]


def test_several_documents_are_checked_as_a_list():
    text = f"{DEPLOYMENT}---\n{SERVICE}"
    verdict = answer("kubernetes", text, SERVICE_CHECKS)
    assert verdict.problems == ()
    assert verdict.correct
    assert [document["kind"] for document in read_file("kubernetes", text).data] == [
        "Deployment",
        "Service",
    ]


def test_a_service_selecting_other_labels_fails_its_check():
    text = f"{DEPLOYMENT}---\n{SERVICE.replace('app: web', 'app: api')}"
    assert failed(answer("kubernetes", text, SERVICE_CHECKS)) == [
        "The Service selects the Deployment's Pods"
    ]


def test_a_service_without_a_selector_fails_its_check():
    text = f"{DEPLOYMENT}---\n{SERVICE.replace('  selector:\n    app: web\n', '')}"
    assert failed(answer("kubernetes", text, SERVICE_CHECKS)) == [
        "The Service selects the Deployment's Pods"
    ]


def test_errors_in_a_later_document_have_their_file_lines():
    text = f"{DEPLOYMENT}---\n{SERVICE.replace('targetPort', 'targetport')}"
    deployment_lines = DEPLOYMENT.count("\n")
    assert problems("kubernetes", text) == [
        f"line {deployment_lines + 11}: unknown field `targetport` in Service.spec.ports[0]"
    ]


def test_empty_documents_are_skipped_and_a_one_object_file_is_that_object():
    text = f"---\n{SERVICE}---\n"
    assert read_file("kubernetes", text).data["kind"] == "Service"


def test_a_document_that_is_not_an_object():
    assert problems("kubernetes", "- a\n- b\n") == [
        "line 1: each document must be one Kubernetes object"
    ]


def test_the_kubernetes_version_is_a_setting():
    pod = dedent("""\
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          resources: {requests: {cpu: 100m}}
          containers: [{name: c, image: busybox:1.37}]
        """)
    assert KUBERNETES_VERSION == "1.35"
    assert kubernetes_format.read(pod).problems == ()
    # Pod-level resources arrived after 1.30: that version's schema does not know them.
    assert [str(p) for p in kubernetes_format.read(pod, version="1.30").problems] == [
        "line 5: unknown field `resources` in Pod.spec"
    ]


# --- Compose ---------------------------------------------------------------------------------

COMPOSE = dedent("""\
    services:
      web:
        image: nginx:1.27
        ports:
          - "8080:80"
        depends_on:
          db:
            condition: service_healthy
      db:
        image: postgres:17
        volumes:
          - db-data:/var/lib/postgresql/data
        healthcheck:
          test: ["CMD", "pg_isready", "-U", "postgres"]
          interval: 5s
    volumes:
      db-data:
    """)

COMPOSE_WITH_ANCHORS = dedent("""\
    x-common: &common
      restart: unless-stopped
      logging:
        driver: json-file
    x-env: &env
      TZ: UTC
    services:
      web:
        <<: *common
        image: nginx:1.27
        environment: *env
      worker:
        <<: [*common, {stop_grace_period: 30s}]
        image: busybox:1.37
        restart: on-failure
    """)


def test_a_valid_compose_file_passes_every_check():
    verdict = answer("compose", COMPOSE, COMPOSE_CHECKS)
    assert verdict.problems == ()
    assert verdict.correct


@pytest.mark.parametrize(
    ("change", "failing"),
    [
        (("volumes:\n  db-data:\n", ""), "A named volume db-data"),
        (("- db-data:/var", "- ./data:/var"), "The database keeps its data in it"),
        (
            ("condition: service_healthy", "condition: service_started"),
            "web waits for a healthy database",
        ),
        (('"pg_isready", ', ""), "The database is health-checked"),
        (
            ("image: postgres:17", "image: postgres:17\n    ports: ['5432:5432']"),
            "The database is not published on the host",
        ),
        (('"8080:80"', '"8000:80"'), "web is published on port 8080"),
    ],
)
def test_each_compose_check_fails_alone(change, failing):
    text = COMPOSE.replace(*change)
    assert text != COMPOSE
    verdict = answer("compose", text, COMPOSE_CHECKS)
    assert verdict.problems == ()
    assert failed(verdict) == [failing]


def test_anchors_aliases_and_merges_expand_for_checks():
    checks = compiled(
        ("services.web.restart == 'unless-stopped'", "web restarts unless stopped"),
        ("services.worker.restart == 'on-failure'", "worker's own restart policy wins"),
        ("services.worker.logging.driver == 'json-file'", "worker logs to JSON files"),
        ("services.worker.stop_grace_period == '30s'", "worker has 30 s to stop"),
        ("services.web.environment.TZ == 'UTC'", "web runs in UTC"),
    )
    verdict = answer("compose", COMPOSE_WITH_ANCHORS, checks)
    assert verdict.problems == ()
    assert verdict.correct


def test_an_error_inside_a_merged_anchor_is_reported_where_it_is_written():
    text = COMPOSE_WITH_ANCHORS.replace("  restart: unless-stopped", "  restrat: unless-stopped")
    assert problems("compose", text) == [
        "line 2: unknown field `restrat` in services.web",
        "line 2: unknown field `restrat` in services.worker",
    ]


def test_compose_reads_yaml_1_2_so_no_is_a_string():
    text = "services:\n  job:\n    image: busybox:1.37\n    restart: no\n    init: true\n"
    assert read_file("compose", text).data["services"]["job"]["restart"] == "no"
    assert problems("compose", text) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("image: nginx:1.27", "imagee: nginx:1.27"),
            "line 3: unknown field `imagee` in services.web",
        ),
        (
            ("interval: 5s", "interval: 5"),
            "line 15: services.db.healthcheck.interval must be a string, not the number 5",
        ),
        (
            ("image: nginx:1.27", "image: nginx:1.27\n    build: {contxt: .}"),
            "line 4: unknown field `contxt` in services.web.build",
        ),
        (("  web:\n", "  web site:\n"), "line 2: `web site` is not an allowed name in services"),
        (
            ("volumes:\n  db-data:", "volume:\n  db-data:"),
            "line 16: unknown field `volume` in the top level",
        ),
        (
            ("condition: service_healthy", "condition: healthy"),
            'line 8: services.web.depends_on.db.condition must be one of "service_started",'
            ' "service_healthy", "service_completed_successfully"; not the string "healthy"',
        ),
    ],
)
def test_compose_schema_errors_have_their_lines(change, message):
    text = COMPOSE.replace(*change)
    assert text != COMPOSE
    assert problems("compose", text) == [message]


def test_a_compose_file_is_one_document():
    verdict = answer("compose", f"{COMPOSE}---\nservices: {{}}\n", COMPOSE_CHECKS)
    assert [str(p) for p in verdict.problems] == [
        "line 19: write the Compose file as one YAML document; a second one starts here"
    ]
    assert not verdict.checked


def test_a_long_list_of_distinct_mappings_is_validated_in_time():
    # jsonschema's own uniqueItems compares every pair of mappings: about a second for these.
    ports = ", ".join(f"{{target: {n}}}" for n in range(1, 1100))
    text = f"services:\n  web:\n    image: nginx:1.27\n    ports: [{ports}]\n"
    assert len(text) < MAX_CHARACTERS
    assert problems("compose", text) == []
    duplicated = text.replace("]", ", {target: 7}]")
    assert problems("compose", duplicated) == [
        "line 4: services.web.ports: has the same item more than once"
    ]


# --- Dockerfile ------------------------------------------------------------------------------

DOCKERFILE = dedent("""\
    # syntax=docker/dockerfile:1
    ARG GO_VERSION=1.23
    FROM golang:${GO_VERSION}-alpine AS build
    WORKDIR /src
    COPY go.mod go.sum ./
    RUN go mod download
    COPY . .
    RUN CGO_ENABLED=0 go build -o /out/app ./cmd/app

    FROM gcr.io/distroless/static-debian12:nonroot
    COPY --from=build /out/app /app
    USER nonroot:nonroot
    EXPOSE 8080
    ENTRYPOINT ["/app"]
    CMD ["serve"]
    """)


def test_a_good_dockerfile_passes_every_check():
    verdict = answer("dockerfile", DOCKERFILE, DOCKERFILE_CHECKS)
    assert verdict.problems == ()
    assert verdict.correct


@pytest.mark.parametrize(
    ("change", "failing"),
    [
        (("FROM gcr.io/distroless/static-debian12:nonroot\n", ""), "A multi-stage build"),
        (("USER nonroot:nonroot", "USER root"), "The final stage runs as a non-root user"),
        (("USER nonroot:nonroot\n", ""), "The final stage runs as a non-root user"),
        (("USER nonroot:nonroot", "USER 0:0"), "The final stage runs as a non-root user"),
        (("static-debian12:nonroot", "static-debian12"), "Every base image is pinned"),
        (
            ("-alpine AS build", "-alpine AS build\nFROM alpine:latest AS tools"),
            "Every base image is pinned",
        ),
        (('CMD ["serve"]', "CMD serve"), "CMD in exec form"),
        (("--from=build", "--from=golang:1.23"), "The final stage copies from the build stage"),
        (("COPY . .", "ADD . ."), "COPY rather than ADD"),
    ],
)
def test_each_dockerfile_check_fails_alone(change, failing):
    text = DOCKERFILE.replace(*change)
    assert text != DOCKERFILE
    verdict = answer("dockerfile", text, DOCKERFILE_CHECKS)
    assert verdict.problems == ()
    assert failed(verdict) == [failing]


def test_a_stage_pinned_by_digest_counts_as_pinned():
    digest = "sha256:" + "ab" * 32
    text = DOCKERFILE.replace("static-debian12:nonroot", f"static-debian12@{digest}")
    assert failed(answer("dockerfile", text, DOCKERFILE_CHECKS)) == []
    assert read_file("dockerfile", text).data["final"]["digest"] == digest


TWO_STAGES = dedent("""\
    ARG BASE=alpine:3.20
    FROM --platform=$BUILDPLATFORM golang:1.23-alpine AS Build
    RUN --mount=type=cache,target=/root/.cache --mount=type=secret,id=token go build -o /app .
    FROM registry.example.com:5000/team/base:1.0@sha256:abc
    COPY --from=build --chown=app:app --link /app /usr/local/bin/app
    ENV MODE=production LEVEL=info
    USER app
    CMD ["app", "serve"]
    """)


def test_the_documented_structure_of_a_two_stage_dockerfile():
    arg, from_build, run, from_final, copy, env, user, cmd = (
        {
            "keyword": "ARG",
            "arguments": ["BASE=alpine:3.20"],
            "exec_form": False,
            "flags": {},
            "line": 1,
        },
        {
            "keyword": "FROM",
            "arguments": ["golang:1.23-alpine", "AS", "Build"],
            "exec_form": False,
            "flags": {"platform": "$BUILDPLATFORM"},
            "line": 2,
        },
        {
            "keyword": "RUN",
            "arguments": ["go build -o /app ."],
            "exec_form": False,
            "flags": {"mount": ["type=cache,target=/root/.cache", "type=secret,id=token"]},
            "line": 3,
        },
        {
            "keyword": "FROM",
            "arguments": ["registry.example.com:5000/team/base:1.0@sha256:abc"],
            "exec_form": False,
            "flags": {},
            "line": 4,
        },
        {
            "keyword": "COPY",
            "arguments": ["/app", "/usr/local/bin/app"],
            "exec_form": False,
            "flags": {"from": "build", "chown": "app:app", "link": True},
            "line": 5,
        },
        {
            "keyword": "ENV",
            "arguments": ["MODE", "production", "LEVEL", "info"],
            "exec_form": False,
            "flags": {},
            "line": 6,
        },
        {"keyword": "USER", "arguments": ["app"], "exec_form": False, "flags": {}, "line": 7},
        {
            "keyword": "CMD",
            "arguments": ["app", "serve"],
            "exec_form": True,
            "flags": {},
            "line": 8,
        },
    )
    build = {
        "index": 0,
        "name": "build",
        "base": "golang:1.23-alpine",
        "image": "golang",
        "tag": "1.23-alpine",
        "digest": None,
        "platform": "$BUILDPLATFORM",
        "user": None,
        "instructions": [from_build, run],
    }
    final = {
        "index": 1,
        "name": None,
        "base": "registry.example.com:5000/team/base:1.0@sha256:abc",
        "image": "registry.example.com:5000/team/base",
        "tag": "1.0",
        "digest": "sha256:abc",
        "platform": None,
        "user": "app",
        "instructions": [from_final, copy, env, user, cmd],
    }
    reading = read_file("dockerfile", TWO_STAGES)
    assert reading.problems == ()
    assert reading.data == {
        "stages": [build, final],
        "final": final,
        "instructions": [arg, from_build, run, from_final, copy, env, user, cmd],
    }


@pytest.mark.parametrize(
    ("base", "image", "tag", "digest"),
    [
        ("nginx", "nginx", None, None),
        ("docker.io/library/nginx:1.27", "docker.io/library/nginx", "1.27", None),
        ("localhost:5000/app", "localhost:5000/app", None, None),
        ("scratch", "scratch", None, None),
        ("python:${PY}-slim", "python", "${PY}-slim", None),
    ],
)
def test_a_base_image_is_split_as_written(base, image, tag, digest):
    stage = read_file("dockerfile", f"FROM {base}\n").data["final"]
    assert (stage["base"], stage["image"], stage["tag"], stage["digest"]) == (
        base,
        image,
        tag,
        digest,
    )


def test_shell_and_heredoc_forms_keep_the_command_as_one_argument():
    text = "FROM alpine:3.20\nRUN apk add curl \\\n    && rm -rf /var/cache/apk\nRUN <<EOF sh\necho hi\nEOF\n"
    runs = read_file("dockerfile", text).data["final"]["instructions"][1:]
    assert [run["arguments"] for run in runs] == [
        ["apk add curl     && rm -rf /var/cache/apk"],
        ["<<EOF sh\necho hi\nEOF"],
    ]
    assert [run["line"] for run in runs] == [2, 4]


def test_keywords_are_upper_case_and_onbuild_names_its_instruction():
    data = read_file("dockerfile", "from alpine:3.20\nonbuild run echo hi\n").data
    assert [(i["keyword"], i["arguments"]) for i in data["instructions"]] == [
        ("FROM", ["alpine:3.20"]),
        ("ONBUILD", ["RUN", "echo hi"]),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("FROM alpine:3.20\nFOOBAR x\n", "line 2: unknown instruction: FOOBAR"),
        ("FROM alpine:3.20\nRUN echo\nENV DEBUG\n", "line 3: ENV must have two arguments"),
        (
            "RUN echo hi\nFROM alpine:3.20\n",
            "line 1: RUN comes before the first FROM; only ARG may",
        ),
        (
            "FROM alpine:3.20\nCOPY app\n",
            "line 2: COPY requires at least two arguments: sources and a destination",
        ),
        (
            "FROM alpine:3.20 build\n",
            "line 1: FROM requires either one or three arguments: FROM image [AS name]",
        ),
        (
            "FROM alpine:3.20 AS 2nd\n",
            "line 1: invalid stage name `2nd`: a letter first, then letters, digits, `-`, `_` or `.`",
        ),
        (
            "FROM alpine:3.20 AS a\nFROM alpine:3.20 AS A\n",
            "line 2: a stage is already named `a` (line 1)",
        ),
        ("ARG V=1\n", "A Dockerfile needs a FROM instruction."),
        ("# just a comment\n", "Your Dockerfile has no instructions."),
        ("FROM alpine:3.20\nWORKDIR\n", "line 2: WORKDIR requires at least one argument"),
    ],
)
def test_an_invalid_dockerfile_is_an_error_at_its_line(text, message):
    verdict = answer("dockerfile", text, DOCKERFILE_CHECKS)
    assert [str(p) for p in verdict.problems] == [message]
    assert not verdict.correct


# --- Limits ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(FORMATS))
def test_a_file_over_the_limit_is_refused(kind):
    verdict = answer(kind, "#" * 25_000, DOCKERFILE_CHECKS)
    assert verdict.problems == (
        Problem(None, "Your file is too long: 25,000 characters, at most 20,000."),
    )
    assert not verdict.checked and not verdict.correct
    assert not any(result.passed for result in verdict.results)


def test_windows_line_ends_count_once():
    assert answer("kubernetes", DEPLOYMENT.replace("\n", "\r\n"), DEPLOYMENT_CHECKS).correct
    text = "- 1\r\n" * 4500  # 22,500 characters as sent, 18,000 once each line end is one
    assert problems("kubernetes", text) == ["line 1: each document must be one Kubernetes object"]


@pytest.mark.parametrize("kind", sorted(FORMATS))
def test_a_nul_byte_is_refused(kind):
    assert problems(kind, "FROM a\na: b\x00\n") == ["line 2: Your file contains a NUL character."]


@pytest.mark.parametrize("kind", sorted(FORMATS))
def test_text_that_is_not_unicode_is_refused(kind):
    assert problems(kind, "a: b\n\ud800") == ["line 2: Your file is not valid text."]


@pytest.mark.parametrize("kind", sorted(FORMATS))
@pytest.mark.parametrize("text", ["", "   \n\n\t\n"])
def test_an_empty_file_is_refused(kind, text):
    assert problems(kind, text) == ["Your file is empty."]


def test_a_control_character_in_yaml_is_an_error_at_its_line():
    assert problems("compose", "services:\n  web:\n    image: \x07\n") == [
        "line 3: the character U+0007 is not allowed in YAML"
    ]


BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
)


@pytest.mark.parametrize("kind", ["compose", "kubernetes"])
def test_a_billion_laughs_is_refused_quickly(kind):
    start = time.thread_time()
    verdict = answer(kind, BILLION_LAUGHS, COMPOSE_CHECKS)
    assert time.thread_time() - start < 0.1
    assert [str(p) for p in verdict.problems] == [
        "line 5: more than 10,000 values here (each use of an alias counts them all again)"
    ]
    assert not verdict.checked


def test_merge_keys_cannot_multiply_either():
    lines = ["x0: &x0 {a: 1, b: 2}"]
    lines += [f"x{n}: &x{n} {{<<: [{', '.join([f'*x{n - 1}'] * 8)}]}}" for n in range(1, 12)]
    assert problems("compose", "\n".join(lines)) == [
        "line 5: more than 10,000 values here (each use of an alias counts them all again)"
    ]


def test_an_alias_inside_its_own_anchor_is_refused():
    assert problems("compose", "a: &a [1, *a]\n") == [
        "line 1: an alias may not refer to a value that contains it"
    ]


@pytest.mark.parametrize("opening", ["[", "{", "- "])
def test_deep_nesting_is_refused(opening):
    text = opening * (MAX_CHARACTERS // len(opening))
    assert problems("kubernetes", text) == ["line 1: values are nested more than 64 levels deep"]


def test_aliases_cannot_nest_deeper_than_the_limit():
    text = "a: &a " + "[" * 40 + "]" * 40 + "\nb: " + "[" * 30 + "*a" + "]" * 30 + "\n"
    assert problems("compose", text) == ["line 2: values are nested more than 64 levels deep"]


def test_a_number_too_long_to_convert_is_an_error():
    assert problems("kubernetes", "a: " + "9" * 5000) == ["line 1: this number is too long"]


def filled(head: str, repeated: str, tail: str = "") -> str:
    """`head`, then `repeated` as often as fits in the limit, then `tail`."""
    return head + repeated * ((MAX_CHARACTERS - len(head) - len(tail)) // len(repeated)) + tail


SERVICE_TEMPLATE = (
    "x: &x {image: nginx, restart: always, environment: {A: 1, B: 2}, ports: ['1:1']}\n"
)


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("kubernetes", filled("", "- {a: 1, b: [x, y]}\n")),
        ("kubernetes", filled("", "kind: Deploymentx\napiVersion: v1\n---\n")),
        ("kubernetes", filled("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n", "  - {x: 1}\n")),
        ("compose", filled("services:\n  web:\n    ports:\n", "  - {target: 1, published: 2}\n")),
        ("compose", "services:\n" + "".join(f"  {n}: {{}}\n" for n in range(1900))),
        ("compose", SERVICE_TEMPLATE + "services:\n" + "".join(f"  {n}: *x\n" for n in range(600))),
        ("dockerfile", filled("FROM a\n", "RUN echo hello world && true\n")),
        ("dockerfile", filled("FROM a\n", "RUN x\n", "ENV A\n")),
        ("dockerfile", filled("FROM a\n", "RUN <<E\nx\nE\n", "ENV A\n")),
    ],
    ids=[
        "a long list",
        "many unknown kinds",
        "many broken containers",
        "many ports",
        "many services",
        "many aliased services",
        "many instructions",
        "a parse error at the end",
        "heredocs and a parse error at the end",
    ],
)
def test_a_file_at_the_limit_is_answered_within_a_second(kind, text):
    verdict = answer(kind, text, DOCKERFILE_CHECKS)
    assert not any(
        problem.message.startswith("Your file is too long") for problem in verdict.problems
    )
    assert not any("more than 10,000 values" in problem.message for problem in verdict.problems)


def test_a_file_with_many_problems_shows_the_first_twenty():
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n"
    text += "".join(f"key{n}: value\n" for n in range(30))
    shown = problems("kubernetes", text)
    assert shown[:2] == [
        "line 4: unknown field `key0` in ConfigMap",
        "line 5: unknown field `key1` in ConfigMap",
    ]
    assert len(shown) == 21
    assert shown[-1] == "There are more problems; fix these first."


def test_a_long_line_of_wide_characters_does_not_break_the_dockerfile_parser():
    verdict = answer("dockerfile", "FROM a\nRUN echo " + "😀" * 19_900, DOCKERFILE_CHECKS)
    assert not verdict.correct


# --- Checks ----------------------------------------------------------------------------------


def test_bad_checks_are_errors_at_compile_time():
    checks, errors = compile_checks(
        [
            {"expect": "spec.replicas == `3`", "message": "Three replicas"},
            {"expect": "spec.replicas ==", "message": "Incomplete"},
            {"expect": "spec.replicas == 3", "message": "A number without backticks"},
            {"expect": "spec[?name = 'web']", "message": "One equals sign"},
            {"expect": "spec name", "message": "Two names"},
            {"expect": "lenght(spec.template.spec.containers) == `1`", "message": "Typo"},
            {"expect": "length(spec, metadata)", "message": "Too many arguments"},
            {"expect": "spec", "message": ""},
            {"expect": "spec", "message": "x", "hint": "y"},
            "spec",
        ]
    )
    assert [check.message for check in checks] == ["Three replicas"]
    assert [(error.index, error.message) for error in errors] == [
        (1, "invalid JMESPath expression `spec.replicas ==`: it is incomplete (character 17)"),
        (
            2,
            "invalid JMESPath expression `spec.replicas == 3`:"
            " a number is written in backticks: `3` (character 18)",
        ),
        (3, "invalid JMESPath expression `spec[?name = 'web']`: Unknown token '=' (character 12)"),
        (4, "invalid JMESPath expression `spec name`: unexpected `name` (character 6)"),
        (5, "unknown JMESPath function `lenght()`"),
        (6, "`length()` takes 1 argument, not 2"),
        (7, "`message` must be a non-empty string"),
        (8, "unknown key `hint` (a check has `expect` and `message`)"),
        (9, "a check is a mapping with `expect` and `message`"),
    ]


def test_a_check_passes_on_a_true_value_in_jmespath_terms():
    checks = compiled(
        ("spec.replicas == `3`", "true"),
        ("spec.template.spec.containers[?name == 'web']", "a non-empty list"),
        ("spec.template.spec.containers[?name == 'db']", "an empty list"),
        ("spec.paused", "null"),
        ("`false`", "false"),
        ("''", "an empty string"),
        ("`{}`", "an empty object"),
        ("`0`", "zero"),
    )
    results = answer("kubernetes", DEPLOYMENT, checks).results
    assert [result.message for result in results if result.passed] == [
        "true",
        "a non-empty list",
        "zero",
    ]


def test_a_check_that_cannot_be_evaluated_fails_instead_of_raising():
    checks = compiled(
        ("length(spec.replicas) == `1`", "length of a number"),
        ("starts_with(spec.replicas, 'x')", "a number as a string"),
        ("sort_by(spec.template.spec.containers, &ports)", "sorting by lists"),
    )
    verdict = answer("kubernetes", DEPLOYMENT, checks)
    assert verdict.checked and not verdict.correct
    assert [result.passed for result in verdict.results] == [False, False, False]


def test_no_checks_means_a_valid_file_is_correct():
    assert answer("kubernetes", SERVICE).correct


# --- The import's view of a solution ---------------------------------------------------------


def test_a_solution_that_passes_its_checks_has_no_problems():
    assert solution_problems("kubernetes", DEPLOYMENT, DEPLOYMENT_CHECKS) == ()
    assert solution_problems("compose", COMPOSE, COMPOSE_CHECKS) == ()
    assert solution_problems("dockerfile", DOCKERFILE, DOCKERFILE_CHECKS) == ()


def test_a_solution_that_fails_its_own_check_is_reported():
    text = DEPLOYMENT.replace("replicas: 3", "replicas: 2")
    assert solution_problems("kubernetes", text, DEPLOYMENT_CHECKS) == (
        Problem(None, "the solution fails its check: Three replicas"),
    )


def test_an_invalid_solution_reports_its_errors_with_lines():
    text = DEPLOYMENT.replace("image: nginx:1.27", "imagee: nginx:1.27")
    assert solution_problems("kubernetes", text, DEPLOYMENT_CHECKS) == (
        Problem(19, "unknown field `imagee` in Deployment.spec.template.spec.containers[0]"),
        Problem(None, "the solution fails its check: The image nginx:1.27"),
    )
    assert solution_problems("dockerfile", "FROM a\nCOPY x\n", ()) == (
        Problem(2, "COPY requires at least two arguments: sources and a destination"),
    )
