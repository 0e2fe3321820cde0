"""Fast passes over whole blurbs and transcripts give what the plain scans give: the plain
versions are kept here as the reference and compared on random text, real and synthetic
blurbs (unglue_speakers, has_words, render_paragraphs, clean.might_be_mojibake)."""

from __future__ import annotations

import re
import sys
from functools import cache
from itertools import pairwise
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.ingest import clean, extract
from tests.conftest import examples, glued

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "blurbs" / "heroku-directory-sample.txt"


@cache
def _blurbs() -> tuple[str, ...]:
    """The sample's lines and 300 synthetic ones (transcripts included), normalised."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from synth import synthesise
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    lines = SAMPLE.read_text(encoding="utf-8").split("\n")
    lines += synthesise(300, 11).splitlines()
    return tuple(extract.normalise_text(ln) for ln in lines if len(ln) > 40)


def _transcripts() -> list[str]:
    return [t for t in (extract.split_transcript(b)[1] for b in _blurbs()) if t]


# --- unglue_speakers -------------------------------------------------------------------------


def _unglue_reference(text: str) -> str:
    return extract._GLUED_SPEAKER.sub(r"\1\n\n", text)


_SPEAKER_PIECES = [
    ".", "!", "?", "Erik", "Erik:", ": ", ":\n", ":\t", ":", " ", "Ann Lee", "Ann Lee:", "x",
    "O'Neil:", "Jean-Luc:", "Zoë:", "space.Erik: But", "it!Ann Lee: so", "A", "b", "\n\n",
    "Abcdefghijklmnopqrstu:", "Abcdefghijklmnopqrstuv:", "Ab Cdefghijklmnopqrstuvw: ",
    "[00:12:34]", "’", "-",
]  # fmt: skip
_speaker_texts = glued(_SPEAKER_PIECES, 40)


@settings(max_examples=examples(1000), deadline=None)
@given(_speaker_texts)
def test_unglue_speakers_matches_the_regex_sub(text: str) -> None:
    assert extract.unglue_speakers(text) == _unglue_reference(text)


def test_unglue_speakers_on_transcripts() -> None:
    transcripts = _transcripts()
    changed = 0
    for text in transcripts:
        fast = extract.unglue_speakers(text)
        assert fast == _unglue_reference(text)
        changed += fast != text
    assert changed > 5  # glued speakers were there: the windows were exercised
    # the longest names the regex allows, glued and not, at the edges of a window
    for text in (
        "end.Abcdefghijklmnopqrstu Vwxyzabcdefghijklmnop: hi",
        "end.Abcdefghijklmnopqrstu Vwxyzabcdefghijklmnopq: hi",
        "x.Ab: y.Cd: z",
        ".Ab:\n",
    ):
        assert extract.unglue_speakers(text) == _unglue_reference(text), text


# --- has_words -------------------------------------------------------------------------------


@settings(max_examples=examples(500), deadline=None)
@given(
    st.lists(
        st.sampled_from(["ab", "a", "1", "é", "x_y", " ", "Über", "12ab", "\n"]), max_size=12
    ).map(" ".join),
    st.integers(min_value=0, max_value=6),
)
def test_has_words_counts_as_findall(text: str, count: int) -> None:
    assert extract.has_words(text, count) == (len(re.findall(r"[^\W\d_]{2,}", text)) >= count)


def test_detect_language_on_blurbs_keeps_its_word_gate() -> None:
    for text in _blurbs()[:200]:
        sample = extract._language_sample(text)
        assert extract.has_words(sample, 4) == (len(re.findall(r"[^\W\d_]{2,}", sample)) >= 4)


# --- render_paragraphs -----------------------------------------------------------------------


def _render_paragraphs_reference(text: str) -> list[str]:
    """render_paragraphs as it was: every piece split and through md_inline."""
    if "http" in text:
        text = re.sub(r"(?<=[.!?])\s+(?=https?://)", "\n\n", text)
    return [extract.md_inline(extract._squash(p)) for p in re.split(r"\n\s*\n", text) if p.strip()]


_BODY_PIECES = [
    "https://x.com/a?b=1", "www.GitHub.com/Foo", "HTTP://X.ORG", "http", "www", ". ", "\n",
    "\n\n", "\n \n", " ", "  ", "\t", "\u2028", "#", "1.", "- ", "_", "&amp;", "[", "]", "*",
    "a", "B", "(https://x.com)", ">", "=", "!", "?", ".", "http://y", "https://", "\xa0",
    "\u3000", ". https://z.io", "!\n\t https://", "?http://", ".\x1c\x85https://",
]  # fmt: skip
_body_texts = glued(_BODY_PIECES, 30)


@settings(max_examples=examples(1000), deadline=None)
@given(_body_texts)
def test_render_paragraphs_matches_the_reference(text: str) -> None:
    assert extract.render_paragraphs(text) == _render_paragraphs_reference(text)


def test_render_paragraphs_on_blurbs_and_transcript_turns() -> None:
    for text in _blurbs():
        notes, _ = extract.split_transcript(text)
        assert extract.render_paragraphs(notes) == _render_paragraphs_reference(notes)
    turns = 0
    for text in _transcripts()[:30]:
        starts = [0, *(m.start() for m in extract._turns(text)), len(text)]
        for a, b in pairwise(starts):
            chunk = text[a:b].strip()
            assert extract.render_paragraphs(chunk) == _render_paragraphs_reference(chunk)
            turns += 1
    assert turns > 100


# --- might_be_mojibake -----------------------------------------------------------------------

_MOJIBAKE_PIECES = [
    "todayā€™s", "Ã©", "Ã", "\u0080", "\u00bf", "é", "ł", "Ë", "Привет", "’", "–", "€", "™",
    "ƒ", "ˆ", "˜", "Œ", "ž", "a", " ", "\u00c1", "\u00c2", "\u00f4", "\u00f5", "\u0100",
    "\u017f", "\u0180", "\u03ff", "\u0400", "\u045f", "\u0460", "\u00c2\u00a0", "\ud800",
]  # fmt: skip


@settings(max_examples=examples(1000), deadline=None)
@given(st.lists(st.sampled_from(_MOJIBAKE_PIECES), max_size=12).map("".join))
def test_might_be_mojibake_never_hides_a_pair(text: str) -> None:
    if clean._MOJIBAKE_HINT.search(text):
        assert clean.might_be_mojibake(text)


def test_might_be_mojibake_gives_up_on_many_leads() -> None:
    assert clean.might_be_mojibake("Привет " * 100)  # past the limit: the regex decides
    assert not clean.might_be_mojibake("José Valim, Saša Jurić: " * 3)


def test_might_be_mojibake_on_blurbs() -> None:
    spared = 0
    for text in _blurbs():
        hint = bool(clean._MOJIBAKE_HINT.search(text))
        assert clean.might_be_mojibake(text) or not hint
        spared += not text.isascii() and not clean.might_be_mojibake(text)
    assert spared > 20  # non-ASCII blurbs the regex was spared on
    assert clean.fix_mojibake("todayā€™s episode") == "today’s episode"


# --- normalise_text --------------------------------------------------------------------------


def _normalise_reference(raw: str) -> str:
    """normalise_text as it was: every replacement tried, whatever the text holds."""
    text = clean.fix_mojibake(_strip_html_reference(raw))
    text = text.replace("\u00a0", " ").replace("\u200b", "").replace("\r", "")
    if not text.isprintable():
        text = extract._CONTROL.sub(" ", text).replace("\t", " ")
    if "  " in text:
        text = extract._SPACES.sub(" ", text)
    if "\n" in text:
        text = re.sub(r"\n{3,}", "\n\n", re.sub(r" *\n *", "\n", text))
    if "mailto:" in text:
        text = re.sub(r"\s*\(mailto:[^)\s]+\)", "", text)
    return extract.scrub_text_urls(text).strip()


def _strip_html_reference(text: str) -> str:
    """clean.strip_html without its "<"/"&" pre-checks (the regexes decide alone)."""

    class _Always(str):  # a text that claims to hold every character
        def __contains__(self, _: object) -> bool:
            return True

    return str(clean.strip_html(_Always(text)))


_NORMALISE_PIECES = [
    "\u00a0", "\u200b", "\r", "\r\n", "\t", "\x01", "\x7f", "\n", "\n\n\n", "  ", " ", "a", "B",
    "<p>", "</p>", "<br/>", "a < b", "&amp;", "&#8230;", "&", "&x", "[…]", "todayā€™s", "é",
    "(mailto:a@b.co)", "https://x.com/?utm_source=y", "\u2028", "’",
]  # fmt: skip


@settings(max_examples=examples(1000), deadline=None)
@given(st.lists(st.sampled_from(_NORMALISE_PIECES), max_size=25).map("".join))
def test_normalise_text_matches_the_reference(raw: str) -> None:
    assert extract.normalise_text(raw) == _normalise_reference(raw)


def test_normalise_text_on_raw_blurbs() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from synth import synthesise
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    lines = SAMPLE.read_text(encoding="utf-8").split("\n") + synthesise(120, 13).splitlines()
    for line in lines:
        assert extract.normalise_text(line) == _normalise_reference(line)
    for raw in ("a\u00a0b\u200bc\r\nd", "<p>x</p>\u00a0y", "Tom &amp; Jerry\t!", "x\x01y"):
        assert extract.normalise_text(raw) == _normalise_reference(raw), raw


# --- clean.positions_by_first (speaker turns' ": " and "]:") ---------------------------------


@settings(max_examples=examples(1000), deadline=None)
@given(
    st.lists(
        st.sampled_from([":", " ", "]", "]:", ": ", "::", "]]", "a", "’", "\n"]), max_size=30
    ).map("".join),
    st.sampled_from([": ", "]:", "::", "]]", ":", "a", "]: "]),
)
def test_positions_by_first_is_positions(text: str, sub: str) -> None:
    assert clean.positions_by_first(text, sub) == clean.positions(text, sub)


def test_turns_on_transcripts_are_the_full_pattern() -> None:
    for text in _transcripts()[:40]:
        fast = [m.span() for m in extract._turns(text)]
        assert fast == [m.span() for m in extract._TURN.finditer(text)]
        assert len(fast) > 2


# --- find_links ------------------------------------------------------------------------------

_LABEL_PIECES = [
    "Site", " ", "(", ":", "-", "–", "—", "|", "*", "•", "\n", "\t", "\xa0", "\u2028", "\x1c",
    "\x85", "\u3000", ".", "a", "x\n", "\n\n", "—\n", "ü",
]  # fmt: skip


@settings(max_examples=examples(1000), deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_LABEL_PIECES), st.text(max_size=2)), max_size=12))
def test_label_end_strip_matches_the_regex(parts: list[str]) -> None:
    before = "".join(parts)
    assert extract._strip_label_end(before) == re.sub(r"[\s(:\-–—|*•]+$", "", before)


# --- scrub_text_urls -------------------------------------------------------------------------


def _scrub_text_urls_reference(text: str) -> str:
    """scrub_text_urls as it was: the JWT redaction run on every piece between URLs."""
    out: list[str] = []
    pos = 0
    for start, end, url in clean.find_urls(text):
        out.append(clean.redact_jwts(text[pos:start]))
        scrubbed = clean.scrub_url(url if "://" in url else "https://" + url)
        out.append(scrubbed if "://" in url else scrubbed.removeprefix("https://"))
        pos = end
    out.append(clean.redact_jwts(text[pos:]))
    return "".join(out)


_SCRUB_PIECES = [
    "eyJhbGciOi.eyJzdWIiOi.sig_-x", "eyJ", "eyJabcd.", "abcd.", "efgh", "https://x.com/a",
    "https://x.com/?token=eyJhbGciOi.eyJzdWIiOi.sig", "www.y.io/p?utm_source=z", " ", "\n",
    "see ", ".", "a", "(", ")",
]  # fmt: skip


@settings(max_examples=examples(1000), deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_SCRUB_PIECES), st.text(max_size=2)), max_size=20))
def test_scrub_text_urls_matches_the_reference(parts: list[str]) -> None:
    text = "".join(parts)
    assert extract.scrub_text_urls(text) == _scrub_text_urls_reference(text)


def test_scrub_text_urls_redacts_a_stray_jwt() -> None:
    text = "token eyJhbGciOi.eyJzdWIiOi.sig_-x then https://x.com/a and eyJabcd.efgh.ij"
    assert extract.scrub_text_urls(text) == _scrub_text_urls_reference(text)
    assert "eyJ" not in extract.scrub_text_urls(text)
