"""String types of the snapshot model, defined once: computer and domain names, free text, limits.

Computer and domain names follow Microsoft's naming conventions (KB909264, "Naming conventions in
Active Directory for computers, domains, sites, and OUs"; "Complying with Name Restrictions for Hosts
and Domains", https://technet.microsoft.com/en-us/library/cc959336.aspx; "Computer Names",
https://learn.microsoft.com/en-us/windows/win32/sysinfo/computer-names): DNS labels of letters,
digits and hyphens (RFC 1123: not starting or ending with a hyphen), at most 63 characters a label,
dot-separated in a domain name or FQDN of at most 255. The 15-character NetBIOS limit is *not*
enforced here: a longer name is valid input that a rule reports (VMM 2012 setup refuses it).

Control characters (C0 U+0000-U+001F including TAB, CR and LF; DEL and C1 U+007F-U+009F) are refused
in every string at load time by a byte scan of the whole document (`inventory/scan.py`), so the
free-text types below carry only a length limit, which msgspec checks in C while decoding.
"""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

LABEL_MAX = 63
DNS_NAME_MAX = 255
TEXT_MAX = 256
LONG_TEXT_MAX = 1024
VERSION_MAX = 64

# 1-63 letters, digits and hyphens, not starting or ending with a hyphen (lookarounds: cheaper than backtracking).
_LABEL = r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)"

ComputerName = Annotated[str, Meta(
    min_length=1, max_length=LABEL_MAX, pattern=f"^{_LABEL}$",
    description="Computer name: one DNS label of letters, digits and hyphens (KB909264); over 15 characters is a finding, not an error")]
"""A computer (NetBIOS / DNS host) name, or a field that refers to one."""

DnsName = Annotated[str, Meta(
    min_length=1, max_length=DNS_NAME_MAX, pattern=fr"^{_LABEL}(?:\.{_LABEL})*$",
    description="DNS name: dot-separated labels of letters, digits and hyphens, each at most 63 characters, at most 255 in all")]
"""A DNS domain name, or a host name that may be fully qualified (FQDN)."""

DnsNameOrWildcard = Annotated[str, Meta(
    min_length=1, max_length=DNS_NAME_MAX, pattern=fr"^(?:\*|(?:\*\.)?{_LABEL}(?:\.{_LABEL})*)$",
    description="An FQDN, '*', or a wildcard such as *.contoso.local")]
"""A Hyper-V Replica authorization entry's server: an FQDN or a wildcard."""

Text = Annotated[str, Meta(max_length=TEXT_MAX)]
"""Free text: names of VMs, NICs, teams, services, software; captions, editions, states."""

LongText = Annotated[str, Meta(max_length=LONG_TEXT_MAX)]
"""Longer free text: file system paths, shares, distinguished names, certificate subjects."""

VersionText = Annotated[str, Meta(max_length=VERSION_MAX, description="A version string, e.g. 2.0.4521.0")]
"""A product version as the product reports it (free form, short)."""

LIMITS: dict[str, int] = {
    "computer name (a DNS label)": LABEL_MAX,
    "DNS domain name or FQDN": DNS_NAME_MAX,
    "text": TEXT_MAX,
    "paths, distinguished names, certificate subjects": LONG_TEXT_MAX,
    "versions": VERSION_MAX,
}
