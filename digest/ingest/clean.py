"""Text → text repairs: HTML leftovers, mojibake, run-together sentences, URL scrubbing.

Every function here is pure and conservative: when a rule is unsure it leaves the text alone.
The real input behind each rule is quoted next to it.
"""

from __future__ import annotations

import html
import re
import string
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from urllib.parse import SplitResult, unquote_plus, urlsplit, urlunsplit

import ftfy
import numpy as np
from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning

# ---------------------------------------------------------------------------------------------
# HTML leftovers
# ---------------------------------------------------------------------------------------------

# Other directories leave tags and entities in the text: "<img src=… />", "[&#8230;]", "<p>".
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_BLOCK_TAGS = ("p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr")


def strip_html(text: str) -> str:
    """Turn HTML leftovers into plain text; links keep their target as ``label (url)``.

    Only text that really contains tags goes through BeautifulSoup: ``a < b`` or
    ``docker-compose`` must come out untouched, and parsing 65 kB transcripts costs time.
    """
    if "<" in text and _TAG.search(text):  # (a str scan finds no "<" much faster)
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
            soup = BeautifulSoup(text, "html.parser")
        for bad in soup(["script", "style", "img", "iframe", "audio", "video", "source", "svg"]):
            bad.decompose()
        for a in soup.find_all("a"):
            href = (a.get("href") or "").strip()
            label = a.get_text(" ", strip=True)
            if href.startswith(("http://", "https://")) and href not in label:
                a.replace_with(f"{label} ({href})" if label else href)
            else:
                a.replace_with(label)
        for tag in soup.find_all(_BLOCK_TAGS):
            tag.insert_before("\n\n")
            tag.insert_after("\n\n")
        text = soup.get_text()
    elif "&" in text and _ENTITY.search(text):
        text = html.unescape(text)
    # "[&#8230;]" / "[…]" / "[...]" is a feed's "read more" cut mark: not words of the episode.
    # (Only a text with "…]" or "...]" has one: :data:`_CUT_MARK_END` finds them by their "]"
    # in C, ~15 µs on a 48 kB transcript with a timestamp "[00:12:34]" a turn, where "..."
    # and "…" found first, then "]" by "]" in Python, took ~35.)
    if "]" in text and _CUT_MARK_END.search(text):
        text = _drop_cut_marks(text)
    return text


# "…]" or "...]": the regex starts with a literal, so the engine skips ahead to each "]" at C
# speed and looks behind it there.
_CUT_MARK_END = re.compile(r"\](?:(?<=…\])|(?<=\.\.\.\]))")


_CUT_MARKS = ("[…]", "[...]")


def _drop_cut_marks(text: str) -> str:
    r"""``re.sub(r"\s*\[(?:…|\.\.\.)\]\s*$", "…", text)``, then the same mark anywhere
    else → " …": the marks found with ``str.find`` and the spaces before them walked back
    over (``str.isspace`` is the regex's ``\s``), since a regex led by ``\s*`` is tried at
    every position of a 65 kB transcript."""
    end = text.rstrip()
    for mark in _CUT_MARKS:
        if end.endswith(mark):
            start = len(end) - len(mark)
            while start and text[start - 1].isspace():
                start -= 1
            text = text[:start] + "…"
            break
    marks = sorted((at, len(mark)) for mark in _CUT_MARKS for at in positions(text, mark))
    if not marks:
        return text
    out: list[str] = []
    done = 0
    for at, size in marks:
        start = at
        while start > done and text[start - 1].isspace():
            start -= 1
        out += (text[done:start], " …")
        done = at + size
    out.append(text[done:])
    return "".join(out)


# Every ASCII character that str.isprintable calls printable (taken from it: the same set).
_ASCII_PRINTABLE = bytes(i for i in range(128) if chr(i).isprintable())


def isprintable(text: str) -> bool:
    """``text.isprintable()``, for a long text with its ASCII characters checked as bytes.

    Why: ``str.isprintable`` looks every character up in the Unicode tables (~2.2 ns a
    character: 130 µs for a 59 kB transcript, which is checked whole and turn by turn).
    Its UTF-8 with every printable ASCII byte deleted (a copy and a table walk: ~2x faster)
    holds a byte below 0x80 only for an ASCII character that is not printable; what else is
    left is the UTF-8 of the other characters, a few hundred, checked as before."""
    if len(text) < 256:
        return text.isprintable()
    last, data = _LAST_UTF8
    if text is not last:
        data = text.encode("utf-8", "surrogatepass")
    rest = data.translate(None, _ASCII_PRINTABLE)
    if not rest:
        return True
    if min(rest) < 0x80:
        return False
    return rest.decode("utf-8", "surrogatepass").isprintable()


_DOUBLE_SPACE_BY_UNITS = 8192  # (shorter: ``in`` is quicker than numpy's set-up)


def has_double_space(text: str) -> bool:
    """``"  " in text``, for a long text read as UTF-16 code units by numpy.

    Why: ``str.find`` of a string of two equal, common characters skips one character at a
    time (~1.7 ns a character: ~85 µs for a 48 kB transcript, every transcript blurb); the
    code units, a copy at C speed, compared at once take ~20 µs.  A unit is 0x20 only for a
    space (a character outside the BMP is two surrogate units, never 0x20), so two adjacent
    0x20 units are two adjacent spaces."""
    if len(text) < _DOUBLE_SPACE_BY_UNITS:
        return "  " in text
    spaces = np.frombuffer(text.encode("utf-16-le", "surrogatepass"), np.uint16) == 0x20
    return bool((spaces[1:] & spaces[:-1]).any())


_BY_CHAR_MISSES = 64  # places of the character without ``sub`` before the plain search


def _starts_by_char(text: str, sub: str, k: int) -> Iterator[int]:
    """Every index where ``sub`` starts in ``text``, in order, found by the places of ``sub``'s
    ``k``-th character (a rare one).

    Why: ``str.find`` of a string of a few characters walks a 48 kB transcript (two bytes a
    character) at ~0.8 ns a character, of one character several times faster: "eyJ" by its
    "J" in ~15 µs instead of ~39 µs.  ``sub`` starts at ``at - k`` exactly when ``at`` is one
    of those places and ``sub`` is there.  (A text full of the character is searched the plain
    way after :data:`_BY_CHAR_MISSES` places without.)"""
    c, misses = sub[k], _BY_CHAR_MISSES
    at = text.find(c, k)
    while at >= 0:
        if text.startswith(sub, at - k):
            yield at - k
        else:
            misses -= 1
            if misses < 0:  # (every start up to at - k was tried)
                at = text.find(sub, at - k + 1)
                while at >= 0:
                    yield at
                    at = text.find(sub, at + 1)
                return
        at = text.find(c, at + 1)


def contains_by_char(text: str, sub: str, k: int) -> bool:
    """``sub in text``, found as :func:`_starts_by_char` finds it (the first start is enough)."""
    return next(_starts_by_char(text, sub, k), None) is not None


def positions(text: str, sub: str) -> list[int]:
    """Every index where ``sub`` starts in ``text``, overlaps included (str.find, no regex:
    the fast paths use it to try a pattern only where its literal is)."""
    found, at = [], text.find(sub)
    while at >= 0:
        found.append(at)
        at = text.find(sub, at + 1)
    return found


def positions_by_first(text: str, sub: str) -> list[int]:
    """:func:`positions`, found by ``sub``'s first character and checked with ``startswith``.

    Why: ``str.find`` of a two-character string walks a transcript (non-Latin-1: two bytes a
    character) at ~2 ns a character, of one character several times faster; where the first
    character is rare (":" or "]" of ": " and "]:" — a few hundred in 44 kB) this found
    every ": " in ~40 µs instead of ~100 µs."""
    found, first = [], sub[:1]
    at = text.find(first)
    while at >= 0:
        if text.startswith(sub, at):
            found.append(at)
        at = text.find(first, at + 1)
    return found


def matches_at(
    rx: re.Pattern[str], text: str, starts: Iterable[int], endpos: int | None = None
) -> Iterator[re.Match[str]]:
    """``rx.finditer(text, 0, endpos)`` when every match can only start at one of ``starts``
    (ascending; more is harmless): the regex is tried there only, each time from the end of
    the last match on, as ``finditer`` does.  Why: the fast paths try a pattern only where
    its literal is instead of at every position of a 65 kB transcript."""
    endpos = len(text) if endpos is None else endpos
    end = 0
    for at in starts:
        if at >= end:
            m = rx.match(text, at, endpos)
            if m:
                end = m.end()
                yield m


def has_cut_mark(text: str) -> bool:
    """True when the raw text carries a feed's "read more" mark (it was cut off).

    (Every mark holds a "[": most blurbs have none, and a one-character find of it is
    quicker than the regex's own search — ~1 µs a blurb.)"""
    return "[" in text and _CUT_MARK.search(text) is not None


_CUT_MARK = re.compile(r"\[(?:…|\.\.\.|&#8230;|&hellip;)\]")


# ---------------------------------------------------------------------------------------------
# Mojibake
# ---------------------------------------------------------------------------------------------

# UTF-8 read as a single-byte code page leaves a lead character (Ã, Â, â, ā, Ä, Å, Ð…) followed
# by a character from the 0x80–0xBF range of that code page (€, ™, ©, œ…): "todayā€™s", "Ã©".
_MOJIBAKE_HINT = re.compile(
    "[\u00c2-\u00f4\u0100-\u017f\u0400-\u045f]"
    "[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    normalization="NFC",
    explain=False,
)


def fix_mojibake(text: str) -> str:
    """Repair mis-decoded UTF-8 with ftfy, but only when a mojibake pair is present.

    ftfy keeps correct text ("José Valim", "Saša Jurić", Portuguese) as it is; the pre-check
    only saves time on the 65 kB transcripts that have nothing to fix.
    """
    if not might_be_mojibake(text) or not _MOJIBAKE_HINT.search(text):
        return text
    return ftfy.fix_text(text, _FTFY_CONFIG)


# In UTF-8, the characters that can start a mojibake pair (U+00C2–U+00F4, U+0100–U+017F,
# U+0400–U+045F) are two bytes led by C3, C4, C5, D0 or D1; the characters that can end one
# start with C2 (U+0080–U+00BF), C5 (Œ œ Š š Ÿ Ž ž), C6 (ƒ), CB (ˆ ˜) or E2 (– — ‘ … € ™).
_MOJIBAKE_LEADS = (0xC3, 0xC4, 0xC5, 0xD0, 0xD1)
_MOJIBAKE_SECONDS = frozenset((0xC2, 0xC5, 0xC6, 0xCB, 0xE2))
_MOJIBAKE_LOOKS = 200  # lead characters looked at before leaving it to the regex


# The last text :func:`might_be_mojibake` encoded, and its UTF-8 (no lone surrogate in it:
# the same bytes as with "surrogatepass").  Why: ingest checks a text for mojibake and then,
# the very same object, for printable characters (:func:`isprintable`): one encoding of a
# 48 kB transcript (~50 µs) serves both.  Looked up by identity: the reference kept here
# holds the object, so no other text can be it.
_LAST_UTF8: tuple[str | None, bytes] = (None, b"")


def _utf8(text: str) -> bytes:
    """``text.encode("utf-8")``, kept as :data:`_LAST_UTF8`."""
    global _LAST_UTF8
    data = text.encode("utf-8")
    _LAST_UTF8 = (text, data)
    return data


def might_be_mojibake(text: str) -> bool:
    """False only when ``text`` holds no :data:`_MOJIBAKE_HINT` pair (True: maybe; the regex
    decides).

    Why: the hint regex starts with a character class, so it is tried at every position
    (~160 µs on a 44 kB transcript).  An ASCII text is told at once; otherwise each lead
    character (an "é" in a guest's name) is found by ``bytes.find`` in the UTF-8 and the
    byte after it looked at, up to :data:`_MOJIBAKE_LOOKS` of them (a Cyrillic text has
    thousands: the regex is as quick there)."""
    if text.isascii():
        return False
    try:
        data = _utf8(text)
    except UnicodeEncodeError:  # (a lone surrogate: let the regex decide)
        return True
    looks = 0
    for lead in _MOJIBAKE_LEADS:
        at = data.find(lead)
        while at >= 0:
            looks += 1
            nxt = at + 2  # (the lead character is two bytes long)
            if looks > _MOJIBAKE_LOOKS or (nxt < len(data) and data[nxt] in _MOJIBAKE_SECONDS):
                return True
            at = data.find(lead, at + 2)
    return False


# ---------------------------------------------------------------------------------------------
# Run-together sentences
# ---------------------------------------------------------------------------------------------

# Words that begin a sentence or a heading; seen glued to the previous word when the directory
# dropped <p>/<li>: "HerokuWhere to find Gearset", "DreamforceHow Gearset integrates",
# "GenAI EraThe Data Stack Journey", "MattermostJoin our community", "showReady to start".
SENTENCE_STARTERS = frozenset(
    [
        "A",
        "About",
        "Additionally",
        "After",
        "Also",
        "An",
        "And",
        "Are",
        "As",
        "At",
        "Be",
        "Before",
        "Being",
        "But",
        "By",
        "Can",
        "Chapters",
        "Check",
        "Connect",
        "Did",
        "Do",
        "Does",
        "Download",
        "Each",
        "Email",
        "Episode",
        "Ever",
        "Every",
        "Find",
        "Follow",
        "For",
        "From",
        "Get",
        "Give",
        "Guest",
        "Have",
        "He",
        "Hear",
        "Her",
        "Here",
        "His",
        "How",
        "However",
        "I",
        "If",
        "In",
        "Inside",
        "Is",
        "It",
        "Its",
        "Join",
        "Just",
        "Key",
        "Learn",
        "Let",
        "Links",
        "Listen",
        "Mentioned",
        "More",
        "Most",
        "My",
        "New",
        "Next",
        "No",
        "Note",
        "Now",
        "Of",
        "On",
        "Once",
        "Our",
        "Plus",
        "Please",
        "Read",
        "Ready",
        "Resources",
        "Send",
        "She",
        "Show",
        "Since",
        "So",
        "Special",
        "Sponsor",
        "Sponsored",
        "Subscribe",
        "Support",
        "That",
        "The",
        "Their",
        "Then",
        "There",
        "These",
        "They",
        "This",
        "Those",
        "Thank",
        "Thanks",
        "Timestamps",
        "To",
        "Today",
        "Topics",
        "Transcript",
        "Try",
        "Visit",
        "Want",
        "Watch",
        "We",
        "What",
        "When",
        "Where",
        "Whether",
        "Which",
        "While",
        "Who",
        "Why",
        "Will",
        "With",
        "You",
        "Your",
    ]
)

# Headings that lose their line break: "LinksHeroku's website", "ChaptersIntro".
HEADINGS = frozenset(
    ["Links", "Chapters", "Timestamps", "Resources", "Sponsors", "Transcript", "Highlights"]
)

# Compound names that look like two glued words but are one name.  A name that occurs twice in
# the same blurb is recognised without being listed ("JudoScale" appears four times).
COMPOUND_WORDS = frozenset(
    [
        "ActiveRecord",
        "ActiveJob",
        "ActionCable",
        "ActionMailer",
        "AppSignal",
        "BigQuery",
        "BitBucket",
        "BlackBerry",
        "BuildKite",
        "CircleCI",
        "ClickHouse",
        "CloudFlare",
        "CloudFormation",
        "CockroachDB",
        "CodePen",
        "CoffeeScript",
        "DaShaun",
        "DataDog",
        "DevOps",
        "DevRel",
        "DevX",
        "DigitalOcean",
        "DockerHub",
        "DynamoDB",
        "ElasticSearch",
        "FastAPI",
        "FireBase",
        "FreeBSD",
        "GitHub",
        "GitLab",
        "GraphQL",
        "HashiCorp",
        "HubSpot",
        "JavaScript",
        "JetBrains",
        "KubeCon",
        "LaunchDarkly",
        "LinkedIn",
        "LiveView",
        "MailChimp",
        "McKinsey",
        "MacBook",
        "MongoDB",
        "MuleSoft",
        "NetSuite",
        "NextJS",
        "OpenAI",
        "OpenShift",
        "OpenTelemetry",
        "PagerDuty",
        "PayPal",
        "PlanetScale",
        "PlayStation",
        "PostHog",
        "PostgreSQL",
        "PowerShell",
        "PyCharm",
        "RubyGems",
        "RubyMine",
        "SaaStr",
        "SalesForce",
        "SendGrid",
        "ServiceNow",
        "SoundCloud",
        "StackOverflow",
        "SwiftUI",
        "TailwindUI",
        "TypeScript",
        "WebAssembly",
        "WebSocket",
        "WordPress",
        "WorkOS",
        "YouTube",
        "camelCase",
        "localStorage",
        "sessionStorage",
    ]
)

_URL_OR_GLUE = re.compile(
    r"(?P<url>(?:https?://|www\.)\S+)"
    # "incident cultureLawrence's article", "EngineersJames Brady, Head of Engineering"
    r"|\b(?P<left>[A-Za-z]*[a-z]{2})(?P<right>[A-Z][a-z]+)\b"
    r"(?P<after>(?: [A-Z][a-z]+)?(?:[,:]| is\b| was\b| has\b)?)"
    # "…in 2024.Show Highlights", "“scaling perfectly.”The benefit", "We discuss:How they
    # think" — but never "re:Invent" (a colon needs a word of four letters before it)
    # (the character is matched before the look-behind: most positions then fail at once)
    r"|(?P<punct>[.!?](?<=[a-z]{2}.)[\"”’]?)(?=[A-Z][a-z])"
    r"|(?P<colon>:(?<=[a-z]{4}:))(?=[A-Z][a-z])"
    # "(ex Spring, Square, Trigger.io, IBM)Adam Wiggins" — never "(0:26)Introduction"
    r"|(?P<paren>\)(?<=[A-Za-z]{2}\)))(?=[A-Z][a-z])"
)
_CAMEL = re.compile(r"\b[A-Za-z]*[a-z]{2}[A-Z][a-z]+\b")


# Where a glue rule could apply at all: a capitalised word right after a lowercase letter or
# ".", "!", "?", ":", ")" (a closing quote between).  (Starts with one character class of
# rare characters, so the engine skips ahead at C speed; _URL_OR_GLUE cannot: it tries five
# branches at every position of the text.)  Group 1, looked ahead (a next hint may lie in
# it), runs to the end of the hint's word and of the two words after it: the hint's window
# ends where group 1 does (what ``_tokens_end`` found with three ``str.find`` a hint).
_GLUE_HINT = re.compile(
    # (the one look-behind first turns away most capitals, those after a space, ~10% sooner)
    r"[A-Z](?<=[a-z.!?:)\"”’][A-Z])(?:(?<=[a-z.!?:)][A-Z])|(?<=[.!?][\"”’][A-Z]))"
    r"(?=([a-z][^ \n]*(?:[ \n][^ \n]*){0,2}))"
)


def _glue_windows(text: str) -> list[tuple[int, int]]:
    """The windows of :func:`restore_breaks`: each hint's word and the two words after it,
    merged where they touch (start ≤ the end of the window before)."""
    windows: list[tuple[int, int]] = []
    start = end = -1
    lines = "\n" in text
    for m in _GLUE_HINT.finditer(text):
        pos = m.start()
        if pos < end:  # the word is in the window already: it grows (ends only grow)
            end = m.end(1)
            continue
        # the hint word's start: just after the last space/newline before it; only looked
        # for back to the window before (none there: the two touch and are merged)
        low = max(end, 0)
        sep = text.rfind(" ", low, pos)
        if lines:
            sep = max(sep, text.rfind("\n", max(sep, low), pos))
        if sep < 0 and end >= 0:
            end = m.end(1)  # touches the window before
            continue
        if end >= 0:
            windows.append((start, end))
        start, end = sep + 1, m.end(1)
    if end >= 0:
        windows.append((start, end))
    return windows


def restore_breaks(text: str) -> str:
    """:func:`restore_breaks_everywhere`, with the glue regex run only around the words where
    one of its rules can apply (same result; see the tests).

    A rule's match lies inside one space/newline-separated word, except that a glued name may
    take the next two words (``ZimmanAdam Zimman is``); URLs hold no spaces.  So each word
    with a hint, plus the two words after it, is a window; windows that touch are merged, and
    outside them the regex would find nothing to change.  A window starts and ends next to
    whitespace, where the regex's look-arounds see the same as at the ends of a string (the
    regex runs on ``text`` between the window's ends: no copy of it).

    Every change a rule makes is an insertion ("\\n\\n" or " "), so only those are written
    out; and a camel-case word is counted in the text (:func:`_is_repeated`) only when it
    would be split, not each one of them for each text.
    """
    windows = _glue_windows(text)
    if not windows:
        return text
    out: list[str] = []
    done = 0
    repeated: dict[str, bool] = {}
    finditer = _URL_OR_GLUE.finditer
    for start, end in windows:
        for m in finditer(text, start, end):
            kind = m.lastindex
            if kind == 1:  # a URL: left as it is
                continue
            if kind == 4:  # a glued word
                left, right, after = m.group(2, 3, 4)
                word = left + right
                if word in COMPOUND_WORDS or not _splits(left, right, after):
                    continue
                if word not in repeated:
                    repeated[word] = _is_repeated(text, word)
                if repeated[word]:
                    continue
                at, insert = m.start(3), "\n\n"
            else:  # 5: ".", "!", "?" (and a quote); 6: ":"; 7: ")"
                at, insert = m.end(), "\n\n" if kind == 5 else " "
            out.append(text[done:at])
            out.append(insert)
            done = at
    if not out:
        return text
    out.append(text[done:])
    return "".join(out)


def _is_repeated(text: str, word: str) -> bool:
    """Whether ``_CAMEL.findall(text)`` holds ``word`` more than once (a name, then); only
    searched for when ``word`` is in ``text`` twice at all."""
    if text.count(word) < 2:
        return False
    return sum(1 for found in _CAMEL.findall(text) if found == word) > 1


def restore_breaks_everywhere(text: str) -> str:
    """Put back the paragraph breaks a directory lost (``EngineersJames`` → two paragraphs).

    Conservative: a glued word is split only when the left part is a lowercase word of four
    letters or more, the right part is a word that starts sentences, the right part is a
    person being introduced (``ZimmanAdam Zimman is``), or the word is doubled
    (``HoneybadgerHoneybadger``) — and never for a listed or repeated compound name, so
    ``McKinsey``, ``JavaScript`` and ``JudoScale`` stay whole.
    """
    return _URL_OR_GLUE.sub(_glue_repl(_CAMEL.findall(text)), text)


def _glue_repl(camel_words: Iterable[str]) -> Callable[[re.Match[str]], str]:
    """The replacement function of :func:`restore_breaks_everywhere` for a text with these
    camel-case words (a word seen twice is a name, not two glued words)."""
    counts = Counter(camel_words)

    def repl(m: re.Match[str]) -> str:
        if m.group("url"):
            return m.group(0)
        if m.group("punct"):
            return m.group("punct") + "\n\n"
        if m.group("colon"):
            return ": "
        if m.group("paren"):
            return ") "
        left, right, after = m.group("left"), m.group("right"), m.group("after")
        word = left + right
        if word in COMPOUND_WORDS or counts[word] > 1:
            return m.group(0)
        return f"{left}\n\n{right}{after}" if _splits(left, right, after) else m.group(0)

    return repl


def _splits(left: str, right: str, after: str) -> bool:
    """Whether a glued word (not a listed or repeated name) is split: see
    :func:`restore_breaks_everywhere`."""
    return (
        (left.islower() and len(left) >= 4)
        or right in SENTENCE_STARTERS
        or left == right
        or left in HEADINGS
        or (
            len(left) >= 5
            and left[0].isupper()
            and after.startswith(" ")
            and after.endswith((",", ":", " is", " was", " has"))
        )
    )


# ---------------------------------------------------------------------------------------------
# URLs
# ---------------------------------------------------------------------------------------------

TRACKING_PARAMS = frozenset(
    [
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "igshid",
        "igsh",
        "li_fat_id",
        "mkt_tok",
        "_hsenc",
        "_hsmi",
        "__hstc",
        "__hssc",
        "__hsfp",
        "hsctatracking",
        "_ga",
        "_gl",
        "ref_src",
        "ref_url",
        "s_cid",
        "cmpid",
        "trk",
        "trkcampaign",
        "sc_cid",
        "vero_id",
        "vero_conv",
        "oly_anon_id",
        "oly_enc_id",
        "ved",
        "si",
        "wickedid",
        "rb_clickid",
        "spm",
        "isfreemail",
        "triedredirect",
    ]
)
TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "hsa_", "_bta_", "oly_", "vero_", "matomo_")
SECRET_PARAMS = frozenset(
    [
        "access_token",
        "token",
        "id_token",
        "refresh_token",
        "auth",
        "auth_token",
        "authorization",
        "key",
        "api_key",
        "apikey",
        "api-key",
        "signature",
        "sig",
        "password",
        "passwd",
        "pwd",
        "secret",
        "client_secret",
        "session",
        "sessionid",
        "jwt",
        "x-amz-signature",
        "x-amz-credential",
        "x-amz-security-token",
        "x-goog-signature",
        "x-goog-credential",
        "awsaccesskeyid",
    ]
)
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")


def _drop_param(part: str) -> bool:
    key, _, value = part.partition("=")
    key = unquote_plus(key).strip().lower()
    if key in TRACKING_PARAMS or key in SECRET_PARAMS or key.startswith(TRACKING_PREFIXES):
        return True
    return bool(JWT.search(unquote_plus(value)))


def _clean_query(query: str) -> str:
    # "…/events?tag=workshop?utm_source=thinkingelixir&utm_medium=shownotes": a second "?"
    # glued by a show-notes tool is a separator too.
    parts = [p for p in re.split(r"[&?]", query) if p]
    return "&".join(p for p in parts if not _drop_param(p))


def scrub_url(url: str) -> str:
    """Remove tracking and secret-looking parameters (and any JWT-shaped value) from a URL.

    ``utm_*``, ``fbclid``, ``gclid``, ``mc_*``… tell the publisher who clicked; ``access_token``,
    ``sig``, ``key`` and JWTs (the sample has a stratechery.com ``access_token=eyJ…``) are
    somebody's credentials.  Everything else, including parameter order, is kept.

    A plain web address — lower-case scheme, a host, printable, no query, fragment, "@" or JWT —
    has nothing to remove and comes back as it is without being split and joined (what
    split-and-join gives for it; tests compare), as most of a blurb's addresses are.
    """
    host_at = 8 if url.startswith("https://") else 7 if url.startswith("http://") else 0
    if (
        host_at
        and url[host_at : host_at + 1] not in ("", "/")  # a host (no "https:///path")
        and "?" not in url
        and "#" not in url
        and "@" not in url
        and "eyJ" not in url
        and url.isprintable()
    ):
        return url
    return _scrub_url_parts(url)


def _scrub_url_parts(url: str) -> str:
    """:func:`scrub_url` for any address: split, cleaned part by part, joined."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return JWT.sub("", url)
    netloc = parts.netloc
    if "@" in netloc:  # https://user:password@host/ — drop the credentials
        netloc = netloc.rsplit("@", 1)[1]
    path = "/".join(seg for seg in parts.path.split("/") if not JWT.search(seg) or not seg)
    if JWT.search(parts.path) and not path.startswith("/") and parts.path.startswith("/"):
        path = "/" + path
    query = _clean_query(parts.query) if parts.query else ""
    fragment = parts.fragment
    if fragment and ("=" in fragment or JWT.search(fragment)):
        fragment = _clean_query(fragment)
    cleaned = urlunsplit(SplitResult(parts.scheme, netloc, path, query, fragment))
    if url.endswith("?") and not query:
        cleaned = cleaned.rstrip("?")
    return cleaned


# A URL runs to whitespace or a closing bracket/quote.  Trailing punctuation belongs to the
# sentence, and a ")" belongs to the URL only when it opened one inside it (Wikipedia links).
# (Written to start with the character class [hHw]: the regex engine then skips to candidate
# characters at C speed instead of trying both branches at every position of a 65 kB text.)
_URL = re.compile(
    r"[hHw](?:(?<=[hH])[tT][tT][pP][sS]?://|(?<=w)(?<![\w.@/]w)ww\.)[^\s<>\"'`’”\[\]{}|\\^]+"
)
# "https://bsky.app/profile/azimman.bsky.socialAdam's Mastodon:", "gearsetFacebook:": a label
# glued to the end of the previous link.
_GLUED_TAIL = re.compile(r"(?<=[a-z0-9/])(?:[A-Z][a-z]+){1,2}$")
_GLUED_FOLLOWER = re.compile(r"(?:['’]s\b| [a-z]+:|:)")


def trim_url(url: str, following: str) -> str:
    """Cut sentence punctuation, unbalanced ``)`` and a glued label off a matched URL."""
    url = _trim_end(url)
    if following[:1] in ("'", "’", ":") or (following[:1] == " " and ":" in following[:12]):
        url = _trim_glued(url, following)
    return url


def _trim_end(url: str) -> str:
    """:func:`trim_url`'s first step: sentence punctuation and unbalanced ``)`` off the end."""
    while url:
        if url[-1] in ".,;:!?*…" or (url[-1] == ")" and url.count(")") > url.count("(")):
            url = url[:-1]
        else:
            break
    return url


def _trim_glued(url: str, following: str) -> str:
    """:func:`trim_url`'s second step, when ``following`` may be a glued label's tail.

    (The anchored follower first: it mostly fails.  The tail, a look-behind then words up
    to the end, is looked for from the start of the URL's last run of letters on only: its
    ``search`` is tried at every position, ~4 µs on a URL of 60 characters.)"""
    if "?" in url or "#" in url or not _GLUED_FOLLOWER.match(following):
        return url
    m = _GLUED_TAIL.search(url, len(url.rstrip(_ASCII_LETTERS)))
    if m and len(url) - len(m.group(0)) > 10:
        url = url[: -len(m.group(0))]
    return url


_ASCII_LETTERS = string.ascii_letters


def _url_matches(text: str) -> Iterator[re.Match[str]]:
    """``_URL.finditer(text)``, trying the regex only where a match can start
    (:func:`_url_starts`).  (The regex can only skip ahead to an h or a w, the commonest of
    letters: ~0.3 ms on a 65 kB transcript that names one URL.)  Tried in ascending order and
    from the end of the last match on, as ``finditer`` does."""
    return matches_at(_URL, text, _url_starts(text))


def _url_starts(text: str) -> list[int]:
    """Ascending, every index where a :data:`_URL` match can start: 5 characters before a
    "://" after an "s" or "S" ("https"), 4 before any other ("http"), or a "www.".  (The
    scheme's last letter tells which one of the two: half the regex calls.)"""
    starts = []
    # (a long text is searched by the "/" of "://", rare in prose; a short one, where the
    # addresses' own slashes are most of them, by "://" itself)
    if len(text) > _URL_BY_CHAR_MIN:
        seps: Iterable[int] = _starts_by_char(text, "://", 1)
    else:
        seps = positions(text, "://")
    for at in seps:
        if at >= 4:
            if text[at - 1] in "sS":
                if at >= 5:
                    starts.append(at - 5)
            else:
                starts.append(at - 4)
    www = positions(text, "www.")
    if www:
        starts = sorted(starts + www)
    return starts


_URL_BY_CHAR_MIN = 4096


def may_have_urls(text: str) -> bool:
    """False only when :func:`find_urls` finds nothing in ``text`` nor in any piece of it, even
    with its whitespace squashed (none of the literals every match holds is there: a "://",
    whatever the case of the scheme before it — "Http://" too, whose query may hold a token
    to scrub — or a "www.")."""
    return "://" in text or "www." in text


def find_urls(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, url)`` of every web address in ``text``, trimmed as :func:`trim_url`.

    A short text's answer is kept for the next few calls (:func:`_find_urls_kept`): a blurb
    whose notes are its whole text and one paragraph is searched three times over — scrubbed,
    for its links, rendered — one time in five with the very same text."""
    if len(text) > _URLS_KEPT_MAX:
        return _find_urls(text)
    return list(_find_urls_kept(text))


def find_urls_reference(text: str) -> list[tuple[int, int, str]]:
    """:func:`find_urls` as first written — the URL regex over the whole text, :func:`trim_url`
    on each match — kept for the tests that compare the fast search with it."""
    found = []
    for m in _URL.finditer(text):
        url = trim_url(m.group(0), text[m.end() : m.end() + 16])
        found.append((m.start(), m.start() + len(url), url))
    return found


_URLS_KEPT_MAX = 4096  # (a longer text would be hashed whole each time: ~1 us a kB)


@lru_cache(maxsize=4)
def _find_urls_kept(text: str) -> tuple[tuple[int, int, str], ...]:
    return tuple(_find_urls(text))


def _find_urls(text: str) -> list[tuple[int, int, str]]:
    """:func:`find_urls`, found.

    (The places where a match can start are looked for first, and most texts have none:
    every match holds one of :func:`may_have_urls`' literals, so it need not be asked.)"""
    found: list[tuple[int, int, str]] = []
    match = _URL.match
    done = 0
    for at in _url_starts(text):  # (matches_at, inline: ~8 URLs a blurb that has any)
        if at < done:
            continue
        m = match(text, at)
        if m is None:
            continue
        done = m.end()
        url = m.group()
        # trim_url, in two steps run only when they may change something (~1 µs less a URL:
        # most end with the ")" of "label (url)", and most have no "(")
        if url[-1] in _TRIMMED:
            url = url.rstrip(_TRIMMED_OR_PAREN) if "(" not in url else _trim_end(url)
        nxt = text[done : done + 1]
        if nxt in _GLUE_NEXT or (nxt == " " and ":" in text[done : done + 12]):
            url = _trim_glued(url, text[done : done + 16])
        # trim_url only removes from the end, so the url is a prefix of the match
        found.append((at, at + len(url), url))
    return found


_TRIMMED = frozenset(".,;:!?*…)")  # the last characters trim_url may cut
# (without a "(" in the URL every ")" at its end is unbalanced: cut like the punctuation)
_TRIMMED_OR_PAREN = ".,;:!?*…)"
_GLUE_NEXT = frozenset(("'", "’", ":"))  # what trim_url looks for after a URL (and " …:")


def redact_jwts(text: str) -> str:
    """A JWT outside any URL is still a credential: replace it with a marker."""
    return JWT.sub("[token removed]", text)
