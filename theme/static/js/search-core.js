/* Search core: shared by the Web Worker (importScripts) and the Node tests (require).
 *
 * - expandIndex(): the compact index of plugins/search_index/compact.py → exactly what
 *   lunr.py's Index.serialize() returns (tests/js/search_compact.test.mjs deep-compares them).
 * - normalise(): the twin of plugins/search_index/text.py, applied to every query so the
 *   browser produces the strings the build indexed (accents, emoji, possessives, punctuation).
 * - createEngine(): queries that never throw, alias expansion (k8s → Kubernetes), filters,
 *   facets and highlighted snippets.
 * No eval, no new Function: the site runs under script-src 'self'.
 */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.SearchCore = api;
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var NON_BMP = /[\u{10000}-\u{10FFFF}]/gu;
  var SURROGATE = /[\uD800-\uDFFF]/g;
  var MARKS = /\p{M}/gu;
  var APOSTROPHES = /['\u2019\u02bc]s(?![\p{L}\p{N}_])|['\u2019\u02bc]/gu;
  var NOT_WORD = /[^\p{L}\p{N}.\-\s]|_/gu;
  var LOOSE_DOT = /\.(?![\p{L}\p{N}_])|(?<![\p{L}\p{N}_])\./gu;
  var SEPARATOR = /[\s\-]+/;
  var LUNR_SYNTAX = /[:~^*+]|(?:^|\s)-\S/;
  var MAX_QUERY_CHARS = 256;
  var MAX_TERMS = 12;

  function fold(text) {
    return String(text == null ? "" : text)
      .normalize("NFKD")
      .replace(MARKS, "")
      .replace(NON_BMP, " ")
      .replace(SURROGATE, " ");
  }

  /** Same steps as text.normalise() in Python. */
  function normalise(text) {
    var s = fold(text).toLowerCase().replace(APOSTROPHES, "").replace(NOT_WORD, " ");
    return s.replace(LOOSE_DOT, " ").split(/\s+/).filter(Boolean).join(" ");
  }

  /** Same as text.alias_key(): letters and digits only ("12-factor" → "12factor"). */
  function aliasKey(text) {
    return fold(text).toLowerCase().replace(/ß/g, "ss").replace(/[^\p{L}\p{N}]/gu, "");
  }

  /** Python's round(x, 3): correctly rounded from the exact binary value, ties to even.
   * toFixed() rounds the exact value too but sends ties up; an exact tie at the third decimal
   * happens only when 16·x is an odd integer. */
  function pyRound3(x) {
    var y = x * 16;
    if (Number.isInteger(y) && Math.abs(y % 2) === 1) {
      var lo = Math.floor(x * 1000);
      return (lo % 2 === 0 ? lo : lo + 1) / 1000;
    }
    return Number(x.toFixed(3));
  }

  var VARINT = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
  var VARINT_VALUE = {};
  for (var v = 0; v < VARINT.length; v++) VARINT_VALUE[VARINT.charCodeAt(v)] = v;

  /** A postings list as shipped (compact.py encode_varints: zigzag, 5 bits a character) or
   * already a list of integers. */
  function decodeVarints(text) {
    if (typeof text !== "string") return text;
    var out = [], z = 0, scale = 1;
    for (var i = 0; i < text.length; i++) {
      var value = VARINT_VALUE[text.charCodeAt(i)];
      z += (value & 31) * scale; // arithmetic, not bit shifts: no 32-bit overflow
      scale *= 32;
      if (value < 32) {
        out.push(z % 2 ? -(z + 1) / 2 : z / 2);
        z = 0;
        scale = 1;
      }
    }
    return out;
  }

  /** Compact payload → the object lunr.py's Index.serialize() returns, bit for bit. */
  function expandIndex(c) {
    var fields = c.fields, nf = fields.length, n = c.n, k1 = c.k1, b = c.b;
    var terms = c.terms, postings = c.postings, lengths = c.lengths;
    var averages = lengths.map(function (col) {
      var sum = 0;
      for (var i = 0; i < col.length; i++) sum += col[i];
      return n ? sum / n : 0;
    });
    // per field-ref (doc * nf + field): [termIndex, tf, termIndex, tf, ...] in term order
    var tfs = new Array(n * nf);
    for (var r = 0; r < tfs.length; r++) tfs[r] = [];
    var dfs = new Array(terms.length);
    var inverted = new Array(terms.length);
    for (var t = 0; t < terms.length; t++) {
      var posting = {};
      for (var f0 = 0; f0 < nf; f0++) posting[fields[f0]] = {};
      posting._index = t;
      var flat = decodeVarints(postings[t]), i = 0, df = 0;
      while (i < flat.length) {
        var field = flat[i], count = flat[i + 1];
        i += 2;
        var doc = -1, target = posting[fields[field]];
        for (var k = 0; k < count; k++) {
          doc += flat[i++];
          var tf = 1;
          if (i < flat.length && flat[i] < 0) tf = -flat[i++];
          target[String(doc)] = {};
          tfs[doc * nf + field].push(t, tf);
        }
        df += count;
      }
      dfs[t] = df;
      inverted[t] = [terms[t], posting];
    }
    var vectors = new Array(n * nf);
    for (var d = 0; d < n; d++) {
      for (var f = 0; f < nf; f++) {
        var pairs = tfs[d * nf + f], len = lengths[f][d], elements = [];
        for (var p = 0; p < pairs.length; p += 2) {
          var ti = pairs[p], freq = pairs[p + 1];
          var x = (n - dfs[ti] + 0.5) / (dfs[ti] + 0.5);
          var idf = Math.log(1 + Math.abs(x));
          var score = idf * ((k1 + 1) * freq) / (k1 * (1 - b + b * (len / averages[f])) + freq);
          score *= c.boosts[f];
          elements.push(ti, pyRound3(score));
        }
        vectors[d * nf + f] = [fields[f] + "/" + d, elements];
      }
    }
    // Python sorts by code point; normalised terms are BMP-only, where UTF-16 order agrees.
    inverted.sort(function (a, z) { return a[0] < z[0] ? -1 : a[0] > z[0] ? 1 : 0; });
    return {
      version: c.version,
      fields: fields.slice(),
      fieldVectors: vectors,
      invertedIndex: inverted,
      pipeline: c.pipeline.slice()
    };
  }

  function stemOf(lunr, word) {
    return lunr.stemmer(new lunr.Token(word, {})).toString();
  }

  /** The plain terms of a query, as lunr.py tokenised the indexed text. */
  function queryTerms(lunr, text) {
    var words = normalise(String(text).slice(0, MAX_QUERY_CHARS)).split(SEPARATOR).filter(Boolean);
    var seen = {}, out = [];
    words.forEach(function (w) {
      if (!seen[w]) { seen[w] = true; out.push(w); }
    });
    var useful = out.filter(function (w) {
      return lunr.stopWordFilter(new lunr.Token(w, {})) !== undefined;
    });
    return (useful.length ? useful : out).slice(0, MAX_TERMS);
  }

  /** Topics whose name or alias is spelled by 1–3 consecutive query words (k8s, 12 factor). */
  function aliasTopics(store, text) {
    var words = normalise(String(text).slice(0, MAX_QUERY_CHARS)).split(SEPARATOR).filter(Boolean);
    var found = [];
    for (var i = 0; i < words.length; i++) {
      var key = "";
      for (var j = i; j < Math.min(words.length, i + 3); j++) {
        key += aliasKey(words[j]);
        var t = Object.prototype.hasOwnProperty.call(store.aliases, key) ? store.aliases[key] : -1;
        if (t >= 0 && found.indexOf(t) < 0) found.push(t);
      }
    }
    return found;
  }

  /** The displayable columns (title, url, date, summary) of a whole store, rows or columns. */
  function storeColumns(store) {
    var keys = ["title", "url", "date", "summary"], out = {};
    keys.forEach(function (key) {
      out[key] = Array.isArray(store) ? store.map(function (row) { return row[key]; }) : store[key];
    });
    return out;
  }

  /** The clauses of a plain query, as lunr.Query.term would get them: each word exact
   * (boost 10, through the stemmer) and, from 3 characters, as a trailing wildcard (boost 1,
   * partial words); alias expansions exact (boost 4). */
  function plainClauses(terms, extra) {
    var clauses = [];
    terms.forEach(function (t) {
      clauses.push({ term: t, boost: 10, usePipeline: true, wildcard: false });
      // Prefix matching (partial words) from 3 characters: a 1–2 character prefix expands
      // to a large share of the vocabulary at 10,000 episodes.
      if (t.length >= 3) clauses.push({ term: t, boost: 1, usePipeline: false, wildcard: true });
    });
    extra.forEach(function (t) {
      clauses.push({ term: t, boost: 4, usePipeline: true, wildcard: false });
    });
    return clauses;
  }

  /**
   * lunr.js's Index.query for plain OR queries, computed straight from the compact index.
   * Same scores bit for bit and the same order (ties included; tests/js/search_compact.test.mjs
   * compares them), but without expanding the index into lunr's objects (seconds at 10,000
   * episodes) and with flat typed arrays instead of per-match objects:
   *   score(doc) = Σ_field dot(queryVector, fieldVector(doc, field)) / |queryVector|,
   * the dot product summed in term-index order, fields summed in the order lunr first meets
   * each field ref, and results in the order lunr first meets each document (its stable sort
   * keeps that order between equal scores).
   */
  function createScorer(lunr, c) {
    var fields = c.fields, nf = fields.length, n = c.n, k1 = c.k1, b = c.b;
    var termNo = Object.create(null);
    c.terms.forEach(function (t, i) { termNo[t] = i; });
    var averages = c.lengths.map(function (col) {
      var sum = 0;
      for (var i = 0; i < col.length; i++) sum += col[i];
      return n ? sum / n : 0;
    });
    var decoded = new Map();
    var tokenSet = null;
    var acc = new Float64Array(n * nf), seenField = new Int32Array(n * nf);
    var seenDoc = new Int32Array(n), docPos = new Int32Array(n), gen = 0;

    /** A term's postings per field: ascending docs and their field-vector scores (as
     * expandIndex computes them). */
    function decode(t) {
      var hit = decoded.get(t);
      if (hit) return hit;
      var flat = decodeVarints(c.postings[t]), i = 0, df = 0;
      while (i < flat.length) {
        var count = flat[i + 1];
        df += count;
        i += 2;
        for (var k = 0; k < count; k++) { i++; if (i < flat.length && flat[i] < 0) i++; }
      }
      var x = (n - df + 0.5) / (df + 0.5);
      var idf = Math.log(1 + Math.abs(x));
      var groups = [];
      i = 0;
      while (i < flat.length) {
        var field = flat[i], cnt = flat[i + 1], doc = -1;
        i += 2;
        var docs = new Int32Array(cnt), scores = new Float64Array(cnt);
        for (var j = 0; j < cnt; j++) {
          doc += flat[i++];
          var freq = 1;
          if (i < flat.length && flat[i] < 0) freq = -flat[i++];
          var len = c.lengths[field][doc];
          var score = idf * ((k1 + 1) * freq) / (k1 * (1 - b + b * (len / averages[field])) + freq);
          score *= c.boosts[field];
          docs[j] = doc;
          scores[j] = pyRound3(score);
        }
        groups.push({ field: field, docs: docs, scores: scores });
      }
      hit = { groups: groups };
      if (decoded.size > 4096) decoded.clear(); // bounded memory on long sessions
      decoded.set(t, hit);
      return hit;
    }

    function expand(clause) {
      var word = clause.term;
      if (clause.usePipeline) {
        word = lunr.stemmer(new lunr.Token(word, {}));
        word = word == null ? "" : word.toString();
        if (!word) return [];
      }
      if (!clause.wildcard) return Object.prototype.hasOwnProperty.call(termNo, word) ? [word] : [];
      if (!tokenSet) tokenSet = lunr.TokenSet.fromArray(c.terms.slice().sort());
      return tokenSet.intersect(lunr.TokenSet.fromString(word + "*")).toArray();
    }

    /** [{ref, score, terms}] in lunr's unsorted order (the order it meets documents). */
    function query(clauses) {
      gen++;
      var boosts = new Map(), order = [], used = [];
      clauses.forEach(function (clause) {
        expand(clause).forEach(function (term) {
          var t = termNo[term];
          if (boosts.has(t)) { boosts.set(t, boosts.get(t) + clause.boost); return; }
          boosts.set(t, clause.boost);
          used.push(t);
          var groups = decode(t).groups;
          for (var f = 0; f < nf; f++) {
            for (var g = 0; g < groups.length; g++) {
              if (groups[g].field !== f) continue;
              var docs = groups[g].docs;
              for (var j = 0; j < docs.length; j++) {
                var ref = docs[j] * nf + f;
                if (seenField[ref] !== gen) { seenField[ref] = gen; acc[ref] = 0; order.push(ref); }
              }
            }
          }
        });
      });
      var sorted = used.slice().sort(function (a, z) { return a - z; });
      var sumOfSquares = 0;
      sorted.forEach(function (t) {
        var boost = boosts.get(t);
        sumOfSquares += boost * boost;
        decode(t).groups.forEach(function (group) {
          var docs = group.docs, scores = group.scores, f = group.field;
          for (var j = 0; j < docs.length; j++) acc[docs[j] * nf + f] += boost * scores[j];
        });
      });
      var magnitude = Math.sqrt(sumOfSquares);
      var results = [];
      for (var r = 0; r < order.length; r++) {
        var fieldRef = order[r], doc = (fieldRef / nf) | 0;
        var score = acc[fieldRef] / magnitude || 0;
        if (seenDoc[doc] !== gen) {
          seenDoc[doc] = gen;
          docPos[doc] = results.length;
          results.push({ ref: String(doc), score: score, terms: used });
        } else {
          results[docPos[doc]].score += score;
        }
      }
      return results;
    }

    function contains(docs, doc) {
      var lo = 0, hi = docs.length - 1;
      while (lo <= hi) {
        var mid = (lo + hi) >> 1;
        if (docs[mid] === doc) return true;
        if (docs[mid] < doc) lo = mid + 1; else hi = mid - 1;
      }
      return false;
    }

    /** The expanded query terms a hit's document contains (lunr's matchData.metadata keys). */
    function matchedTerms(hit) {
      var doc = Number(hit.ref);
      return hit.terms.filter(function (t) {
        return decode(t).groups.some(function (group) { return contains(group.docs, doc); });
      }).map(function (t) { return c.terms[t]; });
    }

    /** query() sorted like lunr (stable, by descending score). */
    function search(clauses) {
      return query(clauses).sort(function (a, z) { return z.score - a.score; });
    }

    return { query: query, search: search, matchedTerms: matchedTerms };
  }

  /**
   * lunr, the compact index (with its tables) and, optionally, the whole store. Without a store
   * the engine is sharded: rank() says which shards the shown hits need (shardsFor), the
   * caller fetches them (addShard) and present() builds the rows.
   */
  function createEngine(lunr, compactIndex, rawStore) {
    var lunrIndex = null; // built on the first query in lunr syntax only (slow at 10,000)
    function index() {
      if (!lunrIndex) lunrIndex = lunr.Index.load(expandIndex(compactIndex));
      return lunrIndex;
    }
    var scorer = createScorer(lunr, compactIndex);
    var tables = compactIndex.tables;
    var store = {
      shows: tables.shows, topicList: tables.topicList, aliases: tables.aliases,
      show: tables.docs.show, topics: tables.docs.topics, n: compactIndex.n
    };
    var shardSize = compactIndex.shards ? compactIndex.shards.size : 0;
    var shards = {}; // shard number → columns
    if (rawStore) {
      shardSize = compactIndex.n || 1;
      shards[0] = storeColumns(rawStore);
    }
    var TRAILING = lunr.Query.wildcard.TRAILING;

    function shardOf(doc) { return Math.floor(doc / shardSize); }

    function field(doc, key) {
      return shards[shardOf(doc)][key][doc - shardOf(doc) * shardSize];
    }

    /** Shard numbers the shown hits of a ranked result need that are not loaded yet. */
    function shardsFor(ranked) {
      var need = [];
      ranked.hits.forEach(function (hit) {
        var s = shardOf(hit.ref);
        if (!shards[s] && need.indexOf(s) < 0) need.push(s);
      });
      return need;
    }

    function addShard(number, data) { shards[number] = data; }

    /** The same clauses through lunr.js's own Index.query (the reference the scorer equals). */
    function lunrQuery(clauses) {
      return index().query(function (q) {
        clauses.forEach(function (c) {
          q.term(c.term, {
            boost: c.boost, usePipeline: c.usePipeline,
            wildcard: c.wildcard ? TRAILING : lunr.Query.wildcard.NONE
          });
        });
      });
    }

    /** lunr hits for any text; never throws (a rejected lunr query is retried as plain terms). */
    function hits(text) {
      text = String(text == null ? "" : text).slice(0, MAX_QUERY_CHARS);
      var syntax = LUNR_SYNTAX.test(text);
      if (syntax) {
        try {
          var found = index().search(fold(text).toLowerCase());
          if (found.length) return { hits: found, syntax: true };
        } catch (e) {
          // lunr.QueryParseError ("title:" with no term, "foo:bar", "deploy~"): plain terms.
        }
      }
      var terms = queryTerms(lunr, text);
      var extra = [];
      aliasTopics(store, text).forEach(function (t) {
        normalise(store.topicList[t][1]).split(SEPARATOR).forEach(function (w) {
          if (!w || terms.indexOf(w) >= 0 || extra.indexOf(w) >= 0) return;
          if (lunr.stopWordFilter(new lunr.Token(w, {})) !== undefined) extra.push(w);
        });
      });
      if (!terms.length && !extra.length) return { hits: [], syntax: false };
      var clauses = plainClauses(terms, extra);
      // The scorer knows only the stemmer pipeline the build ships; anything else goes to lunr.
      if (compactIndex.pipeline.join(",") !== "stemmer") return { hits: lunrQuery(clauses), syntax: false };
      return { hits: scorer.query(clauses), syntax: false };
    }

    function marked(text, stems) {
      var parts = [], last = 0, re = /[\p{L}\p{N}]+(?:['\u2019.\-][\p{L}\p{N}]+)*/gu, m;
      while ((m = re.exec(text))) {
        var hit = normalise(m[0]).split(SEPARATOR).some(function (w) {
          return w && stems[stemOf(lunr, w)];
        });
        if (!hit) continue;
        if (m.index > last) parts.push([text.slice(last, m.index), 0]);
        parts.push([m[0], 1]);
        last = m.index + m[0].length;
      }
      if (last < text.length) parts.push([text.slice(last), 0]);
      return parts;
    }

    function row(hit) {
      var doc = hit.ref, stems = hit.stems;
      var show = store.show[doc];
      return {
        ref: doc,
        score: hit.score,
        url: field(doc, "url"),
        date: field(doc, "date"),
        show: show >= 0 ? store.shows[show] : null,
        topics: store.topics[doc].map(function (t) {
          var topic = store.topicList[t];
          return { slug: topic[0], name: topic[1], url: topic[2] };
        }),
        title: marked(field(doc, "title"), stems),
        snippet: marked(field(doc, "summary"), stems)
      };
    }

    function suggestions(text) {
      var keys = normalise(text).split(SEPARATOR).map(aliasKey).filter(function (k) {
        return k.length >= 2;
      });
      var picked = aliasTopics(store, text);
      store.topicList.forEach(function (topic, i) {
        var key = aliasKey(topic[1]);
        if (keys.some(function (k) { return key.indexOf(k) >= 0 || k.indexOf(key) >= 0; })) {
          if (picked.indexOf(i) < 0) picked.push(i);
        }
      });
      store.topicList.forEach(function (topic, i) {
        if (topic[3] > 0 && picked.indexOf(i) < 0) picked.push(i);
      });
      return picked.slice(0, 8).map(function (i) {
        return { slug: store.topicList[i][0], name: store.topicList[i][1], url: store.topicList[i][2] };
      });
    }

    /** Ranked, filtered hits with facets (no store needed); opts: {topic, show, limit}.
     * hits: the first `limit` matches as {ref, score, stems}; present() turns them into rows. */
    function rank(text, opts) {
      opts = opts || {};
      var clock = typeof performance !== "undefined" ? performance : Date;
      var started = clock.now();
      var res = hits(text);
      var topicFacet = {}, showFacet = {}, rows = [];
      var topicNo = -1, showNo = -1;
      if (opts.topic) store.topicList.forEach(function (t, i) { if (t[0] === opts.topic) topicNo = i; });
      if (opts.show) store.shows.forEach(function (s, i) { if (s[0] === opts.show) showNo = i; });
      var limit = opts.limit || 20, total = 0, top = [];
      res.hits.forEach(function (hit) {
        var doc = Number(hit.ref);
        store.topics[doc].forEach(function (t) { topicFacet[t] = (topicFacet[t] || 0) + 1; });
        if (store.show[doc] >= 0) showFacet[store.show[doc]] = (showFacet[store.show[doc]] || 0) + 1;
        if (opts.topic && store.topics[doc].indexOf(topicNo) < 0) return;
        if (opts.show && store.show[doc] !== showNo) return;
        total++;
        // The best `limit` hits in lunr's order (score, then first match): the scorer's hits
        // come unsorted, and sorting 10,000 of them to show 8 cost more than the scoring.
        if (top.length === limit && !(hit.score > top[limit - 1].score)) return;
        var at = top.length;
        while (at > 0 && hit.score > top[at - 1].score) at--;
        top.splice(at, 0, hit);
        if (top.length > limit) top.pop();
      });
      top.forEach(function (hit) {
        var stems = {};
        var terms = hit.matchData ? Object.keys(hit.matchData.metadata) : scorer.matchedTerms(hit);
        terms.forEach(function (term) { stems[term] = true; });
        rows.push({ ref: Number(hit.ref), score: hit.score, stems: stems });
      });
      function facet(counts, name) {
        return Object.keys(counts).map(function (k) {
          return { value: name(Number(k)), count: counts[k] };
        }).sort(function (a, z) { return z.count - a.count || (a.value.label < z.value.label ? -1 : 1); });
      }
      return {
        query: text,
        total: total,
        hits: rows,
        topics: facet(topicFacet, function (i) {
          return { id: store.topicList[i][0], label: store.topicList[i][1] };
        }),
        shows: facet(showFacet, function (i) {
          return { id: store.shows[i][0], label: store.shows[i][0] };
        }),
        suggestions: total ? [] : suggestions(text),
        ms: clock.now() - started
      };
    }

    /** The ranked result with display rows (title/snippet highlighted); shards must be loaded. */
    function present(ranked) {
      var out = {};
      Object.keys(ranked).forEach(function (key) { if (key !== "hits") out[key] = ranked[key]; });
      out.results = ranked.hits.map(row);
      return out;
    }

    function search(text, opts) {
      var ranked = rank(text, opts);
      if (shardsFor(ranked).length) throw new Error("store shards not loaded");
      return present(ranked);
    }

    return {
      lunrIndex: index, store: store, hits: hits, rank: rank, plainClauses: plainClauses,
      lunrQuery: lunrQuery, scorer: scorer, present: present, search: search,
      shardsFor: shardsFor, addShard: addShard
    };
  }

  return {
    normalise: normalise,
    aliasKey: aliasKey,
    pyRound3: pyRound3,
    decodeVarints: decodeVarints,
    expandIndex: expandIndex,
    queryTerms: queryTerms,
    plainClauses: plainClauses,
    createScorer: createScorer,
    createEngine: createEngine
  };
});
