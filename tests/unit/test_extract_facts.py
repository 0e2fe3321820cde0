"""Facts one stage of extraction passes to the next are true: what ``_normalise`` says it
showed (a tidy text: printable, no double space) holds of the text it returns, and a
transcript rendered with that fact is rendered as without it; clean.strip_html gives
what it gave with its old pre-check."""

from __future__ import annotations

import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.ingest import clean, extract
from tests.conftest import examples, glued
from tests.unit.test_extract_fast_passes import ROOT, SAMPLE, _blurbs, _normalise_reference
from tests.unit.test_extract_transcript_fast import _render_transcript_reference

_PIECES = [
    "\u00a0", "\u200b", "\r", "\r\n", "\t", "\x01", "\x7f", "\n", "\n\n\n", "  ", " ", "a", "B",
    "<p>", "</p>", "<br/>", "a < b", "&amp;", "&#8230;", "&", "[…]", "[...]", "...", "…", "é",
    "(mailto:a@b.co)", " (mailto:a@b.co) ", "mailto:", "https://x.com/?utm_source=y", "’",
    "https://x.com/a?token=eyJhbGciOi.eyJzdWIi.sig ", "www.x.org/eyJabcd.efgh.ijkl ",
    "eyJhbGciOi.eyJzdWIi.abcd", "https://u:p@h.io/?a=1&sig=2 ", "www.@x ", "https:// ", "\u2028",
    "http://[::1 ", "ftp://x.y ", "HTTP ", "http ", ". Ann Lee: ", "[00:01:02] Bo Li: ", "JOËL: ",
]  # fmt: skip
_raw_texts = glued(_PIECES, 30)


def _tidy(text: str) -> bool:
    """What ``_normalise``'s fact claims, checked again."""
    return text.isprintable() and "  " not in text


def _check(raw: str) -> bool:
    text, tidy = extract._normalise(raw)
    assert text == _normalise_reference(raw)
    if tidy:
        assert _tidy(text), repr(raw)
    return tidy


@settings(max_examples=examples(2000), deadline=None)
@given(_raw_texts)
def test_a_tidy_normalised_text_is_tidy(raw: str) -> None:
    _check(raw)


def test_a_tidy_normalised_text_is_tidy_on_real_blurbs() -> None:
    lines = [ln for ln in SAMPLE.read_text(encoding="utf-8").splitlines() if ln.strip()]
    extra = [
        "see https://x.com/p?token=eyJhbGciOi.eyJzdWIi.sig and eyJhbGciOi.eyJzdWIi.abc  now",
        "mail me (mailto:a@b.co)  (mailto:c@d.co) today",
        "a\u00a0 b www.x.org/?utm_source=z c",
        "line one\nline  two https://x.io/?utm_source=z\tthree",
    ]
    tidy = [_check(ln) for ln in [*lines, *extra]]
    assert sum(tidy) > 10 and not all(tidy)  # (both sides exercised)


def _transcript_of(raw: str) -> tuple[str, bool] | None:
    text, tidy = extract._normalise(raw)
    _, transcript = extract.split_transcript(text)
    return (extract.unglue_speakers(transcript), tidy) if transcript else None


@settings(max_examples=examples(500), deadline=None)
@given(_raw_texts, st.integers(min_value=3, max_value=40))
def test_render_transcript_with_the_fact_is_the_reference(raw: str, turns: int) -> None:
    speakers = ["[00:01:02] Ann Lee: ", "STEPHANIE: ", "Bo Li [00:00:12]: "]
    body = "".join(f"{speakers[i % 3]}{raw} said it.Erik: yes. " for i in range(turns))
    found = _transcript_of("Notes. " + body + "x" * 2100)
    if found:
        text, tidy = found
        assert extract.render_transcript(text, tidy) == _render_transcript_reference(text)


def test_render_transcript_with_the_fact_on_blurbs() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from synth import synthesise
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    seen = 0
    for raw in synthesise(300, 11).splitlines():
        found = _transcript_of(raw)
        if found:
            text, tidy = found
            seen += tidy
            assert extract.render_transcript(text, tidy) == _render_transcript_reference(text)
    assert seen > 5  # (the fact was used)


# --- the pre-checks of clean.find_urls and clean.strip_html ----------------------------------


def _strip_html_reference(text: str) -> str:
    if "…]" in text or "...]" in text:
        return clean._drop_cut_marks(text)
    return text


@settings(max_examples=examples(1000), deadline=None)
@given(
    st.lists(st.sampled_from(["…", "]", "...", "..", ".", "[", " ", "x", "…]"]), max_size=20).map(
        "".join
    )
)
def test_strip_html_cut_marks_precheck(text: str) -> None:
    assert clean.strip_html(text) == _strip_html_reference(text)


# --- clean.find_urls keeps a short text's answer ---------------------------------------------


def test_find_urls_kept_is_found_again() -> None:
    texts = [*_blurbs(), "see https://a.io/x.", "see https://b.io/y.", "www.c.org now", ""]
    texts += [t[:200] for t in texts] + [t[:4096] for t in texts] + [t[:4097] for t in texts]
    for _ in range(2):  # computed, then (for short texts) from what was kept
        for text in texts:
            want = clean._find_urls(text)
            assert clean.find_urls(text) == want
            assert clean.find_urls(text) == want  # (the same text twice in a row)
            # a text of the same length and another answer right after
            other = text.replace("https://", "httpx://").replace("www.", "wwwx")
            assert clean.find_urls(other) == clean._find_urls(other)
