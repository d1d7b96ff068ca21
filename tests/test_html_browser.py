"""The HTML report in headless Chromium: offline, no console errors, filters, search, copy, hostile text, scale."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from report_estates import IMG, NOW, ROOT, SCRIPT_CLOSE, hostile_snapshot, report_of, site_pack_dir, write_snapshot

from benchmarks.generate import generate_estate
from preflight.cli import main

pytestmark = pytest.mark.slow
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "test-artifacts"
ESTATES = sorted([*(ROOT / "fixtures" / "estates").glob("*.json"), *(ROOT / "fixtures" / "estates").glob("*.toml")])

# `make test` installs Chromium first; in CI a missing browser is an error, on a laptop a skip.
if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: run 'make browser' (apt-get install chromium chromium-driver)")
    pytest.skip(f"{CHROMIUM} not installed (make browser)", allow_module_level=True)
from playwright import sync_api  # noqa: E402 - after the browser check


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


class Page:
    """A page opened from a file:// URL with the network cut off, recording what would have gone out."""

    def __init__(self, browser, path: Path, clipboard: bool = False) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        if clipboard:
            self.context.grant_permissions(["clipboard-read", "clipboard-write"])
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        started = time.perf_counter()
        self.page.goto(path.as_uri(), wait_until="load")
        self.page.wait_for_selector("html[data-ready=true]", timeout=30_000)
        self.wall_seconds = time.perf_counter() - started

    def _route(self, route) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            self.requests.append(route.request.url)
            route.abort()

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def count(self, selector: str) -> int:
        return self.page.locator(selector).count()

    def assert_clean(self) -> None:
        assert self.requests == [], "the report must not touch the network"
        assert self.errors == [], "no console errors"
        assert self.dialogs == [], "nothing may open a dialog"

    def close(self) -> None:
        self.context.close()


def html_report(snapshot: Path, out: Path, *extra: str) -> int:
    return main(["report", str(snapshot), "-o", str(out), "-q", "--as-of", NOW.isoformat(), *extra])


@pytest.mark.parametrize("estate", ESTATES, ids=[p.stem for p in ESTATES])
def test_sample_estate_report_in_the_browser(browser, estate: Path, tmp_path: Path) -> None:
    out = tmp_path / f"{estate.stem}.html"
    code = html_report(estate, out)
    assert code in (0, 1)
    report = report_of(estate)
    page = Page(browser, out)
    try:
        assert page.page.inner_text("#verdict") == report.verdict.value.upper()
        assert page.page.get_attribute("#banner", "data-verdict") == report.verdict.value
        shown = page.page.inner_text("#result-count")
        failures = report.failures
        assert shown == (f"Showing {len(failures)} of {len(failures)} failing checks." if failures else "No failing checks.")
        ARTIFACTS.mkdir(exist_ok=True)
        page.page.screenshot(path=str(ARTIFACTS / f"{estate.stem}.png"), full_page=False)
        if failures:
            worst = failures[0].severity.value
            before = page.count(f"#finding-list section[data-severity={worst}]")
            assert before == 1
            page.page.uncheck(f"input[name=severity][value={worst}]")
            assert page.count(f"#finding-list section[data-severity={worst}]") == 0
            remaining = sum(1 for f in failures if f.severity.value != worst)
            assert page.page.inner_text("#result-count").startswith(f"Showing {remaining} of")
            page.page.check(f"input[name=severity][value={worst}]")
            name = failures[-1].target.name
            page.page.fill("#search", name)
            page.page.wait_for_function(
                "n => document.querySelector('#result-count').textContent.startsWith('Showing ' + n + ' of')",
                arg=sum(1 for f in failures if name.lower() in f.target.name.lower()
                        or name.lower() in f.rule.lower() or name.lower() in (report.rule(f.rule).title.lower())))
            rows = page.page.eval_on_selector_all("#finding-list tr[data-object]", "rs => rs.map(r => r.dataset.object)")
            assert rows and name in rows
        page.assert_clean()
    finally:
        page.close()


def test_hostile_snapshot_text_is_shown_and_never_runs(browser, tmp_path: Path) -> None:
    snapshot = write_snapshot(hostile_snapshot(), tmp_path / "hostile.json")
    out = tmp_path / "hostile.html"
    assert html_report(snapshot, out) == 1
    page = Page(browser, out, clipboard=True)
    try:
        assert page.page.evaluate("document.images.length") == 0
        summary = page.page.inner_text("#summary")
        assert IMG in summary and SCRIPT_CLOSE in summary
        assert IMG in page.page.inner_text("h1")
        rows = page.page.eval_on_selector_all("#finding-list tr[data-object]", "rs => rs.map(r => r.dataset.object)")
        assert IMG in rows and SCRIPT_CLOSE in rows
        for opened in ("li[data-kind=group]", "li[data-name=HV01]"):   # VMs render when their host is opened
            page.page.locator(f"#topology-tree {opened} > details > summary").first.click()
        page.page.locator("#topology-tree").get_by_text(IMG, exact=True).first.wait_for(state="attached", timeout=5000)
        # The copy button puts the rule's PowerShell on the clipboard.
        group = page.page.locator("#finding-list details.rule[data-rule=REP002]")
        button = group.locator("button.copy")
        button.click()
        page.page.wait_for_function("b => b.dataset.copied === 'true'", arg=button.element_handle())
        copied = page.page.evaluate("navigator.clipboard.readText()")
        assert copied == report_of(snapshot).rule("REP002").powershell
        # A rule whose snippet names the object: each object's own, its name one single-quoted literal.
        group = page.page.locator("#finding-list details.rule[data-rule=REP013]")
        group.evaluate("d => { d.open = true; }")
        row = group.locator("tr[data-object]").filter(has_text=IMG).first
        button = row.locator("button.copy")
        button.click()
        page.page.wait_for_function("b => b.dataset.copied === 'true'", arg=button.element_handle())
        copied = page.page.evaluate("navigator.clipboard.readText()")
        assert copied.startswith(f"Set-VMReplication -VMName '{IMG}' -ReplicationFrequencySec 300"), copied
        page.page.wait_for_timeout(200)   # give an injected handler the chance to fire
        page.assert_clean()
    finally:
        page.close()


def test_large_estate_report_is_small_and_opens_fast(browser, tmp_path: Path) -> None:
    snapshot = write_snapshot(generate_estate(1000, 25000, seed=1), tmp_path / "estate-25k.json")
    out = tmp_path / "estate-25k.html"
    html_report(snapshot, out, "--rules", str(site_pack_dir(tmp_path)))
    size = out.stat().st_size
    assert size < 15 * 1024 * 1024, f"{size / 1e6:.1f} MB"
    page = Page(browser, out)
    try:
        ready_ms = page.page.evaluate("performance.now()")
        load_ms = page.page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
        assert page.wall_seconds < 5 and load_ms < 5000, f"opened in {page.wall_seconds:.2f} s (load event {load_ms:.0f} ms)"
        total = int(page.page.inner_text("#result-count").split(" of ")[1].split()[0])
        assert total > 15000, "thousands of findings are embedded"
        assert page.count("#finding-list tr[data-object]") <= 50 * 6, "only open pages are in the DOM"
        assert page.count("#topology-tree li[data-kind=vm]") == 0, "VMs render when their host is opened"
        started = time.perf_counter()
        page.page.fill("#search", "VM12345")
        page.page.wait_for_function("t => /^Showing \\d+ of/.test(document.querySelector('#result-count').textContent)"
                                    " && !document.querySelector('#result-count').textContent.startsWith('Showing ' + t + ' ')",
                                    arg=total)
        assert time.perf_counter() - started < 2
        rows = page.page.eval_on_selector_all("#finding-list tr[data-object]", "rs => rs.map(r => r.dataset.object)")
        assert rows and set(rows) == {"VM12345"}
        page.assert_clean()
        ARTIFACTS.mkdir(exist_ok=True)
        page.page.screenshot(path=str(ARTIFACTS / "estate-25k.png"), full_page=False)
        print(f"25k-VM report: {size / 1e6:.1f} MB, ready after {ready_ms:.0f} ms")
    finally:
        page.close()


def test_incomplete_banner_is_amber_and_lists_the_missing_data(browser, tmp_path: Path) -> None:
    data = json.loads((ROOT / "fixtures" / "estates" / "ready.json").read_text(encoding="utf-8"))
    del data["vmm_servers"][0]["services"]
    snapshot = tmp_path / "no-services.json"
    snapshot.write_text(json.dumps(data), encoding="utf-8")
    out = tmp_path / "incomplete.html"
    assert html_report(snapshot, out) == 4
    page = Page(browser, out)
    try:
        assert page.page.inner_text("#verdict") == "INCOMPLETE"
        colour = page.page.eval_on_selector("#banner", "e => getComputedStyle(e).backgroundColor")
        assert colour == "rgb(245, 158, 11)"  # amber, not the green of GO
        assert "could not be evaluated" in page.page.inner_text("#verdict-reason")
        rows = page.page.inner_text("#missing-data")
        assert "VMM01 (vmm_servers)" in rows and "$.vmm_servers[0].services" in rows
        page.assert_clean()
    finally:
        page.close()


def test_baseline_marks_new_and_regressed_findings(browser, tmp_path: Path) -> None:
    """Under --baseline the change board sees which failing findings the baseline did not have (or had milder)."""
    week1, week2 = ROOT / "fixtures" / "estates" / "blocked.json", ROOT / "fixtures" / "diff" / "blocked-week2.json"
    baseline, gate, out = tmp_path / "week1.json", tmp_path / "gate.json", tmp_path / "gate.html"
    assert main(["check", str(week1), "--as-of", "collected", "-f", "json", "-o", str(baseline), "-q"]) == 1
    for target in (gate, out):
        assert main(["report", str(week2), "--as-of", "collected", "--baseline", str(baseline), "-o", str(target), "-q"]) == 1
    document = json.loads(gate.read_text(encoding="utf-8"))
    state = {**dict.fromkeys(document["baseline"]["new"], "new"), **dict.fromkeys(document["baseline"]["regressed"], "regressed")}
    expected = sorted([f["target"]["name"], f["rule"], state[f["fingerprint"]]]
                      for f in document["findings"] if f["fingerprint"] in state)
    assert len(expected) == 4
    page = Page(browser, out)
    try:
        assert "3 new, 1 regressed, 23 known, 3 resolved" in page.page.inner_text("#baseline")
        summaries = page.page.eval_on_selector_all(
            "#finding-list details[data-rule]",
            "groups => groups.map(g => [g.dataset.rule, [...g.querySelectorAll('summary .tag')].map(t => t.textContent)])")
        by_rule = {rule: tags for rule, tags in summaries if tags}
        assert by_rule == {rule: [f"{n} {state}" for state in ("new", "regressed")
                                  if (n := sum(1 for _, r, s in expected if r == rule and s == state))]
                           for rule in {r for _, r, _ in expected}}
        page.page.eval_on_selector_all("#finding-list details[data-rule]", "groups => groups.forEach(g => { g.open = true; })")
        page.page.wait_for_function("() => document.querySelectorAll('#finding-list details[data-rule] tr').length >= 27")
        marked = page.page.eval_on_selector_all(
            "#finding-list tr .tag[class*=since-]",
            "tags => tags.map(t => [t.closest('tr').dataset.object, t.closest('details').dataset.rule, t.textContent])")
        assert sorted(marked) == expected
        page.assert_clean()
    finally:
        page.close()
