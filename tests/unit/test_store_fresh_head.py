"""A first run's front matter written straight from the Episode (store._fresh_head) is what the
generic way writes (store._fresh_head_generic: episode_fields, value_hash, dump_yaml), field
for field, record hashes included — or it declines (None) and the generic way writes it."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from digest import store
from digest.episode import Chapter, Episode, Link, Source
from tests.conftest import examples

# YAML-hostile, number-, date- and bool-like strings, quotes, non-ASCII: the fast path writes them
_TRICKY = [
    "yes", "No", "0", "1.5", "0x1F", "0b101", "2024-01-31", "null", "~", "a: b", "a #b", "#x",
    "'q'", '"q"', "{x}", "|", ">", "@x", " lead", "trail ", "x:", "---", "...", "é", "日本",
    "https://example.com/a?b=c#d", "Heroku", "Software Engineering Daily", "x" * 2000,
]  # fmt: skip
# ... and strings it leaves to PyYAML (empty, too long, line breaks, characters libyaml escapes)
_DECLINED = ["", "x" * 2001, "line\nbreak", "tab\there", "\x01", "\u2028", "\ufeff", "\U0001f600"]
_PRINTABLE = st.characters(
    max_codepoint=0xFFFD, exclude_categories=("Cc", "Cs", "Zl", "Zp"), exclude_characters="\ufeff"
)
_TEXT = st.one_of(st.sampled_from(_TRICKY), st.text(_PRINTABLE, min_size=1, max_size=40))
_DECLINING = st.one_of(st.sampled_from(_DECLINED), st.text(max_size=20))


def _rarely(odd: st.SearchStrategy, usual: st.SearchStrategy) -> st.SearchStrategy:
    """``usual`` nine times in ten: most episodes take the fast path, some decline."""
    return st.integers(0, 9).flatmap(lambda n: odd if n == 0 else usual)


_ANY_TEXT = _rarely(_DECLINING, _TEXT)
_HEX = "0123456789abcdef"


def _episodes() -> st.SearchStrategy[Episode]:
    return st.builds(
        Episode,
        title=_ANY_TEXT,
        slug=st.just("unused"),
        body=st.just(""),
        source=st.builds(
            Source,
            file=st.one_of(st.sampled_from(["d.txt", "data/blurbs/x.txt", "yes"]), _TEXT),
            line=st.integers(0, 10**6),
            sha256=st.one_of(
                st.text(alphabet=_HEX, min_size=64, max_size=64),
                st.sampled_from(
                    ["1" * 64, "0b" + "1" * 62, "0" * 64, "0b" + "a" * 62, "0" * 63 + "e", "0x1f"]
                ),
                _TEXT,
            ),
        ),
        date=_rarely(
            st.datetimes(min_value=dt.datetime(1990, 1, 1)), st.one_of(st.none(), st.dates())
        ),
        show=st.one_of(st.none(), _TEXT),
        tags=st.lists(st.one_of(st.sampled_from(["heroku", "ai", "yes", "0x1F"]), _TEXT)),
        summary=st.one_of(st.none(), _TEXT),
        guests=st.lists(_TEXT, max_size=3),
        language=st.one_of(st.none(), st.sampled_from(["en", "pt", "no", "yes", "on"])),
        episode=_rarely(st.just(True), st.one_of(st.none(), st.integers(-5, 10**6), st.integers())),
        chapters=st.lists(
            st.builds(Chapter, time=st.sampled_from(["02:49", "1:01:02", "0", "12"]), label=_TEXT),
            max_size=4,
        ),
        links=st.lists(
            st.builds(Link, url=st.sampled_from(["https://x.com/", "mailto:a@b.c"]), label=_TEXT),
            max_size=4,
        ),
        truncated=st.booleans(),
        date_estimated=st.booleans(),
    )


_BODY_HASHES = st.one_of(
    st.text(alphabet=_HEX, min_size=12, max_size=12),
    st.sampled_from(["012345678901", "0b0101010101", "0b01010101a1", "f00000000000"]),
)


@settings(max_examples=examples(1500), deadline=None)
@given(
    ep=_episodes(), stem=st.one_of(st.sampled_from(["s", "s-2", "yes", ""]), _TEXT), h=_BODY_HASHES
)
def test_fresh_head_is_the_generic_head_or_declines(ep: Episode, stem: str, h: str) -> None:
    expected = store._fresh_head_generic(ep, stem, h)
    for _ in range(2):  # the second time from what was remembered
        fast = store._fresh_head(ep, stem, h)
        assert fast is None or fast == expected


def _ordinary(n: int) -> Episode:
    return Episode(
        title=f"Episode {n}: a title with a colon",
        slug="unused",
        body="",
        source=Source("data/blurbs/dump.txt", 10 + n, f"{n:064x}"),
        date=dt.date(2024, 1, 1 + n % 28),
        show="Software Engineering Daily",
        tags=["heroku", "yes"][: n % 3],
        summary=f"It's episode {n} # of many",
        guests=["Ada Lovelace"] if n % 2 else [],
        language="en",
        episode=n if n % 2 else None,
        chapters=[Chapter("02:49", "Introduction"), Chapter("1:01:02", f"Part {n}")],
        links=[Link(f"https://example.com/{n}?a=b", "Example: home")],
        truncated=bool(n % 2),
        date_estimated=not n % 2,
    )


@pytest.mark.parametrize("n", range(6))
def test_ordinary_episodes_take_the_fast_path(n: int) -> None:
    ep = _ordinary(n)
    for h in ("0123456789ab", "012345678901", "0b0101010101"):
        fast = store._fresh_head(ep, f"episode-{n}", h)
        assert fast is not None
        assert fast == store._fresh_head_generic(ep, f"episode-{n}", h)
        meta = yaml.safe_load(fast.split("---\n")[1])
        assert meta[store.RECORD_KEY]["title"] == store.value_hash(ep.title)


def test_unexpected_shapes_decline() -> None:
    """Values the generic way writes through PyYAML (a datetime, a bool episode number, a
    non-string tag) are left to it."""
    ep = _ordinary(1)
    for change in (
        {"date": dt.datetime(2024, 1, 1, 10, 30)},
        {"episode": True},
        {"tags": ["heroku", 3]},
        {"title": "x" * 2001},
        {"show": ""},
    ):
        odd = Episode(**{**ep.__dict__, **change})
        assert store._fresh_head(odd, "s", "0123456789ab") is None
        assert store._fresh_bytes(odd, "s") == store._fresh_text(odd, "s").encode("utf-8")


class _FixedDigest:
    """A stand-in for hashlib.sha256 whose hex digest is ``digest`` (the record's entries that
    read as numbers are quoted, which real hashes make once in thousands of files)."""

    def __init__(self, digest: str) -> None:
        self.digest = digest

    def __call__(self, data: bytes = b"") -> _FixedDigest:
        return self

    def hexdigest(self) -> str:
        return self.digest


@pytest.mark.parametrize(
    ("digest", "quoted"),
    [
        ("0123456789ab", False),
        ("012345678901", False),  # (not octal: a string)
        ("012345670123", True),
        ("123456789012", True),
        ("0b0101010101", True),
        ("0b01010101a1", False),
        ("000000000000", True),
    ],
)
def test_record_entries_that_read_as_numbers_are_quoted_alike(
    digest: str, quoted: bool, monkeypatch
) -> None:
    import types

    monkeypatch.setattr(store, "hashlib", types.SimpleNamespace(sha256=_FixedDigest(digest * 6)))
    monkeypatch.setattr(store, "_TRUE_ENTRY", store._hash_entry("true"))
    for memo in ("_STR_MEMO", "_LIST_MEMO", "_DATE_MEMO"):  # (nothing remembered from before)
        monkeypatch.setattr(store, memo, {})
    ep = _ordinary(3)
    fast = store._fresh_head(ep, "s", digest)
    assert fast is not None and fast == store._fresh_head_generic(ep, "s", digest)
    assert (f"  title: '{digest}'\n" in fast) is quoted
    assert (f"  body: '{digest}'\n" in fast) is quoted
