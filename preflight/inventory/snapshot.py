"""The root of an inventory snapshot: `schema = "preflight/inventory/v1"`."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta

from preflight.inventory.clusters import Cluster
from preflight.inventory.common import Model, Timestamp, Unset
from preflight.inventory.hosts import Host
from preflight.inventory.names import Text, VersionText
from preflight.inventory.schema_docs import SCHEMA_DIALECT, SCHEMA_URI, document
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

    json_schema: Annotated[str, Meta(description="Where an editor finds the JSON Schema of this file (VS Code reads "
                                                 "this key), e.g. ./inventory.schema.json; preflight ignores it")] | Unset = (
        msgspec.field(default=UNSET, name="$schema"))
    schema: Annotated[Literal["preflight/inventory/v1"], Meta(description="The snapshot format and its version")]
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
    """The JSON Schema of a snapshot, generated from the model types: draft 2020-12, a URI `$id`, and a title
    and a description on every field."""
    generated = document(msgspec.json.schema(Snapshot))
    return {"$schema": SCHEMA_DIALECT, "$id": SCHEMA_URI, "title": "preflight inventory snapshot v1",
            "description": f"An inventory snapshot (schema = \"{SCHEMA_ID}\") of a Windows Server / Hyper-V / "
                           "System Center VMM estate, as `preflight check` reads it. A field left out was not "
                           "collected: a rule that needs it reports unknown. null is a value (domain null: a "
                           "workgroup computer).", **generated}


def encode_json(snapshot: Snapshot) -> bytes:
    """Serialise a snapshot to pretty-printed JSON in the normal format."""
    return msgspec.json.format(msgspec.json.encode(snapshot), indent=2) + b"\n"
