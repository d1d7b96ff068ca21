/* preflight HTML report: renders the embedded findings and topology page by page.
   Every piece of snapshot text goes through textContent, never innerHTML. */
(function () {
  "use strict";
  var PAGE = 50;            // object rows per rule group and page
  var OPEN_GROUPS = 6;      // rule groups opened by default after each filter change
  var CHILDREN_SHOWN = 200; // topology children rendered before a "show more" button

  var data = JSON.parse(document.getElementById("report-data").textContent);
  var SEV = data.severities;
  var rules = data.rules;
  var findings = data.findings; // [rule, severity, kind, name, message, evidence, atRiskCount, atRiskNames, fix]

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        if (key === "text") { node.textContent = attrs[key]; }
        else if (key === "className") { node.className = attrs[key]; }
        else { node.setAttribute(key, attrs[key]); }
      });
    }
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function sevBadge(index) { return el("span", {className: "sev sev-" + SEV[index], text: SEV[index]}); }

  // ----- copy to clipboard ----------------------------------------------------------------

  function fallbackCopy(text) {
    var area = el("textarea", {"aria-hidden": "true"});
    area.value = text;
    area.style.position = "fixed"; area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }

  function copyButton(text) {
    var button = el("button", {type: "button", className: "copy", text: "Copy", title: "Copy the PowerShell to the clipboard"});
    button.addEventListener("click", function () {
      function done(ok) {
        button.textContent = ok ? "Copied" : "Copy failed";
        button.setAttribute("data-copied", ok ? "true" : "false");
        setTimeout(function () { button.textContent = "Copy"; }, 2000);
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(fallbackCopy(text)); });
      } else {
        done(fallbackCopy(text));
      }
    });
    return button;
  }

  // ----- findings explorer ----------------------------------------------------------------

  var list = document.getElementById("finding-list");
  var countLine = document.getElementById("result-count");
  var searchBox = document.getElementById("search");
  var packSelect = document.getElementById("pack-filter");
  var searchKeys = findings.map(function (f) {
    var rule = rules[f[0]];
    return (f[3] + "\u0000" + rule.code + "\u0000" + rule.title).toLowerCase();
  });

  function currentFilter() {
    var severities = {};
    document.querySelectorAll("input[name=severity]").forEach(function (box) { severities[box.value] = box.checked; });
    return {severities: severities, pack: packSelect.value, query: searchBox.value.trim().toLowerCase()};
  }

  function matches(index, filter) {
    var f = findings[index];
    if (!filter.severities[SEV[f[1]]]) { return false; }
    if (filter.pack && rules[f[0]].pack !== filter.pack) { return false; }
    return !filter.query || searchKeys[index].indexOf(filter.query) !== -1;
  }

  function objectRow(f) {
    var cell = el("td", null, [el("div", {className: "message", text: f[4]})]);
    if (f[5].length) {
      cell.appendChild(el("ul", {className: "evidence"}, f[5].map(function (ev) {
        return el("li", null, [el("code", {text: ev[0]}), " \u2192 ", el("code", {text: ev[1]})]);
      })));
    }
    if (f[6] && f[2] !== "vms") {
      var names = f[7].join(", ") + (f[6] > f[7].length ? " and " + (f[6] - f[7].length) + " more" : "");
      cell.appendChild(el("div", {className: "at-risk", text: "At risk: " + f[6] + " VM(s): " + names}));
    }
    if (f[8]) { cell.appendChild(el("div", {className: "at-risk", text: "Fix action: " + f[8]})); }
    if (f[9]) { cell.appendChild(el("pre", {className: "ps"}, [el("code", {text: f[9]}), copyButton(f[9])])); }
    var object = [el("span", {className: "kind", text: f[2]}), " ", f[3]];
    if (f[10] === "new" || f[10] === "regressed") {   // --baseline: what the baseline did not have, or had milder
      object.push(" ", el("span", {className: "tag since-" + f[10], text: f[10]}));
    }
    return el("tr", {"data-object": f[3]}, [el("td", null, object), cell]);
  }

  function renderPage(body, members, page) {
    var pages = Math.ceil(members.length / PAGE);
    var table = el("table", {className: "objects"}, [el("tbody", null,
      members.slice(page * PAGE, (page + 1) * PAGE).map(function (i) { return objectRow(findings[i]); }))]);
    var old = body.querySelector(".objects-page");
    var holder = el("div", {className: "objects-page"}, [table]);
    if (pages > 1) {
      var prev = el("button", {type: "button", text: "\u2190 Previous"});
      var next = el("button", {type: "button", text: "Next \u2192"});
      prev.disabled = page === 0; next.disabled = page >= pages - 1;
      prev.addEventListener("click", function () { renderPage(body, members, page - 1); });
      next.addEventListener("click", function () { renderPage(body, members, page + 1); });
      holder.appendChild(el("div", {className: "pager"}, [prev,
        el("span", {text: "Page " + (page + 1) + " of " + pages + " (" + members.length + " objects)"}), next]));
    }
    if (old) { body.replaceChild(holder, old); } else { body.appendChild(holder); }
  }

  function ruleBody(rule, members) {
    var facts = el("dl", null, [
      el("dt", {text: "Why it matters"}), el("dd", {text: rule.rationale}),
      el("dt", {text: "Remediation"}), el("dd", {text: rule.remediation})]);
    if (rule.powershell) {
      facts.appendChild(el("dt", {text: "PowerShell"}));
      facts.appendChild(el("dd", null, [el("pre", {className: "ps"}, [el("code", {text: rule.powershell}), copyButton(rule.powershell)])]));
    }
    if (rule.references.length) {
      facts.appendChild(el("dt", {text: "References"}));
      facts.appendChild(el("dd", null, rule.references.map(function (url) { return el("div", null, [el("code", {text: url})]); })));
    }
    var body = el("div", {className: "rule-body"}, [facts]);
    renderPage(body, members, 0);
    return body;
  }

  function sinceBaseline(members) {
    // --baseline: the group's new and regressed objects first, and their number on the group's summary
    var marks = [];
    ["new", "regressed"].forEach(function (state) {
      var n = members.filter(function (i) { return findings[i][10] === state; }).length;
      if (n) { marks.push(" ", el("span", {className: "tag since-" + state, text: n + " " + state})); }
    });
    var rank = function (i) { return findings[i][10] === "new" || findings[i][10] === "regressed" ? 0 : 1; };
    members.sort(function (a, b) { return rank(a) - rank(b) || a - b; });
    return marks;
  }

  function ruleGroup(ruleIndex, members, open) {
    var rule = rules[ruleIndex];
    var summary = el("summary", null, [rule.code + " " + rule.title + " ",
      el("span", {className: "count-badge", text: "\u2014 " + members.length + " object" + (members.length === 1 ? "" : "s") + " (" + rule.pack + ")"})]
      .concat(sinceBaseline(members)));
    var details = el("details", {className: "rule sev-" + rule.severity, "data-rule": rule.code}, [summary]);
    var rendered = false;
    function fill() { if (!rendered && details.open) { rendered = true; details.appendChild(ruleBody(rule, members)); } }
    details.addEventListener("toggle", fill);
    if (open) { details.open = true; fill(); }
    return details;
  }

  function render() {
    var filter = currentFilter();
    var groups = {};   // severity -> rule -> [finding index]
    var shown = 0;
    for (var i = 0; i < findings.length; i++) {
      if (!matches(i, filter)) { continue; }
      var f = findings[i];
      groups[f[1]] = groups[f[1]] || {};
      (groups[f[1]][f[0]] = groups[f[1]][f[0]] || []).push(i);
      shown++;
    }
    var fragment = document.createDocumentFragment();
    var opened = 0;
    SEV.forEach(function (name, s) {
      if (!groups[s]) { return; }
      var ruleIds = Object.keys(groups[s]).map(Number).sort(function (a, b) { return rules[a].code < rules[b].code ? -1 : 1; });
      var total = ruleIds.reduce(function (n, r) { return n + groups[s][r].length; }, 0);
      var section = el("section", {className: "sev-group sev-" + name, "data-severity": name},
        [el("h3", {text: name + " (" + total + ")"})]);
      ruleIds.forEach(function (r) { section.appendChild(ruleGroup(r, groups[s][r], opened++ < OPEN_GROUPS)); });
      fragment.appendChild(section);
    });
    list.textContent = "";
    list.appendChild(fragment);
    countLine.textContent = findings.length
      ? "Showing " + shown + " of " + findings.length + " failing checks."
      : "No failing checks.";
  }

  var timer = null;
  document.getElementById("filters").addEventListener("submit", function (event) { event.preventDefault(); });
  document.getElementById("filters").addEventListener("change", render);
  searchBox.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(render, 150); });
  render();

  // ----- topology -------------------------------------------------------------------------

  var tree = document.getElementById("topology-tree");
  var onlyFailing = document.getElementById("topology-only-failing");

  function visible(node) { return !onlyFailing.checked || node[4] >= 0; }

  function label(node) {
    var parts = [el("span", {className: "kind", text: node[0]}), " ", el("span", {className: "node-name", text: node[1]}), " "];
    if (node[2] >= 0) { parts.push(sevBadge(node[2])); parts.push(el("span", {className: "below", text: " " + node[3] + " failing"})); }
    if (node[4] >= 0 && node[4] !== node[2]) { parts.push(el("span", {className: "below"}, ["worst below: ", sevBadge(node[4])])); }
    return parts;
  }

  function fillChildren(ul, children, start) {
    var kept = children.filter(visible);
    kept.slice(start, start + CHILDREN_SHOWN).forEach(function (child) { ul.appendChild(treeNode(child)); });
    if (kept.length > start + CHILDREN_SHOWN) {
      var more = el("button", {type: "button", className: "more", text: "Show " + Math.min(CHILDREN_SHOWN, kept.length - start - CHILDREN_SHOWN) + " more of " + (kept.length - start - CHILDREN_SHOWN)});
      var item = el("li", null, [more]);
      more.addEventListener("click", function () { ul.removeChild(item); fillChildren(ul, children, start + CHILDREN_SHOWN); });
      ul.appendChild(item);
    }
  }

  function treeNode(node) {
    var item = el("li", {"data-kind": node[0], "data-name": node[1]});
    if (!node[5].length) {
      item.appendChild(el("div", {className: "leaf"}, label(node)));
      return item;
    }
    var details = el("details", null, [el("summary", null, label(node))]);
    var ul = el("ul");
    details.appendChild(ul);
    details.addEventListener("toggle", function () {
      if (details.open && !ul.childNodes.length) { fillChildren(ul, node[5], 0); }
    });
    if (node[0] === "vmm") { details.open = true; fillChildren(ul, node[5], 0); }
    item.appendChild(details);
    return item;
  }

  function renderTree() {
    var ul = el("ul", {className: "tree"});
    fillChildren(ul, data.topology, 0);
    tree.textContent = "";
    if (!data.topology.length) { tree.appendChild(el("p", {className: "muted", text: "The snapshot has no VMM servers or hosts."})); return; }
    tree.appendChild(ul);
  }
  onlyFailing.addEventListener("change", renderTree);
  renderTree();

  // ----- print: every rule group with all of its objects, whatever the screen shows -------------
  // The interactive list opens a few groups and pages 50 objects; a change board's PDF needs them all.
  // Built on the first print only, so a 25k-finding report stays light on screen.

  var printHolder = document.getElementById("print-findings");
  var printed = false;
  function renderForPrint() {
    if (printed || !printHolder) { return; }
    printed = true;
    var byRule = {};
    var order = [];
    findings.forEach(function (f, i) {
      if (!byRule[f[0]]) { byRule[f[0]] = []; order.push(f[0]); }
      byRule[f[0]].push(i);
    });
    order.sort(function (a, b) {
      var sa = findings[byRule[a][0]][1], sb = findings[byRule[b][0]][1];
      return sa !== sb ? sa - sb : (rules[a].code < rules[b].code ? -1 : 1);
    });
    var fragment = document.createDocumentFragment();
    order.forEach(function (r) {
      var rule = rules[r];
      var members = byRule[r];
      var facts = el("dl", null, [
        el("dt", {text: "Why it matters"}), el("dd", {text: rule.rationale}),
        el("dt", {text: "Remediation"}), el("dd", {text: rule.remediation})]);
      if (rule.powershell) {
        facts.appendChild(el("dt", {text: "PowerShell"}));
        facts.appendChild(el("dd", null, [el("pre", {className: "ps"}, [el("code", {text: rule.powershell})])]));
      }
      if (rule.references.length) {
        facts.appendChild(el("dt", {text: "References"}));
        facts.appendChild(el("dd", null, rule.references.map(function (url) { return el("div", null, [el("code", {text: url})]); })));
      }
      var rows = members.map(function (i) { return objectRow(findings[i]); });
      fragment.appendChild(el("section", {className: "print-rule sev-" + rule.severity, "data-rule": rule.code}, [
        el("h3", null, [sevBadge(findings[members[0]][1]), " " + rule.code + " " + rule.title + " \u2014 " +
          members.length + " object" + (members.length === 1 ? "" : "s") + " (" + rule.pack + ")"]),
        facts, el("table", {className: "objects"}, [el("tbody", null, rows)])]));
    });
    printHolder.appendChild(fragment);
  }
  // Open every disclosure for print (the print CSS does too, where the browser supports it), and close
  // again afterwards the ones the reader had closed.
  var openedForPrint = [];
  function openAllDetails() {
    document.querySelectorAll("details:not([open])").forEach(function (d) {
      if (!d.closest(".screen-only")) { d.open = true; openedForPrint.push(d); }
    });
  }
  function restoreDetails() {
    openedForPrint.forEach(function (d) { d.open = false; });
    openedForPrint = [];
  }
  window.addEventListener("beforeprint", function () { renderForPrint(); openAllDetails(); });
  window.addEventListener("afterprint", restoreDetails);
  if (window.matchMedia) {
    var printQuery = window.matchMedia("print");
    var onPrint = function (event) { if (event.matches) { renderForPrint(); openAllDetails(); } else { restoreDetails(); } };
    if (printQuery.addEventListener) { printQuery.addEventListener("change", onPrint); }
    else if (printQuery.addListener) { printQuery.addListener(onPrint); }
  }
  document.documentElement.setAttribute("data-ready", "true");
})();
