"""Each way :func:`dedupe.signature` splits a text into words signs as the reference
functions do: ASCII bytes, a text other than ASCII as UTF-8 bytes (all its other characters
word characters), the regular expression (one is not), with and without URL queries."""

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.ingest import dedupe
from tests.conftest import examples

_reference = dedupe.signature_reference


_WORDS = " ".join(f"w{i} Caf\u00e9 x_{i % 7}" for i in range(150))
_CASES = {
    "ascii": " ".join(f"Word{i}, (and) more_{i % 9}." for i in range(400)),
    "utf-8 bytes": _WORDS,
    "utf-8 bytes, wordless marks": _WORDS.replace(" x_", "\u2014x_"),
    "utf-8 bytes, three-byte words": " ".join("\u65e5\u672c\u8a9e\u6587" for _ in range(400)),
    "regular expression (a no-break space is not \\w)": _WORDS.replace(" x_", "\u00a0x_"),
    "regular expression (nor is a Greek question mark)": _WORDS.replace(" x_", "\u037ex_"),
    "one word": "caf\u00e9",
    "four words": "a b c d",
    "none": " ... ",
}
_URLS = (
    "",
    " https://x.io/p?utm_source=y&a=b",
    " see HTTP://Y.com/?q=1 now?",
    " a question? https://z.dev/path",
    " ://odd?",
)


def test_each_way_of_splitting_signs_as_the_reference() -> None:
    for name, text in _CASES.items():
        for url in _URLS:
            for whole in (text + url, url + " " + text):
                assert dedupe.signature(whole) == _reference(whole), (name, url)


@settings(max_examples=examples(300), deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                " ",
                "word",
                "Caf\u00e9",
                "\u00e9t\u00e9",
                "\u65e5\u672c",
                "\u00a0",
                "\u2009",
                "\u037e",
                "_",
                "?",
                "://",
                "https://a.io/x?y=1",
                "http://B.io?",
                "\u2014",
                "\u2019",
                "\U0001d400",
                "\u0663",
            ]
        ),
        max_size=60,
    ).map("".join)
)
def test_mixed_texts_sign_as_the_reference(text: str) -> None:
    assert dedupe.signature(text) == _reference(text)
