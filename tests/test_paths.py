"""Field paths: `[Name]` and `[index]` selectors over model objects, plain dicts and lists of names, and the
path an `Unknown` names."""

from __future__ import annotations

import pytest
from msgspec import UNSET

from preflight.inventory.common import Service
from preflight.inventory.paths import Unknown, compile_path, resolve


def _at(path: str, obj: object) -> object:
    return resolve(compile_path(path), obj, {})


def test_a_name_selector_matches_case_insensitively_over_objects_dicts_and_names() -> None:
    services = [Service(name="VMMService", state="Stopped"), Service(name="WinRM", state="Running")]
    assert _at("services[winrm].state", {"services": services}) == "Running"
    rows = [{"name": "VMMService", "state": "Stopped"}, {"name": "WinRM", "state": "Running"}]
    assert _at("services[WINRM].state", {"services": rows}) == "Running"
    assert _at("services[WinRM]", {"services": [{"state": "Running"}]}) is None   # a row without a name
    assert _at("features[failover-clustering]", {"features": ["Hyper-V", "Failover-Clustering"]}) == "Failover-Clustering"
    assert _at("features[Desktop]", {"features": ["Hyper-V", 7]}) is None


def test_an_index_selector_reads_by_position_and_past_the_end_gives_null() -> None:
    data = {"items": ["a", "b"]}
    assert (_at("items[0]", data), _at("items[1]", data), _at("items[2]", data)) == ("a", "b", None)


@pytest.mark.parametrize(("path", "named"), [
    ("services[WinRM].start_mode", "services[WinRM].start_mode"),
    ("services[0].start_mode", "services[0].start_mode"),
    ("os.version", "os"),
])
def test_unknown_names_the_first_field_not_collected_in_the_path_dialect(path: str, named: str) -> None:
    data = {"services": [Service(name="WinRM", state="Running")], "os": UNSET}
    with pytest.raises(Unknown) as caught:
        _at(path, data)
    assert caught.value.path == named and str(caught.value) == named


def test_a_path_walks_records_dicts_and_other_objects_alike() -> None:
    from types import SimpleNamespace

    service = Service(name="WinRM", state="Running")
    assert _at("svc.state", {"svc": service}) == "Running"                     # a dict, then a record
    assert _at("svc.state", SimpleNamespace(svc=service)) == "Running"         # another object, then a record
    assert _at("svc.state", SimpleNamespace(svc={"state": "Stopped"})) == "Stopped"
    assert _at("svc.state", {"svc": None}) is None                             # null on the way: null
    with pytest.raises(Unknown) as caught:
        _at("svc.start_mode", {"svc": service})                                # a record's field not collected
    assert caught.value.path == "svc.start_mode"
    with pytest.raises(Unknown) as caught:
        _at("svc.nosuch", SimpleNamespace(svc=SimpleNamespace()))              # an attribute another object lacks
    assert caught.value.path == "svc.nosuch"
    assert resolve(compile_path("@host.state"), None, {"host": service}) == "Running"   # a link, then a record
