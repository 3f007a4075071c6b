// The query page: a CodeMirror SPARQL editor, the examples, completion, a shareable link, and the results as a
// sortable table, a bar chart (a label and one number) or a two-sided network (two entity columns), drawn as SVG.
(function () {
  "use strict";
  const area = document.getElementById("query");
  const status = document.getElementById("status");
  const table = document.getElementById("results");
  const chart = document.getElementById("chart");
  const network = document.getElementById("network");
  const graph = document.getElementById("graph");
  const views = document.getElementById("views");
  const examples = JSON.parse(document.getElementById("examples-data").textContent);
  const ENDPOINT = area.dataset.endpoint, SEARCH = area.dataset.search, PAGE = area.dataset.page;
  const SVG = "http://www.w3.org/2000/svg";
  const XSD = "http://www.w3.org/2001/XMLSchema#";
  const NUMERIC = ["integer", "decimal", "double", "float", "int", "long", "short", "byte", "nonNegativeInteger",
    "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong"].map(function (t) { return XSD + t; });
  const PREFIXES = {
    cyto: "https://w3id.org/cytokg/vocab/", obo: "http://purl.obolibrary.org/obo/",
    rdfs: "http://www.w3.org/2000/01/rdf-schema#", rdf: "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    owl: "http://www.w3.org/2002/07/owl#", skos: "http://www.w3.org/2004/02/skos/core#",
    dcterms: "http://purl.org/dc/terms/", oboInOwl: "http://www.geneontology.org/formats/oboInOwl#",
    xsd: XSD
  };

  // ---- the editor: it scrolls inside its own box, so it never grows over the controls below it
  const editor = CodeMirror.fromTextArea(area, {
    mode: "application/sparql-query", lineNumbers: true, matchBrackets: true, lineWrapping: true,
    viewportMargin: Infinity,
    extraKeys: { "Ctrl-Enter": run, "Cmd-Enter": run, "Ctrl-Space": function (cm) { cm.showHint({ hint: hints, completeSingle: false }); } }
  });

  function wordAt(cm) {
    const cur = cm.getCursor(), line = cm.getLine(cur.line);
    let start = cur.ch;
    while (start > 0 && /[\w:-]/.test(line.charAt(start - 1))) start--;
    return { word: line.slice(start, cur.ch), before: line.slice(0, start), from: CodeMirror.Pos(cur.line, start), to: cur };
  }
  function hints(cm, callback) {
    const at = wordAt(cm);
    if (/PREFIX\s+$/i.test(at.before)) {
      callback({ from: at.from, to: at.to, list: Object.keys(PREFIXES).filter(function (p) { return p.startsWith(at.word); })
        .map(function (p) { return { text: p + ": <" + PREFIXES[p] + ">", displayText: p + ":  " + PREFIXES[p] }; }) });
      return;
    }
    const q = at.word.includes(":") ? at.word.split(":")[1] : at.word;
    if (q.length < 2) { callback(null); return; }
    fetch(SEARCH + "?limit=10&q=" + encodeURIComponent(q)).then(function (r) { return r.json(); }).then(function (body) {
      callback({ from: at.from, to: at.to, list: (body.results || []).map(function (hit) {
        return { text: "<" + hit.iri + ">", displayText: hit.label + (hit.matched && hit.matched !== hit.label ? "  (" + hit.matched + ")" : "") };
      }) });
    }).catch(function () { callback(null); });
  }
  hints.async = true;
  let timer = null;
  editor.on("inputRead", function (cm) {
    clearTimeout(timer);
    const at = wordAt(cm);
    if (at.word.length < 3 && !/PREFIX\s+$/i.test(at.before)) return;
    timer = setTimeout(function () { cm.showHint({ hint: hints, completeSingle: false }); }, 200);
  });

  // ---- links: downloads and the shareable link that opens and runs the query
  function permalink() { return location.origin + PAGE + "?query=" + encodeURIComponent(editor.getValue()); }
  function updateLinks() {
    const q = encodeURIComponent(editor.getValue());
    document.getElementById("download-csv").href = ENDPOINT + "?format=csv&query=" + q;
    document.getElementById("download-json").href = ENDPOINT + "?format=json&query=" + q;
    document.getElementById("permalink").href = PAGE + "?query=" + q;
  }
  function share() {
    const link = permalink();
    history.replaceState(null, "", link);
    const box = document.getElementById("share-link");
    box.value = link;
    function shown() { document.getElementById("share-box").hidden = false; box.select(); status.textContent = "select and copy the link below"; }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(link).then(function () { status.textContent = "link copied"; }, shown);
    } else { shown(); }
  }

  // ---- results
  function localName(iri) { return decodeURIComponent(iri.replace(/[/#]$/, "").split(/[/#]/).pop()); }
  function localPath(iri) {
    const base = "https://w3id.org/cytokg/", obo = "http://purl.obolibrary.org/obo/";
    if (iri.startsWith(base)) return "/" + iri.slice(base.length);
    if (iri.startsWith(obo)) return "/obo/" + iri.slice(obo.length);
    return iri;
  }
  function isNumber(cell) { return !!cell && cell.type !== "uri" && NUMERIC.indexOf(cell.datatype) >= 0 && !isNaN(parseFloat(cell.value)); }
  function columnIs(rows, v, test) {
    const bound = rows.filter(function (row) { return row[v]; });
    return bound.length > 0 && bound.every(function (row) { return test(row[v]); });
  }
  function clip(s, n) { return s.length > n ? s.slice(0, n - 1) + "…" : s; }
  function svg(tag, attrs, parent) {
    const el = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(el);
    return el;
  }
  function renderTable(vars, rows) {
    table.innerHTML = "";
    const head = document.createElement("tr");
    vars.forEach(function (v, i) {
      const th = document.createElement("th");
      th.textContent = v;
      th.addEventListener("click", function () { sortBy(i); });
      head.appendChild(th);
    });
    table.appendChild(head);
    rows.forEach(function (row) {
      const tr = document.createElement("tr");
      vars.forEach(function (v) {
        const td = document.createElement("td");
        const cell = row[v];
        if (cell && cell.type === "uri") {
          const a = document.createElement("a");
          a.href = localPath(cell.value);
          a.textContent = a.title = cell.value;
          td.appendChild(a);
        } else if (cell) { td.textContent = cell.value; if (isNumber(cell)) td.className = "num"; }
        tr.appendChild(td);
      });
      table.appendChild(tr);
    });
  }
  const MAX_BARS = 60;
  function renderChart(labelVar, valueVar, rows, names) {
    function text(cell) { return !cell ? "" : cell.type === "uri" ? names.get(cell.value) || localName(cell.value) : cell.value; }
    chart.innerHTML = "";
    const shown = rows.filter(function (row) { return isNumber(row[valueVar]); }).slice(0, MAX_BARS);
    const max = Math.max.apply(null, shown.map(function (row) { return parseFloat(row[valueVar].value); }).concat([0]));
    const bar = 20, left = 320, width = 540;
    const root = svg("svg", { width: left + width + 80, height: shown.length * bar + 30, role: "img", "aria-label": valueVar + " by " + labelVar }, chart);
    svg("text", { x: left, y: 14, class: "axis" }, root).textContent = valueVar + " (max " + max + ")";
    shown.forEach(function (row, i) {
      const value = parseFloat(row[valueVar].value), y = 24 + i * bar;
      const group = svg("g", {}, root);
      svg("title", {}, group).textContent = text(row[labelVar]) + ": " + row[valueVar].value;
      svg("text", { x: left - 8, y: y + 14, "text-anchor": "end" }, group).textContent = clip(text(row[labelVar]), 48);
      svg("rect", { x: left, y: y + 2, height: bar - 5, width: max > 0 ? Math.max(1, value / max * width) : 1, class: "bar" }, group);
      svg("text", { x: left + (max > 0 ? value / max * width : 0) + 6, y: y + 14 }, group).textContent = row[valueVar].value;
    });
    if (rows.length > shown.length) {
      const p = document.createElement("p"); p.className = "hint";
      p.textContent = "the first " + shown.length + " of " + rows.length + " rows";
      chart.appendChild(p);
    }
  }
  const MAX_NODES = 150, MAX_LABELS = 400;
  const SAFE_IRI = /^https?:\/\/[^\s<>"{}|^`\\]+$/;
  function fetchLabels(iris) {
    // the names people read, not the keys in the IRIs: one more query through the endpoint, like any client's
    const safe = iris.filter(function (iri) { return SAFE_IRI.test(iri); });
    if (!safe.length) return Promise.resolve(new Map());
    const query = "SELECT ?s (SAMPLE(?l) AS ?label) WHERE { VALUES ?s { " + safe.map(function (iri) { return "<" + iri + ">"; }).join(" ") +
      " } ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } GROUP BY ?s";
    return fetch(ENDPOINT, { method: "POST", body: query, headers: { "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json" } })
      .then(function (r) { return r.ok ? r.json() : { results: { bindings: [] } }; })
      .then(function (body) { return new Map(body.results.bindings.map(function (row) { return [row.s.value, row.label.value]; })); })
      .catch(function () { return new Map(); });
  }
  function renderNetwork(vars, a, b, rows, names) {
    network.innerHTML = "";
    function labelled(v) {
      const named = vars.indexOf(v + "Label") >= 0 ? v + "Label" : null;
      return function (row) { return named && row[named] ? row[named].value : names.get(row[v].value) || localName(row[v].value); };
    }
    function side(v) {
      const seen = new Map(), name = labelled(v);
      rows.forEach(function (row) { if (row[v] && !seen.has(row[v].value) && seen.size < MAX_NODES) seen.set(row[v].value, { iri: row[v].value, label: name(row), y: 0 }); });
      return seen;
    }
    const left = side(a), right = side(b), step = 22;
    const height = Math.max(left.size, right.size) * step + 40, lx = 330, rx = 690;
    [left, right].forEach(function (nodes) {
      const offset = (height - nodes.size * step) / 2 + step / 2;
      Array.from(nodes.values()).forEach(function (node, i) { node.y = offset + i * step; });
    });
    const root = svg("svg", { width: 1120, height: height, role: "img", "aria-label": a + " linked to " + b }, network);
    svg("text", { x: lx, y: 14, "text-anchor": "end", class: "axis" }, root).textContent = a;
    svg("text", { x: rx, y: 14, class: "axis" }, root).textContent = b;
    rows.forEach(function (row) {
      const from = row[a] && left.get(row[a].value), to = row[b] && right.get(row[b].value);
      if (from && to) svg("line", { x1: lx + 6, y1: from.y, x2: rx - 6, y2: to.y, class: "edge" }, root);
    });
    function draw(nodes, x, anchor, dx, room) {
      nodes.forEach(function (node) {
        const link = svg("a", { href: localPath(node.iri), class: "node" }, root);
        svg("circle", { cx: x, cy: node.y, r: 5 }, link);
        const t = svg("text", { x: x + dx, y: node.y + 4, "text-anchor": anchor }, link);
        t.textContent = clip(node.label, room);
        svg("title", {}, link).textContent = node.label + " — " + node.iri;
      });
    }
    draw(left, lx, "end", -10, 46);
    draw(right, rx, "start", 10, 60);
  }
  function show(view) {
    document.querySelectorAll(".view").forEach(function (el) { el.hidden = el.id !== view; });
    views.querySelectorAll("button").forEach(function (button) { button.setAttribute("aria-selected", String(button.dataset.view === view)); });
  }
  function renderResults(body) {
    graph.hidden = true;
    if (typeof body.boolean === "boolean") {
      renderTable(["result"], [{ result: { type: "literal", value: String(body.boolean) } }]);
      views.hidden = true; show("results");
      return Promise.resolve(1);
    }
    const vars = body.head.vars, rows = body.results.bindings;
    renderTable(vars, rows);
    const numeric = vars.filter(function (v) { return columnIs(rows, v, isNumber); });
    const labels = vars.filter(function (v) { return numeric.indexOf(v) < 0; });
    const entities = vars.filter(function (v) { return columnIs(rows, v, function (c) { return c.type === "uri"; }); });
    const canChart = numeric.length === 1 && labels.length >= 1;
    const canNetwork = entities.length >= 2;
    views.querySelector('[data-view="chart"]').hidden = !canChart;
    views.querySelector('[data-view="network"]').hidden = !canNetwork;
    views.hidden = !(canChart || canNetwork);
    chart.innerHTML = ""; network.innerHTML = "";
    show("results");
    // entities show by their labels (the IRI stays in the link's tooltip and in the CSV and JSON downloads)
    const iris = new Set();
    vars.forEach(function (v) { rows.forEach(function (row) { if (row[v] && row[v].type === "uri" && iris.size < MAX_LABELS) iris.add(row[v].value); }); });
    return fetchLabels(Array.from(iris)).then(function (names) {
      table.querySelectorAll("td a").forEach(function (a) { if (names.has(a.title)) a.textContent = names.get(a.title); });
      if (canChart) {
        const literal = labels.filter(function (v) { return columnIs(rows, v, function (c) { return c.type !== "uri"; }); });
        renderChart(literal.length ? literal[0] : labels[0], numeric[0], rows, names);
      }
      if (canNetwork) renderNetwork(vars, entities[0], entities[1], rows, names);
      return rows.length;
    });
  }
  let ascending = true;
  function sortBy(index) {
    const rows = Array.from(table.querySelectorAll("tr")).slice(1);
    rows.sort(function (a, b) {
      const x = a.children[index].textContent, y = b.children[index].textContent;
      const nx = parseFloat(x), ny = parseFloat(y);
      const c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
      return ascending ? c : -c;
    });
    ascending = !ascending;
    rows.forEach(function (r) { table.appendChild(r); });
  }
  function run() {
    status.textContent = "running…";
    const started = performance.now();
    fetch(ENDPOINT, { method: "POST", body: editor.getValue(), headers: {
      "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json, text/turtle;q=0.9" } })
      .then(function (r) {
        const type = r.headers.get("Content-Type") || "";
        const body = type.indexOf("json") >= 0 ? r.json() : r.text();
        return body.then(function (b) { return { ok: r.ok, body: b, turtle: type.indexOf("turtle") >= 0, limit: r.headers.get("CytoKG-Result-Limit") }; });
      })
      .then(function (res) {
        const ms = Math.round(performance.now() - started) + " ms";
        if (!res.ok) { status.textContent = "error: " + (res.body.error || res.body); table.innerHTML = ""; views.hidden = true; return; }
        if (res.turtle) {
          table.innerHTML = ""; views.hidden = true; show("graph");
          graph.textContent = res.body;
          status.textContent = "graph in " + ms;
          return;
        }
        return renderResults(res.body).then(function (n) {
          status.textContent = n + " rows in " + ms + (res.limit ? " (" + res.limit + ")" : "");
        });
      })
      .catch(function (e) { status.textContent = "error: " + e; });
  }

  document.getElementById("examples").addEventListener("change", function (e) {
    const example = examples[e.target.value];
    if (!example) return;
    editor.setValue(example.query);
    document.getElementById("example-description").textContent = example.description;
  });
  views.addEventListener("click", function (e) { if (e.target.dataset.view) show(e.target.dataset.view); });
  document.getElementById("run").addEventListener("click", run);
  document.getElementById("share").addEventListener("click", share);
  editor.on("change", updateLinks);
  updateLinks();
  if (area.dataset.run) run();
})();
