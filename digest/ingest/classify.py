"""Raw line → cruft | show header | blurb.

Directory listings interleave the blurbs with their own UI ("POPULARITY", "Categories") and with
show cards ("The Twenty Minute VC: Venture Capital | Startup Funding | The Pitch").  Cruft is
dropped with a reason; a show line attributes the blurb after it and is never published.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from digest.shows import Show, ShowRegistry


class LineKind(Enum):
    CRUFT = "cruft"
    SHOW_HEADER = "show header"
    BLURB = "blurb"


@dataclass(frozen=True)
class Classified:
    kind: LineKind
    reason: str = ""
    show: Show | None = None  # for a show header naming a show in shows.yml


# Labels of directory pages seen in dumps ("POPULARITY", "Categories") and their usual siblings.
UI_LABELS = frozenset(
    {
        "popularity", "categories", "category", "episodes", "episode", "load more",
        "show more", "see more", "see all", "more", "subscribe", "share", "play", "pause",
        "follow", "following", "rating", "ratings", "reviews", "trending", "latest", "newest",
        "oldest", "sort by", "sort", "filter", "filters", "search", "home", "next",
        "previous", "back", "top", "podcasts", "shows", "about", "listen", "listen now",
        "all", "recent", "featured", "explore", "charts", "sign in", "log in", "login",
        "sign up", "menu", "description", "details", "duration", "released", "tags",
        "related", "recommended", "relevance", "most popular", "best match",
    }
)  # fmt: skip

# Words that make a short line look like the name of a show rather than a stray label:
# "The NoDegree Podcast – …", "The Twenty Minute VC: Venture Capital | …".
_SHOWISH = re.compile(
    r"\b(?:podcast|show|radio|talks?|cast|fm|hour|weekly|daily|vc|tv|pod|chats?|live"
    r"|conversations|interviews|sessions|stories)\b|\s[|–—]\s",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[.!?…]['\"”’)]?$|[.!?]\s+[A-Z]")
_URL = re.compile(r"https?://|www\.", re.IGNORECASE)
_HEAD = 1000


def long_blurb(text: str) -> bool:
    """A line longer than ``_HEAD`` whose squashed opening has over 200 characters and five
    words, and does not start like a list item: a blurb, whatever else it holds.

    A printable opening without double spaces is squashed by stripping its ends (its only
    whitespace is " "), and has five words when it has four spaces: the main process
    classifies every line of a dump, and splitting 1,000 characters into words was most of it.
    """
    if len(text) <= _HEAD:
        return False
    head = text[:_HEAD]
    if "  " not in head and head.isprintable():
        line = head.strip(" ")
        words5 = line.count(" ") >= 4
    else:
        line = " ".join(head.split())
        words5 = len(line.split(None, 4)) > 4
    return len(line) > 200 and line[0] not in ":·•|-" and words5


def classify(text: str, shows: ShowRegistry) -> Classified:
    """Decide what one raw line is (pure; ``shows`` names the known shows)."""
    # Only a line's opening decides: every rule below looks at lines of up to 200 characters
    # (and at ≥ 4 words), so a 65 kB transcript is not squashed whole.
    if long_blurb(text):
        return Classified(LineKind.BLURB)
    line = " ".join(text.split())
    if not line:
        return Classified(LineKind.CRUFT, "blank line")
    if len(line) <= 200:
        show = shows.lookup(line)
        if show is not None:
            return Classified(LineKind.SHOW_HEADER, f"show line for {show.name}", show)
    folded = line.casefold().strip(" :·•|-")
    if folded in UI_LABELS:
        return Classified(LineKind.CRUFT, "directory UI label")
    words = line.split()
    short = len(line) <= 150 and len(words) <= 20
    if short and not _SENTENCE.search(line) and not _URL.search(line):
        if _SHOWISH.search(line) and line[:1].isupper():
            return Classified(
                LineKind.SHOW_HEADER, "show line not in content/shows.yml (add it to attribute)"
            )
        if len(words) <= 5:
            return Classified(LineKind.CRUFT, "too short to be a blurb")
    if len(words) < 4:
        return Classified(LineKind.CRUFT, "too short to be a blurb")
    return Classified(LineKind.BLURB)
