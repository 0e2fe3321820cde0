"""Fast paths in extract/clean give what the full scans give (property tests + real blurbs)."""

import contextlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.ingest import clean, extract
from tests.conftest import examples, glued

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "blurbs" / "heroku-directory-sample.txt"

# pieces that trigger (or almost trigger) the glue rules, stamps and stated dates
_PIECES = [
    "EngineersJames", "Brady", " is", " was", " has", ",", ":", "ZimmanAdam", " Zimman",
    "HerokuWhere", "JavaScript", "McKinsey", "JudoScale", "HoneybadgerHoneybadger", "LinksHeroku",
    "2024.Show", "perfectly.”The", "discuss:How", "re:Invent", "IBM)Adam", "(0:26)Introduction",
    "https://x.com/aB?c=De", "www.GitHub.com/Foo", "iPhone", "e.g.The", "a", "b", "The", " ",
    "  ", "\n", "\n\n", "\t", "\u2009", ".", "!", "?", ")", "”", "’", "\"", "A", "Bc", "xY",
    "(02:49)", "1:02:03", "00:00", "12:5", ":30", "[04:01]", "recorded on", "Published:",
    "RELEASED", "aired", "posted live on", "publıshed", "poſted", "March 3, 2024", "8/13/2025",
    "2024-08-13", "13th December 2024", "é", "Ünï",
]  # fmt: skip
_texts = glued(_PIECES, 30)


def _real_texts() -> list[str]:
    lines = [ln for ln in SAMPLE.read_text(encoding="utf-8").split("\n") if ln.strip()]
    out = []
    for line in lines:
        text = extract.normalise_text(line)
        notes, _ = extract.split_transcript(text)
        out += [line, text, notes, clean.restore_breaks_everywhere(notes)]
    return out


@settings(max_examples=examples(500), deadline=None)
@given(_texts)
def test_restore_breaks_windows_agree_with_the_full_scan(text: str) -> None:
    assert clean.restore_breaks(text) == clean.restore_breaks_everywhere(text)


def test_restore_breaks_on_real_blurbs() -> None:
    texts = _real_texts()
    changed = 0
    for text in texts:
        fast = clean.restore_breaks(text)
        assert fast == clean.restore_breaks_everywhere(text)
        changed += fast != text
    assert changed > 10  # the sample does have glued sentences: the windows were exercised


def _stated_date_by_regex(text: str):
    m = extract._STATED_DATE.search(text)
    return extract.parse_date(m) if m else None


@settings(max_examples=examples(500), deadline=None)
@given(_texts)
def test_find_date_pre_check_agrees_with_the_regex(text: str) -> None:
    assert extract.find_date(text) == _stated_date_by_regex(text)


def test_find_date_pre_check_keeps_case_folded_words() -> None:
    for text in ("publıshed on March 3, 2024", "poſted: 2024-08-13", "RECORDED 8/13/2025"):
        assert extract.find_date(text) is not None
        assert extract.find_date(text) == _stated_date_by_regex(text)


@settings(max_examples=examples(500), deadline=None)
@given(_texts)
def test_chapter_pre_check_never_hides_three_stamps(text: str) -> None:
    """Fewer than three "d:dd" → fewer than three stamps, so no chapters either way."""
    colon_digits = len(extract._COLON_DIGITS.findall(text))
    stamps = len(list(extract._STAMP.finditer(text)))
    assert colon_digits >= stamps
    if colon_digits < 3:
        assert extract.find_chapters(text) == ([], None)


def test_chapters_still_found() -> None:
    chapters, span = extract.find_chapters(
        "(02:49) Introduction (04:01) Adam's journey (10:12) End"
    )
    assert len(chapters) == 3 and span is not None


_PEOPLE = [
    "Today's guest is Adam Wiggins", "guests this week are ", "Join us as we welcome Adam McCrea",
    "Corey Quinn welcomes Adam Zimman back", "sits down with ", "feat. ", "featuring ",
    "Priya Raman joins us", "Heroku CTO Gail Frederick announced", ". VP Jae Taylor",
    "Host Victoria Guido connects with ", "I'm your host, Victoria Guido", "co-host Sami Birnbaum",
    "Pete Hamilton and Chris Evans are cofounders", "Bob Wise, CEO of Heroku, discussed",
    "Marc G. Gauthier, a solopreneur", " is joined by ", "interviewed ", "brought on ",
    "Rémy Hannequin", " and ", ". ", "\n", "Jon Myer", "José Valim", "CEO", "with", "ost",
    ", a ", ", an ", ",\t", " is the ", " was a ", " are ", "Head", "lead", "founders", " back",
    "one of", ", our ", "talks with", "chats with", " welcomes ", "Jae Taylor", "solopreneur",
    "hosts ", "Co-host ", "your hosts, ", "most ", "Host\n", "ÉLODIE Ñ", "welcoming ",
    "joined by both ", "sit down with ", "sat down with ", "chatted with ", "speaks with ",
    "spoke with ", "talking with ", "talked with ", "conversation with ", "interviews ",
    "interviewed ", "connects with ", "catches up with ", "catch up with ", "caught up with ",
    "episode with ", "back ", "guest ", "founder ", "Vimeo CEO ", "guests today are ", "xwith ",
    "_talks with ", "guest: ",
    # sentence and line starts (the line-start triggers' start strings)
    "According to ", "welcome ", "! ", "? ", "?\n", ".\n", "\n\n", "Dana Smith", ", CTO",
    " joins us", " talks with ", "CTO ", "is the founder", "Head of Engineering",
    # the pre-checks of the joining, role and host triggers
    " joined the show", " is joining the podcast", " joins me", "Cohost ", "co-host ",
    "cohosts ", "Hosts, ", "your host ", " was the ", " are our ", " is currently ",
]  # fmt: skip


@settings(max_examples=examples(400), deadline=None)
@given(glued(_PEOPLE, 20))
def test_trigger_pre_checks_agree_with_scanning_every_pattern(text: str) -> None:
    fast = extract.find_people(text, ("Corey Quinn",))
    with _every_trigger_scanned():
        assert fast == extract.find_people(text, ("Corey Quinn",))


@contextlib.contextmanager
def _every_trigger_scanned() -> Iterator[None]:
    saved, saved_re = dict(extract._NEEDS), dict(extract._NEEDS_RE)
    saved_starts = dict(extract._STARTS)
    extract._NEEDS.clear()
    extract._NEEDS_RE.clear()
    extract._STARTS.clear()
    try:
        yield
    finally:
        extract._NEEDS.update(saved)
        extract._NEEDS_RE.update(saved_re)
        extract._STARTS.update(saved_starts)


def test_trigger_pre_checks_on_real_blurbs() -> None:
    texts = [t[:3000] for t in _real_texts()]
    fast = [extract.find_people(t) for t in texts]
    with _every_trigger_scanned():
        assert fast == [extract.find_people(t) for t in texts]
    assert sum(bool(guests) for guests, _ in fast) > 5


def test_trigger_pre_checks_on_synthetic_blurbs() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from synth import synthesise
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    lines = [ln for ln in synthesise(600, 5).splitlines() if len(ln) > 40]
    texts = [extract.split_transcript(extract.normalise_text(ln))[0][:3000] for ln in lines]
    fast = [extract.find_people(t) for t in texts]
    with _every_trigger_scanned():
        assert fast == [extract.find_people(t) for t in texts]


@settings(max_examples=examples(500), deadline=None)
@given(glued(_PEOPLE, 20))
def test_trigger_start_strings_give_finditer(text: str) -> None:
    for rx in extract._STARTS:
        fast = [m.span() for m in extract._trigger_matches(rx, text)]
        assert fast == [m.span() for m in rx.finditer(text)]


def test_line_start_triggers_start_where_finditer_does() -> None:
    """Each way a sentence/line-start trigger can start: the text's start, after a newline
    (``^``), at a newline, at sentence punctuation, at "According to" and "welcome"."""
    starts = ["", "so\n", "so\n\n", "so. ", "so!\n", "really? ", "According to ", "we welcome "]
    starts += ["x\n\nso. ", "so\n \n"]
    bodies = [
        "Dana Smith is the founder of Acme.",
        "Dana Smith and Ava Lee Chen are cofounders of Acme.",
        "Dana Smith, CTO of Acme, said so.",
        "CTO Dana Smith said so.",
        "Acme CEO Dana Smith said so.",
        "Jon Myer talks with Ava Lee.",
    ]
    checked = 0
    for rx in (
        extract._GUEST_RE[2],
        extract._GUEST_RE[3],
        extract._GUEST_RE[6],
        extract._HOST_RE[1],
    ):
        for start in starts:
            for body in bodies:
                text = start + body
                full = [m.span() for m in rx.finditer(text)]
                assert [m.span() for m in extract._trigger_matches(rx, text)] == full, text
                checked += bool(full)
    assert checked > 40


_GUEST_PHRASES = [
    "welcome", "welcomes", "welcoming", "joined by", "joined by both", "sit down with",
    "sits down with", "sat down with", "chat with", "chats with", "chatted with", "speak with",
    "speaks with", "spoke with", "talk with", "talks with", "talked with", "talking with",
    "conversation with", "interview", "interviews", "interviewed", "connect with",
    "connects with", "catch up with", "catches up with", "brought on", "caught up with",
    "featuring", "feat.", "episode with",
]  # fmt: skip


def test_every_trigger_phrase_has_a_start_string() -> None:
    rx = extract._GUEST_RE[1]
    for phrase in _GUEST_PHRASES:
        for text in (f"Today we {phrase} Adam Wiggins.", f"{phrase} back guest Jon Myer"):
            full = [m.span() for m in rx.finditer(text)]
            assert full, text
            assert [m.span() for m in extract._trigger_matches(rx, text)] == full, text
    text = "Our guests this week are Adam Wiggins and Jon Myer. guest: Betty Junod"
    full = [m.span() for m in extract._GUEST_RE[0].finditer(text)]
    assert len(full) == 2
    assert [m.span() for m in extract._trigger_matches(extract._GUEST_RE[0], text)] == full


def test_each_phrase_pre_check_is_part_of_its_trigger() -> None:
    """Texts each trigger finds a name in: the pre-check must let every one through."""
    found = {
        2: "Pete Hamilton and Chris Evans are cofounders of it. Paul Orlando is back to talk.",
        3: "Bob Wise, CEO of Heroku, discussed it. James Brady, Head of Engineering @ Elicit",
        4: "what happened to Jae Taylor, a tech executive who left",
    }
    for i, text in found.items():
        rx = extract._GUEST_RE[i]
        assert rx.search(text) and any(n.search(text) for n in extract._NEEDS_RE[rx]), i
    joins = extract._GUEST_RE[5]
    for text in (
        "Priya Raman joins us to explain",
        "Priya Raman joined the show",
        "Priya Raman is joining the podcast",
        "Priya Raman joins\nme",
    ):
        assert joins.search(text) and any(n.search(text) for n in extract._NEEDS_RE[joins])
    hosts = extract._HOST_RE[0]
    for text in (
        "hosts Rémy Hannequin and Sami",
        "Host Victoria Guido",
        "your host, Victoria Guido",
    ):
        assert hosts.search(text) and any(n.search(text) for n in extract._NEEDS_RE[hosts])
        assert [m.span() for m in extract._trigger_matches(hosts, text)] == [
            m.span() for m in hosts.finditer(text)
        ]


@settings(max_examples=examples(300), deadline=None)
@given(st.binary(max_size=60), st.sampled_from([0, 3]))
def test_lazy_line_split_is_bytes_split(data: bytes, start: int) -> None:
    from digest.ingest.read import _split_newlines

    data = b"\xef\xbb\xbf" + data if start else data
    assert list(_split_newlines(data, start)) == data[start:].split(b"\n")
    for extra in (b"\n", b"\n\n", b"a\nb", b"\r\n"):
        assert list(_split_newlines(data + extra, start)) == (data + extra)[start:].split(b"\n")


@settings(max_examples=examples(200), deadline=None)
@given(_texts)
def test_packed_shingles_are_the_crc_set(text: str) -> None:
    """Signatures keep their 5-gram hashes as packed bytes; unpacked, they are the set."""
    from digest.ingest import dedupe

    sig = dedupe.signature(text)
    words = dedupe.fingerprint(text[: dedupe.COMPARE_CHARS * 2]).split()
    expected = dedupe._shingles(words[: dedupe.COMPARE_CHARS // 5])
    assert sig.shingle_set() == frozenset(expected)
    assert list(sig.shingle_values()) == sorted(expected)


def test_near_duplicates_still_found_with_packed_shingles() -> None:
    from digest.ingest import dedupe

    base = " ".join(f"word{i} topic{i % 7} detail{i % 11}" for i in range(120))
    other = base.replace("word5 ", "changed ")
    unrelated = " ".join(f"else{i} thing{i % 5}" for i in range(120))
    cands = [dedupe.Candidate(k, t) for k, t in enumerate([base, unrelated, other])]
    groups = dedupe.find_duplicates(cands, {0: 10, 1: 10, 2: 9})
    assert [(g.keep, g.merged) for g in groups] == [(0, (2,))]
    assert groups[0].reason.startswith("near-identical text")


_u32_sets = st.frozensets(st.integers(min_value=0, max_value=2**32 - 1), max_size=40)


@settings(max_examples=examples(300), deadline=None)
@given(_u32_sets, st.lists(_u32_sets, min_size=1, max_size=6), st.integers(0, 2**32 - 1))
def test_shared_counts_are_set_intersections(first, others, pivot) -> None:
    """dedupe's batched searchsorted counts are the frozenset intersections it replaced."""
    from digest.ingest import dedupe

    # values around `pivot` make overlaps likely (random 32-bit sets rarely share any)
    first = first | {pivot, (pivot + 1) % 2**32}
    others = [o | {pivot} if i % 2 else o for i, o in enumerate(others)]
    counts, sizes = dedupe._shared_counts(
        dedupe._pack(set(first)), [dedupe._pack(set(o)) for o in others]
    )
    assert counts == [len(first & o) for o in others]
    assert sizes == [len(o) for o in others]


def _find_duplicates_per_pair(candidates, lengths):
    """The pair loop find_duplicates had before batching (one frozenset intersection per
    pair, skipped once the two are in one group): the reference for the batched one."""
    from collections import Counter
    from itertools import combinations

    from digest.ingest import dedupe

    parent = {c.key: c.key for c in candidates}
    reason = {}

    def find(x):
        while parent[x] != x:
            x = parent[x]
        return x

    def union(a, b, why):
        ra, rb = find(a), find(b)
        if ra != rb:
            lo, hi = min(ra, rb), max(ra, rb)
            parent[hi] = lo
            reason[(lo, hi)] = why

    by_key = {c.key: c for c in candidates}
    sigs = {c.key: c.signature or dedupe.signature(c.text) for c in candidates}
    exact = {}
    for c in candidates:
        first = exact.get(sigs[c.key].exact)
        if first is not None and dedupe._compatible(by_key[first], c):
            union(first, c.key, "same text")
        else:
            exact.setdefault(sigs[c.key].exact, c.key)
    index = {}
    for c in candidates:
        if sigs[c.key].words >= 12:
            for h in sigs[c.key].shingle_values():
                if h % dedupe._ANCHOR_MOD == 0:
                    index.setdefault(h, []).append(c.key)
    pairs = Counter()
    for keys in index.values():
        if 2 <= len(keys) <= dedupe._MAX_BUCKET:
            pairs.update(combinations(keys, 2))
    for (a, b), shared in sorted(pairs.items()):
        if shared < 2 or find(a) == find(b) or not dedupe._compatible(by_key[a], by_key[b]):
            continue
        sa, vb = sigs[a].shingle_set(), sigs[b].shingle_values()
        containment = len(sa.intersection(vb)) / max(1, min(len(sa), len(vb)))
        if containment >= dedupe.NEAR:
            union(a, b, f"near-identical text ({containment:.0%} shared)")
    members = {}
    for c in candidates:
        members.setdefault(find(c.key), []).append(c.key)
    out = []
    for root, keys in sorted(members.items()):
        if len(keys) >= 2:
            keep = max(keys, key=lambda k: (lengths.get(k, 0), -k))
            why = sorted({r for (lo, hi), r in reason.items() if find(lo) == root})
            out.append((keep, tuple(k for k in sorted(keys) if k != keep), "; ".join(why)))
    return out


def test_batched_near_duplicate_search_matches_the_pair_loop() -> None:
    """Families of near copies (a few words swapped, some cut short, two shows, numbered
    episodes) group exactly as the per-pair loop grouped them."""
    import random

    from digest.ingest import dedupe

    rng = random.Random(5)
    lines = [ln for ln in SAMPLE.read_text(encoding="utf-8").split("\n") if len(ln) > 400]
    cands, lengths = [], {}
    for key in range(600):
        words = rng.choice(lines[:12]).split()[:300]
        for _ in range(rng.choice([0, 1, 3, 8, 20])):
            words[rng.randrange(len(words))] = rng.choice(["swapped", "other", "new", "x"])
        if rng.random() < 0.2:
            words = words[: rng.randrange(20, len(words))]
        text = " ".join(words)
        show = rng.choice([None, None, "a", "b"])
        number = rng.choice([None, None, None, 1, 2])
        cands.append(dedupe.Candidate(key, "", show, number, signature=dedupe.signature(text)))
        lengths[key] = len(text)
    got = [(g.keep, g.merged, g.reason) for g in dedupe.find_duplicates(cands, lengths)]
    assert got == _find_duplicates_per_pair(cands, lengths)
    assert sum(len(m) for _, m, _ in got) > 100  # the families really were merged


_DATED = [
    "Title ", "8/13/2025 ", "1/2/25", "2024-08-13", "Aug 13, 2025", "13th December 2024",
    "3 of march, 2024", "SEPT. 9 2024", "| ", "(", ")", "[", "]", " - ", "Description", "٣",
    "٢٠٢٤", "1", "9", "/", "-", " ", "\n", "May", "mAy 1st 2025", "ſep", "Dec", "jun", "12",
    "2024", "01", "/1", "/12/", "-08-", ", ",
]  # fmt: skip


@settings(max_examples=examples(1000), deadline=None)
@given(glued(_DATED, 25))
def test_glued_date_regexes_need_two_digits_in_a_row(text: str) -> None:
    """glued_prefix skips both date regexes when the head has no two digits in a row."""
    head = text[:260]
    if not extract._TWO_DIGITS.search(head):
        assert extract._GLUED_DATE.match(head) is None
        assert extract._LEADING_DATE.match(head) is None


@settings(max_examples=examples(1000), deadline=None)
@given(glued(_DATED, 25))
def test_date_regexes_need_what_may_hold_date_checks(text: str) -> None:
    """glued_prefix skips both date regexes when may_hold_date says no date form is there."""
    head = text[:260]
    if not extract.may_hold_date(head):
        assert extract._DATE.search(head) is None
        assert extract._GLUED_DATE.match(head) is None
        assert extract._LEADING_DATE.match(head) is None


def test_may_hold_date_on_each_date_form() -> None:
    for text in (
        "Title 8/13/2025 More", "Title 1/2/25 More", "(2024-08-13) x", "Aug 13, 2025 x",
        "13th December 2024 x", "3 of march, 2024", "SEPT. 9 2024", "ſep 9 2024", "mAy 1st 2025",
    ):  # fmt: skip
        assert extract._DATE.search(text) and extract.may_hold_date(text), text
    for text in ("Episode #123: 10x faster", "2024 was a year", "May we 12 times", "8/13 at 9"):
        assert not extract.may_hold_date(text), text


def test_glued_prefix_as_with_the_two_digit_check_on_real_blurbs() -> None:
    texts = _real_texts()
    fast = [extract.glued_prefix(t) for t in texts]
    saved = extract.may_hold_date
    extract.may_hold_date = lambda head: extract._TWO_DIGITS.search(head) is not None
    try:
        assert fast == [extract.glued_prefix(t) for t in texts]
    finally:
        extract.may_hold_date = saved


def test_glued_dates_still_found() -> None:
    for text in ("Vibe Coding 8/13/2025 We talk…", "Vibe Coding 1/2/25 We talk…"):
        title, date, _, _ = extract.glued_prefix(text)
        assert title == "Vibe Coding" and date is not None
    assert extract.glued_prefix("Aug 13, 2025 - We talk about it")[1] is not None


_TURNS = [
    "[00:45:45] Adam Wiggins:", "[00:45:45]", "Ben [00:47:16]:", "Ben Orenstein [1:02:03]:",
    "STEPHANIE: Hello", "JOËL QUENNEVILLE: ", "Adam:", "]:", ": ", "[", "]", " [", "A", "AB",
    "ABC", "Ab", "’", "-", " ", "\n", "12:34", "0", ".", "É",
]  # fmt: skip


def _turn_spans(matches) -> list[tuple[int, int]]:
    return [m.span() for m in matches]


@settings(max_examples=examples(1000), deadline=None)
@given(
    glued(_TURNS, 30),
    st.integers(0, 40),
    st.integers(0, 400),
)
def test_turn_forms_agree_with_the_full_pattern(text: str, pos: int, endpos: int) -> None:
    assert _turn_spans(extract._turns(text)) == _turn_spans(extract._TURN.finditer(text))
    assert _turn_spans(extract._turns(text, pos, endpos)) == _turn_spans(
        extract._TURN.finditer(text, pos, endpos)
    )


def test_turn_forms_on_real_blurbs() -> None:
    found = 0
    for text in _real_texts():
        fast = _turn_spans(extract._turns(text))
        assert fast == _turn_spans(extract._TURN.finditer(text))
        found += len(fast)
    assert found > 100


_STAMPS = [
    "(02:49)", "[04:01]", "1:02:03", "00:00", "12:5", ":30", "(0:26)", "[1:02:03]", "123:45",
    "1:23:45:67", "٣:٤٥", "١٢:٣٤", "１２:３４", "(", ")", "[", "]", ":", "0", "9", "x", " ",
    "Intro", "\n", "a(12:34)b", "((12:34))", "[12:34)", "12:34]", "-",
]  # fmt: skip


def _stamp_list(matches) -> list[tuple[tuple[int, int], str | None, str]]:
    return [(m.span(), m.group("open"), m.group("t")) for m in matches]


def _colons(text: str) -> list[int]:
    return [m.start() for m in extract._COLON_DIGITS.finditer(text)]


@settings(max_examples=examples(1000), deadline=None)
@given(glued(_STAMPS, 30))
def test_stamps_in_runs_agree_with_the_full_scan(text: str) -> None:
    assert _stamp_list(extract._stamps(text, _colons(text))) == _stamp_list(
        extract._STAMP.finditer(text)
    )


def test_stamps_in_runs_on_real_blurbs() -> None:
    found = 0
    for text in _real_texts():
        stamps = _stamp_list(extract._stamps(text, _colons(text)))
        assert stamps == _stamp_list(extract._STAMP.finditer(text))
        found += len(stamps)
    assert found > 50


_URLISH = [
    "https://x.com/aB?c=De", "http://a.b", "HTTP://A.B/", "Http://x.io", "hTtPs://y.dev)",
    "www.GitHub.com/Foo", "wwww.x.com", "xwww.y.com", "@www.z.com", "/www.q.org", "://", "www.",
    "https://x.com/?u=https://y.com", "(https://w.org/wiki/A_(b))", "https://t.co/a.", " ", "\n",
    "h", "w", "ww", "https:/", "httpss://x", "’s", "Adam's", ":", "[", "]", "<", ">",
]  # fmt: skip


_urls_by_full_scan = clean.find_urls_reference


@settings(max_examples=examples(1000), deadline=None)
@given(glued(_URLISH, 25))
def test_url_starts_agree_with_the_full_scan(text: str) -> None:
    assert clean.find_urls(text) == _urls_by_full_scan(text)


def test_url_starts_on_real_blurbs() -> None:
    found = 0
    for text in _real_texts():
        urls = clean.find_urls(text)
        assert urls == _urls_by_full_scan(text)
        found += len(urls)
    assert found > 100


_TRAILERS = [
    "The post ", "Vibe Coding at Heroku", " appeared first on ", "appeared first on",
    "Software Engineering Daily", ".", " ", "\n", "  ", "The post", " appeared  first on ", "x",
]  # fmt: skip


@settings(max_examples=examples(500), deadline=None)
@given(glued(_TRAILERS, 12))
def test_post_trailer_pre_check_agrees_with_the_regex(text: str) -> None:
    fast, full = extract._post_trailer(text), extract._POST_TRAILER.search(text)
    assert (fast and fast.span()) == (full and full.span())


_MARKS = [
    "Transcript", "TRANSCRIPT", "Full ", "Episode ", "Full Transcript: ", ":", " ", "\n", "A",
    "[00:00:00]", "Alessio [00:00:00]: Hey", "VICTORIA: This", "Transcript[00:00:00]", "Ep ",
    "TranscriptAlessio [00:00:00]:", "transcript", "Full", "Episode", "x",
]  # fmt: skip


@settings(max_examples=examples(1000), deadline=None)
@given(glued(_MARKS, 20))
def test_transcript_mark_candidates_agree_with_the_search(text: str) -> None:
    fast, full = extract._transcript_mark(text), extract._TRANSCRIPT_MARK.search(text)
    assert (fast.span() if fast else None) == (full.span() if full else None)


def test_transcript_mark_candidates_on_real_blurbs() -> None:
    marks = 0
    for text in _real_texts():
        fast, full = extract._transcript_mark(text), extract._TRANSCRIPT_MARK.search(text)
        assert (fast.span() if fast else None) == (full.span() if full else None)
        marks += fast is not None
    assert marks > 3


_CUTS = [
    "[…]", "[...]", "[", "]", "…", "...", " ", "  ", "\n", "\t", "\u2028", "\xa0", "x", "word",
    "[[...]", "[…]]", "[....]", "[ … ]",
]  # fmt: skip


def _cut_marks_by_regex(text: str) -> str:
    text = re.sub(r"\s*\[(?:…|\.\.\.)\]\s*$", "…", text)
    return re.sub(r"\s*\[(?:…|\.\.\.)\]", " …", text)


@settings(max_examples=examples(1000), deadline=None)
@given(glued(_CUTS, 20, noise=2))
def test_cut_marks_agree_with_the_regexes(text: str) -> None:
    assert clean._drop_cut_marks(text) == _cut_marks_by_regex(text)


def test_cut_marks_on_real_blurbs() -> None:
    changed = 0
    for text in _real_texts():
        fast = clean._drop_cut_marks(text)
        assert fast == _cut_marks_by_regex(text)
        changed += fast != text
    assert changed >= 1


def test_anchor_buckets_are_the_dict_index() -> None:
    """_anchor_buckets gives the buckets of the dict index it replaced (same keys, same order
    within a bucket; bucket order does not matter: pairs are counted, then sorted)."""
    import random

    from digest.ingest import dedupe

    rng = random.Random(9)
    lines = [ln for ln in SAMPLE.read_text(encoding="utf-8").split("\n") if len(ln) > 200]
    cands = []
    for key in range(300):
        words = rng.choice(lines).split()[:200]
        for _ in range(rng.choice([0, 2, 10])):
            words[rng.randrange(len(words))] = rng.choice(["a", "b", "c"])
        words = words[: rng.choice([5, 11, 12, 50, 200])]
        cands.append(dedupe.Candidate(key, "", signature=dedupe.signature(" ".join(words))))
    sigs = {c.key: c.signature for c in cands}
    index: dict[int, list[int]] = {}
    for c in cands:
        if sigs[c.key].words < 12:
            continue
        for h in sigs[c.key].shingle_values():
            if h % dedupe._ANCHOR_MOD == 0:
                index.setdefault(h, []).append(c.key)
    expected = sorted(k for k in index.values() if 2 <= len(k) <= dedupe._MAX_BUCKET)
    got = sorted(dedupe._anchor_buckets(cands, sigs))
    assert got == expected
    assert len(got) > 50


def _find_episode_number_reference(text: str) -> int | None:
    m = extract._EPISODE_NUMBER.search(text[:300])
    return int(m.group(1)) if m else None


def _find_date_reference(text: str):
    m = extract._STATED_DATE.search(text)
    return extract.parse_date(m) if m else None


_NUMBERED_OR_STATED = [
    "Welcome to episode 257 of", "EPISODE 12", "Ep. 3 ", "ep.#4", "in Episode #12", "ep", "Ep",
    "episode", "EPİSODE 7", "epıSODE 8", "ı", "İ", "ſ", "K", "this is ", "on ", "for ", "\n",
    " ", "12", "#", ".", "recorded on 13th December 2024", "RECORDED: 8/13/2025", "Published ",
    "released", "aired live on ", "posted", "poſted on 2024-01-02", "aİred on Aug 1, 2024",
    "xrecorded 2024-01-02", "recorded", " on ", "2024-08-13", "Aug 13, 2025", "ß", "ﬁ",
]  # fmt: skip


@settings(max_examples=examples(1000), deadline=None)
@given(glued(_NUMBERED_OR_STATED, 20))
def test_episode_number_and_stated_date_pre_checks(text: str) -> None:
    """find_episode_number and find_date look first for their literals (lower-cased) and try
    the regex only there: the same result as searching the whole text."""
    assert extract.find_episode_number(text) == _find_episode_number_reference(text)
    assert extract.find_date(text) == _find_date_reference(text)


def test_episode_number_and_stated_date_on_real_blurbs() -> None:
    texts = _real_texts()
    texts += ["Welcome to EPİSODE 7 of it", "Recorded on 13th December 2024 in İzmir."]
    stated = [f"So. It was {w} on 8/13/2025." for w in extract._STATED_WORDS]
    stated += [w.upper() + ": Aug 13, 2025 and more" for w in extract._STATED_WORDS]
    assert all(extract.find_date(t) for t in stated)
    texts += stated
    found = 0
    for text in texts:
        number, date = extract.find_episode_number(text), extract.find_date(text)
        assert number == _find_episode_number_reference(text)
        assert date == _find_date_reference(text)
        found += number is not None
    assert found
