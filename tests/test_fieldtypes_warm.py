"""The rule catalog works out the types of every target kind's model and links in one pass
(`fieldtypes.warm`); each type is exactly what `type_info` gives for it alone."""

from __future__ import annotations

from typing import Any, Union

import msgspec
import pytest
from msgspec import UnsetType

from preflight.engine import fieldtypes
from preflight.estate import TARGET_KINDS
from preflight.estate.model import link_types
from preflight.inventory.hosts import Host
from preflight.inventory.paths import Missing
from preflight.inventory.vms import Vm


def _alone(annotations: list[Any], monkeypatch: pytest.MonkeyPatch) -> dict[Any, Any]:
    monkeypatch.setattr(fieldtypes, "_INFOS", {})
    return {a: fieldtypes.type_info(a) for a in annotations}


def _warmed(annotations: list[Any], monkeypatch: pytest.MonkeyPatch) -> dict[Any, Any]:
    monkeypatch.setattr(fieldtypes, "_INFOS", {})
    fieldtypes.warm(annotations)
    return dict(fieldtypes._INFOS)


def test_every_target_kind_gets_the_types_it_gets_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    annotations = list(dict.fromkeys(a for kind, spec in TARGET_KINDS.items()
                                     for a in (spec.model, *link_types(kind).values())))
    warmed = _warmed(annotations, monkeypatch)
    assert set(warmed) == set(annotations)
    assert warmed == _alone(annotations, monkeypatch)


def test_unions_follow_msgspec_where_it_can_decode_them(monkeypatch: pytest.MonkeyPatch) -> None:
    annotations = [Union[int, UnsetType], Union[str, None, UnsetType],   # noqa: UP007 - typing.Union on purpose
                   list[str] | Missing, Host | Vm, Union[Host, Missing, None]]  # noqa: UP007
    warmed = _warmed(annotations, monkeypatch)
    assert warmed == _alone(annotations, monkeypatch)
    assert warmed[Union[int, UnsetType]] == msgspec.inspect.IntType()   # noqa: UP007
