"""The root of an inventory snapshot: `schema = "preflight/inventory/v1"`."""

from __future__ import annotations

from typing import Literal

import msgspec
from msgspec import UNSET

from preflight.inventory.clusters import Cluster
from preflight.inventory.common import Model, Timestamp, Unset
from preflight.inventory.hosts import Host
from preflight.inventory.names import Text, VersionText
from preflight.inventory.servers import Domain, LibraryServer, SqlServer, VCenter, VmmServer
from preflight.inventory.vms import Vm

SCHEMA_ID = "preflight/inventory/v1"


class Collector(Model, kw_only=True):
    """The tool that produced the snapshot."""

    name: Text
    version: VersionText | Unset = UNSET


class SnapshotInfo(Model, kw_only=True):
    """Where and when the snapshot was taken."""

    name: Text
    collected_at: Timestamp
    collector: Collector


class Snapshot(Model, kw_only=True):
    """A whole inventory snapshot of an estate."""

    schema: Literal["preflight/inventory/v1"]
    snapshot: SnapshotInfo
    domains: list[Domain] = []
    vmm_servers: list[VmmServer] = []
    sql_servers: list[SqlServer] = []
    hosts: list[Host] = []
    vcenters: list[VCenter] = []
    library_servers: list[LibraryServer] = []
    clusters: list[Cluster] = []
    vms: list[Vm] = []


ENTITY_LISTS: tuple[Text, ...] = (
    "domains", "vmm_servers", "sql_servers", "hosts", "vcenters", "library_servers", "clusters", "vms",
)


def json_schema() -> dict[Text, object]:
    """The JSON Schema of a snapshot, generated from the model types."""
    schema = msgspec.json.schema(Snapshot)
    schema["$id"] = SCHEMA_ID
    schema["title"] = "preflight inventory snapshot v1"
    return schema


def encode_json(snapshot: Snapshot) -> bytes:
    """Serialise a snapshot to pretty-printed JSON in the normal format."""
    return msgspec.json.format(msgspec.json.encode(snapshot), indent=2) + b"\n"
