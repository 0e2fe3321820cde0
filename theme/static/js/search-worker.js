/* Search Web Worker: loads lunr.js, the compact index and the store off the main thread, so
 * typing stays smooth while ~100 KB of JSON is parsed and the index is expanded.
 * Messages in:  {type: "init", lunr, index, store} (absolute URLs), {type: "query", id, q, topic, show, limit}
 * Messages out: {type: "ready", ms, topics}, {type: "results", id, ...}, {type: "error", message}
 */
/* global importScripts, SearchCore, lunr */
"use strict";
importScripts("search-core.js");

var engine = null;
var store = null;
var pending = null; // the latest query received before the engine was ready

function fetchJson(url) {
  return fetch(url, { credentials: "same-origin" }).then(function (response) {
    if (!response.ok) throw new Error(url + ": HTTP " + response.status);
    return response.json();
  });
}

function answer(message) {
  var result;
  try {
    result = engine.search(message.q, { topic: message.topic, show: message.show, limit: message.limit });
  } catch (error) {
    // Never leave the reader without an answer: report, and show "no results".
    result = { query: message.q, total: 0, results: [], topics: [], shows: [], suggestions: [], error: String(error) };
  }
  result.type = "results";
  result.id = message.id;
  self.postMessage(result);
}

self.onmessage = function (event) {
  var message = event.data || {};
  if (message.type === "init" && !engine) {
    var started = Date.now();
    importScripts(message.lunr);
    Promise.all([fetchJson(message.index), fetchJson(message.store)])
      .then(function (parts) {
        engine = SearchCore.createEngine(lunr, parts[0], parts[1]);
        store = engine.store;
        self.postMessage({
          type: "ready",
          ms: Date.now() - started,
          topics: store.topicList.filter(function (t) { return t[3] > 0; }).map(function (t) {
            return { slug: t[0], name: t[1], url: t[2], count: t[3] };
          }),
          shows: store.shows.map(function (s) { return { name: s[0], url: s[1] }; })
        });
        if (pending) { answer(pending); pending = null; }
      })
      .catch(function (error) {
        self.postMessage({ type: "error", message: String(error && error.message || error) });
      });
  } else if (message.type === "query") {
    if (engine) answer(message);
    else pending = message;
  }
};
