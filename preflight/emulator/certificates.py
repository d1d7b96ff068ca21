"""Which certificate a Replica server may use: held by every computer it runs on, naming the server itself."""

from __future__ import annotations

from typing import Any

from preflight.emulator.effects import Refused
from preflight.inventory.common import known


def _cert_names(cert: Any) -> set[str]:
    names = {n.casefold() for n in cert.dns_names} if known(cert.dns_names) else set()
    if known(cert.subject):
        names |= {part.strip()[3:].casefold() for part in cert.subject.split(",") if part.strip().upper().startswith("CN=")}
    return names


def _names_it(names: set[str], fqdn: str) -> bool:
    fqdn = fqdn.casefold()
    if "." not in fqdn:  # only the NetBIOS name is known: compare the first label
        return any(n.split(".")[0] == fqdn for n in names)
    return fqdn in names or any(n.startswith("*.") and fqdn.partition(".")[2] == n[2:] for n in names)


def identity(owner: Any) -> str:
    """The name a Replica server's certificate must carry: its FQDN, else its name."""
    return owner.fqdn if known(owner.fqdn) else owner.name


def check_certificate(hosts: list[Any], thumbprint: str, fqdn: str) -> None:
    """Set-VMReplicationServer takes a certificate from LocalMachine\\My of each computer the Replica server runs
    on, and it must name the Replica server (the host, or the broker's client access point), not another one."""
    if not thumbprint:
        raise Refused(f"{fqdn}: certificate authentication needs a certificate thumbprint")
    for host in hosts:
        if not known(host.certificates):
            raise Refused(f"{host.name}: its certificates were not collected, so the result cannot be predicted")
        cert = next((c for c in host.certificates if c.thumbprint.casefold() == thumbprint.casefold()), None)
        if cert is None:
            raise Refused(f"{host.name}: no certificate {thumbprint} in LocalMachine\\My")
        names = _cert_names(cert)
        if (known(cert.subject) or known(cert.dns_names)) and not _names_it(names, fqdn):
            raise Refused(f"{host.name}: certificate {thumbprint} names {', '.join(sorted(names)) or 'nothing'}, "
                          f"not the Replica server {fqdn}")
