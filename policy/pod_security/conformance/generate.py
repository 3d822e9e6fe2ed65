#!/usr/bin/env python3
"""Generates corpus.json: pass/fail pods for every Pod Security Standards control at every policy
version, with the verdict the reference gives.

The table below is transcribed from the reference, k8s.io/pod-security-admission (in the
Kubernetes tree: staging/src/k8s.io/pod-security-admission/):
  - CHECKS: each policy/check_<id>.go, its Level, the MinimumVersion of every VersionedCheck
    and its OverrideCheckIDs; registry.go decides which checks run at a (level, version).
  - VARIANT data (safe sysctls, SELinux types, exemptions): the bodies of those VersionedChecks.
  - FIXTURES: one change each to a pod that passes restricted at every version, after the
    generatePass / generateFail functions of test/fixtures_<id>.go.
The expected verdict of a fixture at (level, version) is computed from this table only; the
engine under test never takes part. Run it from anywhere: it rewrites corpus.json next to it.
"""

import json
import os
import sys

NEWEST_MINOR = 37  # the highest MinimumVersion of any check: sysctls 1.37
# Every release from v1.0, then `latest` and a version newer than the newest (clamped to it).
VERSIONS = [f"v1.{m}" for m in range(NEWEST_MINOR + 1)] + ["latest", "v1.40"]


def minor_of(version):
    if version == "latest":
        return NEWEST_MINOR
    return min(int(version.split(".")[1]), NEWEST_MINOR)


# check id -> (level, minimum versions of its VersionedChecks, ids it overrides in restricted)
CHECKS = {
    "hostNamespaces": ("baseline", [0], []),
    "privileged": ("baseline", [0], []),
    "capabilities_baseline": ("baseline", [0], []),
    "hostPathVolumes": ("baseline", [0], []),
    "hostPorts": ("baseline", [0], []),
    "appArmorProfile": ("baseline", [0], []),
    "seLinuxOptions": ("baseline", [0, 31], []),
    "procMount": ("baseline", [0, 35], []),
    "seccompProfile_baseline": ("baseline", [0, 19], []),
    "sysctls": ("baseline", [0, 27, 29, 32, 37], []),
    "windowsHostProcess": ("baseline", [0], []),
    "hostProbesAndHostLifecycle": ("baseline", [34], []),
    "restrictedVolumes": ("restricted", [0], ["hostPathVolumes"]),
    "allowPrivilegeEscalation": ("restricted", [8, 25], []),
    "runAsNonRoot": ("restricted", [0, 35], []),
    "runAsUser": ("restricted", [23, 35], []),
    "seccompProfile_restricted": ("restricted", [19, 25], ["seccompProfile_baseline"]),
    "capabilities_restricted": ("restricted", [22, 25], ["capabilities_baseline"]),
    "procMount_restricted": ("restricted", [35], ["procMount"]),
}

# The rule Castellan reports for each reference check.
RULES = {
    "hostNamespaces": "podSecurity.baseline.hostNamespaces",
    "privileged": "podSecurity.baseline.privileged",
    "capabilities_baseline": "podSecurity.baseline.capabilities",
    "hostPathVolumes": "podSecurity.baseline.hostPathVolumes",
    "hostPorts": "podSecurity.baseline.hostPorts",
    "appArmorProfile": "podSecurity.baseline.appArmor",
    "seLinuxOptions": "podSecurity.baseline.seLinux",
    "procMount": "podSecurity.baseline.procMount",
    "seccompProfile_baseline": "podSecurity.baseline.seccomp",
    "sysctls": "podSecurity.baseline.sysctls",
    "windowsHostProcess": "podSecurity.baseline.hostProcess",
    "hostProbesAndHostLifecycle": "podSecurity.baseline.hostProbesAndLifecycleHooks",
    "restrictedVolumes": "podSecurity.restricted.volumeTypes",
    "allowPrivilegeEscalation": "podSecurity.restricted.allowPrivilegeEscalation",
    "runAsNonRoot": "podSecurity.restricted.runAsNonRoot",
    "runAsUser": "podSecurity.restricted.runAsUser",
    "seccompProfile_restricted": "podSecurity.restricted.seccomp",
    "capabilities_restricted": "podSecurity.restricted.capabilities",
    "procMount_restricted": "podSecurity.baseline.procMount",
}

# check_sysctls.go: the safe set of each VersionedCheck.
SYSCTLS = {
    0: ["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start"],
}
SYSCTLS[27] = SYSCTLS[0] + ["net.ipv4.ip_local_reserved_ports"]
SYSCTLS[29] = SYSCTLS[27] + ["net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
                             "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes"]
SYSCTLS[32] = SYSCTLS[29] + ["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"]
SYSCTLS[37] = SYSCTLS[32] + ["net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat"]

# check_seLinuxOptions.go: allowed seLinuxOptions.type per VersionedCheck.
SELINUX_TYPES = {0: ["", "container_t", "container_init_t", "container_kvm_t"]}
SELINUX_TYPES[31] = SELINUX_TYPES[0] + ["container_engine_t"]

# check_capabilities_baseline.go
BASELINE_CAPABILITIES = ["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL",
                         "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID",
                         "SYS_CHROOT"]

# check_restrictedVolumes.go
RESTRICTED_ALLOWED_VOLUMES = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image",
                              "persistentVolumeClaim", "projected", "secret"]
RESTRICTED_FORBIDDEN_VOLUMES = [
    "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi", "glusterfs", "rbd",
    "flexVolume", "cinder", "cephfs", "flocker", "fc", "azureFile", "vsphereVolume", "quobyte",
    "azureDisk", "photonPersistentDisk", "portworxVolume", "scaleIO", "storageos"]


def variant(check, minor):
    """The MinimumVersion of the VersionedCheck that runs at `minor`, or None (registry.go)."""
    found = [v for v in CHECKS[check][1] if v <= minor]
    return max(found) if found else None


def active_checks(level, minor):
    """check id -> variant, for the checks registry.go runs at (level, minor)."""
    if level == "privileged":
        return {}
    levels = ["baseline"] if level == "baseline" else ["baseline", "restricted"]
    active = {c: variant(c, minor) for c, (lvl, _, _) in CHECKS.items()
              if lvl in levels and variant(c, minor) is not None}
    for c in list(active):
        for overridden in CHECKS[c][2]:
            active.pop(overridden, None)
    return active


ALWAYS = lambda v: True  # noqa: E731


def since(minor):
    return lambda v: v < minor


def until(minor):
    return lambda v: v >= minor


# The pod every fixture changes: it passes restricted at every version.
CONTEXT = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}
BASE_POD = {
    "metadata": {"name": "base", "annotations": {}},
    "spec": {
        "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
        "initContainers": [{"name": "init", "image": "busybox", "securityContext": CONTEXT}],
        "containers": [{"name": "app", "image": "nginx", "securityContext": CONTEXT}],
        "ephemeralContainers": [{"name": "debug", "image": "busybox", "securityContext": CONTEXT}],
        "volumes": [{"name": "cache", "emptyDir": {}}],
    },
}
CONTAINERS = ["initContainers", "containers", "ephemeralContainers"]
DELETE = "<delete>"

# A Windows pod without the Linux-only fields the API server refuses on Windows.
WINDOWS = {"/spec/os": {"name": "windows"}}
for _list in CONTAINERS:
    WINDOWS[f"/spec/{_list}/0/securityContext"] = {}


def fixtures():
    """(name, patch, {check: fails(variant)}) for every fixture."""
    out = []
    targets = []  # the reference checks the fixtures below exercise, passing or failing

    def add(name, patch, fails):
        out.append((name, patch, fails, list(targets)))

    def exercise(*checks):
        targets[:] = checks

    # hostNamespaces
    exercise("hostNamespaces")
    for field in ["hostNetwork", "hostPID", "hostIPC"]:
        add(f"{field} true", {f"/spec/{field}": True}, {"hostNamespaces": ALWAYS})
        add(f"{field} false", {f"/spec/{field}": False}, {})
    # privileged
    exercise("privileged")
    for lst in CONTAINERS:
        add(f"{lst} privileged", {f"/spec/{lst}/0/securityContext/privileged": True},
            {"privileged": ALWAYS})
    add("privileged false", {"/spec/containers/0/securityContext/privileged": False}, {})
    # capabilities: baseline adds, restricted allows only NET_BIND_SERVICE and requires drop ALL
    exercise("capabilities_baseline", "capabilities_restricted")
    for cap in BASELINE_CAPABILITIES:
        fails = {} if cap == "NET_BIND_SERVICE" else {"capabilities_restricted": ALWAYS}
        add(f"add {cap}", {"/spec/containers/0/securityContext/capabilities/add": [cap]}, fails)
    for cap in ["NET_RAW", "SYS_ADMIN", "CAP_CHOWN", "chown"]:
        add(f"add {cap}", {"/spec/initContainers/0/securityContext/capabilities/add": [cap]},
            {"capabilities_baseline": ALWAYS, "capabilities_restricted": ALWAYS})
    add("no drop ALL", {"/spec/containers/0/securityContext/capabilities/drop": ["NET_RAW"]},
        {"capabilities_restricted": ALWAYS})
    add("drop all lower case", {"/spec/ephemeralContainers/0/securityContext/capabilities/drop":
                                ["all"]}, {"capabilities_restricted": ALWAYS})
    add("windows without capabilities", dict(WINDOWS),
        {"capabilities_restricted": since(25), "allowPrivilegeEscalation": since(25)})
    add("windows adding SYS_ADMIN",
        {**WINDOWS, "/spec/containers/0/securityContext": {"capabilities": {"add": ["SYS_ADMIN"]}}},
        {"capabilities_baseline": ALWAYS, "capabilities_restricted": since(25),
         "allowPrivilegeEscalation": since(25)})
    # hostPath and restricted volume types
    exercise("hostPathVolumes", "restrictedVolumes")
    add("hostPath volume", {"/spec/volumes/1": {"name": "host", "hostPath": {"path": "/"}}},
        {"hostPathVolumes": ALWAYS, "restrictedVolumes": ALWAYS})
    for source in RESTRICTED_ALLOWED_VOLUMES:
        add(f"{source} volume", {"/spec/volumes/1": {"name": "v", source: {}}}, {})
    for source in RESTRICTED_FORBIDDEN_VOLUMES:
        add(f"{source} volume", {"/spec/volumes/1": {"name": "v", source: {}}},
            {"restrictedVolumes": ALWAYS})
    # The API server defaults a volume without a source to emptyDir before admission.
    add("volume without a source", {"/spec/volumes/1": {"name": "v"}}, {})
    # hostPorts
    exercise("hostPorts")
    for lst in CONTAINERS:
        add(f"{lst} hostPort", {f"/spec/{lst}/0/ports": [{"containerPort": 80, "hostPort": 8080}]},
            {"hostPorts": ALWAYS})
    add("hostPort 0", {"/spec/containers/0/ports": [{"containerPort": 80, "hostPort": 0}]}, {})
    # appArmorProfile: the annotation and the fields, at every version
    exercise("appArmorProfile")
    key = "/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1app"
    add("apparmor annotation unconfined", {key: "unconfined"}, {"appArmorProfile": ALWAYS})
    for value in ["runtime/default", "localhost/profile", ""]:
        add(f"apparmor annotation {value or 'empty'}", {key: value}, {})
    add("apparmor pod Unconfined", {"/spec/securityContext/appArmorProfile": {"type": "Unconfined"}},
        {"appArmorProfile": ALWAYS})
    add("apparmor container Unconfined",
        {"/spec/containers/0/securityContext/appArmorProfile": {"type": "Unconfined"}},
        {"appArmorProfile": ALWAYS})
    for t in ["RuntimeDefault", "Localhost"]:
        add(f"apparmor pod {t}", {"/spec/securityContext/appArmorProfile":
                                  {"type": t, **({"localhostProfile": "p"} if t == "Localhost" else {})}},
            {})
    # seLinuxOptions
    exercise("seLinuxOptions")
    for t in SELINUX_TYPES[31] + ["spc_t", "unconfined_t"]:
        fails = lambda v, t=t: t not in SELINUX_TYPES[v]
        add(f"selinux type {t or 'empty'}",
            {"/spec/containers/0/securityContext/seLinuxOptions": {"type": t}},
            {"seLinuxOptions": fails})
    add("selinux pod type container_engine_t",
        {"/spec/securityContext/seLinuxOptions": {"type": "container_engine_t"}},
        {"seLinuxOptions": lambda v: "container_engine_t" not in SELINUX_TYPES[v]})
    add("selinux user", {"/spec/initContainers/0/securityContext/seLinuxOptions": {"user": "u"}},
        {"seLinuxOptions": ALWAYS})
    add("selinux role", {"/spec/securityContext/seLinuxOptions": {"role": "r"}},
        {"seLinuxOptions": ALWAYS})
    add("selinux level", {"/spec/securityContext/seLinuxOptions": {"level": "s0:c123,c456"}}, {})
    # procMount, and the user namespace relaxation of baseline from 1.35
    exercise("procMount", "procMount_restricted")
    for lst in CONTAINERS:
        add(f"{lst} procMount Unmasked", {f"/spec/{lst}/0/securityContext/procMount": "Unmasked"},
            {"procMount": ALWAYS, "procMount_restricted": ALWAYS})
    add("procMount Default", {"/spec/containers/0/securityContext/procMount": "Default"}, {})
    add("procMount Unmasked with hostUsers false",
        {"/spec/hostUsers": False, "/spec/containers/0/securityContext/procMount": "Unmasked"},
        {"procMount": since(35), "procMount_restricted": ALWAYS})
    add("procMount Unmasked with hostUsers true",
        {"/spec/hostUsers": True, "/spec/containers/0/securityContext/procMount": "Unmasked"},
        {"procMount": ALWAYS, "procMount_restricted": ALWAYS})
    # seccomp: annotations before 1.19, fields from 1.19; restricted requires a profile
    exercise("seccompProfile_baseline", "seccompProfile_restricted")
    pod_annotation = "/metadata/annotations/seccomp.security.alpha.kubernetes.io~1pod"
    app_annotation = "/metadata/annotations/container.seccomp.security.alpha.kubernetes.io~1app"
    for annotation in [pod_annotation, app_annotation]:
        which = "pod" if annotation == pod_annotation else "container"
        add(f"seccomp {which} annotation unconfined", {annotation: "unconfined"},
            {"seccompProfile_baseline": since(19)})
        for value in ["runtime/default", "docker/default", "localhost/profile.json"]:
            add(f"seccomp {which} annotation {value}", {annotation: value}, {})
    add("seccomp other container's annotation",
        {"/metadata/annotations/container.seccomp.security.alpha.kubernetes.io~1other": "unconfined"},
        {})
    add("seccomp pod Unconfined", {"/spec/securityContext/seccompProfile": {"type": "Unconfined"}},
        {"seccompProfile_baseline": until(19), "seccompProfile_restricted": ALWAYS})
    add("seccomp container Unconfined",
        {"/spec/ephemeralContainers/0/securityContext/seccompProfile": {"type": "Unconfined"}},
        {"seccompProfile_baseline": until(19), "seccompProfile_restricted": ALWAYS})
    add("seccomp Localhost", {"/spec/securityContext/seccompProfile":
                              {"type": "Localhost", "localhostProfile": "p.json"}}, {})
    add("seccomp unset", {"/spec/securityContext/seccompProfile": DELETE},
        {"seccompProfile_restricted": ALWAYS})
    add("seccomp on every container only",
        {"/spec/securityContext/seccompProfile": DELETE,
         **{f"/spec/{lst}/0/securityContext/seccompProfile": {"type": "RuntimeDefault"}
            for lst in CONTAINERS}}, {})
    add("windows without seccomp", {**WINDOWS, "/spec/securityContext/seccompProfile": DELETE},
        {"seccompProfile_restricted": since(25), "capabilities_restricted": since(25),
         "allowPrivilegeEscalation": since(25)})
    # sysctls: every name of every safe list, and unsafe ones
    exercise("sysctls")
    for name in SYSCTLS[NEWEST_MINOR] + ["kernel.msgmax", "net.ipv4.ip_forward", "vm.swappiness"]:
        fails = lambda v, name=name: name not in SYSCTLS[v]
        add(f"sysctl {name}", {"/spec/securityContext/sysctls": [{"name": name, "value": "1"}]},
            {"sysctls": fails})
    # windowsHostProcess
    exercise("windowsHostProcess")
    add("pod hostProcess", {"/spec/securityContext/windowsOptions": {"hostProcess": True}},
        {"windowsHostProcess": ALWAYS})
    for lst in CONTAINERS:
        add(f"{lst} hostProcess",
            {f"/spec/{lst}/0/securityContext/windowsOptions": {"hostProcess": True}},
            {"windowsHostProcess": ALWAYS})
    add("hostProcess false", {"/spec/securityContext/windowsOptions": {"hostProcess": False}}, {})
    # hostProbesAndHostLifecycle, from 1.34
    exercise("hostProbesAndHostLifecycle")
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"]:
        for action in ["httpGet", "tcpSocket"]:
            add(f"{probe} {action} host",
                {f"/spec/containers/0/{probe}": {action: {"host": "10.0.0.1", "port": 80}}},
                {"hostProbesAndHostLifecycle": ALWAYS})
    for hook in ["postStart", "preStop"]:
        for action in ["httpGet", "tcpSocket"]:
            add(f"{hook} {action} host",
                {f"/spec/initContainers/0/lifecycle": {hook: {action: {"host": "node", "port": 80}}}},
                {"hostProbesAndHostLifecycle": ALWAYS})
    add("probe host empty", {"/spec/containers/0/livenessProbe": {"httpGet": {"host": "", "port": 80}}},
        {})
    # allowPrivilegeEscalation, from 1.8; Windows exempt from 1.25
    exercise("allowPrivilegeEscalation")
    for lst in CONTAINERS:
        add(f"{lst} allowPrivilegeEscalation true",
            {f"/spec/{lst}/0/securityContext/allowPrivilegeEscalation": True},
            {"allowPrivilegeEscalation": ALWAYS})
    add("allowPrivilegeEscalation unset",
        {"/spec/containers/0/securityContext/allowPrivilegeEscalation": DELETE},
        {"allowPrivilegeEscalation": ALWAYS})
    # runAsNonRoot; user namespaces exempt from 1.35
    exercise("runAsNonRoot")
    add("runAsNonRoot unset", {"/spec/securityContext/runAsNonRoot": DELETE},
        {"runAsNonRoot": ALWAYS})
    add("runAsNonRoot pod false", {"/spec/securityContext/runAsNonRoot": False},
        {"runAsNonRoot": ALWAYS})
    add("runAsNonRoot container false",
        {"/spec/initContainers/0/securityContext/runAsNonRoot": False}, {"runAsNonRoot": ALWAYS})
    add("runAsNonRoot on every container only",
        {"/spec/securityContext/runAsNonRoot": DELETE,
         **{f"/spec/{lst}/0/securityContext/runAsNonRoot": True for lst in CONTAINERS}}, {})
    add("runAsNonRoot unset with hostUsers false",
        {"/spec/hostUsers": False, "/spec/securityContext/runAsNonRoot": DELETE},
        {"runAsNonRoot": since(35)})
    add("runAsNonRoot unset with hostUsers true",
        {"/spec/hostUsers": True, "/spec/securityContext/runAsNonRoot": DELETE},
        {"runAsNonRoot": ALWAYS})
    # runAsUser, from 1.23; user namespaces exempt from 1.35
    exercise("runAsUser")
    add("runAsUser pod 0", {"/spec/securityContext/runAsUser": 0}, {"runAsUser": ALWAYS})
    for lst in CONTAINERS:
        add(f"{lst} runAsUser 0", {f"/spec/{lst}/0/securityContext/runAsUser": 0},
            {"runAsUser": ALWAYS})
    add("runAsUser 1000", {"/spec/securityContext/runAsUser": 1000}, {})
    add("runAsUser 0 with hostUsers false",
        {"/spec/hostUsers": False, "/spec/securityContext/runAsUser": 0},
        {"runAsUser": since(35)})
    return out


def verdicts(fails):
    """The reference's verdict at each (level, version): P passes, F fails."""
    out = {}
    for level in ["privileged", "baseline", "restricted"]:
        line = ""
        for version in VERSIONS:
            active = active_checks(level, minor_of(version))
            failing = any(c in active and fn(active[c]) for c, fn in fails.items())
            line += "F" if failing else "P"
        out[level] = line
    return out


# Boundaries where no verdict changes at the check's level, and why.
UNCHANGED = {
    ("procMount_restricted", 35): "restricted keeps the unconditional procMount check from 1.35, "
                                  "when baseline relaxes it for hostUsers=false",
}


def boundaries():
    """(check, level, minor) for every VersionedCheck after a check's first."""
    out = []
    for check, (level, versions, _) in CHECKS.items():
        for minor in versions:
            if minor > 0:
                out.append((check, level, minor))
    return out


def main():
    cases = []
    for name, patch, fails, exercised in fixtures():
        cases.append({
            "name": name,
            "patch": patch,
            "checks": sorted(set(fails) | set(exercised)),
            "rules": sorted({RULES[c] for c in fails}),
            "expect": verdicts(fails),
        })
    # Every version boundary has a fixture on each side: one whose verdict at the boundary's
    # level changes there.
    index = {v: i for i, v in enumerate(VERSIONS)}
    missing = []
    for check, level, minor in boundaries():
        if (check, minor) in UNCHANGED:
            continue
        at, before = index[f"v1.{minor}"], index[f"v1.{minor - 1}"]
        levels = ["baseline", "restricted"] if level == "baseline" else ["restricted"]
        if not any(check in c["checks"] and c["expect"][lvl][at] != c["expect"][lvl][before]
                   for c in cases for lvl in levels):
            missing.append(f"{check} at v1.{minor}")
    # Every check has a fixture it fails on.
    for check in CHECKS:
        if not any(check in c["checks"] and "F" in c["expect"]["restricted"] for c in cases):
            missing.append(f"{check} never fails")
    if missing:
        sys.exit("uncovered: " + ", ".join(missing))
    corpus = {
        "generatedBy": "policy/pod_security/conformance/generate.py",
        "reference": "k8s.io/pod-security-admission policy/check_*.go and test/fixtures_*.go",
        "versions": VERSIONS,
        "basePod": BASE_POD,
        "boundaries": [{"check": c, "level": l, "version": f"v1.{m}",
                        **({"unchanged": UNCHANGED[(c, m)]} if (c, m) in UNCHANGED else {})}
                       for c, l, m in boundaries()],
        "cases": cases,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus.json")
    with open(path, "w") as f:
        json.dump(corpus, f, indent=1, sort_keys=False)
        f.write("\n")
    print(f"{len(cases)} fixtures x {len(VERSIONS)} versions x 3 levels -> {path}")


if __name__ == "__main__":
    main()
