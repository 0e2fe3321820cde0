"""Blurb text → the facts an episode page needs: title, number, date, guests, chapters, links,
language, summary, truncation, and a readable Markdown body.

Only what the text states is extracted; when it states nothing the field stays empty (and the
front matter key absent).  Each rule quotes the real blurb that needed it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice, pairwise
from typing import Any

import ahocorasick

from digest.episode import Chapter, Link
from digest.ingest import clean

# ---------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------

_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for m in names
}
_MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"  # noqa: E501
DATE_PATTERN = (
    r"(?:(?P<m1>\d{1,2})/(?P<d1>\d{1,2})/(?P<y1>\d{4}|\d{2})"
    r"|(?P<y2>\d{4})-(?P<m2>\d{2})-(?P<d2>\d{2})"
    rf"|(?P<mon3>{_MONTH})\s+(?P<d3>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y3>\d{{4}})"
    rf"|(?P<d4>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon4>{_MONTH}),?\s+(?P<y4>\d{{4}}))"
)
_DATE = re.compile(DATE_PATTERN, re.IGNORECASE)


def parse_date(m: re.Match[str]) -> dt.date | None:
    """A calendar date from a :data:`DATE_PATTERN` match (US month/day first, as directories
    print ``8/13/2025``; day/month when the first number cannot be a month)."""
    g = m.groupdict()
    try:
        if g.get("y1"):
            a, b, y = int(g["m1"]), int(g["d1"]), int(g["y1"])
            y = y + 2000 if y < 100 else y
            month, day = (a, b) if a <= 12 else (b, a)
        elif g.get("y2"):
            y, month, day = int(g["y2"]), int(g["m2"]), int(g["d2"])
        elif g.get("y3"):
            y, day = int(g["y3"]), int(g["d3"])
            month = _MONTHS[g["mon3"].lower().rstrip(".")]
        else:
            y, day = int(g["y4"]), int(g["d4"])
            month = _MONTHS[g["mon4"].lower().rstrip(".")]
        date = dt.date(y, month, day)
    except (ValueError, KeyError, TypeError):
        return None
    return date if 1990 <= date.year <= 2100 else None


# "Note: this was recorded on 13th December 2024." — only dates the text says are the
# episode's; "Code BEAM Lite London 2025 is on January 31" is an event, not the episode.
_STATED_DATE = re.compile(
    r"\b(?:recorded|published|released|aired|posted)(?: live)?(?: on)?\s*:?\s*" + DATE_PATTERN,
    re.IGNORECASE,
)

# ---------------------------------------------------------------------------------------------
# Title, number and date glued to the front of the description
# ---------------------------------------------------------------------------------------------

# "Title 8/13/2025 Description…", "Title | Aug 13, 2025 | Description", "Title (2025-08-13) …"
_GLUED_DATE = re.compile(
    r"^(?P<title>[^\n]{3,200}?)\s*[-–—|·•(\[]?\s*" + DATE_PATTERN + r"\s*[)\]]?\s*[-–—|·•:]?\s*",
    re.IGNORECASE,
)
_LEADING_DATE = re.compile(r"^\s*[(\[]?" + DATE_PATTERN + r"[)\]]?\s*[-–—|·•:]?\s*", re.I)
_TWO_DIGITS = re.compile(r"\d\d")
# "SaaStr 732: What It's Like…", "Episode 45: …", "Ep. 12 - …", "#123 | …", "S9E12: …"
_NUMBERED = re.compile(
    r"^(?P<prefix>(?:[A-Z][\w&'.]*\s+){0,4}?)(?:#|Ep\.?\s*|Episode\s+|S\d+\s*E)?"
    r"(?P<num>\d{1,4})\s*[:|–—-]\s+(?P<rest>\S.*)$",
    re.DOTALL,
)
_NO_TITLE_END = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "from",
        "with",
        "since",
        "until",
        "before",
        "after",
        "about",
        "as",
    ]
)

# ---------------------------------------------------------------------------------------------
# Transcripts
# ---------------------------------------------------------------------------------------------

_TS = r"(?:\d{1,2}:)?\d{1,2}:\d{2}"
# "Transcript: VICTORIA: This is…", "TranscriptAlessio [00:00:00]: Hey", "Transcript[00:00:00]"
_TRANSCRIPT_MARK = re.compile(
    r"(?:Full |Episode )?(?:Transcript|TRANSCRIPT)(?:\s*:\s*|\s*(?=\[" + _TS + r"\])"
    r"|(?=[A-Z][\w'’-]+(?: [A-Z][\w'’-]+)? \[" + _TS + r"\]))"
)
# Speaker turns: "[00:45:45] Adam Wiggins:", "Ben [00:47:16]:", "STEPHANIE: Hello…"
# (No look-behind at the start: the regex engine can then skip to "[" or a capital at once,
# which halves the time spent on 65 kB transcripts.)
# (Written to start with one character class, the first character of every branch: the regex
# engine then skips at C speed to a "[" or a capital instead of trying three branches at every
# position of a 65 kB transcript.)
_TURN_FORMS = (
    # literal the form cannot match without, the form
    ("[", r"(?<=\[)" + _TS + r"\]\s*[A-ZÀ-Þ][\w.'’-]*(?: [A-ZÀ-Þ][\w.'’-]*){0,2}:"),
    ("]:", r"(?<=[A-ZÀ-Þ])[\w'’-]+(?: [A-ZÀ-Þ][\w'’-]+)? \[" + _TS + r"\]:"),
    (": ", r"(?<=[A-ZÀ-Þ])[A-ZÀ-Þ'’-]{2,}(?: [A-ZÀ-Þ][A-ZÀ-Þ'’-]+)?: "),
)
_TURN = re.compile(r"[\[A-ZÀ-Þ](?:" + "|".join(form for _, form in _TURN_FORMS) + ")")
_TURN_BY_FORMS: dict[tuple[bool, ...], re.Pattern[str] | None] = {}


def _turns(text: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match[str]]:
    """``_TURN.finditer``, with only the forms whose literal the text has: a form that cannot
    match anywhere never wins a position, and the ``Name [00:12]:`` form, which reads every
    capitalised word, is the costliest to try (most blurbs have no ``]:``).

    The regex is tried only where a turn can start (:func:`_turn_starts`), in ascending order
    and from the end of the last match on, as ``finditer`` does: stopping at each of a 45 kB
    transcript's ~1,300 capitals was ~0.5 ms."""
    # (where the two-character literals are, found once: their presence is the key)
    found = {lit: clean.positions_by_first(text, lit) for lit, _ in _TURN_FORMS if len(lit) > 1}
    key = tuple(bool(found[lit]) if lit in found else lit in text for lit, _ in _TURN_FORMS)
    if key not in _TURN_BY_FORMS:
        forms = [form for (_, form), on in zip(_TURN_FORMS, key, strict=True) if on]
        _TURN_BY_FORMS[key] = (
            re.compile(r"[\[A-ZÀ-Þ](?:" + "|".join(forms) + ")") if forms else None
        )
    rx = _TURN_BY_FORMS[key]
    if rx is None:
        return iter(())
    endpos = len(text) if endpos is None else min(endpos, len(text))
    return clean.matches_at(rx, text, _turn_starts(text, key, pos, endpos, found), endpos)


_TURN_CAPITAL = re.compile("[A-ZÀ-Þ]")
_MATCH_START = re.Match.start  # (mapped over matches: no generator frame per capital)
_TURN_CAPS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ'’-" + "".join(map(chr, range(0xC0, 0xDF))))


def _turn_starts(
    text: str,
    key: tuple[bool, ...],
    pos: int,
    endpos: int,
    found: dict[str, list[int]] | None = None,
) -> list[int]:
    """Every position in ``[pos, endpos)`` where a turn form that ``key`` enables can start
    (more is harmless: the regex decides), ascending.

    ``[00:12] Name:`` starts at its "[".  ``Name [00:12]:`` ends at a "]:" and
    ``STEPHANIE: `` at a ": " after a capital; neither has more than one space in its name,
    so each starts at a capital after the second (third, counting the one before "[") space
    before that end.  (``found``: where each of "]:" and ": " is, when known.)"""
    found = {} if found is None else found
    starts: set[int] = set()
    if key[0]:
        starts.update(clean.positions(text, "["))
    for on, literal, spaces in ((key[1], "]:", 3), (key[2], ": ", 2)):
        if not on:
            continue
        ends = found.get(literal)
        if literal == ": ":
            starts.update(
                _caps_run_starts(text, clean.positions(text, ": ") if ends is None else ends)
            )
            continue
        for end in clean.positions(text, literal) if ends is None else ends:
            lo = end
            for _ in range(spaces):
                lo = text.rfind(" ", 0, lo)
                if lo < 0:
                    break
            starts.update(map(_MATCH_START, _TURN_CAPITAL.finditer(text, max(lo, 0), end)))
    if pos <= 0 and endpos >= len(text):
        return sorted(starts)  # (every start is in the text: nothing to filter)
    return sorted(at for at in starts if pos <= at < endpos)


def _caps_run_starts(text: str, ends: list[int]) -> list[int]:
    """Where a ``STEPHANIE: `` turn ending at one of ``ends`` (where ": " is) can start:
    anywhere in the run of ``_TURN_CAPS`` characters (one space allowed) right before its
    colon, the whole of what the form matches before ": " (more is harmless).

    Why: the capitals between the second space back and each colon were found by a regex
    (a match object each): ~2 µs a turn, ~70 turns a transcript.  Those outside the run
    cannot start this form, and the other forms' starts come from their own literals."""
    starts: list[int] = []
    caps = _TURN_CAPS
    for end in ends:
        j = end
        while j > 0 and text[j - 1] in caps:
            j -= 1
        if j == end:
            continue  # ("…the thing: " — no capitals right before the colon)
        if j > 1 and text[j - 1] == " " and text[j - 2] in caps:
            j -= 1
            while j > 0 and text[j - 1] in caps:
                j -= 1
        starts.extend(range(j, end))
    return starts


_FIRST_TURNS_WINDOW = 4096


def _first_turns(text: str, n: int, endpos: int) -> list[re.Match[str]]:
    """``list(islice(_turns(text, 0, endpos), n))``, with the turn starts found only in a
    prefix of the text first.

    Why: :func:`split_transcript` needs three turns of every blurb, but :func:`_turns` finds
    every turn start of a 44 kB transcript (~300 µs) before trying the first.  The matches
    that start before ``w`` depend only on the candidate starts before ``w`` (the regex is
    still tried with the whole ``endpos``), so when ``n`` of them start there they are the
    first ``n``; else the whole text is read as before."""
    w = min(_FIRST_TURNS_WINDOW, endpos)
    if w < endpos:
        # the key (which forms are on) is read from the whole text, as _turns does
        key = tuple(lit in text for lit, _ in _TURN_FORMS)
        rx = _turn_regex(key)
        if rx is None:
            return []
        turns = list(
            islice(clean.matches_at(rx, text, _turn_starts_before(text, key, w), endpos), n)
        )
        if len(turns) >= n:
            return turns
    return list(islice(_turns(text, 0, endpos), n))


def _turn_regex(key: tuple[bool, ...]) -> re.Pattern[str] | None:
    """The turn regex with only the forms ``key`` enables (cached as :func:`_turns` does)."""
    if key not in _TURN_BY_FORMS:
        forms = [form for (_, form), on in zip(_TURN_FORMS, key, strict=True) if on]
        _TURN_BY_FORMS[key] = (
            re.compile(r"[\[A-ZÀ-Þ](?:" + "|".join(forms) + ")") if forms else None
        )
    return _TURN_BY_FORMS[key]


def _turn_starts_before(text: str, key: tuple[bool, ...], w: int) -> list[int]:
    """``_turn_starts(text, key, 0, w)``, reading only the literals up to where a start
    before ``w`` can come from: an end's starts lie after its third (second) space back,
    which never moves back as the end moves on, so the first end whose space is at or past
    ``w`` and every later one add nothing."""
    starts: set[int] = set()
    if key[0]:
        at = text.find("[", 0, w)
        while at >= 0:
            starts.add(at)
            at = text.find("[", at + 1, w)
    for on, literal, spaces in ((key[1], "]:", 3), (key[2], ": ", 2)):
        if not on:
            continue
        end = text.find(literal)
        while end >= 0:
            # (an end before w has its starts before w; past w, where they start decides)
            takes = literal != ": " or text[end - 1 : end] in _TURN_CAPS
            if takes or end >= w:
                lo = end
                for _ in range(spaces):
                    lo = text.rfind(" ", 0, lo)
                    if lo < 0:
                        break
                lo = max(lo, 0)
                if lo >= w:
                    break
                if takes:
                    starts.update(map(_MATCH_START, _TURN_CAPITAL.finditer(text, lo, min(end, w))))
            end = text.find(literal, end + 1)
    return sorted(starts)


# ---------------------------------------------------------------------------------------------
# Chapters
# ---------------------------------------------------------------------------------------------

# (not inside a longer time, but "Chapters:00:00 Julián Duque…" does start at its colon)
_STAMP = re.compile(r"(?P<open>[(\[])?(?<!\d)(?<!\d:)(?P<t>" + _TS + r")(?![\d:])(?(open)[)\]])")
_COLON_DIGITS = re.compile(r":(?<=\d:)\d\d")  # (a literal first: found at C speed)
_CHAPTER_HEAD = re.compile(
    r"(?:Chapters|Timestamps|Time ?stamps|Show Highlights|Highlights|Episode Highlights"
    r"|In this episode)\s*[:*-]?\s*$",
    re.IGNORECASE,
)
# The last chapter runs into what follows: "(27:47) Where people can learn more about Heroku
# About Adam ZimmanAdam Zimman is…" — stop at a sentence end, a dash or a heading word.
# The heading a chapter list ends up without its list: "Show Highlights", "Timestamps*",
# "Chapters:", "Highlights from this week's conversation include:".
_CHAPTER_HEADING_END = re.compile(
    r"(?:^|(?<=[\n.!?)]))\s*(?:Chapters|Timestamps|Time ?stamps|Show Notes & Timestamps"
    r"|(?:Show |Episode )?Highlights(?: from [^\n.!?:]{0,60}?)?(?: include)?"
    r"|In this episode)\s*[:*\-–—]*\s*$",
    re.IGNORECASE,
)
_LABEL_STOP = re.compile(
    r"\n\n|\. |[.!?]$| — | – | \| | -- "
    r"| (?=(?:About|Links|Sponsors?|Support|Subscribe|Follow|Resources|Mentioned|Transcript"
    r"|Show Notes)\b)"
)
_LABEL_TRIM = " \t\n*-–—•|,;:."

# ---------------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------------

_UP = "A-ZÀ-ÖØ-Þ"
_LOW = "a-zß-öø-ÿ"
_NAME_WORD = rf"[{_UP}][{_LOW}'’]+(?:[{_UP}-][{_LOW}]+)*"
_NAME = (
    rf"(?P<name>{_NAME_WORD}(?:\s+(?:[{_UP}]\.|(?:de|da|van|von|der|del|di|dos|das|le|la)"
    rf"\s+{_NAME_WORD}|{_NAME_WORD})){{1,3}})"
)
_ROLE = (
    r"(?:co-?founder|founder|CEO|CTO|CPO|COO|CMO|CISO|VP|SVP|EVP|head|director|principal|senior"
    r"|staff|lead|creator|author|maintainer|engineer|developer|partner|general manager|chief"
    r"|president|professor|advocate|architect|product manager|manager|researcher|consultant"
    r"|coach|executive|investor|entrepreneur|solopreneur|journalist|editor|one of|back)s?\b"
)
_IROLE = f"(?i:{_ROLE})"
_GUEST_TRIGGERS = [
    # "Today's guest is Adam Wiggins!", "Our guests this week are …"
    rf"\bguests?(?: today| this week| on the show)?(?: is| are| was| were|:)\s+{_NAME}",
    # "Join us as we welcome Adam McCrea", "Corey Quinn welcomes Adam Zimman back"
    rf"\b(?:welcomes?|welcoming|joined by(?: both)?|sits? down with|sat down with|chats? with"
    rf"|chatted with|speaks? with|spoke with|talks? with|talked with|talking with"
    rf"|conversation with|interview(?:s|ed)?|connects? with|catch(?:es)? up with|brought on"
    rf"|caught up with|featuring|feat\.|episode with)\s+(?:back\s+)?(?:guest\s+)?"
    rf"(?:(?:[{_UP}][\w.&-]*\s+)?(?:CEO|CTO|founder|co-founder)\s+)?{_NAME}",
    # "Pete Hamilton and Chris Evans are cofounders of…", "Paul Orlando is back to talk…"
    rf"(?:^|[.!?]\s+|\n){_NAME}(?:\s+and\s+(?P<name2>{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,2}}))?"
    rf",?\s+(?:is|are|was)\s+(?:the\s+|a\s+|an\s+|our\s+|currently\s+)?{_IROLE}",
    # "Bob Wise, CEO of Heroku, discussed", "James Brady, Head of Engineering @ Elicit",
    # "Marc G. Gauthier, a solopreneur", "According to Betty Junod, CMO and SVP at Heroku"
    rf"(?:^|[.!?]\s+|\n|According to\s+|welcome\s+){_NAME},\s+(?:the\s+|a\s+|an\s+|our\s+)?"
    rf"(?:[\w-]+\s+){{0,3}}{_IROLE}",
    # "…what happened to Jae Taylor, a tech executive who…"
    rf"{_NAME},\s+(?:a|an)\s+(?:[\w-]+\s+){{0,3}}{_IROLE}",
    # "Priya Raman joins us to explain…"
    rf"{_NAME}\s+(?:joins|joined|is joining)\s+(?:us|me|the show|the podcast)\b",
    # "Heroku CTO Gail Frederick announced"
    rf"(?:^|[.!?]\s+)(?:[{_UP}][\w.&-]*\s+)?(?:CEO|CTO|CMO|CPO|VP)\s+{_NAME}",
]
_GUEST_RE = [re.compile(p, re.MULTILINE) for p in _GUEST_TRIGGERS]
# "hosts Rémy Hannequin and Sami Birnbaum", "Host Victoria Guido connects with…",
# "I'm your host, Victoria Guido", "Corey Quinn welcomes …", "Jon Myer sits down with …"
_HOST_RE = [
    re.compile(
        rf"\b(?:[Hh]osts?|[Cc]o-?hosts?|your hosts?,?)\s+{_NAME}"
        rf"(?:,?\s+and\s+(?P<name2>{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,2}}))?"
    ),
    re.compile(
        rf"(?:^|[.!?]\s+){_NAME}\s+(?:welcomes|sits down with|sat down with|chats with"
        rf"|speaks with|talks with|interviews|connects with|is joined by)\b"
    ),
]
_NOT_NAME_WORDS = frozenset(
    [
        "The",
        "This",
        "That",
        "These",
        "Those",
        "We",
        "Our",
        "You",
        "Your",
        "In",
        "On",
        "At",
        "For",
        "From",
        "With",
        "And",
        "But",
        "Or",
        "Today",
        "Episode",
        "Podcast",
        "Show",
        "Join",
        "Learn",
        "Listen",
        "Links",
        "Also",
        "Welcome",
        "Hear",
        "Heroku",
        "Salesforce",
        "Data",
        "Cloud",
        "Platform",
        "Developer",
        "Developers",
        "Engineering",
        "Software",
        "Company",
        "Inc",
        "AI",
        "API",
        "CEO",
        "CTO",
        "Director",
        "Head",
        "Principal",
        "Senior",
        "Founder",
        "General",
        "Manager",
    ]
)

# ---------------------------------------------------------------------------------------------
# Sentences and summary
# ---------------------------------------------------------------------------------------------

# Candidate sentence ends; abbreviations and initials ("e.g.", "Dr.", "Marc G. Gauthier") are
# checked in Python: much faster than look-behinds tried at every position.
# (Written to start with one character class, the first character of both branches — as
# `[.!?…][\"”’)]?\s+(?=[\"“‘(¿¡]?[A-ZÀ-Þ0-9])|\n\n+`, which re tries at every position.)
_SENTENCE_END = re.compile(
    r"[.!?…\n](?:(?<=[.!?…])[\"”’)]?\s+(?=[\"“‘(¿¡]?[A-ZÀ-Þ0-9])|(?<=\n)\n+)"
)
_ABBREVIATIONS = frozenset(
    ["e.g", "i.e", "vs", "dr", "mr", "ms", "mrs", "st", "no", "etc", "approx"]
)
_BOILERPLATE = re.compile(
    r"^(?:editor'?s note|this friday|rsvp|sponsored by|this episode is (?:brought|sponsored)"
    r"|support the show|subscribe|follow (?:us|the)|links?:|join us|note:|welcome to"
    r"|hi,? |hello|hey|send us|support (?:us|our)|ready to start|disclaimer|watch (?:on|the)"
    r"|listen (?:to|on)|also,? join us|highlights from|topics covered|key (?:topics|takeaways)"
    r"|this week,? your hosts?|titles we almost|rsvp"
    # a show describing itself: "The Data Stack Show is a weekly podcast powered by…"
    r"|[\w&' .-]{3,60} is a (?:weekly |daily |monthly |bi-?weekly )?(?:podcast|show)\b)",
    re.IGNORECASE,
)
_LEAD_IN = re.compile(
    r"^(?:(?:in|on) (?:this|today['’]s|the latest|our|the) (?:special |bonus |latest )?"
    r"(?:episode|week's episode|edition|installment|conversation|show)"
    r"(?:(?: of| from) [^,]{1,60}?,\s*|,?\s+(?!of\b|from\b))|(?:today|this week),?\s+)",
    re.IGNORECASE,
)
SUMMARY_MAX = 300
TITLE_MAX = 80
LONG_NOTES_WORDS = 600


@dataclass
class Extracted:
    """Everything extract found in one blurb (all pure data)."""

    title: str
    title_explicit: bool
    body: str
    description: str  # the notes' opening (≤ 6,000 characters: enough to compare and attribute)
    transcript: str | None = None  # only its first and last 3,000 characters (a show's sign-off)
    ending: str = ""  # the last 3,000 characters of notes or transcript: sign-offs live there
    summary: str | None = None
    episode: int | None = None
    date: dt.date | None = None
    guests: list[str] = field(default_factory=list)
    chapters: list[Chapter] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    language: str | None = None
    truncated: bool = False
    show_name: str | None = None  # a show named by "appeared first on …" / "SaaStr 732:"
    # The body with the chapter list still in place (only when chapters were taken out of it):
    # chapter labels are words of the episode that topic tagging may want to read.
    tag_body: str | None = None
    # where ``tag_body`` departs from ``body``: it is body[:tag_cut] + (chapter list) +
    # body[tag_cut:], so a worker can send only the list (see pipeline.process_blurb)
    tag_cut: int = 0


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def _squash(text: str) -> str:
    """``" ".join(text.split())``, without splitting a transcript's turns into words when there
    is nothing to squash (every whitespace but the plain space is unprintable)."""
    if "  " not in text and clean.isprintable(text):
        return text.strip(" ")
    return " ".join(text.split())


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` (paragraph breaks end sentences too)."""
    return list(_iter_sentences(text))


def _iter_sentences(text: str) -> Iterator[str]:
    """:func:`split_sentences`, one sentence at a time (its callers mostly read two or three
    of a blurb's ten or more)."""
    start = 0
    for m in _SENTENCE_END.finditer(text):
        mark = m.group(0)
        at = m.start()
        if mark[0] == ".":
            word = text[max(0, at - 6) : at].rsplit(" ", 1)[-1]
            if word.lower() in _ABBREVIATIONS or (len(word) == 1 and word.isupper()):
                continue
        if mark[0] == "\n":
            piece = text[start:at].strip()
        else:
            piece = text[start : at + 1]
            tail = mark[1:].strip()
            if tail:
                piece += tail  # the closing quote or bracket belongs to the sentence
            piece = piece.strip()
        if piece:
            yield piece
        start = m.end()
    rest = text[start:].strip()
    if rest:
        yield rest


class _SentencesSoFar:
    """The sentences of a text, split as far as some reader has read them: each iteration
    yields them all from the first, splitting on only past what was split before."""

    def __init__(self, text: str) -> None:
        self._split = _iter_sentences(text)
        self._done: list[str] = []

    def __iter__(self) -> Iterator[str]:
        done = self._done
        i = 0
        while True:
            if i == len(done):
                sentence = next(self._split, None)
                if sentence is None:
                    return
                done.append(sentence)
            yield done[i]
            i += 1


@lru_cache(maxsize=4)
def _opening_sentences(text: str) -> _SentencesSoFar:
    """:func:`split_sentences` of a blurb's opening, kept for the next caller: the summary and
    the derived title read the same opening one after the other.  Split lazily: the summary
    stops at 300 characters, the title at its first usable sentence (split_sentences took
    ~17 µs of a 1.5 kB opening, most of it for sentences no one read)."""
    return _SentencesSoFar(text)


def cut_words(text: str, limit: int) -> str:
    """``text`` cut at a word boundary so it fits ``limit`` characters (no ellipsis added)."""
    text = _squash(text)
    if len(text) <= limit:
        return text
    cut = text[: limit + 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > 0 else text[:limit]).rstrip()


def tidy_title(title: str) -> str:
    """Strip dangling punctuation, half-open brackets and trailing little words."""
    title = _squash(title)
    for opener, closer in (("(", ")"), ("[", "]"), ("“", "”"), ('"', '"')):
        if title.count(opener) > title.count(closer) or (
            opener == closer and title.count(opener) % 2
        ):
            title = title[: title.rfind(opener)]
    while True:
        before = title
        title = title.strip().rstrip(" ,;:-–—/&|*•·(").strip()
        words = title.split()
        while len(words) > 1 and words[-1].lower().strip(",") in _NO_TITLE_END:
            words.pop()
        title = " ".join(words)
        if title == before:
            return title


def concise_title(text: str, limit: int = TITLE_MAX) -> str:
    """A title from the text's own words: the first clause that fits, ending on a whole word
    and on a phrase boundary ("…retiring a small" is cut mid-phrase: never end there)."""
    text = _squash(text)
    if len(text) <= limit:
        return tidy_title(text.rstrip("."))
    head = text[: limit + 1]
    # clause separators first (rightmost that ends well), then before a preposition or a
    # relative word, then any word boundary that does not leave a dangling phrase
    seps = sorted(
        (
            pos
            for sep in _CLAUSE_SEPS
            for pos in clean.positions(head, sep)
            if pos >= 25 and not (sep == ", " and _coordinate_comma(head, pos))
        ),
        reverse=True,
    )
    # (each list found only when the one before gave no title: most titles end at a
    # separator, and the thirty-odd words to cut before were looked for every time)
    lists = (
        lambda: seps,
        lambda: sorted(
            (
                pos
                for word in _CUT_BEFORE
                for pos in clean.positions(head, f" {word} ")
                if pos >= 40
            ),
            reverse=True,
        ),
        lambda: sorted((pos for pos in clean.positions(head, " ") if pos >= 20), reverse=True),
    )
    for candidates in lists:
        for pos in candidates():
            title = tidy_title(head[:pos])
            if len(title) < 20 or weak_end(title) or _splits_a_name(title, text[pos:]):
                continue
            return title
    return tidy_title(cut_words(text, limit))


_CLAUSE_SEPS = (
    ": ",
    "; ",
    " – ",
    " — ",
    " - ",
    ", ",
    " (",
    " which ",
    " where ",
    " who ",
    " that ",
)


def _splits_a_name(title: str, rest: str) -> bool:
    """ "…Sora and Gemini" | "1.5": a cut between a name and its version number."""
    nxt = rest.split()[:1]
    last = title.split()[-1:]
    return bool(nxt and last and nxt[0][:1].isdigit() and last[0][:1].isupper())


def _coordinate_comma(text: str, pos: int) -> bool:
    """A comma between two adjectives of one noun phrase: "a small, internally-used app"."""
    before = text[:pos].split()[-2:]
    after = text[pos + 2 :].split()[:1]
    return (
        len(before) == 2
        and before[0].lower() in _DETERMINERS
        and (
            before[1] in _ADJECTIVES
            or re.search(r"(?:al|ive|ous|ful|less|able|ible|ic|ed)$", before[1]) is not None
        )
        and bool(after)
        and after[0][:1].islower()
        and after[0].lower() not in _NO_TITLE_END | _CLAUSE_WORDS
    )


def weak_end(title: str) -> bool:
    """Whether ``title`` stops mid-phrase: on a determiner, a pronoun, an adjective waiting
    for its noun ("…of building advanced") or a number's unit ("Gemini 1.5" cut at "Gemini")."""
    words = title.split()
    if not words:
        return True
    last = words[-1].lower().strip("\"“”'‘’")
    if last in ("other", "another") and len(words) > 1 and words[-2].lower() in ("each", "one"):
        return False  # "…evolve with each other"
    if last in _NO_TITLE_END or last in _DETERMINERS or last in _CLAUSE_WORDS:
        return True
    if last in _PREPOSITIONS or (last.endswith(("'s", "’s")) and len(words) > 1):
        return True  # "…up against", "…against Google's": the object is missing
    # (a capitalised one is part of a name: "Mistral Large", "Rails World")
    return last in _ADJECTIVES and len(words) > 1 and words[-1][:1].islower()


def _sections(*names: str) -> frozenset[str]:
    return frozenset(w for n in names for w in n.split())


_DETERMINERS = _sections(
    "a an the this that these those his her their its our your my some any each every all",
    "both either neither no another such several many much more most few other own",
)
_CLAUSE_WORDS = _sections(
    "and or but nor so yet which who whom whose where when while that than if because",
    "although though whether is are was were be been being has have had do does did",
    "will would can could should may might must not very too also just really",
)
_PREPOSITIONS = _sections(
    "against across along among around between beyond into onto over through throughout",
    "toward towards under upon via within without per like versus vs up off out",
)
# Adjectives that stand before their noun in episode descriptions (a word list, not a tagger:
# a title that ends on one of them lost its noun).
_ADJECTIVES = _sections(
    "small big large huge tiny little new old young major minor advanced modern great good",
    "better best bad worse worst first last next key main top open real true full high low",
    "long short latest early late recent simple complex common popular powerful critical",
    "important internal external entire whole special unique particular specific general",
    "personal technical practical potential quick fast slow hard easy deep broad wide",
    "strong free current future past previous upcoming successful effective efficient",
    "scalable reliable secure various different same single multiple numerous certain",
    "crucial essential massive rapid robust seamless innovative exciting fascinating",
    "interactive traditional conventional classic typical basic fundamental core",
    "internally-used open-source cutting-edge state-of-the-art well-known so-called",
)


_CUT_BEFORE = [
    "for",
    "to",
    "with",
    "in",
    "at",
    "from",
    "across",
    "by",
    "on",
    "about",
    "into",
    "through",
    "during",
    "while",
    "after",
    "before",
    "as",
    "within",
    "using",
    "via",
    "including",
]


# ---------------------------------------------------------------------------------------------
# Stages
# ---------------------------------------------------------------------------------------------


def scrub_text_urls(text: str) -> str:
    """Replace every URL in ``text`` by its scrubbed form; redact stray JWTs.

    (Every JWT starts with "eyJ": a text without it has none to redact between its URLs,
    and the redaction, a regex call per piece, is skipped — ~10 µs a blurb.  It is looked for
    by its rarer "J": ~25 µs less on a 48 kB transcript.)"""
    redact = clean.redact_jwts if clean.contains_by_char(text, "eyJ", 2) else _same
    out: list[str] = []
    pos = 0
    for start, end, url in clean.find_urls(text):
        out.append(redact(text[pos:start]))
        full = url if "://" in url else "https://" + url
        scrubbed = clean.scrub_url(full)
        out.append(scrubbed if "://" in url else scrubbed.removeprefix("https://"))
        pos = end
    out.append(redact(text[pos:]))
    return "".join(out)


def _same(text: str) -> str:
    return text


def _transcript_mark(text: str) -> re.Match[str] | None:
    """``_TRANSCRIPT_MARK.search(text)``, tried only where a match can start: at a
    "Transcript"/"TRANSCRIPT", or at the "Full "/"Episode " before one.  (The regex starts
    with an optional group, so a search tries it at every position of a 65 kB transcript.)"""
    starts: set[int] = set()
    for word in ("Transcript", "TRANSCRIPT"):
        for at in clean.positions(text, word):
            starts.update(at - back for back in (0, 5, 8) if at >= back)
    for start in sorted(starts):
        m = _TRANSCRIPT_MARK.match(text, start)
        if m:
            return m
    return None


def split_transcript(text: str) -> tuple[str, str | None]:
    """Split show notes from a transcript: at a ``Transcript`` mark, else at the first of
    three or more speaker turns ("[00:45:45] Adam Wiggins:", "STEPHANIE: Hello")."""
    m = _transcript_mark(text)
    if m:
        return text[: m.start()].rstrip(), text[m.end() :].strip() or None
    turns = _first_turns(text, 3, min(len(text), 200_000))
    if len(turns) >= 3 and len(text) - turns[0].start() > 2000:
        return text[: turns[0].start()].rstrip(), text[turns[0].start() :].strip()
    return text, None


def _title_run(words: list[str]) -> int:
    """Length of the leading Title-Case run of ``words`` (small words allowed inside)."""
    n = 0
    for w in words:
        core = w.strip("\"“”'‘’(),:;!?")
        if not core:
            n += 1
            continue
        if (
            core[0].isupper()
            or core[0].isdigit()
            or core[0] in "$#@"
            or core.lower()
            in (_NO_TITLE_END | {"vs", "is", "it's", "its", "your", "our", "my", "not", "but"})
        ):
            n += 1
        else:
            break
    return n


def _title_from_numbered(rest: str) -> tuple[str, str]:
    """Split "What It's Like … with Vimeo CEO Adam Gross … Jason Lemkin Vimeo CEO and SaaS
    veteran Adam Gross…" into title and description: the description usually restates the
    guest ("Vimeo CEO"), so a bigram seen earlier in the title-case run marks its start."""
    first = split_sentences(rest[:400])[0] if rest else rest
    words = rest.split()
    run = _title_run(words[:40])
    seen: set[tuple[str, str]] = set()
    for k in range(1, run - 1):
        pair = (words[k].lower(), words[k + 1].lower())
        if k >= 3 and pair in seen and words[k][:1].isupper():
            return " ".join(words[:k]), " ".join(words[k:])
        seen.add((words[k - 1].lower(), words[k].lower()))
    # "Observability on a Budget Our guest is…": the run ends on a word that starts sentences
    if 3 <= run < len(words) and words[run - 1] in clean.SENTENCE_STARTERS:
        return " ".join(words[: run - 1]), " ".join(words[run - 1 :])
    if len(first) <= 120 and len(first) < len(rest):
        return first, rest[len(first) :].lstrip()
    if 3 <= run < len(words):
        return " ".join(words[:run]), " ".join(words[run:])
    return "", rest


# What each form of DATE_PATTERN holds: "d/dd/yy" (m/d/y), "yyyy-mm-dd", or four digits (the
# year) with a month's first three letters (matched as DATE_PATTERN's users match: ignoring
# case, so "ſep" is "sep" as it is for them).
_SLASH_OR_ISO_DATE = re.compile(r"\d/\d{1,2}/\d\d|\d{4}-\d\d-\d\d")
_FOUR_DIGITS = re.compile(r"\d{4}")
_MONTH_START = re.compile(r"(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)")


def may_hold_date(text: str) -> bool:
    """False only when no :data:`DATE_PATTERN` match lies in ``text``.

    Why: the glued-date regex tries its lazy title at every length up to 200 characters,
    each time trying the four date forms (~100 µs a blurb); two digits in a row, the check
    it had, are in a third of the blurbs ("#123", "10x"), one of these forms in 2 %.  (Each
    check is cheap where the last fails: the month names, costliest, only after a year.)"""
    if not _TWO_DIGITS.search(text):
        return False
    if _has_slash_or_iso_date(text):
        return True
    return bool(_FOUR_DIGITS.search(text)) and _has_month_start(text)


# The literal after a slash or ISO date's first digits: the regexes start with ``\d``, so re
# tries them at every position (~6 µs a 260-character head); these skip to their "/" or "-".
# (Their look-aheads take nothing more: every "/" and "-" is tried, none is skipped.)
_SLASH_DATE_TAIL = re.compile(r"/(?=\d{1,2}/\d\d)")
_ISO_DATE_TAIL = re.compile(r"-(?=\d\d-\d\d)")
_DIGIT = re.compile(r"\d")
_MONTH_STARTS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _has_slash_or_iso_date(text: str) -> bool:
    """``bool(_SLASH_OR_ISO_DATE.search(text))``: a "/" or "-" its tail follows, with the
    digits before it (one, or four) right there."""
    for m in _SLASH_DATE_TAIL.finditer(text):
        if m.start() >= 1 and _DIGIT.match(text, m.start() - 1):
            return True
    for m in _ISO_DATE_TAIL.finditer(text):
        if m.start() >= 4 and _FOUR_DIGITS.match(text, m.start() - 4):
            return True
    return False


def _has_month_start(text: str) -> bool:
    """``bool(_MONTH_START.search(text))``: a month's first three letters in the lower-cased
    text.  (The case-blind alternation is tried at every position: ~20 µs a head.  Of all
    characters only "ſ" is one of their letters to re's IGNORECASE and not to ``lower``: a
    text with it takes the regex.)"""
    if "ſ" in text:
        return bool(_MONTH_START.search(text))
    low = text.lower()
    return any(month in low for month in _MONTH_STARTS)


def glued_prefix(text: str) -> tuple[str | None, dt.date | None, int | None, str]:
    """Title, date and number glued to the front of the description (other directories'
    styles: ``Title 8/13/2025 Description…``, ``SaaStr 732: Title Description…``)."""
    head = text[:260]
    dated = may_hold_date(head)
    m = _GLUED_DATE.match(head) if dated else None
    if m:
        title = m.group("title").strip()
        words = title.split()
        date = parse_date(m)
        if (
            date
            and len(words) >= 2
            and words[0][:1].isupper()
            and words[-1].lower() not in _NO_TITLE_END
            and not re.search(r"[.!?]\s", title)
        ):
            return tidy_title(title), date, None, text[m.end() :]
    m = _LEADING_DATE.match(head) if dated else None
    if m and parse_date(m):
        return None, parse_date(m), None, text[m.end() :]
    m = _NUMBERED.match(text[:2000])
    if m and (m.group("prefix") or re.match(r"#|Ep|Episode|S\d", text)):
        title, rest = _title_from_numbered(m.group("rest") + text[2000:])
        if title:
            return tidy_title(title), None, int(m.group("num")), rest
    return None, None, None, text


_POST_TRAILER = re.compile(
    r"\s*The post (?P<title>.+?) appeared first on (?P<show>[^.\n]+?)\.?\s*$", re.DOTALL
)


def _post_trailer(notes: str) -> re.Match[str] | None:
    r"""``_POST_TRAILER.search(notes)``; the regex starts with ``\s*`` and so is tried at every
    position of a 65 kB text: a text without its words is not searched."""
    return _POST_TRAILER.search(notes) if " appeared first on " in notes else None


_EPISODE_NUMBER = re.compile(
    r"(?:^|\b(?:welcome to|this is|in|on|for)\s+)(?:episode|ep\.?)\s*#?(\d{1,4})\b",
    re.IGNORECASE,
)
# The number's own part of it, lower case: with a literal start, so searched at C speed.
_EPISODE_NUMBER_TAIL = re.compile(r"ep(?:isode|\.)?\s*#?\d")
# What re.IGNORECASE matches with "i" or "s" and str.lower() does not turn into them.
_CASE_ODD = ("ı", "İ", "ſ")


def find_episode_number(text: str) -> int | None:
    """An episode number the opening states: "Welcome to episode 257 of the Cloud Pod".

    (The case-insensitive regex starts with ``^`` or ``\b``: it is tried at every position,
    ~15 µs a blurb, when most openings have no "episode 12" or "ep. 12" at all — looked for
    first in the lower-cased opening, unless it holds a character only the regex folds.)"""
    head = text[:300]
    odd = any(c in head for c in _CASE_ODD)
    if not odd and not _EPISODE_NUMBER_TAIL.search(head.lower()):
        return None
    m = _EPISODE_NUMBER.search(head)
    return int(m.group(1)) if m else None


_STATED_WORDS = ("recorded", "published", "released", "aired", "posted")


def find_date(text: str) -> dt.date | None:
    """A date the text says is the episode's ("recorded on 13th December 2024")."""
    # The case-insensitive regex has no literal to skip ahead to; most texts have none of
    # its words.  (re.IGNORECASE also matches "ı", "İ" and "ſ" for i and s, which lower()
    # does not map: texts with those take the regex.)
    if "ı" not in text and "İ" not in text and "ſ" not in text:
        low = text.lower()
        if not any(w in low for w in _STATED_WORDS):
            return None
        if len(low) == len(text):
            # (each character lower-cased to one: the words are where they are in ``low``)
            # A match starts at one of the words: tried there only, not at every position.
            starts = sorted(at for w in _STATED_WORDS for at in clean.positions(low, w))
            m = next(clean.matches_at(_STATED_DATE, text, starts), None)
            return parse_date(m) if m else None
    m = _STATED_DATE.search(text)
    return parse_date(m) if m else None


def _clean_name(name: str) -> str | None:
    words = name.split()
    while words and words[-1] in _NOT_NAME_WORDS:
        words.pop()
    while words and (words[0] in _NOT_NAME_WORDS or words[0] in clean.SENTENCE_STARTERS):
        words.pop(0)
    if len(words) < 2 or len(words) > 4:
        return None
    return " ".join(words).rstrip("'’")


# Words without which a trigger cannot match (case as in the pattern): a str.find for them is
# much cheaper than the regex scan that would find nothing.  () = no such word: always scan.
_NEEDS: dict[re.Pattern[str], tuple[str, ...]] = {
    _GUEST_RE[0]: ("guest",),
    _GUEST_RE[1]: ("with", "welcom", "joined by", "interview", "brought on", "featuring", "feat."),
    _GUEST_RE[5]: ("join",),
    _GUEST_RE[6]: ("CEO", "CTO", "CMO", "CPO", "VP"),
    _HOST_RE[0]: ("ost",),
    _HOST_RE[1]: (
        "welcomes", "down with", "chats with", "speaks with", "talks with", "interviews",
        "connects with", "is joined by",
    ),
}  # fmt: skip
# The same for triggers that need no rare word but a rare phrase: a piece of the trigger with
# a literal start ("…, a solopreneur": ", a "), so this search skips to it at C speed, where
# the trigger itself (which starts with a name or a sentence start) is tried at every position.
_NEEDS_RE: dict[re.Pattern[str], tuple[re.Pattern[str], ...]] = {
    # (one search per verb: each then starts with a literal, where the alternation's
    # search tried every i, a and w of the text — about half the time)
    _GUEST_RE[2]: tuple(
        re.compile(rf"{verb}\s+(?:the\s+|a\s+|an\s+|our\s+|currently\s+)?{_IROLE}")
        for verb in ("is", "are", "was")
    ),
    # (only the comma and space after the name: the role after it, ~40 words tried case-blind
    # at each of three words after every comma, cost ~9 µs a blurb more than trying the
    # trigger at its sentence starts, found in find_people's literal pass anyway)
    _GUEST_RE[3]: (re.compile(r",\s"),),
    _GUEST_RE[4]: (re.compile(rf",\s+(?:a|an)\s+(?:[\w-]+\s+){{0,3}}{_IROLE}"),),
    # ("join" is in most blurbs' "Join us…"; "joins|joined|is joining" + "us|me|the show…"
    # in almost none: the trigger's scan of every position is then skipped)
    _GUEST_RE[5]: (re.compile(r"oin(?:s|ed|ing)\s+(?:us|me|the show|the podcast)\b"),),
    _HOST_RE[0]: (re.compile(rf"osts?,?\s+[{_UP}]"),),  # "host(s)(,) Name" ("most": not)
}  # fmt: skip


# Triggers led by ``\b`` (which keeps re from skipping ahead: it tries them at every position),
# or by ``(?:^|[.!?]\s+|\n…)`` (the same: ``^`` and a class start no literal): every match
# starts with one of these strings, so they are tried only where one is.  ``_LINE_START``
# stands for where ``^`` matches: the text's start and right after each newline.
_LINE_START = "^"
_SENTENCE_STARTS = (_LINE_START, ".", "!", "?")
_STARTS: dict[re.Pattern[str], tuple[str, ...]] = {
    _GUEST_RE[0]: ("guest",),
    _GUEST_RE[1]: (
        "welcom", "joined by", "sit", "sat down with", "chat", "speak", "spoke with", "talk",
        "conversation with", "interview", "connect", "catch", "brought on", "caught up with",
        "featuring", "feat.", "episode with",
    ),
    _GUEST_RE[2]: (*_SENTENCE_STARTS, "\n"),
    _GUEST_RE[3]: (*_SENTENCE_STARTS, "\n", "According to", "welcome"),
    _GUEST_RE[6]: _SENTENCE_STARTS,
    _HOST_RE[1]: _SENTENCE_STARTS,
    _HOST_RE[0]: ("Host", "host", "Cohost", "cohost", "Co-host", "co-host", "your host"),
}  # fmt: skip


def _trigger_matches(rx: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """``rx.finditer(text)``; for a trigger in ``_STARTS``, ``rx.match`` at each place one of
    its start strings is, in ascending order and from the end of the last match on (what
    ``finditer`` does: its matches are never empty)."""
    return _matches_from(rx, text, _STARTS.get(rx))


def _matches_from(
    rx: re.Pattern[str],
    text: str,
    starts: tuple[str, ...] | None,
    found_at: dict[Any, list[int]] | None = None,
) -> Iterator[re.Match[str]]:
    """:func:`_trigger_matches` with the trigger's start strings already looked up.

    ``found_at`` (one dict per text) keeps where each start string is, and the sorted union
    for each tuple of them: four triggers start at sentence starts, so the text's periods
    and newlines are looked for once instead of four times."""
    if starts is None:
        yield from rx.finditer(text)
        return
    found_at = {} if found_at is None else found_at
    ats = found_at.get(starts)
    if ats is None:
        union: set[int] = set()
        for start in starts:
            where = found_at.get(start)
            if where is None:
                if start == _LINE_START:
                    newlines = found_at.get("\n")
                    if newlines is None:
                        newlines = clean.positions(text, "\n")
                    where = [0, *(at + 1 for at in newlines)]
                else:
                    where = clean.positions(text, start)
                found_at[start] = where
            union.update(where)
        ats = found_at[starts] = sorted(union)
    yield from clean.matches_at(rx, text, ats)


# Every literal the people triggers' pre-checks and start strings look for (and the newline,
# whose places are the line starts): :func:`_literal_positions` finds them all in one pass.
_LITERALS = frozenset(
    {"\n"} | {word for table in (_NEEDS, _STARTS) for words in table.values() for word in words}
) - {_LINE_START}


def _literal_automaton(words: frozenset[str]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for word in words:
        automaton.add_word(word, word)
    automaton.make_automaton()
    return automaton


_LITERAL_SCAN = _literal_automaton(_LITERALS)


def _literal_positions(text: str) -> dict[Any, Any]:
    """Where each of :data:`_LITERALS` starts in ``text`` — ``clean.positions(text, word)``
    for every one (overlaps included, ascending; ``()`` for an absent one) — found in one
    Aho–Corasick pass.

    Why: find_people looked for its ~45 literals one ``str.find`` loop each (the pre-checks'
    words, then each trigger's start strings): ~70 µs a blurb, the pass ~25 µs.  The dict is
    the ``found_at`` of :func:`_matches_from` (whose ``^`` comes from the newlines in it),
    and :func:`_present` reads the pre-checks' words from it."""
    found: dict[Any, Any] = dict.fromkeys(_LITERALS, ())
    for end, word in _LITERAL_SCAN.iter(text):
        where = found[word]
        if where:
            where.append(end - len(word) + 1)
        else:
            found[word] = [end - len(word) + 1]
    return found


def _present(word: str, text: str, found_at: dict[Any, Any]) -> bool:
    """``word in text``, read from ``found_at`` when it holds the word's places."""
    where = found_at.get(word)
    return word in text if where is None else bool(where)


def _by_identity(table: dict[re.Pattern[str], Any]) -> dict[int, Any]:
    """``table`` keyed by ``id`` of its patterns.  Why: hashing a compiled pattern hashes its
    whole program every time (~1 µs for these triggers; nine triggers, three tables, every
    blurb).  Built per call from the live tables, so a test that empties them still gets
    the reference path."""
    return {id(rx): value for rx, value in table.items()}


def _trigger_tables() -> tuple[dict[int, Any], ...]:
    """``_NEEDS``, ``_NEEDS_RE`` and ``_STARTS`` by :func:`_by_identity` (built once per
    :func:`find_people` call for both its trigger lists)."""
    return _by_identity(_NEEDS), _by_identity(_NEEDS_RE), _by_identity(_STARTS)


def _names_matched(
    patterns,
    text: str,
    found_at: dict[Any, list[int]] | None = None,
    tables: tuple[dict[int, Any], ...] | None = None,
):
    """(position, cleaned name) for every ``name``/``name2`` group the patterns match
    (``found_at``: see :func:`_matches_from`, and :func:`_literal_positions`; ``tables``:
    :func:`_trigger_tables`)."""
    needs_of, needs_re_of, starts_of = _trigger_tables() if tables is None else tables
    found_at = {} if found_at is None else found_at
    for rx in patterns:
        key = id(rx)
        needs = needs_of.get(key)
        if needs and not any(_present(word, text, found_at) for word in needs):
            continue
        needs_re = needs_re_of.get(key)
        if needs_re is not None and not any(rx_.search(text) for rx_ in needs_re):
            continue
        groups = [g for g in ("name", "name2") if g in rx.groupindex]
        for m in _matches_from(rx, text, starts_of.get(key), found_at):
            for g in groups:
                if m.group(g):
                    n = _clean_name(m.group(g))
                    if n:
                        yield m.start(g), n


def find_people(text: str, known_hosts: tuple[str, ...] = ()) -> tuple[list[str], set[str]]:
    """Guests (not hosts) named in ``text``, in order of appearance, and the hosts found."""
    # (hosts and guests start at the same places, and every literal is found in one pass)
    found_at = _literal_positions(text)
    tables = _trigger_tables()
    hosts = {h.casefold() for h in known_hosts}
    hosts |= {n.casefold() for _, n in _names_matched(_HOST_RE, text, found_at, tables)}
    found: list[tuple[int, str]] = list(_names_matched(_GUEST_RE, text, found_at, tables))
    guests: list[str] = []
    seen: set[str] = set()
    for _, n in sorted(found):
        key = n.casefold()
        if key in hosts or key in seen:
            continue
        # "Adam Zimman" and "Adam Zimman Adam" style echoes: keep the shorter full name
        if any(key.startswith(s + " ") or s.startswith(key + " ") for s in seen):
            continue
        seen.add(key)
        guests.append(n)
    return guests[:8], hosts


def find_chapters(text: str) -> tuple[list[Chapter], tuple[int, int] | None]:
    """Chapter marks and the span of ``text`` they occupy (to render them as a list).

    Two real layouts: time first — "(02:49) Introduction (04:01) Adam's journey",
    "Chapters:00:00 Julián Duque — Heroku and Salesforce03:55 Steve…" — and label first —
    "Peter's background and journey in data (0:26)Introduction to PLG (4:18)…".
    """
    # Every stamp ends in its own "d:dd"; fewer than three of those (most notes) and the
    # stamp regex, which has no literal to skip ahead to, need not scan the text at all.
    colons = [m.start() for m in _COLON_DIGITS.finditer(text)]
    if len(colons) < 3:
        return [], None
    stamps = _stamps(text, colons)
    if len(stamps) < 3:
        return [], None
    # group into runs of non-decreasing times with short gaps between them
    runs: list[list[re.Match[str]]] = [[stamps[0]]]
    for prev, cur in pairwise(stamps):
        if _secs(cur.group("t")) >= _secs(prev.group("t")) and cur.start() - prev.end() <= 300:
            runs[-1].append(cur)
        else:
            runs.append([cur])
    run = max(runs, key=len)
    if len(run) < 3:
        return [], None
    glued_left = sum(1 for s in run if s.start() > 0 and text[s.start() - 1].isalpha())
    glued_right = sum(1 for s in run if text[s.end() : s.end() + 1].isalpha())
    label_first = glued_right > glued_left and _secs(run[0].group("t")) > 0
    chapters: list[Chapter] = []
    if label_first:
        lead = text[max(0, run[0].start() - 120) : run[0].start()]
        cut = max(lead.rfind("\n"), lead.rfind(":"), lead.rfind(". "))
        first_label = lead[cut + 1 :] if cut >= 0 else lead
        start = run[0].start() - len(first_label)
        labels = [first_label] + [text[a.end() : b.start()] for a, b in pairwise(run)]
        end = run[-1].end()
    else:
        labels = [text[a.end() : b.start()] for a, b in pairwise(run)]
        tail = text[run[-1].end() : run[-1].end() + 160]
        stop = _LABEL_STOP.search(tail, 1)
        last = tail[: stop.start() + (1 if stop and stop.group(0) in ".!?" else 0)] if stop else ""
        if not stop:
            last = cut_words(tail, 100)
        labels.append(last)
        start = run[0].start()
        end = run[-1].end() + len(last)
    for stamp, label in zip(run, labels, strict=True):
        label = _squash(label).strip(_LABEL_TRIM)
        if len(label) > 100:
            label = concise_title(label)
        if label:
            chapters.append(Chapter(time=stamp.group("t"), label=label))
    if len(chapters) < 3:
        return [], None
    return chapters, (start, end)


_STAMP_CHARS = re.compile(r"[\d:()\[\]]*")  # all a stamp is made of


def _stamps(text: str, colons: list[int]) -> list[re.Match[str]]:
    """``list(_STAMP.finditer(text))``, searched only in the runs of stamp characters (digits,
    ``:``, brackets) around each "d:dd" at ``colons`` (all of them, ascending).

    A stamp is such a run's characters only, and holds a "d:dd", so no stamp lies elsewhere;
    a run is bounded by other characters, which the regex's look-arounds treat as they treat
    the ends of a window.  (The full scan tries the regex at every position: ~0.5 ms on a
    4 kB show-notes text, where the runs take a few µs.)"""
    stamps: list[re.Match[str]] = []
    run_end = -1
    for colon in colons:
        if colon < run_end:
            continue  # in the run already searched
        start = colon
        while start and (text[start - 1] in "():[]" or text[start - 1].isdecimal()):
            start -= 1  # (str.isdecimal is the regex's \d: Unicode category Nd)
        run_end = _STAMP_CHARS.match(text, colon).end()
        stamps.extend(_STAMP.finditer(text, start, run_end))
    return stamps


def _secs(t: str) -> int:
    parts = [int(p) for p in t.split(":")]
    while len(parts) < 3:
        parts.insert(0, 0)
    return parts[0] * 3600 + parts[1] * 60 + parts[2]


_LABEL_END = frozenset("(:-–—|*•")


def _strip_label_end(before: str) -> str:
    r"""``re.sub(r"[\s(:\-–—|*•]+$", "", before)``: the trailing run of whitespace (what
    ``str.isspace`` says, as ``\s`` does) and label punctuation cut off.  (The regex, tried at
    each of the 80 positions, cost a few µs a link; the run is one or two characters.)"""
    end = len(before)
    while end and (before[end - 1] in _LABEL_END or before[end - 1].isspace()):
        end -= 1
    return before[:end]


def find_links(text: str) -> list[Link]:
    """Every distinct web link with the words that name it ("Fountain Pen Companion (url)",
    "LinkedIn: url"); the host and path when nothing names it."""
    links: list[Link] = []
    seen: set[str] = set()
    for start, _end, url in clean.find_urls(text):
        if not url.startswith(("http://", "https://")):
            url = "https://" + url
        key = url.rstrip("/")
        if key in seen:
            continue
        seen.add(key)
        before = _strip_label_end(text[max(0, start - 80) : start])
        cut = max(
            before.rfind(". "),
            before.rfind(")"),
            before.rfind("\n"),
            before.rfind(": "),
            before.rfind(" – "),
            before.rfind(" - "),
            before.rfind("•"),
            before.rfind("* "),
        )
        label = before[cut + 1 :].strip(" .:-–—*•|(") if cut >= 0 else before
        label = re.sub(r"^(?:https?://)?\S+\)?\s*", "", label) if "://" in label else label
        words = label.split()
        if len(words) > 8:
            label = " ".join(words[-8:])
        if not label or len(label) < 2:
            label = re.sub(r"^https?://(?:www\.)?", "", url).rstrip("/")
            label = label if len(label) <= 60 else label[:57].rstrip("/") + "…"
        links.append(Link(url=url, label=_squash(label)))
    return links


_LANGID = None

# The deepest state of py3langid's feature automaton (its byte n-grams are at most this long);
# tests/unit/test_extract_language.py checks it against the installed model.
LANGID_DEPTH = 6


def _windowed_visits(identifier: Any, text: bytes) -> Counter[int] | None:
    """py3langid's ``visit_counts`` (feature → count, in order of first occurrence) computed
    without its per-byte Python loop.

    Why: that loop is a chain of dependent look-ups in a 40 MB transition table, so in a
    busy worker nearly every byte is a cache miss (~0.4 ms a blurb, the costliest step of
    extraction).  The table is an Aho-Corasick automaton over n-grams of at most
    ``LANGID_DEPTH`` bytes: its state after any text is the state reached from the start
    reading only the last ``LANGID_DEPTH`` bytes.  So every position's state is found by
    ``LANGID_DEPTH`` vectorised steps, whose look-ups are independent (numpy issues them
    together).  Same counts, same order, so the library's own scoring gives the same floats
    (tests compare with ``visit_counts`` and ``classify`` on every corpus and on random text).
    """
    import numpy as np

    tables = identifier.__dict__.get("_windowed_tables")
    if tables is None:
        tables = (
            np.frombuffer(identifier.tk_nextmove, dtype=np.uint32),
            np.asarray(identifier._rowbase, dtype=np.int64),
            np.asarray(identifier.tk_output, dtype=np.int64),
        )
        identifier.__dict__["_windowed_tables"] = tables
    nextmove, rowbase, output = tables
    data = np.frombuffer(text, dtype=np.uint8)
    n = len(data)
    if not n:
        return None
    state = np.zeros(n, dtype=np.int64)
    for back in range(min(LANGID_DEPTH, n) - 1, -1, -1):
        # position i reads byte i - back (windows of the first positions start at byte 0)
        state[back:] = nextmove[rowbase[state[back:]] + data[: n - back]]
    features = output[state]
    features = features[features >= 0]
    # counted as the library counts them (a Counter keeps the order of first occurrence)
    return Counter(features.tolist()) if len(features) else None


def _language_identifier() -> Any:
    """py3langid's identifier (its model, its scoring), counting features with
    :func:`_windowed_visits`, its arrays mapped from the cache :mod:`.language` keeps."""
    import numpy as np
    from py3langid.langid import LanguageIdentifier

    from digest.ingest.language import load_model

    class _Identifier(LanguageIdentifier):
        def _raw_score(self, text: bytes) -> Any:
            visits = _windowed_visits(self, text)
            if visits:
                return self._sparse_score(visits, self.nb_ptc)
            return super()._raw_score(text)  # no feature: the library's own fallback

    # The model's weights are float16; the library's scoring (a float32 matmul) converts the
    # ~230 rows a blurb needs to float32 first, in software: ~50 µs of its ~100.  The cache
    # holds them converted (exact: every float16 is a float32), so the matmul gets the same
    # float32 rows and gives the same floats (tests compare classify with the library's).
    ptc, pc, classes, nextmove, row, output = load_model()
    identifier = _Identifier(
        ptc, pc, classes, nextmove, output.tolist(), norm_probs=True, tk_row=row.tolist()
    )
    identifier.__dict__["_windowed_tables"] = (
        nextmove,
        row.astype(np.int64) << 8,
        output.astype(np.int64),
    )
    return identifier


def _language_sample(text: str) -> str:
    """The opening without web and e-mail addresses (each sub only where its literal is: the
    e-mail regex has no literal start and is tried at every position)."""
    sample = text[:400]
    if "://" in sample or "www." in sample:
        sample = re.sub(r"(?:https?://|www\.)\S+", " ", sample)
    if "@" in sample:
        sample = re.sub(r"\S+@\S+", " ", sample)
    return sample


_WORD = re.compile(r"[^\W\d_]{2,}")


def has_words(text: str, count: int) -> bool:
    """``len(_WORD.findall(text)) >= count``, stopping at the ``count``-th word.

    Why: the language sample is 400 characters and its fourth word is usually among the
    first thirty; counting every word cost ~15 µs a blurb."""
    return count <= 0 or next(islice(_WORD.finditer(text), count - 1, None), None) is not None


def detect_language(text: str) -> str | None:
    """ISO 639-1 code from py3langid (deterministic); ``None`` when it is not sure."""
    return sample_language(_language_sample(text))


def sample_language(sample: str) -> str | None:
    """:func:`detect_language` of a text whose :func:`_language_sample` is ``sample``.

    Why apart: a worker runs it for a whole chunk of blurbs back to back (see
    :func:`extract_deferred`), while py3langid's tables are still in the CPU caches."""
    global _LANGID
    if not has_words(sample, 4):
        return None
    if _LANGID is None:
        _LANGID = _language_identifier()
    lang, prob = _LANGID.classify(sample)
    return str(lang) if prob >= 0.6 else None


def warm_up() -> None:
    """Load the language model now (before a process pool forks, so workers share it)."""
    detect_language("This sentence only loads the language identification model.")


def make_summary(text: str) -> str | None:
    """≤ 300 characters of the episode's own opening sentences, ending on a sentence.

    (The summary is one contiguous run of usable sentences: each is taken as it comes, and
    the sentences after the run's first that cannot join it are not looked at.)"""
    first = None
    out = ""
    for s in _opening_sentences(text[:1500]):
        if _BOILERPLATE.match(s) or "://" in s or len(s.split()) < 4:
            if first is not None:
                break  # keep the summary one contiguous run of the episode's own words
            continue
        if first is None:
            first = s
        s = _squash(s)
        candidate = f"{out} {s}".strip()
        if len(candidate) > SUMMARY_MAX:
            break
        out = candidate
        if not _ends_sentence(s):
            break  # a paragraph that lost its full stop: do not run on past it
    if not out and first is not None:
        out = cut_words(first, SUMMARY_MAX - 1).rstrip(",;:–—-") + "…"
    return out or None


_SENTENCE_MARKS = frozenset(".!?…")
_AFTER_MARK = frozenset('"”’)')


def _ends_sentence(s: str) -> bool:
    r"""``re.search(r"[.!?…][\"”’)]?$", s)`` for a text without trailing whitespace (``$``
    is then its end): its last character, or the one before a closing quote or bracket."""
    last = s[-1:]
    return last in _SENTENCE_MARKS or (last in _AFTER_MARK and s[-2:-1] in _SENTENCE_MARKS)


# Sentences that are about the show, its schedule or its promotions rather than the episode
# (used for titles only): "Usually Tuesdays at 11am PT.", "Listeners loved our previous Elicit
# episode…", "Online: All three Discord clubs are thriving.", "Don't miss their…".
_NOT_A_TITLE = re.compile(
    r"^(?:(?:our |many |some )?listeners\b|(?:many of )?you (?:all )?(?:loved|asked|requested)"
    r"|by (?:popular|listener) (?:demand|request)|thanks?\b|thank you|welcome back"
    r"|we(?:['’]re| are| were) (?:back|writing this|recording this)|we covered this"
    r"|as (?:promised|many of you)|seriously\b|that['’]?s (?:all|every|it)\b"
    r"|don['’]?t (?:miss|forget)|about the show|older (?:video )?(?:versions|episodes)"
    r"|usually\b|every (?:mon|tues|wednes|thurs|fri|satur|sun)day|(?:live )?every week"
    r"|new episodes? (?:every|each|on)\b|(?:online|irl|also)\s*:"
    # "It's a busy one.", "It's a big week!": says nothing about the subject
    r"|it['’]?s (?:a |an )?(?:\w+ )?(?:one|week)\s*[.!]?$)",
    re.IGNORECASE,
)
_PROMO = re.compile(
    r"\b(?:discord|patreon|newsletter|rsvp|sign up|register|tickets?|merch|promo code"
    r"|join (?:us|our)|live stream|(?:mon|tues|wednes|thurs|fri|satur|sun)days at"
    r"|\d{1,2}(?::\d\d)?\s?[ap]m\b)",
    re.IGNORECASE,
)
# "This week your hosts … are bringing you the latest news, which this week is really just
# Meta's release of Llama 3." — a host introduction that names the episode's subject.
_INTRO_SUBJECT = re.compile(
    r"\b(?:which|that|and) (?:this week|today|this time|this episode) (?:is|are|was|were)"
    r"\s+(?:(?:really|just|all|mostly|only|simply|about|all about)\s+)*(?P<s>[^.!?]{8,})"
    r"|\b(?:your hosts?|we|they)\b[^.!?]{0,80}?\b(?:(?:are |were )?(?:talking|chatting)"
    r" about|talk about|discuss|dig into|dive into|cover)\s+(?P<s2>[^.!?]{8,})",
    re.IGNORECASE,
)
# "Welcome to episode 257 of the Cloud Pod podcast – where the forecast is always cloudy!"
_WELCOME_SHOW = re.compile(
    r"^welcome to (?:episode|ep\.?) #?(?P<num>\d{1,4}) of (?P<show>(?:the )?[\w&'’. -]{3,40}?)"
    r"(?: podcast)?\s*(?:[–—,!.-]|$)",
    re.IGNORECASE,
)
# "Stephanie shares her task of retiring a small, internally-used link-shortening app." and
# "Elixir Wizards Owen and Dan delve into the complexities of…": when the sentence is too long,
# what they talk about is the title.
_REPORTED = re.compile(
    r"^(?:[A-ZÀ-Þ][\w'’.-]*,?\s+(?:and\s+)?){1,5}"
    r"(?:shares?|discuss(?:es)?|explores?|explains?|describes?|delves? into|dives? into"
    r"|digs? into|talks? about|breaks? down|unpacks?|walks? (?:us )?through)\s+"
    r"(?:(?:his|her|their|the)\s+(?:task|experience|journey|story|process|thoughts|work)"
    r"\s+(?:of|on|about|with|in)\s+)?(?P<obj>.+)$"
)
_PRONOUN_START = re.compile(
    r"^(?:\w+\s+)?(?:he|she|they|his|her|their|him|them|it|its|this|that|these|those)\b", re.I
)
# "Topics covered in this episode: Dokku Summary of Major Changes Between Python Versions How
# to check Internet Speed via Terminal? speedtest-cli Blogs: … Extras Joke Watch on YouTube"
_TOPICS_LEAD = re.compile(
    r"^(?:(?:key |main )?topics(?: covered| discussed)?(?: (?:in|on) (?:this|today['’]s)"
    r" (?:episode|show))?|in this episode|this episode covers|on the show today)\s*:\s*",
    re.IGNORECASE,
)
_TOPICS_STOP = re.compile(
    r"\b(?:Extras|Joke|Watch (?:on|the)|About the show|Sponsored by|Support|Links|Connect"
    r"|Subscribe|Follow|Chapters|Timestamps|Transcript)\b|\n\n|[.!]\s+(?=[A-Z])"
)


# "Almost 12 years ago, while working at Spotify, Erik Bernhardsson built…", "After a string
# of supply chain attacks on npm and PyPI packages, signing artifacts has gone…": a setting (a
# time, a participle or a prepositional phrase — not a clause with its own subject, which may
# carry the topic: "When Redis changed its licence in 2024, …") is no title; what follows is.
_SETTING_PHRASE = (
    r"(?:(?:almost|about|nearly|over|some|just)\s+)?(?:\w+|\d+)\s+(?:years?|months?|weeks?"
    r"|decades?)\s+ago|(?:back\s+)?in\s+\d{4}|first up|up first|first off"
    r"|(?:after|before|during|following|amid|since)\s+(?:a|an|the|years|months|decades"
    r"|\w+ing)\b[^,.;:!?]{0,60}|(?:while|when|after|before)\s+\w+ing\b[^,.;:!?]{0,60}"
)
_SETTING = re.compile(rf"^(?:(?:{_SETTING_PHRASE}),\s*){{1,2}}", re.IGNORECASE)


def _capital(s: str) -> str:
    return s[:1].upper() + s[1:]


def _intro_title(sentence: str, description: str) -> str | None:
    """The subject a host introduction names, with "Show N: " when the text welcomes to a
    numbered episode of a named show."""
    m = _INTRO_SUBJECT.search(sentence)
    if not m:
        return None
    subject = concise_title(_capital((m.group("s") or m.group("s2")).strip()))
    if len(subject) < 8 or weak_end(subject):
        return None
    w = _WELCOME_SHOW.match(_squash(description[:300]))
    if w:
        show = _capital(w.group("show").strip())
        full = f"{show} {w.group('num')}: {subject}"
        if len(full) <= TITLE_MAX:
            return full
    return subject


def _whole_in(phrase: str, text: str) -> bool:
    r"""``re.search(r"(?<![\w-])" + re.escape(phrase) + r"(?![\w-])", text)``, with
    ``str.find`` (a regex led by a look-behind is tried at every position of ``text``, up to
    20 kB, once per candidate phrase).  ``\w`` is ``str.isalnum()`` or ``_``."""
    at = text.find(phrase)
    while at >= 0:
        end = at + len(phrase)
        before = text[at - 1] if at else " "
        after = text[end] if end < len(text) else " "
        if not (before.isalnum() or before in "_-") and not (after.isalnum() or after in "_-"):
            return True
        at = text.find(phrase, at + 1)
    return False


def _topic_items(topics: str, rest: str) -> list[str]:
    """Items of a topic list: split on its separators, else (the list lost them) on the
    longest run of words that the notes repeat as an item's heading further on."""
    for sep in ("\n", " • ", " · ", " | ", "; ", ", "):
        items = [i.strip(" -–—•·*") for i in topics.split(sep)]
        items = [i for i in items if i]
        if len(items) >= 3 or (len(items) == 2 and sep != ", "):
            return items
    words = topics.split()
    items: list[str] = []
    i = 0
    while i < len(words):
        best = 0
        for j in range(i + 1, min(len(words), i + 14) + 1):
            phrase = " ".join(words[i:j])
            if _whole_in(phrase, rest):
                best = j
            elif j - i >= 2:
                break
        if not best:
            break
        items.append(" ".join(words[i:best]))
        i = best
    return items if len(items) >= 2 else []


def _topics_title(description: str) -> str | None:
    """ "Dokku, Summary of Major Changes Between Python Versions, speedtest-cli": the items of a
    topic list that opens the notes, whole, as many as fit."""
    m = _TOPICS_LEAD.match(description)
    if not m:
        return None
    body = description[m.end() : m.end() + 600]
    stop = _TOPICS_STOP.search(body)
    topics = body[: stop.start()] if stop else body
    items = _topic_items(topics.strip(), description[m.end() + len(topics) :][:20_000])
    out = ""
    for item in items:
        item = item.rstrip(" .,;:")
        for form in (item, *_short_forms(item)):
            candidate = f"{out}, {form}" if out else form
            if len(candidate) <= TITLE_MAX:
                out = candidate
                break
    out = tidy_title(out)
    return out if len(out) >= 12 and "," in out else None


def _short_forms(item: str) -> list[str]:
    """ "How to check Internet Speed via Terminal? speedtest-cli" → "speedtest-cli";
    "Blogs: We all should blog more" → "We all should blog more"."""
    for sep in ("? ", ": "):
        head, found, tail = item.partition(sep)
        if found and tail and len(head.split()) <= 12:
            return [tail.strip()]
    return []


def derive_title(description: str, chapters: list[Chapter] | None = None) -> str:
    """A concise title from the text when it has no explicit one: a topic list that opens it,
    else its first sentence about the episode (not boilerplate, not about the show or its
    schedule, or the subject a host introduction names), else its first real chapter
    ("Introduction" is no title)."""
    topics = _topics_title(description)
    if topics:
        return topics
    for s in _opening_sentences(description[:1500]):
        if _BOILERPLATE.match(s) or _NOT_A_TITLE.match(s):
            intro = _intro_title(s, description)
            if intro:
                return intro
            continue
        if len(s.split()) < 3 or "://" in s or (len(s.split()) <= 15 and _PROMO.search(s)):
            continue
        s = _LEAD_IN.sub("", _squash(s))
        main = _SETTING.sub("", s)
        if len(main.split()) >= 5:
            s = main
        s = s[:1].upper() + s[1:]
        if len(s.rstrip(".")) > TITLE_MAX:
            m = _REPORTED.match(s)
            if m and not _PRONOUN_START.match(m.group("obj")):
                title = concise_title(_capital(m.group("obj")))
                if len(title) >= 25:
                    return title
        title = concise_title(s)
        if len(title) >= 12:
            return title
    for c in chapters or ():
        if not re.match(r"(?i)(?:intro(?:duction)?s?|welcome|opening|start)\b", c.label):
            return concise_title(c.label)
    return concise_title(description) or "Untitled episode"


_CLOSED_ENDS = frozenset('.!?"”’)]/')


def is_truncated(raw_text: str, text: str, excerpt_cut: bool) -> bool:
    """Whether the directory cut the text off (mark, dangling end, or the ~65,500 limit)."""
    if excerpt_cut or clean.has_cut_mark(raw_text):
        return True
    end = text.rstrip()
    if end.endswith(("…", "...", ":", ",", ";", " -", "–", "—", " and", " the")):
        return True
    # ``re.search(r"[.!?\"”’)\]/]$", end)`` is its last character's test (``end`` ends in
    # no newline, where ``$`` also matches): the regex was tried at every position of a
    # 65 kB transcript (~120 µs).
    return len(raw_text) >= 60_000 and end[-1:] not in _CLOSED_ENDS


# ---------------------------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"[\\`*\[\]<>~_&]")
_ENTITY_AHEAD = re.compile(r"#?\w+;")
_MD_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+[.)](?=\s))")


_MD_ALWAYS = "\\`*[]<>~"  # escaped wherever they are (the backslash first: it is inserted)
_MD_IN_CONTEXT = re.compile(r"[_&]")


def md_escape(text: str) -> str:
    """Escape what markdown-it would read as markup in plain prose.

    Characters escaped everywhere go through ``str.replace`` (a transcript's hundreds of
    "[00:12:34]" brackets would each cost a Python call in ``re.sub``); ``_`` and ``&``, which
    depend on their neighbours, then through a callback.  An inserted backslash never changes
    those decisions: it replaces a neighbour that was already neither alphanumeric nor part of
    an entity name.
    """
    if _MD_SPECIAL.search(text):
        for c in _MD_ALWAYS:
            if c in text:
                text = text.replace(c, "\\" + c)
        if "_" in text or "&" in text:

            def esc(m: re.Match[str]) -> str:
                c, i = m.group(0), m.start()
                if c == "_":  # intraword underscores (ex_doc, add_note) are not emphasis
                    inner = (
                        0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum()
                    )
                    return c if inner else "\\_"
                return "\\&" if _ENTITY_AHEAD.match(text, i + 1) else c

            text = _MD_IN_CONTEXT.sub(esc, text)
    if not _may_start_markup(text):  # (most paragraphs: a call of re.sub saved)
        return text
    return _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


_MD_LINE_FIRST = frozenset("#>+-=")


def _may_start_markup(text: str) -> bool:
    """False only when ``_MD_LINE_START`` cannot match ``text``: its first non-space character
    (``str.lstrip`` strips what ``\\s`` matches) is none of ``#>+-=`` and no digit."""
    first = text.lstrip()[:1]
    return bool(first) and (first in _MD_LINE_FIRST or first.isdigit())


def md_inline(text: str) -> str:
    """Prose with URLs → Markdown: bare URLs become autolinks, ``url (url)`` collapses."""
    out: list[str] = []
    pos = 0
    last_url = None
    for start, end, url in clean.find_urls(text):
        between = text[pos:start]
        href = url if url.startswith(("http://", "https://")) else "https://" + url
        if last_url == href and between.strip() == "(" and text[end : end + 1] == ")":
            pos = end + 1  # "https://x (https://x)" after scrubbing: one link is enough
            continue
        if out and out[-1].startswith("<") and between[:1].isalpha():
            out.append("\\\n")  # "…/adamzimman/>Personal site:": a label glued to a link
        out.append(md_escape(between))
        out.append(f"<{href}>")
        pos = end
        last_url = href
    out.append(md_escape(text[pos:]))
    return "".join(out)


def _break_before_links(text: str) -> str:
    r"""``re.sub(r"(?<=[.!?])\s+(?=https?://)", "\n\n", text)``, found from the links.

    Why: the regex starts with a look-behind, so ``sub`` tries it at every position (~20 µs
    a blurb with links).  Its matches are exactly the whitespace runs that end at an
    ``http://`` or ``https://`` and start right after a ``.``, ``!`` or ``?`` (in the middle
    of a run the look-behind sees whitespace; ``\s`` is what ``str.isspace`` says)."""
    links = sorted({*clean.positions(text, "http://"), *clean.positions(text, "https://")})
    out: list[str] = []
    done = 0
    for at in links:
        start = at
        while start > done and text[start - 1].isspace():
            start -= 1
        if start < at and text[start - 1 : start] in (".", "!", "?"):
            out += (text[done:start], "\n\n")
            done = at
    if not out:
        return text
    out.append(text[done:])
    return "".join(out)


def render_paragraphs(text: str) -> list[str]:
    # A link right after a sentence starts a new item of a link list ("…versions.
    # https://x.com/… – Phoenix Analytics 0.3.0 released…").
    if "http" in text:
        text = _break_before_links(text)
    # Without a newline there is one paragraph; without a URL's literal (see clean.find_urls)
    # md_inline is md_escape.  (A transcript is rendered turn by turn: ~70 calls.)
    pieces = re.split(r"\n\s*\n", text) if "\n" in text else [text]
    inline = md_inline if clean.may_have_urls(text) else md_escape
    return [inline(_squash(p)) for p in pieces if p.strip()]


def render_transcript(text: str, tidy: bool = False) -> list[str]:
    """One paragraph per speaker turn.

    A turn is a piece of the transcript: when the whole has no URL literal (no "://" nor
    "www.", which every match of :func:`clean.find_urls` holds), no double space and nothing
    unprintable but newlines, a turn without a newline has none of them either, and
    :func:`render_paragraphs` of such a (stripped) turn is its :func:`md_escape` — the whole
    is checked once instead of each of ~70 turns five times.  ("HTTP", a common word, used to
    send a transcript in four turn by turn, and ``unglue_speakers``' newlines one in ten: a
    turn with a newline still goes through :func:`render_paragraphs`; the tests keep the
    turn-by-turn path.)  ``tidy``: the caller knows the text has no double space and nothing
    unprintable but newlines (a transcript cut from a tidy :func:`_normalise` text, with
    ``unglue_speakers``' newlines put in)."""
    starts = [m.start() for m in _turns(text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    starts.append(len(text))
    plain = (
        (tidy or "  " not in text)
        and not clean.contains_by_char(text, "://", 1)  # (by its "/": rare in speech)
        and "www." not in text
        and (tidy or clean.isprintable(text.replace("\n", "") if "\n" in text else text))
    )
    paras: list[str] = []
    for a, b in pairwise(starts):
        chunk = text[a:b].strip()
        if chunk:
            if plain and "\n" not in chunk:
                paras.append(md_escape(chunk))
            else:
                paras.extend(render_paragraphs(chunk))
    return paras


# ---------------------------------------------------------------------------------------------
# The whole blurb
# ---------------------------------------------------------------------------------------------


_GLUED_SPEAKER = re.compile(r"([.!?])(?=[A-Z][A-Za-z'’-]{1,20}(?: [A-Z][A-Za-z'’-]{1,20})?:\s)")
_NAME_END = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'’-")
_COLON_SPACE = re.compile(r":\s")  # (a literal start: found at C speed)
_GLUED_SPEAKER_SPAN = 44  # from the "." to the ":": 1 + 21 + 1 + 21 characters at most


def unglue_speakers(text: str) -> str:
    r"""``_GLUED_SPEAKER.sub(r"\1\n\n", text)``, with the regex tried only before a colon
    that can end a speaker's name.

    Why: the regex starts with a class, so ``sub`` tries it at every position of a 44 kB
    transcript (~200 µs).  Every match is a ``.!?`` followed by a name whose ":" and space
    lie at most 44 characters further on, with a letter (or ``'’-``) right before the ":";
    each such colon's window is searched with the end of the string just after the space
    (a look-ahead that succeeds there succeeds in the whole text too).  A match takes one
    character, so the matches are exactly the positions where the regex matches."""
    found: set[int] = set()
    for colon in _COLON_SPACE.finditer(text):
        at = colon.start()
        if text[at - 1 : at] in _NAME_END:
            lo = max(0, at - _GLUED_SPEAKER_SPAN)
            found.update(m.start() for m in _GLUED_SPEAKER.finditer(text, lo, at + 2))
    if not found:
        return text
    out: list[str] = []
    done = 0
    for at in sorted(found):
        out += (text[done : at + 1], "\n\n")
        done = at + 1
    out.append(text[done:])
    return "".join(out)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"  +")  # (a literal start: found at C speed)


def normalise_text(raw: str) -> str:
    """HTML → text, mojibake repaired, URLs scrubbed, spaces tidied (no paragraph guessing)."""
    return _normalise(raw)[0]


def _normalise(raw: str) -> tuple[str, bool]:
    """:func:`normalise_text`, and True when its own checks showed the text tidy: printable
    (so no newline) and without a double space.

    Why: :func:`render_transcript` needs both facts about a 45 kB transcript (~130 µs to
    find out again).  Once a check says printable, the text has no newline, and the double
    spaces are squashed right after; what comes later keeps both: the mailto removal eats
    the whitespace before what it removes (``\\s*``) and adds nothing, and scrubbing puts a
    URL's own printable characters (without whitespace, never none) or "[token removed]"
    where a URL or token was (tests compare with the checks made again)."""
    text = clean.strip_html(raw)
    text = clean.fix_mojibake(text)
    # A printable text has none of the characters replaced here (no-break space, zero-width
    # space, carriage return, controls, tab), so one scan of it spares the next four.
    tidy = clean.isprintable(text)  # (C loops; the regex is slower even when nothing matches)
    if not tidy:
        text = text.replace("\u00a0", " ").replace("\u200b", "").replace("\r", "")
        tidy = clean.isprintable(text)
        if not tidy:
            text = _CONTROL.sub(" ", text).replace("\t", " ")
    if clean.has_double_space(text):
        text = _SPACES.sub(" ", text)
    if "\n" in text:
        text = re.sub(r"\n{3,}", "\n\n", re.sub(r" *\n *", "\n", text))
    if clean.contains_by_char(text, "(mailto:", 0):
        # "email at show@thinkingelixir.com (mailto:show@thinkingelixir.com)": address twice
        # (every match holds "(mailto:", looked for by its "(", rare in a transcript: ~8 µs
        # where str.find of "mailto:" took ~25)
        text = re.sub(r"\s*\(mailto:[^)\s]+\)", "", text)
    return scrub_text_urls(text).strip(), tidy


def extract(raw: str, known_hosts: tuple[str, ...] = (), cut: bool = False) -> Extracted:
    """Turn one raw blurb line into :class:`Extracted` (pure)."""
    ex, sample = extract_deferred(raw, known_hosts, cut)
    ex.language = sample_language(sample)
    return ex


def extract_deferred(
    raw: str, known_hosts: tuple[str, ...] = (), cut: bool = False
) -> tuple[Extracted, str]:
    """:func:`extract` without the language: its ``language`` is left ``None`` and the text
    to pass to :func:`sample_language` comes with it.

    Why: py3langid's tables (a 40 MB automaton, 57 MB of weights) are evicted from the CPU
    caches by the rest of an extraction, so detecting between two extractions costs ~2.5x
    what it costs run back to back; :func:`digest.ingest.pipeline.process_blurbs` extracts a
    chunk's blurbs first, then detects their languages in one go."""
    text, tidy = _normalise(raw)
    notes, transcript = split_transcript(text)

    # "The post Vibe Coding at Heroku with Vish Abrams appeared first on Software Engineering
    # Daily." — an RSS excerpt: explicit title, named show, and the excerpt was cut short.
    title: str | None = None
    show_name = None
    excerpt_cut = False
    m = _post_trailer(notes)
    if m:
        title, show_name = _squash(m.group("title")), _squash(m.group("show"))
        notes = notes[: m.start()].rstrip()
        excerpt_cut = not re.search(r"[.!?\"”’)]$", notes)
    glued_title, date, number, notes = glued_prefix(notes)
    explicit = bool(title or glued_title)
    title = title or glued_title

    notes = clean.restore_breaks(notes)
    chapters, span = find_chapters(notes)
    before = notes[: span[0]] if span else notes
    lead = before if len(before) > 200 or not span else before + "\n\n" + notes[span[1] :]
    number = number or find_episode_number(notes)
    date = date or find_date(notes) or (find_date(transcript[:3000]) if transcript else None)
    guests, hosts = find_people(notes[:3000], known_hosts)
    if title:
        # "Vibe Coding at Heroku with Vish Abrams": the guest named in an explicit title
        tm = re.search(rf"\bwith\s+(?:[\w.&-]+\s+(?:CEO|CTO|[Ff]ounder)\s+)?{_NAME}", title)
        name = _clean_name(tm.group("name")) if tm else None
        if name and name.casefold() not in hosts and name not in guests:
            guests.insert(0, name)
    summary = make_summary(lead)
    if not title:
        # "Highlights from this week's conversation include: (chapters) The Data Stack Show
        # is a weekly podcast…": what follows a chapter list is the show's blurb, not this
        # episode's, so a chapter names the episode better.
        title = derive_title(before if span and len(before) < 200 else lead, chapters)
    if len(title) > TITLE_MAX:
        title = concise_title(title)
    sample = _language_sample(lead if len(lead) > 300 else notes)
    links = find_links(notes)
    truncated = cut or is_truncated(raw, transcript or text, excerpt_cut)

    # --- body ---
    paras: list[str] = []
    chapter_list, chapter_at = "", 0
    if span:
        # The chapters go to the front matter (the theme shows them as a table): the list
        # and its heading are not repeated in the notes; the text around them stays.
        paras += render_paragraphs(_CHAPTER_HEADING_END.sub("", notes[: span[0]]))
        chapter_at = len(paras)
        paras += render_paragraphs(notes[span[1] :])
        chapter_list = "\n".join(f"- {c.time} {md_escape(c.label)}" for c in chapters)
    else:
        paras += render_paragraphs(notes)
    if transcript and summary and len(notes.split()) > LONG_NOTES_WORDS:
        paras = [md_escape(summary), "## Show notes", *paras]
        chapter_at += 2
    if transcript:
        paras.append("## Transcript")
        # Speaker turns give a transcript its paragraphs; the glue rules are kept for the
        # notes (a 65 kB transcript would cost more time than they save there).
        # "…build for the data space.Erik: But it is…": a speaker glued to the last sentence
        paras += render_transcript(unglue_speakers(transcript), tidy)
    if truncated:
        paras.append("*The source text was cut off here.*")
    body = "\n\n".join(p for p in paras if p) + "\n"
    tag_body, tag_cut = None, 0
    if chapter_list:
        with_list = [*paras[:chapter_at], chapter_list, *paras[chapter_at:]]
        tag_body = "\n\n".join(p for p in with_list if p) + "\n"
        before = "\n\n".join(p for p in paras[:chapter_at] if p)
        tag_cut = len(before) + 2 if before and any(paras[chapter_at:]) else len(before)
    return Extracted(
        title=title,
        title_explicit=explicit,
        body=body,
        description=notes[:6000],
        transcript=(transcript[:3000] + "\n…\n" + transcript[-3000:]) if transcript else None,
        ending=(transcript or notes)[-3000:],
        summary=summary,
        episode=number,
        date=date,
        guests=guests,
        chapters=chapters,
        links=links,
        truncated=truncated,
        show_name=show_name,
        tag_body=tag_body,
        tag_cut=tag_cut,
    ), sample
