"""The estate: a merged snapshot with name indexes and derived facts, ready for rules."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, Union, get_type_hints, is_typeddict

from msgspec import UNSET

from preflight.inventory.clusters import ReplicaBroker
from preflight.inventory.common import Unset
from preflight.inventory.hosts import Host, ReplicaServer
from preflight.inventory.index import SnapshotIndex
from preflight.inventory.paths import Missing, absent_path, field_path
from preflight.inventory.refs import ObjectRef
from preflight.inventory.snapshot import Snapshot, SnapshotInfo
from preflight.inventory.versions import parse_version
from preflight.inventory.vms import Vm

_UNSET_REF = ObjectRef("", "")


@dataclass(slots=True)
class Target:
    """One object a rule looks at: its kind, display name, the model object and its links/facts."""

    kind: str
    name: str
    obj: Any   # Any: the model object of any kind (Host, Cluster, Vm, ...); TargetKind.model types it per kind
    links: dict[str, Any]   # Any: each kind's links TypedDict, values possibly Missing; rules are checked against it
    """Read only: targets of one kind may share a dict (the VMs of one host); facts are added to a copy."""
    json_path: str
    at_risk: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    ref: ObjectRef = _UNSET_REF
    """Its typed identity (own name and owner: a team's host, a CSV's cluster, a namesake VM's host); `name`
    is `ref.label`. Left out for objects their name identifies on their own."""

    def __post_init__(self) -> None:
        if self.ref is _UNSET_REF:
            self.ref = ObjectRef(self.kind, self.name)

    @classmethod
    def of(cls, ref: ObjectRef, obj: Any, links: dict[str, Any], json_path: str, at_risk: tuple[str, ...] = (),
           members: tuple[str, ...] = ()) -> Target:
        """The target of an object whose identity needs its owner (its kind and label come from `ref`)."""
        return cls(ref.kind, ref.label, obj, links, json_path, at_risk, members, ref)


@dataclass
class Estate:
    """Indexes over a snapshot; built once, read by every rule."""

    snapshot: Snapshot
    infos: list[tuple[str, SnapshotInfo]]
    os_releases: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.index = SnapshotIndex(self.snapshot)
        self._targets: dict[str, list[Target]] = {}
        self._releases = [(parse_version(prefix), release) for prefix, release in self.os_releases]
        self._release_by_text: dict[str, str | None] = {}

    # ----- lookups used by target builders -----------------------------------------------

    def host(self, name: str | None) -> Host | None:
        """The host named `name` (or with that FQDN), or None."""
        return self.index.host(name)

    def vms_on(self, host_name: str) -> Sequence[Vm]:
        """VMs whose `host` is `host_name`."""
        return self.index.vms_on(host_name)

    def path_of(self, entity: object) -> str:
        """Where a top-level entity sits in the snapshot, ``$.hosts[3]`` (see `preflight.inventory.paths`)."""
        path = self.index.path_of(entity)
        if path is None:
            raise ValueError(f"{entity!r} is not an entity of this estate's snapshot")
        return path

    def release_of(self, version: object) -> str | None:
        """'6.1.7601' -> 'Windows Server 2008 R2' using the windows-releases matrix."""
        if version is UNSET or version is None:
            return None
        text = str(version)
        if text not in self._release_by_text:   # an estate repeats a few version texts over many objects
            parsed = parse_version(text)
            self._release_by_text[text] = next(
                (release for prefix, release in self._releases if parsed.within(prefix)), None)
        return self._release_by_text[text]

    def os_version_of(self, computer: object, path: str) -> str | Missing:
        """The OS version of a computer (any record with an `os`: host, VMM, SQL or library server), or Missing
        naming the field."""
        os = getattr(computer, "os", UNSET)
        if os is UNSET or os.version is UNSET:
            return Missing(f"{path}.os.version")
        return os.version

    def lowest_os_version(self, hosts: list[Host], paths: list[str], none_path: str) -> str | Missing:
        """The lowest OS version among `hosts` (a cluster's nodes), or Missing naming the first uncollected one
        (`none_path` when there are no hosts)."""
        versions = [self.os_version_of(host, path) for host, path in zip(hosts, paths, strict=True)]
        missing = next((v for v in versions if isinstance(v, Missing)), None)
        if missing is not None:
            return missing
        return min((str(v) for v in versions), key=parse_version) if versions else Missing(none_path)

    def replica_settings(self, host: Host) -> tuple[ReplicaServer | None | Unset, str]:
        """The Hyper-V Replica server settings in force on `host`, and the path of the field they come from.

        On a node of a cluster with a Replica Broker they are the broker's, whatever the node's own `replica`
        says: the broker writes the cluster's replication settings to the cluster database and the Hyper-V
        service on every node works with that copy (source `net-replica-broker`, "Provide centralized
        management of the replication settings"). Only here does the estate choose between the two.
        """
        cluster = self.index.cluster_of(host)
        broker = cluster.replica_broker if cluster is not None else None
        if cluster is not None and isinstance(broker, ReplicaBroker):
            return broker.replica, field_path(self.path_of(cluster), "replica_broker.replica")
        return host.replica, field_path(self.path_of(host), "replica")

    def newest_dc_version(self, domain: str) -> str | Missing:
        """The OS version of the newest domain controller of `domain`, or Missing naming what was not collected."""
        record = self.index.domains.get(domain)
        if record is None:
            return Missing(absent_path("domains", domain))
        if record.domain_controllers is UNSET:
            return Missing(field_path(self.path_of(record), "domain_controllers"))
        versions = [dc.os_version for dc in record.domain_controllers if dc.os_version is not UNSET]
        if not versions:
            return Missing(field_path(self.path_of(record), "domain_controllers[*].os_version"))
        return max(versions, key=parse_version)

    def trusted(self, domain_a: Any, domain_b: Any, path_a: str, path_b: str) -> bool | Missing:
        """True when two domains are the same or `domain_a` lists a two-way trust with `domain_b`.

        `path_a` and `path_b` are the paths of the two `domain` fields (named when one was not collected).
        """
        if domain_a is UNSET or domain_b is UNSET:
            return Missing(path_a if domain_a is UNSET else path_b)
        if domain_a is None or domain_b is None:
            return False
        if domain_a.casefold() == domain_b.casefold():
            return True
        missing = None
        for left, right in ((domain_a, domain_b), (domain_b, domain_a)):
            record = self.index.domains.get(left)
            if record is not None:
                if record.trusts is UNSET:  # not collected: the other domain's trusts may still answer
                    missing = missing or Missing(field_path(self.path_of(record), "trusts"))
                    continue
                return any(t.domain.casefold() == right.casefold() and t.direction == "two-way" for t in record.trusts)
        return missing or Missing(field_path(absent_path("domains", domain_a), "trusts"))

    # ----- targets -----------------------------------------------------------------------

    def targets(self, kind: str) -> list[Target]:
        """Every object of a target kind (built once and cached)."""
        if kind not in self._targets:
            self._targets[kind] = self._with_facts(kind, list(TARGET_KINDS[kind].build(self)))
        return self._targets[kind]

    def targets_where(self, kind: str, keep: Callable[[Any], bool]) -> list[Target]:  # Any: the kind's model
        """The targets of `kind` whose object `keep` accepts, equal to filtering `targets(kind)`.

        A kind with a `select` builder whose whole list is not built yet builds only those (a kind that
        inherits the VMs' links reads the few VMs with teams or Replica, not 25,000 VM targets).
        """
        select = TARGET_KINDS[kind].select
        if kind in self._targets or select is None:
            return [target for target in self.targets(kind) if keep(target.obj)]
        return self._with_facts(kind, list(select(self, keep)))

    def _with_facts(self, kind: str, targets: list[Target]) -> list[Target]:
        for provider in FACT_PROVIDERS.get(kind, ()):
            for target in targets:   # a new dict: builders may share one links dict among targets
                target.links = {**target.links, **provider(self, target)}
        return targets


Selector = Callable[[Estate, Callable[[Any], bool]], Iterable[Target]]   # Any: the kind's model object


@dataclass(frozen=True)
class TargetKind:
    """A kind of object rules can target, and how to enumerate it.

    `model` is the type of `Target.obj`; `links` a TypedDict of the ``@`` links its builder sets
    (any value may also be `Missing`); `inherits` a kind whose links (and facts) the targets copy;
    `select(estate, keep)`, when given, builds only the targets whose object `keep` accepts, in order.
    The rule catalog checks every path a rule names against these types when it loads.
    """

    name: str
    description: str
    build: Callable[[Estate], Iterable[Target]]
    model: Any = Any   # Any: a type (or union of types) of the kind's objects, read by typing introspection
    links: Any = None   # Any: a TypedDict class (no common static type for TypedDict classes)
    inherits: str | None = None
    select: Selector | None = None


TARGET_KINDS: dict[str, TargetKind] = {}


def target_kind(name: str, description: str, model: Any = Any, links: Any = None, inherits: str | None = None,
                select: Selector | None = None,
                ) -> Callable[[Callable[[Estate], Iterable[Target]]], Callable[[Estate], Iterable[Target]]]:
    """Register a target kind builder with the type of its objects and of its links (and a `select` builder
    of some of them, see `TargetKind`)."""

    def register(build: Callable[[Estate], Iterable[Target]]) -> Callable[[Estate], Iterable[Target]]:
        TARGET_KINDS[name] = TargetKind(name, description, build, model, links, inherits, select)
        return build

    return register


def link_types(kind: str) -> dict[str, Any]:
    """Name -> type of every ``@`` link and fact targets of `kind` carry (inherited, own, then facts)."""
    spec = TARGET_KINDS[kind]
    found = link_types(spec.inherits) if spec.inherits else {}
    if spec.links is not None:
        found.update(get_type_hints(spec.links))
    for provider in FACT_PROVIDERS.get(kind, ()):
        returned = get_type_hints(provider).get("return")
        if not is_typeddict(returned):
            raise TypeError(f"fact provider {provider.__qualname__} of '{kind}' must declare a TypedDict return type")
        found.update(get_type_hints(returned))
    return found


FactProvider = Callable[[Estate, Target], Mapping[str, object]]
FACT_PROVIDERS: dict[str, list[FactProvider]] = {}
_Provider = TypeVar("_Provider", bound=FactProvider)

_T = TypeVar("_T")
Derived = Union[_T, Missing]  # noqa: UP007 - a generic alias: `_T | Missing` is not subscriptable on 3.11
"""A fact's type: its value, or `Missing(path)` when it rests on a field that was not collected."""


def facts(kind: str) -> Callable[[_Provider], _Provider]:
    """Register a function adding derived facts (``@name`` links) to every target of `kind`.

    Lets a pack's support code add the facts its rules need in its own module.
    A provider returns a dict typed by its TypedDict return annotation (rule packs are checked
    against it); use `Missing(path)` for a fact that depends on an uncollected field.
    """

    def register(provider: _Provider) -> _Provider:
        FACT_PROVIDERS.setdefault(kind, []).append(provider)
        return provider

    return register
