"""Command exercises: how a typed command is read, graded and explained."""

import random
import re

import pytest

from courseapp.quizzes.commands import (
    CommandError,
    Outcome,
    Reading,
    TokenKind,
    grade_command,
    normalise,
    read_command,
    table,
)
from courseapp.quizzes.commands.table import parse_option

RUN_WEB = "docker run -d --name web -p 8080:80 nginx:1.27"
RUN_WEB_LOCAL = "docker run -d --name web -p 127.0.0.1:8080:80 nginx:1.27"
GET_PODS = "kubectl get pods -n shop"
UPGRADE = "helm upgrade --install web bitnami/nginx -n shop --create-namespace"
SINGLE = "Incorrect: enter a single command"


def wrong_command(typed: str) -> str:
    return f"Wrong command: `{typed}` does not do what the prompt asks"


# (accepted answers, typed command, correct?, feedback)
GRADED = [
    # docker run: every spelling of the same command
    (RUN_WEB, RUN_WEB, True, ()),
    (RUN_WEB, "docker container run -d --name web -p 8080:80 nginx:1.27", True, ()),
    (RUN_WEB, "docker run --detach --name=web --publish=8080:80 nginx:1.27", True, ()),
    (RUN_WEB, "docker run -p 8080:80 --name web -d nginx:1.27", True, ()),
    (RUN_WEB, "docker run -d --name web -p8080:80 nginx:1.27", True, ()),
    (RUN_WEB, "docker run -d --name web -p=8080:80 nginx:1.27", True, ()),
    (RUN_WEB, "docker run -dp 8080:80 --name web nginx:1.27", True, ()),
    (RUN_WEB, "docker run -d=true --name web -p 8080:80 nginx:1.27", True, ()),
    (RUN_WEB, "$ docker run -d --name web -p 8080:80 nginx:1.27", True, ()),
    (RUN_WEB, "  docker   run\t-d --name web -p 8080:80 nginx:1.27  \n", True, ()),
    (RUN_WEB, "docker run -d \\\n  --name web \\\n  -p 8080:80 \\\n  nginx:1.27", True, ()),
    (RUN_WEB, "docker run -d \\\r\n  --name web -p 8080:80 nginx:1.27", True, ()),
    (RUN_WEB, "docker run -d --name 'web' -p \"8080:80\" ngi\\nx:1.27", True, ()),
    (RUN_WEB, "docker run -d --name web -p 8080:80 nginx:1.27 \\", True, ()),
    # docker run: each kind of difference
    (RUN_WEB, "docker ps", False, (wrong_command("docker ps"),)),
    (
        RUN_WEB,
        "docker create --name web -p 8080:80 nginx:1.27",
        False,
        (wrong_command("docker create"),),
    ),
    (
        RUN_WEB,
        "docker run --name web -p 8080:80 nginx:1.27",
        False,
        ("Missing option -d/--detach",),
    ),
    (RUN_WEB, "docker run -d --name web nginx:1.27", False, ("Missing option -p/--publish",)),
    (RUN_WEB, "docker run -d --name wbe -p 8080:80 nginx:1.27", False, ("Wrong value for --name",)),
    (
        RUN_WEB,
        "docker run -d --name web -p 8080:8080 nginx:1.27",
        False,
        ("Wrong value for -p/--publish",),
    ),
    (
        RUN_WEB,
        "docker run -d=false --name web -p 8080:80 nginx:1.27",
        False,
        ("Wrong value for -d/--detach",),
    ),
    (
        RUN_WEB,
        "docker run --rm -d --name web -p 8080:80 nginx:1.27",
        False,
        ("Unexpected option --rm",),
    ),
    (RUN_WEB, "docker run -d --name web -p 8080:80 nginx:1.26", False, ("Wrong image",)),
    (RUN_WEB, "docker run -d --name web -p 8080:80", False, ("Missing image",)),
    (
        RUN_WEB,
        "docker run -d --name web -p 8080:80 nginx:1.27 sh",
        False,
        ("Unexpected argument 2",),
    ),
    # an option after the image belongs to the container's command, not to docker
    (
        RUN_WEB,
        "docker run --name web -p 8080:80 nginx:1.27 -d",
        False,
        ("Missing option -d/--detach", "Unexpected argument 2"),
    ),
    # at most two differences, the most important first
    (
        RUN_WEB,
        "docker run --rm --name api nginx",
        False,
        ("Missing option -d/--detach", "Missing option -p/--publish"),
    ),
    (
        RUN_WEB,
        "docker run -d --rm --name api -p 8080:80 nginx",
        False,
        ("Wrong value for --name", "Wrong image"),
    ),
    (
        RUN_WEB,
        "docker run -d --rm --name web -p 8080:80 nginx sh",
        False,
        ("Wrong image", "Unexpected option --rm"),
    ),
    # several accepted answers: correct if any; otherwise the feedback of the closest
    ([RUN_WEB, RUN_WEB_LOCAL], RUN_WEB_LOCAL, True, ()),
    (
        [RUN_WEB, RUN_WEB_LOCAL],
        "docker run --name web -p 127.0.0.1:8080:80 nginx:1.27",
        False,
        ("Missing option -d/--detach",),
    ),
    (
        [RUN_WEB, RUN_WEB_LOCAL],
        "docker run -d --name web -p 127.0.0.1:8080:8080 nginx:1.27",
        False,
        ("Wrong value for -p/--publish",),
    ),
    # quoting
    (
        'docker run -e "GREETING=hello world" alpine env',
        "docker run -e 'GREETING=hello world' alpine env",
        True,
        (),
    ),
    (
        'docker run -e "GREETING=hello world" alpine env',
        'docker run --env="GREETING=hello world" alpine env',
        True,
        (),
    ),
    (
        'docker run -e "GREETING=hello world" alpine env',
        "docker run -e GREETING=hello\\ world alpine env",
        True,
        (),
    ),
    (
        'docker run -e "GREETING=hello world" alpine env',
        "docker run -e GREETING=hello world alpine env",
        False,
        ("Wrong value for -e/--env", "Wrong image"),
    ),
    # clustered short flags
    ("docker run -it --rm alpine sh", "docker run -ti --rm alpine sh", True, ()),
    ("docker run -it --rm alpine sh", "docker run -i -t --rm alpine sh", True, ()),
    ("docker run -it --rm alpine sh", "docker run --interactive --tty --rm alpine sh", True, ()),
    (
        "docker run -it --rm alpine sh",
        "docker run -i --rm alpine sh",
        False,
        ("Missing option -t/--tty",),
    ),
    # repeatable options are multisets
    ("docker run -p 80:80 -p 443:443 nginx", "docker run -p 443:443 -p 80:80 nginx", True, ()),
    (
        "docker run -p 80:80 -p 443:443 nginx",
        "docker run -p 80:80 nginx",
        False,
        ("Missing option -p/--publish",),
    ),
    (
        "docker run -p 80:80 -p 443:443 nginx",
        "docker run -p 80:80 -p 443:443 -p 8443:443 nginx",
        False,
        ("Unexpected option -p/--publish",),
    ),
    (
        "docker run -e A=1 -e B=2 -v data:/data alpine",
        "docker run -v data:/data -e B=2 --env A=1 alpine",
        True,
        (),
    ),
    # a repeated single-valued option keeps its last value, as docker does
    (RUN_WEB, "docker run -d --name api --name web -p 8080:80 nginx:1.27", True, ()),
    # docker exec does not read options after the container
    ("docker exec -it web sh", "docker container exec -ti web sh", True, ()),
    (
        "docker exec -it web sh",
        "docker exec web -it sh",
        False,
        ("Missing option -i/--interactive", "Missing option -t/--tty"),
    ),
    ("docker exec -it web sh", "docker exec -it web bash", False, ("Wrong argument 2",)),
    # docker subcommand aliases
    ("docker ps -a", "docker container ls -a", True, ()),
    ("docker ps -a", "docker container ps --all", True, ()),
    ("docker ps -a", "docker container list -a", True, ()),
    ("docker image ls", "docker images", True, ()),
    ("docker image ls", "docker image list", True, ()),
    ("docker image ls", "docker container ls", False, (wrong_command("docker container ls"),)),
    ("docker rmi nginx:1.27", "docker image rm nginx:1.27", True, ()),
    ("docker build -t app:1 .", "docker image build . --tag=app:1", True, ()),
    ("docker build -t app:1 .", "docker buildx build -t app:1 .", True, ()),
    (
        "docker network create -d overlay backend",
        "docker network create --driver=overlay backend",
        True,
        (),
    ),
    # docker global options go before the subcommand
    ("docker --context prod ps", "docker -c prod container ls", True, ()),
    (
        "docker --context prod ps",
        "docker ps --context prod",
        False,
        ("Wrong value for -c/--context", "Unexpected argument 1"),
    ),
    # compose
    ("docker compose up -d", "docker-compose up --detach", True, ()),
    ("docker compose up -d", "docker compose up", False, ("Missing option -d/--detach",)),
    ("docker compose up -d web", "docker compose up -d api", False, ("Wrong service",)),
    (
        "docker compose -f base.yml -f prod.yml up -d",
        "docker compose --file=base.yml --file prod.yml up -d",
        True,
        (),
    ),
    (
        "docker compose -f base.yml -f prod.yml up -d",
        "docker compose -f prod.yml -f base.yml up -d",
        False,
        ("Wrong order for -f/--file",),
    ),
    (
        "docker compose -f base.yml -f prod.yml up -d",
        "docker compose -f base.yml up -d",
        False,
        ("Missing option -f/--file",),
    ),
    (
        "docker compose logs -f --tail 10 web",
        "docker compose logs --tail=10 --follow web",
        True,
        (),
    ),
    ("docker compose logs -f --tail 10 web", "docker-compose logs -f -n 10 web", True, ()),
    ("docker compose exec -T db psql", "docker compose exec --no-TTY db psql", True, ()),
    ("docker compose down -v", "docker compose down", False, ("Missing option -v/--volumes",)),
    (
        "docker compose down -v",
        "docker compose stop",
        False,
        (wrong_command("docker compose stop"),),
    ),
    # kubectl: flags before or after the subcommand, short resource names
    (GET_PODS, "kubectl -n shop get pods", True, ()),
    (GET_PODS, "kubectl get po --namespace=shop", True, ()),
    (GET_PODS, "kubectl --namespace shop get pod", True, ()),
    (GET_PODS, "kubectl get -nshop Pods", True, ()),
    (GET_PODS, "kubectl get pods", False, ("Missing option -n/--namespace",)),
    (GET_PODS, "kubectl get pods -n default", False, ("Wrong value for -n/--namespace",)),
    (GET_PODS, "kubectl get svc -n shop", False, ("Wrong resource type",)),
    (GET_PODS, "kubectl get -n shop", False, ("Missing resource type",)),
    (GET_PODS, "kubectl describe pods -n shop", False, (wrong_command("kubectl describe"),)),
    (GET_PODS, "kubectl gett pods -n shop", False, (wrong_command("kubectl gett"),)),
    # a command's own options go after it; before it kubectl takes `-A get` as option and
    # value and fails with `unknown command "pods"` (kubernetes/kubernetes#93432)
    ("kubectl get pods -A", "kubectl get -A pods", True, ()),
    ("kubectl get pods -A", "kubectl -A get pods", False, (wrong_command("kubectl pods"),)),
    (
        "kubectl get pods -A",
        "kubectl --all-namespaces get pods",
        False,
        (wrong_command("kubectl pods"),),
    ),
    (
        "kubectl create deployment web --image=nginx",
        "kubectl create --image nginx deployment web",
        True,
        (),
    ),
    ("kubectl get deployment web", "kubectl get deploy/web", True, ()),
    (
        "kubectl get deployment web",
        "kubectl get deployments.apps web",
        False,
        ("Wrong resource type",),
    ),
    ("kubectl get deployment web", "kubectl get deploy api", False, ("Wrong resource name",)),
    ("kubectl get deploy,rs,pods", "kubectl get po,deployments,replicasets", True, ()),
    ("kubectl get pvc", "kubectl get persistentvolumeclaims", True, ()),
    ("kubectl get hpa -A", "kubectl get horizontalpodautoscaler --all-namespaces", True, ()),
    ("kubectl get cm,ns", "kubectl get configmaps,namespaces", True, ()),
    ("kubectl get pods -o wide", "kubectl get pods -owide", True, ()),
    ("kubectl get pods -o wide", "kubectl get pods -o=wide", True, ()),
    ("kubectl get pods -o wide", "kubectl get pods --output wide", True, ()),
    (
        "kubectl get pods -o wide",
        "kubectl get pods -o yaml",
        False,
        ("Wrong value for -o/--output",),
    ),
    (
        "kubectl apply -f db.yaml -f web.yaml",
        "kubectl apply -f web.yaml --filename=db.yaml",
        True,
        (),
    ),
    (
        "kubectl apply -f db.yaml -f web.yaml",
        "kubectl apply -f web.yaml",
        False,
        ("Missing option -f/--filename",),
    ),
    (
        "kubectl scale deployment web --replicas=3",
        "kubectl scale deploy/web --replicas 3",
        True,
        (),
    ),
    (
        "kubectl scale deployment web --replicas=3",
        "kubectl scale deploy/web --replicas 2",
        False,
        ("Wrong value for --replicas",),
    ),
    ("kubectl rollout status deployment/web", "kubectl rollout status deploy web", True, ()),
    (
        "kubectl rollout undo deployment/web --to-revision=2",
        "kubectl rollout history deployment/web",
        False,
        (wrong_command("kubectl rollout history"),),
    ),
    (
        "kubectl set image deployment/web web=nginx:1.27",
        "kubectl set image deploy web web=nginx:1.27",
        True,
        (),
    ),
    (
        "kubectl create deployment web --image=nginx:1.27 --replicas=3",
        "kubectl create deploy web --image nginx:1.27 -r 3",
        True,
        (),
    ),
    (
        "kubectl create configmap app --from-literal=A=1 --from-literal=B=2",
        "kubectl create cm app --from-literal B=2 --from-literal A=1",
        True,
        (),
    ),
    (
        "kubectl expose deployment web --port=80 --type=NodePort",
        "kubectl expose deploy/web --type NodePort --port 80",
        True,
        (),
    ),
    ("kubectl exec -it web -- sh", "kubectl exec web -i -t -- sh", True, ()),
    ("kubectl exec -it web -- sh", "kubectl exec pod/web -it -- sh", True, ()),
    (
        "kubectl exec -it web -- sh",
        "kubectl exec -it web sh",
        False,
        ("Missing -- before the command to run",),
    ),
    (
        "kubectl exec -it web -- sh",
        "kubectl exec -it web -- sh -c ls",
        False,
        ("Unexpected argument 4",),
    ),
    ("kubectl logs -f web -c app", "kubectl logs pods/web --container=app --follow", True, ()),
    (
        "kubectl logs -f web -c app",
        "kubectl logs -f web",
        False,
        ("Missing option -c/--container",),
    ),
    ("kubectl logs deploy/web", "kubectl logs deployment/web", True, ()),
    ("kubectl logs deploy/web", "kubectl logs web", False, ("Wrong pod",)),
    ("kubectl top pods", "kubectl top po", True, ()),
    ("kubectl top pods", "kubectl top nodes", False, (wrong_command("kubectl top nodes"),)),
    ("kubectl config use-context prod", "kubectl config use prod", True, ()),
    ("kubectl config use-context prod", "kubectl config use-context", False, ("Missing context",)),
    ("kubectl port-forward svc/web 8080:80", "kubectl port-forward service/web 8080:80", True, ()),
    (
        "kubectl run tmp --rm -it --image=busybox --restart=Never -- sh",
        "kubectl run tmp --image busybox --restart Never --rm -ti -- sh",
        True,
        (),
    ),
    ("kubectl delete pod web --wait=false", "kubectl delete po/web --wait=0", True, ()),
    (
        "kubectl delete pod web --wait=false",
        "kubectl delete pod web",
        False,
        ("Missing option --wait",),
    ),
    (
        "kubectl create deployment web --image=nginx --dry-run=client -o yaml",
        "kubectl create deployment web --image=nginx --dry-run -o yaml",
        False,
        ("Wrong value for --dry-run",),
    ),
    # helm
    (UPGRADE, "helm upgrade -i web bitnami/nginx --namespace=shop --create-namespace", True, ()),
    (UPGRADE, "helm -n shop upgrade web bitnami/nginx --install --create-namespace", True, ()),
    (
        UPGRADE,
        "helm install web bitnami/nginx -n shop --create-namespace",
        False,
        (wrong_command("helm install"),),
    ),
    (
        UPGRADE,
        "helm upgrade web bitnami/nginx -n shop --create-namespace",
        False,
        ("Missing option -i/--install",),
    ),
    (
        UPGRADE,
        "helm upgrade --install bitnami/nginx web -n shop --create-namespace",
        False,
        ("Wrong release name", "Wrong chart"),
    ),
    ("helm uninstall web", "helm delete web", True, ()),
    ("helm uninstall web", "helm un web", True, ()),
    ("helm list -A", "helm ls --all-namespaces", True, ()),
    ("helm repo update", "helm repo up", True, ()),
    ("helm show values bitnami/nginx", "helm inspect values bitnami/nginx", True, ()),
    (
        "helm install web ./chart --set a=1 --set b=2",
        "helm install web ./chart --set b=2 --set a=1",
        True,
        (),
    ),
    (
        "helm install web ./chart -f base.yaml -f prod.yaml",
        "helm install web ./chart -f prod.yaml -f base.yaml",
        False,
        ("Wrong order for -f/--values",),
    ),
    ("helm rollback web 2", "helm rollback web 1", False, ("Wrong revision",)),
    # unknown programs, subcommands and options are compared literally
    ("ls -la /tmp", "ls /tmp -la", True, ()),
    ("ls -la /tmp", "ls -al /tmp", False, ("Missing option -la", "Unexpected option -al")),
    ("docker ps", "dokcer ps", False, (wrong_command("dokcer"),)),
    ("docker logs web", "docker lgos web", False, (wrong_command("docker lgos"),)),
    ("docker run --frobnicate x nginx", "docker run --frobnicate x nginx", True, ()),
    (
        "docker run nginx",
        "docker run --frobnicate x nginx",
        False,
        ("Wrong image", "Unexpected option --frobnicate"),
    ),
    ("docker run nginx", "docker run nginx \\;", False, ("Unexpected argument 2",)),
    ('docker run alpine echo "a | b; c"', "docker run alpine echo 'a | b; c'", True, ()),
    ("docker run -e 'CMD=$(date)' alpine", "docker run -e 'CMD=$(date)' alpine", True, ()),
]


@pytest.mark.parametrize(("answers", "typed", "correct", "feedback"), GRADED)
def test_grade_command(answers, typed, correct, feedback):
    verdict = grade_command(typed, [answers] if isinstance(answers, str) else answers)
    assert (verdict.correct, verdict.feedback) == (correct, feedback)
    assert verdict.outcome is (Outcome.CORRECT if correct else Outcome.INCORRECT)
    assert verdict.reading is not None


# (typed, outcome, message): what cannot be read as one command gets a clear message
UNREADABLE = [
    ("", Outcome.EMPTY, "Type a command first"),
    ("   \n\t ", Outcome.EMPTY, "Type a command first"),
    ("$ ", Outcome.EMPTY, "Type a command first"),
    ("\\\n", Outcome.EMPTY, "Type a command first"),
    (
        "docker ps " * 1000,
        Outcome.REFUSED,
        "Your command is too long (10,000 characters; at most 2,000)",
    ),
    (
        "docker ps\0",
        Outcome.REFUSED,
        "Your command contains an invisible or control character (U+0000); type it again without it",
    ),
    (
        "docker ps \x1b[A",
        Outcome.REFUSED,
        "Your command contains an invisible or control character (U+001B); type it again without it",
    ),
    (
        "docker\u200bps",
        Outcome.REFUSED,
        "Your command contains an invisible or control character (U+200B); type it again without it",
    ),
    ("docker run -e 'A=b nginx", Outcome.INCORRECT, "Incorrect: the quotes are not balanced"),
    ('docker run -e "A=b nginx', Outcome.INCORRECT, "Incorrect: the quotes are not balanced"),
    ('docker run -e "A=b\\" nginx', Outcome.INCORRECT, "Incorrect: the quotes are not balanced"),
    ("docker ps | grep web", Outcome.INCORRECT, SINGLE),
    ("docker ps && docker images", Outcome.INCORRECT, SINGLE),
    ("docker ps || true", Outcome.INCORRECT, SINGLE),
    ("docker ps; docker images", Outcome.INCORRECT, SINGLE),
    ("docker run -d nginx &", Outcome.INCORRECT, SINGLE),
    ("docker ps > out.txt", Outcome.INCORRECT, SINGLE),
    ("docker load < image.tar", Outcome.INCORRECT, SINGLE),
    ("docker ps 2>&1", Outcome.INCORRECT, SINGLE),
    ("docker rm $(docker ps -aq)", Outcome.INCORRECT, SINGLE),
    ('docker rm "$(docker ps -aq)"', Outcome.INCORRECT, SINGLE),
    ("docker rm `docker ps -aq`", Outcome.INCORRECT, SINGLE),
    ("diff <(docker ps) <(docker ps -a)", Outcome.INCORRECT, SINGLE),
    ("(docker ps)", Outcome.INCORRECT, SINGLE),
    ("docker ps\ndocker images", Outcome.INCORRECT, SINGLE),
    ("docker ps \\\n\ndocker images", Outcome.INCORRECT, SINGLE),
]


@pytest.mark.parametrize(("typed", "outcome", "message"), UNREADABLE)
def test_unreadable_input_has_a_clear_message(typed, outcome, message):
    verdict = grade_command(typed, [RUN_WEB])
    assert (verdict.outcome, verdict.feedback, verdict.reading) == (outcome, (message,), None)
    assert not verdict.correct
    with pytest.raises(CommandError, match=r"\A" + re.escape(message)):
        read_command(typed)


def test_quoted_and_escaped_operators_are_plain_words():
    assert read_command('docker run alpine echo "|" \\; \\&').arguments == (
        "alpine",
        "echo",
        "|",
        ";",
        "&",
    )


def test_single_quotes_keep_a_substitution_literal():
    assert read_command("docker run -e 'A=$(id)' alpine").options == (("--env", "A=$(id)"),)


def test_the_longest_accepted_line_is_read():
    typed = "docker run -e A=" + "x" * 1984
    assert len(typed) == 2000
    assert grade_command(typed, [typed]).correct


def test_random_input_never_raises():
    alphabet = "docker run kubectl helm -p --name= '\"\\$()`|;&<> \n\t=ab/:."
    generator = random.Random(20240601)
    for _ in range(3000):
        typed = "".join(generator.choice(alphabet) for _ in range(generator.randint(0, 40)))
        verdict = grade_command(typed, [RUN_WEB, GET_PODS])
        assert verdict.outcome in Outcome
        assert verdict.feedback or verdict.correct


def test_an_unreadable_answer_is_an_error_for_the_author():
    with pytest.raises(CommandError, match="enter a single command"):
        grade_command("docker ps", ["docker ps | wc -l"])
    with pytest.raises(ValueError, match="at least one"):
        grade_command("docker ps", [])


def test_answers_may_be_readings():
    assert grade_command("docker container ls", [read_command("docker ps")]).correct


# --- Display: tokens with a kind each, and the normalised spelling ---------------------


def test_tokens_say_what_each_word_is():
    reading = read_command(
        '$ docker container run -d --name=web -p8080:80 -e "A=b c" nginx:1.27 sh'
    )
    assert [(token.text, token.kind.value, token.separator) for token in reading.tokens] == [
        ("docker", "command", ""),
        ("container", "command", " "),
        ("run", "command", " "),
        ("-d", "option", " "),
        ("--name", "option", " "),
        ("web", "value", "="),
        ("-p", "option", " "),
        ("8080:80", "value", ""),
        ("-e", "option", " "),
        ("A=b c", "value", " "),
        ("nginx:1.27", "argument", " "),
        ("sh", "argument", " "),
    ]
    assert reading.shown == "docker container run -d --name=web -p8080:80 -e 'A=b c' nginx:1.27 sh"
    assert reading.typed_command == "docker container run"


def test_tokens_of_clustered_and_global_options():
    reading = read_command("kubectl -n shop exec -it web -- sh -c 'ls -l'")
    assert [(token.text, token.kind) for token in reading.tokens] == [
        ("kubectl", TokenKind.COMMAND),
        ("-n", TokenKind.OPTION),
        ("shop", TokenKind.VALUE),
        ("exec", TokenKind.COMMAND),
        ("-it", TokenKind.OPTION),
        ("web", TokenKind.ARGUMENT),
        ("--", TokenKind.ARGUMENT),
        ("sh", TokenKind.ARGUMENT),
        ("-c", TokenKind.ARGUMENT),
        ("ls -l", TokenKind.ARGUMENT),
    ]


def test_reading_of_a_kubectl_command():
    reading = read_command("kubectl -n shop get deploy/web -owide")
    assert reading.command == ("kubectl", "get")
    assert reading.options == (("--namespace", "shop"), ("--output", "wide"))
    assert reading.arguments == ("deployments", "web")
    assert isinstance(reading, Reading)


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        (RUN_WEB, "docker run --detach --name=web --publish=8080:80 nginx:1.27"),
        (
            "docker container run -p8080:80 --name=web -d nginx:1.27",
            "docker run --detach --name=web --publish=8080:80 nginx:1.27",
        ),
        (
            "docker run -p 443:443 -p 80:80 nginx",
            "docker run --publish=443:443 --publish=80:80 nginx",
        ),
        ("docker run -e 'A=b c' alpine", "docker run --env='A=b c' alpine"),
        (
            "docker-compose -f b.yml -f a.yml up -d",
            "docker compose --file=b.yml --file=a.yml up --detach",
        ),
        ("kubectl -n shop get po", "kubectl get --namespace=shop pods"),
        ("kubectl get deploy/web -o wide", "kubectl get --output=wide deployments web"),
        ("kubectl exec -ti web -- sh", "kubectl exec --stdin --tty web -- sh"),
        (
            "kubectl create deploy web --image nginx --dry-run",
            "kubectl create deployment --dry-run=unchanged --image=nginx web",
        ),
        (
            "helm upgrade -i web ./chart -n shop",
            "helm upgrade --install --namespace=shop web ./chart",
        ),
        ("docker run --rm=True alpine", "docker run --rm alpine"),
        ("docker -H tcp://x:2375 container ls -a", "docker --host=tcp://x:2375 ps --all"),
        ("ls -la /tmp", "ls -la /tmp"),
    ],
)
def test_normalise(typed, normalised):
    assert normalise(typed) == normalised
    assert normalise(normalised) == normalised  # the normalised spelling reads the same


def test_normalise_groups_equivalent_commands():
    spellings = [
        "kubectl get pods -n shop -o wide",
        "kubectl -n shop get po -owide",
        "kubectl get pod --output=wide --namespace shop",
        "$ kubectl get \\\n  pods -nshop -o=wide",
    ]
    assert len({normalise(spelling) for spelling in spellings}) == 1


def test_normalise_refuses_what_it_cannot_read():
    with pytest.raises(CommandError, match="single command"):
        normalise("docker ps | wc -l")


# --- The table ---------------------------------------------------------------------------


def every_node():
    for tool in {tool for tool, _ in table.PROGRAMS.values()}:
        for path, node in table.walk(tool.root):
            yield tool, path, node


def test_every_link_leads_to_a_command():
    for tool, path, node in every_node():
        if node.same_as:
            target, _ = tool.resolve(node)
            assert not target.same_as, path


def test_every_command_is_found_by_its_canonical_path():
    for _, path, node in every_node():
        if not node.same_as:
            assert table.find_command(path) is node, path


def test_no_spelling_means_two_things_in_one_place():
    for tool, path, node in every_node():
        spellings = [spelling for option in node.options for spelling in option.spellings]
        assert len(spellings) == len(set(spellings)), path
        names = [name for child in node.subcommands for name in child.names]
        assert len(names) == len(set(names)), path
        if tool.options_anywhere:  # a local option may not reuse a global spelling for another
            for option in node.options:
                for spelling in option.spellings:
                    global_option = tool.root.option_by_spelling.get(spelling)
                    assert global_option is None or global_option.name == option.name, (
                        path,
                        spelling,
                    )


def test_the_table_covers_the_commands_the_course_teaches():
    for path in [
        "docker run",
        "docker exec",
        "docker build",
        "docker ps",
        "docker logs",
        "docker images",
        "docker pull",
        "docker push",
        "docker tag",
        "docker rm",
        "docker rmi",
        "docker stop",
        "docker start",
        "docker inspect",
        "docker image prune",
        "docker container prune",
        "docker network create",
        "docker volume create",
        "docker compose up",
        "docker compose down",
        "docker compose ps",
        "docker compose logs",
        "docker compose exec",
        "docker compose run",
        "docker compose build",
        "docker compose config",
        "docker compose ls",
        "docker swarm init",
        "docker service create",
        "docker stack deploy",
        "docker node ls",
        "kubectl get",
        "kubectl describe",
        "kubectl apply",
        "kubectl create deployment",
        "kubectl create service nodeport",
        "kubectl create configmap",
        "kubectl create secret generic",
        "kubectl create namespace",
        "kubectl create job",
        "kubectl delete",
        "kubectl logs",
        "kubectl exec",
        "kubectl expose",
        "kubectl scale",
        "kubectl rollout status",
        "kubectl rollout undo",
        "kubectl rollout history",
        "kubectl rollout restart",
        "kubectl set image",
        "kubectl port-forward",
        "kubectl config use-context",
        "kubectl config get-contexts",
        "kubectl config current-context",
        "kubectl config set-context",
        "kubectl label",
        "kubectl annotate",
        "kubectl debug",
        "kubectl top pod",
        "kubectl run",
        "kubectl cordon",
        "kubectl drain",
        "helm install",
        "helm upgrade",
        "helm uninstall",
        "helm list",
        "helm repo add",
        "helm repo update",
        "helm repo list",
        "helm rollback",
        "helm status",
        "helm template",
        "helm show values",
    ]:
        assert table.find_command(tuple(path.split())) is not None, path


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("-d|--detach", table.Option("--detach", ("-d",))),
        ("--name=", table.Option("--name", takes_value=True)),
        ("-p|--publish=*", table.Option("--publish", ("-p",), takes_value=True, repeatable=True)),
        (
            "-f|--file=+",
            table.Option("--file", ("-f",), takes_value=True, repeatable=True, ordered=True),
        ),
        (
            "--dry-run[=unchanged]",
            table.Option("--dry-run", takes_value=True, implicit_value="unchanged"),
        ),
        (
            "--network|--net=*",
            table.Option("--network", ("--net",), takes_value=True, repeatable=True),
        ),
    ],
)
def test_option_notation(item, expected):
    assert parse_option(item) == expected


@pytest.mark.parametrize("item", ["detach", "-dd", "--name=x", "-p|publish", "---x"])
def test_malformed_option_notation_is_refused(item):
    with pytest.raises(ValueError, match="malformed"):
        parse_option(item)


def test_option_labels_name_both_spellings():
    assert parse_option("-p|--publish=*").label == "-p/--publish"
    assert parse_option("--network|--net=").label == "--network"
    assert parse_option("-T|--no-tty|--no-TTY").label == "-T/--no-tty"
