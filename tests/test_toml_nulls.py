"""TOML has no null: `false` on a nullable, non-boolean field means null; absent still means not collected."""

from __future__ import annotations

from msgspec import UNSET

from preflight.inventory import decode_snapshot

HEAD = b'''schema = "preflight/inventory/v1"
[snapshot]
name = "hand-written"
collected_at = 2026-11-24T00:00:00Z
collector = { name = "hand" }
'''


def test_false_means_null_on_nullable_fields_only() -> None:
    snapshot = decode_snapshot(HEAD + b'''
[[vmm_servers]]
name = "VMM9"
domain = false
vmm = { highly_available = false, dkm_container = false, pro_connection = false, database = { server = "SQL9", last_full_backup = false } }
[[sql_servers]]
name = "SQL9"
''', "hand.toml", ".toml")
    server = snapshot.vmm_servers[0]
    assert server.domain is None                      # workgroup
    assert server.vmm.highly_available is False       # a real boolean stays false
    assert server.vmm.dkm_container is None and server.vmm.pro_connection is None
    assert server.vmm.database.last_full_backup is None  # never backed up
    assert server.fqdn is UNSET                        # absent: not collected


def test_false_on_a_field_that_cannot_be_null_is_still_an_error() -> None:
    try:
        decode_snapshot(HEAD + b'[[vmm_servers]]\nname = "VMM9"\nfqdn = false\n', "hand.toml", ".toml")
    except Exception as exc:
        assert str(exc) == "hand.toml: $.vmm_servers[0].fqdn: expected str, got bool"
    else:
        raise AssertionError("fqdn = false must be rejected")


def test_nested_lists_of_structs_are_walked() -> None:
    snapshot = decode_snapshot(HEAD + b'''
[[hosts]]
name = "HV9"
platform = "hyperv"
replica = false
[[vms]]
name = "VM9"
host = "HV9"
replication = false
backup = { configured = false, last_backup = false }
''', "hand.toml", ".toml")
    assert snapshot.hosts[0].replica is None
    assert snapshot.vms[0].replication is None
    assert snapshot.vms[0].backup.configured is False and snapshot.vms[0].backup.last_backup is None
