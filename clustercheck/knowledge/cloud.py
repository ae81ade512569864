"""Cloud membership (CloudMembershipService): its providers and the environment they read.

Sources: apache/tomcat java/org/apache/catalina/tribes/membership/cloud/
CloudMembershipService.java (membershipProviderClassName, the `kubernetes` and `dns` shortcuts,
Kubernetes by default), CloudMembershipProvider.java (getEnv: the first variable set wins;
getNamespace: OPENSHIFT_KUBE_PING_NAMESPACE, then KUBERNETES_NAMESPACE, else "tomcat" with a
warning), KubernetesMembershipProvider.java (start: no namespace is an IllegalArgumentException;
the pods of the namespace, filtered by `labelSelector` only when KUBERNETES_LABELS is set; only
Running pods) and DNSMembershipProvider.java (DNS_MEMBERSHIP_SERVICE_NAME, else the namespace,
resolved with InetAddress.getAllByName; its javadoc's headless Service). Versions: the project's
field notes (../shared/notes/field.md #21 and §4: cloud membership 9.0.13, DNS 9.0.15; Tomcat
8.5 never had it), in knowledge.tomcat's table of added classes.
"""

from __future__ import annotations

CLOUD_PACKAGE = "org.apache.catalina.tribes.membership.cloud."
CLOUD_MEMBERSHIP_SERVICE = CLOUD_PACKAGE + "CloudMembershipService"
KUBERNETES_PROVIDER = CLOUD_PACKAGE + "KubernetesMembershipProvider"
DNS_PROVIDER = CLOUD_PACKAGE + "DNSMembershipProvider"
PROVIDER_ATTRIBUTE = "membershipProviderClassName"
# membershipProviderClassName shortcuts (CloudMembershipService.start); none written: Kubernetes
PROVIDER_SHORTCUTS = {"kubernetes": KUBERNETES_PROVIDER, "dns": DNS_PROVIDER}

# Each setting with the variables that give it, the first set winning, as each provider asks
# getEnv. The namespace is asked in the other order by getNamespace (the DNS provider's fallback).
NAMESPACE = ("KUBERNETES_NAMESPACE", "OPENSHIFT_KUBE_PING_NAMESPACE")
DNS_NAMESPACE = ("OPENSHIFT_KUBE_PING_NAMESPACE", "KUBERNETES_NAMESPACE")
LABELS = ("KUBERNETES_LABELS", "OPENSHIFT_KUBE_PING_LABELS")
SERVICE_NAME = ("DNS_MEMBERSHIP_SERVICE_NAME",)
API_HOST = ("KUBERNETES_SERVICE_HOST", "OPENSHIFT_KUBE_PING_MASTER_HOST")
DEFAULT_DNS_NAMESPACE = "tomcat"  # getNamespace's fallback

# The only variables clustercheck keeps from a node's environment: a process environment may
# hold secrets (KUBERNETES_CLIENT_KEY_PASSWORD among the provider's own), and none of these is.
CLOUD_VARIABLES: tuple[str, ...] = tuple(
    dict.fromkeys((*NAMESPACE, *LABELS, *SERVICE_NAME, *API_HOST))
)


def provider_class(written: str | None) -> str:
    """The provider class CloudMembershipService loads for membershipProviderClassName."""
    if not written:
        return KUBERNETES_PROVIDER
    return PROVIDER_SHORTCUTS.get(written, written)
