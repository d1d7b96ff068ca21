"""The link and fact types each target kind declares (what rule paths are checked against) match what
the estate stage really builds, on every sample and base estate."""

from __future__ import annotations

import typing
from pathlib import Path

import msgspec
import msgspec.inspect as mi
import pytest

from preflight.engine.fieldtypes import options, type_info
from preflight.estate import FACT_PROVIDERS, TARGET_KINDS, Estate
from preflight.estate.model import link_types
from preflight.inventory import load_estate_snapshots
from preflight.inventory.choices import alternatives
from preflight.inventory.paths import Missing
from preflight.pipeline import load_rules

ROOT = Path(__file__).resolve().parent.parent
ESTATES = sorted((ROOT / "fixtures" / "estates").glob("*.*")) + sorted((ROOT / "fixtures" / "rules" / "_bases").glob("*.json"))
OS_RELEASES = load_rules().os_releases()


def _conforms(value: object, kind: mi.Type) -> bool:
    """Whether a built value fits its declared type (a Missing fact fits anything; UNSET too)."""
    if isinstance(value, Missing) or value is msgspec.UNSET:
        return True
    if value is None:
        return any(isinstance(o, mi.NoneType) for o in alternatives(kind)) or not options(kind)
    for option in options(kind):
        if isinstance(option, mi.AnyType):
            return True
        if isinstance(option, (mi.StructType, mi.DataclassType)) and isinstance(value, option.cls):
            return True
        if isinstance(option, mi.ListType) and isinstance(value, list):
            return all(_conforms(item, option.item_type) for item in value)
        if isinstance(option, mi.LiteralType) and value in option.values:
            return True
        simple = {mi.StrType: str, mi.BoolType: bool, mi.IntType: int, mi.FloatType: (int, float)}.get(type(option))
        if simple and isinstance(value, simple) and (not isinstance(value, bool) or isinstance(option, mi.BoolType)):
            return True
    return False


def _required(kind: str) -> set[str]:
    """Links every target of `kind` must carry: required keys of its TypedDicts (own, inherited, facts)."""
    spec = TARGET_KINDS[kind]
    keys = _required(spec.inherits) if spec.inherits else set()
    declared = [spec.links] if spec.links is not None else []
    declared += [typing.get_type_hints(p)["return"] for p in FACT_PROVIDERS.get(kind, ())]
    for typed in declared:
        keys |= set(typed.__required_keys__)
    return keys


@pytest.mark.parametrize("estate_file", ESTATES, ids=[p.name for p in ESTATES])
def test_built_links_match_the_declared_types(estate_file: Path) -> None:
    snapshot, infos = load_estate_snapshots([estate_file])
    estate = Estate(snapshot, infos, OS_RELEASES)
    for kind in TARGET_KINDS:
        declared = {name: type_info(t) for name, t in link_types(kind).items()}
        required = _required(kind)
        for target in estate.targets(kind):
            assert set(target.links) <= set(declared), f"{kind} {target.name}: undeclared {set(target.links) - set(declared)}"
            assert required <= set(target.links), f"{kind} {target.name}: missing {required - set(target.links)}"
            for name, value in target.links.items():
                assert _conforms(value, declared[name]), f"{kind} {target.name}: @{name} = {value!r} is not {declared[name]}"
            model = type_info(TARGET_KINDS[kind].model)
            assert _conforms(target.obj, model), f"{kind} {target.name}: object {type(target.obj).__name__}"


def test_every_target_kind_is_reached_by_some_estate() -> None:
    """So the test above really compares every kind's declaration with built targets."""
    seen = set()
    for estate_file in ESTATES:
        snapshot, infos = load_estate_snapshots([estate_file])
        estate = Estate(snapshot, infos, OS_RELEASES)
        seen |= {kind for kind in TARGET_KINDS if estate.targets(kind)}
    assert seen == set(TARGET_KINDS)
