"""The built wheel carries rules/ and reports/: a plain pip install works outside the repository."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
                   check=True)
    (built,) = out.glob("preflight-*.whl")
    return built


def test_wheel_contains_rules_and_reports(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "preflight/_data/rules/packs/vmm2012.toml" in names
    assert "preflight/_data/rules/sources/core.toml" in names
    assert any(n.startswith("preflight/_data/reports/") for n in names)
    assert "preflight/collector/Collect-PreflightInventory.ps1" in names
    assert not any(n.startswith(("tests/", "fixtures/")) for n in names)


def test_installed_wheel_checks_from_another_directory(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "fresh"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True)
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    estate = shutil.copy(ROOT / "fixtures" / "estates" / "ready.json", workdir / "estate.json")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    result = subprocess.run([str(env_dir / "bin" / "preflight"), "check", str(estate), "--format", "json"],
                            cwd=workdir, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["verdict"] == "go"
    assert "vmm2012" in report["packs"]
    shown = subprocess.run([str(env_dir / "bin" / "preflight"), "rules", "show", "VMM005"], cwd=workdir,
                           capture_output=True, text=True, env=env)
    assert shown.returncode == 0 and "defined in:  built-in rules/packs/vmm2012.toml" in shown.stdout
    assert str(env_dir) not in shown.stdout, "no path of the installation: a user cannot act on it"
    written = subprocess.run([str(env_dir / "bin" / "preflight"), "collector", "-o", "Collect-PreflightInventory.ps1"],
                             cwd=workdir, capture_output=True, text=True, env=env)
    assert written.returncode == 0, written.stderr
    assert (workdir / "Collect-PreflightInventory.ps1").read_bytes().startswith(b"\xef\xbb\xbf<#\r\n.SYNOPSIS")
