/* Episode search, main thread. Nothing search-related is fetched until the search box gets
 * focus or the page opens with ?q=; then a Web Worker (search-worker.js) reads the fixed-name
 * entry file (data-entry), loads lunr.js and the compact index it names, fetches the store
 * shards of the results it shows, and answers queries while the page stays responsive.
 * Keys: "/" focuses the box, ↑/↓ move through results, Enter opens, Esc clears.
 * Runs under a strict CSP: no inline script or style, no eval; DOM built with textContent.
 */
(function () {
  "use strict";
  var form = document.querySelector("form.search-form[data-entry]");
  if (!form) return;
  var input = form.querySelector("input[name=q]");
  var panel = form.querySelector(".search-panel");
  var status = panel.querySelector(".search-status");
  var filters = panel.querySelector(".search-filters");
  var list = panel.querySelector(".search-results");
  var pageHost = document.getElementById("search-page");
  var onSearchPage = !!pageHost;
  if (onSearchPage) {
    pageHost.insertBefore(panel, pageHost.firstChild);
    panel.classList.add("search-panel--page");
  }

  var worker = null;
  var ready = false;
  var failed = false;
  var requestId = 0;
  var timer = null;
  var lastSent = null; // query + filters last sent to the worker
  var active = -1;
  var state = { topic: "", show: "" };
  var DEBOUNCE_MS = 60;

  function absolute(url) {
    return new URL(url, document.baseURI).href;
  }

  function ensureWorker() {
    if (worker || failed) return;
    try {
      worker = new Worker(absolute(form.dataset.worker));
    } catch (error) {
      failed = true;
      showStatus("Search is unavailable here; browse by topic or show instead.");
      return;
    }
    worker.onmessage = onMessage;
    worker.onerror = function () {
      failed = true;
      showStatus("Search could not load; browse by topic or show instead.");
    };
    worker.postMessage({ type: "init", entry: absolute(form.dataset.entry) });
  }

  function showStatus(text) {
    status.textContent = text;
    openPanel();
  }

  function openPanel() {
    panel.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function closePanel() {
    if (onSearchPage) return;
    panel.hidden = true;
    input.setAttribute("aria-expanded", "false");
    setActive(-1);
  }

  function syncUrl() {
    if (!onSearchPage || !window.history.replaceState) return;
    var params = new URLSearchParams();
    if (input.value.trim()) params.set("q", input.value);
    if (state.topic) params.set("topic", state.topic);
    if (state.show) params.set("show", state.show);
    var query = params.toString();
    window.history.replaceState(null, "", location.pathname + (query ? "?" + query : ""));
  }

  function run() {
    clearTimeout(timer);
    timer = null;
    syncUrl();
    var text = input.value;
    if (!text.trim()) {
      lastSent = null;
      requestId++;
      delete list.dataset.query;
      list.replaceChildren();
      filters.replaceChildren();
      status.textContent = "";
      closePanel();
      return;
    }
    // The same query and filters again (a re-fired input event, an arrow key while the debounce
    // was pending): keep the list and the reader's selection instead of re-rendering them.
    var key = [text, state.topic, state.show].join("\u0000");
    if (key === lastSent) return;
    lastSent = key;
    ensureWorker();
    if (!ready && !failed) showStatus("Loading search…");
    if (worker) {
      worker.postMessage({
        type: "query", id: ++requestId, q: text, topic: state.topic, show: state.show,
        limit: onSearchPage ? 50 : 8
      });
    }
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(run, DEBOUNCE_MS);
  }

  function onMessage(event) {
    var data = event.data;
    if (data.type === "ready") {
      ready = true;
      form.dataset.searchReady = "true";
    } else if (data.type === "error") {
      failed = true;
      showStatus("Search could not load (" + data.message + "); browse by topic or show instead.");
    } else if (data.type === "results" && data.id === requestId) {
      render(data);
    }
  }

  function appendMarked(parent, parts) {
    parts.forEach(function (part) {
      if (part[1]) {
        var mark = document.createElement("mark");
        mark.textContent = part[0];
        parent.appendChild(mark);
      } else {
        parent.appendChild(document.createTextNode(part[0]));
      }
    });
  }

  function link(href, text, className) {
    var a = document.createElement("a");
    a.href = form.dataset.base + href;
    a.textContent = text;
    if (className) a.className = className;
    return a;
  }

  function formatDate(iso) {
    var date = new Date(iso + "T00:00:00Z");
    if (isNaN(date)) return iso;
    return date.toLocaleDateString("en-GB", {
      day: "numeric", month: "short", year: "numeric", timeZone: "UTC"
    });
  }

  function select(name, label, allLabel, options, current) {
    var wrap = document.createElement("label");
    wrap.className = "search-filter";
    wrap.appendChild(document.createTextNode(label + " "));
    var el = document.createElement("select");
    el.name = name;
    var all = document.createElement("option");
    all.value = "";
    all.textContent = allLabel;
    el.appendChild(all);
    var seen = false;
    options.forEach(function (option) {
      var opt = document.createElement("option");
      opt.value = option.value.id;
      opt.textContent = option.value.label + " (" + option.count + ")";
      if (option.value.id === current) { opt.selected = true; seen = true; }
      el.appendChild(opt);
    });
    if (current && !seen) {
      var kept = document.createElement("option");
      kept.value = current;
      kept.textContent = current;
      kept.selected = true;
      el.appendChild(kept);
    }
    el.addEventListener("change", function () {
      state[name] = el.value;
      run();
    });
    wrap.appendChild(el);
    return wrap;
  }

  function topicChips(topics, className) {
    var chips = document.createElement("ul");
    chips.className = className;
    topics.forEach(function (topic) {
      var chip = document.createElement("li");
      chip.appendChild(link(topic.url, topic.name));
      chips.appendChild(chip);
    });
    return chips;
  }

  function render(data) {
    openPanel();
    list.dataset.query = data.query; // which query the list shows (tests, benchmark)
    list.dataset.ms = data.ms.toFixed(2); // worker CPU time spent answering it
    list.dataset.fetchMs = (data.fetchMs || 0).toFixed(1); // waiting for store shards
    setActive(-1);
    list.replaceChildren();
    filters.replaceChildren();
    if (data.topics.length > 1 || state.topic) {
      filters.appendChild(select("topic", "Topic", "All topics", data.topics, state.topic));
    }
    if (data.shows.length > 1 || state.show) {
      filters.appendChild(select("show", "Show", "All shows", data.shows, state.show));
    }
    if (!data.total) {
      status.textContent = "No episodes match “" + data.query.trim().slice(0, 80) + "”" +
        (state.topic || state.show ? " with these filters." : ".");
      if (data.suggestions.length) {
        var hint = document.createElement("li");
        hint.className = "search-suggest";
        hint.appendChild(document.createTextNode("Try a topic: "));
        hint.appendChild(topicChips(data.suggestions, "chips"));
        list.appendChild(hint);
      }
      return;
    }
    var shown = data.results.length;
    status.textContent = data.total === 1 ? "1 episode" :
      data.total + " episodes" + (shown < data.total ? ", showing the best " + shown : "");
    data.results.forEach(function (hit, i) {
      var li = document.createElement("li");
      li.className = "search-hit";
      li.id = "search-option-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      var title = document.createElement("a");
      title.className = "search-hit-title";
      title.href = form.dataset.base + hit.url;
      title.tabIndex = -1;
      appendMarked(title, hit.title);
      li.appendChild(title);
      var meta = document.createElement("p");
      meta.className = "search-hit-meta";
      if (hit.show) {
        meta.appendChild(hit.show[1] ? link(hit.show[1], hit.show[0]) : document.createTextNode(hit.show[0]));
        meta.appendChild(document.createTextNode(" · "));
      }
      var time = document.createElement("time");
      time.dateTime = hit.date;
      time.textContent = formatDate(hit.date);
      meta.appendChild(time);
      li.appendChild(meta);
      if (hit.topics.length) {
        li.appendChild(topicChips(hit.topics, "chips search-hit-topics"));
      }
      if (hit.snippet.length) {
        var snippet = document.createElement("p");
        snippet.className = "search-hit-snippet";
        appendMarked(snippet, hit.snippet);
        li.appendChild(snippet);
      }
      list.appendChild(li);
    });
  }

  function options() {
    return list.querySelectorAll("li.search-hit");
  }

  function setActive(i) {
    var items = options();
    if (active >= 0 && items[active]) items[active].setAttribute("aria-selected", "false");
    active = i;
    if (i >= 0 && items[i]) {
      items[i].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", items[i].id);
      if (items[i].scrollIntoView) items[i].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  input.addEventListener("focus", ensureWorker);
  input.addEventListener("input", schedule);
  input.addEventListener("keydown", function (event) {
    var count = options().length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (timer) run();
      if (!count) return;
      event.preventDefault();
      openPanel();
      var step = event.key === "ArrowDown" ? 1 : -1;
      setActive(active < 0 ? (step > 0 ? 0 : count - 1) : (active + step + count) % count);
    } else if (event.key === "Enter") {
      var items = options();
      if (active >= 0 && items[active]) {
        event.preventDefault();
        window.location.href = items[active].querySelector("a.search-hit-title").href;
      } else if (onSearchPage) {
        event.preventDefault();
        run();
      }
    } else if (event.key === "Escape") {
      event.preventDefault();
      if (input.value) {
        input.value = "";
        run();
      } else {
        closePanel();
        input.blur();
      }
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    var tag = target && target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable)) return;
    event.preventDefault();
    input.focus();
    input.select();
  });
  document.addEventListener("click", function (event) {
    if (!form.contains(event.target) && !panel.contains(event.target)) closePanel();
  });

  var params = new URLSearchParams(location.search);
  state.topic = params.get("topic") || "";
  state.show = params.get("show") || "";
  var initial = params.get("q");
  if (initial) {
    input.value = initial;
    run();
  }
})();
