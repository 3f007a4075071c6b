// Search box with suggestions from /api/search; Enter opens the first hit.
(function () {
  const input = document.getElementById("search");
  const list = document.getElementById("suggestions");
  if (!input || !list) return;
  let timer = null;
  let hits = [];
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
      li.textContent = hit.label + " ";
      const small = document.createElement("small");
      small.textContent = hit.field + ": " + hit.matched;
      li.appendChild(small);
      li.addEventListener("mousedown", function () { window.location = localPath(hit.iri); });
      if (i === 0) li.className = "active";
      list.appendChild(li);
    });
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    const q = input.value.trim();
    if (!q) { hits = []; render(); return; }
    timer = setTimeout(function () {
      fetch("/api/search?limit=8&q=" + encodeURIComponent(q)).then(function (r) { return r.json(); })
        .then(function (body) { hits = body.results || []; render(); });
    }, 120);
  });
  input.form.addEventListener("submit", function (event) {
    if (hits.length) { event.preventDefault(); window.location = localPath(hits[0].iri); }
  });
  input.addEventListener("blur", function () { setTimeout(function () { list.innerHTML = ""; }, 150); });
})();
