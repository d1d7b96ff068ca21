"""Hyper-V Replica checks that join several objects: certificates, listener firewall rules, authorisation.

They read the facts `preflight.estate.replica_targets` adds (`@certificate_uses`, `@firewall_stores`,
`@settings`, `@replica_settings`, `@primary_fqdn`), so the rules stay data.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any, Literal

import msgspec
import msgspec.inspect as mi
from msgspec import UNSET

from preflight.engine.checks.base import (
    CheckParams,
    Context,
    Evidence,
    Outcome,
    Target,
    check_kind,
    evidence,
    failed,
    not_applicable,
    passed,
    unknown,
)
from preflight.engine.checks.params import FieldPath, MatrixRow
from preflight.engine.fieldtypes import FieldError, Scope, describe, options
from preflight.inventory.paths import Missing, compile_path, resolve


def _clean(thumbprint: str) -> str:
    return thumbprint.replace(" ", "").casefold()


def _names_fqdn(certificate: Any, fqdn: str) -> bool | None:
    """True when the subject CN or a DNS name is the FQDN; None when neither was collected."""
    names = []
    if certificate.dns_names is not UNSET:
        names.extend(certificate.dns_names)
    if certificate.subject is not UNSET:
        names.extend(part.strip()[3:] for part in certificate.subject.split(",") if part.strip().upper().startswith("CN="))
    if not names and certificate.dns_names is UNSET and certificate.subject is UNSET:
        return None
    return any(name.casefold() == fqdn.casefold() for name in names)


@check_kind("replica_certificate", variables=("problems", "thumbprint", "computer"))
class ReplicaCertificate(CheckParams, kw_only=True):
    """Each certificate a replica participant uses (`@certificate_uses`) must be in the computer's store,
    valid at the run time, carry the `usages` EKUs (and a private key), chain to a trusted root and name
    the FQDN it serves. A use without a thumbprint (`by_name`: a cluster node's own certificate) passes when
    any certificate in the store that names the FQDN meets all of that."""

    uses: FieldPath = "@certificate_uses"
    usages: list[str] = msgspec.field(default_factory=lambda: ["Server Authentication", "Client Authentication"])
    require_private_key: bool = True
    require_trusted_chain: bool = True

    def run(self, target: Target, context: Context) -> Outcome:
        uses = resolve(compile_path(self.uses), target.obj, target.links) or []
        if not uses:
            return not_applicable()
        problems: list[str] = []
        proof: list[Evidence] = []
        missing: list[str] = []
        for use in uses:
            if use.by_name:
                for store in use.stores:
                    self._check_named(use, store, context, problems, proof, missing)
                continue
            if isinstance(use.thumbprint, Missing):
                missing.append(use.thumbprint.path)
                continue
            if use.thumbprint is None:
                problems.append(f"no certificate is configured ({use.purpose})")
                proof.append(evidence(use.thumbprint_path, None))
                continue
            for store in use.stores:
                self._check_store(use, store, context, problems, proof, missing)
        if problems:
            first = next((u for u in uses if isinstance(u.thumbprint, str)), None)
            return failed(*proof, problems="; ".join(problems), value=problems[0],
                          thumbprint=first.thumbprint if first else "",
                          computer=", ".join(dict.fromkeys(s.computer for u in uses for s in u.stores)),
                          expected="a valid certificate with " + " and ".join(self.usages)
                          + ", chaining to a trusted root, naming the server FQDN")
        if missing:
            return unknown(*missing)
        return passed(*proof)

    def _check_store(self, use: Any, store: Any, context: Context, problems: list[str], proof: list[Evidence],
                     missing: list[str]) -> None:
        if store.items is UNSET:
            missing.append(store.path)
            return
        cert = next((c for c in store.items if _clean(c.thumbprint) == _clean(use.thumbprint)), None)
        base = f"{store.path}[{use.thumbprint}]"
        if cert is None:
            problems.append(f"certificate {use.thumbprint} ({use.purpose}) is not in LocalMachine\\My on {store.computer}")
            proof.append(evidence(base, None))
            return
        found = self._problems(cert, base, context, proof, missing)
        if isinstance(use.fqdn, Missing):
            missing.append(use.fqdn.path)
        else:
            names = _names_fqdn(cert, use.fqdn)
            if names is None:
                missing.append(f"{base}.dns_names")
            elif not names:
                found.append(f"does not name {use.fqdn}")
                proof.append(evidence(f"{base}.dns_names", cert.dns_names if cert.dns_names is not UNSET else cert.subject))
        if found:
            problems.append(f"certificate {use.thumbprint} on {store.computer} " + ", ".join(found))

    def _check_named(self, use: Any, store: Any, context: Context, problems: list[str], proof: list[Evidence],
                     missing: list[str]) -> None:
        """A certificate naming `use.fqdn` must be in the store and valid (which one is not configured anywhere)."""
        if store.items is UNSET:
            missing.append(store.path)
            return
        if isinstance(use.fqdn, Missing):
            missing.append(use.fqdn.path)
            return
        named, undecided = [], None
        for cert in store.items:
            names = _names_fqdn(cert, use.fqdn)
            if names is None:
                undecided = undecided or f"{store.path}[{cert.thumbprint}].dns_names"
            elif names:
                named.append(cert)
        if not named:
            if undecided:
                missing.append(undecided)
            else:
                problems.append(f"no certificate in LocalMachine\\My on {store.computer} names {use.fqdn} ({use.purpose})")
                proof.append(evidence(store.path, [c.thumbprint for c in store.items]))
            return
        checked = []
        for cert in named:
            own_proof: list[Evidence] = []
            own_missing: list[str] = []
            found = self._problems(cert, f"{store.path}[{cert.thumbprint}]", context, own_proof, own_missing)
            if not found and not own_missing:
                proof.append(evidence(f"{store.path}[{cert.thumbprint}]", use.fqdn))
                return
            checked.append((cert, found, own_proof, own_missing))
        undecided_certs = [c for c in checked if not c[1]]
        if undecided_certs:
            missing.extend(undecided_certs[0][3])
            return
        cert, found, own_proof, _ = checked[0]
        problems.append(f"certificate {cert.thumbprint} on {store.computer} ({use.purpose}) " + ", ".join(found))
        proof.extend(own_proof)

    def _problems(self, cert: Any, base: str, context: Context, proof: list[Evidence], missing: list[str]) -> list[str]:
        """What is wrong with one certificate apart from the name it carries."""
        found: list[str] = []
        if cert.not_before is UNSET or cert.not_after is UNSET:
            missing.append(f"{base}.{'not_before' if cert.not_before is UNSET else 'not_after'}")
        elif cert.not_before > context.now:
            found.append(f"is not valid until {cert.not_before.isoformat()}")
            proof.append(evidence(f"{base}.not_before", cert.not_before))
        elif cert.not_after < context.now:
            found.append(f"expired on {cert.not_after.isoformat()}")
            proof.append(evidence(f"{base}.not_after", cert.not_after))
        if cert.enhanced_key_usages is UNSET:
            missing.append(f"{base}.enhanced_key_usages")
        else:
            have = {u.casefold() for u in cert.enhanced_key_usages}
            lacking = [u for u in self.usages if u.casefold() not in have]
            if lacking:
                found.append("lacks the " + " and ".join(lacking) + " usage")
                proof.append(evidence(f"{base}.enhanced_key_usages", cert.enhanced_key_usages))
        if self.require_private_key and cert.has_private_key is False:
            found.append("has no private key")
            proof.append(evidence(f"{base}.has_private_key", False))
        if self.require_trusted_chain:
            if cert.chain_trusted is UNSET:
                missing.append(f"{base}.chain_trusted")
            elif not cert.chain_trusted:
                found.append("does not chain to a trusted root")
                proof.append(evidence(f"{base}.chain_trusted", False))
        return found


class ListenerRow(MatrixRow, kw_only=True):
    """A Replica listener: the authentication it serves, its built-in firewall rule, and the settings field
    holding its port (with the port that rule opens)."""

    authentication: Literal["Kerberos", "Certificate"]
    rule: str
    display_name: str
    port_field: str
    default_port: int


_LISTENS = {"kerberos": ("Kerberos",), "certificate": ("Certificate",), "certificateandkerberos": ("Kerberos", "Certificate")}


@check_kind("replica_firewall", variables=("rule", "port", "computer"))
class ReplicaFirewall(CheckParams, kw_only=True):
    """Every computer of `@firewall_stores` must have an enabled inbound rule for each listener port the
    replica settings use. `listeners` rows: ``{ authentication, rule, display_name, port_field, default_port }``."""

    listeners: list[ListenerRow]
    settings: FieldPath = "@settings"
    stores: FieldPath = "@firewall_stores"

    def check_fields(self, scope: Scope) -> None:
        """Also: each listener's `port_field` is a number field of the replica settings."""
        super().check_fields(scope)
        for index, row in enumerate(self.listeners):
            key = f"listeners[{index}].port_field"
            kind = scope.path(key, f"{self.settings}.{row.port_field}")
            if not any(isinstance(o, (mi.IntType, mi.AnyType)) for o in options(kind)):
                raise FieldError(key, f"'{row.port_field}' is {describe(kind)}, not a port number")

    def run(self, target: Target, context: Context) -> Outcome:
        settings = resolve(compile_path(self.settings), target.obj, target.links)
        if settings is None or not settings.enabled:
            return not_applicable()
        if settings.allowed_authentication_type is UNSET:
            return unknown(f"{self.settings}.allowed_authentication_type")
        wanted = _LISTENS[settings.allowed_authentication_type.casefold()]
        proof: list[Evidence] = []
        missing: list[str] = []
        for row in (r for r in self.listeners if r["authentication"] in wanted):
            port = getattr(settings, row["port_field"])
            for store in resolve(compile_path(self.stores), target.obj, target.links):
                if store.items is UNSET:
                    missing.append(store.path)
                    continue
                state = self._state(store.items, row, port)
                if state is None:
                    missing.append(f"{store.path}[{row['rule']}].local_port")
                    continue
                proof.append(evidence(f"{store.path}[{row['rule']}].enabled", state[1]))
                if not state[0]:
                    rule = row["rule"] if port == row["default_port"] else f"TCP {port}"
                    return failed(*proof, rule=rule, port=port, computer=store.computer, value=state[1],
                                  path=f"{store.path}[{row['rule']}]",
                                  expected=f"an enabled inbound rule for TCP {port} ({row['display_name']})")
        if missing:
            return unknown(*missing)
        return passed(*proof)

    @staticmethod
    def _state(rules: list[Any], row: ListenerRow, port: int) -> tuple[bool, Any] | None:
        """(open, what was found) for one listener port; None when the built-in rule's port is unknown."""
        undecided = False
        for rule in rules:
            if not rule.enabled:
                continue
            if rule.local_port is not UNSET:
                if rule.local_port == port:
                    return True, True
            elif rule.name.casefold() == row["rule"].casefold():
                if port == row["default_port"]:
                    return True, True
                undecided = True
        if undecided:
            return None
        builtin = next((r for r in rules if r.name.casefold() == row["rule"].casefold()), None)
        return False, (None if builtin is None else builtin.enabled)


@check_kind("replica_authorization", variables=("primary", "entries"))
class ReplicaAuthorization(CheckParams, kw_only=True):
    """The replica must accept the primary: "any server" on, or an authorisation entry (FQDN or wildcard
    such as ``*.contoso.local``) that matches the primary's FQDN (its broker's, for a clustered primary)."""

    settings: FieldPath = "@replica_settings"
    primary: FieldPath = "@primary_fqdn"

    def run(self, target: Target, context: Context) -> Outcome:
        settings = resolve(compile_path(self.settings), target.obj, target.links)
        if settings is None or not settings.enabled:
            return not_applicable()
        primary = resolve(compile_path(self.primary), target.obj, target.links)
        any_server = evidence(f"{self.settings}.allow_any_server",
                              "not collected" if settings.allow_any_server is UNSET else settings.allow_any_server)
        if settings.allow_any_server is True:
            return passed(any_server)
        entries = settings.authorization_entries
        if entries is UNSET:
            return unknown(f"{self.settings}.authorization_entries")
        patterns = [e.allowed_primary_server for e in entries]
        match = next((p for p in patterns if primary_matches(primary, p)), None)
        if match is not None:
            return passed(evidence(f"{self.settings}.authorization_entries[{match}]", match))
        if settings.allow_any_server is UNSET:
            return unknown(f"{self.settings}.allow_any_server")
        shown = ", ".join(patterns) or "none"
        return failed(any_server, evidence(f"{self.settings}.authorization_entries", patterns),
                      evidence(self.primary, primary), primary=primary, entries=shown, value=primary,
                      path=self.primary, expected=f"an authorisation entry matching {primary}")


def primary_matches(fqdn: str, pattern: str) -> bool:
    """True when an AllowedPrimaryServer entry (an FQDN, or a wildcard such as ``*.contoso.local``) accepts `fqdn`."""
    return fnmatchcase(fqdn.strip().casefold(), pattern.strip().casefold())
