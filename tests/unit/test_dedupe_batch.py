"""dedupe.signatures (the 5-grams of many texts hashed at once by numpy, from CRC-32 tables)
gives exactly what dedupe.signature gives for each text, and that is the reference signature
(fingerprint → split → _shingles → _pack, blake2b of the fingerprint)."""

import random
import zlib

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.ingest import dedupe
from tests.conftest import examples

_reference = dedupe.signature_reference


_PIECES = st.sampled_from(
    [" ", "\n", ".", "word", "Caf\u00e9", "\u65e5\u672c", "\u00a0", "_", "42", "\u2014", "x?y=1"]
)
_TEXTS = st.one_of(
    st.lists(_PIECES, max_size=30).map("".join),
    st.lists(
        st.sampled_from(["alpha", "beta", "g", "x_1", "42", "\u00e9t\u00e9"]), max_size=700
    ).map(" ".join),
    st.text(max_size=200),
)


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(_TEXTS, max_size=12))
def test_signatures_are_each_texts_signature(texts: list[str]) -> None:
    assert dedupe.signatures(texts) == [dedupe.signature(t) for t in texts]
    assert dedupe.signatures(texts) == [_reference(t) for t in texts]


def test_many_texts_of_every_kind() -> None:
    """More texts than one batch: short, exactly five words, over 300 words, long words (5-grams
    ending near _CRC_SPAN), too long for the tables, repeated 5-grams, no words."""
    rng = random.Random(8)
    vocabulary = ["a", "bb", "ccc", "d" * 9, "\u00e9t\u00e9", "\u65e5\u672c\u8a9e", "x" * 40]
    texts = ["", "...", "one", "a b c d", "a b c d e", "a b c d e f", "a a a a a a a a a"]
    for _ in range(600):
        texts.append(" ".join(rng.choice(vocabulary) for _ in range(rng.randrange(1, 420))))
    texts.append(" ".join(["\u65e5\u672c\u8a9e\u6587"] * 400))  # 3,900 UTF-8 bytes
    texts.append(" ".join(["y" * 10] * 279))  # 3,068 bytes: just inside the tables
    assert len(texts) > 2 * dedupe._BATCH
    assert dedupe.signatures(texts) == [_reference(t) for t in texts]
    assert dedupe.signatures([]) == []


@settings(max_examples=examples(200), deadline=None)
@given(
    st.lists(
        st.lists(st.binary(min_size=1, max_size=12), min_size=5, max_size=320).map(
            lambda ws: b" ".join(w.replace(b" ", b"_") for w in ws)
        ),
        min_size=1,
        max_size=4,
    )
)
def test_batch_shingles_are_the_crc32_of_each_5_gram(datas: list[bytes]) -> None:
    """Any bytes but the space (every byte value at many places in the tables)."""
    datas = [d for d in datas if len(d) < dedupe._CRC_SPAN] or [b"a b c d e"]
    counts = [d.count(b" ") + 1 for d in datas]
    expected = []
    for data in datas:
        words = data.split(b" ")[: dedupe.COMPARE_CHARS // 5]
        grams = [b" ".join(words[i : i + 5]) for i in range(len(words) - 4)]
        expected.append(dedupe._pack({zlib.crc32(gram) for gram in grams}))
    assert dedupe._batch_shingles(datas, counts) == expected
