// Lazy client-side search: nothing is fetched until the search box gets focus (or ?q= is set).
(function () {
  "use strict";
  var form = document.querySelector("form.search-form[data-index]");
  if (!form) return;
  var input = form.querySelector("input[name=q]");
  var results = form.querySelector(".search-results");
  var loading = null;

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = src; s.onload = resolve; s.onerror = reject;
      document.head.appendChild(s);
    });
  }
  function load() {
    if (!loading) {
      loading = Promise.all([
        loadScript(form.dataset.lunr),
        fetch(form.dataset.index).then(function (r) { return r.json(); }),
        fetch(form.dataset.store).then(function (r) { return r.json(); })
      ]).then(function (parts) {
        return { index: window.lunr.Index.load(parts[1]), store: parts[2] };
      });
    }
    return loading;
  }
  function search(engine, text) {
    var terms = text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
    if (!terms.length) return [];
    return engine.index.query(function (q) {
      terms.forEach(function (t) {
        q.term(t, { boost: 10 });
        q.term(t, { boost: 1, wildcard: window.lunr.Query.wildcard.TRAILING });
      });
    });
  }
  function render(engine, hits) {
    results.replaceChildren();
    if (!input.value.trim()) return;
    if (!hits.length) { var p = document.createElement("p"); p.textContent = "No episodes found."; results.appendChild(p); return; }
    var list = document.createElement("ol");
    hits.slice(0, 10).forEach(function (hit) {
      var doc = engine.store[Number(hit.ref)];
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = form.dataset.base + doc.url;
      a.textContent = doc.title;
      li.appendChild(a);
      list.appendChild(li);
    });
    results.appendChild(list);
  }
  var timer = null;
  function update() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      load().then(function (engine) { render(engine, search(engine, input.value)); });
    }, 120);
  }
  input.addEventListener("focus", load, { once: true });
  input.addEventListener("input", update);
  var q = new URLSearchParams(location.search).get("q");
  if (q) { input.value = q; update(); }
})();
