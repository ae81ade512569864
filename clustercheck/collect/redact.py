"""A snapshot's secrets, replaced by keyed fingerprints before anything reaches the disk.

Each secret text becomes `cc-hmac-` and 20 hex digits of an HMAC-SHA256 under a key made for the
snapshot and then forgotten: equal secrets stay equal (CC103 compares the workers' secret with
the connector's across nodes), and nothing can be learnt from a fingerprint without the key. A
secret of 16 or more hexadecimal digits (an encryptionKey) becomes `cc0ffee5` and hex digits of
its own length instead, so it is still a key Tomcat would take (CC605 judges it alike offline).

Where a secret is set (parsers/secrets.py finds it in every syntax), only its text is replaced:
quotes, references, mod_jk's `#` and a stray non-breaking space stay, so the file still means
what it meant (a secret `"x"` that mod_jk reads with its quotes, a secret cut at `#`). A name a
secret value references (`${ajp.secret}`, `$(secret)`) holds a secret too, wherever it is set.
Elsewhere a secret of HIDDEN_MIN characters or more is replaced wherever it stands as text (a
worker named like its secret, the same text in another value), never in a name, so that a
secret `password` leaves the `password=` attributes alone.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Iterable, Mapping

from clustercheck.knowledge.secrets import Secrets, fingerprint_form
from clustercheck.parsers.secrets import file_kind, find_secrets, layout

_REFERENCE_DEPTH = 21  # chains of references followed, one deeper than mod_jk's $(...) (20)
_XML_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&apos;"))


class Redactor:
    """The redaction of one snapshot: its key, and every secret of every file it holds."""

    def __init__(
        self, files: Mapping[str, bytes], known: Iterable[str], public: Iterable[str] = ()
    ) -> None:
        """`files`: every file of the snapshot by a unique name (its kind is told by the path's
        last part); `known`: secrets the facts hold as the parsers resolved them; `public`: the
        names of nodes, hosts and paths, which a snapshot keeps (knowledge/secrets.Secrets)."""
        self._key = os.urandom(32)
        texts = {path: _text(data)[0] for path, data in files.items()}
        self.names: set[str] = set()
        for _depth in range(_REFERENCE_DEPTH):  # a referenced value may reference another one
            found = [
                find_secrets(text, file_kind(path, text), self.names)
                for path, text in texts.items()
            ]
            referenced = {r for f in found for v in f.values for r in v.references}
            if referenced <= self.names:
                break
            self.names |= referenced
        secrets = set(known).union(*(f.secrets for f in found))
        public = tuple(public)
        self._elsewhere = Secrets(secrets, public=public)
        self._elsewhere_xml = Secrets(secrets, _xml_escape, public)

    def fingerprint(self, secret: str) -> str:
        digest = hmac.new(self._key, secret.encode("utf-8", "surrogateescape"), hashlib.sha256)
        return fingerprint_form(secret, digest.hexdigest())

    def file(self, path: str, data: bytes) -> bytes:
        """A file as the snapshot keeps it; every byte that is no secret stays as it was."""
        text, encoding = _text(data)
        kind = file_kind(path, text)
        if kind == "binary":  # a known secret masked in place: every offset of the file holds
            masked = self._elsewhere.replace(
                text, lambda secret: "*" * len(secret.encode(encoding, "surrogateescape"))
            )
            return masked.encode(encoding, "surrogateescape")
        return self._redacted(text, kind).encode(encoding, "surrogateescape")

    def text(self, text: str, xml: bool = False) -> str:
        """Text that sets no secret, with every secret of the snapshot in it replaced."""
        return (self._elsewhere_xml if xml else self._elsewhere).replace(text, self.fingerprint)

    def value(self, name: str, value: str) -> str:
        """A value set under `name` outside the files (the inventory's system properties)."""
        return self._redacted(f"{name}={value}", "lines")[len(name) + 1 :]

    def _redacted(self, text: str, kind: str) -> str:
        out: list[str] = []
        for chunk, value, is_name in layout(text, find_secrets(text, kind, self.names)):
            if value is not None:
                out += [
                    p.text if p.secret is None else self._replaced(p.text, p.secret, kind)
                    for p in value.parts
                ]
            else:
                out.append(chunk if is_name else self.text(chunk, xml=kind == "xml"))
        return "".join(out)

    def _replaced(self, written: str, secret: str, kind: str) -> str:
        """A secret's text replaced; a catalina.properties value continued over several lines
        keeps them (as empty lines), so the lines after it keep their numbers."""
        return self.fingerprint(secret) + ("\n" * written.count("\n") if kind == "java" else "")


def _text(data: bytes) -> tuple[str, str]:
    """Text that encodes back to the same bytes: UTF-16 after its byte order mark (Tomcat reads
    such a server.xml), UTF-8 when it is, else Latin-1."""
    encoding = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}.get(data[:2], "utf-8")
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _xml_escape(text: str) -> str:
    for char, entity in _XML_ESCAPES:
        text = text.replace(char, entity)
    return text
