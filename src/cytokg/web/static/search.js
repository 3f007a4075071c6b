// Search box with suggestions from /api/search: each shows its kind and why it matched.
// Arrow keys move through them; Enter opens the chosen one (the first by default).
(function () {
  const input = document.getElementById("search");
  const list = document.getElementById("suggestions");
  if (!input || !list) return;
  let timer = null;
  let hits = [];
  let active = 0;
  function localPath(iri) {
    const base = "https://w3id.org/cytokg/", obo = "http://purl.obolibrary.org/obo/";
    if (iri.startsWith(base)) return "/" + iri.slice(base.length);
    if (iri.startsWith(obo)) return "/obo/" + iri.slice(obo.length);
    return iri;
  }
  function render() {
    list.innerHTML = "";
    hits.forEach(function (hit, i) {
      const li = document.createElement("li");
      li.setAttribute("role", "option");
      li.dataset.kind = hit.kind;
      const kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = hit.kind;
      const why = document.createElement("small");
      why.textContent = hit.why;
      li.append(kind, " " + hit.label + " ", why);
      li.addEventListener("mousedown", function () { window.location = localPath(hit.iri); });
      if (i === active) { li.className = "active"; li.setAttribute("aria-selected", "true"); }
      list.appendChild(li);
    });
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    const q = input.value.trim();
    if (!q) { hits = []; render(); return; }
    timer = setTimeout(function () {
      fetch("/api/search?limit=8&q=" + encodeURIComponent(q)).then(function (r) { return r.json(); })
        .then(function (body) { hits = body.results || []; active = 0; render(); });
    }, 120);
  });
  input.addEventListener("keydown", function (event) {
    if (!hits.length || (event.key !== "ArrowDown" && event.key !== "ArrowUp")) return;
    event.preventDefault();
    active = (active + (event.key === "ArrowDown" ? 1 : hits.length - 1)) % hits.length;
    render();
  });
  input.form.addEventListener("submit", function (event) {
    if (hits.length) { event.preventDefault(); window.location = localPath(hits[active].iri); }
  });
  input.addEventListener("blur", function () { setTimeout(function () { list.innerHTML = ""; }, 150); });
})();
