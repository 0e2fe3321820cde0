"""Pelican plugin: a lunr.py search index and a document store for lunr.js in the browser.

The index is built once all articles are read (so every page can name the content-hashed
files), and written when the site is finalized. URLs in the store are relative to SITEURL so
the site also works under a subpath (GitHub project pages).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from typing import Any

from bs4 import BeautifulSoup
from lunr import lunr
from pelican import signals

log = logging.getLogger(__name__)

DEFAULT_FIELDS = (
    {"field_name": "title", "boost": 10},
    {"field_name": "tags", "boost": 5},
    {"field_name": "show", "boost": 3},
    {"field_name": "guests", "boost": 3},
    {"field_name": "summary", "boost": 2},
    {"field_name": "body"},
)
DEFAULT_OUTPUT_DIR = "search"

_pending: dict[str, Any] = {}


def _plain_text(html: str) -> str:
    return " ".join(BeautifulSoup(html or "", "html.parser").get_text(" ").split())


def _hashed_name(stem: str, payload: bytes) -> str:
    return f"{stem}.{hashlib.sha256(payload).hexdigest()[:12]}"


def build_documents(articles, body_chars: int) -> tuple[list[dict], list[dict]]:
    """Return (documents to index, document store rows), one of each per article, same order."""
    documents, store = [], []
    for ref, article in enumerate(articles):
        tags = [tag.name for tag in getattr(article, "tags", [])]
        show = getattr(article, "show", "") or ""
        summary_text = getattr(article, "summary_text", "") or ""
        documents.append(
            {
                "ref": str(ref),
                "title": article.title,
                "tags": " ".join(tags),
                "show": show,
                "guests": " ".join(getattr(article, "guests", []) or []),
                "summary": summary_text,
                "body": _plain_text(article.content)[:body_chars],
            }
        )
        store.append(
            {
                "title": article.title,
                "url": article.url,
                "show": show,
                "date": article.date.strftime("%Y-%m-%d"),
                "tags": tags,
                "summary": summary_text,
            }
        )
    return documents, store


def build_index(generator) -> None:
    settings = generator.settings
    fields = settings.get("SEARCH_INDEX_FIELDS", DEFAULT_FIELDS)
    body_chars = settings.get("SEARCH_BODY_CHARS", 2000)
    out_dir = settings.get("SEARCH_OUTPUT_DIR", DEFAULT_OUTPUT_DIR)
    articles = sorted(generator.articles, key=lambda a: a.date, reverse=True)
    documents, store = build_documents(articles, body_chars)
    index = lunr(ref="ref", fields=list(fields), documents=documents) if documents else None
    index_bytes = json.dumps(index.serialize() if index else {}, separators=(",", ":")).encode()
    store_bytes = json.dumps(store, separators=(",", ":"), ensure_ascii=False).encode()
    index_name = f"{out_dir}/{_hashed_name('index', index_bytes)}.json"
    store_name = f"{out_dir}/{_hashed_name('store', store_bytes)}.json"
    files = {index_name: index_bytes, store_name: store_bytes}

    lunr_js = settings.get("SEARCH_LUNR_JS")
    lunr_name = None
    if lunr_js and os.path.exists(lunr_js):
        with open(lunr_js, "rb") as handle:
            lunr_bytes = handle.read()
        lunr_name = f"{out_dir}/{_hashed_name('lunr', lunr_bytes)}.js"
        files[lunr_name] = lunr_bytes
    else:
        log.warning("search_index: lunr.js not found at %r; run `npm ci`", lunr_js)

    _pending["files"] = files
    generator.context["SEARCH_FILES"] = {
        "index": index_name,
        "store": store_name,
        "lunr": lunr_name,
    }
    log.info("search_index: %d documents, index %d bytes", len(documents), len(index_bytes))


def write_files(pelican) -> None:
    for name, payload in _pending.pop("files", {}).items():
        path = os.path.join(pelican.output_path, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.tmp"
        with open(tmp, "wb") as handle:
            handle.write(payload)
        os.replace(tmp, path)



def register() -> None:
    signals.article_generator_finalized.connect(build_index)
    signals.finalized.connect(write_files)
