"""Text normalisation shared by the index (here) and the browser (theme/static/js/search-core.js).

Why one function on both sides: lunr only finds a query term that the browser turns into the
very same string the build turned the indexed word into. Things that broke that:

* accents: "Café" and "cafe" must meet (NFKD, then combining marks dropped);
* characters outside the Basic Multilingual Plane (emoji in blurbs) can break
  ``lunr.Index.load`` (lunr.py #144) and make UTF-16 (JS) and code-point (Python) lengths
  disagree inside the stemmer, so they become spaces;
* possessives: "Heroku's" was indexed as ``heroku'`` and never matched "heroku";
* punctuation inside words: "CI/CD" or "Heroku—Salesforce" were single tokens; only letters,
  digits, ``_``, ``.`` (``node.js``, ``fly.io``) and ``-`` (a lunr separator) survive.

``search-core.js`` implements ``normalise`` with the same steps; ``tests/js`` checks the two
agree on a table of awkward strings.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["alias_key", "normalise"]

_APOSTROPHES = re.compile(r"['\u2019\u02bc]s(?!\w)|['\u2019\u02bc]")
_NOT_WORD = re.compile(r"[^\w.\-\s]|_")
# A dot survives only between two word characters (node.js, fly.io): "rails." or "...and"
# would otherwise keep it, and lunr never matches "deploy." against "deploy" (lunr.js #532).
_LOOSE_DOT = re.compile(r"\.(?!\w)|(?<!\w)\.")


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _fold_run(match: re.Match) -> str:
    """Combining marks dropped, characters outside the BMP (and lone surrogates) as spaces."""
    return "".join(
        " " if ord(ch) > 0xFFFF or 0xD800 <= ord(ch) <= 0xDFFF else ch
        for ch in match.group()
        if not unicodedata.category(ch).startswith("M")
    )


def _fold(text: str) -> str:
    if text.isascii():  # nothing to decompose, no marks, nothing outside the BMP
        return text
    # Only the non-ASCII runs are looked at character by character: an ASCII character is
    # never a mark nor outside the BMP, and one dash or curly quote in an English body made
    # the whole body go through a Python loop (~40 % of building the search index).
    return _NON_ASCII.sub(_fold_run, unicodedata.normalize("NFKD", text))


def normalise(text: str) -> str:
    """Lower-cased, accent-free, BMP-only text whose words lunr tokenises the same in JS."""
    text = _fold(text or "").lower()
    text = _APOSTROPHES.sub("", text)
    text = _NOT_WORD.sub(" ", text)
    return " ".join(_LOOSE_DOT.sub(" ", text).split())


def alias_key(text: str) -> str:
    """Lookup key of a topic name or alias: letters and digits only (``12-factor`` → ``12factor``).

    Same rule as ``digest.taxonomy.normalise_key`` so the browser resolves what editors wrote.
    """
    return "".join(ch for ch in _fold(text).casefold() if ch.isalnum())
