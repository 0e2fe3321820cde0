/* Search Web Worker: loads lunr.js and the compact index off the main thread, so typing stays
 * smooth while the JSON is parsed and the index is expanded; fetches store shards only for the
 * results it shows.
 * Messages in:  {type: "init", entry} (absolute URL of search/entry.json),
 *               {type: "query", id, q, topic, show, limit}
 * Messages out: {type: "ready", ms, topics, shows}, {type: "results", id, ...}, {type: "error", message}
 * entry.json (fixed name, revalidated on every load) names the content-hashed lunr.js, index
 * and — when the store is not sharded — store, relative to itself; the index names the shards.
 */
/* global importScripts, SearchCore, lunr */
"use strict";
importScripts("search-core.js");

var engine = null;
var base = null; // the entry's URL: every name in the entry and the index is relative to it
var shardFiles = [];
var inflight = {}; // shard number → promise
var pending = null; // the latest query received before the engine was ready

function fetchJson(url, options) {
  return fetch(url, Object.assign({ credentials: "same-origin" }, options || {})).then(function (response) {
    if (!response.ok) throw new Error(url + ": HTTP " + response.status);
    return response.json();
  });
}

function loadShard(number) {
  if (!inflight[number]) {
    inflight[number] = fetchJson(new URL(shardFiles[number], base).href).then(function (data) {
      engine.addShard(number, data);
    }, function (error) {
      delete inflight[number];
      throw error;
    });
  }
  return inflight[number];
}

function now() { return typeof performance !== "undefined" ? performance.now() : Date.now(); }

function failed(message, error) {
  // Never leave the reader without an answer: report, and show "no results".
  return {
    query: message.q, total: 0, results: [], topics: [], shows: [], suggestions: [],
    error: String(error), ms: 0
  };
}

function send(message, result) {
  result.type = "results";
  result.id = message.id;
  self.postMessage(result);
}

function answer(message) {
  var ranked;
  try {
    ranked = engine.rank(message.q, { topic: message.topic, show: message.show, limit: message.limit });
  } catch (error) {
    send(message, failed(message, error));
    return;
  }
  var need = engine.shardsFor(ranked);
  var fetchStarted = now();
  Promise.all(need.map(loadShard)).then(function () {
    var fetchMs = now() - fetchStarted;
    var started = now();
    var result = engine.present(ranked);
    result.ms = ranked.ms + (now() - started); // worker CPU time for this query
    result.fetchMs = need.length ? fetchMs : 0; // waiting for store shards, if any
    result.shardsFetched = need.length;
    send(message, result);
  }).catch(function (error) {
    send(message, failed(message, error));
  });
}

self.onmessage = function (event) {
  var message = event.data || {};
  if (message.type === "init" && !engine) {
    var started = Date.now();
    base = message.entry;
    // no-cache: the entry has a fixed name; revalidate it so it never names deleted files.
    fetchJson(base, { cache: "no-cache" })
      .then(function (entry) {
        var index = fetchJson(new URL(entry.index, base).href);
        var store = entry.store ? fetchJson(new URL(entry.store, base).href) : null;
        importScripts(new URL(entry.lunr, base).href); // while the JSON downloads
        return Promise.all([index, store]);
      })
      .then(function (parts) {
        engine = SearchCore.createEngine(lunr, parts[0], parts[1]);
        shardFiles = parts[0].shards ? parts[0].shards.files : [];
        var store = engine.store;
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
