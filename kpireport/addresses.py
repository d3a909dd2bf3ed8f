"""An e-mail address as kpireport sends to it: bare (name@example.com), ASCII, no header syntax.

One rule for ``send``, ``remind`` and the Distribution sheet, kept apart from the SMTP code so
that reading a workbook checks its addresses without loading smtplib or ssl.
"""

from __future__ import annotations

# RFC 5321/5322 dot-atom characters of a local part; kpireport sends without SMTPUTF8.
_ATEXT = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-")
_LABEL = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")


def address_problem(address: str) -> str | None:
    """Why ``address`` is not a bare address kpireport can send to; None when it is."""
    if address.count("@") != 1:
        return "it needs exactly one @"
    local, domain = address.split("@")
    if not local.isascii() or not domain.isascii():
        return "it has non-ASCII characters; use the ASCII form (punycode for the domain)"
    if not local or len(local) > 64 or not set(local) <= _ATEXT | {"."}:
        return "the part before @ has a character an address cannot hold"
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return "the part before @ has a misplaced dot"
    if domain == "localhost":
        return None
    labels = domain.split(".")
    if len(domain) > 253 or len(labels) < 2 or not labels[-1].isalpha() or len(labels[-1]) < 2:
        return "the domain is not a full domain name such as example.com"
    if any(not label or len(label) > 63 or not set(label) <= _LABEL or label[0] == "-" or label[-1] == "-"
           for label in labels):  # fmt: skip
        return "the domain has an empty or invalid part"
    return None
