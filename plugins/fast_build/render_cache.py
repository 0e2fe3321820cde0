"""Skip rendering a page whose inputs are unchanged since the last build (issue 9, rebuilds).

A page's bytes are a function of its template (and every template it extends, includes or
imports), the Jinja environment (filters and globals: plugin code and settings), and the values
of the context variables the templates name. So the cache key of a page is a hash of

* a **global fingerprint**: Pelican, Jinja and MarkupSafe versions, every file under the theme
  and the plugin paths, and the settings (stably encoded); any change there re-renders all;
* the template name and the output name;
* for every variable name the template closure *loads* (``jinja2.nodes.Name``, a superset of
  what it reads from the context), a fingerprint of that value in the page's local context.

Values are encoded canonically (no ``id()``, sorted dicts and sets). Articles, pages, tags and
categories are *entities*: an entity's own fingerprint covers its instance attributes and its
``url``/``save_as``, and names the entities it refers to (related episodes, neighbours, tags,
category) by reference. An article whose text has intrasite links (``{filename}`` …) is
uncacheable: its rendered content depends on other pages' URLs. Tags and categories are
fingerprinted by ``name``/``slug``/``url`` and the attributes the template closure reads
(``Getattr`` names and string constants): Python helpers called from templates (plugins/seo)
read only those of them. The key adds the referenced entities'
fingerprints down to two hops (``DEPTH``) — far enough for ``article.related_episodes[0]
.category.name``. A template that reaches three hops away from a page variable is not tracked:
none in this theme does. A paginator's full ``object_list`` is only fingerprinted when some
template reads ``<name>_paginator.object_list``; its counts and URLs always are. A value of any
other type makes the page uncacheable: it is rendered as usual.

A page is skipped only if its key equals the one recorded at the last build **and** the output
file still has the size and modification time recorded then; otherwise it is rendered (and
written only if its bytes differ).

An article's attributes that still hold the immutable objects (str, int, …) they held when the
article was constructed (``content_object_init``) are digested apart, and that digest is kept
for the next build with the source file's stamp in Pelican's reader cache: the next build reuses
it when the stamp and the set of such attributes are the same (the global fingerprint guards
the rest). Containers plugins mutate in place (``metadata``, tag lists) and values they replace
are digested every build (tests/build/test_rebuild_stable.py). tests/build/test_fast_build.py
checks that a rebuild after edits is byte-identical to a clean build.
"""

from __future__ import annotations

import copyreg
import dataclasses
import datetime as dt
import hashlib
import io
import logging
import operator
import os
import pickle
import re
import sys
from importlib import metadata
from pathlib import Path

from jinja2 import nodes

from digest.cachefile import load_cache, save_cache

log = logging.getLogger(__name__)

FORMAT = 5
_INTRASITE = re.compile(r"[{|](?:filename|static|attach|tag|category|author|index)[}|]")
# Reference switches for tests (tests/build/test_rebuild_keys.py): off, every page variable is
# encoded afresh; the keys must not change.
MEMO_PAGE_VARS = True
_SHARED_CONTAINERS = (list, tuple, dict)
DEPTH = 2
FILE_NAME = "fast_build_render.pickle"
_WRAPPER_PROPS = frozenset({"name", "slug", "slug_from_name", "url", "save_as"})
# Instance attributes that are not page inputs: the global context and settings (the global
# fingerprint covers settings; context values a template names are fingerprinted by name),
# and fast_build's own URL memo.
_SKIP_ATTRS = frozenset({"_context", "settings", "_fast_build_urls"})


class Uncacheable(Exception):
    """A value the encoder does not know how to fingerprint soundly."""


# -- articles' digests kept between builds ---------------------------------------------------
# Reference switch for tests (tests/build/test_rebuild_stable.py): off, every article's stable
# part is digested afresh; the keys must not change.
REUSE_STABLE = True
# Values that cannot change in place: an attribute still holding the very object it held when
# the article was constructed still has the value it had then.
_IMMUTABLE = frozenset({str, int, float, bool, type(None), bytes})
# Set in the constructor from more than the file: the status depends on the clock when
# WITH_FUTURE_DATES is off (a future article is a draft until its date).
_VOLATILE = frozenset({"_status", "status"})
# id(article) -> (article, its attributes as constructed); id(article) -> (article, the stamp of
# its source file in Pelican's reader cache). Filled per build (``content_object_init``, the
# generators' ``*_finalized``); the articles are kept alive, so the ids stay unique.
_SNAPSHOTS: dict[int, tuple[object, dict]] = {}
_STAMPS: dict[int, tuple[object, object]] = {}
_TRUSTED = {"snapshots": False}


def snapshot_content(instance) -> None:
    """``content_object_init``: note every attribute of an article or page as constructed.

    Why: an article's attributes are a function of its source file (Pelican's reader cache
    stamp), the settings, the plugins' code and the taxonomy and shows files (the global
    fingerprint) — until plugins change them (topics mutates ``metadata['tags']`` in place;
    related adds episodes). An attribute that still holds its constructed immutable object is
    provably unchanged, and its digest from the last build can be reused. Only trusted when
    this is the signal's one receiver: another receiver running before it could set values
    that depend on more than the file."""
    if len(getattr(_content_object_init(), "receivers", ())) != 1:
        _TRUSTED["snapshots"] = False
        return
    _SNAPSHOTS[id(instance)] = (instance, dict(vars(instance)))


def _content_object_init():
    from pelican import signals

    return signals.content_object_init


def note_stamps(generator) -> None:
    """``article_generator_finalized``/``page_generator_finalized``: the reader-cache stamp of
    each article's and page's source file (the bytes it was built from), when Pelican's
    reader-level content cache holds one."""
    readers = getattr(generator, "readers", None)
    cache = getattr(readers, "_cache", None)
    # Only a cache that records every file read this build (CACHE_CONTENT on, reader layer)
    # holds the stamp of the bytes each article was built from; a loaded but not updated one
    # may still hold an edited file's old stamp.
    if not isinstance(cache, dict) or getattr(readers, "_cache_data_policy", False) is not True:
        return
    items = [*getattr(generator, "articles", ()), *getattr(generator, "translations", ()),
             *getattr(generator, "drafts", ()), *getattr(generator, "drafts_translations", ()),
             *getattr(generator, "pages", ()), *getattr(generator, "hidden_pages", ()),
             *getattr(generator, "draft_pages", ())]  # fmt: skip
    for item in items:
        record = cache.get(getattr(item, "source_path", None))
        if isinstance(record, tuple) and len(record) == 2 and record[0] not in (None, ""):
            _STAMPS[id(item)] = (item, record[0])


def start_build() -> None:
    """A new build: forget the last one's articles (``get_generators``)."""
    _SNAPSHOTS.clear()
    _STAMPS.clear()
    _TRUSTED["snapshots"] = True


def _entity_types():
    from pelican.contents import Content
    from pelican.urlwrappers import URLWrapper

    return Content, URLWrapper


def _stable(value, out: list[str], seen: set[int]) -> None:
    """Encode settings-like values; unknown objects by type (settings are plain data)."""
    if isinstance(value, (str, int, float, bool, type(None), bytes)):
        out.append(f"{type(value).__name__}:{value!r}")
    elif isinstance(value, dict):
        if id(value) in seen:
            out.append("<cycle>")
            return
        seen.add(id(value))
        out.append("{")
        for key in sorted(value, key=repr):
            out.append(repr(key))
            _stable(value[key], out, seen)
        out.append("}")
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        out.append("[")
        for item in items:
            _stable(item, out, seen)
        out.append("]")
    elif callable(value):
        out.append(f"fn:{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', '')}")
    else:
        out.append(f"obj:{type(value).__module__}.{type(value).__qualname__}:{value!s:.200}")


def global_fingerprint(settings: dict) -> str:
    import jinja2
    import pelican

    digest = hashlib.sha256()
    digest.update(f"{FORMAT}|{pelican.__version__}|{jinja2.__version__}|".encode())
    digest.update(f"{metadata.version('markupsafe')}|{sys.version}".encode())
    digest.update(f"|{metadata.version('feedgenerator')}".encode())
    roots = [settings.get("THEME", "")]
    roots += list(settings.get("PLUGIN_PATHS", []) or [])
    roots += [settings.get(key, "") for key in ("TOPICS_FILE", "SHOWS_FILE")]
    for root in roots:
        if not root or not os.path.exists(root):
            continue
        paths = [Path(root)] if os.path.isfile(root) else sorted(Path(root).rglob("*"))
        for path in paths:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
    out: list[str] = []
    volatile = {"PLUGINS"}  # module objects once loaded; their code is hashed above
    stable = {k: v for k, v in settings.items() if k not in volatile}
    if isinstance(stable.get("JINJA_ENVIRONMENT"), dict):
        # fast_build's own Jinja bytecode cache: an object (its repr has an address) that
        # changes how fast templates load, never what they render.
        jinja = {k: v for k, v in stable["JINJA_ENVIRONMENT"].items() if k != "bytecode_cache"}
        stable["JINJA_ENVIRONMENT"] = jinja
    _stable(stable, out, set())
    out.append(repr([getattr(p, "__name__", str(p)) for p in settings.get("PLUGINS", [])]))
    digest.update("\x1f".join(out).encode())
    return digest.hexdigest()


def _entity_ref(kind: str, ident: str) -> None:
    """Stands for another article, page, tag or category in :func:`stable_bytes` output."""


def _dataclass(name: str, values: tuple) -> None:
    """Stands for a dataclass instance (its qualified name and field values)."""


def _function(name: str) -> None:
    """Stands for a function or macro (its code is in the global fingerprint)."""


_MARKERS = (_entity_ref, _dataclass, _function)
_PLAIN_TYPES = (str, bytes, int, float, list, tuple, dict, dt.date, dt.time, dt.timedelta,
                dt.tzinfo)  # fmt: skip


class _StablePickler(pickle.Pickler):
    """A pickler for fingerprints: faithful for plain data (equal bytes mean equal values),
    entities replaced by references (collected in ``refs``), unknown objects refused.

    ``reducer_override`` is not called for exact ``str``/``bytes``/``int``/``float``, so text
    is serialised at C speed; containers and everything else are vetted here."""

    def __init__(self, file, refs: list, entity_types: tuple) -> None:
        super().__init__(file, protocol=4)
        # No memo: with one, the bytes would depend on which equal values are the same object
        # (a fresh read and a cached one share strings differently), not only on the values.
        self.fast = True
        self.refs = refs
        self.entity_types = entity_types

    def reducer_override(self, obj):
        kind = type(obj)
        if kind is dict or kind is list or kind is tuple or obj in _MARKERS:
            return NotImplemented  # plain containers; the markers themselves, by name
        if isinstance(obj, self.entity_types):
            self.refs.append(obj)
            ident = getattr(obj, "source_path", None) or getattr(obj, "slug", None)
            return _entity_ref, (type(obj).__name__, str(ident))
        if isinstance(obj, (set, frozenset)):
            # Iteration order follows string hashing, which changes from run to run.
            return set, (sorted(obj, key=repr),)
        if isinstance(obj, _PLAIN_TYPES) or obj is None or isinstance(obj, type):
            return NotImplemented  # faithful default reduction (subclasses: class + value)
        if dataclasses.is_dataclass(obj):
            values = tuple(getattr(obj, f.name) for f in dataclasses.fields(obj))
            return _dataclass, (f"{type(obj).__module__}.{type(obj).__qualname__}", values)
        if callable(obj) and hasattr(obj, "__qualname__"):
            return _function, (f"{getattr(obj, '__module__', '')}.{obj.__qualname__}",)
        raise Uncacheable(type(obj).__qualname__)


def stable_bytes(value, refs: list, entity_types: tuple) -> str:
    """Digest of ``value`` serialised by :class:`_StablePickler` (a hex string)."""
    buffer = io.BytesIO()
    try:
        _StablePickler(buffer, refs, entity_types).dump(value)
    except (pickle.PicklingError, TypeError, AttributeError, ValueError, RecursionError) as exc:
        raise Uncacheable(str(exc)) from exc
    return hashlib.sha256(buffer.getbuffer()).hexdigest()


_PICKLE_ERRORS = (pickle.PicklingError, TypeError, AttributeError, ValueError, RecursionError)
# Reference switch for tests (tests/build/test_rebuild_keys.py): off, every digest is taken by
# a fresh :class:`_StablePickler`, and entities' names and attribute kinds are not memoised;
# the keys must not change.
FAST_PICKLER = True
_reduce_ex = operator.methodcaller("__reduce_ex__", 4)


def _function_or_refuse(obj):
    if callable(obj) and hasattr(obj, "__qualname__"):
        return _function, (f"{getattr(obj, '__module__', '')}.{obj.__qualname__}",)
    raise Uncacheable(type(obj).__qualname__)


def _dataclass_reduce(obj):
    values = tuple(getattr(obj, f.name) for f in dataclasses.fields(obj))
    return _dataclass, (f"{type(obj).__module__}.{type(obj).__qualname__}", values)


class _Reducers(dict):
    """A pickler's ``dispatch_table`` giving :class:`_StablePickler`'s reductions, decided
    once per type: the C pickler looks a type up here without calling Python, where
    ``reducer_override`` was a Python call for every date, time zone and class of every
    article (~17 an article)."""

    def __init__(self, entity, entity_types: tuple) -> None:
        super().__init__()
        self.entity = entity
        self.entity_types = entity_types

    def __missing__(self, kind: type):
        if issubclass(kind, type):
            raise KeyError(kind)  # a class with a metaclass: by name, as the default does
        if issubclass(kind, self.entity_types):
            reducer = self.entity
        elif issubclass(kind, (set, frozenset)):
            # only subclasses get here (exact sets are pickled natively, as by the reference)
            reducer = _sorted_set_reduce
        elif issubclass(kind, _PLAIN_TYPES):
            # the default reduction, as NotImplemented gives (copyreg's table first)
            reducer = copyreg.dispatch_table.get(kind, _reduce_ex)
        elif dataclasses.is_dataclass(kind):
            reducer = _dataclass_reduce
        else:
            reducer = _function_or_refuse
        self[kind] = reducer
        return reducer


def _sorted_set_reduce(obj):
    return set, (sorted(obj, key=repr),)


class _FastPickler(pickle.Pickler):
    def __init__(self, file, table: _Reducers) -> None:
        self.dispatch_table = table
        super().__init__(file, protocol=4)
        self.fast = True  # no memo, as _StablePickler


class StableDigester:
    """:func:`stable_bytes` with one pickler and buffer for every call (a fingerprinter
    digests ~3 values per article) and a memo of entities' reference names."""

    def __init__(self, entity_types: tuple) -> None:
        self.entity_types = entity_types
        self._refs: list = []
        self._names: dict[int, tuple[object, tuple]] = {}
        self._refs_text: dict[int, tuple[object, str]] = {}
        self._buffer = io.BytesIO()
        self._pickler: _FastPickler | None = None

    def ident(self, entity) -> tuple[str, str]:
        """(type name, source path or slug) of an entity, as ``_StablePickler`` names it."""
        hit = self._names.get(id(entity)) if FAST_PICKLER else None
        if hit is None or hit[0] is not entity:
            ident = getattr(entity, "source_path", None) or getattr(entity, "slug", None)
            hit = self._names[id(entity)] = (entity, (type(entity).__name__, str(ident)))
        return hit[1]

    def ref(self, entity) -> str:
        """``&<type name>:<source path or slug>``: how a fingerprint names another entity
        (an article holds ~12 references: its tags, category, author, related episodes)."""
        hit = self._refs_text.get(id(entity)) if FAST_PICKLER else None
        if hit is None or hit[0] is not entity:
            kind, ident = self.ident(entity)
            hit = self._refs_text[id(entity)] = (entity, f"&{kind}:{ident}")
        return hit[1]

    def _entity(self, obj):
        self._refs.append(obj)
        return _entity_ref, self.ident(obj)

    def digest(self, value, refs: list) -> str:
        if not FAST_PICKLER:
            return stable_bytes(value, refs, self.entity_types)
        if self._pickler is None:
            self._pickler = _FastPickler(self._buffer, _Reducers(self._entity, self.entity_types))
        buffer = self._buffer
        buffer.seek(0)
        buffer.truncate()
        self._refs = refs
        try:
            self._pickler.dump(value)
        except _PICKLE_ERRORS as exc:
            self._pickler = None  # a dump cut short may leave the pickler's state behind
            raise Uncacheable(str(exc)) from exc
        except Uncacheable:
            self._pickler = None
            raise
        with buffer.getbuffer() as view:
            return hashlib.sha256(view).hexdigest()


class Fingerprinter:
    """Per-build memo of entity fingerprints (objects are kept alive, so ids stay unique)."""

    def __init__(
        self,
        paginator_object_list: bool,
        wrapper_attrs: frozenset[str],
        content_memo: dict,
        wrapper_memo: dict | None = None,
        known_wrapper_names: frozenset[str] | None = None,
        unread_refs: frozenset[str] = frozenset(),
        ref_wrapper_attrs: frozenset[str] | None = None,
        content_parts: dict | None = None,
        content_refs: frozenset[str] = frozenset(),
        unread_through: frozenset[str] | None = None,
        content_memo_through: dict | None = None,
        deep_memo_through: dict | None = None,
        deep_memo_content: dict | None = None,
        digester: StableDigester | None = None,
        name_kinds: dict | None = None,
        stable_digests: tuple[dict, dict, dict] | None = None,
    ) -> None:
        self.Content, self.URLWrapper = _entity_types()
        self._types = (self.Content, self.URLWrapper)
        self._digester = StableDigester(self._types) if digester is None else digester
        # attribute name -> 0 (not an input), 1 (plain data) or 2 (holds entities): decided
        # once per name for the articles' attributes (``content_refs`` is the same for all)
        self._name_kinds = {} if name_kinds is None else name_kinds
        # (last build's, this build's) digests of articles' stable attributes by source path,
        # and the counts (``stable_reused``) of the render cache's stats
        self._stable_digests = stable_digests
        self.paginator_object_list = paginator_object_list
        self.wrapper_attrs = wrapper_attrs
        # Tag/category attributes read on those reached through another entity (a card's
        # topic chips) rather than given to the page (the tag page's own tag).
        self.ref_wrapper_attrs = wrapper_attrs if ref_wrapper_attrs is None else ref_wrapper_attrs
        self.known_wrapper_names = known_wrapper_names
        self.unread_refs = unread_refs
        # references of articles reached through another entity (a related episode's own
        # related episodes) that the templates never read
        self.unread_through = unread_refs if unread_through is None else unread_through
        # An article's attributes in two parts, computed once per build for every template:
        # plain data, and each attribute that holds other entities (``content_refs``), which a
        # template may leave unread.
        self._content_parts = {} if content_parts is None else content_parts
        self.content_refs = content_refs
        # Articles and pages are fingerprinted whole, the same for every template: shared.
        self._content_own = content_memo
        self._content_own_through = (
            content_memo if content_memo_through is None else content_memo_through
        )
        self._wrapper_shared = {} if wrapper_memo is None else wrapper_memo
        self._own: dict[tuple[int, bool], tuple[object, str, list]] = {}
        self._lists: dict[int, tuple[object, int, str]] = {}
        # Page variables holding the same container on every page (the context's
        # ``archive_calendar``, ``tags``, ``categories``): encoded once per fingerprinter, as
        # long lists are (kept alive, so the id stays unique; same length checked).
        self._vars: dict[int, tuple[object, int, list[str]]] = {}
        self._deep: dict[tuple[int, int], tuple[object, str]] = {}
        # Deep digests shared with other fingerprinters (RenderCache keys them by what they
        # depend on): an entity reached through another one (``top=False``) depends only on
        # ``unread_through`` and ``ref_wrapper_attrs``; an article or page given to the page
        # on ``unread_refs`` and those two. Tags and categories given to the page depend on
        # ``wrapper_attrs`` too: in ``_deep``, this fingerprinter's own.
        self._deep_through = {} if deep_memo_through is None else deep_memo_through
        self._deep_content = {} if deep_memo_content is None else deep_memo_content

    # -- entities ----------------------------------------------------------------------------
    def _ref(self, entity) -> str:
        return self._digester.ref(entity)

    def own(self, entity, top: bool = True) -> tuple[str, list]:
        is_content = isinstance(entity, self.Content)
        if is_content:
            memo = self._content_own if top else self._content_own_through
        else:
            memo = self._own
        memo_key = id(entity) if is_content else (id(entity), top)
        hit = memo.get(memo_key)
        if hit is not None:
            return hit[1], hit[2]
        if is_content:
            digest, refs = self._content_own_digest(
                entity, self.unread_refs if top else self.unread_through
            )
            memo[memo_key] = (entity, digest, refs)
            return digest, refs
        attrs = {k: v for k, v in vars(entity).items() if k not in _SKIP_ATTRS}
        if isinstance(entity, self.URLWrapper):
            # Tags and categories: only what the templates read (plus name/slug/url below).
            # name/slug are cached lazily by Pelican: taken from the properties below.
            if (
                self.known_wrapper_names is not None
                and not {k.lstrip("_") for k in attrs} <= self.known_wrapper_names
            ):
                # Fingerprinters are shared by templates whose attribute sets differ only in
                # names no scanned tag/category carries: a wrapper that escaped the scan
                # could carry one of them.
                raise Uncacheable("wrapper outside the scanned context")
            read = self.wrapper_attrs if top else self.ref_wrapper_attrs
            attrs = {
                k: v
                for k, v in attrs.items()
                if k.lstrip("_") in read and k.lstrip("_") not in _WRAPPER_PROPS
            }
            # The same wrapper with the same attributes selected has the same digest whatever
            # the template: shared between fingerprinters (one Author per article adds up).
            shared_key = (id(entity), tuple(sorted(attrs)))
            hit = self._wrapper_shared.get(shared_key)
            if hit is not None:
                memo[memo_key] = hit
                return hit[1], hit[2]
        else:
            shared_key = None
        refs: list = []
        out: list[str] = [type(entity).__qualname__]
        # Attribute values are serialised by a C pickler (other entities become references):
        # encoding every article's attributes in Python was most of the key time.
        out.append(self._digester.digest({k: attrs[k] for k in sorted(attrs)}, refs))
        for key in ("url", "save_as", "name", "slug"):
            out.append(key)
            self._encode(getattr(entity, key, None), out, refs, top=False)
        digest = hashlib.sha256("\x1f".join(out).encode()).hexdigest()
        memo[memo_key] = (entity, digest, refs)
        if shared_key is not None:
            self._wrapper_shared[shared_key] = memo[memo_key]
        return digest, refs

    def _content_parts_of(self, entity) -> tuple:
        parts = self._content_parts.get(id(entity))
        if parts is not None:
            return parts
        attrs = vars(entity)
        # ``content``/``summary`` are ``_content``/``_summary`` with intrasite links resolved
        # against other pages' URLs and the page being written: such links make the entity
        # uncacheable; without them the raw attributes (in vars) are the input.
        if _has_intrasite(attrs.get("_content")) or _has_intrasite(attrs.get("_summary")):
            parts = (entity, None, [], {}, "")
            self._content_parts[id(entity)] = parts
            return parts
        plain_refs: list = []
        plain_attrs = {}
        held = {}
        kinds = self._name_kinds
        for k in sorted(attrs):
            kind = kinds.get(k) if FAST_PICKLER else None
            if kind is None:
                kind = kinds[k] = (
                    0 if k in _SKIP_ATTRS else 2 if k.lstrip("_") in self.content_refs else 1
                )
            if kind == 1:
                plain_attrs[k] = attrs[k]
            elif kind == 2:
                held[k] = self._held(attrs[k])
        # Serialised by a C pickler (other entities become references): encoding every
        # article's attributes in Python was most of the key time.
        stable = self._stable_part(entity, plain_attrs)
        if stable is not None:
            plain_attrs = {k: v for k, v in plain_attrs.items() if k not in stable[0]}
        plain = self._digester.digest(plain_attrs, plain_refs)
        if stable is not None:
            plain = f"{stable[1]}+{plain}"
        extras: list[str] = []
        for key in ("url", "save_as"):
            extras.append(key)
            self._encode(getattr(entity, key, None), extras, plain_refs, top=False)
        parts = (entity, plain, plain_refs, held, "\x1f".join(extras))
        self._content_parts[id(entity)] = parts
        return parts

    def _stable_part(self, entity, plain_attrs: dict) -> tuple[frozenset, str] | None:
        """(names, digest) of the attributes of ``entity`` that still hold the immutable
        objects they held at construction, the digest taken from the last build when the
        source file's stamp and those names are the same; None when there is no such part.

        Which attributes form the part depends only on this build (never on the switch
        ``REUSE_STABLE``): the key is the same whether the digest is reused or recomputed."""
        if self._stable_digests is None or not _TRUSTED["snapshots"]:
            return None
        snap = _SNAPSHOTS.get(id(entity))
        noted = _STAMPS.get(id(entity))
        if snap is None or noted is None or snap[0] is not entity or noted[0] is not entity:
            return None
        constructed = snap[1]
        names = tuple(
            k
            for k, v in plain_attrs.items()
            if type(v) in _IMMUTABLE
            and k in constructed
            and constructed[k] is v
            and k not in _VOLATILE
        )
        if not names:
            return None
        previous, current, counts = self._stable_digests
        ident = (type(entity).__name__, str(entity.source_path))
        old = previous.get(ident)
        if REUSE_STABLE and old is not None and old[0] == noted[1] and old[1] == names:
            digest = old[2]
            counts["stable_reused"] += 1
        else:
            refs: list = []
            digest = self._digester.digest({k: plain_attrs[k] for k in names}, refs)
            if refs:  # immutable values hold no entity; refuse to guess otherwise
                return None
        current[ident] = (noted[1], names, digest)
        return frozenset(names), digest

    def _held(self, value) -> tuple[str, list]:
        """(encoding, entities) of an attribute that holds entities: references spelled out
        directly for an entity, None or a list of entities, the pickler for anything else."""
        types = self._types
        if value is None or isinstance(value, types):
            return ("None", []) if value is None else (self._digester.ref(value), [value])
        if type(value) in (list, tuple) and all(isinstance(item, types) for item in value):
            names = ",".join(map(self._digester.ref, value))
            return f"{type(value).__name__}[{names}]", list(value)
        refs: list = []
        return self._digester.digest(value, refs), refs

    def _content_own_digest(self, entity, unread: frozenset[str]) -> tuple[str, list]:
        _, plain, plain_refs, held, extras = self._content_parts_of(entity)
        if plain is None:
            raise Uncacheable("intrasite link")
        out = [type(entity).__qualname__, plain]
        refs = list(plain_refs)
        for k, (digest, held_refs) in held.items():
            if k.lstrip("_") not in unread:
                out += [k, digest]
                refs += held_refs
        out.append(extras)
        return hashlib.sha256("\x1f".join(out).encode()).hexdigest(), refs

    def deep(self, entity, depth: int, top: bool = False) -> str:
        if not top:
            memo = self._deep_through
        elif isinstance(entity, self.Content):
            memo = self._deep_content
        else:
            memo = self._deep
        key = (id(entity), depth)
        hit = memo.get(key)
        if hit is not None:
            return hit[1]
        digest, refs = self.own(entity, top)
        if depth > 0 and refs:
            # what ``self.deep(ref, depth - 1)`` returns, its memo looked up here: most refs
            # (a card's topics, related episodes' shows) are hits, and calls were most of it
            through, below = self._deep_through, depth - 1
            parts = [digest]
            for ref in refs:
                hit = through.get((id(ref), below))
                parts.append(hit[1] if hit is not None else self.deep(ref, below))
            digest = hashlib.sha256("|".join(parts).encode()).hexdigest()
        memo[key] = (entity, digest)  # the entity is kept alive: its id stays unique
        return digest

    # -- values ------------------------------------------------------------------------------
    def _encode(self, value, out: list[str], refs: list, top: bool, depth: int = DEPTH) -> None:
        if isinstance(value, str):
            if len(value) > 512:  # long texts (notes, transcripts): their hash
                data = value.encode("utf-8", "surrogatepass")
                out.append(f"{type(value).__name__}#{hashlib.sha1(data).hexdigest()}")
            else:
                out.append(f"{type(value).__name__}:{value!r}")
        elif isinstance(value, (int, float, bool, type(None))):
            out.append(f"{type(value).__name__}:{value!r}")
        elif isinstance(value, (self.Content, self.URLWrapper)):
            if top:
                out.append("E" + self.deep(value, depth, top=True))
            else:
                out.append(self._ref(value))
                refs.append(value)
        elif isinstance(value, (dt.datetime, dt.date, dt.time, dt.timedelta)):
            out.append(f"{type(value).__name__}:{value!r}")
        elif isinstance(value, dt.tzinfo):
            out.append(f"tz:{type(value).__name__}:{value!s}")
        elif isinstance(value, (list, tuple)):
            if top and len(value) > 32:
                # Long listings (a tag's articles, every article) recur on many pages: their
                # digest is memoised (the list is kept alive, so its id stays unique).
                hit = self._lists.get(id(value))
                if hit is None or hit[0] is not value or hit[1] != len(value):
                    sub: list[str] = []
                    for item in value:
                        self._encode(item, sub, refs, top, depth)
                    digest = hashlib.sha256("\x1f".join(sub).encode()).hexdigest()
                    hit = self._lists[id(value)] = (value, len(value), digest)
                out.append(f"{type(value).__name__}#{hit[2]}")
                return
            out.append(f"{type(value).__name__}[")
            for item in value:
                self._encode(item, out, refs, top, depth)
            out.append("]")
        elif isinstance(value, dict):
            out.append("{")
            for key in sorted(value, key=repr):
                self._encode(key, out, refs, top, depth)
                self._encode(value[key], out, refs, top, depth)
            out.append("}")
        elif isinstance(value, (set, frozenset)):
            out.append("set[")
            for item in sorted(value, key=repr):
                self._encode(item, out, refs, top, depth)
            out.append("]")
        elif _is_paginator(value):
            out.append(
                f"Paginator:{value.name!r}:{value.url!r}:{value.per_page}:{value.orphans}:"
                f"{value.count}:{value.num_pages}"
            )
            if self.paginator_object_list:
                self._encode(value.object_list, out, refs, top, depth)
        elif _is_page(value):
            out.append(
                f"Page:{value.full_name!r}:{value.base_url!r}:{value.number}:{value.url!r}:"
                f"{value.save_as!r}"
            )
            self._encode(value.paginator, out, refs, top, depth)
            self._encode(value.object_list, out, refs, top, depth)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            out.append(f"dc:{type(value).__module__}.{type(value).__qualname__}")
            self._encode(
                {f.name: getattr(value, f.name) for f in dataclasses.fields(value)},
                out, refs, top, depth,
            )  # fmt: skip
        elif callable(value) and hasattr(value, "__qualname__"):
            # Env globals and macros: their code is in the global fingerprint.
            out.append(f"fn:{getattr(value, '__module__', '')}.{value.__qualname__}")
        else:
            raise Uncacheable(type(value).__qualname__)

    def page_key(self, base: str, template, names: list[str], localcontext: dict, name: str):
        out = [base, template.name or "", name]
        refs: list = []
        memo = self._vars if MEMO_PAGE_VARS else None
        for var in names:
            out.append(var)
            if var not in localcontext:
                out.append("<absent>")
                continue
            value = localcontext[var]
            if memo is not None and (value is None or (type(value) is str and len(value) <= 512)):
                # what ``_encode`` appends for these, without its call and type tests: most of
                # an episode page's ~45 variables are settings' text or unset names
                out.append("NoneType:None" if value is None else f"str:{value!r}")
            elif memo is not None and type(value) in _SHARED_CONTAINERS:
                # The same encoding as below, kept: the archive pages' year/month calendar
                # (hundreds of small dicts) was encoded again for each of them.
                hit = memo.get(id(value))
                if hit is None or hit[0] is not value or hit[1] != len(value):
                    encoded: list[str] = []
                    self._encode(value, encoded, refs, top=True)
                    hit = memo[id(value)] = (value, len(value), encoded)
                out.extend(hit[2])
            else:
                self._encode(value, out, refs, top=True)
        return hashlib.sha256("\x1f".join(out).encode()).hexdigest()


def _has_intrasite(text) -> bool:
    """Whether ``text`` has an intrasite link; a text with neither ``{`` nor ``|`` (most
    episodes) is answered by two C scans instead of the regex (~0.15 s at 10,000 episodes)."""
    text = str(text or "")
    if "{" not in text and "|" not in text:
        return False
    return _INTRASITE.search(text) is not None


def _holds_entity(value, Content, URLWrapper) -> bool:
    if isinstance(value, (Content, URLWrapper)):
        return True
    return isinstance(value, (list, tuple)) and any(
        isinstance(item, (Content, URLWrapper)) for item in value
    )


def wrapper_attribute_names(context: dict) -> tuple[frozenset[str], frozenset[str]]:
    """(every attribute name of every tag, category or author; every attribute name under
    which an article or page holds other entities), ``_`` stripped, as reachable from the
    global context through containers and entities' attributes.

    Why: fingerprinters are shared by templates whose attribute sets agree on these names only,
    so each article's digest is computed once per build instead of once per template; and a
    template that never reads ``related_episodes`` need not re-render when a related episode
    changes."""
    Content, URLWrapper = _entity_types()
    names: set[str] = set()
    refs: set[str] = set()
    seen: set[int] = set()
    atoms = (str, bytes, int, float, type(None))
    # What a value is, decided once per type (isinstance chains ran for every date and
    # string visited): 0 nothing to walk, 1 tag/category/author, 2 article/page, 3 dict,
    # 4 other container.
    kinds: dict[type, int] = {}

    def kind_of(kind: type) -> int:
        if issubclass(kind, atoms):
            return 0
        if issubclass(kind, URLWrapper):
            return 1
        if issubclass(kind, Content):
            return 2
        if issubclass(kind, dict):
            return 3
        return 4 if issubclass(kind, (list, tuple, set, frozenset)) else 0

    stripped: dict[str, str] = {}  # attribute name -> without its leading underscores
    pending = list(context.values())
    pop, push, extend = pending.pop, pending.append, pending.extend
    while pending:
        value = pop()
        kind = kinds.get(type(value))
        if kind is None:
            kind = kinds[type(value)] = kind_of(type(value))
        if not kind or id(value) in seen:
            continue
        seen.add(id(value))
        if kind == 4:
            extend(value)
        elif kind == 3:
            extend(value.keys())
            extend(value.values())
        elif kind == 2:
            for k, v in vars(value).items():
                # a value with nothing to walk (text, numbers, dates) holds no entity either:
                # not pushed to be popped and dropped (~35 attributes an article)
                held = kinds.get(type(v))
                if held is None:
                    held = kinds[type(v)] = kind_of(type(v))
                if not held or k in _SKIP_ATTRS:
                    continue
                # once a name is known to hold entities, testing it again adds nothing
                name = stripped.get(k)
                if name is None:
                    name = stripped[k] = k.lstrip("_")
                if name not in refs and _holds_entity(v, Content, URLWrapper):
                    refs.add(name)
                push(v)
        else:
            attrs = {k: v for k, v in vars(value).items() if k not in _SKIP_ATTRS}
            names.update(k.lstrip("_") for k in attrs)
            extend(attrs.values())
    return frozenset(names), frozenset(refs)


def _is_paginator(value) -> bool:
    from pelican.paginator import Paginator

    return isinstance(value, Paginator)


def _is_page(value) -> bool:
    from pelican.paginator import Page

    return isinstance(value, Page)


def _parsed(env, name: str):
    """The AST of template ``name``, parsed once per environment and source text: every page
    template pulls in the same base and includes, and :func:`reads_paginator_object_list`
    looks at them all again (~100 parses of ~25 templates per build otherwise). The analyses
    only read the trees."""
    source = env.loader.get_source(env, name)[0]
    memo = env.__dict__.setdefault("_fast_build_asts", {})
    ast = memo.get((name, source))
    if ast is None:
        ast = memo[name, source] = env.parse(source)
    return ast


def template_names(env, template_name: str, memo: dict):
    """(variable names loaded, attribute names read, opaque) for a template and every template
    it pulls in (extends, include, import); None if one of those is named dynamically.

    ``opaque`` is True when the templates may read an attribute whose name the analysis cannot
    see: a Python function (an env global such as seo's ``episode_jsonld(article)``), a custom
    filter or test, a method call, or an attribute named by a variable."""
    if template_name in memo:
        return memo[template_name]
    seen: set[str] = set()
    names: set[str] = set()
    attrs: set[str] = set()
    macros: set[str] = set()
    bound: set[str] = set()
    direct: list = []  # (variable, attribute) for ``variable.attribute`` reads
    indirect: set[str] = set()
    calls: list = []
    declared: set[str] = set()
    opaque = False
    pending = [template_name]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        ast = _parsed(env, current)
        names |= {n.name for n in ast.find_all(nodes.Name) if n.ctx == "load"}
        attrs |= {n.attr for n in ast.find_all(nodes.Getattr)}
        # item access and filter arguments (``sort(attribute="date")``) name attributes too
        constants = {
            part
            for n in ast.find_all(nodes.Const)
            if isinstance(n.value, str)
            for part in n.value.split(".")
        }
        attrs |= constants
        indirect |= constants
        for n in ast.find_all(nodes.Getattr):
            if isinstance(n.node, nodes.Name):
                direct.append((n.node.name, n.attr))
            else:
                indirect.add(n.attr)
        # A macro's (or call block's) parameters are bound inside its body only: the theme's
        # ``topic_chips(article)`` must not make every ``article.x`` of the page indirect
        # (then one episode's edit re-rendered every page whose related episodes list it).
        # (``with`` targets are "param" Names too, and stay bound everywhere.)
        parameters: set[int] = set()
        for scope in ast.find_all((nodes.Macro, nodes.CallBlock)):
            parameters |= {id(arg) for arg in scope.args}
            params = {arg.name for arg in scope.args} | {"caller"}
            indirect |= {
                n.attr
                for n in scope.find_all(nodes.Getattr)
                if isinstance(n.node, nodes.Name) and n.node.name in params
            }
        bound |= {
            n.name
            for n in ast.find_all(nodes.Name)
            if n.ctx in ("store", "param") and id(n) not in parameters
        }
        bound |= {n.target for n in ast.find_all(nodes.Import)}
        macros |= {n.name for n in ast.find_all(nodes.Macro)}
        macros |= {
            name if isinstance(name, str) else name[1]
            for n in ast.find_all(nodes.FromImport)
            for name in n.names
        }
        calls.extend(ast.find_all(nodes.Call))
        opaque = _opaque_access(ast, env, declared) or opaque
        for node in ast.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
            if isinstance(node.template, nodes.Const) and isinstance(node.template.value, str):
                pending.append(node.template.value)
            else:
                memo[template_name] = None
                return None
    for call in calls:
        func = call.node
        if isinstance(func, nodes.Name) and (func.name in macros or func.name in _SAFE_GLOBALS):
            continue  # template code: its attribute reads are in the ASTs above
        reads = getattr(env.globals.get(getattr(func, "name", None)), "fast_build_reads", None)
        if isinstance(func, nodes.Name) and reads is not None:
            declared |= reads  # a helper that says which attributes of its arguments it reads
            continue
        if isinstance(func, nodes.Getattr) and func.attr in _SAFE_METHODS:
            continue
        arguments = [*call.args, *(k.value for k in call.kwargs), call.dyn_args, call.dyn_kwargs]
        if isinstance(func, nodes.Name) and all(
            a is None or isinstance(a, nodes.Const) for a in arguments
        ):
            continue  # a function given constants only cannot reach a page's entities
        opaque = True
    # Attributes that may be read on an entity reached *through* another one (a card's topic
    # chips): all but those read only as ``name.attribute`` on a page variable (the tag page's
    # own ``tag.count``). Bound names (loops, ``set``) may hold anything; so may a macro's
    # parameters, in its body (above).
    indirect |= {attr for name, attr in direct if name in bound or name in macros}
    # a helper's argument may be any entity: what it reads counts at every depth
    attrs |= declared
    indirect |= declared
    through = frozenset(attrs) if opaque else frozenset(indirect)
    memo[template_name] = (sorted(names), frozenset(attrs), opaque, through)
    return memo[template_name]


# Filters that take attribute names as arguments: a non-constant one hides which attribute.
_ATTRIBUTE_FILTERS = frozenset(
    {"attr", "map", "selectattr", "rejectattr", "sort", "groupby", "sum", "unique", "min", "max",
     "select", "reject"}
)  # fmt: skip
_SAFE_GLOBALS = frozenset({"caller", "range", "dict", "lipsum", "cycler", "joiner", "namespace"})
# str, list, dict and date methods the theme calls; none of them reads an entity's attributes.
_SAFE_METHODS = frozenset(
    {"strftime", "isoformat", "append", "startswith", "endswith", "lower", "upper", "strip",
     "split", "replace", "join", "format", "items", "keys", "values", "get", "title",
     "has_previous", "has_next", "has_other_pages", "next_page_number", "previous_page_number",
     "start_index", "end_index"}
)  # fmt: skip


def _hidden_name(node, filters, tests) -> bool:
    """Whether a filter that reads attributes by name (or applies a filter/test by name) is
    given that name as anything but a constant, or names a custom filter or test."""
    if node.dyn_args is not None or node.dyn_kwargs is not None:
        return True
    keywords = {k.key: k.value for k in node.kwargs}
    if "attribute" in keywords:
        return not isinstance(keywords["attribute"], nodes.Const)
    if not node.args:
        return False
    first = node.args[0]
    if not isinstance(first, nodes.Const):
        return True
    if node.name in ("select", "reject"):
        return first.value not in tests
    if node.name == "map":
        return first.value not in filters  # map("filter name")
    if node.name in ("selectattr", "rejectattr") and len(node.args) > 1:
        test = node.args[1]
        return not (isinstance(test, nodes.Const) and test.value in tests)
    return False


def _opaque_access(ast, env, declared: set[str]) -> bool:
    """Whether the template may read attributes the analysis cannot name; the attribute names
    plugin filters declare they read (``fast_build_reads``) are added to ``declared``."""
    from jinja2.defaults import DEFAULT_FILTERS, DEFAULT_TESTS

    for node in ast.find_all(nodes.Filter):
        if node.name not in DEFAULT_FILTERS:
            # A plugin filter may read any attribute of what it is given, unless it declares
            # that it only reads its argument as text (``fast_build_plain``, plugins/seo).
            function = env.filters.get(node.name)
            if getattr(function, "fast_build_plain", False):
                continue
            if getattr(function, "fast_build_reads", None) is not None:
                declared |= function.fast_build_reads
                continue
            return True
        if node.name in _ATTRIBUTE_FILTERS and _hidden_name(node, DEFAULT_FILTERS, DEFAULT_TESTS):
            return True
    for node in ast.find_all(nodes.Test):
        if node.name not in DEFAULT_TESTS:
            return True
    for node in ast.find_all(nodes.Getitem):
        arg = node.arg
        if isinstance(arg, nodes.Slice):
            parts = (arg.start, arg.stop, arg.step)
            if all(part is None or isinstance(part, nodes.Const) for part in parts):
                continue
        if not isinstance(arg, nodes.Const):
            return True
    return False


def reads_paginator_object_list(env) -> bool:
    """Whether any template reads ``<x>_paginator.object_list`` (the whole listing)."""
    try:
        templates = env.loader.list_templates()
    except (TypeError, AttributeError):
        return True
    for name in templates:
        if not name.endswith((".html", ".xml", ".txt")):
            continue
        ast = _parsed(env, name)
        for node in ast.find_all(nodes.Getattr):
            if node.attr == "object_list" and not (
                isinstance(node.node, nodes.Name) and node.node.name.endswith("_page")
            ):
                return True
    return False


# The entity-valued attributes of an article Pelican's feed writer reads.
_FEED_READS = frozenset({"category", "tags", "author", "authors"})


@dataclasses.dataclass(frozen=True)
class _FeedTemplate:
    """Stands for the template of a feed in its key (feeds are written by feedgenerator)."""

    name: str


class RenderCache:
    """Keys of the last build's pages, loaded from and saved to the cache folder."""

    def __init__(self, settings: dict) -> None:
        self.settings = settings
        self.path = Path(settings.get("CACHE_PATH") or "cache") / FILE_NAME
        self.enabled = bool(settings.get("FAST_BUILD_RENDER_CACHE", True))
        self.previous: dict[str, tuple[str, int, int]] = {}
        self.current: dict[str, tuple[str, int, int]] = {}
        self.stats = {"skipped": 0, "rendered": 0, "uncacheable": 0, "stable_reused": 0}
        self._base: str | None = None
        self._names: dict = {}
        self._fps: dict[frozenset[str], Fingerprinter] = {}
        self._content_memo: dict[frozenset[str], dict] = {}
        self._wrapper_memo: dict = {}
        self._deep_memo: dict = {}
        self._content_parts: dict = {}
        self._wrapper_names: frozenset[str] | None = None
        self._content_refs: frozenset[str] = frozenset()
        self._paginator_object_list = True
        self._analysed = True
        self._digester: StableDigester | None = None
        self._name_kinds: dict = {}
        # articles' stable digests (Fingerprinter._stable_part): the last build's, this one's
        self.previous_digests: dict = {}
        self.current_digests: dict = {}

    def _shared(self) -> dict:
        """What every fingerprinter of this build shares: one pickler (and its memo of
        entities' names), and which article attributes are inputs or hold entities."""
        if self._digester is None:
            self._digester = StableDigester(_entity_types())
        return {
            "digester": self._digester,
            "name_kinds": self._name_kinds,
            "stable_digests": (self.previous_digests, self.current_digests, self.stats),
        }

    def _start(self, env) -> None:
        self._base = global_fingerprint(self.settings)
        analysis = None
        data = load_cache(self.path)
        if data.get("format") == FORMAT and data.get("base") == self._base and "pages" in data:
            self.previous = data["pages"]
            digests = data.get("digests")
            self.previous_digests.update(digests if isinstance(digests, dict) else {})
            analysis = data.get("templates")
        if analysis is not None:
            # The base covers every theme file: same base, same template ASTs, so what they
            # name is reused instead of parsing every template again.
            self._paginator_object_list, names = analysis
            self._names.update(names)
        elif env is not None:
            self._paginator_object_list = reads_paginator_object_list(env)
            self._analysed = True
        else:
            self._analysed = False  # a feed came first: the templates are read at the first page

    def feed_key(self, items: list, context: dict, path: str, meta: tuple) -> str | None:
        """The key of a feed: its items, what the writer reads from the context, and the
        call's arguments (``meta``).

        Pelican 4.12.0's ``Writer._add_item_to_the_feed`` reads an item's own values (title,
        url, date, summary, content, modified) and its category, tags and author as text
        (``str()``: their names); so an item's other references (related episodes,
        neighbours) and its tags' other attributes (counts) are left out of the key."""
        if not self.enabled:
            return None
        if self._base is None:
            self._start(None)
        if self._wrapper_names is None:
            self._wrapper_names, self._content_refs = wrapper_attribute_names(context)
        unread = self._content_refs - _FEED_READS
        fingerprinter = self._fps.get(("feed", unread))
        if fingerprinter is None:
            fingerprinter = self._fps[("feed", unread)] = Fingerprinter(
                self._paginator_object_list,
                frozenset(),
                self._content_memo.setdefault(unread, {}),
                self._wrapper_memo,
                self._wrapper_names,
                unread,
                frozenset(),
                self._content_parts,
                self._content_refs,
                unread,
                self._content_memo.setdefault(unread, {}),
                self._deep_memo.setdefault(("through", unread, frozenset()), {}),
                self._deep_memo.setdefault(("content", unread, unread, frozenset()), {}),
                **self._shared(),
            )
        values = {
            "items": list(items),
            "meta": meta,
            "context": tuple(
                (name, context.get(name))
                for name in ("SITEURL", "FEED_DOMAIN", "SITENAME", "SITESUBTITLE")
            ),
        }
        template = _FeedTemplate(f"feed:{meta[0]}")
        try:
            return fingerprinter.page_key(self._base, template, sorted(values), values, path)
        except Uncacheable as exc:
            log.debug("fast_build: feed %s not cacheable (%s)", path, exc)
            self.stats["uncacheable"] += 1
            return None

    def key(self, template, localcontext: dict, name: str) -> str | None:
        if not self.enabled:
            return None
        if self._base is None:
            self._start(template.environment)
        elif not self._analysed:
            self._paginator_object_list = reads_paginator_object_list(template.environment)
            self._analysed = True
        found = template_names(template.environment, template.name, self._names)
        if found is None:
            self.stats["uncacheable"] += 1
            return None
        names, attrs, opaque, through = found
        if self._wrapper_names is None:
            self._wrapper_names, self._content_refs = wrapper_attribute_names(localcontext)
        # Templates that differ only in attribute names no tag/category carries share one
        # fingerprinter, hence one memo of every entity's digest (own() checks the premise).
        wrapper_attrs = (attrs & self._wrapper_names) - _WRAPPER_PROPS
        ref_wrapper_attrs = (through & self._wrapper_names) - _WRAPPER_PROPS
        # An article's references the templates never read (a listing's cards do not show
        # related episodes) are left out of its digest, unless some code the analysis cannot
        # see (a Python helper given the article) may read them.
        unread = frozenset() if opaque else self._content_refs - attrs
        unread_through = frozenset() if opaque else self._content_refs - through
        fp_key = (wrapper_attrs, ref_wrapper_attrs, unread, unread_through)
        fingerprinter = self._fps.get(fp_key)
        if fingerprinter is None:
            fingerprinter = self._fps[fp_key] = Fingerprinter(
                self._paginator_object_list,
                wrapper_attrs,
                self._content_memo.setdefault(unread, {}),
                self._wrapper_memo,
                self._wrapper_names,
                unread,
                ref_wrapper_attrs,
                self._content_parts,
                self._content_refs,
                unread_through,
                self._content_memo.setdefault(unread_through, {}),
                self._deep_memo.setdefault(("through", unread_through, ref_wrapper_attrs), {}),
                self._deep_memo.setdefault(
                    ("content", unread, unread_through, ref_wrapper_attrs), {}
                ),
                **self._shared(),
            )
        try:
            return fingerprinter.page_key(self._base, template, names, localcontext, name)
        except Uncacheable as exc:
            log.debug("fast_build: %s not cacheable (%s)", name, exc)
            self.stats["uncacheable"] += 1
            return None

    def unchanged(self, path: str, key: str | None) -> bool:
        if key is None:
            return False
        old = self.previous.get(path)
        if old is None or old[0] != key:
            return False
        try:
            stat = os.stat(path)
        except OSError:
            return False
        if (stat.st_size, stat.st_mtime_ns) != (old[1], old[2]):
            return False
        self.current[path] = old
        self.stats["skipped"] += 1
        return True

    def record(self, path: str, key: str | None) -> None:
        self.stats["rendered"] += 1
        if key is None:
            return
        try:
            stat = os.stat(path)
        except OSError:
            return
        self.current[path] = (key, stat.st_size, stat.st_mtime_ns)

    # -- persistence -------------------------------------------------------------------------
    def dump_part(self, part: Path) -> None:
        # A fresh checkout has no cache folder yet (the first build of a clean clone in CI).
        part.parent.mkdir(parents=True, exist_ok=True)
        with open(part, "wb") as handle:
            pickle.dump(
                {"pages": self.current, "stats": self.stats, "digests": self.current_digests},
                handle,
            )

    def merge_part(self, part: Path) -> None:
        try:
            with open(part, "rb") as handle:
                data = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError):
            return
        finally:
            part.unlink(missing_ok=True)
        self.current.update(data["pages"])
        self.current_digests.update(data.get("digests", {}))
        for key, value in data["stats"].items():
            self.stats[key] += value

    def save(self) -> None:
        if not self.enabled or self._base is None:
            return
        # write_atomic gives every writer a temporary name of its own: two builds sharing a
        # cache folder never swap halves.
        templates = (self._paginator_object_list, self._names)
        data = {"format": FORMAT, "base": self._base, "pages": self.current,
                "templates": templates, "digests": self.current_digests,
                "stats": self.stats}  # fmt: skip
        save_cache(self.path, data)
