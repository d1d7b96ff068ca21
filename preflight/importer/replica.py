"""Hyper-V Replica beyond Get-VMReplicationServer: a Replica server's authorization entries and a cluster's Broker.

`hyperv.replication_auth` is Get-VMReplicationAuthorizationEntry of a host (AllowedPrimaryServer,
ReplicaStorageLocation, TrustGroup); `cluster.replica_broker` is the collector's flat row per resource of type
"Virtual Machine Replication Broker" with the Name and DnsName private properties of the Network Name resource
in the broker's group (its client access point). No row means the cluster has no Replica Broker.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any

import msgspec

from preflight.importer import computers as c
from preflight.importer.bundle import Bundle
from preflight.importer.provenance import ObjectImport, prop
from preflight.importer.values import Missing
from preflight.inventory.names import ComputerName, DnsNameOrWildcard

BROKER_TYPE = "Virtual Machine Replication Broker"


def _valid(value: Any, kind: Any, what: str) -> Any:
    """The value when the snapshot model accepts it as `kind`, else Missing naming what is wrong."""
    if isinstance(value, Missing):
        return value
    try:
        return msgspec.convert(str(value).strip(), kind)
    except msgspec.ValidationError:
        return Missing(f"{what} {str(value)[:60]!r} is not a valid name")


def authorization_entries(bundle: Bundle, host: str) -> tuple[list[dict[str, Any]], str] | Missing:
    """`replica.authorization_entries` of a host; one unreadable entry makes the list not collected (a partial
    list would let a rule conclude a primary server is not authorized)."""
    got = c.many(bundle, host, "hyperv.replication_auth")
    if isinstance(got, Missing):
        return got
    items, where = got
    entries = []
    for item in items:
        server = _valid(prop(item, "AllowedPrimaryServer"), DnsNameOrWildcard, "AllowedPrimaryServer")
        if isinstance(server, Missing):
            return Missing(f"{where}: {server.reason}")
        entry: dict[str, Any] = {"allowed_primary_server": server}
        for key, name in (("replica_storage_location", "ReplicaStorageLocation"), ("trust_group", "TrustGroup")):
            value = prop(item, name)
            if isinstance(value, str) and value.strip():
                entry[key] = value.strip()
        entries.append(entry)
    return entries, f"{where}: AllowedPrimaryServer, ReplicaStorageLocation, TrustGroup"


def broker(bundle: Bundle, cluster: str, obj: ObjectImport) -> None:
    """`replica_broker` of a cluster: its client access point's name, or null when the cluster has no broker."""
    got = c.collected(bundle, cluster, "cluster.replica_broker", obj, "replica_broker")
    if got is None:
        return
    rows, where = got
    if not rows:
        obj.put("replica_broker", None, f"{where}: no resource of type {BROKER_TYPE}")
        return
    if len(rows) > 1:
        obj.miss("replica_broker", f"{where}: {len(rows)} {BROKER_TYPE} resources, a cluster has one")
        return
    row = rows[0]
    name = prop(row, "NetworkName")
    if isinstance(name, Missing) or not str(name).strip():
        obj.miss("replica_broker", f"{where}: the broker's group {prop(row, 'Group')!r} has no Network Name resource "
                 "with a Name private property (NetworkName)")
        return
    name = _valid(str(name).upper(), ComputerName, "NetworkName")
    if isinstance(name, Missing):
        obj.miss("replica_broker", f"{where}: {name.reason}")
        return
    obj.put("replica_broker", {"name": name}, f"{where}: NetworkName (Name private property of the group's Network Name)")
    # DnsName is the access point's DNS label; its domain suffix is not exported
    obj.miss("replica_broker.fqdn", f"{where}: DnsName is a DNS label without the domain suffix")
    obj.miss("replica_broker.replica", "the broker's Get-VMReplicationServer settings are not a bundle source")


# RFC 5280 4.2.1.12: id-kp-serverAuth and id-kp-clientAuth, under the names Windows shows (and the rules use)
_USAGES = {"1.3.6.1.5.5.7.3.1": "Server Authentication", "1.3.6.1.5.5.7.3.2": "Client Authentication"}


def _der_length(data: bytes, at: int) -> tuple[int, int]:
    """A DER length at `at`: (length, offset of the content)."""
    first = data[at]
    if first < 0x80:
        return first, at + 1
    count = first & 0x7F
    if not 1 <= count <= 4 or at + 1 + count > len(data):
        raise ValueError("bad DER length")
    return int.from_bytes(data[at + 1:at + 1 + count], "big"), at + 1 + count


def dns_names(der: bytes) -> list[str]:
    """The dNSName entries ([2] IA5String, RFC 5280 4.2.1.6) of a subjectAltName extension's GeneralNames."""
    if not der or der[0] != 0x30:
        raise ValueError("not a SEQUENCE")
    length, at = _der_length(der, 1)
    end = at + length
    if end > len(der):
        raise ValueError("truncated")
    names = []
    while at < end:
        tag = der[at]
        length, content = _der_length(der, at + 1)
        if content + length > end:
            raise ValueError("truncated")
        if tag == 0x82:
            names.append(der[content:content + length].decode("ascii"))
        at = content + length
    return names


def certificates(bundle: Bundle, host: ObjectImport) -> None:
    """`certificates` of a host from its LocalMachine\\My store (the collector's flat rows of `certs.my`)."""
    got = c.collected(bundle, host.name, "certs.my", host, "certificates")
    if got is None:
        return
    rows, where = got
    result = []
    for row in rows:
        thumbprint = prop(row, "Thumbprint")
        if isinstance(thumbprint, Missing):
            host.miss("certificates", f"{where}: a certificate without its Thumbprint ({thumbprint.reason})")
            return
        path = f"certificates[{thumbprint}]"
        cert: dict[str, Any] = {"thumbprint": str(thumbprint).upper()}
        subject = prop(row, "Subject")
        if isinstance(subject, str):
            cert["subject"] = subject
        for key, name in (("not_before", "NotBefore"), ("not_after", "NotAfter")):
            value = prop(row, name)
            try:
                cert[key] = datetime.fromisoformat(str(value)) if not isinstance(value, Missing) else value
            except ValueError:
                cert[key] = Missing(f"{name} {str(value)[:40]!r} is not an ISO 8601 time")
        usages = prop(row, "EnhancedKeyUsageOids")
        cert["enhanced_key_usages"] = Missing("no enhanced key usage extension (valid for any purpose), "
                                              "which the snapshot cannot say") if isinstance(usages, Missing) \
            else [_USAGES.get(oid, oid) for oid in str(usages).split(";") if oid]
        san = prop(row, "SubjectAltNameDer")
        try:
            cert["dns_names"] = [] if isinstance(san, Missing) else dns_names(base64.b64decode(str(san), validate=True))
        except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
            cert["dns_names"] = Missing(f"SubjectAltNameDer is not a subjectAltName extension ({exc})")
        for key in [k for k, v in cert.items() if isinstance(v, Missing)]:
            host.miss(f"{path}.{key}", cert.pop(key).reason)
        host.miss(f"{path}.has_private_key", "the collector does not read whether a remote store's certificate has its private key")
        host.miss(f"{path}.chain_trusted", "the collector does not build the certificate's chain")
        result.append(cert)
    host.put("certificates", result, f"{where}: Thumbprint, Subject, NotBefore, NotAfter, EnhancedKeyUsageOids, SubjectAltNameDer")
