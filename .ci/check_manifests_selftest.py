"""Self-test of .ci/check-manifests: the unchanged manifests pass, and each breakage below, made in a fresh copy,
fails the check with a message that names what broke. Arguments: CHECKER K8S_DIR SYSTEMD_DIR WORK_DIR."""
import os, re, shutil, subprocess, sys

checker, k8s, systemd, work = sys.argv[1:5]

def run(name, k8s_dir, systemd_dir):
    result = subprocess.run([checker, k8s_dir, systemd_dir], capture_output=True, text=True, timeout=120)
    return result.returncode, (result.stdout + result.stderr).strip()

def copy(name):
    target = os.path.join(work, name)
    shutil.copytree(k8s, os.path.join(target, "k8s"))
    shutil.copytree(systemd, os.path.join(target, "systemd"))
    return os.path.join(target, "k8s"), os.path.join(target, "systemd")

def edit(path, old, new, count=1):
    with open(path) as f:
        text = f.read()
    if old not in text:
        raise SystemExit(f"self-test: '{old}' not found in {path}; update the self-test")
    with open(path, "w") as f:
        f.write(text.replace(old, new, count))

def cut_block(path, start):
    """Removes the YAML block that starts with the line `start` (and every deeper-indented line after it)."""
    lines = open(path).read().split("\n")
    i = next(n for n, l in enumerate(lines) if l.strip() == start.strip() and l.startswith(start.split(start.strip())[0]))
    indent = len(lines[i]) - len(lines[i].lstrip())
    j = i + 1
    while j < len(lines) and (not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) > indent):
        j += 1
    del lines[i:j]
    open(path, "w").write("\n".join(lines))

# Each breakage, and a word the checker's complaint must contain.
breakages = {
    "silo without a readiness probe": (lambda k, s: cut_block(f"{k}/silo.yaml", "          readinessProbe:"), "readinessProbe"),
    "API without a liveness probe": (lambda k, s: cut_block(f"{k}/api.yaml", "          livenessProbe:"), "livenessProbe"),
    "a missing secret": (lambda k, s: edit(f"{k}/silo.yaml", "name: orleans-licenses-silo\n          resources", "name: orleans-licenses-silo-keys\n          resources"), "orleans-licenses-silo-keys"),
    "a missing TLS secret volume": (lambda k, s: edit(f"{k}/api.yaml", "secretName: orleans-licenses-api-tls", "secretName: orleans-licenses-api-certs"), "orleans-licenses-api-certs"),
    "a missing ConfigMap": (lambda k, s: edit(f"{k}/api.yaml", "name: orleans-licenses-api\n            - secretRef", "name: orleans-licenses-api-settings\n            - secretRef"), "orleans-licenses-api-settings"),
    "no resource limits": (lambda k, s: cut_block(f"{k}/api.yaml", "            limits:"), "limits"),
    "a container running as root": (lambda k, s: [edit(f"{k}/silo.yaml", "runAsNonRoot: true", "runAsNonRoot: false", 2)], "runAsNonRoot"),
    "a writable root file system": (lambda k, s: edit(f"{k}/silo.yaml", "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false"), "readOnlyRootFilesystem"),
    "capabilities kept": (lambda k, s: edit(f"{k}/api.yaml", 'drop: ["ALL"]', 'drop: ["NET_RAW"]'), "ALL"),
    "an image without a tag": (lambda k, s: edit(f"{k}/silo.yaml", "image: registry.example.org/orleans-licenses-silo:1.0.0", "image: registry.example.org/orleans-licenses-silo"), "image"),
    "a PDB that selects nothing": (lambda k, s: edit_last(f"{k}/silo.yaml", "app.kubernetes.io/component: silo", "app.kubernetes.io/component: silos"), "PodDisruptionBudget"),
    "a selector that misses its pods": (lambda k, s: edit(f"{k}/api.yaml", "  selector:\n    matchLabels:\n      app.kubernetes.io/name: orleans-licenses\n      app.kubernetes.io/component: api", "  selector:\n    matchLabels:\n      app.kubernetes.io/name: orleans-licenses\n      app.kubernetes.io/component: web"), "selector"),
    "a Service that selects nothing": (lambda k, s: edit_after(f"{k}/api.yaml", "kind: Service\n", "app.kubernetes.io/component: api\n  ports", "app.kubernetes.io/component: gui\n  ports"), "Service"),
    "RBAC without watch": (lambda k, s: edit(f"{k}/rbac.yaml", '"get", "list", "watch", "patch", "delete"', '"get", "list", "patch", "delete"'), "watch"),
    "no RoleBinding": (lambda k, s: edit(f"{k}/rbac.yaml", "kind: RoleBinding", "kind: ClusterRoleBindingX"), "RoleBinding"),
    "a silo label that differs from the API hosts' cluster id": (lambda k, s: edit(f"{k}/silo.yaml", "orleans/clusterId: production", "orleans/clusterId: staging"), "clusterId"),
    "a silo without its pod name": (lambda k, s: edit(f"{k}/silo.yaml", "- name: POD_NAME", "- name: POD_NAME_X"), "POD_NAME"),
    "a kustomization naming a missing file": (lambda k, s: edit(f"{k}/kustomization.yaml", "  - api.yaml", "  - apis.yaml"), "apis.yaml"),
    "a manifest that is not YAML": (lambda k, s: open(f"{k}/silo.yaml", "a").write("\n  bad: [unclosed\n"), "silo.yaml"),
    "a unit without NoNewPrivileges": (lambda k, s: edit(f"{s}/orleans-licenses-api.service", "NoNewPrivileges=yes\n", ""), "NoNewPrivileges"),
    "a unit with a misspelt key": (lambda k, s: edit(f"{s}/orleans-licenses-silo@.service", "PrivateTmp=yes", "PrivateTemp=yes"), "PrivateT"),
    "a key in a unit": (lambda k, s: edit(f"{s}/orleans-licenses-api.service", "ExecStart=", "Environment=Auth__SigningKey=c2VjcmV0\nExecStart="), "Auth__SigningKey"),
    "a key in a settings file": (lambda k, s: open(f"{s}/api.env", "a").write("Audit__CheckpointKey=c2VjcmV0\n"), "Audit__CheckpointKey"),
    "a silo stopped before it can leave the cluster": (lambda k, s: edit(f"{s}/orleans-licenses-silo@.service", "TimeoutStopSec=60", "TimeoutStopSec=5"), "TimeoutStopSec"),
}

def edit_last(path, old, new):
    text = open(path).read()
    i = text.rindex(old)
    open(path, "w").write(text[:i] + new + text[i + len(old):])

def edit_after(path, anchor, old, new):
    text = open(path).read()
    a = text.index(anchor)
    i = text.index(old, a)
    open(path, "w").write(text[:i] + new + text[i + len(old):])

k, s = copy("pristine")
code, out = run("pristine", k, s)
if code != 0:
    print(out)
    raise SystemExit("self-test: the unchanged manifests fail the check")
print("ok   unchanged manifests pass")

failures = 0
for n, (name, (mutate, word)) in enumerate(breakages.items()):
    k, s = copy(f"case{n}")
    mutate(k, s)
    code, out = run(name, k, s)
    if code == 0:
        print(f"FAIL {name}: the check passed"); failures += 1
    elif word not in out:
        print(f"FAIL {name}: failed without naming '{word}':\n{out}"); failures += 1
    else:
        print(f"ok   {name}: {out.splitlines()[0] if out else ''}")
if failures:
    raise SystemExit(f"self-test: {failures} breakage(s) not caught")
print(f"self-test: all {len(breakages)} breakages caught")
