"""Which configuration names hold secrets, and how a secret is kept out of text.

One rule for every file and every output: an attribute, key, variable or directive whose name
says secret, password, passphrase, pwd, credential, token, pass or key (at its end: `keystorePass`,
`encryptionKey`, mod_jk's `secretkey`) holds a secret, in any case (Tomcat's `Secret=` sets the
secret) and under a misspelt name that keeps `secr` or `passw`; a name that only points at or
qualifies a secret (`secretRequired`, `keystoreFile`, `keyAlias`, `...PasswordFile`) does not,
nor does httpd's `ProxyPass`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable

# Shorter text is hidden where it is set, but not wherever it appears: a secret of five letters
# is a word of some report, and hiding every such word would hide the report instead.
HIDDEN_MIN = 6
MASK = "***"
# What a snapshot holds in place of a secret's text (collect/redact.py): this prefix and 20 hex
# digits of a keyed HMAC, equal for equal secrets.
FINGERPRINT_PREFIX = "cc-hmac-"
# A secret of hexadecimal digits (an EncryptInterceptor's encryptionKey) is replaced by hex
# digits of its own length, this prefix first, so that what Tomcat would make of it (CC605: a
# key is an even number of hex digits) is judged the same from the snapshot as live.
HEX_FINGERPRINT_PREFIX = "cc0ffee5"
HEX_FINGERPRINT_MIN = 16  # shorter hex secrets keep the plain form (too few digits to carry one)
_FINGERPRINT = re.compile(
    re.escape(FINGERPRINT_PREFIX) + "[0-9a-f]{20}|" + HEX_FINGERPRINT_PREFIX + "[0-9a-f]{8,}"
)
_HEX_SECRET = re.compile(r"(?:[0-9A-Fa-f]{2}){" + str(HEX_FINGERPRINT_MIN // 2) + ",}")

_SAYS_SECRET = re.compile(r"secr|passw|passphrase|pwd|credential|token|(?:pass|key)s?$", re.I)
_ABOUT_A_SECRET = re.compile(
    r"(?:required|file|path|alias|type|provider|algorithm|class|query|name)$", re.I
)
# Names that end like a secret's and set none: httpd's ProxyPass maps a path to a backend URL
# (mod_proxy.html#proxypass); taken for a secret, its rule would be hidden from every report and
# replaced in snapshots, which then proxy nothing.
_NAMED_LIKE_A_SECRET = frozenset({"proxypass"})
# What surrounds a secret's text without being part of what it was meant to be (mod_jk keeps a
# trailing non-breaking space, quotes are kept by mod_jk and dropped by httpd).
_WRAPPING = " \t\r\n\xa0\"'"


# Memoized: every attribute, key and variable of every file of every node is asked about, and
# the nodes of a cluster write the same few hundred names. Bounded: the names are a node's word.
@functools.lru_cache(maxsize=4096)
def is_secret_name(name: str) -> bool:
    """Whether a value set under this name is a secret."""
    if name.lower() in _NAMED_LIKE_A_SECRET:
        return False
    return bool(_SAYS_SECRET.search(name)) and not _ABOUT_A_SECRET.search(name)


def fingerprint_form(secret: str, digest: str) -> str:
    """What a snapshot writes for `secret`, given the hex digest of its keyed HMAC: the hex
    form of a hexadecimal secret's length (the digest repeated as needed), else the plain one."""
    if _HEX_SECRET.fullmatch(secret):
        digits = HEX_FINGERPRINT_PREFIX + digest * (len(secret) // len(digest) + 1)
        return digits[: len(secret)]
    return FINGERPRINT_PREFIX + digest[:20]


def is_fingerprint(text: str) -> bool:
    """Whether a value is a snapshot's fingerprint of a secret, not the secret."""
    return _FINGERPRINT.fullmatch(text) is not None


def forms(secret: str) -> set[str]:
    """The secret and the text it was meant to be, without what wraps it; both are hidden."""
    return {secret, secret.strip(_WRAPPING)}


class Secrets:
    """Secrets to find in text, each also in the form `also` writes it (escaped), found in one
    pass over the text whatever their number: a node holding thousands of secrets must not make
    every report and snapshot slow. Text shorter than HIDDEN_MIN is no secret here, nor is text
    inside a `public` name (a node's, a host's, a path read): it shows there whatever is done,
    and hiding it elsewhere would only make the files name another host or file."""

    def __init__(
        self,
        secrets: Iterable[str],
        also: Callable[[str], str] | None = None,
        public: Iterable[str] = (),
    ) -> None:
        public = tuple(public)
        self._secret_of = {
            s: s for s in secrets if len(s) >= HIDDEN_MIN and not any(s in p for p in public)
        }
        if also is not None:
            self._secret_of |= {also(s): s for s in list(self._secret_of)}
        self._by_start: dict[str, list[str]] = {}  # the first HIDDEN_MIN characters -> forms
        for form in sorted(self._secret_of, key=len, reverse=True):  # so no secret leaves a tail
            self._by_start.setdefault(form[:HIDDEN_MIN], []).append(form)

    def replace(self, text: str, by: Callable[[str], str]) -> str:
        """`text` with every secret replaced by what `by` makes of it."""
        starts = self._by_start
        if not starts:
            return text
        # where a secret may start, in one comprehension: most text holds none, and this scan
        # is all it costs
        maybe = [
            at for at in range(len(text) - HIDDEN_MIN + 1) if text[at : at + HIDDEN_MIN] in starts
        ]
        out: list[str] = []
        done = 0
        for at in maybe:
            if at < done:
                continue  # inside the secret just replaced
            candidates = starts[text[at : at + HIDDEN_MIN]]
            form = next((f for f in candidates if text.startswith(f, at)), None)
            if form is not None:
                out += [text[done:at], by(self._secret_of[form])]
                done = at + len(form)
        return "".join([*out, text[done:]])

    def hide(self, text: str) -> str:
        """`text` with every secret replaced by MASK."""
        return self.replace(text, lambda _secret: MASK)


def hiding(secrets: Iterable[str], public: Iterable[str] = ()) -> Secrets:
    """The secrets as a message may quote them: as they are, or escaped as repr() writes them."""
    return Secrets(secrets, lambda s: s.encode("unicode_escape").decode("ascii"), public)
