// The query page: SPARQL highlighting, examples, prefix and term completion, sortable results, downloads.
(function () {
  const area = document.getElementById("query");
  const pre = document.getElementById("highlight");
  const status = document.getElementById("status");
  const table = document.getElementById("results");
  const completions = document.getElementById("completions");
  const examples = JSON.parse(document.getElementById("examples-data").textContent);
  const PREFIXES = {
    cyto: "https://w3id.org/cytokg/vocab/", obo: "http://purl.obolibrary.org/obo/",
    rdfs: "http://www.w3.org/2000/01/rdf-schema#", rdf: "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    owl: "http://www.w3.org/2002/07/owl#", skos: "http://www.w3.org/2004/02/skos/core#",
    dcterms: "http://purl.org/dc/terms/", oboInOwl: "http://www.geneontology.org/formats/oboInOwl#",
    xsd: "http://www.w3.org/2001/XMLSchema#"
  };
  const KEYWORDS = /\b(PREFIX|BASE|SELECT|DISTINCT|REDUCED|WHERE|FILTER|OPTIONAL|UNION|MINUS|GRAPH|BIND|VALUES|ORDER|BY|GROUP|HAVING|LIMIT|OFFSET|ASK|CONSTRUCT|DESCRIBE|AS|NOT|EXISTS|IN|COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT|SEPARATOR|ASC|DESC|a)\b/gi;
  function escapeHtml(s) { return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"); }
  function highlight() {
    const tokens = /(#[^\n]*)|("(?:[^"\\]|\\.)*")|(<[^<>\s]*>)|([?$][A-Za-z_][A-Za-z0-9_]*)|([A-Za-z][A-Za-z0-9_-]*:[A-Za-z0-9_-]*)|([A-Za-z_]+)|([\s\S])/g;
    let html = "", m;
    const text = area.value;
    while ((m = tokens.exec(text)) !== null) {
      if (m[1]) html += '<span class="comment">' + escapeHtml(m[1]) + "</span>";
      else if (m[2]) html += '<span class="str">' + escapeHtml(m[2]) + "</span>";
      else if (m[3]) html += '<span class="iri-tok">' + escapeHtml(m[3]) + "</span>";
      else if (m[4]) html += '<span class="var">' + escapeHtml(m[4]) + "</span>";
      else if (m[5]) html += '<span class="pname">' + escapeHtml(m[5]) + "</span>";
      else if (m[6]) html += m[6].match(new RegExp("^" + KEYWORDS.source.slice(2, -2) + "$", "i")) ? '<span class="kw">' + m[6] + "</span>" : escapeHtml(m[6]);
      else html += escapeHtml(m[7]);
    }
    pre.innerHTML = html + "\n";
  }
  function localPath(iri) {
    const base = "https://w3id.org/cytokg/", obo = "http://purl.obolibrary.org/obo/";
    if (iri.startsWith(base)) return "/" + iri.slice(base.length);
    if (iri.startsWith(obo)) return "/obo/" + iri.slice(obo.length);
    return iri;
  }
  function currentWord() {
    const upto = area.value.slice(0, area.selectionStart);
    const m = upto.match(/([A-Za-z][A-Za-z0-9_:-]*)$/);
    return m ? m[1] : "";
  }
  function replaceWord(text) {
    const word = currentWord();
    const start = area.selectionStart - word.length;
    area.value = area.value.slice(0, start) + text + area.value.slice(area.selectionStart);
    area.selectionStart = area.selectionEnd = start + text.length;
    completions.innerHTML = "";
    highlight();
    area.focus();
  }
  function offer(items) {
    completions.innerHTML = "";
    items.slice(0, 10).forEach(function (item) {
      const li = document.createElement("li");
      li.textContent = item.text;
      if (item.hint) { const s = document.createElement("small"); s.textContent = " " + item.hint; li.appendChild(s); }
      li.addEventListener("mousedown", function (e) { e.preventDefault(); replaceWord(item.insert); });
      completions.appendChild(li);
    });
  }
  let timer = null;
  function complete() {
    const word = currentWord();
    const before = area.value.slice(0, area.selectionStart - word.length);
    if (/PREFIX\s+$/i.test(before)) {
      offer(Object.keys(PREFIXES).filter(function (p) { return p.startsWith(word); })
        .map(function (p) { return { text: p + ":", hint: PREFIXES[p], insert: p + ": <" + PREFIXES[p] + ">" }; }));
      return;
    }
    if (word.length < 3) { completions.innerHTML = ""; return; }
    clearTimeout(timer);
    timer = setTimeout(function () {
      const q = word.includes(":") ? word.split(":")[1] : word;
      if (q.length < 2) return;
      fetch("/api/search?limit=10&q=" + encodeURIComponent(q)).then(function (r) { return r.json(); })
        .then(function (body) {
          offer((body.results || []).map(function (hit) {
            return { text: hit.label, hint: hit.matched, insert: "<" + hit.iri + ">" };
          }));
        });
    }, 150);
  }
  function renderResults(body) {
    table.innerHTML = "";
    if (typeof body.boolean === "boolean") { table.innerHTML = "<tr><th>result</th></tr><tr><td>" + body.boolean + "</td></tr>"; return 1; }
    const vars = body.head.vars;
    const rows = body.results.bindings;
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
          a.textContent = cell.value;
          td.appendChild(a);
        } else if (cell) { td.textContent = cell.value; }
        tr.appendChild(td);
      });
      table.appendChild(tr);
    });
    return rows.length;
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
    fetch("/sparql", { method: "POST", headers: { "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json" }, body: area.value })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body, limit: r.headers.get("CytoKG-Result-Limit") }; }); })
      .then(function (res) {
        if (!res.ok) { status.textContent = "error: " + res.body.error; table.innerHTML = ""; return; }
        const n = renderResults(res.body);
        status.textContent = n + " rows in " + Math.round(performance.now() - started) + " ms" + (res.limit ? " (" + res.limit + ")" : "");
      })
      .catch(function (e) { status.textContent = "error: " + e; });
  }
  function updateDownloads() {
    const q = encodeURIComponent(area.value);
    document.getElementById("download-csv").href = "/sparql?format=csv&query=" + q;
    document.getElementById("download-json").href = "/sparql?format=json&query=" + q;
    document.getElementById("permalink").href = "/query?query=" + q;
  }
  function fit() {
    // the editor grows with its query, so the highlighted text never runs past the buttons below it
    area.style.height = "auto";
    area.style.height = area.scrollHeight + 2 + "px";
  }
  document.getElementById("examples").addEventListener("change", function (e) {
    const example = examples[e.target.value];
    if (!example) return;
    area.value = example.query;
    document.getElementById("example-description").textContent = example.description;
    highlight(); fit(); updateDownloads();
  });
  document.getElementById("run").addEventListener("click", run);
  area.addEventListener("input", function () { highlight(); fit(); updateDownloads(); complete(); });
  area.addEventListener("scroll", function () { pre.scrollTop = area.scrollTop; });
  area.addEventListener("keydown", function (e) { if ((e.ctrlKey || e.metaKey) && e.key === "Enter") run(); });
  area.addEventListener("blur", function () { setTimeout(function () { completions.innerHTML = ""; }, 150); });
  highlight(); fit(); updateDownloads();
})();
