"""The deployment files under deploy/, checked offline: the Kubernetes manifests against the
Kubernetes schemas that kubernetes-validate bundles (no download: sockets are refused meanwhile),
the compose file parsed with PyYAML (Docker's own `docker compose config` is not installed here),
every RECALL_* variable they set known to recall.config.Settings and accepted by it, every
`recall` command they run known to the CLI, and the names they give each other (images, ports,
selectors, hosts, namespaces) pointing at something that exists."""

import os
import re
import shlex
import socket
import subprocess
import sys
import tomllib
import typing
from pathlib import Path

import kubernetes_validate
import pytest
import typer
import yaml
from pydantic import BaseModel
from sqlalchemy.engine import make_url
from typer.main import get_command

from recall.cli import app
from recall.config import Settings

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"
K8S = DEPLOY / "kubernetes"
COMPOSE_DIR = DEPLOY / "compose"
IMAGE = "recall-tracker:latest"
# The oldest Kubernetes most platforms still run, and the newest whose schemas are bundled.
K8S_VERSIONS = ["1.30", kubernetes_validate.latest_version()]
# Variables the image's processes read that are not the application's settings.
NOT_SETTINGS = {"FORWARDED_ALLOW_IPS"}  # uvicorn's: whose X-Forwarded-* headers it believes
TEMPORAL_PORT = 7233


def setting_names(model: type[BaseModel] = Settings, prefix: str = "RECALL_") -> set[str]:
    """Every variable the settings read: a field's name, and a nested group's fields after `__`."""
    names = set()
    for name, field in model.model_fields.items():
        variable = prefix + name.upper()
        names.add(variable)
        for kind in (field.annotation, *typing.get_args(field.annotation)):
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                names |= setting_names(kind, variable + "__")
    return names


def settings_from(env: dict[str, str], where: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The settings a process would get from exactly these variables; an unknown name fails."""
    unknown = sorted(set(env) - setting_names() - NOT_SETTINGS)
    assert not unknown, f"{where} sets variables recall.config.Settings does not know: {unknown}"
    for variable in list(os.environ):
        if variable.upper().startswith("RECALL_"):
            monkeypatch.delenv(variable)
    for variable, value in env.items():
        monkeypatch.setenv(variable, value)
    return Settings()


def recall_command(args: list[str]) -> str:
    """The `recall` subcommand these arguments name, their options parsed as the CLI parses
    them: an unknown command or option fails."""
    command, path = get_command(app), []
    while hasattr(command, "commands"):
        assert args, f"`recall {' '.join(path)}` needs a subcommand"
        name, *args = args
        assert name in command.commands, f"`recall {' '.join([*path, name])}` is no command"
        path.append(name)
        command = command.commands[name]
    command.make_context(" ".join(["recall", *path]), list(args))
    return " ".join(path)


def interpolated(value: str) -> str:
    """A compose value with each ${VARIABLE...} replaced by a stand-in."""
    return re.sub(r"\$\{[^}]*\}", "x", value)


def test_an_unknown_setting_or_command_is_caught(monkeypatch):
    with pytest.raises(AssertionError, match="RECALL_TEMPORAL__ADRESS"):
        settings_from({"RECALL_TEMPORAL__ADRESS": "temporal:7233"}, "a test", monkeypatch)
    assert "RECALL_TEMPORAL__TASK_QUEUE" in setting_names()
    assert settings_from({"RECALL_LOG_LEVEL": "DEBUG"}, "a test", monkeypatch).log_level == "DEBUG"
    with pytest.raises(AssertionError, match="is no command"):
        recall_command(["db", "upgrde"])
    with pytest.raises(typer.TyperException):
        recall_command(["api", "--hots", "0.0.0.0"])


# -- the image ------------------------------------------------------------------------------


def dockerfile() -> list[tuple[str, str]]:
    text = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [tuple(line.split(None, 1)) for line in lines if line and not line.startswith("#")]


def test_the_image_is_built_from_the_wheel_sources_and_runs_recall_unprivileged():
    instructions = dockerfile()
    arguments = {word: [a for w, a in instructions if w == word] for word, _ in instructions}
    assert arguments["FROM"] == ["python:3.11-slim"]
    assert any(re.search(r"\bpip install \.(\s|$)", run) for run in arguments["RUN"])
    (user,) = arguments["USER"]
    assert user.split(":")[0] not in ("root", "0")
    assert yaml.safe_load(arguments["ENTRYPOINT"][0]) == ["recall"]
    assert recall_command(yaml.safe_load(arguments["CMD"][0])) == "api"

    # Everything the wheel is built from is copied in.
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    setuptools = project["tool"]["setuptools"]
    needed = {"pyproject.toml", project["project"]["readme"]}
    needed |= {package.split(".")[0] for package in setuptools["packages"]}
    # Packages shipped from other folders (the migrations) are copied from those.
    needed -= set(setuptools["package-dir"])
    needed |= {folder.split("/")[0] for folder in setuptools["package-dir"].values()}
    copied = {source for copy in arguments["COPY"] for source in copy.split()[:-1]}
    assert needed <= copied, f"the Dockerfile does not copy {sorted(needed - copied)}"


# -- compose --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((COMPOSE_DIR / "compose.yaml").read_text())


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {name: interpolated(str(value)) for name, value in env.items()}


def test_compose_runs_the_image_as_migration_workers_and_apis(compose, monkeypatch):
    services = compose["services"]
    ours = {name: s for name, s in services.items() if s.get("image") == IMAGE}
    commands = {name: recall_command(s["command"]) for name, s in ours.items()}
    assert commands == {"migrate": "db upgrade", "worker": "worker", "api": "api"}
    assert services["worker"]["deploy"]["replicas"] == 2
    assert services["api"]["deploy"]["replicas"] == 2
    for name, service in ours.items():
        settings_from(environment(service), f"compose service {name}", monkeypatch)
    for later in ("worker", "api"):
        assert services[later]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
        # Docker's SIGKILL comes after what is in flight has had its grace.
        grace = settings_from(environment(services[later]), later, monkeypatch)
        stop_after = int(services[later]["stop_grace_period"].removesuffix("s"))
        assert stop_after > grace.shutdown_grace_seconds
    # No other container sets a RECALL_* variable the application would not know either.
    for name, service in services.items():
        recall_vars = {k: v for k, v in environment(service).items() if k.startswith("RECALL_")}
        settings_from(recall_vars, f"compose service {name}", monkeypatch)


def test_compose_names_point_at_its_services_and_files(compose, monkeypatch):
    services = compose["services"]
    settings = settings_from(environment(services["api"]), "compose api", monkeypatch)

    host, port = settings.temporal_target.rsplit(":", 1)
    assert host in services and int(port) == TEMPORAL_PORT
    namespace_job = environment(services["temporal-namespace"])
    assert namespace_job["NAMESPACE"] == settings.namespace
    assert services["temporal-admin-tools"]["environment"]["TEMPORAL_NAMESPACE"] == (
        settings.namespace
    )

    database = make_url(settings.database_url)
    assert database.host in services and services[database.host]["image"].startswith("postgres:")
    roles = (COMPOSE_DIR / "postgres" / "create-roles.sh").read_text()
    assert f"CREATE DATABASE {database.database} OWNER {database.username};" in roles

    # The schema tool is the server's version.
    server_tag = services["temporal"]["image"].split(":")[1]
    for name in ("temporal-schema", "temporal-namespace", "temporal-admin-tools"):
        assert services[name]["image"] == f"temporalio/admin-tools:{server_tag}"

    for name, service in services.items():
        for needed in service.get("depends_on", {}):
            assert needed in services, f"{name} depends on {needed}, which is not a service"
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (COMPOSE_DIR / source).is_file(), f"{name} mounts {source}: not there"

    api_port = services["api"]["command"][services["api"]["command"].index("--port") + 1]
    assert re.search(rf"http://api:{api_port}\b", (COMPOSE_DIR / "nginx.conf").read_text())


# -- Kubernetes -----------------------------------------------------------------------------


def kubernetes_objects() -> list[dict]:
    """Every object of deploy/kubernetes (the chart's values are not one)."""
    objects = []
    for path in sorted(K8S.glob("*.yaml")):
        if path.name not in ("kustomization.yaml", "temporal-values.yaml"):
            objects += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return objects


def find(objects: list[dict], kind: str, name: str | None = None) -> list[dict]:
    found = [o for o in objects if o["kind"] == kind]
    return [o for o in found if name is None or o["metadata"]["name"] == name]


def test_kustomization_lists_every_manifest_but_the_secret():
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    manifests = {p.name for p in K8S.glob("*.yaml")} - {
        "kustomization.yaml",
        "temporal-values.yaml",
    }
    # A release applies the kustomization: it must not put the placeholder Secret back.
    assert set(kustomization["resources"]) == manifests - {"secret.yaml"}
    assert [i["name"] for i in kustomization["images"]] == [IMAGE.split(":")[0]]
    for name in kustomization["resources"]:
        for obj in yaml.safe_load_all((K8S / name).read_text()):
            assert obj["kind"] != "Secret", f"{name} has a Secret"


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the validator tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_manifests_are_valid_kubernetes_objects(version, no_network):
    kinds = set()
    for obj in kubernetes_objects():
        where = f"{obj['kind']} {obj['metadata']['name']}"
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError as err:
            path = ".".join(str(part) for part in err.path)
            pytest.fail(f"{where} is not valid for Kubernetes {version}: {path}: {err.message}")
        kinds.add(obj["kind"])
    expected = {"Namespace", "ConfigMap", "Secret", "Job", "Deployment", "Service"}
    expected |= {"PodDisruptionBudget", "HorizontalPodAutoscaler", "Ingress"}
    assert kinds == expected


def pod_spec(workload: dict) -> dict:
    return workload["spec"]["template"]["spec"]


def test_workloads_run_the_image_with_the_settings_and_their_commands(monkeypatch):
    objects = kubernetes_objects()
    settings = settings_from(kubernetes_settings_env(), "the ConfigMap and Secret", monkeypatch)
    (namespace,) = find(objects, "Namespace")
    for obj in objects:
        if obj["kind"] != "Namespace":
            assert obj["metadata"]["namespace"] == namespace["metadata"]["name"]

    commands = {}
    for workload in find(objects, "Deployment") + find(objects, "Job"):
        name = workload["metadata"]["name"]
        spec = pod_spec(workload)
        assert spec["securityContext"]["runAsNonRoot"] is True
        for container in spec["containers"]:
            assert container["image"] == IMAGE
            assert container["securityContext"]["readOnlyRootFilesystem"] is True
            assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]
            commands[name] = recall_command(container["args"])
            for source in container["envFrom"]:
                (kind,) = source
                ref = {"configMapRef": "ConfigMap", "secretRef": "Secret"}[kind]
                assert find(objects, ref, source[kind]["name"]), f"{name}: no {ref} {source}"
        if workload["kind"] == "Deployment":
            selector = workload["spec"]["selector"]["matchLabels"]
            assert selector.items() <= workload["spec"]["template"]["metadata"]["labels"].items()
            # The kubelet's SIGKILL comes after preStop and the process's own grace.
            (container,) = spec["containers"]
            pre_stop = container.get("lifecycle", {}).get("preStop", {}).get("exec", {})
            sleeps = float(pre_stop["command"][1]) if pre_stop else 0
            busy = sleeps + settings.shutdown_grace_seconds
            assert spec["terminationGracePeriodSeconds"] > busy, name
    assert commands == {
        "recall-db-upgrade": "db upgrade",
        "recall-worker": "worker",
        "recall-api": "api",
    }


def test_the_api_is_probed_served_kept_and_scaled():
    objects = kubernetes_objects()
    (api,) = find(objects, "Deployment", "recall-api")
    pod_labels = api["spec"]["template"]["metadata"]["labels"]
    (container,) = pod_spec(api)["containers"]
    port = int(container["args"][container["args"].index("--port") + 1])
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"http": port}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert "replicas" not in api["spec"], "the autoscaler owns the API's replicas"

    (service,) = find(objects, "Service", "recall-api")
    assert service["spec"]["selector"].items() <= pod_labels.items()
    assert {p["targetPort"] for p in service["spec"]["ports"]} <= set(ports)
    (pdb,) = find(objects, "PodDisruptionBudget", "recall-api")
    assert pdb["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    (hpa,) = find(objects, "HorizontalPodAutoscaler")
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "recall-api",
    }
    assert 2 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
    assert container["resources"]["requests"]["cpu"], "a CPU target needs a CPU request"
    for ingress in find(objects, "Ingress"):
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                (target,) = find(objects, "Service", backend["name"])
                assert backend["port"]["name"] in {p["name"] for p in target["spec"]["ports"]}

    (worker,) = find(objects, "Deployment", "recall-worker")
    (worker_pdb,) = find(objects, "PodDisruptionBudget", "recall-worker")
    worker_labels = worker["spec"]["template"]["metadata"]["labels"]
    assert worker_pdb["spec"]["selector"]["matchLabels"].items() <= worker_labels.items()
    assert worker["spec"]["replicas"] >= 2


def kubernetes_settings_env() -> dict[str, str]:
    objects = kubernetes_objects()
    (config,) = find(objects, "ConfigMap", "recall-config")
    (secret,) = find(objects, "Secret", "recall-secrets")
    assert not set(config["data"]) & set(secret["stringData"])
    return {**config["data"], **secret["stringData"]}


def test_configmap_and_secret_set_known_settings(monkeypatch):
    settings = settings_from(kubernetes_settings_env(), "the ConfigMap and Secret", monkeypatch)
    assert settings.database_url.startswith("postgresql+asyncpg://")


def test_the_worker_readiness_probe_tells_a_reachable_temporal_from_an_unreachable_one():
    (worker,) = find(kubernetes_objects(), "Deployment", "recall-worker")
    (container,) = pod_spec(worker)["containers"]
    assert "livenessProbe" not in container
    command = container["readinessProbe"]["exec"]["command"]
    assert command[:2] == ["python", "-c"]
    assert "RECALL_TEMPORAL_ADDRESS" in kubernetes_settings_env()

    def probe(address: str) -> int:
        env = {"RECALL_TEMPORAL_ADDRESS": address}
        run = [sys.executable, *command[1:]]
        return subprocess.run(run, env=env, capture_output=True, timeout=10).returncode

    with socket.create_server(("127.0.0.1", 0)) as listening:
        assert probe(f"127.0.0.1:{listening.getsockname()[1]}") == 0
        with socket.create_server(("127.0.0.1", 0)) as closed:
            free = closed.getsockname()[1]
    assert probe(f"127.0.0.1:{free}") != 0


def test_temporal_chart_values_keep_both_stores_on_postgresql(compose, monkeypatch):
    values = yaml.safe_load((K8S / "temporal-values.yaml").read_text())
    # Chart 1.x refuses these top-level keys; none of them is wanted here anyway.
    removed = {"cassandra", "elasticsearch", "mysql", "postgresql", "prometheus", "grafana"}
    assert not removed & set(values)
    persistence = values["server"]["config"]["persistence"]
    stores = persistence["datastores"]
    assert set(stores) == {persistence["defaultStore"], persistence["visibilityStore"]}
    for store in stores.values():
        assert list(store) == ["sql"]
        assert store["sql"]["pluginName"] in ("postgres12", "postgres12_pgx")

    settings = settings_from(kubernetes_settings_env(), "the ConfigMap and Secret", monkeypatch)
    namespaces = values["server"]["config"]["namespaces"]
    assert namespaces["create"] is True
    (namespace,) = [n for n in namespaces["namespace"] if n["name"] == settings.namespace]
    # The same retention as on compose.
    assert (
        namespace["retention"]
        == environment(compose["services"]["temporal-namespace"])["RETENTION"]
    )
    host, port = settings.temporal_target.rsplit(":", 1)
    assert host.startswith(f"{values['fullnameOverride']}-frontend.")
    assert int(port) == TEMPORAL_PORT

    compose_limits = yaml.safe_load((COMPOSE_DIR / "temporal" / "dynamicconfig.yaml").read_text())
    assert values["server"]["dynamicConfig"] == compose_limits


# -- the single-host files ------------------------------------------------------------------


def test_systemd_units_and_env_file_name_real_commands_and_settings(monkeypatch):
    for unit in (DEPLOY / "systemd").glob("*.service"):
        (start,) = re.findall(r"^ExecStart=(.*)$", unit.read_text(), re.MULTILINE)
        program, *args = shlex.split(start)
        assert program.endswith("/recall")
        recall_command(args)
    lines = (DEPLOY / "recall.env.example").read_text().splitlines()
    env = dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))
    settings_from(env, "recall.env.example", monkeypatch)


def test_proxy_examples_allow_the_upload_limit():
    default_upload_mb = Settings.model_fields["max_upload_mb"].default
    for conf in (DEPLOY / "nginx.conf.example", COMPOSE_DIR / "nginx.conf"):
        body_mb = int(re.search(r"client_max_body_size (\d+)m;", conf.read_text()).group(1))
        assert body_mb >= default_upload_mb, conf
