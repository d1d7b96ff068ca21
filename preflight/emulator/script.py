"""Read a remediation script back: each `Invoke-PreflightStep` statement becomes an emulator request.

The script is parsed with the tree-sitter PowerShell grammar. Every plan step is ONE top-level statement,
a call of the header function with literal values only:

    Invoke-PreflightStep -Number 7 -Server 'HV01' -Action 'install-hotfix' -Via 'WinRM' `
        -ObjectKind 'hosts' -ObjectName 'HV01' -Item 'KB2526776' -Parameters @{ 'kb' = 'KB2526776' } `
        -Moves @(,@('VM1', 'HV02')) -Flags @('restart') -Blocked 'why it cannot run' `
        -Test { ... } -Body { ... }

Anything this reader does not understand is reported as not modelled, never guessed: another top-level
statement (unless it is one of the `header` statements the caller names), a value that is not a
single-quoted literal (a variable, an expression, a double-quoted string), an unknown parameter.
Whether a Body/Test is the one the action renders is for the caller to judge (the emulator does not
know the action catalog); it gets the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import tree_sitter
import tree_sitter_powershell

from preflight.emulator.effects import Request
from preflight.inventory.moves import Move

FUNCTION = "Invoke-PreflightStep"
CHANNELS = ("WinRM", "DCOM", "Local")
_LANGUAGE = tree_sitter.Language(tree_sitter_powershell.language())
_PARSER = tree_sitter.Parser(_LANGUAGE)
_LITERAL_QUERY = tree_sitter.Query(_LANGUAGE, "(string_literal) @literal")
_QUOTES = ("'", "\u2018", "\u2019", "\u201a", "\u201b")
_QUOTE_SET = frozenset(_QUOTES)
_STRINGS = ("Server", "Action", "Via", "ObjectKind", "ObjectName", "Item", "Blocked")
_BLOCKS = ("Test", "Body")
_REQUIRED = ("Number", "Server", "Action", "Via", "ObjectKind", "ObjectName")
_SHAPES = {  # the layout of each data value once every literal is written S and blanks are dropped
    "Parameters": re.compile(r"@\{(S=S(;S=S)*;?)?\}"),
    "Flags": re.compile(r"@\((S(,S)*)?\)"),
    "Moves": re.compile(r"@\(\)|@\(,@\(S,S\)\)|@\(@\(S,S\)(,@\(S,S\))+\)"),
}
_BLANKS = re.compile(r"\s+")
_PARAMETERS = {name.casefold(): name for name in (*_STRINGS, *_BLOCKS, *_SHAPES, "Number")}
"""Every parameter of the step function, by its case-folded name (PowerShell parameter names ignore case)."""


@dataclass(frozen=True)
class ScriptStep:
    """One `Invoke-PreflightStep` call: where it runs, how it gets there, and what the emulator applies."""

    number: int
    line: int
    server: str
    via: str
    request: Request
    flags: tuple[str, ...] = ()
    blocked: str = ""
    test: str = ""
    body: str = ""

    @property
    def action(self) -> str:
        """The action the step performs."""
        return self.request.action


@dataclass(frozen=True)
class Unmodelled:
    """A statement the emulator cannot execute, where it is, and why."""

    line: int
    text: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}: {self.text}"


@dataclass(frozen=True)
class ParsedScript:
    """The steps of a script in order, and every statement that is not modelled."""

    steps: tuple[ScriptStep, ...]
    unmodelled: tuple[Unmodelled, ...] = field(default_factory=tuple)


class _NotModelled(Exception):
    pass


def normalize(text: str) -> str:
    """Statement or script-block text compared line by line without indentation or blank lines."""
    return "\n".join(line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip())


def _statements(source: bytes) -> list[tree_sitter.Node]:
    root = _PARSER.parse(source).root_node
    lists = [c for c in root.children if c.type == "statement_list"]
    out = [c for c in root.children if c.type not in ("statement_list", "comment")]
    for statements in lists:
        out += [c for c in statements.children if c.type != "comment"]
    return sorted(out, key=lambda n: n.start_byte)


def top_level_statements(text: str) -> frozenset[str]:
    """The normalized text of every top-level statement of `text` (to name a script's header)."""
    return frozenset(normalize(_text(n)) for n in _statements(text.encode("utf-8")))


def _text(node: tree_sitter.Node) -> str:
    return (node.text or b"").decode("utf-8", "replace")


def _unquote(node: tree_sitter.Node) -> str:
    text = _text(node)
    if node.type != "string_literal" or node.child_count != 1 or node.children[0].type != "verbatim_string_characters":
        raise _NotModelled(f"'{text[:40]}' is not a single-quoted literal")
    inner, out, at = text[1:-1], [], 0
    if _QUOTE_SET.isdisjoint(inner):   # most literals: nothing doubled to undo
        return inner
    while at < len(inner):
        out.append(inner[at])
        at += 2 if inner[at] in _QUOTES else 1
    return "".join(out)


def _literals(node: tree_sitter.Node) -> list[tree_sitter.Node]:
    """The outermost string literals of `node` in source order (one inside another's subexpression is part of it)."""
    found: list[tree_sitter.Node] = []
    end = -1
    captured = tree_sitter.QueryCursor(_LITERAL_QUERY).captures(node).get("literal", [])
    for literal in sorted(captured, key=lambda n: n.start_byte):
        if literal.start_byte >= end:
            found.append(literal)
            end = literal.end_byte
    return found


def _data(name: str, node: tree_sitter.Node) -> list[str]:
    """The literal values of a hashtable or array argument, in order, after checking its shape."""
    literals = _literals(node)
    data, base, shape, at = node.text or b"", node.start_byte, [], 0
    for literal in literals:  # byte offsets: a literal may hold characters of several bytes
        shape.append(data[at:literal.start_byte - base])
        at = literal.end_byte - base
    shape.append(data[at:])
    if not _SHAPES[name].fullmatch(_BLANKS.sub("", b"S".join(shape).decode("utf-8", "replace"))):
        raise _NotModelled(f"-{name} is not a literal {'hashtable' if name == 'Parameters' else 'array'}")
    return [_unquote(literal) for literal in literals]


def _value(node: tree_sitter.Node) -> tree_sitter.Node:
    """The single expression node of one argument (unwrapping the grammar's array/unary layers)."""
    while node.type in ("array_literal_expression", "unary_expression") and len(node.named_children) == 1:
        node = node.named_children[0]
    return node


def _arguments(command: tree_sitter.Node) -> dict[str, tree_sitter.Node]:
    elements = next((c for c in command.children if c.type == "command_elements"), None)
    args: dict[str, tree_sitter.Node] = {}
    name: str | None = None
    for child in elements.children if elements is not None else []:
        if child.type == "command_argument_sep":
            continue
        if child.type == "command_parameter":
            name = _text(child).lstrip("-").rstrip(":")
            canonical = _PARAMETERS.get(name.casefold())
            if canonical is None:
                raise _NotModelled(f"unknown parameter -{name}")
            if canonical in args:
                raise _NotModelled(f"-{canonical} given twice")
            name = canonical
            continue
        if name is None:
            raise _NotModelled(f"positional argument '{_text(child)[:40]}'")
        args[name], name = _value(child), None
    if name is not None:
        raise _NotModelled(f"-{name} has no value")
    return args


def _command(statement: tree_sitter.Node) -> tree_sitter.Node | None:
    node = statement
    while node.type in ("pipeline", "pipeline_chain") and len(node.named_children) == 1:
        node = node.named_children[0]
    if node.type == "command" and node.child_by_field_name("command_name") is not None:
        return node
    first = node.children[0] if node.type == "command" and node.children else None
    return node if first is not None and first.type == "command_name" else None


def _step(command: tree_sitter.Node, skipped: int = 0) -> ScriptStep:
    args = _arguments(command)
    missing = [name for name in _REQUIRED if name not in args]
    if missing:
        raise _NotModelled(f"{FUNCTION} without -{', -'.join(missing)}")
    number = args["Number"]
    if number.type != "integer_literal" or not _text(number).isdigit():
        raise _NotModelled(f"-Number '{_text(number)}' is not a whole number")
    values = {name: _unquote(args[name]) for name in _STRINGS if name in args}
    if values["Via"] not in CHANNELS:
        raise _NotModelled(f"-Via '{values['Via']}' is not one of {', '.join(CHANNELS)}")
    pairs = _data("Parameters", args["Parameters"]) if "Parameters" in args else []
    params = dict(zip(pairs[::2], pairs[1::2], strict=True))
    flat = _data("Moves", args["Moves"]) if "Moves" in args else []
    moves = tuple(Move(vm, values["Server"], target) for vm, target in zip(flat[::2], flat[1::2], strict=True))
    blocks = {}
    for name in _BLOCKS:
        if name in args:
            if args[name].type != "script_block_expression":
                raise _NotModelled(f"-{name} is not a script block")
            blocks[name] = normalize(_text(args[name])[1:-1])
    request = Request(values["Action"], values["ObjectKind"], values["ObjectName"], params, values.get("Item") or None, moves,
                      values["Server"])
    return ScriptStep(int(_text(number)), command.start_point[0] + 1 + skipped, values["Server"], values["Via"], request,
                      tuple(_data("Flags", args["Flags"])) if "Flags" in args else (), values.get("Blocked", ""),
                      blocks.get("Test", ""), blocks.get("Body", ""))


def parse_script(text: str, header: Iterable[str] = (), known_prefix: str = "") -> ParsedScript:
    """The steps of `text` and its statements that are not modelled; `header` holds normalized top-level
    statements (see `top_level_statements`) the caller accepts as the script's scaffolding.

    `known_prefix`: whole lines of whole statements, every one in `header` (the header as the script is rendered
    with it). A script that starts with exactly that text has only the rest parsed: the same steps, lines and
    findings, without parsing the unchanged header again (at 1,000 VMs a tenth of `verify`)."""
    accepted = frozenset(header)
    steps: list[ScriptStep] = []
    unmodelled: list[Unmodelled] = []
    skipped = 0   # lines of the known prefix, not parsed
    if known_prefix.endswith("\n") and text.startswith(known_prefix):
        text, skipped = text[len(known_prefix):], known_prefix.count("\n")
    for statement in _statements(text.encode("utf-8")):
        line, shown = statement.start_point[0] + 1 + skipped, _text(statement).strip().split("\n", 1)[0][:80]
        if statement.type == "ERROR" or statement.has_error:
            unmodelled.append(Unmodelled(line, shown, "not valid PowerShell"))
            continue
        command = _command(statement)
        name = command.child_by_field_name("command_name") if command is not None else None
        name = name or (command.children[0] if command is not None else None)
        if command is None or name is None or _text(name).casefold() != FUNCTION.casefold():
            if normalize(_text(statement)) not in accepted:
                unmodelled.append(Unmodelled(line, shown, "not modelled (not a step of the plan)"))
            continue
        try:
            steps.append(_step(command, skipped))
        except (_NotModelled, ValueError) as exc:
            unmodelled.append(Unmodelled(line, shown, f"not modelled ({exc})"))
    return ParsedScript(tuple(steps), tuple(unmodelled))
