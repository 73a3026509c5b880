#!/usr/bin/python3
"""Checks that the deployment files agree with the server they deploy.

The Dockerfile, deploy/compose.yaml, deploy/k8s/*.yaml, the Prometheus
configuration and the Grafana provisioning must parse, and their ports, probe
commands, environment variable names and timeouts must match the flags that
`tserve-server --helpfull` and `tserve-client --helpfull` list.

  check_deploy_config.py --source_dir=DIR --server=BIN --client=BIN
"""

import argparse
import glob
import json
import os
import re
import shlex
import subprocess
import sys
import unittest

import yaml

ARGS = None


# --- what the binaries accept -------------------------------------------------

def flag_defaults(binary, source_file=None):
    """{flag name: default text} from `binary --helpfull`, optionally only
    the flags defined in `source_file`."""
    output = subprocess.run([binary, "--helpfull"], capture_output=True, text=True,
                            check=False).stdout
    flags = {}
    section = None
    entry = None
    for line in output.splitlines():
        header = re.match(r"^  Flags from (.+):$", line)
        if header:
            section = header.group(1)
            continue
        start = re.match(r"^    --(\w+) ", line)
        if start:
            entry = start.group(1)
            flags.setdefault(entry, ["", section])
        if entry is not None and line.startswith("    "):
            flags[entry][0] += " " + line.strip()
    result = {}
    for name, (text, section) in flags.items():
        if source_file is not None and section != source_file:
            continue
        default = re.search(r"default: (.*?);$", text)
        result[name] = default.group(1).strip('"') if default else ""
    return result


def server_flags():
    return flag_defaults(ARGS.server, "server/flags.cc")


def client_flags():
    return flag_defaults(ARGS.client)


def env_name(flag):
    return "TSERVE_" + flag.upper()


def flag_of_env(name):
    return name[len("TSERVE_"):].lower()


# --- the Dockerfile -------------------------------------------------------------

class Dockerfile:
    """The stages of a Dockerfile: each a list of (INSTRUCTION, arguments)."""

    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            lines = [line for line in f.read().splitlines() if not re.match(r"^\s*#", line)]
        text = re.sub(r"\\\n", " ", "\n".join(lines))
        self.stages = []
        for line in text.splitlines():
            if not line.strip():
                continue
            keyword, _, rest = line.strip().partition(" ")
            keyword = keyword.upper()
            if keyword == "FROM":
                self.stages.append([])
            self.stages[-1].append((keyword, rest.strip()))

    def runtime(self):
        return self.stages[-1]

    def all(self, keyword, stage=None):
        instructions = stage if stage is not None else self.runtime()
        return [rest for kw, rest in instructions if kw == keyword]

    def env(self):
        env = {}
        for rest in self.all("ENV"):
            for word in shlex.split(rest):
                name, _, value = word.partition("=")
                env[name] = value
        return env


# --- helpers --------------------------------------------------------------------

def load_yaml_documents(path):
    with open(path, encoding="utf-8") as f:
        return [doc for doc in yaml.safe_load_all(f) if doc is not None]


def effective_ports(env, defaults):
    return (int(env.get("TSERVE_GRPC_PORT", defaults["grpc_port"])),
            int(env.get("TSERVE_METRICS_PORT", defaults["metrics_port"])))


def path(*parts):
    return os.path.join(ARGS.source_dir, *parts)


class DeployConfigTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = server_flags()
        cls.client = client_flags()
        cls.dockerfile = Dockerfile(path("Dockerfile"))
        cls.image_env = cls.dockerfile.env()
        cls.image_user = cls.dockerfile.all("USER")[-1]

    def assert_server_env(self, names, where):
        for name in names:
            if name.startswith("TSERVE_"):
                self.assertIn(flag_of_env(name), self.server,
                              f"{where}: {name} is no server flag's variable")


class HelpTest(DeployConfigTest):
    # The binaries' own help is what everything else is compared with.
    def test_help_lists_the_flags(self):
        for flag in ("listen_address", "grpc_port", "metrics_port", "model", "threads",
                     "drain_timeout_s"):
            self.assertIn(flag, self.server)
        for flag in ("address", "timeout_s", "service"):
            self.assertIn(flag, self.client)


class DockerfileTest(DeployConfigTest):
    def test_two_debian_12_stages(self):
        self.assertEqual(len(self.dockerfile.stages), 2)
        for stage in self.dockerfile.stages:
            image = stage[0][1].split()[0]
            self.assertRegex(image, r"^debian:(12|bookworm)(-slim)?$")

    def test_build_stage_runs_the_readme_scripts(self):
        # The quick start's scripts, limited to what serving needs.
        runs = " ".join(self.dockerfile.all("RUN", self.dockerfile.stages[0]))
        self.assertIn("./scripts/install-deps.sh --build-only", runs)
        self.assertIn("./scripts/build.sh --serving release", runs)
        for script in ("install-deps.sh", "build.sh"):
            self.assertTrue(os.path.exists(path("scripts", script)))

    def test_build_context_holds_what_the_build_copies(self):
        # .dockerignore excludes everything but a list; each COPY source of
        # the build context must be on it.
        with open(path(".dockerignore"), encoding="utf-8") as f:
            patterns = [line.strip() for line in f
                        if line.strip() and not line.startswith("#")]
        included = [p[1:].rstrip("/") for p in patterns if p.startswith("!")]
        self.assertEqual(patterns[0], "*")
        for stage in self.dockerfile.stages:
            for rest in self.dockerfile.all("COPY", stage):
                words = shlex.split(rest)
                if any(w.startswith("--from=") for w in words):
                    continue
                for source in words[:-1]:
                    if source == ".":
                        continue
                    source = source.rstrip("/")
                    self.assertTrue(os.path.exists(path(source)), source)
                    self.assertTrue(any(source == p or source.startswith(p + "/")
                                        for p in included),
                                    f"COPY {source}: excluded by .dockerignore")

    def test_environment_names_are_server_flags(self):
        self.assert_server_env(self.image_env, "Dockerfile ENV")
        self.assertEqual(self.image_env["TSERVE_LISTEN_ADDRESS"], "0.0.0.0")

    def test_exposes_the_configured_ports(self):
        exposed = {int(p.split("/")[0]) for rest in self.dockerfile.all("EXPOSE")
                   for p in rest.split()}
        self.assertEqual(exposed, set(effective_ports(self.image_env, self.server)))

    def test_runs_as_a_numeric_non_root_user(self):
        uid = self.image_user.split(":")[0]
        self.assertTrue(uid.isdigit(), "USER must be numeric for runAsNonRoot")
        self.assertNotEqual(int(uid), 0)

    def test_healthcheck_calls_the_grpc_health_service(self):
        (healthcheck,) = self.dockerfile.all("HEALTHCHECK")
        command = shlex.split(healthcheck.partition("CMD ")[2])
        self.assertEqual(command[:2], ["tserve-client", "health"])
        options = dict(arg[2:].split("=", 1) for arg in command[2:]
                       if arg.startswith("--") and "=" in arg)
        for name in options:
            self.assertIn(name, self.client, f"HEALTHCHECK: tserve-client has no --{name}")
        # The address follows the gRPC port, by variable or by value.
        grpc_port = str(effective_ports(self.image_env, self.server)[0])
        self.assertRegex(options["address"],
                         r"^127\.0\.0\.1:(\$\{TSERVE_GRPC_PORT\}|" + grpc_port + ")$")

    def test_entrypoint_is_the_server_and_the_model_is_baked_in(self):
        self.assertEqual(json.loads(self.dockerfile.all("ENTRYPOINT")[-1]), ["tserve-server"])
        copied = [shlex.split(rest)[-1] for rest in self.dockerfile.all("COPY")]
        for model in self.image_env["TSERVE_MODEL"].split(","):
            model_dir = model.split("=", 1)[-1]
            self.assertTrue(any(model_dir.rstrip("/") == dest.rstrip("/") for dest in copied),
                            f"TSERVE_MODEL {model_dir} is not a COPY destination")


class ComposeTest(DeployConfigTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        (cls.compose,) = load_yaml_documents(path("deploy", "compose.yaml"))
        cls.services = cls.compose["services"]

    def tserve_env(self):
        env = dict(self.image_env)
        env.update({k: str(v) for k, v in (self.services["tserve"].get("environment") or {}).items()})
        return env

    def mounts(self, service):
        """{container path: host path relative to deploy/} of bind mounts."""
        result = {}
        for volume in self.services[service].get("volumes", []):
            parts = volume.split(":")
            if parts[0].startswith("."):
                result[parts[1]] = parts[0]
        return result

    def test_services(self):
        self.assertEqual(set(self.services), {"tserve", "prometheus", "grafana"})
        for service in ("tserve", "prometheus"):
            build = self.services[service]["build"]
            self.assertTrue(os.path.exists(path("deploy", build["context"], build["dockerfile"])),
                            service)

    def test_prometheus_is_debians_on_the_image_base(self):
        build = self.services["prometheus"]["build"]
        prometheus = Dockerfile(path("deploy", build["context"], build["dockerfile"]))
        (stage,) = prometheus.stages
        self.assertEqual(stage[0][1], self.dockerfile.stages[-1][0][1].split()[0])
        runs = " ".join(prometheus.all("RUN", stage))
        self.assertRegex(runs, r"apt-get install .*\bprometheus\b")
        self.assertEqual(json.loads(prometheus.all("ENTRYPOINT", stage)[-1]),
                         ["/usr/bin/prometheus"])

    def test_tserve_environment_and_ports(self):
        env = self.tserve_env()
        self.assert_server_env(env, "compose tserve.environment")
        container_ports = {int(p.split(":")[-1]) for p in self.services["tserve"]["ports"]}
        self.assertEqual(container_ports, set(effective_ports(env, self.server)))
        # Host ports: a variable with the container port as its default.
        for mapping in self.services["tserve"]["ports"]:
            self.assertRegex(mapping, r"^\$\{[A-Z_]+_HOST_PORT:-(\d+)\}:\1$")

    def test_stop_grace_period_outlasts_the_drain(self):
        grace = self.services["tserve"]["stop_grace_period"]
        self.assertRegex(grace, r"^\d+s$")
        drain = int(self.tserve_env().get("TSERVE_DRAIN_TIMEOUT_S", self.server["drain_timeout_s"]))
        self.assertGreater(int(grace[:-1]), drain)

    def test_prometheus_scrapes_the_tserve_service(self):
        mounts = self.mounts("prometheus")
        config_arg = [a for a in self.services["prometheus"]["command"]
                      if a.startswith("--config.file=")][0].split("=", 1)[1]
        self.assertIn(config_arg, mounts)
        (config,) = load_yaml_documents(path("deploy", mounts[config_arg]))
        targets = [t for job in config["scrape_configs"] for sc in job["static_configs"]
                   for t in sc["targets"]]
        metrics_port = effective_ports(self.tserve_env(), self.server)[1]
        self.assertEqual(targets, [f"tserve:{metrics_port}"])
        # The scrape test and the dashboard's up{job="tserve"} expect this job.
        self.assertEqual([job["job_name"] for job in config["scrape_configs"]], ["tserve"])

    def test_grafana_is_provisioned_from_files(self):
        mounts = self.mounts("grafana")
        provisioning = path("deploy", mounts["/etc/grafana/provisioning"])
        (datasources,) = load_yaml_documents(
            os.path.join(provisioning, "datasources", "prometheus.yaml"))
        (source,) = datasources["datasources"]
        self.assertEqual(source["type"], "prometheus")
        self.assertEqual(source["url"], "http://prometheus:9090")
        (providers,) = load_yaml_documents(
            os.path.join(provisioning, "dashboards", "tserve.yaml"))
        (provider,) = providers["providers"]
        dashboards_dir = provider["options"]["path"]
        self.assertIn(dashboards_dir, mounts)
        dashboard = os.path.join(path("deploy", mounts[dashboards_dir]), "tserve.json")
        self.assertTrue(os.path.exists(dashboard))
        home = self.services["grafana"]["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
        self.assertEqual(os.path.dirname(home), dashboards_dir)


class DashboardTest(DeployConfigTest):
    def test_every_panel_uses_the_prometheus_datasource_variable(self):
        with open(path("deploy", "grafana", "dashboards", "tserve.json"), encoding="utf-8") as f:
            dashboard = json.load(f)
        variables = {v["name"]: v for v in dashboard["templating"]["list"]}
        self.assertEqual(variables["datasource"]["type"], "datasource")
        self.assertEqual(variables["datasource"]["query"], "prometheus")
        self.assertIn("model", variables)
        panels = [p for p in dashboard["panels"] if p["type"] != "row"]
        self.assertGreaterEqual(len(panels), 10)
        ids = [p["id"] for p in dashboard["panels"]]
        self.assertEqual(len(ids), len(set(ids)), "panel ids must be unique")
        for panel in panels:
            self.assertEqual(panel["datasource"], {"type": "prometheus", "uid": "${datasource}"},
                             panel["title"])
            self.assertTrue(panel["targets"], panel["title"])


class KubernetesTest(DeployConfigTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.objects = {}
        for file in sorted(glob.glob(path("deploy", "k8s", "*.yaml"))):
            for doc in load_yaml_documents(file):
                cls.objects[(doc["kind"], doc.get("metadata", {}).get("name", ""))] = doc
        cls.deployment = cls.objects[("Deployment", "tserve")]
        cls.pod = cls.deployment["spec"]["template"]
        (cls.container,) = cls.pod["spec"]["containers"]
        cls.env = dict(cls.image_env)
        cls.env.update({e["name"]: e["value"] for e in cls.container.get("env", [])})

    def test_kinds(self):
        self.assertEqual(sorted(kind for kind, _ in self.objects),
                         ["Deployment", "HorizontalPodAutoscaler", "Kustomization",
                          "PodDisruptionBudget", "Service", "Service"])
        (kustomization,) = [o for (k, _), o in self.objects.items() if k == "Kustomization"]
        listed = set(kustomization["resources"])
        files = {os.path.basename(f) for f in glob.glob(path("deploy", "k8s", "*.yaml"))}
        self.assertEqual(listed, files - {"kustomization.yaml"})

    def test_environment_and_arguments_are_server_flags(self):
        self.assert_server_env([e["name"] for e in self.container["env"]], "Deployment env")
        for arg in self.container.get("args", []) + self.container.get("command", [])[1:]:
            self.assertIn(arg[2:].split("=")[0], self.server, f"Deployment argument {arg}")

    def test_ports_match_the_environment(self):
        grpc_port, metrics_port = effective_ports(self.env, self.server)
        ports = {p["name"]: p["containerPort"] for p in self.container["ports"]}
        self.assertEqual(ports, {"grpc": grpc_port, "metrics": metrics_port})
        annotations = self.pod["metadata"]["annotations"]
        self.assertEqual(annotations["prometheus.io/scrape"], "true")
        self.assertEqual(int(annotations["prometheus.io/port"]), metrics_port)

    def test_probes_call_the_grpc_health_service(self):
        grpc_port = effective_ports(self.env, self.server)[0]
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            self.assertEqual(self.container[probe]["grpc"]["port"], grpc_port, probe)
        # The service names the server registers with the health service.
        self.assertIn(self.container["readinessProbe"]["grpc"].get("service", ""),
                      ("", "tserve.v1.Translator"))

    def test_termination_grace_outlasts_the_drain(self):
        drain = int(self.env.get("TSERVE_DRAIN_TIMEOUT_S", self.server["drain_timeout_s"]))
        pre_stop = self.container["lifecycle"]["preStop"]["exec"]["command"]
        self.assertEqual(pre_stop[0], "sleep")
        grace = self.pod["spec"]["terminationGracePeriodSeconds"]
        self.assertGreater(grace, drain + int(pre_stop[1]))

    def test_resources_and_threads(self):
        resources = self.container["resources"]
        for kind in ("requests", "limits"):
            self.assertIn("cpu", resources[kind])
            self.assertIn("memory", resources[kind])
        self.assertEqual(int(self.env["TSERVE_THREADS"]), int(resources["limits"]["cpu"]))

    def test_runs_as_the_image_user(self):
        security = self.pod["spec"]["securityContext"]
        self.assertTrue(security["runAsNonRoot"])
        self.assertEqual(str(security["runAsUser"]), self.image_user.split(":")[0])

    def test_services_select_the_pods(self):
        labels = self.pod["metadata"]["labels"]
        port_names = {p["name"] for p in self.container["ports"]}
        services = {name: o for (kind, name), o in self.objects.items() if kind == "Service"}
        self.assertEqual(services["tserve"]["spec"].get("type", "ClusterIP"), "ClusterIP")
        self.assertEqual(services["tserve-headless"]["spec"]["clusterIP"], "None")
        for name, service in services.items():
            self.assertEqual(service["spec"]["selector"], labels, name)
            for port in service["spec"]["ports"]:
                self.assertIn(port["targetPort"], port_names, name)
        self.assertEqual(self.deployment["spec"]["selector"]["matchLabels"], labels)

    def test_disruption_budget_and_autoscaler(self):
        labels = self.pod["metadata"]["labels"]
        pdb = self.objects[("PodDisruptionBudget", "tserve")]
        self.assertEqual(pdb["spec"]["selector"]["matchLabels"], labels)
        self.assertLess(pdb["spec"]["minAvailable"], self.deployment["spec"]["replicas"])
        hpa = self.objects[("HorizontalPodAutoscaler", "tserve")]
        self.assertEqual(hpa["spec"]["scaleTargetRef"]["kind"], "Deployment")
        self.assertEqual(hpa["spec"]["scaleTargetRef"]["name"], "tserve")
        self.assertGreater(hpa["spec"]["minReplicas"], pdb["spec"]["minAvailable"])


def main():
    global ARGS
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source_dir", required=True)
    parser.add_argument("--server", required=True)
    parser.add_argument("--client", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
