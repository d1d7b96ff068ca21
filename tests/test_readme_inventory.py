"""The README's lists of what exists stay complete (every package in its Layout, every collector source), and its JSON sample has a real report's keys."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from preflight.cli import main
from preflight.collector import SOURCE_IDS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def section(heading: str) -> str:
    """The README's text from `heading` to the next heading of the same or a higher level."""
    level = heading.split(" ", 1)[0]
    start = README.index(f"\n{heading}\n")
    # a '# comment' line in a fenced shell or PowerShell block is no heading
    prose = re.sub(r"```.*?```", lambda block: "x" * len(block.group(0)), README, flags=re.S)
    following = re.compile(rf"\n#{{1,{len(level)}}} ").search(prose, start + 1)
    return README[start:following.start() if following else len(README)]


def test_the_layout_lists_every_package() -> None:
    layout = section("## Layout")
    listed = set(re.findall(r"^(preflight/[a-z_]+/)", layout, re.M))
    packages = {f"preflight/{p.name}/" for p in (ROOT / "preflight").iterdir() if (p / "__init__.py").is_file()}
    assert packages - listed == set(), "packages missing from the README's Layout"
    assert listed - packages == set(), "the README's Layout lists packages that do not exist"


def test_the_collector_section_names_every_source_it_reads() -> None:
    """Each source id of the bundle, written out or as `PREFIX.CLASS` with the class named beside it."""
    text = section("## From a real fabric to a verdict")
    missing = []
    for source in SOURCE_IDS:
        prefix, _, rest = source.partition(".")
        shorthand = f"`{prefix}.CLASS`" in text and f"`{rest}`" in text
        if f"`{source}`" not in text and not shorthand:
            missing.append(source)
    assert missing == [], "collector sources the README does not mention"


def test_the_json_sample_has_the_keys_of_a_real_report(capsys: pytest.CaptureFixture[str]) -> None:
    """The README's `--format json` example names every key a plain check report has, and no other."""
    start = README.index("## JSON output (`--format json`")
    block = re.compile(r"```json\n(.*?)```", re.S).search(README, start)
    assert block, "the README's JSON sample is missing"
    sample = json.loads(block.group(1))
    assert main(["check", str(ROOT / "fixtures" / "estates" / "blocked.json"), "--as-of", "collected", "-f", "json"]) == 1
    real = json.loads(capsys.readouterr().out)
    assert list(sample) == list(real)
    assert list(sample["summary"]) == list(real["summary"])
    assert list(sample["as_of"]) == list(real["as_of"])
    assert list(sample["findings"][0]) == list(real["findings"][0])


def toml_block_after(marker: str) -> str:
    """The first ```toml block after `marker` in the README."""
    block = re.compile(r"```toml\n(.*?)```", re.S).search(README, README.index(marker))
    assert block, f"no toml block after {marker!r}"
    return block.group(1)


def test_the_snapshot_and_pack_examples_work_as_printed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The snapshot example loads, and the rule pack example, copied into a folder, adds CTS001 to a check."""
    snapshot = tmp_path / "estate.toml"
    snapshot.write_text(toml_block_after("## Inventory snapshots"), encoding="utf-8")
    assert main(["validate", str(snapshot)]) == 0
    pack = tmp_path / "contoso-rules"
    pack.mkdir()
    (pack / "contoso.toml").write_text(toml_block_after("## Writing your own rule pack"), encoding="utf-8")
    capsys.readouterr()
    main(["check", str(ROOT / "fixtures" / "estates" / "blocked.json"), "--as-of", "collected", "--rules", str(pack)])
    out = capsys.readouterr().out
    assert "CTS001 contoso-vmm-memory: VMM server has less than 16 GB of memory" in out
