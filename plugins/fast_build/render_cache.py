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
written only if its bytes differ). tests/build/test_fast_build.py checks that a rebuild after
edits is byte-identical to a clean build.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import logging
import os
import pickle
import re
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from jinja2 import nodes

log = logging.getLogger(__name__)

FORMAT = 1
_INTRASITE = re.compile(r"[{|](?:filename|static|attach|tag|category|author|index)[}|]")
DEPTH = 2
FILE_NAME = "fast_build_render.pickle"
_WRAPPER_PROPS = frozenset({"name", "slug", "slug_from_name", "url", "save_as"})
# Instance attributes that are not page inputs: the global context and settings (the global
# fingerprint covers settings; context values a template names are fingerprinted by name),
# and fast_build's own URL memo.
_SKIP_ATTRS = frozenset({"_context", "settings", "_fast_build_urls"})


class Uncacheable(Exception):
    """A value the encoder does not know how to fingerprint soundly."""


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
    except (pickle.PicklingError, TypeError, AttributeError) as exc:
        raise Uncacheable(str(exc)) from exc
    return hashlib.sha256(buffer.getbuffer()).hexdigest()


class Fingerprinter:
    """Per-build memo of entity fingerprints (objects are kept alive, so ids stay unique)."""

    def __init__(
        self,
        paginator_object_list: bool,
        wrapper_attrs: frozenset[str],
        content_memo: dict,
        wrapper_memo: dict | None = None,
        known_wrapper_names: frozenset[str] | None = None,
    ) -> None:
        self.Content, self.URLWrapper = _entity_types()
        self._types = (self.Content, self.URLWrapper)
        self.paginator_object_list = paginator_object_list
        self.wrapper_attrs = wrapper_attrs
        self.known_wrapper_names = known_wrapper_names
        # Articles and pages are fingerprinted whole, the same for every template: shared.
        self._content_own = content_memo
        self._wrapper_shared = {} if wrapper_memo is None else wrapper_memo
        self._own: dict[int, tuple[object, str, list]] = {}
        self._lists: dict[int, tuple[object, int, str]] = {}
        self._deep: dict[tuple[int, int], tuple[object, str]] = {}

    # -- entities ----------------------------------------------------------------------------
    def _ref(self, entity) -> str:
        kind = type(entity).__name__
        ident = getattr(entity, "source_path", None) or getattr(entity, "slug", None)
        return f"&{kind}:{ident}"

    def own(self, entity) -> tuple[str, list]:
        is_content = isinstance(entity, self.Content)
        memo = self._content_own if is_content else self._own
        hit = memo.get(id(entity))
        if hit is not None:
            return hit[1], hit[2]
        attrs = {k: v for k, v in vars(entity).items() if k not in _SKIP_ATTRS}
        if not is_content and isinstance(entity, self.URLWrapper):
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
            attrs = {
                k: v
                for k, v in attrs.items()
                if k.lstrip("_") in self.wrapper_attrs and k.lstrip("_") not in _WRAPPER_PROPS
            }
            # The same wrapper with the same attributes selected has the same digest whatever
            # the template: shared between fingerprinters (one Author per article adds up).
            shared_key = (id(entity), tuple(sorted(attrs)))
            hit = self._wrapper_shared.get(shared_key)
            if hit is not None:
                memo[id(entity)] = hit
                return hit[1], hit[2]
        else:
            shared_key = None
        refs: list = []
        out: list[str] = [type(entity).__qualname__]
        # Attribute values are serialised by a C pickler (other entities become references):
        # encoding every article's attributes in Python was most of the key time.
        out.append(stable_bytes({k: attrs[k] for k in sorted(attrs)}, refs, self._types))
        if is_content:
            # ``content``/``summary`` are ``_content``/``_summary`` with intrasite links
            # resolved against other pages' URLs and the page being written: such links make
            # the entity uncacheable; without them the raw attributes (in vars) are the input.
            if _INTRASITE.search(str(attrs.get("_content") or "")) or _INTRASITE.search(
                str(attrs.get("_summary") or "")
            ):
                raise Uncacheable("intrasite link")
            extras: tuple[str, ...] = ("url", "save_as")
        else:
            extras = ("url", "save_as", "name", "slug")
        for key in extras:
            out.append(key)
            self._encode(getattr(entity, key, None), out, refs, top=False)
        digest = hashlib.sha256("\x1f".join(out).encode()).hexdigest()
        memo[id(entity)] = (entity, digest, refs)
        if shared_key is not None:
            self._wrapper_shared[shared_key] = memo[id(entity)]
        return digest, refs

    def deep(self, entity, depth: int) -> str:
        key = (id(entity), depth)
        hit = self._deep.get(key)
        if hit is not None:
            return hit[1]
        digest, refs = self.own(entity)
        if depth > 0 and refs:
            parts = [digest, *(self.deep(ref, depth - 1) for ref in refs)]
            digest = hashlib.sha256("|".join(parts).encode()).hexdigest()
        self._deep[key] = (entity, digest)
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
                out.append("E" + self.deep(value, depth))
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
        for var in names:
            out.append(var)
            if var in localcontext:
                self._encode(localcontext[var], out, refs, top=True)
            else:
                out.append("<absent>")
        return hashlib.sha256("\x1f".join(out).encode()).hexdigest()


def wrapper_attribute_names(context: dict) -> frozenset[str]:
    """Every attribute name (``_`` stripped) of every tag, category or author reachable from
    the global context through containers and articles' and pages' attributes.

    Why: fingerprinters are shared by templates whose attribute sets agree on these names only,
    so each article's digest is computed once per build instead of once per template."""
    Content, URLWrapper = _entity_types()
    names: set[str] = set()
    seen: set[int] = set()
    pending = list(context.values())
    while pending:
        value = pending.pop()
        if isinstance(value, (str, bytes, int, float, type(None))) or id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, URLWrapper):
            attrs = {k: v for k, v in vars(value).items() if k not in _SKIP_ATTRS}
            names.update(k.lstrip("_") for k in attrs)
            pending.extend(attrs.values())
        elif isinstance(value, Content):
            pending.extend(v for k, v in vars(value).items() if k not in _SKIP_ATTRS)
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, (list, tuple, set, frozenset)):
            pending.extend(value)
    return frozenset(names)


def _is_paginator(value) -> bool:
    from pelican.paginator import Paginator

    return isinstance(value, Paginator)


def _is_page(value) -> bool:
    from pelican.paginator import Page

    return isinstance(value, Page)


def template_names(env, template_name: str, memo: dict):
    """(variable names loaded, attribute names read) by a template and every template it pulls
    in (extends, include, import); None if one of those is named dynamically."""
    if template_name in memo:
        return memo[template_name]
    seen: set[str] = set()
    names: set[str] = set()
    attrs: set[str] = set()
    pending = [template_name]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        source = env.loader.get_source(env, current)[0]
        ast = env.parse(source)
        names |= {n.name for n in ast.find_all(nodes.Name) if n.ctx == "load"}
        attrs |= {n.attr for n in ast.find_all(nodes.Getattr)}
        # item access and filter arguments (``sort(attribute="date")``) name attributes too
        attrs |= {
            part
            for n in ast.find_all(nodes.Const)
            if isinstance(n.value, str)
            for part in n.value.split(".")
        }
        for node in ast.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
            if isinstance(node.template, nodes.Const) and isinstance(node.template.value, str):
                pending.append(node.template.value)
            else:
                memo[template_name] = None
                return None
    memo[template_name] = (sorted(names), frozenset(attrs))
    return memo[template_name]


def reads_paginator_object_list(env) -> bool:
    """Whether any template reads ``<x>_paginator.object_list`` (the whole listing)."""
    try:
        templates = env.loader.list_templates()
    except (TypeError, AttributeError):
        return True
    for name in templates:
        if not name.endswith((".html", ".xml", ".txt")):
            continue
        ast = env.parse(env.loader.get_source(env, name)[0])
        for node in ast.find_all(nodes.Getattr):
            if node.attr == "object_list" and not (
                isinstance(node.node, nodes.Name) and node.node.name.endswith("_page")
            ):
                return True
    return False


class RenderCache:
    """Keys of the last build's pages, loaded from and saved to the cache folder."""

    def __init__(self, settings: dict) -> None:
        self.settings = settings
        self.path = Path(settings.get("CACHE_PATH") or "cache") / FILE_NAME
        self.enabled = bool(settings.get("FAST_BUILD_RENDER_CACHE", True))
        self.previous: dict[str, tuple[str, int, int]] = {}
        self.current: dict[str, tuple[str, int, int]] = {}
        self.stats = {"skipped": 0, "rendered": 0, "uncacheable": 0}
        self._base: str | None = None
        self._names: dict = {}
        self._fps: dict[frozenset[str], Fingerprinter] = {}
        self._content_memo: dict = {}
        self._wrapper_memo: dict = {}
        self._wrapper_names: frozenset[str] | None = None
        self._paginator_object_list = True

    def _start(self, env) -> None:
        self._base = global_fingerprint(self.settings)
        analysis = None
        try:
            with open(self.path, "rb") as handle:
                data = pickle.load(handle)
            if data.get("format") == FORMAT and data.get("base") == self._base:
                self.previous = data["pages"]
                analysis = data.get("templates")
        except (OSError, EOFError, pickle.UnpicklingError, KeyError, AttributeError, TypeError):
            self.previous = {}
        if analysis is not None:
            # The base covers every theme file: same base, same template ASTs, so what they
            # name is reused instead of parsing every template again.
            self._paginator_object_list, names = analysis
            self._names.update(names)
        else:
            self._paginator_object_list = reads_paginator_object_list(env)

    def key(self, template, localcontext: dict, name: str) -> str | None:
        if not self.enabled:
            return None
        if self._base is None:
            self._start(template.environment)
        found = template_names(template.environment, template.name, self._names)
        if found is None:
            self.stats["uncacheable"] += 1
            return None
        names, attrs = found
        if self._wrapper_names is None:
            self._wrapper_names = wrapper_attribute_names(localcontext)
        # Templates that differ only in attribute names no tag/category carries share one
        # fingerprinter, hence one memo of every entity's digest (own() checks the premise).
        attrs = (attrs & self._wrapper_names) - _WRAPPER_PROPS
        fingerprinter = self._fps.get(attrs)
        if fingerprinter is None:
            fingerprinter = self._fps[attrs] = Fingerprinter(
                self._paginator_object_list,
                attrs,
                self._content_memo,
                self._wrapper_memo,
                self._wrapper_names,
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
            pickle.dump({"pages": self.current, "stats": self.stats}, handle)

    def merge_part(self, part: Path) -> None:
        try:
            with open(part, "rb") as handle:
                data = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError):
            return
        finally:
            part.unlink(missing_ok=True)
        self.current.update(data["pages"])
        for key, value in data["stats"].items():
            self.stats[key] += value

    def save(self) -> None:
        if not self.enabled or self._base is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # A temporary name of its own: two builds sharing a cache folder never swap halves.
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        try:
            with os.fdopen(fd, "wb") as handle:
                templates = (self._paginator_object_list, self._names)
                data = {"format": FORMAT, "base": self._base, "pages": self.current,
                        "templates": templates}  # fmt: skip
                pickle.dump(data, handle)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
