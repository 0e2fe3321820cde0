"""repeat_key (what finds byte-identical repeats) is the whitespace-squashed text, whether the
line is known to be plain or checked here; workers record each extracted blurb's SHA-256."""

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.ingest import pipeline
from digest.ingest.read import Dump, split_lines
from digest.shows import ShowRegistry
from tests.conftest import examples

_texts = st.lists(
    st.sampled_from(["a", "Heroku", "é", " ", "  ", "\t", "\n", "\u00a0", "\x0b", "x y", "."]),
    max_size=30,
).map("".join)


def _reference(text: str) -> str:
    return " ".join(text.split())


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.one_of(_texts, st.text(max_size=40)), min_size=1, max_size=5))
def test_repeat_key_is_the_squashed_text(texts: list[str]) -> None:
    assert [pipeline.repeat_key(t) for t in texts] == [_reference(t) for t in texts]


def test_repeat_key_fixtures() -> None:
    texts = ["plain line", " leading", "trailing ", "two  spaces", "tab\there", "same"]
    assert [pipeline.repeat_key(t) for t in texts] == [_reference(t) for t in texts]
    # A plain line (RawLine.plain) is its own key, unchecked.
    line = "known plain"
    assert pipeline.repeat_key(line, plain=True) is line


def test_workers_record_each_blurb_s_sha256() -> None:
    """process_blurb and its chunked twin give the SHA-256 of the text (source.sha256)."""
    texts = ["A blurb about Heroku deploys and review apps, with a guest from Salesforce."] * 2
    texts[1] += " ’é"
    pipeline.init_worker(ShowRegistry([]), None)
    pipeline._PASS.update(texts=texts, cuts=[False, False], headers=[None, None])
    try:
        one = [pipeline.process_blurb(i).sha256 for i in range(2)]
        chunk = [p.sha256 for p in pipeline.process_blurbs([0, 1])]
    finally:
        pipeline._PASS.clear()
    expected = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts]
    assert one == chunk == expected


_PRINTABLE_OR_NOT = st.sampled_from(
    [
        *("a", " ", "  ", "é", "’", "日本", "\U0001f600", "\x01", "\x1f", "\x7f", "\t", "\n"),
        *("\x85", "\u00a0", "\u00ad", "\u200b", "\u2028", "\u3000", "\ufeff", "\ue000"),
    ]
)


@settings(max_examples=examples(500), deadline=None)
@given(st.lists(st.one_of(_PRINTABLE_OR_NOT, st.text(max_size=6)), max_size=12).map("".join))
def test_nothing_to_squash_is_the_text_checks(text: str) -> None:
    """The bytes check says what the text's own checks say: no double space, every
    character printable, no space at either end (then squashing changes nothing)."""
    expected = "  " not in text and text.isprintable() and text == text.strip(" ")
    assert pipeline._nothing_to_squash(text.encode("utf-8")) == expected
    if expected:
        assert " ".join(text.split()) == text
    assert pipeline.repeat_key(text) == _reference(text)


def test_nothing_to_squash_fixtures() -> None:
    for text in ("plain", "é ’ 日本 \U0001f600", "a b", ""):
        assert pipeline._nothing_to_squash(text.encode("utf-8")), text
    for text in (" a", "a ", "a  b", "a\x01", "a\x7f", "a\tb", "a\u00a0b", "a\u200bb", "a\x85"):
        assert not pipeline._nothing_to_squash(text.encode("utf-8")), text


def test_every_source_records_the_sha256_of_its_line() -> None:
    """Kept blurbs (hashed by the worker that extracts them) and the repeats merged into them
    (hashed by the main process, never extracted) alike."""
    blurb = "A long enough blurb about Heroku review apps and pipelines, with a guest: Ana Lima."
    other = "Another blurb entirely, about Kubernetes operators and the people who write them."
    lines = [blurb, other, blurb, f" {blurb}", blurb.replace(" ", "  "), other]
    data = "\n".join(lines).encode("utf-8")
    raw, _ = split_lines(data, "d.txt")
    result = pipeline.ingest([Dump("d.txt", raw)], ShowRegistry([]))
    sha = {n: hashlib.sha256(t.encode("utf-8")).hexdigest() for n, t in enumerate(lines, 1)}
    sources = [ep.source for ep in result.episodes]
    sources += [s for m in result.merges for s in m.merged]
    assert sorted(s.line for s in sources) == [1, 2, 3, 4, 5, 6]
    assert all(s.sha256 == sha[s.line] for s in sources)
    assert sum(len(m.merged) for m in result.merges) == 4
