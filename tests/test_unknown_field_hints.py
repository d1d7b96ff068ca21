"""An unknown snapshot field names the field the admin probably meant, found from the model at that path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from preflight.cli import main

READY = Path(__file__).resolve().parent.parent / "fixtures" / "estates" / "ready.json"


@pytest.mark.parametrize("edit, expected", [
    (lambda d: d["hosts"][0].update(plattform="hyperv"),
     "$.hosts[0].plattform: unknown field (not in preflight/inventory/v1); did you mean 'platform'?"),
    (lambda d: d["hosts"][0].update(nics=[{"name": "NIC1", "link_speed": 1000}]),
     "$.hosts[0].nics[0].link_speed: unknown field (not in preflight/inventory/v1); did you mean 'link_speed_mbps'?"),
    (lambda d: d.update(vm=[]), "$.vm: unknown field (not in preflight/inventory/v1); did you mean 'vms'?"),
    (lambda d: d["snapshot"].update(colected_at="2026-11-20T08:00:00Z"),
     "$.snapshot.colected_at: unknown field (not in preflight/inventory/v1); did you mean 'collected_at'?"),
    (lambda d: d["vms"][0].update(colour="blue"), "$.vms[0].colour: unknown field (not in preflight/inventory/v1)\n"),
])
def test_unknown_field_suggests_the_closest_known_one(tmp_path: Path, capsys, edit, expected: str) -> None:
    data = json.loads(READY.read_text(encoding="utf-8"))
    edit(data)
    snapshot = tmp_path / "estate.json"
    snapshot.write_text(json.dumps(data), encoding="utf-8")
    assert main(["validate", str(snapshot)]) == 2
    err = capsys.readouterr().err
    assert expected in err and err.count("\n") == 1, err
