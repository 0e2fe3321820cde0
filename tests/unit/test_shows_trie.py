"""The mention names' trie pattern (shows._trie_pattern, what ShowRegistry._mentioned searches
with) finds what the plain alternation of the names, longest first, finds: the same name at
the same place, search after search."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from digest import shows
from tests.unit.test_shows_fast import SHOWS


def _finds(pattern: re.Pattern[str], text: str) -> list[tuple[int, str]]:
    out = []
    m = pattern.search(text)
    while m is not None:
        out.append((m.start(), m.group(0)))
        m = pattern.search(text, m.start() + 1)
    return out


def _plain(names: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, sorted(set(names), key=len, reverse=True))))


_NAMES = st.lists(st.text(alphabet="ab c.!", min_size=1, max_size=6), min_size=1, max_size=8)


@settings(max_examples=500, deadline=None)
@given(_NAMES, st.lists(st.text(alphabet="ab c.!x", max_size=7), max_size=8))
def test_trie_finds_what_the_alternation_finds(names: list[str], parts: list[str]) -> None:
    text = "".join(parts) + "".join(names[::2])
    trie = re.compile(shows._trie_pattern(names))
    assert _finds(trie, text) == _finds(_plain(names), text)


def test_the_registrys_trie_on_its_names() -> None:
    names = list(SHOWS._mention_names)
    assert SHOWS._mention_trie is not None and len(names) > 20
    text = " ".join(names) + " " + "".join(names) + " " + " x".join(n[:-1] for n in names)
    assert _finds(SHOWS._mention_trie, text) == _finds(_plain(names), text)
