"""Search benchmark: first-search payload, focus-to-first-result and query times in Chromium.

For the shipped sample and synthetic 1,000- and 10,000-episode corpora (scripts/synth.py)
it builds the payloads exactly as the plugin does (plugins/search_index), serves a page that
carries the real search form, search.js, the worker and the site's CSP, and drives Debian's
Chromium with Playwright. It compares, on the same corpus:

* ours: compact index + row store + lunr.js, loaded lazily by the worker;
* plain: the same index as ``json.dumps(index.serialize())`` (what issue 6 calls the plain
  serialisation) — size only;
* pelican-lunr style: full bodies indexed by lunr.py's default pipeline, the serialised index
  and every document inlined into one JS file next to lunr.js — size only (it is what a
  reader would download before the first result);
* Pagefind (``python -m pagefind``, if ``pagefind[bin]`` is installed): one HTML page per
  episode, first search measured in Chromium the same way.

Payload sizes are gzip -9 of each file fetched for the first search (files Pagefind already
ships gzipped are counted as they are). Run: ``.venv/bin/python scripts/bench_search.py``
(``--sizes sample,1000`` for a quicker run, ``--json out.json`` to keep the figures).
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from plugins.search_index.compact import FieldSpec, expand, fast_compact  # noqa: E402
from plugins.search_index.search_index import (  # noqa: E402
    SearchRecord,
    TopicInfo,
    build_files,
    build_payloads,
)
from plugins.search_index.text import normalise  # noqa: E402
from tests.conftest import CHROMIUM_ARGS, serve  # noqa: E402

LUNR_JS = ROOT / "node_modules" / "lunr" / "lunr.min.js"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "worker-src 'self'; object-src 'none'; base-uri 'self'"
)
QUERY_WORDS = 60


def gz(data: bytes) -> int:
    return len(data) if data[:2] == b"\x1f\x8b" else len(gzip.compress(data, 9))


def sample_blurbs() -> list[str]:
    lines = []
    for path in sorted((ROOT / "data" / "blurbs").glob("*.txt")):
        lines += [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if len(line) >= 200]


def records_for(blurbs: list[str]) -> list[SearchRecord]:
    from synth import NAMES as _FIRST  # names, for guests

    from digest.taxonomy import load_taxonomy

    topics = list(load_taxonomy(ROOT / "content" / "topics.yml"))
    records = []
    for i, blurb in enumerate(blurbs):
        words = blurb.split()
        chosen = [topics[i % len(topics)], topics[(i * 7 + 3) % len(topics)]]
        records.append(
            SearchRecord(
                title=" ".join(words[:9]),
                url=f"episodes/{i:05d}-{'-'.join(normalise(' '.join(words[:5])).split())}/",
                date=f"{2015 + i % 10}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                show=f"Show {i % 60}",
                show_url=f"shows/show-{i % 60}/",
                topics=[TopicInfo(t.slug, t.name, f"topics/{t.slug}/", t.aliases) for t in chosen],
                guests=[f"{_FIRST[i % len(_FIRST)]} {words[min(9, len(words) - 1)]}"],
                summary=" ".join(words[:60]),
                body=blurb,
            )
        )
    return records


def corpus(size: str) -> list[SearchRecord]:
    if size == "sample":
        return records_for(sample_blurbs())
    from synth import synthesise_blurbs

    return records_for(synthesise_blurbs(int(size)))


def _dumps(payload) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def build_ours(records: list[SearchRecord], site: Path, settings: dict) -> dict:
    started = time.perf_counter()
    index, store = build_payloads(
        records, body_chars=settings["body_chars"], summary_chars=settings["summary_chars"]
    )
    files, entry = build_files(index, store, LUNR_JS.read_bytes(), settings["shard_docs"])
    build_s = time.perf_counter() - started
    for name, data in files.items():
        (site / "search" / name).parent.mkdir(parents=True, exist_ok=True)
        (site / "search" / name).write_bytes(data)
    js = site / "theme" / "js"
    js.mkdir(parents=True, exist_ok=True)
    for name in ("search.js", "search-worker.js", "search-core.js"):
        shutil.copy(ROOT / "theme" / "static" / "js" / name, js / name)
    css = site / "theme" / "css"
    css.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "theme" / "static" / "css" / "search.css", css / "search.css")
    form = (
        '<form class="search-form" role="search" action="./search/" method="get" '
        'data-entry="./search/entry.json" data-worker="./theme/js/search-worker.js" '
        'data-base="./"><input id="search-input" name="q" type="search">'
        '<div class="search-panel" hidden><div class="search-filters"></div>'
        '<p class="search-status"></p><ol class="search-results" id="search-results"></ol>'
        "</div></form>"
    )
    (site / "index.html").write_text(
        f'<!doctype html><html><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f'<link rel="stylesheet" href="./theme/css/search.css"><title>bench</title></head>'
        f'<body>{form}<script src="./theme/js/search.js" defer></script></body></html>',
        encoding="utf-8",
    )
    index_bytes = files[entry["index"]]
    stores = [data for name, data in files.items() if name.startswith(("docs/", "store."))]
    plain = _dumps(expand({k: v for k, v in index.items() if k != "tables"}))
    whole_store = _dumps(store)
    return {
        "build_s": round(build_s, 2),
        "index_raw": len(index_bytes),
        "index_gz": gz(index_bytes),
        "store_files": len(stores),
        "store_raw": len(whole_store),
        "store_gz": gz(whole_store),  # the whole columnar store, as one file
        "shard_gz_mean": round(sum(gz(d) for d in stores) / len(stores)),
        "plain_index_raw": len(plain),
        "plain_index_gz": gz(plain),
    }


def pelican_lunr_size(records: list[SearchRecord]) -> dict:
    """pelican-lunr style: full bodies, lunr.py default pipeline, everything inline in one JS."""
    from lunr.pipeline import Pipeline
    from lunr.stemmer import stemmer

    started = time.perf_counter()
    fields = [FieldSpec("title", 10), FieldSpec("tags", 5), FieldSpec("body")]
    docs = [
        {"title": r.title, "tags": " ".join(t.name for t in r.topics), "body": r.body}
        for r in records
    ]
    # fast_compact + expand equals lunr.py's serialisation (tests/build/test_search_compact.py);
    # swap in lunr.py's own stemmer, as pelican-lunr would have it.
    import plugins.search_index.compact as compact_module

    original = compact_module.js_stemmer
    compact_module.js_stemmer = stemmer
    try:
        plain = expand(fast_compact(fields, docs))
    finally:
        compact_module.js_stemmer = original
    del Pipeline
    store = [{"title": r.title, "url": r.url, "body": r.body} for r in records]
    js = b"var lunrIndex=" + _dumps(plain) + b";var documents=" + _dumps(store) + b";"
    return {
        "build_s": round(time.perf_counter() - started, 2),
        "raw": len(js) + len(LUNR_JS.read_bytes()),
        "first_search_gz": gz(js) + gz(LUNR_JS.read_bytes()),
    }


def build_pagefind(records: list[SearchRecord], site: Path) -> dict | None:
    try:
        import pagefind  # noqa: F401
    except ImportError:
        return None
    for record in records:
        page = site / record.url / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(
            f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(record.title)}</title></head><body><main data-pagefind-body>"
            f"<h1>{html.escape(record.title)}</h1><p>{html.escape(record.show)} · "
            f"{html.escape(', '.join(record.guests))}</p><p>{html.escape(record.body)}</p>"
            f"</main></body></html>",
            encoding="utf-8",
        )
    (site / "harness.js").write_text(
        "const started = performance.now();\n"
        'const pagefind = await import("./pagefind/pagefind.js");\n'
        "const found = await pagefind.search(new URL(location.href).searchParams.get('q'));\n"
        "const data = await Promise.all(found.results.slice(0, 8).map((r) => r.data()));\n"
        "const out = document.getElementById('out');\n"
        "out.dataset.ms = String(performance.now() - started);\n"
        "out.textContent = data.map((d) => d.meta.title).join('\\n') || 'none';\n",
        encoding="utf-8",
    )
    (site / "harness.html").write_text(
        '<!doctype html><html><head><meta charset="utf-8"><title>pf</title></head><body>'
        '<pre id="out"></pre><script type="module" src="./harness.js"></script></body></html>',
        encoding="utf-8",
    )
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(site), "--glob", "episodes/**/*.html"],
        check=True, capture_output=True,
    )  # fmt: skip
    return {"build_s": round(time.perf_counter() - started, 2)}


def query_words(records: list[SearchRecord]) -> list[str]:
    words: list[str] = []
    for record in records[:: max(1, len(records) // QUERY_WORDS)]:
        title = [w for w in normalise(record.title).split() if len(w) > 3]
        if title:
            words.append(title[len(words) % len(title)])
    extra = ["heroku", "k8s", "12-factor", "rails deploy", "kub", "platform engineering"]
    return (words + extra)[: QUERY_WORDS + len(extra)]


def measure_ours(browser, site: Path, queries: list[str]) -> dict:
    with serve(site, prefix="/some/subpath") as base:
        context = browser.new_context()
        page = context.new_page()
        fetched: dict[str, int] = {}

        def on_response(response) -> None:
            path = response.url.split("/some/subpath/", 1)[-1].split("?")[0]
            local = site / path
            if local.is_file():
                fetched[path] = gz(local.read_bytes())

        page.on("response", on_response)
        page.goto(f"{base}/")
        page.wait_for_load_state("load")
        started = time.perf_counter()
        page.focus("#search-input")
        page.keyboard.type(queries[0][:4], delay=0)
        page.locator("#search-results li.search-hit").first.wait_for(timeout=60_000)
        cold = (time.perf_counter() - started) * 1000
        times = []
        first_search = sum(fetched.values())
        first_files = len(fetched)
        fetch_ms = []
        for query in queries * 3:
            page.fill("#search-input", query)
            escaped = query.replace("\\", "\\\\").replace('"', '\\"')
            page.wait_for_selector(f'#search-results[data-query="{escaped}"]', state="attached")
            times.append(float(page.get_attribute("#search-results", "data-ms")))
            fetch_ms.append(float(page.get_attribute("#search-results", "data-fetch-ms") or 0))
        context.close()
    search_files = {k: v for k, v in fetched.items() if k != "index.html" and "css" not in k}
    del first_files
    return {
        # gz bytes fetched up to the first result (page HTML and CSS aside), then in total
        "fetched_gz": first_search
        - fetched.get("index.html", 0)
        - sum(v for k, v in fetched.items() if "css" in k),
        "fetched_gz_after_all_queries": sum(search_files.values()),
        "fetched": search_files,
        "shard_wait_p50_ms": round(statistics.median(fetch_ms), 1),
        "focus_to_first_result_ms": round(cold, 1),
        "query_p50_ms": round(statistics.median(times), 2),
        "query_p95_ms": round(statistics.quantiles(times, n=20)[-1], 2),
        "queries": len(times),
    }


def measure_pagefind(browser, site: Path, query: str) -> dict:
    with serve(site) as base:
        context = browser.new_context()
        page = context.new_page()
        fetched: dict[str, int] = {}

        def on_response(response) -> None:
            path = response.url.split(base + "/", 1)[-1].split("?")[0]
            local = site / path
            if local.is_file() and "pagefind" in path:
                fetched[path] = gz(local.read_bytes())

        page.on("response", on_response)
        started = time.perf_counter()
        page.goto(f"{base}/harness.html?q={query}")
        page.wait_for_selector("#out[data-ms]", state="attached", timeout=60_000)
        cold = (time.perf_counter() - started) * 1000
        context.close()
    return {"fetched_gz": sum(fetched.values()), "files": len(fetched), "cold_ms": round(cold, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="sample,1000,10000")
    parser.add_argument("--body-chars", type=int, default=600)
    parser.add_argument("--summary-chars", type=int, default=160)
    parser.add_argument(
        "--shard-docs", type=int, default=4, help="episodes per store shard (0: one store file)"
    )
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--no-pagefind", action="store_true")
    parser.add_argument(
        "--baseline-max",
        type=int,
        default=1000,
        help="skip the pelican-lunr baseline above this many episodes",
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)  # fmt: skip
    settings = {
        "body_chars": args.body_chars, "summary_chars": args.summary_chars,
        "shard_docs": args.shard_docs,
    }  # fmt: skip
    results: dict[str, dict] = {}
    playwright = browser = None
    if not args.no_browser and Path("/usr/bin/chromium").exists():
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
    try:
        for size in args.sizes.split(","):
            records = corpus(size)
            row: dict = {"episodes": len(records)}
            with tempfile.TemporaryDirectory() as tmp:
                ours = Path(tmp) / "ours"
                row["ours"] = build_ours(records, ours, settings)
                if len(records) <= args.baseline_max:
                    row["pelican_lunr"] = pelican_lunr_size(records)
                queries = query_words(records)
                if browser:
                    row["ours"].update(measure_ours(browser, ours, queries))
                pf_site = Path(tmp) / "pagefind"
                pf = None if args.no_pagefind else build_pagefind(records, pf_site)
                if pf is not None:
                    row["pagefind"] = pf
                    if browser:
                        pf.update(measure_pagefind(browser, pf_site, queries[0]))
            results[size] = row
            print(json.dumps({size: row}, indent=1), flush=True)
    finally:
        if browser:
            browser.close()
        if playwright:
            playwright.stop()
    print(
        "\n| corpus | episodes | ours first search (gz) | index raw/gz (plain raw/gz) | "
        "focus→first result | query p50/p95 | pelican-lunr (gz) | Pagefind (gz) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for size, row in results.items():
        o = row["ours"]
        pl = row.get("pelican_lunr", {})
        pf = row.get("pagefind", {})
        print(
            f"| {size} | {row['episodes']} "
            f"| {o.get('fetched_gz', 0) / 1024:.0f} KB"
            f" | {o['index_raw'] / 1024:.0f}/{o['index_gz'] / 1024:.0f} KB "
            f"({o['plain_index_raw'] / 1024:.0f}/{o['plain_index_gz'] / 1024:.0f} KB)"
            f" | {o.get('focus_to_first_result_ms', '–')} ms"
            f" | {o.get('query_p50_ms', '–')}/{o.get('query_p95_ms', '–')} ms"
            f" | {pl.get('first_search_gz', 0) / 1024:.0f} KB"
            f" | {pf.get('fetched_gz', 0) / 1024:.0f} KB |"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
