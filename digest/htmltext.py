"""The opening of a page's text without stripping all of it.

Episode pages can hold 65 kB transcripts; plugins that only need the first few hundred
characters of the text (related's word lists, seo's lead check) should not strip the tags
of the whole page on every build.
"""

from __future__ import annotations

from collections.abc import Callable


def stripped_opening(html: str, chars: int, strip: Callable[[str], str]) -> str:
    """``strip(html)[:chars]``, computed from a prefix of ``html`` when that suffices.

    A prefix of the HTML cut before any ``<`` whose ``>`` it does not hold strips to a prefix
    of the whole text (every tag in it ends where it ends in the whole), provided ``strip``
    maps prefixes to prefixes (tag removal, whitespace collapsing and a final strip do): when
    that prefix is long enough it is the answer; otherwise the whole HTML is stripped."""
    window = max(chars * 8, 4096)
    if len(html) > window:
        head = html[:window]
        start = head.find("<", head.rfind(">") + 1)
        if start != -1:
            head = head[:start]
        text = strip(head)
        if len(text) >= chars:
            return text[:chars]
    return strip(html)[:chars]
