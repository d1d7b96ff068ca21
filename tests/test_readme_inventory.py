"""The README's lists of what exists stay complete: every package in its Layout, every collector source it reads."""

from __future__ import annotations

import re
from pathlib import Path

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
