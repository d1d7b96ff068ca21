"""A generated corpus of hostile inputs (issue 8): every bullet of "bad input is refused cleanly", as data.

Each `Case` writes its files into a fresh directory and names the command to run; the harness in
`test_hostile_corpus.py` checks the invariants every case shares (no traceback, no exit 3, one line on
stderr for exit 2, no output file on a refusal, inputs untouched, no temporary file left, no control
character reaching the terminal, never GO on incomplete or contradictory data) plus the case's own
expectation.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ESTATES = ROOT / "fixtures" / "estates"
JSON_ESTATES = sorted(ESTATES.glob("*.json"))
READY = json.loads((ESTATES / "ready.json").read_text(encoding="utf-8"))

Setup = Callable[[Path], list[str]]
"""Writes the case's files into a directory and returns the command line (without `preflight`)."""


@dataclass(frozen=True)
class Case:
    """One hostile input and what preflight must do with it."""

    id: str
    setup: Setup
    codes: frozenset[int]
    stderr_has: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    outputs: tuple[str, ...] = ()       # files (relative) a refusal must not create
    keep: tuple[str, ...] = field(default=())  # files whose bytes must stay as they were
    isolate: bool = False               # run in a subprocess with a timeout (could hang or eat memory)


REFUSED = frozenset({2})
DECIDED = frozenset({0, 1, 4})
NOT_GO = frozenset({1, 2, 4})


def ready() -> dict[str, Any]:
    """A fresh deep copy of ready.json."""
    return json.loads(json.dumps(READY))


def write_json(data: Any, name: str = "estate.json", **kwargs: Any) -> Setup:
    """Setup writing `data` as JSON and checking it."""
    def setup(folder: Path) -> list[str]:
        (folder / name).write_text(json.dumps(data, **kwargs), encoding="utf-8")
        return ["check", str(folder / name), "--as-of", "collected"]
    return setup


def write_bytes(data: bytes, name: str = "estate.json", *extra: str) -> Setup:
    """Setup writing raw bytes and checking them."""
    def setup(folder: Path) -> list[str]:
        (folder / name).write_bytes(data)
        return ["check", str(folder / name), "--as-of", "collected", *extra]
    return setup


def _set(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """Set a dotted path (list indexes as numbers) in `data` and return it."""
    node: Any = data
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return data


def _del(data: dict[str, Any], path: str) -> dict[str, Any]:
    node: Any = data
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    del node[parts[-1]]
    return data


# ----- 1. encodings -----------------------------------------------------------------------------

def encoding_cases() -> Iterator[Case]:
    """What Windows PowerShell writes is read; anything else is refused naming the encoding."""
    for estate in JSON_ESTATES:
        text = estate.read_text(encoding="utf-8")
        for label, data in (("utf8-bom", codecs.BOM_UTF8 + text.encode("utf-8")),
                            ("utf16le-bom", codecs.BOM_UTF16_LE + text.encode("utf-16-le")),
                            ("utf16be-bom", codecs.BOM_UTF16_BE + text.encode("utf-16-be")),
                            ("utf32le-bom", codecs.BOM_UTF32_LE + text.encode("utf-32-le"))):
            yield Case(f"read-{label}-{estate.stem}", write_bytes(data), DECIDED)
    toml = (ESTATES / "mixed.toml").read_text(encoding="utf-8")
    for label, data in (("utf8-bom", codecs.BOM_UTF8 + toml.encode("utf-8")),
                        ("utf16le-bom", codecs.BOM_UTF16_LE + toml.encode("utf-16-le"))):
        yield Case(f"read-toml-{label}", write_bytes(data, "estate.toml"), DECIDED)
    text = json.dumps(ready())
    latin = text.replace("contoso-hq", "contoso-hq Zürich").encode("latin-1")
    for label, data in (("latin1", latin), ("utf16le-no-bom", text.encode("utf-16-le")),
                        ("utf32-no-bom", text.encode("utf-32-le")),
                        ("binary", bytes(range(256)) * 4), ("gzip", b"\x1f\x8b\x08\x00" + b"\x00" * 64)):
        yield Case(f"refuse-encoding-{label}", write_bytes(data), REFUSED)


# ----- 2. syntax ----------------------------------------------------------------------------------

def syntax_cases() -> Iterator[Case]:
    """NaN/Infinity, lone surrogates, truncated files: one line naming line and column."""
    text = json.dumps(ready(), indent=2)
    for token in ("NaN", "Infinity", "-Infinity"):
        bad = text.replace('"memory_gb": 8', f'"memory_gb": {token}', 1)
        yield Case(f"non-finite-{token}", write_bytes(bad.encode()), REFUSED, ("line",))
    for where in ("snapshot", "vm-name"):
        data = ready()
        if where == "snapshot":
            data["snapshot"]["name"] = "SURROGATE"
        else:
            data["vms"][0]["name"] = "SURROGATE"
        raw = json.dumps(data).replace("SURROGATE", "\\ud800x").encode()
        yield Case(f"lone-surrogate-{where}", write_bytes(raw), REFUSED)
    encoded = text.encode()
    for fraction in range(1, 21):
        cut = len(encoded) * fraction // 21
        yield Case(f"truncated-{fraction:02d}of21", write_bytes(encoded[:cut]), REFUSED, ("line",))
    yield Case("empty-file", write_bytes(b""), REFUSED)
    yield Case("only-bom", write_bytes(codecs.BOM_UTF8), REFUSED)
    yield Case("top-level-array", write_bytes(b"[1, 2, 3]"), REFUSED)
    yield Case("toml-truncated", write_bytes(b'schema = "preflight/inventory/v1"\n[snapshot\n', "estate.toml"), REFUSED)


# ----- 3. files that are not regular files, sizes, nesting, huge numbers -------------------------

def _fifo(folder: Path) -> list[str]:
    import os

    fifo = folder / "estate.json"
    os.mkfifo(fifo)
    return ["check", str(fifo), "--as-of", "collected"]


def resource_cases() -> Iterator[Case]:
    """Special files, the size cap, deep nesting and numbers Python cannot convert."""
    yield Case("fifo-does-not-block", _fifo, REFUSED, isolate=True)
    yield Case("dev-zero", lambda folder: ["check", "/dev/zero"], REFUSED, isolate=True)
    yield Case("dev-zero-json-name", lambda folder: ["check", "/dev/zero", "--rules", str(folder)], REFUSED,
               isolate=True)
    yield Case("directory", lambda folder: ["check", str(folder)], REFUSED)
    yield Case("missing-file", lambda folder: ["check", str(folder / "absent.json")], REFUSED)
    big = json.dumps(ready()).encode()
    yield Case("over-the-size-cap", write_bytes(big), REFUSED, ("PREFLIGHT_MAX_INPUT_MB",),
               env=(("PREFLIGHT_MAX_INPUT_MB", "0.001"),))
    for depth in (1_000, 100_000):
        yield Case(f"nested-arrays-{depth}", write_bytes(b"[" * depth + b"]" * depth), REFUSED)
        nested = b'{"schema": "preflight/inventory/v1", "x": ' + b'{"a": ' * depth + b"1" + b"}" * depth + b"}"
        yield Case(f"nested-objects-{depth}", write_bytes(nested), REFUSED)
        data = ready()
        data["vms"][0]["notes"] = "NEST"
        raw = json.dumps(data).replace('"NEST"', "[" * depth + "]" * depth).encode()
        yield Case(f"nested-in-a-field-{depth}", write_bytes(raw), REFUSED)
    toml_nested = b'schema = "preflight/inventory/v1"\nx = ' + b"[" * 5000 + b"]" * 5000 + b"\n"
    yield Case("toml-nested-arrays", write_bytes(toml_nested, "estate.toml"), REFUSED)
    digits = "9" * 5000
    for path in ("vmm_servers.0.os.version", "vmm_servers.0.vmm.version", "sql_servers.0.version",
                 "hosts.0.version", "vmm_servers.0.installed_software.1.version"):
        yield Case(f"5000-digit-{path}", write_json(_set(ready(), path, f"{digits}.1")), REFUSED | DECIDED)
        yield Case(f"5000-digit-dotted-{path}", write_json(_set(ready(), path, f"1.{digits}")), REFUSED | DECIDED)
    huge = json.dumps(ready()).replace('"memory_gb": 8', '"memory_gb": 1' + "0" * 400, 1).encode()
    yield Case("number-1e400", write_bytes(huge), REFUSED)


# ----- 4. names, control characters and lengths ---------------------------------------------------

COMPUTER_FIELDS = ("vmm_servers.0.name", "sql_servers.0.name", "hosts.0.name", "library_servers.0.name",
                   "vcenters.0.name", "vmm_servers.0.domain", "hosts.0.fqdn", "vmm_servers.0.vmm.database.server")
BAD_COMPUTER_NAMES = ("HV 01", "HV01;calc", "HV01'", "$(Stop-Computer)", "HV_01<x>", "-", "a..b", ".", "",
                      "HV01\u00a0", "ＨＶ０１", "a" * 300)
CONTROL = ("\x1b[2J\x1b[H", "\x07", "\x00", "\x9b31m", "\x85", "line\rforged", "\x7f", "tab\there")


def name_cases() -> Iterator[Case]:
    """Computer and domain names Windows would not accept; control characters anywhere; long strings."""
    for path in COMPUTER_FIELDS:
        for index, bad in enumerate(BAD_COMPUTER_NAMES):
            yield Case(f"computer-name-{path}-{index}", write_json(_set(ready(), path, bad)), REFUSED)
    yield Case("long-netbios-name-is-a-finding", write_json(_set(ready(), "sql_servers.0.name", "SQL-SERVER-NUMBER-01")),
               REFUSED | DECIDED)
    free_text = ("snapshot.name", "vms.0.name", "vmm_servers.0.services.0.display_name",
                 "vmm_servers.0.installed_software.0.name", "vmm_servers.0.os.caption", "hosts.0.site")
    for path in free_text:
        for index, bad in enumerate(CONTROL):
            yield Case(f"control-{path}-{index}", write_json(_set(ready(), path, f"X{bad}Y")), REFUSED)
        yield Case(f"megabyte-{path}", write_json(_set(ready(), path, "x" * 1_000_000)), REFUSED)
    for index, bidi in enumerate(("\u202e", "\u2066", "\u200f", "\u2028")):
        data = ready()
        data["vms"][0]["name"] = f"WEB{bidi}exe.01"
        yield Case(f"bidi-in-a-vm-name-{index}", write_json(data, ensure_ascii=False), DECIDED | REFUSED)


# ----- 5. contradictions and absurd values ---------------------------------------------------------

def contradiction_cases() -> Iterator[Case]:
    """Data that contradicts itself is bad input, never a GO."""
    text = json.dumps(ready())
    duplicated = text.replace('"installation_type": "Full"', '"installation_type": "Core", "installation_type": "Full"', 1)
    yield Case("duplicate-key-server-core-then-full", write_bytes(duplicated.encode()), REFUSED)
    dup_schema = text.replace('"schema": "preflight/inventory/v1"',
                              '"schema": "preflight/inventory/v1", "schema": "preflight/inventory/v1"', 1)
    yield Case("duplicate-key-identical-values", write_bytes(dup_schema.encode()), REFUSED)
    dup_nested = text.replace('"memory_gb": 8', '"memory_gb": 8, "memory_gb": 64', 1)
    yield Case("duplicate-key-memory", write_bytes(dup_nested.encode()), REFUSED)
    data = ready()
    service = dict(data["vmm_servers"][0]["services"][0], state="Stopped")
    data["vmm_servers"][0]["services"].append(service)
    yield Case("service-listed-twice-different-state", write_json(data), REFUSED)
    absurd = {
        "vmm_servers.0.hardware.memory_gb": (-8, 0, 1e9),
        "vmm_servers.0.hardware.clock_ghz": (-1, 11, 1e6),
        "vmm_servers.0.hardware.volumes.0.size_gb": (-1, 2_000_000),
        "vmm_servers.0.hardware.volumes.0.free_gb": (-5, 500),
        "vmm_servers.0.hardware.cores": (-2, 0, 10**7),
        "hosts.0.hardware.memory_gb": (-96, 10**8),
    }
    for path, values in absurd.items():
        for value in values:
            yield Case(f"absurd-{path}={value}", write_json(_set(ready(), path, value)), REFUSED)


# ----- 6. incomplete data: never GO -----------------------------------------------------------------

INCOMPLETE_PATHS = ("vmm_servers.0.os", "vmm_servers.0.os.version", "vmm_servers.0.hardware", "vmm_servers.0.services",
                    "vmm_servers.0.installed_software", "vmm_servers.0.vmm.version", "vmm_servers.0.domain",
                    "vmm_servers.0.vmm.highly_available", "vmm_servers.0.hardware.clock_ghz",
                    "sql_servers.0.version", "sql_servers.0.edition", "sql_servers.0.collation",
                    "sql_servers.0.architecture", "vmm_servers.0.os.installation_type", "vmm_servers.0.os.edition",
                    "vmm_servers.0.vmm.pro_connection",
                    "vmm_servers.0.os.architecture", "library_servers.0.os",
                    "vcenters.0.version")


def incomplete_cases() -> Iterator[Case]:
    """Remove data a blocker or loss rule needs: the verdict is incomplete or no-go, never go."""
    for path in INCOMPLETE_PATHS:
        yield Case(f"not-collected-{path}", write_json(_del(ready(), path)), NOT_GO - REFUSED)
        yield Case(f"not-collected-allowed-{path}",
                   lambda folder, p=path: write_json(_del(ready(), p))(folder) + ["--allow-unknown"], DECIDED)
    empty = {"schema": READY["schema"], "snapshot": READY["snapshot"]}
    yield Case("empty-estate", write_json(empty), frozenset({4}))
    yield Case("empty-estate-allow-unknown",
               lambda folder: write_json(empty)(folder) + ["--allow-unknown"], frozenset({4}))


# ----- 7. outputs ----------------------------------------------------------------------------------------

def _estate(folder: Path) -> str:
    path = folder / "estate.json"
    path.write_text(json.dumps(ready()), encoding="utf-8")
    return str(path)


def output_cases() -> Iterator[Case]:
    """Outputs never destroy an input, a device or each other, and a refusal writes nothing."""
    yield Case("o-onto-the-input", lambda f: ["check", _estate(f), "-o", str(f / "estate.json")], REFUSED,
               keep=("estate.json",))
    yield Case("o-onto-the-input-other-spelling",
               lambda f: ["check", _estate(f), "-o", str(f / "." / "estate.json")], REFUSED, keep=("estate.json",))
    yield Case("script-onto-the-input",
               lambda f: ["verify", _estate(f), "--as-of", "collected", "--script", str(f / "estate.json")], REFUSED,
               keep=("estate.json",))
    yield Case("emit-snapshot-onto-the-input",
               lambda f: ["verify", _estate(f), "--as-of", "collected", "--emit-snapshot", str(f / "estate.json")],
               REFUSED, keep=("estate.json",))
    yield Case("script-equals-output",
               lambda f: ["verify", _estate(f), "--as-of", "collected", "-o", str(f / "out.json"),
                          "--script", str(f / "out.json")], REFUSED, outputs=("out.json",))
    for ext in ("junit", "pdf", "docx", "report", "htm.bak"):
        yield Case(f"unknown-extension-{ext}",
                   lambda f, e=ext: ["check", _estate(f), "--as-of", "collected", "-o", str(f / f"out.{e}")],
                   REFUSED, ("extension",), outputs=(f"out.{ext}",))
    yield Case("output-is-a-directory", lambda f: ["check", _estate(f), "--as-of", "collected", "-o", str(f)], REFUSED)
    yield Case("output-in-a-missing-directory",
               lambda f: ["check", _estate(f), "--as-of", "collected", "-o", str(f / "no" / "such.json")], REFUSED)
    yield Case("output-disk-full", lambda f: ["check", _estate(f), "--as-of", "collected", "-o", "/dev/full"], REFUSED)
    yield Case("output-dev-null", lambda f: ["check", _estate(f), "--as-of", "collected", "-f", "json",
                                             "-o", "/dev/null"], DECIDED)
    yield Case("output-name-250-chars",
               lambda f: ["check", _estate(f), "--as-of", "collected", "-o", str(f / ("r" * 245 + ".json"))], DECIDED)
    yield Case("output-name-too-long",
               lambda f: ["check", _estate(f), "--as-of", "collected", "-o", str(f / ("r" * 300 + ".json"))], REFUSED)


# ----- 8. rule packs -------------------------------------------------------------------------------------

PACK_HEAD = '''[pack]
id = "hostile"
title = "Hostile site pack"
version = "1.0.0"

[sources.site]
title = "Site standard"
confidence = "site"

[[rules]]
code = "HOS001"
name = "hostile-rule"
title = "A hostile rule"
severity = "warning"
target = "vmm_servers"
message = "{name}: hostile"
rationale = "Because."
remediation = "Fix it."
sources = ["site"]
'''
BAD_RULES = {
    "typo-in-expect": 'check = "condition"\nparams = { expect = { "os.verison" = "6.1.7601" } }\n',
    "typo-in-where": 'check = "condition"\nwhere = { "hardwre.memory_gb" = { ge = 4 } }\nparams = { expect = { "os.version" = "6.1.7601" } }\n',
    "ge-with-units": 'check = "condition"\nparams = { expect = { "hardware.memory_gb" = { ge = "64 GB" } } }\n',
    "in-with-a-number": 'check = "condition"\nparams = { expect = { "os.edition" = { in = 5 } } }\n',
    "invalid-regex": 'check = "condition"\nparams = { expect = { "os.caption" = { matches = "([\\"" } } }\n',
    "unknown-action": 'check = "condition"\nparams = { expect = { "os.version" = "6.1.7601" } }\nfix = { action = "format-c-drive" }\n',
    "unknown-placeholder": 'check = "condition"\nparams = { expect = { "os.version" = "6.1.7601" } }\nmessage = "{nmae}"\n',
    "control-in-title": 'check = "condition"\nparams = { expect = { "os.version" = "6.1.7601" } }\n',
}


def rule_pack_cases() -> Iterator[Case]:
    """Site rule packs are validated when they load (exit 2), and a site regex never hangs a check."""
    for label, body in BAD_RULES.items():
        head = PACK_HEAD.replace('message = "{name}: hostile"\n', "") if "message" in body else PACK_HEAD
        if label == "control-in-title":
            head = head.replace("A hostile rule", "A hostile \\u001b[2J rule")
        for command in ("rules", "check"):
            def setup(folder: Path, text: str = head + body, command: str = command) -> list[str]:
                site = folder / "site"
                site.mkdir()
                (site / "pack.toml").write_text(text, encoding="utf-8")
                if command == "rules":
                    return ["rules", "list", "--rules", str(site)]
                return ["check", _estate(folder), "--as-of", "collected", "--rules", str(site)]
            codes = REFUSED | DECIDED if label == "control-in-title" else REFUSED  # shown escaped, or refused
            yield Case(f"pack-{label}-{command}", setup, codes)
    catastrophic = PACK_HEAD + 'check = "condition"\nparams = { expect = { "os.caption" = { matches = "^(a+)+$" } } }\n'

    def redos(folder: Path) -> list[str]:
        site = folder / "site"
        site.mkdir()
        (site / "pack.toml").write_text(catastrophic, encoding="utf-8")
        data = ready()
        data["vmm_servers"][0]["os"]["caption"] = "a" * 40 + "!"
        (folder / "estate.json").write_text(json.dumps(data), encoding="utf-8")
        return ["check", str(folder / "estate.json"), "--as-of", "collected", "--rules", str(site)]
    yield Case("pack-catastrophic-regex", redos, DECIDED | REFUSED, isolate=True)


def all_cases() -> list[Case]:
    """The whole corpus."""
    return [*encoding_cases(), *syntax_cases(), *resource_cases(), *name_cases(), *contradiction_cases(),
            *incomplete_cases(), *output_cases(), *rule_pack_cases()]
