"""The cases: real server.xml files and systematic mutations of them.

Seeds:
- `lab`: the lab's node 1 server.xml (tests/lab/templates/server.xml, rendered by the lab's own
  `render`), a healthy Tomcat 10 DeltaManager cluster;
- `seed10`: the seed's tomcat02 (examples/seed-cluster, Tomcat 6 with the how-to's edits) with
  the few edits that make it start on Tomcat 10.1 (`modernize`), so that mutations of the
  how-to's own elements and attributes are measured against a file that starts.

Mutations, for every element and attribute of a seed (`OPERATORS`): the name's case changed, a
typo in the name (two letters swapped), an attribute removed, the element moved under a wrong
parent, a wrong value type (`45564x`, `yes` for a boolean), an undefined `${prop}` as the value,
and for a `className`: a typo, the Tomcat 5 class of the same name, a class of the wrong type.
Plus the hand-written cases of issue 13 (`ISSUE13`), the seed's three files and every file of
the corpus as they are.

All of it is deterministic. The full set is a few hundred Tomcat starts; CI runs a sample
(`sample`): every hand-written, seed and corpus case and a fixed share of each mutation
operator, picked by a hash of the case id, so that the same cases run every time and a new
seed element does not reshuffle the rest.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import cast
from xml.dom.minidom import Document, Element

from defusedxml.minidom import parseString
from differential.tomcat_truth import confine
from support import REPO

LAB = REPO / "tests" / "lab"
SEED = REPO / "examples" / "seed-cluster" / "hosts"
SEED_FILES = {
    "tomcat01": SEED / "centos/root/tomcat/conf/server.xml",
    "tomcat02": SEED / "asianux/root/tomcat/conf/server.xml",
    "tomcat03": SEED / "windows/C/tomcat/conf/server.xml",
}
FULL = os.environ.get("CLUSTERCHECK_DIFFERENTIAL", "").lower() == "full"
ONLY = os.environ.get("CLUSTERCHECK_DIFFERENTIAL_ONLY", "")  # a regex over case ids
SAMPLE_SHARE = 0.22  # of each mutation operator's cases, in CI


@dataclass(frozen=True)
class Case:
    """One server.xml to start Tomcat on and to judge with clustercheck."""

    id: str  # seed/mutation/target, stable across runs: the expectations' key
    seed: str
    mutation: str
    target: str
    text: bytes  # as Tomcat and clustercheck get it (addresses confined)
    note: str = ""


# ------------------------------------------------------------------------------- seeds


def lab_module() -> ModuleType:
    """tests/lab/lab.py (standard library only), for its templates and constants."""
    if str(LAB) not in sys.path:
        sys.path.append(str(LAB))
    return importlib.import_module("lab")


def lab_server_xml() -> str:
    """Node 1 of the lab, rendered with the lab's own template function; its addresses are
    127.0.0.1, where a namespace run has them."""
    lab = lab_module()
    text = lab.render(
        "server.xml",
        node=1,
        hostname=lab.Lab.hostname(1),
        ip="127.0.0.1",
        ajp_port=lab.AJP_PORT,
        ajp_address="127.0.0.1",
        ajp_timeout_ms=lab.AJP_IDLE_TIMEOUT_S * 1000,
        ajp_secret=f'secret="{lab.SECRET}"',
        jvm_route=lab.Lab.route(1),
        receiver_address="127.0.0.1",
        receiver_port=lab.RECEIVER_PORT,
        membership=lab.render("membership-mcast.xml", ip="127.0.0.1").rstrip("\n"),
        interceptors=lab.channel_interceptors(),
        state_transfer_timeout=lab.STATE_TRANSFER_TIMEOUT_S,
    )
    return cast(str, text)


# The seed's Tomcat 6 file as someone upgrading it to Tomcat 10.1 would leave it: classes that
# no longer exist gone or replaced (Host's XML attributes too), the filter one regex, the AJP
# connector given a secret.
_MODERNIZE: tuple[tuple[str, str], ...] = (
    (r'\s*<Listener className="org\.apache\.catalina\.core\.JasperListener" />', ""),
    (r'\s*<Listener className="org\.apache\.catalina\.mbeans\.ServerLifecycleListener" />', ""),
    (r"MessageDispatch15Interceptor", "MessageDispatchInterceptor"),
    (r'\s*<ClusterListener className="[^"]*JvmRouteSessionIDBinderListener"/>', ""),
    (r'filter="[^"]*"', r'filter=".*\\.gif|.*\\.js|.*\\.jpg|.*\\.png|.*\\.css|.*\\.txt"'),
    (r'(protocol="AJP/1\.3")', r'\1 secret="seed"'),
    (r'\s+xmlValidation="false" xmlNamespaceAware="false"', ""),
)


def modernize(text: str) -> str:
    for pattern, replacement in _MODERNIZE:
        text, count = re.subn(pattern, replacement, text)
        assert count, f"the seed changed: {pattern} no longer matches"
    return text


def seeds() -> dict[str, str]:
    """Mutation seeds: name → server.xml text."""
    return {
        "lab": lab_server_xml(),
        "seed10": modernize(SEED_FILES["tomcat02"].read_text(encoding="utf-8")),
    }


# --------------------------------------------------------------------------- the tree


def _parse(text: str) -> Document:
    return cast(Document, parseString(text))


def _elements(node: Document | Element) -> Iterator[Element]:
    for child in node.childNodes:
        if isinstance(child, Element):
            yield child
            yield from _elements(child)


def _path(element: Element) -> str:
    """Server/Service/Connector[2]: tags from the root, an index where siblings share a tag."""
    parts = []
    node: object = element
    while isinstance(node, Element):
        parent = node.parentNode
        siblings = getattr(parent, "childNodes", [])
        same = [c for c in siblings if isinstance(c, Element) and c.tagName == node.tagName]
        index = f"[{same.index(node) + 1}]" if len(same) > 1 else ""
        parts.append(node.tagName + index)
        node = parent
    return "/".join(reversed(parts))


def _serialize(doc: Document) -> str:
    body = "".join(child.toxml() for child in doc.childNodes)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def normalized(text: str) -> str:
    """The seed as every mutant of it is written (minidom's serialisation), unmutated."""
    return _serialize(_parse(text))


# ---------------------------------------------------------------------------- operators

Mutate = Callable[[Element], str | None]  # changes the element in place; None: not applicable


def _swap(name: str) -> str | None:
    """A typo: two neighbouring letters near the middle swapped (the first pair that differs)."""
    middle = len(name) // 2
    for i in (middle - 1, middle, middle - 2, middle + 1):
        if 0 < i < len(name) - 1 and name[i] != name[i + 1]:
            return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    return None


def _other_case(name: str) -> str:
    return name.lower() if name != name.lower() else name.capitalize()


def _renamed(element: Element, new: str) -> None:
    """minidom cannot rename: the tag name is reset on the node (it is only serialised)."""
    element.tagName = new
    element.nodeName = new


def element_case(element: Element) -> str | None:
    new = _other_case(element.tagName)
    _renamed(element, new)
    return f"<{new}>"


def element_typo(element: Element) -> str | None:
    new = _swap(element.tagName)
    if new is None:
        return None
    _renamed(element, new)
    return f"<{new}>"


def element_misplaced(element: Element) -> str | None:
    """Moved one level up (after its parent), or, at the top, into the next sibling element."""
    parent = element.parentNode
    if not isinstance(parent, Element):
        return None
    grand = parent.parentNode
    if isinstance(grand, Element):
        parent.removeChild(element)
        grand.insertBefore(element, cast(Element | None, parent.nextSibling))
        return f"moved under <{grand.tagName}>"
    following = element.nextSibling
    while following is not None and not isinstance(following, Element):
        following = following.nextSibling
    if not isinstance(following, Element):
        return None
    parent.removeChild(element)
    following.appendChild(element)
    return f"moved into <{following.tagName}>"


def _class(element: Element) -> str | None:
    return element.getAttribute("className") or None


def class_typo(element: Element) -> str | None:
    name = _class(element)
    if name is None:
        return None
    package, _, simple = name.rpartition(".")
    typo = _swap(simple)
    if typo is None:
        return None
    element.setAttribute("className", f"{package}.{typo}")
    return f"className {package}.{typo}"


_TOMCAT5 = re.compile(r"^org\.apache\.catalina\.(?:ha|tribes)\.")


def class_tomcat5(element: Element) -> str | None:
    """Tomcat 5.5's clustering lived in org.apache.catalina.cluster.*."""
    name = _class(element)
    if name is None or not _TOMCAT5.match(name):
        return None
    old = _TOMCAT5.sub("org.apache.catalina.cluster.", name)
    element.setAttribute("className", old)
    return f"className {old}"


# A class Tomcat 10.1 has, of another kind than the element wants.
_WRONG_TYPE = {
    "Listener": "org.apache.catalina.valves.AccessLogValve",
    "Valve": "org.apache.catalina.startup.VersionLoggerListener",
    "Cluster": "org.apache.catalina.ha.session.DeltaManager",
    "Manager": "org.apache.catalina.ha.tcp.SimpleTcpCluster",
    "Channel": "org.apache.catalina.tribes.membership.McastService",
    "Membership": "org.apache.catalina.tribes.transport.nio.NioReceiver",
    "Receiver": "org.apache.catalina.tribes.membership.McastService",
    "Sender": "org.apache.catalina.tribes.transport.nio.PooledParallelSender",
    "Transport": "org.apache.catalina.tribes.transport.ReplicationTransmitter",
    "Interceptor": "org.apache.catalina.ha.tcp.ReplicationValve",
    "ClusterListener": "org.apache.catalina.ha.session.JvmRouteBinderValve",
    "Realm": "org.apache.catalina.valves.AccessLogValve",
}


def class_wrong_type(element: Element) -> str | None:
    if _class(element) is None:
        return None
    wrong = _WRONG_TYPE.get(element.tagName, "java.lang.Object")
    element.setAttribute("className", wrong)
    return f"className {wrong}"


ElementOperator = tuple[str, Mutate]
ELEMENT_OPERATORS: tuple[ElementOperator, ...] = (
    ("element-case", element_case),
    ("element-typo", element_typo),
    ("element-misplaced", element_misplaced),
    ("class-typo", class_typo),
    ("class-tomcat5", class_tomcat5),
    ("class-wrong-type", class_wrong_type),
)

AttributeMutate = Callable[[Element, str], str | None]
_NUMBER = re.compile(r"^-?\d+$")


def _rename_attribute(element: Element, old: str, new: str) -> None:
    """Same value under the new name, in the same place among the attributes."""
    values = [(n, element.getAttribute(n)) for n in list(element.attributes.keys())]
    for name, _ in values:
        element.removeAttribute(name)
    for name, value in values:
        element.setAttribute(new if name == old else name, value)


def attr_case(element: Element, name: str) -> str | None:
    new = _other_case(name)
    _rename_attribute(element, name, new)
    return f"{new}="


def attr_typo(element: Element, name: str) -> str | None:
    new = _swap(name)
    if new is None:
        return None
    _rename_attribute(element, name, new)
    return f"{new}="


def attr_removed(element: Element, name: str) -> str | None:
    element.removeAttribute(name)
    return "removed"


def attr_wrong_type(element: Element, name: str) -> str | None:
    value = element.getAttribute(name)
    if _NUMBER.match(value):
        new = value + "x"
    elif value.lower() in ("true", "false"):
        new = "yes"
    else:
        return None
    element.setAttribute(name, new)
    return f'{name}="{new}"'


def attr_undefined_property(element: Element, name: str) -> str | None:
    new = "${cc.undefined." + name + "}"
    element.setAttribute(name, new)
    return f'{name}="{new}"'


ATTRIBUTE_OPERATORS: tuple[tuple[str, AttributeMutate], ...] = (
    ("attr-case", attr_case),
    ("attr-typo", attr_typo),
    ("attr-removed", attr_removed),
    ("attr-wrong-type", attr_wrong_type),
    ("attr-undefined-property", attr_undefined_property),
)
OPERATORS = tuple(name for name, _ in (*ELEMENT_OPERATORS, *ATTRIBUTE_OPERATORS))


def mutants(seed: str, text: str) -> Iterator[Case]:
    """Every applicable operator on every element (but the root) and attribute of `text`."""
    base = _parse(text)
    targets = [(i, _path(e), e) for i, e in enumerate(_elements(base))]
    for index, path, _ in targets:
        if index == 0:
            continue  # <Server> itself: nothing would be left to start
        for name, element_operator in ELEMENT_OPERATORS:
            doc = _parse(text)
            what = element_operator(list(_elements(doc))[index])
            if what is not None:
                yield _case(seed, name, path, doc, what)
    for index, path, element in targets:
        for attribute in list(element.attributes.keys()):
            if attribute == "className":
                continue
            for name, attribute_operator in ATTRIBUTE_OPERATORS:
                doc = _parse(text)
                what = attribute_operator(list(_elements(doc))[index], attribute)
                if what is not None:
                    yield _case(seed, name, f"{path}@{attribute}", doc, what)


def _case(seed: str, mutation: str, target: str, doc: Document, what: str) -> Case:
    text = confine(_serialize(doc)).encode("utf-8")
    return Case(f"{seed}/{mutation}/{target}", seed, mutation, target, text, what)


# ------------------------------------------------------------------- hand-written cases

_AJP = re.compile(r"<Connector [^>]*protocol=\"AJP/1\.3\"[^>]*/>")
_TCP_FAILURE = (
    '<Interceptor className="org.apache.catalina.tribes.group.interceptors.TcpFailureDetector"/>'
)
_ENCRYPT = "org.apache.catalina.tribes.group.interceptors.EncryptInterceptor"
_KEY = 'encryptionKey="cafebabecafebabecafebabecafebabe"'
_STATIC = """<Membership className="org.apache.catalina.tribes.membership.StaticMembershipService">
            {local}<Member className="org.apache.catalina.tribes.membership.StaticMember"
                    host="127.0.0.2" port="4000" uniqueId="{{0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,2}}"/>
          </Membership>"""
_LOCAL = """<LocalMember className="org.apache.catalina.tribes.membership.StaticMember"
                    uniqueId="{0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1}"/>
            """
_MEMBERSHIP = re.compile(r"<Membership .*?/>", re.DOTALL)
_FARM = (
    '<Deployer className="org.apache.catalina.ha.deploy.FarmWarDeployer" '
    'tempDir="temp/war-temp/" deployDir="temp/war-deploy/" watchDir="temp/war-listen/" '
    'watchEnabled="false"/>'
)


def _sub(pattern: str | re.Pattern[str], new: str, text: str) -> str:
    changed, count = re.subn(pattern, lambda _: new, text, count=1)
    assert count == 1, f"the lab's server.xml changed: {pattern} not found"
    return changed


def _static(local: bool) -> Callable[[str], str]:
    membership = _STATIC.format(local=_LOCAL if local else "")
    return lambda t: _sub(_MEMBERSHIP, membership, t)


# name → (what it is, edit of the lab's server.xml)
ISSUE13: dict[str, tuple[str, Callable[[str], str]]] = {
    "ajp-without-secret": (
        'the how-to\'s <Connector port="8009" protocol="AJP/1.3" redirectPort="8443"/>',
        lambda t: _sub(_AJP, '<Connector port="8009" protocol="AJP/1.3" redirectPort="8443"/>', t),
    ),
    "ajp-without-secret-all-addresses": (
        'an AJP connector on address="0.0.0.0" without a secret',
        lambda t: _sub(_AJP, '<Connector port="8009" protocol="AJP/1.3" address="0.0.0.0"/>', t),
    ),
    "static-membership": (
        "StaticMembershipService with a LocalMember and one Member (the control case)",
        _static(local=True),
    ),
    "static-without-localmember": (
        "StaticMembershipService with a Member but no LocalMember",
        _static(local=False),
    ),
    "encrypt-after-tcpfailuredetector": (
        "EncryptInterceptor (with a key) after TcpFailureDetector",
        lambda t: _sub(
            re.escape(_TCP_FAILURE),
            f'{_TCP_FAILURE}\n          <Interceptor className="{_ENCRYPT}" {_KEY}/>',
            t,
        ),
    ),
    "encrypt-before-tcpfailuredetector": (
        "EncryptInterceptor (with a key) before TcpFailureDetector (the control case)",
        lambda t: _sub(
            re.escape(_TCP_FAILURE),
            f'<Interceptor className="{_ENCRYPT}" {_KEY}/>\n          {_TCP_FAILURE}',
            t,
        ),
    ),
    "encrypt-without-key": (
        "EncryptInterceptor before TcpFailureDetector, without encryptionKey",
        lambda t: _sub(
            re.escape(_TCP_FAILURE),
            f'<Interceptor className="{_ENCRYPT}"/>\n          {_TCP_FAILURE}',
            t,
        ),
    ),
    "membership-not-multicast": (
        'McastService address="10.0.0.1", not a multicast group',
        lambda t: _sub(r'address="228\.0\.0\.4"', 'address="10.0.0.1"', t),
    ),
    "second-cluster": (
        "a second <Cluster> in the same Engine",
        lambda t: _sub(
            r"\n(\s*)<Host ",
            '\n      <Cluster className="org.apache.catalina.ha.tcp.SimpleTcpCluster"/>\n'
            "      <Host ",
            t,
        ),
    ),
    "farm-deployer-in-engine-cluster": (
        "FarmWarDeployer in the Engine's Cluster (it works in a Host's only)",
        lambda t: _sub(r"\n(\s*)</Cluster>", f"\n        {_FARM}\n      </Cluster>", t),
    ),
    "server-listener-in-cluster": (
        "JreMemoryLeakPreventionListener (a Server listener) inside the Cluster",
        lambda t: _sub(
            r"\n(\s*)</Cluster>",
            '\n        <Listener className="org.apache.catalina.core.'
            'JreMemoryLeakPreventionListener"/>\n      </Cluster>',
            t,
        ),
    ),
    "deltamanager-attributes-on-backupmanager": (
        "BackupManager keeping the DeltaManager's expireSessionsOnShutdown and "
        "stateTransferTimeout",
        lambda t: _sub(r"ha\.session\.DeltaManager", "ha.session.BackupManager", t),
    ),
}


def issue13_cases() -> Iterator[Case]:
    lab = lab_server_xml()
    for name, (what, edit) in ISSUE13.items():
        yield Case(f"issue13/{name}", "lab", name, "", confine(edit(lab)).encode(), what)


# --------------------------------------------------------------------------------- sets


def as_is_cases(corpus: Path | None) -> Iterator[Case]:
    """The seeds as mutants see them, the seed's files, the corpus files: unmutated."""
    for name, text in seeds().items():
        yield Case(f"{name}/as-is", name, "as-is", "", confine(normalized(text)).encode())
    for node, path in SEED_FILES.items():
        yield Case(f"seed/{node}", "seed", "as-is", "", confine_bytes(path.read_bytes()))
    if corpus is not None:
        for path in sorted((corpus / "serverxml").glob("*.xml")):
            yield Case(
                f"corpus/{path.stem}", "corpus", "as-is", "", confine_bytes(path.read_bytes())
            )


def confine_bytes(data: bytes) -> bytes:
    """`confine` on a file's bytes, which stay as they are where nothing is confined (a BOM,
    CRLF, another encoding: the corpus keeps them)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    changed = confine(text)
    return data if changed == text else changed.encode("utf-8")


def all_cases(corpus: Path | None) -> list[Case]:
    cases = [*as_is_cases(corpus), *issue13_cases()]
    for name, text in seeds().items():
        cases += mutants(name, text)
    ids = [c.id for c in cases]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    return cases


def _rank(case: Case) -> str:
    return hashlib.sha1(case.id.encode()).hexdigest()


def sample(cases: list[Case], share: float = SAMPLE_SHARE) -> list[Case]:
    """Every unmutated and hand-written case, and `share` of each operator's mutants (at least
    one per seed), chosen by hash: deterministic, and stable when cases are added."""
    chosen = [c for c in cases if c.mutation not in OPERATORS]
    groups: dict[tuple[str, str], list[Case]] = {}
    for case in cases:
        if case.mutation in OPERATORS:
            groups.setdefault((case.seed, case.mutation), []).append(case)
    for group in groups.values():
        count = max(1, round(len(group) * share))
        chosen += sorted(group, key=_rank)[:count]
    order = {c.id: i for i, c in enumerate(cases)}
    return sorted(chosen, key=lambda c: order[c.id])


def selected(corpus: Path | None) -> list[Case]:
    """The cases this run starts: the CI sample, or all with CLUSTERCHECK_DIFFERENTIAL=full;
    CLUSTERCHECK_DIFFERENTIAL_ONLY=REGEX keeps those whose id it finds."""
    cases = all_cases(corpus)
    cases = cases if FULL else sample(cases)
    return [c for c in cases if re.search(ONLY, c.id)] if ONLY else cases
