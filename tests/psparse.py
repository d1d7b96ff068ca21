"""Parse generated PowerShell with the tree-sitter grammar: syntax errors, command names, literal ranges."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter
import tree_sitter_powershell

NOT_PS2 = (r"\[ordered\]", r"::new\(", r"\$using:", r"\s-in\s", r"\s-notin\s", r"\$PSItem", r"\bInstall-WindowsFeature\b",
           r"\bGet-CimInstance\b", r"\bInvoke-WebRequest\b", r"-ErrorAction\s+Ignore", r"\bForEach-Object\s+-Parallel")
"""Regular expressions for PowerShell 3.0+ syntax and cmdlets that Windows Server 2008 R2's PowerShell 2.0 lacks."""

_PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))


@dataclass(frozen=True)
class Parsed:
    source: bytes
    root: tree_sitter.Node

    def nodes(self) -> Iterator[tree_sitter.Node]:
        stack = [self.root]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def errors(self) -> list[str]:
        """ERROR and MISSING nodes, with their line."""
        return [f"line {n.start_point[0] + 1}: {'MISSING' if n.is_missing else 'ERROR'} {n.text[:60]!r}"
                for n in self.nodes() if n.type == "ERROR" or n.is_missing]

    def command_names(self) -> set[str]:
        """Names of every command invoked (cmdlets, functions, external programs)."""
        return {n.text.decode() for n in self.nodes() if n.type == "command_name"}

    def literal_ranges(self) -> list[tuple[int, int]]:
        return [(n.start_byte, n.end_byte) for n in self.nodes() if n.type == "string_literal"]

    def outside_literals(self, needle: str) -> list[int]:
        """Byte offsets where `needle` occurs but not wholly inside one string literal."""
        data, token, ranges, found, start = self.source, needle.encode(), self.literal_ranges(), [], 0
        while (at := data.find(token, start)) != -1:
            if not any(lo <= at and at + len(token) <= hi for lo, hi in ranges):
                found.append(at)
            start = at + 1
        return found


def parse(script: str) -> Parsed:
    source = script.encode("utf-8")
    return Parsed(source, _PARSER.parse(source).root_node)
