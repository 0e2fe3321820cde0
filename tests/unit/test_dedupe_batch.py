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


def _forced(prefix: bytes, crc: int) -> bytes:
    """``prefix`` and 4 more bytes whose CRC-32 is ``crc`` (the CRC of a fixed-length input
    is affine in its bits over GF(2): one linear system over the 32 bits appended)."""
    base = zlib.crc32(prefix + bytes(4))
    columns = [zlib.crc32(prefix + (1 << bit).to_bytes(4, "little")) ^ base for bit in range(32)]
    rows = [(columns[bit], 1 << bit) for bit in range(32)]  # (image, which bits give it)
    basis: dict[int, tuple[int, int]] = {}
    for image, bits in rows:
        for top in sorted(basis, reverse=True):
            if image >> top & 1:
                image, bits = image ^ basis[top][0], bits ^ basis[top][1]
        if image:
            basis[image.bit_length() - 1] = (image, bits)
    want, bits = crc ^ base, 0
    for top in sorted(basis, reverse=True):
        if want >> top & 1:
            want, bits = want ^ basis[top][0], bits ^ basis[top][1]
    assert want == 0
    return prefix + bits.to_bytes(4, "little")


def test_batch_shingles_with_the_largest_values() -> None:
    """5-grams whose CRC-32 is 0xFFFFFFFF (what _batch_shingles pads each text's row with
    before sorting the rows), 0xFFFFFFFE and 0: kept, in order, once, in texts of different
    lengths."""
    grams = []
    for crc in (0xFFFFFFFF, 0xFFFFFFFE, 0, 0xFFFFFFFF):
        for k in range(100):  # (a last word without a space in it)
            gram = _forced(f"a b c d w{k}x".encode(), crc)
            if b" " not in gram[-4:]:
                grams.append(gram)
                break
    assert [zlib.crc32(g) for g in grams] == [0xFFFFFFFF, 0xFFFFFFFE, 0, 0xFFFFFFFF]
    datas = [
        grams[0],
        b"q r s " + grams[1] + b" t u v " + grams[0],
        b" ".join(grams) + b" z z z z z z z z",
        b"long " * 300 + grams[2],
    ]
    counts = [d.count(b" ") + 1 for d in datas]
    expected = []
    for data in datas:
        words = data.split(b" ")[: dedupe.COMPARE_CHARS // 5]
        expected.append(
            dedupe._pack({zlib.crc32(b" ".join(words[i : i + 5])) for i in range(len(words) - 4)})
        )
    assert dedupe._batch_shingles(datas, counts) == expected
    assert dedupe.signatures([d.decode("latin-1") for d in datas[1:3]]) == [
        dedupe.signature_reference(d.decode("latin-1")) for d in datas[1:3]
    ]
