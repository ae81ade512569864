"""Asks each balancing module of a live apache node for its own view of its balancers (CC804):
the status page found in httpd's configuration (derive/status_pages.py), fetched ON the node
over its open connection, so no port needs to be open to clustercheck.

The fetch is a constant script for what the node has (curl, else wget, else python3's urllib:
curl costs the node a few ms of CPU where python3 with urllib and ssl takes ~100);
the URL, the Host header and the Referer travel as separate arguments, quoted by the
transport, never pasted into code. It reads at most MAX_PAGE_BYTES, waits at most the node's
command timeout, ignores any proxy of the node's environment (the page is httpd's own), and
sends a Referer naming the server: balancer-manager honours `?xml=1` only then (and logs
AH10187 for a request with parameters and no Referer).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from clustercheck.collect.transports.base import Transport, TransportError
from clustercheck.derive.status_pages import JK, StatusEndpoint, status_endpoints
from clustercheck.facts.balancer import BalancerView
from clustercheck.facts.cluster import NodeFacts
from clustercheck.parsers.balancer_manager import parse_balancer_manager
from clustercheck.parsers.jkstatus import parse_jkstatus
from clustercheck.parsers.status_page import StatusPage, parse_answer
from clustercheck.parsers.text import decode

MAX_PAGE_BYTES = 1024 * 1024  # a status page of a few hundred members is far below this
FETCH_TIMEOUT_S = 10.0  # one request to the node's own httpd

# argv: url host referer timeout cap. Prints `HTTP/1.1 CODE`, a blank line and the body, or
# `error: why`. A certificate is not verified: the node asks its own httpd.
PYTHON_FETCH = r"""
import ssl, sys, urllib.error, urllib.request
url, host, referer, limit, cap = sys.argv[1:6]
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
opener = urllib.request.build_opener(
    urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context))
request = urllib.request.Request(url, headers={"Host": host, "Referer": referer})
try:
    try:
        answer = opener.open(request, timeout=float(limit))
    except urllib.error.HTTPError as exc:
        answer = exc
    body = answer.read(int(cap))
    code = answer.getcode()
except Exception as exc:
    print("error: %s: %s" % (type(exc).__name__, exc))
    sys.exit(0)
sys.stdout.write("HTTP/1.1 %d\r\n\r\n" % code)
sys.stdout.flush()
sys.stdout.buffer.write(body)
"""

# curl (status line and headers, then the body), else wget (the body alone; an HTTP error is
# its exit status 8), else exit 127: python3 is asked instead.
SHELL_FETCH = r"""
url=$1; host=$2; referer=$3; limit=$4; cap=$5
if command -v curl >/dev/null 2>&1; then
  { curl -s -k --noproxy '*' -m "$limit" -H "Host: $host" -e "$referer" -D - "$url" ||
    echo "error: curl exited with $?"; } | head -c "$cap"
elif command -v wget >/dev/null 2>&1; then
  { wget -q -O - --no-proxy --no-check-certificate --tries=1 -T "$limit" \
      --header "Host: $host" --referer "$referer" "$url" ||
    echo "error: wget exited with $?"; } | head -c "$cap"
else
  exit 127
fi
"""


def fetch_command(flavour: str, url: str, host: str, referer: str) -> list[str]:
    """argv of one fetch; every value is an argument, never part of the script."""
    args = [url, host, referer, f"{FETCH_TIMEOUT_S:g}", str(MAX_PAGE_BYTES)]
    if flavour == "python3":
        return ["python3", "-c", PYTHON_FETCH, *args]
    return ["sh", "-c", SHELL_FETCH, "fetch", *args]


def gather_balancer(transport: Transport, node: NodeFacts) -> tuple[BalancerView, ...] | None:
    """Each status page of a live Linux apache node, asked and read; None on Windows (not
    asked: no fetch for it is written)."""
    if node.settings.os == "windows":
        return None
    return tuple(_view(transport, endpoint) for endpoint in status_endpoints(node))


def _view(transport: Transport, endpoint: StatusEndpoint) -> BalancerView:
    def view(page: StatusPage | None = None, error: str | None = None) -> BalancerView:
        return BalancerView(
            module=endpoint.module,
            url=endpoint.url,
            source=endpoint.source,
            file=endpoint.file,
            line=endpoint.line,
            balancers=page.balancers if page else (),
            error=error or (page.error if page else None),
        )

    parts = urlsplit(endpoint.url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return view(error="not an http:// or https:// URL: not asked")
    host = endpoint.host_header or parts.netloc
    referer = f"{parts.scheme}://{host}{parts.path}"
    text = "error: neither curl, wget nor python3 on the node"
    for flavour in ("shell", "python3"):
        try:
            result = transport.run(
                fetch_command(flavour, endpoint.url, host, referer), timeout=FETCH_TIMEOUT_S + 5
            )
        except TransportError as exc:
            return view(error=f"not asked: {exc}")
        if result.timed_out:
            return view(error=f"no answer within {FETCH_TIMEOUT_S:g} s")
        if result.exit_status == 127:
            continue  # no curl or wget: python3; no python3: none
        text = decode(result.stdout[: MAX_PAGE_BYTES + 4096])
        break
    answer = parse_answer(text)
    if answer.error is not None:
        return view(error=f"no answer: {answer.error}")
    if answer.status is not None and answer.status != 200:
        return view(error=f"HTTP {answer.status}")
    parse = parse_jkstatus if endpoint.module == JK else parse_balancer_manager
    return view(parse(answer.body))
