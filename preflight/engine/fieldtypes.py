"""Load-time checking of field paths against the inventory model.

Every field path a rule names must exist in the types its target kind declares: the msgspec
Struct of the target object (read with `msgspec.inspect`, never from a hand-kept list) and the
``@`` links and facts the estate stage adds (declared as TypedDicts where they are computed). A
`Scope` walks a path through those types, so ``os.verison`` fails when the pack loads, with a
"did you mean" suggestion, instead of making every check of the rule "unknown".

The same walk gives each path's leaf type, which catches a test that can never hold: ``ge`` on a
string, a length on a number, or ``platform = "hyper-v"`` when the field only takes ``hyperv``.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import msgspec
import msgspec.inspect as mi
from msgspec import UnsetType

from preflight.engine.conditions import ConditionError, compile_condition
from preflight.inventory.choices import alternatives
from preflight.inventory.paths import Missing, Path, Step, compile_path

_ANY = mi.AnyType()
_RECORDS = (mi.StructType, mi.DataclassType, mi.TypedDictType, mi.NamedTupleType)
_NUMBERS = (mi.IntType, mi.FloatType)
_LISTS = (mi.ListType, mi.VarTupleType, mi.SetType, mi.FrozenSetType)  # the model has no fixed-length tuples


class FieldError(ConditionError):
    """A path (or a test on it, or a parameter) does not fit the model; `key` names the rule key."""


_INFOS: dict[Any, mi.Type] = {}


def type_info(annotation: Any) -> mi.Type:
    """`msgspec.inspect.type_info`, cached; also for a union msgspec could not decode (two untagged Structs)."""
    if annotation in _INFOS:
        return _INFOS[annotation]
    try:
        info = mi.type_info(annotation)
    except TypeError:
        if not _is_union(annotation):
            raise
        info = mi.UnionType(tuple(type_info(member) for member in typing.get_args(annotation)))
    _INFOS[annotation] = info
    return info


def _is_union(annotation: Any) -> bool:
    return isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union


def warm(annotations: Iterable[Any]) -> None:
    """Work out `type_info` of many annotations in one pass of `msgspec.inspect`.

    Each `type_info` call reads the type hints of every Struct it reaches again; the targets' models and
    links share most of theirs (Host, Vm, Cluster...), so one pass over all of them costs a sixth. The
    results are what `type_info` gives one at a time: a union is its members' types, with msgspec's own
    rule for a union it can decode (UNSET left out, a single member unwrapped).
    """
    wanted = [a for a in dict.fromkeys(annotations) if a not in _INFOS]
    leaves = list(dict.fromkeys(leaf for a in wanted for leaf in (typing.get_args(a) if _is_union(a) else (a,))))
    try:
        infos = dict(zip(leaves, mi.multi_type_info(leaves), strict=True))
    except TypeError:   # some leaf msgspec cannot take: leave every annotation to type_info
        return
    for annotation in wanted:
        if not _is_union(annotation):
            _INFOS[annotation] = infos[annotation]
            continue
        members = typing.get_args(annotation)
        if _decodable(annotation):
            members = tuple(m for m in members if m is not UnsetType)
            if len(members) == 1:
                _INFOS[annotation] = infos[members[0]]
                continue
        _INFOS[annotation] = mi.UnionType(tuple(infos[m] for m in members))


def _decodable(annotation: Any) -> bool:
    try:
        msgspec.msgpack.Decoder(annotation)
    except TypeError:
        return False
    return True


def options(kind: mi.Type) -> list[mi.Type]:
    """The alternatives of a type: metadata stripped, unions flattened, null and `Missing` (a fact the
    estate could not derive, which the engine reports as unknown) left out."""
    return [option for option in alternatives(kind) if not isinstance(option, mi.NoneType)
            and not (isinstance(option, mi.CustomType) and option.cls is Missing)]


def describe(kind: mi.Type) -> str:
    """A reader's name for a type: 'a string', 'a list of Nic', 'a Host or a ReplicaBroker' (null left out)."""
    names = []
    for option in options(kind):
        if isinstance(option, mi.LiteralType):
            names.append("one of " + ", ".join(map(str, option.values)))
        elif isinstance(option, _LISTS):
            names.append(f"a list of {_bare(option.item_type)}")
        else:
            names.append(_bare(option, article=True))
    return " or ".join(dict.fromkeys(names)) or "null"


def _bare(kind: mi.Type, article: bool = False) -> str:
    option = options(kind)[0] if options(kind) else kind
    if isinstance(option, _RECORDS):
        text = option.cls.__name__
    else:
        text = {mi.StrType: "string", mi.IntType: "number", mi.FloatType: "number", mi.BoolType: "boolean",
                mi.DateTimeType: "timestamp", mi.AnyType: "value"}.get(type(option), type(option).__name__)
    return f"a {text}" if article else text


def _fields(kind: mi.Type) -> dict[str, mi.Type] | None:
    """Field name -> type over every record alternative; None when the type is open (Any)."""
    fields: dict[str, mi.Type] = {}
    for option in options(kind):
        if isinstance(option, mi.AnyType):
            return None
        if isinstance(option, _RECORDS):
            for field in option.fields:
                fields.setdefault(field.name, field.type)
    return fields


def suggest(name: str, known: Iterable[str], prefix: str = "") -> str:
    """' (did you mean 'x'?)' for the closest of `known`, else ' (known: ...)' listing them."""
    known = sorted(set(known))
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        return f" (did you mean '{prefix}{close[0]}'?)"
    return f" (known: {', '.join(prefix + k for k in known)})" if known else ""


@dataclass(frozen=True)
class Scope:
    """What the paths of one place in a rule can reach: a root type and, for a target, its ``@`` links."""

    label: str
    root: mi.Type
    links: Mapping[str, mi.Type] | None = None

    @classmethod
    def of_target(cls, kind: str, model: Any, links: Mapping[str, Any]) -> Scope:
        """The scope of a rule on target kind `kind`: its model type and declared link types."""
        return cls(kind, type_info(model), {name: type_info(t) for name, t in links.items()})

    def path(self, key: str, text: str) -> mi.Type:
        """The type at path `text`; raises FieldError (at `key`) when a step does not exist."""
        try:
            path = compile_path(text)
        except ValueError as exc:
            raise FieldError(key, str(exc)) from None
        return self._walk(key, path)

    def _walk(self, key: str, path: Path) -> mi.Type:
        kind, label = self.root, self.label
        for position, step in enumerate(path.steps):
            if position == 0 and step.attr.startswith("@"):
                kind, label = self._link(key, step.attr), step.attr
            else:
                kind = self._attribute(key, kind, step.attr, label, path.text)
            if step.key is not None or step.index is not None:
                kind = self._item(key, kind, step, path.text)
        return kind

    def _link(self, key: str, attr: str) -> mi.Type:
        if self.links is None:
            raise FieldError(key, f"'{attr}': facts ('@...') are not available on {self.label}")
        name = attr[1:]
        if name not in self.links:
            raise FieldError(key, f"unknown fact '{attr}' of {self.label}{suggest(name, self.links, '@')}")
        return self.links[name]

    @staticmethod
    def _attribute(key: str, kind: mi.Type, name: str, label: str, text: str) -> mi.Type:
        fields = _fields(kind)
        if fields is None:
            return _ANY
        if name in fields:
            return fields[name]
        if not fields:
            head = text[: text.index(name)].rstrip(".") or label
            if any(isinstance(o, _LISTS) for o in options(kind)):
                problem = f"'{head}' is {describe(kind)}: pick one item with {head}[Name] or {head}[0]"
            else:
                problem = f"'{head}' is {describe(kind)} and has no field '{name}'"
            raise FieldError(key, problem)
        raise FieldError(key, f"unknown field '{name}' of {label}{suggest(name, fields)}")

    @staticmethod
    def _item(key: str, kind: mi.Type, step: Step, text: str) -> mi.Type:
        lists = [o for o in options(kind) if isinstance(o, _LISTS)]
        if any(isinstance(o, mi.AnyType) for o in options(kind)):
            return _ANY
        if not lists:
            raise FieldError(key, f"'{step.attr}' in '{text}' is {describe(kind)}, not a list: it has no [{step.key or step.index}]")
        item = lists[0].item_type
        if step.key is not None:
            fields = _fields(item)
            named = fields is None or "name" in fields or any(isinstance(o, mi.StrType) for o in options(item))
            if not named:
                raise FieldError(key, f"items of '{step.attr}' have no name to select by: use {step.attr}[0]")
        return item

    def items(self, key: str, text: str) -> Scope:
        """The scope of one item of the list at `text` (items carry no ``@`` links)."""
        kind = self.path(key, text)
        lists = [o for o in options(kind) if isinstance(o, _LISTS)]
        if any(isinstance(o, mi.AnyType) for o in options(kind)):
            return Scope(f"an item of {text}", _ANY)
        if not lists:
            raise FieldError(key, f"'{text}' is {describe(kind)}, not a list")
        return Scope(f"an item of {text}", lists[0].item_type)

    def field(self, key: str, name: str) -> mi.Type:
        """The type of the plain field `name` of the root (no dots, no selectors)."""
        return self._attribute(key, self.root, name, self.label, name)

    def condition(self, key: str, table: Mapping[str, Any]) -> None:
        """Check every path of a condition table and that each test can hold for the field's type."""
        compile_condition(table, key)  # syntax, operators and arguments first
        self._condition(key, table)

    def _condition(self, key: str, table: Mapping[str, Any]) -> None:
        for path_text, spec in table.items():
            sub_key = f"{key}.{path_text}"
            if path_text == "any_of":
                for index, option in enumerate(spec):
                    self._condition(f"{sub_key}[{index}]", option)
                continue
            if path_text == "not":
                self._condition(sub_key, spec)
                continue
            kind = self.path(sub_key, path_text)
            for op, arg in (spec.items() if isinstance(spec, Mapping) else [("eq", spec)]):
                problem = test_problem(op, arg, kind)
                if problem:
                    raise FieldError(f"{sub_key}.{op}" if isinstance(spec, Mapping) else sub_key,
                                     f"'{path_text}' is {describe(kind)}: {problem}")


def _has(kind: mi.Type, *types: type) -> bool:
    return any(isinstance(o, (mi.AnyType, *types)) for o in options(kind))


def test_problem(op: str, arg: Any, kind: mi.Type) -> str | None:
    """Why test `op = arg` can never hold on a value of type `kind` (None when it can)."""
    if op in ("lt", "le", "gt", "ge") and not _has(kind, *_NUMBERS):
        hint = f"; use version_{op} for versions" if _has(kind, mi.StrType) else ""
        return f"'{op}' compares numbers and never holds{hint}"
    if op.startswith("version_") and not _has(kind, mi.StrType, mi.LiteralType):
        return f"'{op}' compares dotted version strings"
    if op in ("max_length", "min_length") and not _has(kind, mi.StrType, *_LISTS):
        return f"'{op}' measures text or lists"
    if op in ("eq", "ne", "in", "not_in"):
        values = arg if isinstance(arg, list) else [arg]
        for value in values:
            problem = _scalar_problem(value, kind)
            if problem:
                return problem
    return None


def _scalar_problem(value: Any, kind: mi.Type) -> str | None:
    alternatives = options(kind)
    if any(isinstance(o, mi.AnyType) for o in alternatives):
        return None
    if isinstance(value, bool):
        ok = any(isinstance(o, mi.BoolType) for o in alternatives)
    elif isinstance(value, (int, float)):
        ok = any(isinstance(o, _NUMBERS) for o in alternatives)
    else:
        literals = [v for o in alternatives if isinstance(o, mi.LiteralType) for v in o.values]
        if any(isinstance(o, mi.StrType) for o in alternatives):
            ok = True
        elif literals:
            if any(str(v).casefold() == str(value).casefold() for v in literals):
                return None
            close = difflib.get_close_matches(str(value), [str(v) for v in literals], n=1)
            return f"{value!r} is not one of its values" + (f" (did you mean '{close[0]}'?)" if close else "")
        else:
            ok = False
    return None if ok else f"comparing with {value!r} never holds"
