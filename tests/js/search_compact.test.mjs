// The compact index expands, in JavaScript, to exactly lunr.py's Index.serialize(); lunr.js on
// the expanded index returns the same refs, order and scores as on the plain one and as lunr.py;
// the search-core scorer (plain queries, straight from the compact index) returns exactly what
// lunr.js's Index.query returns for the same clauses; the build-time stemmer and text
// normalisation agree with the browser's.
// Driven by tests/build/test_search_compact.py, which writes the cases and passes their paths:
//   SEARCH_CASES=<[{name, compact, plain, expected: {query: [[ref, score], ...]}}] json>
//   SEARCH_STEMS=<{word: python stem} json>   SEARCH_NORMALISE=<{text: python normalise} json>
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const lunr = require("lunr");
const core = require("../../theme/static/js/search-core.js");
const read = (name) => JSON.parse(readFileSync(process.env[name], "utf8"));

test("expanded compact index deep-equals lunr.py's serialisation", { skip: !process.env.SEARCH_CASES }, () => {
  for (const c of read("SEARCH_CASES")) {
    assert.deepStrictEqual(core.expandIndex(c.compact), c.plain, c.name);
    assert.deepStrictEqual(core.expandIndex(c.wire), c.plain, `${c.name} (varint postings)`);
    c.compact.postings.forEach((flat, t) => assert.deepStrictEqual(core.decodeVarints(c.wire.postings[t]), flat));
  }
});

test("same refs, order and scores from the expanded index, the plain one and lunr.py", { skip: !process.env.SEARCH_CASES }, () => {
  let compared = 0;
  for (const c of read("SEARCH_CASES")) {
    const expanded = lunr.Index.load(core.expandIndex(c.compact));
    const plain = lunr.Index.load(c.plain);
    for (const [query, want] of Object.entries(c.expected)) {
      const got = expanded.search(query).map((h) => [h.ref, h.score]);
      assert.deepStrictEqual(got, plain.search(query).map((h) => [h.ref, h.score]), `${c.name}: ${query}`);
      assert.deepStrictEqual(got.map((h) => h[0]), want.map((h) => h[0]), `${c.name}: ${query} (refs vs lunr.py)`);
      got.forEach(([, score], i) => {
        assert.ok(Math.abs(score - want[i][1]) <= 1e-12 * Math.max(1, score), `${c.name}: ${query}: ${score} vs ${want[i][1]}`);
      });
      compared += got.length;
    }
  }
  assert.ok(compared > 50, `compared ${compared} hits`);
  console.log(`# compared ${compared} ranked hits`);
});

test("the compact-index scorer equals lunr.js's Index.query: refs, order, scores, matched terms", { skip: !process.env.SEARCH_CASES }, () => {
  let compared = 0, queries = 0;
  const words = ["dep", "kub", "platform", "heroku rails", "observ", "episode", "zzzz", "a", "developer experience tools"];
  for (const c of read("SEARCH_CASES")) {
    const index = lunr.Index.load(c.plain);
    const scorer = core.createScorer(lunr, c.wire); // the postings as the site ships them
    for (const text of [...Object.keys(c.expected), ...words]) {
      const terms = core.queryTerms(lunr, text);
      for (const extra of [[], ["kubernetes", "twelve"]]) {
        const clauses = core.plainClauses(terms, extra);
        if (!clauses.length) continue;
        const want = index.query((q) => clauses.forEach((cl) => q.term(cl.term, {
          boost: cl.boost, usePipeline: cl.usePipeline,
          wildcard: cl.wildcard ? lunr.Query.wildcard.TRAILING : lunr.Query.wildcard.NONE,
        }))).map((h) => [h.ref, h.score, Object.keys(h.matchData.metadata).sort()]);
        const got = scorer.search(clauses).map((h) => [h.ref, h.score, scorer.matchedTerms(h).sort()]);
        assert.deepStrictEqual(got, want, `${c.name}: ${text} + ${extra}`);
        compared += got.length;
        queries++;
      }
    }
  }
  assert.ok(compared > 1000, `compared ${compared} hits`);
  console.log(`# scorer: ${queries} queries, ${compared} ranked hits identical to lunr.js`);
});

test("the build-time stemmer agrees with lunr.stemmer on every word", { skip: !process.env.SEARCH_STEMS }, () => {
  const stems = read("SEARCH_STEMS");
  const differ = [];
  let n = 0;
  for (const [word, pyStem] of Object.entries(stems)) {
    n++;
    const js = lunr.stemmer(new lunr.Token(word, {})).toString();
    if (js !== pyStem) differ.push(`${word}: js ${js} / py ${pyStem}`);
  }
  console.log(`# stemmer: ${n} words, ${differ.length} differ`);
  assert.deepStrictEqual(differ.slice(0, 20), []);
});

test("query normalisation agrees with the build's", { skip: !process.env.SEARCH_NORMALISE }, () => {
  for (const [text, want] of Object.entries(read("SEARCH_NORMALISE"))) {
    assert.equal(core.normalise(text), want, JSON.stringify(text));
  }
});

test("Python's round(x, 3) is reproduced, ties to even", () => {
  assert.equal(core.pyRound3(0.0625), 0.062); // exact tie: Python rounds to even
  assert.equal(core.pyRound3(0.1875), 0.188);
  assert.equal(core.pyRound3(2.675), 2.675); // 2.67499999… in binary
  assert.equal(core.pyRound3(1.0005), 1.0); // 1.000499999…
  assert.equal(core.pyRound3(12.3456), 12.346);
});
