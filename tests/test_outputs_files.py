"""Outputs never destroy and never leave half: devices, FIFOs, inputs, several outputs, a failing disk."""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from preflight.cli import main

ROOT = Path(__file__).resolve().parent.parent
READY = ROOT / "fixtures" / "estates" / "ready.json"
BLOCKED = ROOT / "fixtures" / "estates" / "blocked.json"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("preflight: error: "), err
    assert "internal error" not in err and "Traceback" not in err
    return lines[0]


def device(tmp_path: Path, name: str, major: int, minor: int) -> Path:
    """A character device node in tmp_path (a private /dev/null or /dev/full: a bug cannot hurt the real one)."""
    if not IS_ROOT:
        pytest.skip("creating a device node needs root")
    path = tmp_path / name
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(major, minor))
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        pytest.skip(f"device nodes cannot be opened here ({exc.strerror}: a nodev mount)")
    return path


def test_dash_means_standard_output(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "check", READY, "-o", "-")
    assert code == 0 and out.startswith(" GO ")
    code, out, _ = run(capsys, "report", READY, "-o", "-")
    assert code == 0 and out.startswith("<!DOCTYPE html>")
    assert not (Path.cwd() / "-").exists()


def test_a_null_device_is_written_into_not_replaced(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    null = device(tmp_path, "null", 1, 3)
    code, out, _ = run(capsys, "check", READY, "-o", null)
    assert code == 0 and out == ""
    assert stat.S_ISCHR(null.stat().st_mode), "the device node was replaced by a regular file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]


def test_a_full_device_is_one_line_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    full = device(tmp_path, "full", 1, 7)
    code, _, err = run(capsys, "check", READY, "-o", full)
    assert code == 2
    assert one_error_line(err).endswith(f"{full}: cannot write: No space left on device")
    assert stat.S_ISCHR(full.stat().st_mode)


def test_a_fifo_is_written_into(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    fifo = tmp_path / "report.pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    code, out, _ = run(capsys, "check", READY, "--format", "json", "-o", fifo)
    reader.join(timeout=10)
    assert code == 0 and out == ""
    assert json.loads(received[0])["verdict"] == "go"
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_a_name_for_standard_output_writes_where_the_shell_redirected(tmp_path: Path) -> None:
    link = tmp_path / "stdout"  # like /dev/stdout: a symlink through /proc to descriptor 1
    link.symlink_to("/proc/self/fd/1")
    log = tmp_path / "log.txt"
    log.write_text("earlier run\n", encoding="utf-8")
    with open(log, "a", encoding="utf-8") as appended:  # the shell's >> log.txt
        result = subprocess.run([sys.executable, "-m", "preflight", "check", str(READY), "-o", str(link)],
                                stdout=appended, stderr=subprocess.PIPE, text=True)
    assert result.returncode == 0, result.stderr
    text = log.read_text(encoding="utf-8")
    assert text.startswith("earlier run\n GO ")
    assert link.is_symlink() and os.readlink(link) == "/proc/self/fd/1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.txt", "stdout"]


def test_an_output_naming_an_input_is_refused_before_anything_runs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    snapshot = tmp_path / "estate.json"
    snapshot.write_text(READY.read_text(encoding="utf-8"), encoding="utf-8")
    before = snapshot.read_bytes()
    alias = tmp_path / "alias.json"
    alias.symlink_to(snapshot)
    hard = tmp_path / "hard.json"
    os.link(snapshot, hard)
    for output in (snapshot, alias, hard, tmp_path / "." / "estate.json"):
        code, out, err = run(capsys, "check", snapshot, "-o", output, "--format", "json")
        assert code == 2 and out == ""
        assert "refusing to overwrite an input" in one_error_line(err)
    assert snapshot.read_bytes() == before
    for command in ("drill", "verify"):
        code, _, err = run(capsys, command, snapshot, "-o", alias)
        assert code == 2 and "refusing to overwrite an input" in one_error_line(err)
    code, _, err = run(capsys, "verify", snapshot, "--emit-snapshot", hard)
    assert code == 2 and "--emit-snapshot" in one_error_line(err)
    assert snapshot.read_bytes() == before and not snapshot.is_symlink()


def test_an_output_naming_a_waivers_file_or_a_rule_pack_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The waivers file found beside the snapshot and the --rules packs are inputs as much as the snapshot:
    a report written over one would silently drop the accepted risks or the site's rules on the next run."""
    snapshot = tmp_path / "estate.json"
    snapshot.write_text(BLOCKED.read_text(encoding="utf-8"), encoding="utf-8")
    waivers = tmp_path / "estate.waivers.toml"
    waivers.write_text((ROOT / "fixtures" / "waivers" / "blocked.toml").read_text(encoding="utf-8"), encoding="utf-8")
    pack = tmp_path / "site-rules" / "nested" / "site.toml"
    pack.parent.mkdir(parents=True)
    pack.write_text('[pack]\nid = "site"\ntitle = "Site"\nversion = "1.0.0"\n', encoding="utf-8")
    before = waivers.read_bytes(), pack.read_bytes()
    for command in ("check", "report", "verify"):
        code, _, err = run(capsys, command, snapshot, "-o", waivers, "--format", "text")
        assert code == 2 and "refusing to overwrite an input" in one_error_line(err), (command, err)
    for command in ("check", "report", "verify", "drill"):
        code, _, err = run(capsys, command, snapshot, "--rules", tmp_path / "site-rules", "-o", pack, "--format", "text")
        assert code == 2 and "refusing to overwrite an input" in one_error_line(err), (command, err)
    base = tmp_path / "site-rules" / "_bases" / "site.json"   # a case file's starting snapshot (`rules test`)
    base.parent.mkdir()
    base.write_text(BLOCKED.read_text(encoding="utf-8"), encoding="utf-8")
    code, _, err = run(capsys, "check", snapshot, "--rules", tmp_path / "site-rules", "-o", base, "--format", "json")
    assert code == 2 and "refusing to overwrite an input" in one_error_line(err), err
    assert (waivers.read_bytes(), pack.read_bytes(), base.read_text(encoding="utf-8")) == (*before, BLOCKED.read_text(encoding="utf-8"))
    # --no-waivers reads no waivers file, so writing one is no clash
    assert run(capsys, "check", snapshot, "--as-of", "collected", "--no-waivers", "-o", waivers, "--format", "text")[0] == 1


def test_the_clash_is_reported_even_when_the_snapshot_is_bad(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    code, _, err = run(capsys, "check", bad, "-o", bad, "--format", "json")
    assert code == 2 and "refusing to overwrite an input" in one_error_line(err)
    assert bad.read_text(encoding="utf-8") == "{"


def test_outputs_naming_each_other_are_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    same = tmp_path / "plan.txt"
    code, _, err = run(capsys, "verify", BLOCKED, "--script", same, "--emit-snapshot", same)
    assert code == 2 and "--script" in one_error_line(err) and "writes there too" in err
    code, _, err = run(capsys, "verify", BLOCKED, "-o", same, "--script", tmp_path / "x" / ".." / "plan.txt",
                       "--format", "text")
    assert code == 2 and "writes there too" in one_error_line(err)
    code, out, err = run(capsys, "verify", BLOCKED, "--script", "-")
    assert code == 2 and out == "" and "standard output" in one_error_line(err)
    assert list(tmp_path.iterdir()) == []


def test_a_missing_directory_is_refused_before_anything_runs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    code, _, err = run(capsys, "verify", bad, "-o", tmp_path / "verify.json", "--emit-snapshot", tmp_path / "missing" / "after.json")
    assert code == 2 and "missing does not exist" in one_error_line(err)  # not the snapshot error: nothing ran
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json"]


def test_verify_writes_all_outputs_or_none(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    report, script, after = tmp_path / "verify.json", tmp_path / "plan.ps1", tmp_path / "after.json"
    real_fsync, synced = os.fsync, []

    def disk_fills_up(fd: int) -> None:
        synced.append(fd)
        if len(synced) == 3:  # the first two outputs are staged when the third cannot be
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", disk_fills_up)
    code, _, err = run(capsys, "verify", BLOCKED, "-o", report, "--script", script, "--emit-snapshot", after)
    assert code == 2 and "No space left on device" in one_error_line(err)
    assert list(tmp_path.iterdir()) == [], "an output or a temporary file was left although another one failed"
    monkeypatch.setattr(os, "fsync", real_fsync)
    code, _, _ = run(capsys, "verify", BLOCKED, "-o", report, "--script", script, "--emit-snapshot", after)
    assert code == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["after.json", "plan.ps1", "verify.json"]
    assert json.loads(report.read_text(encoding="utf-8"))["verification"]["passed"] is False


def test_a_failing_stream_output_leaves_no_file_behind(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    full = device(tmp_path, "full", 1, 7)
    report = tmp_path / "verify.json"
    code, _, err = run(capsys, "verify", BLOCKED, "-o", report, "--script", full)
    assert code == 2 and "No space left on device" in one_error_line(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full"], "staged file renamed or left behind"


def test_a_full_file_system_is_one_line_and_leaves_nothing(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    mount = tmp_path / "small"
    mount.mkdir()
    if not IS_ROOT or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8k", "tmpfs", str(mount)],
                                     capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root and CAP_SYS_ADMIN)")
    try:
        code, _, err = run(capsys, "report", BLOCKED, "-o", mount / "blocked.html")
        assert code == 2
        assert one_error_line(err).endswith("blocked.html: cannot write: No space left on device")
        assert list(mount.iterdir()) == []
        code, _, err = run(capsys, "verify", BLOCKED, "-o", tmp_path / "verify.html", "--emit-snapshot", mount / "after.json")
        assert code == 2 and "after.json: cannot write: No space left on device" in one_error_line(err)
        assert list(mount.iterdir()) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["small"]
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_an_output_directory_is_one_line_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "check", READY, "-o", tmp_path)
    assert code == 2 and one_error_line(err).endswith(f"{tmp_path}: is a directory")
    code, _, err = run(capsys, "check", READY, "-o", tmp_path / "nowhere" / "r.json")
    assert code == 2 and "does not exist" in one_error_line(err)


def test_permission_denied_is_one_line_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    real_open = os.open

    def refuse(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if str(path).startswith(str(tmp_path)) and flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refuse)
    code, _, err = run(capsys, "check", READY, "-o", tmp_path / "r.json")
    assert code == 2 and one_error_line(err).endswith("r.json: cannot write: Permission denied")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(IS_ROOT, reason="root writes into a read-only directory; covered by the monkeypatched test")
def test_a_read_only_directory_is_one_line_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        code, _, err = run(capsys, "check", READY, "-o", locked / "r.json")
        assert code == 2 and "Permission denied" in one_error_line(err)
    finally:
        locked.chmod(0o700)


def test_file_names_up_to_the_limit_work_and_longer_ones_are_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    legal = tmp_path / ("r" * 250 + ".json")
    code, _, err = run(capsys, "check", READY, "-o", legal)
    assert code == 0, err
    assert [p.name for p in tmp_path.iterdir()] == [legal.name]
    code, _, err = run(capsys, "check", READY, "-o", tmp_path / ("r" * 260 + ".json"))
    assert code == 2 and "File name too long" in one_error_line(err)


def test_a_closed_pipe_is_one_line_exit_2() -> None:
    for args in (["check", str(BLOCKED)], ["rules", "list"], ["rules", "show", "VMM001"], ["schema"]):
        read_end, write_end = os.pipe()
        os.close(read_end)  # the reader is gone before preflight writes a byte, like `| head -c0`
        try:
            result = subprocess.run([sys.executable, "-m", "preflight", *args], stdout=write_end,
                                    stderr=subprocess.PIPE, text=True)
        finally:
            os.close(write_end)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr == "preflight: error: standard output: cannot write: the reader closed the pipe (broken pipe)\n"


def test_head_closing_the_pipe_early_is_not_an_internal_error() -> None:
    command = f"{sys.executable} -m preflight rules list | head -c1 >/dev/null; echo ${{PIPESTATUS[0]}}"
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True)
    assert result.stdout.strip() in ("0", "2") and "Traceback" not in result.stderr
    assert result.stderr in ("", "preflight: error: standard output: cannot write: the reader closed the pipe (broken pipe)\n")


@pytest.mark.parametrize("name", ["results.junit", "report.pdf", "report", "notes.text"])
def test_an_unknown_extension_without_format_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str) -> None:
    for command in ("check", "report", "verify"):
        code, out, err = run(capsys, command, READY, "-o", tmp_path / name)
        line = one_error_line(err)
        assert code == 2 and out == ""
        assert "cannot tell the format" in line and ".html" in line and ".sarif.json" in line and "--format" in line
    assert list(tmp_path.iterdir()) == []


def test_format_makes_any_name_work(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "results.junit"
    assert run(capsys, "report", READY, "-o", target, "--format", "junit")[0] == 0
    assert target.read_text(encoding="utf-8").startswith("<?xml")


def test_replacing_keeps_the_mode_and_writes_through_a_symlink(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    private = tmp_path / "private.json"
    private.write_text("old", encoding="utf-8")
    private.chmod(0o600)
    link = tmp_path / "latest.json"
    link.symlink_to(private.name)
    assert run(capsys, "check", READY, "-o", link)[0] == 0
    assert link.is_symlink() and json.loads(private.read_text(encoding="utf-8"))["verdict"] == "go"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.json", "private.json"]


def test_an_internal_error_is_one_line_exit_3(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from preflight.formatters import FORMATTERS

    def explode(report: object, stream: object) -> None:
        raise RuntimeError("boom\n\x1b[2Jsecond line")

    monkeypatch.setitem(FORMATTERS, "json", dataclasses.replace(FORMATTERS["json"], write=explode))
    code, out, err = run(capsys, "check", READY, "-o", tmp_path / "r.json")
    assert code == 3 and out == ""
    assert err.count("\n") == 1 and err.startswith("preflight: internal error: RuntimeError: boom\\n\\x1b[2Jsecond line")
    assert list(tmp_path.iterdir()) == []
