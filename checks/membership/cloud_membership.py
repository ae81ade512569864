"""CC507 cloud-membership."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from clustercheck.checks.common import server_xml
from clustercheck.derive.cloud import CloudMembership, Found, cloud_membership
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, failed, passed, skipped, warned
from clustercheck.facts.cluster import NodeFacts
from clustercheck.knowledge.cloud import (
    CLOUD_MEMBERSHIP_SERVICE,
    CLOUD_PACKAGE,
    DEFAULT_DNS_NAMESPACE,
    PROVIDER_ATTRIBUTE,
    PROVIDER_SHORTCUTS,
)
from clustercheck.knowledge.tomcat import added_class_v, is_class_name


@check("CC507", "cloud-membership", scope=Scope.NODE, roles=("tomcat",))
def cloud_membership_check(node: NodeFacts) -> Iterator[Finding]:
    """A CloudMembershipService finds its members: its provider loads, and the environment
    variables that provider reads are set.

    Reads the `<Membership>`'s `membershipProviderClassName` (`kubernetes`, the default, or
    `dns`; the shortcuts are case-sensitive) and the variables its provider reads, from the
    running Tomcat's own environment where it can be read (`/proc/PID/environ`, filtered on the
    node), else from `bin/setenv.sh`, the systemd unit named by `tomcat.systemd_unit` and the
    inventory's `tomcat.environment`. The Kubernetes provider needs `KUBERNETES_NAMESPACE` (or
    `OPENSHIFT_KUBE_PING_NAMESPACE`): without it the membership refuses to start, which fails
    when the running Tomcat's environment shows it missing and warns when clustercheck could
    not see that environment. Without `KUBERNETES_LABELS` it warns: every Running pod of the
    namespace is a member. A running Tomcat without `KUBERNETES_SERVICE_HOST` (which Kubernetes
    sets in every pod) fails: the provider cannot ask the API server. The DNS provider without
    `DNS_MEMBERSHIP_SERVICE_NAME` looks up the namespace (or `tomcat`) as a host name, which
    warns. A provider that is neither a shortcut
    nor a class, or that the node's Tomcat does not have yet (the DNS provider came in
    9.0.15), fails. CloudMembershipService itself on a Tomcat older than 9.0.13 is CC602's.

    ## Why it matters
    A cloud member that cannot list its peers is a cluster of one: every session it holds is
    lost when its pod goes, while everything looks healthy. Without a label selector the
    Kubernetes provider takes every Running pod of the namespace, so another application's
    Tomcats (or a copy of this one for another purpose) join the cluster and receive its
    sessions. The DNS provider resolves one name to the members' addresses: that name must be a
    headless Service (`clusterIP: None`) so that each pod is an A record of its own (a normal
    Service name resolves to one virtual IP), and the Service should publish not-ready
    addresses so that members see each other before they are ready.

    ## How to fix
    In the pod spec (or setenv.sh), set `KUBERNETES_NAMESPACE` from the downward API
    (`fieldRef: metadata.namespace`) and `KUBERNETES_LABELS` to the selector of this
    application's pods (`app=shop`); give the service account a Role that may `list` pods. For
    the DNS provider, create a headless Service (`clusterIP: None`,
    `publishNotReadyAddresses: true`) selecting the Tomcat pods and set
    `DNS_MEMBERSHIP_SERVICE_NAME` to its name. Write the provider as `kubernetes`, `dns` or a
    full class name, and use Tomcat 9.0.15 or later for DNS. When clustercheck cannot read the
    running Tomcat's environment (another user's process, a container), give the pod's values
    in the inventory as `tomcat.environment`.
    """
    server, problem = server_xml(node)
    if problem is not None:
        yield problem
        return
    cloud = cloud_membership(node)
    if server is None or cloud is None:
        yield skipped("the Cluster does not use CloudMembershipService")
        return
    where = {"file": server.path, "line": cloud.element.line}
    version = node.tomcat.version if node.tomcat else None
    if added_class_v(CLOUD_MEMBERSHIP_SERVICE, version) is not None:
        yield skipped(f"Tomcat {version} has no CloudMembershipService (CC602)", **where)
        return
    refusal = _provider_refusal(cloud, version)
    if refusal is not None:
        yield failed(refusal, **where)
        return
    if not cloud.kubernetes and not cloud.dns:
        yield skipped(
            f"membership provider {cloud.provider} is not Tomcat's: its settings are not judged",
            **where,
        )
        return
    findings = list(_kubernetes(cloud) if cloud.kubernetes else _dns(cloud))
    for status, message, found in findings:
        yield status(message, **{**where, **_at(found)})
    if not findings:
        yield passed(_summary(cloud), **where, details=_details(cloud))


def _provider_refusal(cloud: CloudMembership, version: str | None) -> str | None:
    """Why Tomcat cannot load the provider (Class.forName in CloudMembershipService.start)."""
    written = cloud.element.attrs.get(PROVIDER_ATTRIBUTE) or ""
    start = "the membership does not start (ClassNotFoundException): this node replicates nothing"
    unknown = "." not in written or not is_class_name(written)  # Class.forName("DNS") fails too
    if written and written not in PROVIDER_SHORTCUTS and unknown:
        return (
            f'{PROVIDER_ATTRIBUTE}="{written}" is neither a shortcut (`kubernetes`, `dns`: '
            f"case-sensitive) nor a class name: {start}"
        )
    tomcat_own = cloud.provider.startswith(CLOUD_PACKAGE)
    if tomcat_own and cloud.provider not in PROVIDER_SHORTCUTS.values():
        return f"{cloud.provider} is not one of Tomcat's membership providers: {start}"
    addition = added_class_v(cloud.provider, version)
    if addition is not None:
        name = cloud.provider.rsplit(".", 1)[-1]
        return f"{name} is not in Tomcat {version} (added in {addition.added_in}): {start}"
    return None


Verdict = tuple[Callable[..., Finding], str, Found | None]


def _kubernetes(cloud: CloudMembership) -> Iterator[Verdict]:
    env = cloud.environment
    if cloud.namespace is None or cloud.namespace.setting.value == "":
        consequence = (
            "KubernetesMembershipProvider refuses to start without a namespace, so this node "
            "replicates nothing"
        )
        if env.process:
            message = f"KUBERNETES_NAMESPACE is not set in {_sources(cloud)}: {consequence}"
            yield failed, message, None
        else:
            message = f"KUBERNETES_NAMESPACE is not set ({_looked(cloud)}): {consequence}"
            yield warned, message, None
    namespace = _shown(cloud.namespace) if cloud.namespace else "the namespace"
    if cloud.labels is None or cloud.labels.setting.value == "":
        yield (
            warned,
            f"KUBERNETES_LABELS is not set ({_looked(cloud)}): every Running pod of "
            f"{namespace} is a member, and another application's Tomcats there receive this "
            "cluster's sessions; set it to this application's pod labels (app=...)",
            cloud.labels,
        )
    if env.process and cloud.api_host is None:
        yield (
            failed,
            f"KUBERNETES_SERVICE_HOST is not set in {_sources(cloud)}: the provider asks "
            "https://null:null/ for the pods and finds no member (Kubernetes sets it in every "
            "pod: is this Tomcat running in one?)",
            None,
        )


def _dns(cloud: CloudMembership) -> Iterator[Verdict]:
    if cloud.service_name is not None and cloud.service_name.setting.value != "":
        return
    if cloud.namespace is not None:
        name, how = _shown(cloud.namespace), f"the namespace from {cloud.namespace.variable}"
    else:
        name, how = f"'{DEFAULT_DNS_NAMESPACE}'", "Tomcat's default when no namespace is set"
    yield (
        warned,
        f"DNS_MEMBERSHIP_SERVICE_NAME is not set ({_looked(cloud)}): DNSMembershipProvider "
        f"looks up {name} ({how}) as the members' host name; set it to the headless Service "
        "of the Tomcat pods",
        cloud.namespace,
    )


def _summary(cloud: CloudMembership) -> str:
    if cloud.dns and cloud.service_name is not None:
        return (
            f"DNSMembershipProvider resolves {_shown(cloud.service_name)} (from "
            f"{_origin(cloud.service_name)}): it must be a headless Service (clusterIP: None) "
            "so that each pod is an A record"
        )
    assert cloud.namespace is not None and cloud.labels is not None
    return (
        f"KubernetesMembershipProvider lists the Running pods of namespace "
        f"{_shown(cloud.namespace)} labelled {_shown(cloud.labels)} (from "
        f"{_origin(cloud.namespace)}; {_origin(cloud.labels)})"
    )


def _shown(found: Found) -> str:
    value = found.setting.value
    return f"'{value}'" if value is not None else f"the {found.variable} the shell computes"


def _origin(found: Found) -> str:
    setting = found.setting
    line = f":{setting.line}" if setting.line else ""
    return f"{found.variable} in {setting.source}{line}"


def _sources(cloud: CloudMembership) -> str:
    return ", ".join(cloud.environment.sources[-1:]) or "the environment"


def _looked(cloud: CloudMembership) -> str:
    """Where clustercheck looked, and why the running Tomcat's own environment was not read."""
    env = cloud.environment
    if env.process:
        return f"in {_sources(cloud)}"
    looked = ", ".join(env.sources) if env.sources else "no setenv.sh, unit or inventory value"
    why = env.process_error or "no running Tomcat was asked (offline, or none runs)"
    return f"looked in: {looked}; the running Tomcat's environment was not read: {why}"


def _at(found: Found | None) -> dict[str, str | int]:
    """The file and line of a variable set in a file, to point the finding there."""
    if found is None or found.setting.line is None:
        return {}
    return {"file": found.setting.source, "line": found.setting.line}


def _details(cloud: CloudMembership) -> dict[str, object]:
    return {
        "provider": cloud.provider,
        "variables": {
            name: {"value": s.value, "source": s.source, "line": s.line}
            for name, s in cloud.environment.variables.items()
        },
        "process_environment": cloud.environment.process,
    }
