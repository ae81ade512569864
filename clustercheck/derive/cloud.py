"""What a node's CloudMembershipService will do: its provider and the environment values that
provider takes, in the order it asks for them (knowledge.cloud). Shared by CC507, which judges
one node, and CC505, which compares the nodes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from clustercheck.facts.cluster import NodeFacts
from clustercheck.facts.environment import EnvironmentFacts, EnvSetting
from clustercheck.knowledge.cloud import (
    API_HOST,
    CLOUD_MEMBERSHIP_SERVICE,
    DNS_NAMESPACE,
    DNS_PROVIDER,
    KUBERNETES_PROVIDER,
    LABELS,
    NAMESPACE,
    PROVIDER_ATTRIBUTE,
    SERVICE_NAME,
    provider_class,
)
from clustercheck.parsers.serverxml import Component, ServerXml


@dataclass(frozen=True)
class Found:
    """A setting's variable and where it was set; `setting.value` None: computed by a shell."""

    variable: str
    setting: EnvSetting


@dataclass(frozen=True)
class CloudMembership:
    """A node's cloud membership as Tomcat starts it."""

    server: ServerXml
    element: Component  # the <Membership>
    provider: str  # the class loaded
    environment: EnvironmentFacts  # what was read (empty when nothing could be)
    namespace: Found | None  # as the provider asks (DNS: only when no service name is set)
    labels: Found | None  # Kubernetes provider only
    service_name: Found | None  # DNS provider only
    api_host: Found | None  # Kubernetes provider only

    @property
    def kubernetes(self) -> bool:
        return self.provider == KUBERNETES_PROVIDER

    @property
    def dns(self) -> bool:
        return self.provider == DNS_PROVIDER


def lookup(environment: EnvironmentFacts, names: Sequence[str]) -> Found | None:
    """The first of `names` that is set, as CloudMembershipProvider.getEnv asks."""
    for name in names:
        setting = environment.variables.get(name)
        if setting is not None:
            return Found(name, setting)
    return None


def cloud_membership(node: NodeFacts) -> CloudMembership | None:
    """The node's cloud membership; None when its Cluster uses another membership."""
    server = node.tomcat.server if node.tomcat else None
    config = server.clusters[0] if server and server.clusters else None
    element = config.membership if config else None
    if server is None or element is None or element.class_name != CLOUD_MEMBERSHIP_SERVICE:
        return None
    environment = (node.live.environment if node.live else None) or EnvironmentFacts()
    provider = provider_class(element.attrs.get(PROVIDER_ATTRIBUTE))
    kubernetes, dns = provider == KUBERNETES_PROVIDER, provider == DNS_PROVIDER
    service = lookup(environment, SERVICE_NAME) if dns else None
    namespace = None
    if kubernetes:
        namespace = lookup(environment, NAMESPACE)
    elif dns and service is None:
        namespace = lookup(environment, DNS_NAMESPACE)
    return CloudMembership(
        server,
        element,
        provider,
        environment,
        namespace,
        lookup(environment, LABELS) if kubernetes else None,
        service,
        lookup(environment, API_HOST) if kubernetes else None,
    )


def comparable(cloud: CloudMembership) -> dict[str, str]:
    """What members must share to find each other: the provider and the values it uses."""
    summary = {"provider": cloud.provider.rsplit(".", 1)[-1]}
    uses_namespace = cloud.kubernetes or (cloud.dns and cloud.service_name is None)
    for key, found in (
        ("namespace", cloud.namespace),
        ("labels", cloud.labels),
        ("service name", cloud.service_name),
    ):
        if found is not None:
            value = found.setting.value
            summary[key] = value if value is not None else f"(computed: {found.variable})"
        elif key == "namespace" and uses_namespace:
            summary[key] = "(not set)"
        elif key == "labels" and cloud.kubernetes:
            summary[key] = "(none: every pod)"
    return summary
