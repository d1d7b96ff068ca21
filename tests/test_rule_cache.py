"""The compiled rule catalog is cached under the user's cache directory: the same packs load from it, an
edited pack never does, and a missing, corrupt or unwritable cache changes nothing but the speed."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from test_catalog import GOOD_RULE, READY, write

from preflight.cli import main
from preflight.errors import CatalogError
from preflight.pipeline import load_rules, rule_cache

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh cache directory (the suite runs uncached: conftest sets PREFLIGHT_CACHE_DIR empty)."""
    where = tmp_path / "cache"
    monkeypatch.setenv(rule_cache.ENV, str(where))
    return where


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("catalog-*.pickle"))


def _no_build(*_: object) -> None:
    raise AssertionError("the catalog was compiled again")


def test_the_second_load_comes_from_the_cache_and_equals_a_fresh_one(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = load_rules()
    assert len(_entries(cache)) == 1
    monkeypatch.setattr("preflight.pipeline.check.load_catalog", _no_build)
    cached = load_rules()
    assert cached == fresh and cached is not fresh  # every rule, pack, matrix and source, field by field


def test_an_edited_pack_is_never_served_stale(cache: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    write(site, "contoso.toml", GOOD_RULE)
    assert load_rules((site,)).rules["CTS001"].severity.value == "warning"
    write(site, "contoso.toml", GOOD_RULE.replace('severity = "warning"', 'severity = "blocker"'))
    assert load_rules((site,)).rules["CTS001"].severity.value == "blocker"
    write(site, "more.toml", GOOD_RULE.replace("contoso", "fabrikam").replace("CTS001", "FAB001"))
    assert {"CTS001", "FAB001"} <= load_rules((site,)).rules.keys()
    (site / "more.toml").unlink()
    assert "FAB001" not in load_rules((site,)).rules
    assert len(_entries(cache)) == 3  # the last load was the first one's packs again: served from its entry


def test_a_broken_pack_is_reported_every_time_never_cached(cache: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    path = write(site, "contoso.toml", GOOD_RULE.replace('check = "condition"', 'check = "telepathy"'))
    for _ in range(2):
        with pytest.raises(CatalogError, match="unknown check kind 'telepathy'") as caught:
            load_rules((site,))
        assert str(caught.value).startswith(str(path))
    with pytest.raises(CatalogError, match="not a directory"):
        load_rules((tmp_path / "nowhere",))
    assert not _entries(cache)


def test_a_corrupt_or_foreign_entry_is_rebuilt(cache: Path) -> None:
    load_rules()
    (entry,) = _entries(cache)
    entry.write_bytes(b"\x80\x05not a pickle")
    assert "VMM005" in load_rules().rules
    entry.write_bytes(pickle.dumps({"rules": {}}))
    assert "VMM005" in load_rules().rules
    assert isinstance(pickle.loads(entry.read_bytes()), type(load_rules()))


def test_a_deleted_or_unwritable_cache_only_costs_time(cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load_rules()
    for entry in _entries(cache):
        entry.unlink()
    cache.rmdir()
    assert "VMM005" in load_rules().rules and _entries(cache)
    blocked = tmp_path / "a-file"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv(rule_cache.ENV, str(blocked / "cache"))  # a file where the directory would be
    assert "VMM005" in load_rules().rules


def test_an_empty_setting_turns_the_cache_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(rule_cache.ENV, "")
    assert rule_cache.cache_dir() is None
    monkeypatch.delenv(rule_cache.ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    if sys.platform not in ("win32", "darwin"):
        assert rule_cache.cache_dir() == tmp_path / "preflight"


def test_old_entries_are_pruned(cache: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    for edit in range(rule_cache.KEEP + 3):
        write(site, "contoso.toml", GOOD_RULE.replace("Contoso standards", f"Contoso standards, edit {edit}"))
        load_rules((site,))
    assert len(_entries(cache)) == rule_cache.KEEP


def test_the_cli_reports_the_same_from_the_cache(cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "site", "contoso.toml", GOOD_RULE)
    argv = ["check", str(READY), "--rules", str(tmp_path / "site"), "--fail-on", "warning", "-f", "json"]
    outputs = []
    for _ in range(2):
        assert main(argv) == 1  # CTS001 fails at warning, from the fresh catalog and from the cached one
        outputs.append(_timeless(capsys.readouterr().out))
    assert _entries(cache) and outputs[0] == outputs[1]
    assert any(f["rule"] == "CTS001" for f in outputs[0]["findings"])


def test_a_whole_process_check_writes_and_then_reads_the_cache(cache: Path) -> None:
    env = {**os.environ, rule_cache.ENV: str(cache)}
    argv = [sys.executable, "-m", "preflight", "check", str(READY), "-q", "-f", "json", "--as-of", "collected"]
    first = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, env=env, check=False)
    (entry,) = _entries(cache)
    written = entry.stat().st_mtime_ns
    second = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, env=env, check=False)
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert entry.stat().st_mtime_ns == written and _entries(cache) == [entry]
    assert _timeless(first.stdout) == _timeless(second.stdout)


def _timeless(out: str) -> dict[str, Any]:  # Any: a parsed JSON report
    """A JSON report without the run's duration (the only part that may differ between two runs)."""
    report = json.loads(out)
    report["summary"].pop("elapsed_seconds")
    return report


def test_an_edited_source_file_is_a_new_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "preflight"
    (package / "engine").mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    source = package / "engine" / "compile.py"
    source.write_text("A = 1\n", encoding="utf-8")
    monkeypatch.setattr(rule_cache.preflight, "__file__", str(package / "__init__.py"))
    before = rule_cache._code_stamp()
    source.write_text("A = 22\n", encoding="utf-8")  # what a changed engine compiles differently
    assert rule_cache._code_stamp() != before


def test_a_cached_run_does_not_import_the_remediation_actions(cache: Path) -> None:
    from test_startup import PROBE

    env = {**os.environ, rule_cache.ENV: str(cache)}
    argv = [sys.executable, "-c", PROBE, "check", str(READY), "--as-of", "collected", "-q", "-f", "json"]
    loaded = [set(json.loads(subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, env=env, check=True)
                             .stdout.splitlines()[-1])) for _ in range(2)]
    assert "preflight.remediation.actions" in loaded[0], "compiling checks every fix against the actions"
    assert "preflight.remediation.actions" not in loaded[1]
