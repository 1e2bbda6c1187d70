"""The one table of commands and options that command exercises are graded against.

It covers docker (with compose, swarm and buildx), kubectl and helm: for each command its
subcommands and their aliases, which options take a value, their other spellings (short and
long) and which may be repeated. Anything absent from the table is compared literally.

Options are written in a small notation, one item per option, separated by spaces:

    -d|--detach            a flag; every spelling separated by `|`, the long one is canonical
    --name=                takes a value (`--name web`, `--name=web`)
    -p|--publish=*         takes a value and may be repeated: compared as a multiset
    -f|--file=+            repeated, and the order matters (later files override earlier ones)
    --dry-run[=unchanged]  a value only with `=`; bare, it means the value in brackets

To extend the table: add an item to a command's option string; add
`command("name alias", "options", arguments=("image",))` to its group (`arguments` names
the positional arguments for feedback: "Wrong image"); `link("ls list", "images")` gives an
existing command another name; another program name goes into `PROGRAMS`. The tests in
`tests/test_command_grading.py` check that links resolve and spellings are unique.
"""

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

ArgumentReader = Callable[[tuple[str, ...]], tuple[str, ...]]


@dataclass(frozen=True)
class Option:
    """One option: its canonical spelling and what it accepts."""

    name: str  # canonical: the long spelling when there is one (`--publish`)
    aliases: tuple[str, ...] = ()  # other spellings (`-p`, `--net` for `--network`)
    takes_value: bool = False
    repeatable: bool = False  # several occurrences are kept (a multiset)
    ordered: bool = False  # repeatable, and the order of the occurrences matters
    implicit_value: str | None = None  # value of the bare option; a value needs `=`

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @property
    def label(self) -> str:
        """How feedback names it: the short spellings, then the canonical one (`-p/--publish`)."""
        shorts = [spelling for spelling in self.aliases if not spelling.startswith("--")]
        return "/".join([*shorts, self.name])


@dataclass(frozen=True)
class Command:
    """A command or a group of subcommands, as a node of its tool's tree."""

    names: tuple[str, ...]  # the first is canonical, the others are aliases
    options: tuple[Option, ...] = ()
    subcommands: tuple["Command", ...] = ()
    arguments: tuple[str, ...] = ()  # what feedback calls each positional argument
    runnable: bool = True  # False for a group that only holds subcommands
    interspersed: bool = True  # False: everything after the first argument is an argument
    same_as: tuple[str, ...] = ()  # this node is the command at that path under the tool
    read_arguments: ArgumentReader | None = None  # brings equivalent arguments to one form

    @property
    def name(self) -> str:
        return self.names[0]

    @cached_property
    def option_by_spelling(self) -> dict[str, Option]:
        return {spelling: option for option in self.options for spelling in option.spellings}

    @cached_property
    def subcommand_by_name(self) -> dict[str, "Command"]:
        return {name: child for child in self.subcommands for name in child.names}


@dataclass(frozen=True)
class Tool:
    """A program's tree of commands and where its options may be written."""

    root: Command
    # kubectl and helm (cobra) read a command's options anywhere after the command, and the
    # global ones anywhere; docker reads each option at its own level (`docker --context x
    # run -d ...`): a global option after `run` is unknown there.
    options_anywhere: bool = False

    def resolve(self, node: Command) -> tuple[Command, tuple[str, ...]]:
        """The node a link points to, and its canonical path below the program."""
        path = node.same_as
        target = self.root
        for name in path:
            target = target.subcommand_by_name[name]
        return target, path

    def find(self, path: Sequence[str]) -> list[Command]:
        """The nodes along a canonical path below the program (stops at an unknown name)."""
        nodes = [self.root]
        for name in path:
            child = nodes[-1].subcommand_by_name.get(name)
            if child is None or child.name != name:
                break
            nodes.append(child)
        return nodes


# --- The option notation -------------------------------------------------------------

SPELLING = re.compile(r"-[A-Za-z0-9]|--[A-Za-z0-9][A-Za-z0-9-]*")
OPTION_ITEM = re.compile(r"(?P<spellings>[^=\[]+)(?:(?P<value>=[*+]?)|\[=(?P<implicit>[^\]]+)\])?")


def parse_options(notation: str) -> tuple[Option, ...]:
    """Options from the notation described in the module docstring."""
    return tuple(parse_option(item) for item in notation.split())


def parse_option(item: str) -> Option:
    match = OPTION_ITEM.fullmatch(item)
    if match is None:
        raise ValueError(f"malformed option {item!r}")
    spellings = match["spellings"].split("|")
    for spelling in spellings:
        if not SPELLING.fullmatch(spelling):
            raise ValueError(f"malformed option spelling {spelling!r} in {item!r}")
    name = next((spelling for spelling in spellings if spelling.startswith("--")), spellings[0])
    value = match["value"] or ""
    return Option(
        name=name,
        aliases=tuple(spelling for spelling in spellings if spelling != name),
        takes_value=bool(value) or match["implicit"] is not None,
        repeatable=value in ("=*", "=+"),
        ordered=value == "=+",
        implicit_value=match["implicit"],
    )


def command(
    names: str,
    options: str = "",
    *,
    arguments: Sequence[str] = (),
    subcommands: Sequence[Command] = (),
    interspersed: bool = True,
    read_arguments: ArgumentReader | None = None,
) -> Command:
    """A runnable command; `names` is its canonical name followed by its aliases."""
    return Command(
        names=tuple(names.split()),
        options=parse_options(options),
        subcommands=tuple(subcommands),
        arguments=tuple(arguments),
        interspersed=interspersed,
        read_arguments=read_arguments,
    )


def group(names: str, *subcommands: Command, options: str = "") -> Command:
    """A node that only holds subcommands (`docker container`, `kubectl rollout`)."""
    return Command(
        names=tuple(names.split()),
        options=parse_options(options),
        subcommands=subcommands,
        runnable=False,
    )


def link(names: str, same_as: str) -> Command:
    """Another name for a command defined elsewhere (`docker container ls` is `docker ps`)."""
    return Command(names=tuple(names.split()), same_as=tuple(same_as.split()))


def links(names: str) -> tuple[Command, ...]:
    """Top-level commands repeated in a group under the same names (`docker container run`)."""
    return tuple(link(name, name) for name in names.split())


# --- Kubernetes resource names -------------------------------------------------------

# Canonical (plural) resource name, then the other names kubectl accepts for it.
RESOURCE_NAMES = """
    pods po pod; services svc service; deployments deploy deployment;
    replicasets rs replicaset; statefulsets sts statefulset; daemonsets ds daemonset;
    namespaces ns namespace; nodes no node; configmaps cm configmap; secrets secret;
    persistentvolumeclaims pvc persistentvolumeclaim; persistentvolumes pv persistentvolume;
    horizontalpodautoscalers hpa horizontalpodautoscaler; ingresses ing ingress;
    ingressclasses ingressclass; jobs job; cronjobs cj cronjob;
    serviceaccounts sa serviceaccount; endpoints ep; endpointslices endpointslice;
    events ev event; storageclasses sc storageclass; networkpolicies netpol networkpolicy;
    poddisruptionbudgets pdb poddisruptionbudget; resourcequotas quota resourcequota;
    limitranges limits limitrange; roles role; rolebindings rolebinding;
    clusterroles clusterrole; clusterrolebindings clusterrolebinding;
    customresourcedefinitions crd crds customresourcedefinition;
    replicationcontrollers rc replicationcontroller; priorityclasses pc priorityclass;
    certificatesigningrequests csr certificatesigningrequest; leases lease;
    csidrivers csidriver; apiservices apiservice
"""
RESOURCE_ALIASES = {
    alias: names.split()[0] for names in RESOURCE_NAMES.split(";") for alias in names.split()
}
# `deployment/web`: a resource type and a name in one argument (never a `key=value`).
TYPE_AND_NAME = re.compile(r"([A-Za-z][A-Za-z0-9.-]*)/([^/=\s]+)")


def resource_type(word: str) -> str:
    """`po`, `Pod` and `pods` all become `pods`; a comma list is a set (`svc,deploy` =
    `deployments,services`): kubectl lists the same objects whatever the order."""
    types = {RESOURCE_ALIASES.get(item.lower(), item.lower()) for item in word.split(",")}
    return ",".join(sorted(types))


def resource_arguments(arguments: tuple[str, ...]) -> tuple[str, ...]:
    """`TYPE NAME...` and `TYPE/NAME...` in one form: `deploy/web` = `deployment web`."""
    if not arguments:
        return arguments
    pairs = []
    for argument in arguments:
        match = TYPE_AND_NAME.fullmatch(argument)
        if match is None:
            break
        pairs.append((resource_type(match[1]), match[2]))
    rest = arguments[len(pairs) :]
    if not pairs:
        return (resource_type(arguments[0]), *arguments[1:])
    if len({kind for kind, _ in pairs}) == 1:
        return (pairs[0][0], *(name for _, name in pairs), *rest)
    return (*(f"{kind}/{name}" for kind, name in pairs), *rest)


def pod_arguments(arguments: tuple[str, ...]) -> tuple[str, ...]:
    """`pod/web` = `web`; another `TYPE/NAME` (`deploy/web`) gets its canonical type."""
    if not arguments:
        return arguments
    first, *rest = arguments
    match = TYPE_AND_NAME.fullmatch(first)
    if match:
        kind = resource_type(match[1])
        first = match[2] if kind == "pods" else f"{kind}/{match[2]}"
    return (first, *rest)


# --- docker ----------------------------------------------------------------------------

DOCKER_GLOBAL = """
    --config= -c|--context= -D|--debug -H|--host=* -l|--log-level= --tls --tlscacert= --tlscert=
    --tlskey= --tlsverify -v|--version
"""
CONTAINER_CREATE = """
    -a|--attach=* --add-host=* --annotation=* --blkio-weight= --blkio-weight-device=* --cap-add=*
    --cap-drop=* --cgroup-parent= --cgroupns= --cidfile= --cpu-period= --cpu-quota=
    --cpu-rt-period= --cpu-rt-runtime= -c|--cpu-shares= --cpus= --cpuset-cpus= --cpuset-mems=
    --device=* --device-cgroup-rule=* --device-read-bps=* --device-read-iops=*
    --device-write-bps=* --device-write-iops=* --dns=* --dns-option|--dns-opt=* --dns-search=*
    --domainname= --entrypoint= -e|--env=* --env-file=* --expose=* --gpus= --group-add=*
    --health-cmd= --health-interval= --health-retries= --health-start-interval=
    --health-start-period= --health-timeout= -h|--hostname= --init -i|--interactive --ip= --ip6=
    --ipc= --isolation= -l|--label=* --label-file=* --link=* --link-local-ip=* --log-driver=
    --log-opt=* --mac-address= -m|--memory= --memory-reservation= --memory-swap=
    --memory-swappiness= --mount=* --name= --network|--net=* --network-alias|--net-alias=*
    --no-healthcheck --oom-kill-disable --oom-score-adj= --pid= --pids-limit= --platform=
    --privileged -p|--publish=* -P|--publish-all --pull= -q|--quiet --read-only --restart= --rm
    --runtime= --security-opt=* --shm-size= --stop-signal= --stop-timeout= --storage-opt=*
    --sysctl=* --tmpfs=* -t|--tty --ulimit=* --use-api-socket -u|--user= --userns= --uts=
    -v|--volume=* --volume-driver= --volumes-from=* -w|--workdir=
"""
BUILD = """
    --add-host=* --allow=* --annotation=* --attest=* --build-arg=* --build-context=* --builder=
    --cache-from=* --cache-to=* --call= --cgroup-parent= --check -f|--file= --iidfile= --label=*
    --load --metadata-file= --network= --no-cache --no-cache-filter=* -o|--output=* --platform=*
    --progress= --provenance= --pull --push -q|--quiet --sbom= --secret=* --shm-size= --ssh=*
    -t|--tag=* --target= --ulimit=*
"""
UPDATE_RESOURCES = """
    --blkio-weight= --cpu-period= --cpu-quota= --cpu-rt-period= --cpu-rt-runtime= -c|--cpu-shares=
    --cpus= --cpuset-cpus= --cpuset-mems= -m|--memory= --memory-reservation= --memory-swap=
    --pids-limit= --restart=
"""
LIST = "-f|--filter=* --format= -q|--quiet"
CONTAINER = ("container",)

DOCKER_COMMANDS = (
    command(
        "run",
        CONTAINER_CREATE + " -d|--detach --detach-keys= --sig-proxy",
        arguments=("image",),
        interspersed=False,
    ),
    command("create", CONTAINER_CREATE, arguments=("image",), interspersed=False),
    command(
        "exec",
        "-d|--detach --detach-keys= -e|--env=* --env-file=* -i|--interactive --privileged "
        "-t|--tty -u|--user= -w|--workdir=",
        arguments=CONTAINER,
        interspersed=False,
    ),
    command("build", BUILD, arguments=("build context",)),
    command("ps", "-a|--all --no-trunc -n|--last= -l|--latest -s|--size " + LIST),
    command(
        "logs",
        "--details -f|--follow --since= -n|--tail= -t|--timestamps --until=",
        arguments=CONTAINER,
    ),
    command("images", "-a|--all --digests --no-trunc --tree " + LIST, arguments=("repository",)),
    command(
        "pull",
        "-a|--all-tags --disable-content-trust --platform= -q|--quiet",
        arguments=("image",),
    ),
    command(
        "push",
        "-a|--all-tags --disable-content-trust --platform= -q|--quiet",
        arguments=("image",),
    ),
    command("tag", arguments=("source image", "target image")),
    command("rm", "-f|--force -l|--link -v|--volumes", arguments=CONTAINER),
    command("rmi", "-f|--force --no-prune --platform=*", arguments=("image",)),
    command("stop", "-s|--signal= -t|--timeout|--time=", arguments=CONTAINER),
    command(
        "start",
        "-a|--attach --checkpoint= --checkpoint-dir= --detach-keys= -i|--interactive",
        arguments=CONTAINER,
    ),
    command("restart", "-s|--signal= -t|--timeout|--time=", arguments=CONTAINER),
    command("kill", "-s|--signal=", arguments=CONTAINER),
    command("inspect", "-f|--format= -s|--size --type="),
    command("cp", "-a|--archive -L|--follow-link -q|--quiet", arguments=("source", "destination")),
    command("port", arguments=CONTAINER),
    command("top", arguments=CONTAINER),
    command("stats", "-a|--all --format= --no-stream --no-trunc"),
    command("login", "-p|--password= --password-stdin -u|--username=", arguments=("server",)),
    command("logout", arguments=("server",)),
    command("save", "-o|--output= --platform=*"),
    command("load", "-i|--input= --platform=* -q|--quiet"),
    command("history", "--format= -H|--human --no-trunc --platform= -q|--quiet"),
    command("rename", arguments=("container", "new name")),
    command("update", UPDATE_RESOURCES, arguments=CONTAINER),
    command("wait", arguments=CONTAINER),
    command("pause", arguments=CONTAINER),
    command("unpause", arguments=CONTAINER),
    command("attach", "--detach-keys= --no-stdin --sig-proxy", arguments=CONTAINER),
    command("diff", arguments=CONTAINER),
    command("commit", "-a|--author= -c|--change=* -m|--message= -p|--pause", arguments=CONTAINER),
    command("export", "-o|--output=", arguments=CONTAINER),
    command("import", "-c|--change=* -m|--message= --platform="),
    command("events", "-f|--filter=* --format= --since= --until="),
    command("info", "-f|--format="),
    command("version", "-f|--format="),
    command("search", "-f|--filter=* --format= --limit= --no-trunc"),
)
CONTAINER_GROUP = group(
    "container",
    *links(
        "run create exec logs start stop restart kill inspect cp port top stats rename update "
        "wait pause unpause attach diff commit export"
    ),
    link("ls list ps", "ps"),
    link("rm remove", "rm"),
    command("prune", "--filter=* -f|--force"),
)
IMAGE_GROUP = group(
    "image",
    *links("build pull push tag inspect history save load import"),
    link("ls list", "images"),
    link("rm remove", "rmi"),
    command("prune", "-a|--all --filter=* -f|--force"),
)
NETWORK = ("network",)
NETWORK_GROUP = group(
    "network",
    command(
        "create",
        "--attachable --aux-address=* --config-from= --config-only -d|--driver= --gateway=* "
        "--ingress --internal --ip-range=* --ipam-driver= --ipam-opt=* --ipv4 --ipv6 --label=* "
        "-o|--opt=* --scope= --subnet=*",
        arguments=NETWORK,
    ),
    command("ls list", "--no-trunc " + LIST),
    command("rm remove", "-f|--force", arguments=NETWORK),
    command("inspect", "-f|--format= -v|--verbose", arguments=NETWORK),
    command(
        "connect",
        "--alias=* --driver-opt=* --gw-priority= --ip= --ip6= --link=* --link-local-ip=*",
        arguments=("network", "container"),
    ),
    command("disconnect", "-f|--force", arguments=("network", "container")),
    command("prune", "--filter=* -f|--force"),
)
VOLUME = ("volume",)
VOLUME_GROUP = group(
    "volume",
    command("create", "-d|--driver= --label=* -o|--opt=*", arguments=VOLUME),
    command("ls list", "--cluster " + LIST),
    command("rm remove", "-f|--force", arguments=VOLUME),
    command("inspect", "-f|--format=", arguments=VOLUME),
    command("prune", "-a|--all --filter=* -f|--force"),
)
SYSTEM_GROUP = group(
    "system",
    command("prune", "-a|--all --filter=* -f|--force --volumes"),
    command("df", "--format= -v|--verbose"),
    link("info", "info"),
    link("events", "events"),
)
CONTEXT_GROUP = group(
    "context",
    command("use", arguments=("context",)),
    command("ls list", "--format= -q|--quiet"),
    command("create", "--description= --docker=* --from=", arguments=("context",)),
    command("inspect", "-f|--format=", arguments=("context",)),
    command("rm remove", "-f|--force", arguments=("context",)),
    command("show"),
    command("update", "--description= --docker=*", arguments=("context",)),
)
SWARM_GROUP = group(
    "swarm",
    command(
        "init",
        "--advertise-addr= --autolock --availability= --cert-expiry= --data-path-addr= "
        "--data-path-port= --default-addr-pool=* --default-addr-pool-mask-length= "
        "--dispatcher-heartbeat= --external-ca=* --force-new-cluster --listen-addr= "
        "--max-snapshots= --snapshot-interval= --task-history-limit=",
    ),
    command(
        "join",
        "--advertise-addr= --availability= --data-path-addr= --listen-addr= --token=",
        arguments=("manager address",),
    ),
    command("leave", "-f|--force"),
    command("join-token", "-q|--quiet --rotate", arguments=("role",)),
    command("unlock"),
    command("unlock-key", "-q|--quiet --rotate"),
    command(
        "update",
        "--autolock --cert-expiry= --dispatcher-heartbeat= --external-ca=* --max-snapshots= "
        "--snapshot-interval= --task-history-limit=",
    ),
)
SERVICE_SETTINGS = """
    --credential-spec= -d|--detach --endpoint-mode= --entrypoint= --health-cmd=
    --health-interval= --health-retries= --health-start-interval= --health-start-period=
    --health-timeout= --hostname= --init --isolation= --limit-cpu= --limit-memory= --limit-pids=
    --log-driver= --log-opt=* --max-concurrent= --no-healthcheck --no-resolve-image
    --oom-score-adj= -q|--quiet --read-only --replicas= --replicas-max-per-node= --reserve-cpu=
    --reserve-memory= --restart-condition= --restart-delay= --restart-max-attempts=
    --restart-window= --rollback-delay= --rollback-failure-action= --rollback-max-failure-ratio=
    --rollback-monitor= --rollback-order= --rollback-parallelism= --stop-grace-period=
    --stop-signal= -t|--tty --ulimit=* --update-delay= --update-failure-action=
    --update-max-failure-ratio= --update-monitor= --update-order= --update-parallelism=
    -u|--user= --with-registry-auth -w|--workdir=
"""
SERVICE = ("service",)
SERVICE_GROUP = group(
    "service",
    command(
        "create",
        SERVICE_SETTINGS
        + "--cap-add=* --cap-drop=* --config=* --constraint=* --container-label=* --dns=* "
        "--dns-option=* --dns-search=* -e|--env=* --env-file=* --generic-resource=* --group=* "
        "--host=* -l|--label=* --mode= --mount=* --name= --network=* --placement-pref=* "
        "-p|--publish=* --secret=* --sysctl=*",
        arguments=("image",),
        interspersed=False,
    ),
    command("ls list", LIST),
    command("ps", "--no-resolve --no-trunc " + LIST, arguments=SERVICE),
    command("scale", "-d|--detach"),
    command(
        "update",
        SERVICE_SETTINGS
        + "--args= --cap-add=* --cap-drop=* --config-add=* --config-rm=* --constraint-add=* "
        "--constraint-rm=* --container-label-add=* --container-label-rm=* --dns-add=* "
        "--dns-rm=* --env-add=* --env-rm=* --force --group-add=* --group-rm=* --host-add=* "
        "--host-rm=* --image= --label-add=* --label-rm=* --mount-add=* --mount-rm=* "
        "--network-add=* --network-rm=* --publish-add=* --publish-rm=* --rollback "
        "--secret-add=* --secret-rm=*",
        arguments=SERVICE,
    ),
    command("rm remove", arguments=SERVICE),
    command(
        "logs",
        "--details -f|--follow --no-resolve --no-task-ids --no-trunc --raw --since= -n|--tail= "
        "-t|--timestamps",
        arguments=SERVICE,
    ),
    command("inspect", "-f|--format= --pretty", arguments=SERVICE),
    command("rollback", "-d|--detach -q|--quiet", arguments=SERVICE),
)
STACK = ("stack",)
STACK_GROUP = group(
    "stack",
    command(
        "deploy up",
        "-c|--compose-file=+ -d|--detach --prune -q|--quiet --resolve-image= --with-registry-auth",
        arguments=STACK,
    ),
    command("ls list", "--format="),
    command("ps", "--no-resolve --no-trunc " + LIST, arguments=STACK),
    command("rm remove down", "-d|--detach", arguments=STACK),
    command("services", LIST, arguments=STACK),
    command("config", "-c|--compose-file=+ --skip-interpolation"),
)
NODE = ("node",)
NODE_GROUP = group(
    "node",
    command("ls list", LIST),
    command("inspect", "-f|--format= --pretty", arguments=NODE),
    command("update", "--availability= --label-add=* --label-rm=* --role=", arguments=NODE),
    command("promote", arguments=NODE),
    command("demote", arguments=NODE),
    command("rm remove", "-f|--force", arguments=NODE),
    command("ps", "--no-resolve --no-trunc " + LIST, arguments=NODE),
)
SECRET_GROUP = group(
    "secret",
    command(
        "create",
        "-d|--driver= -l|--label=* --template-driver=",
        arguments=("secret", "file"),
    ),
    command("ls list", LIST),
    command("rm remove", arguments=("secret",)),
    command("inspect", "-f|--format= --pretty", arguments=("secret",)),
)
CONFIG_GROUP = group(
    "config",
    command("create", "-l|--label=* --template-driver=", arguments=("config", "file")),
    command("ls list", LIST),
    command("rm remove", arguments=("config",)),
    command("inspect", "-f|--format= --pretty", arguments=("config",)),
)
BUILDX_GROUP = group(
    "buildx",
    link("build b", "build"),
    command("ls", "--format= --no-trunc"),
    command(
        "create",
        "--append --bootstrap --buildkitd-config= --buildkitd-flags= --driver= --driver-opt=* "
        "--leave --name= --node= --platform=* --use",
    ),
    command("use", "--default --global", arguments=("builder",)),
    command("inspect", "--bootstrap", arguments=("builder",)),
    command("rm", "-f|--force --keep-state", arguments=("builder",)),
    group(
        "imagetools",
        command("inspect", "--format= --raw", arguments=("image",)),
        command("create", "--append --dry-run -f|--file=* -p|--progress= -t|--tag=*"),
    ),
    options="--builder=",
)
BUILDER_GROUP = group(
    "builder",
    link("build", "build"),
    command("prune", "-a|--all --filter=* -f|--force --keep-storage="),
)
SERVICES = ("service",)
COMPOSE = group(
    "compose",
    command(
        "up",
        "--abort-on-container-exit --abort-on-container-failure --always-recreate-deps "
        "--attach=* --attach-dependencies --build -d|--detach --exit-code-from= "
        "--force-recreate --menu --no-attach=* --no-build --no-color --no-deps --no-log-prefix "
        "--no-recreate --no-start --pull= --quiet-build --quiet-pull --remove-orphans "
        "-V|--renew-anon-volumes --scale=* -t|--timeout= --timestamps --wait --wait-timeout= "
        "-w|--watch -y|--yes",
        arguments=SERVICES,
    ),
    command("down", "--remove-orphans --rmi= -t|--timeout= -v|--volumes", arguments=SERVICES),
    command(
        "ps",
        "-a|--all --filter= --format= --no-trunc --orphans -q|--quiet --services --status=*",
        arguments=SERVICES,
    ),
    command(
        "logs",
        "-f|--follow --index= --no-color --no-log-prefix --since= -n|--tail= -t|--timestamps "
        "--until=",
        arguments=SERVICES,
    ),
    command(
        "exec",
        "-d|--detach -e|--env=* --index= -i|--interactive -T|--no-tty|--no-TTY --privileged "
        "-t|--tty -u|--user= -w|--workdir=",
        arguments=SERVICES,
        interspersed=False,
    ),
    command(
        "run",
        "--build --cap-add=* --cap-drop=* -d|--detach --entrypoint= -e|--env=* "
        "--env-from-file=* -i|--interactive -l|--label=* --name= -T|--no-tty|--no-TTY "
        "--no-deps -p|--publish=* --pull= -q|--quiet --quiet-build --quiet-pull "
        "--remove-orphans --rm -P|--service-ports -t|--tty --use-aliases -u|--user= "
        "-v|--volume=* -w|--workdir=",
        arguments=SERVICES,
        interspersed=False,
    ),
    command(
        "build",
        "--build-arg=* --builder= --check -m|--memory= --no-cache --print --provenance= --pull "
        "--push -q|--quiet --sbom= --ssh= --with-dependencies",
        arguments=SERVICES,
    ),
    command(
        "config convert",
        "--environment --format= --hash= --images --lock-image-digests --models --networks "
        "--no-consistency --no-env-resolution --no-interpolate --no-normalize "
        "--no-path-resolution -o|--output= --profiles -q|--quiet --resolve-image-digests "
        "--services --variables --volumes",
        arguments=SERVICES,
    ),
    command("ls", "-a|--all --filter=* --format= -q|--quiet"),
    command("start", arguments=SERVICES),
    command("stop", "-t|--timeout=", arguments=SERVICES),
    command("restart", "--no-deps -t|--timeout=", arguments=SERVICES),
    command(
        "pull",
        "--ignore-buildable --ignore-pull-failures --include-deps --policy= -q|--quiet",
        arguments=SERVICES,
    ),
    command("push", "--ignore-push-failures --include-deps -q|--quiet", arguments=SERVICES),
    command("rm", "-f|--force -s|--stop -v|--volumes", arguments=SERVICES),
    command("top", arguments=SERVICES),
    command("images", "--format= -q|--quiet", arguments=SERVICES),
    command("port", "--index= --protocol=", arguments=("service", "port")),
    command("kill", "--remove-orphans -s|--signal=", arguments=SERVICES),
    command("pause", arguments=SERVICES),
    command("unpause", arguments=SERVICES),
    command("events", "--json --since= --until=", arguments=SERVICES),
    command("cp", "-a|--archive -L|--follow-link --index=", arguments=("source", "destination")),
    command(
        "create",
        "--build --force-recreate --no-build --no-recreate --pull= --quiet-pull "
        "--remove-orphans --scale=* -y|--yes",
        arguments=SERVICES,
    ),
    command("version", "-f|--format= --short"),
    command("watch", "--no-up --prune --quiet", arguments=SERVICES),
    command("scale", "--no-deps"),
    command("stats", "-a|--all --format= --no-stream --no-trunc", arguments=SERVICES),
    command("wait", "--down-project", arguments=SERVICES),
    command("attach", "--detach-keys= --index= --no-stdin --sig-proxy", arguments=SERVICES),
    options="""
        --all-resources --ansi= --compatibility --dry-run --env-file=* -f|--file=+ --parallel=
        --profile=* --progress= --project-directory= -p|--project-name=
    """,
)
DOCKER = Tool(
    root=group(
        "docker",
        *DOCKER_COMMANDS,
        CONTAINER_GROUP,
        IMAGE_GROUP,
        NETWORK_GROUP,
        VOLUME_GROUP,
        SYSTEM_GROUP,
        CONTEXT_GROUP,
        SWARM_GROUP,
        SERVICE_GROUP,
        STACK_GROUP,
        NODE_GROUP,
        SECRET_GROUP,
        CONFIG_GROUP,
        BUILDX_GROUP,
        BUILDER_GROUP,
        COMPOSE,
        options=DOCKER_GLOBAL,
    ),
)

# --- kubectl ---------------------------------------------------------------------------

KUBECTL_GLOBAL = """
    --as= --as-group=* --as-uid= --cache-dir= --certificate-authority= --client-certificate=
    --client-key= --cluster= --context= --disable-compression --insecure-skip-tls-verify
    --kubeconfig= --log-flush-frequency= --match-server-version -n|--namespace= --password=
    --profile= --profile-output= --request-timeout= -s|--server= --tls-server-name= --token=
    --user= --username= -v|--v= --vmodule= --warnings-as-errors
"""
FILES = " -f|--filename=* -k|--kustomize= -R|--recursive "
PRINT = " -o|--output= --template= --allow-missing-template-keys --show-managed-fields "
DRY_RUN = " --dry-run[=unchanged] "
CHANGE = DRY_RUN + PRINT + " --field-manager= "
CREATE = CHANGE + " --save-config --validate[=strict] "
SELECT = " -l|--selector= "
NAME = ("name",)
RESOURCE = ("resource type", "resource name")


def resource_command(names: str, options: str = "", **kwargs) -> Command:
    """A kubectl command whose arguments are `TYPE NAME...` or `TYPE/NAME...`."""
    return command(names, options, arguments=RESOURCE, read_arguments=resource_arguments, **kwargs)


def pod_command(names: str, options: str = "", *, arguments: Sequence[str] = ("pod",)) -> Command:
    """A kubectl command whose first argument is a pod (or `TYPE/NAME` that picks one)."""
    return command(names, options, arguments=arguments, read_arguments=pod_arguments)


LABELLING = (
    "--all -A|--all-namespaces --field-selector= --list --local --overwrite --resource-version= "
    + CHANGE
    + FILES
    + SELECT
)
KUBECTL_CREATE = command(
    "create",
    CREATE + FILES + SELECT + " --edit --raw= --windows-line-ending",
    subcommands=(
        command("deployment deploy", CREATE + "--image=* --port= -r|--replicas=", arguments=NAME),
        group(
            "service svc",
            command("clusterip", CREATE + "--clusterip= --tcp=*", arguments=NAME),
            command("nodeport", CREATE + "--node-port= --tcp=*", arguments=NAME),
            command("loadbalancer", CREATE + "--tcp=*", arguments=NAME),
            command("externalname", CREATE + "--external-name= --tcp=*", arguments=NAME),
        ),
        command(
            "configmap cm",
            CREATE + "--append-hash --from-env-file=* --from-file=* --from-literal=*",
            arguments=NAME,
        ),
        group(
            "secret",
            command(
                "generic",
                CREATE + "--append-hash --from-env-file=* --from-file=* --from-literal=* --type=",
                arguments=NAME,
            ),
            command(
                "docker-registry",
                CREATE + "--append-hash --docker-email= --docker-password= --docker-server= "
                "--docker-username= --from-file=*",
                arguments=NAME,
            ),
            command("tls", CREATE + "--append-hash --cert= --key=", arguments=NAME),
        ),
        command("namespace ns", CREATE, arguments=NAME),
        command("job", CREATE + "--from= --image=", arguments=NAME),
        command("cronjob cj", CREATE + "--image= --restart= --schedule=", arguments=NAME),
        command("serviceaccount sa", CREATE, arguments=NAME),
        command("role", CREATE + "--resource=* --resource-name=* --verb=*", arguments=NAME),
        command(
            "clusterrole",
            CREATE + "--aggregation-rule= --non-resource-url=* --resource=* --resource-name=* "
            "--verb=*",
            arguments=NAME,
        ),
        command(
            "rolebinding",
            CREATE + "--clusterrole= --group=* --role= --serviceaccount=* --user=*",
            arguments=NAME,
        ),
        command(
            "clusterrolebinding",
            CREATE + "--clusterrole= --group=* --serviceaccount=* --user=*",
            arguments=NAME,
        ),
        command(
            "ingress ing",
            CREATE + "--annotation=* --class= --default-backend= --rule=*",
            arguments=NAME,
        ),
        command(
            "token",
            CHANGE + "--audience=* --bound-object-kind= --bound-object-name= "
            "--bound-object-uid= --duration=",
            arguments=("service account",),
        ),
        command(
            "poddisruptionbudget pdb",
            CREATE + "--max-unavailable= --min-available= --selector=",
            arguments=NAME,
        ),
        command(
            "priorityclass pc",
            CREATE + "--description= --global-default --preemption-policy= --value=",
            arguments=NAME,
        ),
        command("quota resourcequota", CREATE + "--hard= --scopes=", arguments=NAME),
    ),
)
KUBECTL = Tool(
    root=group(
        "kubectl",
        resource_command(
            "get",
            PRINT
            + FILES
            + SELECT
            + "-A|--all-namespaces --chunk-size= --field-selector= --ignore-not-found "
            "-L|--label-columns=* --no-headers --output-watch-events --raw= --server-print "
            "--show-kind --show-labels --sort-by= --subresource= -w|--watch --watch-only",
        ),
        resource_command(
            "describe",
            FILES + SELECT + "-A|--all-namespaces --chunk-size= --show-events",
        ),
        command(
            "apply",
            CHANGE
            + FILES
            + SELECT
            + "--all --cascade[=background] --force --force-conflicts --grace-period= "
            "--overwrite --prune --prune-allowlist=* --server-side --timeout= "
            "--validate[=strict] --wait",
            subcommands=(
                resource_command("edit-last-applied", CHANGE + FILES),
                resource_command("set-last-applied", CHANGE + FILES + "--create-annotation"),
                resource_command("view-last-applied", FILES + SELECT + "--all -o|--output="),
            ),
        ),
        KUBECTL_CREATE,
        resource_command(
            "delete",
            DRY_RUN
            + FILES
            + SELECT
            + "--all -A|--all-namespaces --cascade[=background] --field-selector= --force "
            "--grace-period= --ignore-not-found -i|--interactive --now -o|--output= --raw= "
            "--timeout= --wait",
        ),
        pod_command(
            "logs",
            SELECT + "--all-containers --all-pods -c|--container= -f|--follow --ignore-errors "
            "--insecure-skip-tls-verify-backend --limit-bytes= --max-log-requests= "
            "--pod-running-timeout= --prefix -p|--previous --since= --since-time= --tail= "
            "--timestamps",
            arguments=("pod", "container"),
        ),
        pod_command(
            "exec",
            "-c|--container= -f|--filename=* --pod-running-timeout= -q|--quiet -i|--stdin -t|--tty",
        ),
        resource_command(
            "expose",
            CREATE
            + FILES
            + "--cluster-ip= --external-ip= -l|--labels= --load-balancer-ip= --name= "
            "--override-type= --overrides= --port= --protocol= --selector= --session-affinity= "
            "--target-port= --type=",
        ),
        resource_command(
            "scale",
            DRY_RUN
            + PRINT
            + FILES
            + SELECT
            + "--all --current-replicas= --replicas= --resource-version= --timeout=",
        ),
        group(
            "rollout",
            resource_command("status", FILES + SELECT + "--revision= --timeout= -w|--watch"),
            resource_command("undo", DRY_RUN + PRINT + FILES + SELECT + "--to-revision="),
            resource_command("history", PRINT + FILES + SELECT + "--revision="),
            resource_command("restart", CHANGE + FILES + SELECT),
            resource_command("pause", CHANGE + FILES + SELECT),
            resource_command("resume", CHANGE + FILES + SELECT),
        ),
        group(
            "set",
            resource_command("image", CHANGE + FILES + SELECT + "--all --local"),
            resource_command(
                "env",
                CHANGE
                + FILES
                + SELECT
                + "--all -c|--containers= -e|--env=* --from= --keys=* --list --local "
                "--overwrite --prefix= --resolve",
            ),
            resource_command(
                "resources",
                CHANGE + FILES + SELECT + "--all -c|--containers= --limits= --local --requests=",
            ),
            resource_command("selector", CHANGE + FILES + "--all --local --resource-version="),
            resource_command("serviceaccount sa", CHANGE + FILES + "--all --local"),
            resource_command(
                "subject",
                CHANGE + FILES + SELECT + "--all --group=* --local --serviceaccount=* --user=*",
            ),
        ),
        pod_command(
            "port-forward",
            "--address=* --pod-running-timeout=",
            arguments=("pod", "port"),
        ),
        group(
            "config",
            command("use-context use", arguments=("context",)),
            command("get-contexts", "--no-headers -o|--output=", arguments=("context",)),
            command("current-context"),
            command(
                "set-context",
                "--cluster= --current --namespace= --user=",
                arguments=("context",),
            ),
            command("view", PRINT + "--flatten --merge --minify --raw"),
            command("get-clusters"),
            command("get-users"),
            command("delete-context", arguments=("context",)),
            command("delete-cluster", arguments=("cluster",)),
            command("delete-user", arguments=("user",)),
            command("rename-context", arguments=("context", "new name")),
            command(
                "set-cluster",
                "--certificate-authority= --embed-certs --insecure-skip-tls-verify "
                "--proxy-url= --server= --tls-server-name=",
                arguments=("cluster",),
            ),
            command(
                "set-credentials",
                "--auth-provider= --client-certificate= --client-key= --embed-certs "
                "--exec-command= --password= --token= --username=",
                arguments=("user",),
            ),
            command("set", "--set-raw-bytes"),
            command("unset"),
        ),
        resource_command("label", LABELLING),
        resource_command("annotate", LABELLING),
        pod_command(
            "debug",
            "--arguments-only --attach -c|--container= --copy-to= --custom= --env=* "
            "-f|--filename=* --image= --image-pull-policy= --keep-annotations "
            "--keep-init-containers --keep-labels --keep-liveness --keep-readiness "
            "--keep-startup --profile= -q|--quiet --replace --same-node --set-image=* "
            "--share-processes -i|--stdin --target= -t|--tty",
        ),
        group(
            "top",
            command(
                "pod pods po",
                SELECT + "-A|--all-namespaces --containers --field-selector= --no-headers "
                "--sort-by= --sum --use-protocol-buffers",
                arguments=("pod",),
            ),
            command(
                "node nodes no",
                SELECT + "--no-headers --show-capacity --sort-by= --use-protocol-buffers",
                arguments=("node",),
            ),
        ),
        command(
            "run",
            CREATE + "--annotations=* --attach --command --env=* --expose --image= "
            "--image-pull-policy= -l|--labels= --leave-stdin-open --override-type= "
            "--overrides= --pod-running-timeout= --port= --privileged -q|--quiet --restart= "
            "--rm -i|--stdin -t|--tty --timeout=",
            arguments=NAME,
        ),
        command("cordon", DRY_RUN + SELECT, arguments=("node",)),
        command("uncordon", DRY_RUN + SELECT, arguments=("node",)),
        command(
            "drain",
            DRY_RUN + SELECT + "--chunk-size= --delete-emptydir-data --disable-eviction --force "
            "--grace-period= --ignore-daemonsets --pod-selector= --skip-wait-for-delete-timeout= "
            "--timeout=",
            arguments=("node",),
        ),
        resource_command("taint", CHANGE + SELECT + "--all --overwrite --validate[=strict]"),
        resource_command(
            "edit",
            PRINT + FILES + "--field-manager= --output-patch --save-config --subresource= "
            "--validate[=strict] --windows-line-ending",
        ),
        resource_command(
            "patch",
            CHANGE + FILES + "--local -p|--patch= --patch-file= --subresource= --type=",
        ),
        command(
            "replace",
            CHANGE + FILES + "--cascade[=background] --force --grace-period= --raw= "
            "--save-config --subresource= --timeout= --validate[=strict] --wait",
        ),
        command(
            "diff",
            FILES + SELECT + "--concurrency= --field-manager= --force-conflicts --prune "
            "--prune-allowlist=* --server-side --show-managed-fields",
        ),
        resource_command(
            "autoscale",
            CREATE + FILES + "--cpu= --cpu-percent= --max= --memory= --min= --name=",
        ),
        resource_command(
            "wait",
            PRINT + FILES + SELECT + "--all -A|--all-namespaces --field-selector= --for=* "
            "--local --timeout=",
        ),
        command("explain", "--api-version= -o|--output= --recursive", arguments=("resource",)),
        command(
            "api-resources",
            "--api-group= --cached --categories=* --namespaced --no-headers -o|--output= "
            "--sort-by= --verbs=*",
        ),
        command("api-versions"),
        command(
            "cluster-info",
            subcommands=(
                command(
                    "dump",
                    PRINT + "-A|--all-namespaces --namespaces=* --output-directory=",
                ),
            ),
        ),
        command("version", "--client -o|--output="),
        command(
            "events",
            PRINT + "-A|--all-namespaces --chunk-size= --for= --no-headers --types=* -w|--watch",
        ),
        group(
            "auth",
            command(
                "can-i",
                "-A|--all-namespaces --list --no-headers -q|--quiet --subresource=",
                arguments=("verb", "resource"),
            ),
            command("whoami", "-o|--output="),
        ),
        pod_command(
            "attach", "-c|--container= --pod-running-timeout= -q|--quiet -i|--stdin -t|--tty"
        ),
        command(
            "cp",
            "-c|--container= --no-preserve --retries=",
            arguments=("source", "destination"),
        ),
        command("kustomize", arguments=("directory",)),
        command(
            "proxy",
            "--accept-hosts= --accept-paths= --address= --api-prefix= --disable-filter "
            "-p|--port= --reject-methods= --reject-paths= -u|--unix-socket= -w|--www= "
            "-P|--www-prefix=",
        ),
        group(
            "certificate",
            command("approve", FILES + PRINT + "--force"),
            command("deny", FILES + PRINT + "--force"),
        ),
        options=KUBECTL_GLOBAL,
    ),
    options_anywhere=True,
)

# --- helm ------------------------------------------------------------------------------

HELM_GLOBAL = """
    --burst-limit= --color|--colour= --content-cache= --debug --kube-apiserver= --kube-as-group=*
    --kube-as-user= --kube-ca-file= --kube-context= --kube-insecure-skip-tls-verify
    --kube-tls-server-name= --kube-token= --kubeconfig= -n|--namespace= --qps=
    --registry-config= --repository-cache= --repository-config=
"""
CHART_SOURCE = """
    --ca-file= --cert-file= --devel --insecure-skip-tls-verify --key-file= --keyring=
    --pass-credentials --password= --plain-http --repo= --username= --verify --version=
"""
VALUES = " --set=* --set-file=* --set-json=* --set-literal=* --set-string=* -f|--values=+ "
RENDER = (
    CHART_SOURCE
    + VALUES
    + """
    --create-namespace --dependency-update --description= --disable-openapi-validation
    --dry-run[=client] --enable-dns --force --hide-notes --hide-secret -l|--labels= --no-hooks
    -o|--output= --post-renderer= --post-renderer-args=* --render-subchart-notes --skip-crds
    --skip-schema-validation --take-ownership --timeout= --wait --wait-for-jobs
"""
)
INSTALL = RENDER + " --atomic --rollback-on-failure "
RELEASE = ("release name",)
RELEASE_AND_CHART = ("release name", "chart")
CHART = ("chart",)
HELM = Tool(
    root=group(
        "helm",
        command(
            "install",
            INSTALL + "-g|--generate-name --name-template= --replace",
            arguments=RELEASE_AND_CHART,
        ),
        command(
            "upgrade",
            INSTALL + "--cleanup-on-fail --history-max= -i|--install --reset-then-reuse-values "
            "--reset-values --reuse-values",
            arguments=RELEASE_AND_CHART,
        ),
        command(
            "uninstall un delete del",
            "--cascade= --description= --dry-run --ignore-not-found --keep-history --no-hooks "
            "--timeout= --wait",
            arguments=RELEASE,
        ),
        command(
            "list ls",
            "-a|--all -A|--all-namespaces -d|--date --deployed --failed -f|--filter= -m|--max= "
            "--no-headers --offset= -o|--output= --pending -r|--reverse -l|--selector= "
            "-q|--short --superseded --time-format= --uninstalled --uninstalling",
        ),
        group(
            "repo",
            command(
                "add",
                "--allow-deprecated-repos --ca-file= --cert-file= --force-update "
                "--insecure-skip-tls-verify --key-file= --no-update --pass-credentials "
                "--password= --password-stdin --timeout= --username=",
                arguments=("repository name", "repository URL"),
            ),
            command(
                "update up",
                "--fail-on-repo-update-fail --timeout=",
                arguments=("repository name",),
            ),
            command("list ls", "-o|--output="),
            command("remove rm", arguments=("repository name",)),
            command("index", "--json --merge= --url=", arguments=("directory",)),
        ),
        command(
            "rollback",
            "--cleanup-on-fail --dry-run --force --history-max= --no-hooks --recreate-pods "
            "--timeout= --wait --wait-for-jobs",
            arguments=("release name", "revision"),
        ),
        command(
            "status",
            "-o|--output= --revision= --show-desc --show-resources",
            arguments=RELEASE,
        ),
        command(
            "template",
            RENDER + "-a|--api-versions=* -g|--generate-name --include-crds --is-upgrade "
            "--kube-version= --name-template= --output-dir= --release-name --replace "
            "-s|--show-only=* --skip-tests --validate",
            arguments=RELEASE_AND_CHART,
        ),
        group(
            "show inspect",
            command("all", CHART_SOURCE, arguments=CHART),
            command("chart", CHART_SOURCE, arguments=CHART),
            command("crds", CHART_SOURCE, arguments=CHART),
            command("readme", CHART_SOURCE, arguments=CHART),
            command("values", CHART_SOURCE + "--jsonpath=", arguments=CHART),
        ),
        command("history hist", "--max= -o|--output=", arguments=RELEASE),
        group(
            "get",
            command("all", "--revision= --template=", arguments=RELEASE),
            command("hooks", "--revision=", arguments=RELEASE),
            command("manifest", "--revision=", arguments=RELEASE),
            command("metadata", "-o|--output= --revision=", arguments=RELEASE),
            command("notes", "--revision=", arguments=RELEASE),
            command("values", "-a|--all -o|--output= --revision=", arguments=RELEASE),
        ),
        group(
            "search",
            command(
                "repo",
                "--devel --fail-on-no-result --max-col-width= -o|--output= -r|--regexp "
                "--version= -l|--versions",
                arguments=("keyword",),
            ),
            command(
                "hub",
                "--endpoint= --fail-on-no-result --list-repo-url --max-col-width= -o|--output=",
                arguments=("keyword",),
            ),
        ),
        command("create", "-p|--starter=", arguments=("chart name",)),
        command(
            "lint", VALUES + "--kube-version= --quiet --strict --with-subcharts", arguments=CHART
        ),
        command(
            "package",
            "--app-version= -u|--dependency-update -d|--destination= --key= --keyring= --sign "
            "--version=",
            arguments=CHART,
        ),
        command(
            "pull fetch",
            CHART_SOURCE + "-d|--destination= --prov --untar --untardir=",
            arguments=CHART,
        ),
        group(
            "dependency dep dependencies",
            command("build", "--keyring= --skip-refresh --verify", arguments=CHART),
            command("list ls", "--max-col-width=", arguments=CHART),
            command("update up", "--keyring= --skip-refresh --verify", arguments=CHART),
        ),
        command("test", "--filter=* --logs --timeout=", arguments=RELEASE),
        command("version", "--short --template="),
        command("env"),
        options=HELM_GLOBAL,
    ),
    options_anywhere=True,
)

# The programs the table knows, and where each starts (`docker-compose` is `docker compose`).
PROGRAMS: dict[str, tuple[Tool, tuple[str, ...]]] = {
    "docker": (DOCKER, ()),
    "docker-compose": (DOCKER, ("compose",)),
    "kubectl": (KUBECTL, ()),
    "helm": (HELM, ()),
}


def find_option(command_path: Sequence[str], name: str) -> Option | None:
    """The option of that canonical name that applies to a command, searched from the
    command up to its program (so `docker compose up` finds `--file` of `docker compose`)."""
    program = PROGRAMS.get(command_path[0]) if command_path else None
    if program is None:
        return None
    nodes = program[0].find(command_path[1:])
    for node in reversed(nodes):
        for option in node.options:
            if option.name == name:
                return option
    return None


def find_command(command_path: Sequence[str]) -> Command | None:
    """The command at a canonical path (`("docker", "compose", "up")`), if the table has it."""
    program = PROGRAMS.get(command_path[0]) if command_path else None
    if program is None:
        return None
    nodes = program[0].find(command_path[1:])
    return nodes[-1] if len(nodes) == len(command_path) else None


def walk(node: Command, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Command]]:
    """Every node below `node` with its path (links included, not followed)."""
    path = (*path, node.name)
    yield path, node
    for child in node.subcommands:
        yield from walk(child, path)
