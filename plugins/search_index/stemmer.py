"""The lunr.js 2.3.9 Porter stemmer, ported line by line so build time and browser agree.

Why: lunr.py 0.8.0 ships a different Porter implementation. It turns a final ``y`` after a
vowel into ``i`` (``deploy`` → ``deploi``, ``today`` → ``todai``, ``journey`` → ``journei``)
while lunr.js keeps it, and it leaves ``try`` alone where lunr.js gives ``tri``. The index is
built in Python but queried in the browser, so every such word indexed by lunr.py was
unreachable from the search box ("rails deploy" missed deploy episodes). This module mirrors
``lunr.stemmer`` from node_modules/lunr/lunr.js regex for regex; ``tests/js`` and
``tests/unit/test_search_stemmer.py`` prove agreement over the sample vocabulary and a large
word list.

JavaScript ``RegExp.test`` searches anywhere unless anchored, so every test below is
``re.search``; ``String.replace`` with a non-global regex replaces the first match only.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lunr.token import Token

__all__ = ["js_stemmer", "stem"]

_STEP2 = {
    "ational": "ate",
    "tional": "tion",
    "enci": "ence",
    "anci": "ance",
    "izer": "ize",
    "bli": "ble",
    "alli": "al",
    "entli": "ent",
    "eli": "e",
    "ousli": "ous",
    "ization": "ize",
    "ation": "ate",
    "ator": "ate",
    "alism": "al",
    "iveness": "ive",
    "fulness": "ful",
    "ousness": "ous",
    "aliti": "al",
    "iviti": "ive",
    "biliti": "ble",
    "logi": "log",
}
_STEP3 = {
    "icate": "ic",
    "ative": "",
    "alize": "al",
    "iciti": "ic",
    "ical": "ic",
    "ful": "",
    "ness": "",
}

_c = "[^aeiou]"  # consonant
_v = "[aeiouy]"  # vowel
_C = _c + "[^aeiouy]*"  # consonant sequence
_V = _v + "[aeiou]*"  # vowel sequence

# JavaScript's "." excludes \n, \r, \u2028 and \u2029; Python's only \n. Tokens reaching the
# stemmer never hold those (the tokenizer splits on whitespace and text is normalised first),
# but the character class keeps the two engines identical even if one slips through.
_DOT = "[^\\n\\r\\u2028\\u2029]"

_re_mgr0 = re.compile("^(" + _C + ")?" + _V + _C)
_re_mgr1 = re.compile("^(" + _C + ")?" + _V + _C + _V + _C)
_re_meq1 = re.compile("^(" + _C + ")?" + _V + _C + "(" + _V + ")?$")
_re_s_v = re.compile("^(" + _C + ")?" + _v)

_re_1a = re.compile(f"^({_DOT}+?)(ss|i)es$")
_re2_1a = re.compile(f"^({_DOT}+?)([^s])s$")
_re_1b = re.compile(f"^({_DOT}+?)eed$")
_re2_1b = re.compile(f"^({_DOT}+?)(ed|ing)$")
_re_1b_2 = re.compile(f"{_DOT}$")
_re2_1b_2 = re.compile("(at|bl|iz)$")
_re3_1b_2 = re.compile("([^aeiouylsz])\\1$")
_re4_1b_2 = re.compile("^" + _C + _v + "[^aeiouwxy]$")
_re_1c = re.compile(f"^({_DOT}+?[^aeiou])y$")
_re_2 = re.compile(f"^({_DOT}+?)(" + "|".join(_STEP2) + ")$")
_re_3 = re.compile(f"^({_DOT}+?)(" + "|".join(_STEP3) + ")$")
_re_4 = re.compile(
    f"^({_DOT}+?)(al|ance|ence|er|ic|able|ible|ant|ement|ment|ent|ou|ism|ate|iti|ous|ive|ize)$"
)
_re2_4 = re.compile(f"^({_DOT}+?)(s|t)(ion)$")
_re_5 = re.compile(f"^({_DOT}+?)e$")
_re_5_1 = re.compile("ll$")
_re3_5 = re.compile("^" + _C + _v + "[^aeiouwxy]$")

# JavaScript compares in UTF-16 code units; our text is normalised to the BMP (see text.py),
# where code units and code points coincide, so len() and slicing agree with w.length/substr.


@lru_cache(maxsize=65536)
def stem(w: str) -> str:
    """Stem one lower-cased word exactly as lunr.js 2.3.9's ``porterStemmer`` does."""
    if len(w) < 3:
        return w
    firstch = w[:1]
    if firstch == "y":
        w = firstch.upper() + w[1:]

    # Step 1a
    if _re_1a.search(w):
        w = _re_1a.sub(r"\1\2", w, count=1)
    elif _re2_1a.search(w):
        w = _re2_1a.sub(r"\1\2", w, count=1)

    # Step 1b
    if fp := _re_1b.search(w):
        if _re_mgr0.search(fp.group(1)):
            w = _re_1b_2.sub("", w, count=1)
    elif fp := _re2_1b.search(w):
        stem_ = fp.group(1)
        if _re_s_v.search(stem_):
            w = stem_
            if _re2_1b_2.search(w):
                w = w + "e"
            elif _re3_1b_2.search(w):
                w = _re_1b_2.sub("", w, count=1)
            elif _re4_1b_2.search(w):
                w = w + "e"

    # Step 1c: y → i only after a consonant (cry → cri, but deploy, say and by stay).
    if fp := _re_1c.search(w):
        w = fp.group(1) + "i"

    # Step 2
    if fp := _re_2.search(w):
        stem_, suffix = fp.group(1), fp.group(2)
        if _re_mgr0.search(stem_):
            w = stem_ + _STEP2[suffix]

    # Step 3
    if fp := _re_3.search(w):
        stem_, suffix = fp.group(1), fp.group(2)
        if _re_mgr0.search(stem_):
            w = stem_ + _STEP3[suffix]

    # Step 4
    if fp := _re_4.search(w):
        stem_ = fp.group(1)
        if _re_mgr1.search(stem_):
            w = stem_
    elif fp := _re2_4.search(w):
        stem_ = fp.group(1) + fp.group(2)
        if _re_mgr1.search(stem_):
            w = stem_

    # Step 5
    if fp := _re_5.search(w):
        stem_ = fp.group(1)
        if _re_mgr1.search(stem_) or (_re_meq1.search(stem_) and not _re3_5.search(stem_)):
            w = stem_

    if _re_5_1.search(w) and _re_mgr1.search(w):
        w = _re_1b_2.sub("", w, count=1)

    if firstch == "y":
        w = firstch.lower() + w[1:]
    return w


def js_stemmer(token: Token, i: int | None = None, tokens: list[Token] | None = None) -> Token:
    """lunr.py pipeline function; serialises as ``stemmer`` so lunr.js uses its own twin."""
    return token.update(lambda s, metadata=None: stem(s))


# Not registered globally (that would replace lunr.py's stemmer for every index in the
# process); the label alone is what Pipeline.serialize() writes and lunr.js looks up.
js_stemmer.label = "stemmer"
