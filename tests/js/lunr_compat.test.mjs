// lunr.js 2.3.9 (from npm) loads the index lunr.py built and ranks like it does.
// Run through tests/build/test_search_parity.py, which builds a site and passes the paths:
//   SEARCH_INDEX=<index json>  SEARCH_EXPECTED=<{query: [[ref, score], ...]} json>
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const lunr = require("lunr");
const core = require("../../theme/static/js/search-core.js");

const indexPath = process.env.SEARCH_INDEX;
const expectedPath = process.env.SEARCH_EXPECTED;

test("lunr.js loads lunr.py's index and agrees on every query", { skip: !indexPath }, () => {
  // The site ships the compact format (plugins/search_index/compact.py); expand it as the
  // browser's worker does, then load it with lunr.js unchanged.
  const shipped = JSON.parse(readFileSync(indexPath, "utf8"));
  const index = lunr.Index.load(shipped.postings ? core.expandIndex(shipped) : shipped);
  const expected = JSON.parse(readFileSync(expectedPath, "utf8"));
  assert.ok(Object.keys(expected).length >= 5, "a table of queries");
  for (const [query, hits] of Object.entries(expected)) {
    const got = index.search(query).map((hit) => [hit.ref, hit.score]);
    assert.deepEqual(got.map((h) => h[0]).slice(0, 3), hits.map((h) => h[0]).slice(0, 3), query);
    got.slice(0, 3).forEach(([, score], i) => {
      assert.ok(Math.abs(score - hits[i][1]) < 1e-9, `${query}: score ${score} vs ${hits[i][1]}`);
    });
  }
});
