"""The checks of .ci/check-manifests. Arguments: K8S_DIR SYSTEMD_DIR. Prints one line per problem; exit 1 if any."""
import glob
import os
import re
import shutil
import subprocess
import sys

import yaml

k8s_dir, systemd_dir = sys.argv[1], sys.argv[2]
problems = []


def problem(where, text):
    problems.append(f"{where}: {text}")


# ---------------------------------------------------------------- Kubernetes: parse and index

WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"}
LONG_RUNNING = {"Deployment", "StatefulSet", "DaemonSet"}
objects = []  # (file, doc)
files = sorted(f for f in glob.glob(os.path.join(k8s_dir, "*.y*ml")) if os.path.basename(f) != "kustomization.yaml")
for path in files:
    name = os.path.basename(path)
    try:
        docs = [d for d in yaml.safe_load_all(open(path)) if d is not None]
    except yaml.YAMLError as e:
        problem(name, f"not valid YAML: {str(e).splitlines()[0]}")
        continue
    for d in docs:
        if not isinstance(d, dict):
            problem(name, "a document that is not a mapping")
            continue
        for field in ("apiVersion", "kind"):
            if not d.get(field):
                problem(name, f"a document without {field}")
        if not (d.get("metadata") or {}).get("name"):
            problem(name, f"a {d.get('kind')} without metadata.name")
        objects.append((name, d))
if not objects:
    problem(k8s_dir, "no manifests")


def where(f, d):
    return f"{f} {d.get('kind')}/{(d.get('metadata') or {}).get('name')}"


by_kind = {}
for f, d in objects:
    by_kind.setdefault(d.get("kind"), {})[(d.get("metadata") or {}).get("name")] = d

namespaces = set(by_kind.get("Namespace", {}))
for f, d in objects:
    if d.get("kind") in ("Namespace", "ClusterRole", "ClusterRoleBinding"):
        continue
    ns = (d.get("metadata") or {}).get("namespace")
    if namespaces and ns not in namespaces:
        problem(where(f, d), f"namespace {ns!r} is not one of the manifests' namespaces {sorted(namespaces)}")

kustomization = os.path.join(k8s_dir, "kustomization.yaml")
if os.path.exists(kustomization):
    try:
        k = yaml.safe_load(open(kustomization)) or {}
        listed = k.get("resources") or []
        for r in listed:
            if not os.path.exists(os.path.join(k8s_dir, r)):
                problem("kustomization.yaml", f"resource {r} does not exist")
        for path in files:
            if os.path.basename(path) not in listed:
                problem("kustomization.yaml", f"{os.path.basename(path)} is not listed in resources")
    except yaml.YAMLError as e:
        problem("kustomization.yaml", f"not valid YAML: {str(e).splitlines()[0]}")


def pod_template(d):
    spec = d.get("spec") or {}
    if d.get("kind") == "CronJob":
        spec = ((spec.get("jobTemplate") or {}).get("spec")) or {}
    return spec.get("template") or {}


def matches(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


pods = []  # (file, workload, template labels, pod spec)
for f, d in objects:
    if d.get("kind") in WORKLOADS:
        t = pod_template(d)
        pods.append((f, d, (t.get("metadata") or {}).get("labels") or {}, t.get("spec") or {}))


def data_keys(d):
    return set((d.get("data") or {}).keys()) | set((d.get("stringData") or {}).keys())


def require_ref(w, kind, name, key=None):
    target = by_kind.get(kind, {}).get(name)
    if target is None:
        problem(w, f"refers to {kind} {name!r}, which is not in the manifests")
    elif key is not None and key not in data_keys(target):
        problem(w, f"refers to key {key!r} of {kind} {name!r}, which it does not hold")


# ---------------------------------------------------------------- Kubernetes: workloads and their containers

def check_probe(w, c, kind, ports):
    probe = c.get(kind)
    if not probe:
        problem(w, f"container {c.get('name')} has no {kind}")
        return
    action = probe.get("httpGet") or probe.get("tcpSocket") or probe.get("grpc")
    if action is None and not probe.get("exec"):
        problem(w, f"container {c.get('name')} {kind} has no action")
    elif action is not None and action.get("port") not in ports:
        problem(w, f"container {c.get('name')} {kind} port {action.get('port')!r} is not a container port")


for f, d, labels, spec in pods:
    w = where(f, d)
    kind = d.get("kind")
    if kind in ("Deployment", "StatefulSet", "DaemonSet"):
        selector = ((d.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
        if not matches(selector, labels):
            problem(w, f"selector {selector} does not match its pod labels {labels}")
    sa = spec.get("serviceAccountName")
    if sa and sa not in by_kind.get("ServiceAccount", {}):
        problem(w, f"refers to ServiceAccount {sa!r}, which is not in the manifests")
    pod_security = spec.get("securityContext") or {}
    for v in spec.get("volumes") or []:
        if "secret" in v:
            require_ref(w, "Secret", v["secret"].get("secretName"))
        if "configMap" in v:
            require_ref(w, "ConfigMap", v["configMap"].get("name"))
        if "persistentVolumeClaim" in v:
            require_ref(w, "PersistentVolumeClaim", v["persistentVolumeClaim"].get("claimName"))
    volume_names = {v.get("name") for v in spec.get("volumes") or []}
    containers = (spec.get("containers") or []) + (spec.get("initContainers") or [])
    if not spec.get("containers"):
        problem(w, "no containers")
    for c in containers:
        cn = c.get("name")
        image = c.get("image") or ""
        if not image:
            problem(w, f"container {cn} has no image")
        elif ":" not in image.rsplit("/", 1)[-1] and "@" not in image or image.endswith(":latest"):
            problem(w, f"container {cn} image {image!r} is not pinned to a tag or digest")
        resources = c.get("resources") or {}
        for part, needed in (("requests", ("cpu", "memory")), ("limits", ("cpu", "memory"))):
            have = resources.get(part) or {}
            for r in needed:
                if r not in have:
                    problem(w, f"container {cn} has no resources.{part}.{r} (limits/requests required)")
        sc = c.get("securityContext") or {}
        if not (sc.get("runAsNonRoot", pod_security.get("runAsNonRoot")) is True):
            problem(w, f"container {cn} does not set runAsNonRoot: true")
        if sc.get("allowPrivilegeEscalation") is not False:
            problem(w, f"container {cn} does not set allowPrivilegeEscalation: false")
        if sc.get("readOnlyRootFilesystem") is not True:
            problem(w, f"container {cn} does not set readOnlyRootFilesystem: true")
        if "ALL" not in ((sc.get("capabilities") or {}).get("drop") or []):
            problem(w, f"container {cn} does not drop ALL capabilities")
        if sc.get("privileged"):
            problem(w, f"container {cn} is privileged")
        for m in c.get("volumeMounts") or []:
            if m.get("name") not in volume_names:
                problem(w, f"container {cn} mounts volume {m.get('name')!r}, which the pod does not define")
        for e in c.get("envFrom") or []:
            if "secretRef" in e and not e["secretRef"].get("optional"):
                require_ref(w, "Secret", e["secretRef"].get("name"))
            if "configMapRef" in e and not e["configMapRef"].get("optional"):
                require_ref(w, "ConfigMap", e["configMapRef"].get("name"))
        for e in c.get("env") or []:
            source = e.get("valueFrom") or {}
            if "secretKeyRef" in source:
                require_ref(w, "Secret", source["secretKeyRef"].get("name"), source["secretKeyRef"].get("key"))
            if "configMapKeyRef" in source:
                require_ref(w, "ConfigMap", source["configMapKeyRef"].get("name"), source["configMapKeyRef"].get("key"))
        if kind in LONG_RUNNING and c in (spec.get("containers") or []):
            ports = set()
            for p in c.get("ports") or []:
                ports.add(p.get("containerPort"))
                if p.get("name"):
                    ports.add(p["name"])
            check_probe(w, c, "livenessProbe", ports)
            check_probe(w, c, "readinessProbe", ports)


# ---------------------------------------------------------------- Kubernetes: things that select pods

def selected(selector):
    return [(f, d) for f, d, labels, _ in pods if matches(selector, labels)]


for f, d in objects:
    kind = d.get("kind")
    spec = d.get("spec") or {}
    if kind == "PodDisruptionBudget":
        if not selected((spec.get("selector") or {}).get("matchLabels") or {}):
            problem(where(f, d), "PodDisruptionBudget selects no pods of the manifests")
        if (kind == "PodDisruptionBudget") and "minAvailable" not in spec and "maxUnavailable" not in spec:
            problem(where(f, d), "PodDisruptionBudget sets neither minAvailable nor maxUnavailable")
    elif kind == "Service":
        targets = selected(spec.get("selector") or {})
        if not targets:
            problem(where(f, d), "Service selects no pods of the manifests")
        for port in spec.get("ports") or []:
            t = port.get("targetPort", port.get("port"))
            for _, wd in targets:
                names = {p.get("name") for c in pod_template(wd)["spec"]["containers"] for p in c.get("ports") or []}
                numbers = {p.get("containerPort") for c in pod_template(wd)["spec"]["containers"] for p in c.get("ports") or []}
                if t not in names and t not in numbers:
                    problem(where(f, d), f"Service targetPort {t!r} is not a port of {where(*[x for x in (f, wd)])}")
    elif kind == "NetworkPolicy":
        if not selected((spec.get("podSelector") or {}).get("matchLabels") or {}):
            problem(where(f, d), "NetworkPolicy selects no pods of the manifests")


# ---------------------------------------------------------------- Orleans: labels, pod identity, RBAC

ORLEANS_VERBS = {"get", "list", "watch", "patch", "delete"}
config_values = {}
for cm in by_kind.get("ConfigMap", {}).values():
    for key in ("Orleans__ServiceId", "Orleans__ClusterId"):
        if key in (cm.get("data") or {}):
            config_values[key] = cm["data"][key]


def rules_of(role_kind, role_name):
    role = by_kind.get(role_kind, {}).get(role_name) or {}
    return role.get("rules") or []


silo_pods = [(f, d, labels, spec) for f, d, labels, spec in pods if "orleans/serviceId" in labels or "orleans/clusterId" in labels]
if not silo_pods:
    problem(k8s_dir, "no workload carries the Orleans labels orleans/serviceId and orleans/clusterId (the silos)")
for f, d, labels, spec in silo_pods:
    w = where(f, d)
    for label, key in (("orleans/serviceId", "Orleans__ServiceId"), ("orleans/clusterId", "Orleans__ClusterId")):
        if label not in labels:
            problem(w, f"pod label {label} is missing")
        elif key in config_values and labels[label] != config_values[key]:
            problem(w, f"pod label {label}={labels[label]!r} differs from {key}={config_values[key]!r} of the ConfigMap (the API hosts would join another cluster)")
    env = {e.get("name"): e for c in spec.get("containers") or [] for e in c.get("env") or []}
    for name, field in (("POD_NAME", "metadata.name"), ("POD_NAMESPACE", "metadata.namespace"), ("POD_IP", "status.podIP")):
        if ((env.get(name) or {}).get("valueFrom") or {}).get("fieldRef", {}).get("fieldPath") != field:
            problem(w, f"env {name} does not come from the pod's {field} (Orleans.Hosting.Kubernetes needs it)")
    if spec.get("automountServiceAccountToken") is False:
        problem(w, "automountServiceAccountToken is false, but the silo calls the Kubernetes API")
    sa = spec.get("serviceAccountName")
    if not sa:
        problem(w, "no serviceAccountName: the silo needs its own account with the Orleans RBAC")
        continue
    verbs = set()
    bound = False
    for binding_kind in ("RoleBinding", "ClusterRoleBinding"):
        for b in by_kind.get(binding_kind, {}).values():
            if any(s.get("kind") == "ServiceAccount" and s.get("name") == sa for s in b.get("subjects") or []):
                bound = True
                ref = b.get("roleRef") or {}
                for rule in rules_of(ref.get("kind"), ref.get("name")):
                    if "" in (rule.get("apiGroups") or []) and "pods" in (rule.get("resources") or []):
                        verbs |= set(rule.get("verbs") or [])
    if not bound:
        problem(w, f"ServiceAccount {sa} is not bound by a RoleBinding to a Role")
    missing = ORLEANS_VERBS - verbs - ({"get", "list", "watch", "patch", "delete"} if "*" in verbs else set())
    if bound and missing:
        problem(w, f"ServiceAccount {sa} may not {', '.join(sorted(missing))} pods (Orleans.Hosting.Kubernetes needs watch, list, get, patch, delete)")


# ---------------------------------------------------------------- systemd units

SECRET_SETTINGS = re.compile(r"^(ConnectionStrings__\w+|Signing__KeyEncryptionKey|Auth__SigningKey|Presentations__SigningKey|Audit__CheckpointKey|Audit__PreviousCheckpointKeys__\w+|Bootstrap__AdminClientSecret|Orleans__Tls__CertificatePassword|Auth__Holder__SigningKey|Auth__Holder__DevKeyPem)$")
HARDENING = {"NoNewPrivileges": "yes", "ProtectSystem": "strict", "PrivateTmp": "yes", "ProtectHome": "yes", "PrivateDevices": "yes"}


def parse_unit(path):
    sections, current = {}, None
    for raw in open(path):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), [])
            continue
        key, _, value = line.partition("=")
        (current if current is not None else sections.setdefault("", [])).append((key.strip(), value.strip()))
    return sections


def environment_names(value):
    return [a.split("=", 1)[0].strip('"') for a in value.split() if "=" in a]


units = sorted(glob.glob(os.path.join(systemd_dir, "*.service")))
if os.path.isdir(systemd_dir) and not units:
    problem(systemd_dir, "no units")
analyze = shutil.which("systemd-analyze")
for path in units:
    name = os.path.basename(path)
    sections = parse_unit(path)
    service = dict(sections.get("Service", []))
    if not sections.get("Unit") or not sections.get("Service"):
        problem(name, "needs [Unit] and [Service]")
    if "ExecStart" not in service:
        problem(name, "no ExecStart")
    if "User" not in service and service.get("DynamicUser") != "yes":
        problem(name, "runs as root: set User= (a dedicated user) or DynamicUser=yes")
    for key, value in HARDENING.items():
        if service.get(key) != value:
            problem(name, f"{key}={value} is missing")
    if service.get("CapabilityBoundingSet", None) not in ("",):
        problem(name, "CapabilityBoundingSet= (empty: no capabilities) is missing")
    if service.get("Type") != "oneshot":
        if service.get("Restart") != "on-failure":
            problem(name, "Restart=on-failure is missing")
        stop = service.get("TimeoutStopSec", "")
        seconds = int(stop[:-1]) if stop.endswith("s") and stop[:-1].isdigit() else int(stop) if stop.isdigit() else 0
        if seconds < 35:
            problem(name, f"TimeoutStopSec={stop or '(default)'}: a graceful stop takes up to the host's 30 s; allow at least 35")
    for key, value in sections.get("Service", []):
        if key == "Environment":
            for env_name in environment_names(value):
                if SECRET_SETTINGS.match(env_name):
                    problem(name, f"Environment= sets the key {env_name} in the unit; put it in a root-only EnvironmentFile or a credential")
        if key == "EnvironmentFile":
            target = os.path.basename(value.lstrip("-"))
            if target.endswith(".env") and "%" not in target and not os.path.exists(os.path.join(systemd_dir, target)):
                problem(name, f"EnvironmentFile {value} has no template {target} in {systemd_dir}")
    if analyze:
        result = subprocess.run([analyze, "verify", "--man=no", path], capture_output=True, text=True, timeout=60)
        for line in (result.stdout + result.stderr).splitlines():
            # The .NET runtime is installed on the VM, not necessarily here.
            if "is not executable" in line and "dotnet" in line:
                continue
            if line.strip():
                problem(name, f"systemd-analyze verify: {line.strip()}")
for path in sorted(glob.glob(os.path.join(systemd_dir, "*.env"))):
    for n, raw in enumerate(open(path), 1):
        line = raw.strip()
        if line and not line.startswith("#") and SECRET_SETTINGS.match(line.split("=", 1)[0]):
            problem(os.path.basename(path), f"line {n} holds the key {line.split('=', 1)[0]}: keys go into the root-only *.secrets files")

for p in problems:
    print(p)
if problems:
    print(f"check-manifests: {len(problems)} problem(s)")
    sys.exit(1)
print(f"check-manifests: {len(objects)} Kubernetes objects in {len(files)} files and {len(units)} systemd units pass")
