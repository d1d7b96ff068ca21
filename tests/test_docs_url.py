"""Where SARIF's links point: the project's own docs by default, an organisation's copy with PREFLIGHT_DOCS_URL,
and one place (preflight/project.py) that the docs' own links to the project agree with."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from preflight.cli import main
from preflight.project import DEFAULT_DOCS_URL, PROJECT_URL, docs_url

ROOT = Path(__file__).resolve().parent.parent
BLOCKED = ROOT / "fixtures" / "estates" / "blocked.json"


def _driver(capsys: pytest.CaptureFixture[str], *extra: str) -> dict:
    assert main(["report", str(BLOCKED), "--as-of", "collected", "-f", "sarif", *extra]) == 1
    return json.loads(capsys.readouterr().out)["runs"][0]["tool"]["driver"]


def test_by_default_links_go_to_the_projects_own_docs(capsys: pytest.CaptureFixture[str]) -> None:
    driver = _driver(capsys)
    assert driver["informationUri"] == PROJECT_URL
    assert {r["helpUri"] for r in driver["rules"]} == {f"{DEFAULT_DOCS_URL}rules/{r['id']}.md" for r in driver["rules"]}
    # the default address is the repository's docs/ folder: every page it names is there
    assert f"{PROJECT_URL}/blob/main/docs/" == DEFAULT_DOCS_URL
    assert all((ROOT / "docs" / "rules" / f"{r['id']}.md").is_file() for r in driver["rules"])


@pytest.mark.parametrize("value", ["https://intranet.contoso.test/preflight/docs", "https://intranet.contoso.test/preflight/docs/"])
def test_an_organisation_hosting_the_docs_sets_the_base_address(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], value: str) -> None:
    monkeypatch.setenv("PREFLIGHT_DOCS_URL", value)
    driver = _driver(capsys)
    assert driver["informationUri"] == "https://intranet.contoso.test/preflight/docs/"
    vmm010 = next(r for r in driver["rules"] if r["id"] == "VMM010")
    assert vmm010["helpUri"] == "https://intranet.contoso.test/preflight/docs/rules/VMM010.md"
    assert not [r for r in driver["rules"] if "github.com" in r.get("helpUri", "")]


@pytest.mark.parametrize("value", ["docs", "file:///srv/docs/", "ftp://docs.contoso.test/", "https://a b/"])
def test_a_docs_address_that_is_not_http_is_one_line_and_writes_nothing(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path, value: str) -> None:
    monkeypatch.setenv("PREFLIGHT_DOCS_URL", value)
    target = tmp_path / "results.sarif"
    assert main(["report", str(BLOCKED), "--as-of", "collected", "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("preflight: error: PREFLIGHT_DOCS_URL: expected the absolute http(s) address"), err
    assert not target.exists()
    assert docs_url({}) == DEFAULT_DOCS_URL


def test_other_formats_ignore_the_docs_address(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PREFLIGHT_DOCS_URL", "not a url")
    assert main(["check", str(BLOCKED), "--as-of", "collected", "-q"]) == 1


def test_every_link_to_the_project_in_the_docs_is_the_one_place() -> None:
    files = [ROOT / "README.md", ROOT / ".pre-commit-hooks.yaml", *sorted((ROOT / "docs").rglob("*.*"))]
    found = 0
    for file in files:
        for url in re.findall(r"https?://[^\s)>\"'`]*preflight-project[^\s)>\"'`]*", file.read_text(encoding="utf-8")):
            found += 1
            assert url.startswith(PROJECT_URL), f"{file}: {url} is not under {PROJECT_URL} (preflight/project.py)"
    assert found >= 3   # the pre-commit hook's repo and the two CI examples' installs
