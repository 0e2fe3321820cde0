"""Version-pinned patches where Pelican 4.12.0 and lunr.py 0.8.0 themselves are the bottleneck.

Each patch replaces a pure function with an equivalent one that returns the same value faster,
so the output stays byte-identical (tests/build/test_fast_build.py builds the same fixture with
and without the plugin and compares every file). Patches are applied only to the exact versions
they were written against: on any other version they are skipped with a warning, never guessed.

* ``Content.get_url_setting`` — Pelican re-formats ``url``/``save_as`` (a metadata copy, a
  settings lookup and ``str.format``) on every access; templates access them tens of times per
  article (cards on listing pages, archives, feeds, sitemap). Once every generator has finished
  building its context the inputs no longer change, so from then on (``freeze_urls``) the value
  is memoised per object. Profiled: ~12 % of a 1,000-episode build.
* ``lunr`` Porter stemmer — a pure function of the word, called for every token of every
  document; a digest's vocabulary is small, so a dictionary makes it almost free.
* ``lunr`` tokenizer — splits text one character at a time in Python; a regular expression with
  the same separator set yields the same tokens with the same positions.
* quadratic membership tests: every tag's, category's and author's articles filtered with
  ``a in list`` and every period archive's with ``a in dates`` (about 12 s of a
  10,000-episode build) — identity sets instead (articles have no ``__eq__``: checked before
  patching).
* ``process_translations`` — without translations, the same sorted list and empty
  ``translations`` without Pelican's quadratic ``x not in index`` (~0.5 s at 10,000 episodes).
* ``Content.get_relative_source_path`` — a pure function of the source path and an absolute
  ``PATH``, recomputed for every URL formatted: remembered (~0.5 s at 10,000 episodes), and
  computed by slicing when both are normalised and the file is inside ``PATH``.
* ``FileDataCacher.save_cache`` — the content cache (105 MB at 10,000 episodes) is pickled by
  a forked process while the build goes on (:func:`background_save_cache`).
  A cache loaded from its file and given no new entry during the build is not saved at all
  (:func:`unchanged_cache`): the file already holds those bytes; one given a few new entries
  saves them to a journal beside the file, loaded over it next build (:func:`save_journal`).
* ``Generator._include_path`` — ``IGNORE_FILES`` matched by one compiled expression instead
  of ``fnmatch`` per pattern per file (:func:`fast_include_path`).
* ``slugify`` as ``URLWrapper.slug`` calls it — remembered per name and options
  (:func:`memo_slugify`): every article's author and tags slugify the same few names again.
* pelican-sitemap's ``format_date`` (pinned to 1.2.2) — given a plain ``datetime`` instead of
  Pelican's slow ``SafeDatetime.strftime``: same text (:func:`plain_dates`).
* ``pelican.utils.copy_file`` — theme files were copied again on every build; identical bytes
  are now left alone, so a no-change rebuild touches no file but ``sitemap.xml`` (whose
  listing pages' ``lastmod`` is the build time, pelican-sitemap's own choice).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import re
import sys

log = logging.getLogger(__name__)

PELICAN_VERSION = "4.12.0"
LUNR_VERSION = "0.8.0"
SITEMAP_VERSION = "1.2.2"  # pelican-sitemap

_state = {"frozen": False, "applied": False}


def freeze_urls(frozen: bool) -> None:
    """Memoise URLs from now on (True) or compute them afresh every time (False)."""
    _state["frozen"] = frozen


def _patch_pelican() -> bool:
    import pelican
    from pelican.contents import Content

    if pelican.__version__ != PELICAN_VERSION:
        log.warning("fast_build: Pelican %s is not %s; URL memoisation off",
                    pelican.__version__, PELICAN_VERSION)  # fmt: skip
        return False
    original = Content.get_url_setting

    def get_url_setting(self, key: str) -> str:
        if not _state["frozen"]:
            return original(self, key)
        cache = self.__dict__.get("_fast_build_urls")
        if cache is None:
            cache = self.__dict__["_fast_build_urls"] = {}
        value = cache.get(key)
        if value is None:
            value = cache[key] = original(self, key)
        return value

    get_url_setting.__wrapped__ = original  # type: ignore[attr-defined]
    Content.get_url_setting = get_url_setting
    return True


def fast_tokenizer(original):
    """lunr's Tokenizer for the default separator, by regex instead of a per-character loop."""
    from lunr.token import Token

    words = re.compile(r"[^ \t\n\r\f\v\xa0\-]+")

    def tokenizer(obj, metadata=None, separator=None):
        if obj is None or separator is not None or isinstance(obj, (list, tuple)):
            return original(obj, metadata, separator)
        extra = metadata or {}
        tokens = []
        for index, match in enumerate(words.finditer(str(obj).lower())):
            start = match.start()
            token_metadata = {"position": [start, match.end() - start], "index": index}
            if extra:
                token_metadata.update(extra)
            tokens.append(Token(match.group(), token_metadata))
        return tokens

    tokenizer.__wrapped__ = original  # type: ignore[attr-defined]
    return tokenizer


def _patch_lunr() -> bool:
    try:
        import lunr
        import lunr.builder
        import lunr.stemmer
    except ImportError:
        return False
    if getattr(lunr, "__VERSION__", None) != LUNR_VERSION:
        log.warning("fast_build: lunr %s is not %s; lunr patches off",
                    getattr(lunr, "__VERSION__", "?"), LUNR_VERSION)  # fmt: skip
        return False
    stemmer = lunr.stemmer.porter_stemmer
    stem = type(stemmer).stem
    cache: dict[str, str] = {}

    def memo_stem(word, metadata=None):
        try:
            return cache[word]
        except KeyError:
            result = cache[word] = stem(stemmer, word)
            return result

    stemmer.stem = memo_stem  # instance attribute: the pipeline looks it up on every call
    lunr.builder.Tokenizer = fast_tokenizer(lunr.builder.Tokenizer)
    return True


def _same_bytes(path: str, data: bytes) -> bool:
    try:
        if os.stat(path).st_size != len(data):
            return False
        with open(path, "rb") as handle:
            return handle.read() == data
    except OSError:
        return False


def _patch_copy() -> bool:
    """Theme and static files are copied again on every build: skip a file whose bytes are
    already there (``pelican.utils.copy_file``, called by ``copy`` for every file)."""
    import pelican
    import pelican.utils

    if pelican.__version__ != PELICAN_VERSION:
        return False
    original = pelican.utils.copy_file

    def copy_file(source: str, destination: str) -> None:
        try:
            if os.path.getsize(source) == os.path.getsize(destination):
                with open(source, "rb") as handle:
                    if _same_bytes(destination, handle.read()):
                        return
        except OSError:
            pass
        original(source, destination)

    copy_file.__wrapped__ = original  # type: ignore[attr-defined]
    pelican.utils.copy_file = copy_file
    return True


class IdList(list):
    """A list whose ``in`` is a set lookup by identity: Pelican 4.12.0 filters every tag's and
    category's articles with ``[a for a in self.dates if a in articles]``, quadratic (about
    9 s at 10,000 episodes). Articles define no ``__eq__``, so identity is equality."""

    def __contains__(self, item) -> bool:
        ids = self.__dict__.get("_ids")
        if ids is None or ids[0] != len(self):
            ids = self.__dict__["_ids"] = (len(self), {id(x) for x in self})
        return id(item) in ids[1]


def _identity_equality() -> bool:
    from pelican.contents import Content

    return Content.__eq__ is object.__eq__ and Content.__hash__ is object.__hash__


def fast_membership(generator) -> None:
    """``article_generator_finalized``: each tag's, category's and author's article list
    becomes an :class:`IdList` (same items, same order) before the pages are generated."""
    if not _state.get("membership"):
        return
    tags = getattr(generator, "tags", None)
    if isinstance(tags, dict):
        for tag, articles in list(tags.items()):
            if type(articles) is list:
                tags[tag] = IdList(articles)
    # Authors too: the one editor-author holds every episode, and its filter ran even though
    # AUTHOR_SAVE_AS = "" writes no author page (~0.65 s of one core at 10,000 episodes).
    for name in ("categories", "authors"):
        entries = getattr(generator, name, None)
        if isinstance(entries, list):
            for i, entry in enumerate(entries):
                if isinstance(entry, tuple) and len(entry) == 2 and type(entry[1]) is list:
                    entries[i] = (entry[0], IdList(entry[1]))


def _patch_period_archives() -> bool:
    """``_build_period_archives`` fills each period's ``articles`` with
    ``[a for a in articles if a in dates]`` (quadratic); the same lists are built in one pass
    (every article is in exactly one period of each granularity)."""
    import pelican
    from pelican.generators import ArticlesGenerator

    if pelican.__version__ != PELICAN_VERSION or not _identity_equality():
        return False
    original = ArticlesGenerator._build_period_archives

    def _build_period_archives(self, sorted_articles, articles, settings):
        archives = original(self, sorted_articles, [], settings)
        for group in archives.values():
            owner: dict[int, list] = {}
            for archive in group:
                archive["articles"] = []
                for article in archive["dates"]:
                    owner[id(article)] = archive["articles"]
            for article in articles:
                target = owner.get(id(article))
                if target is not None:
                    target.append(article)
        return archives

    _build_period_archives.__wrapped__ = original  # type: ignore[attr-defined]
    ArticlesGenerator._build_period_archives = _build_period_archives
    return True


def _normalised(path: str) -> bool:
    """Whether ``path`` is an absolute POSIX path ``os.path.abspath`` leaves as it is: no
    empty, ``.`` or ``..`` segment, no trailing slash, not the root itself."""
    ended = path + "/"
    return path.startswith("/") and "//" not in ended and "/./" not in ended and "/../" not in ended


def plain_relative_path(path: str, root: str) -> str | None:
    """What Pelican 4.12.0's ``get_relative_source_path`` returns for an absolute ``path``
    inside the absolute content folder ``root``, both already normalised: the rest of
    ``path`` after ``root/`` (``relpath`` of two ``abspath``, ~30 us a file, 10,000 files
    read every build); None for any other case, which Pelican's own method answers."""
    if os.sep != "/" or os.altsep is not None:
        return None
    if not (path.startswith(root) and path[len(root) : len(root) + 1] == "/"):
        return None
    if not (_normalised(path) and _normalised(root)):
        return None
    return path[len(root) + 1 :]


def memo_relative_source_path(original):
    """``Content.get_relative_source_path``, remembered per (source path, content ``PATH``).

    Pelican 4.12.0 computes it (two ``abspath``, a ``relpath``) in every ``url_format``, i.e.
    for each ``url``/``save_as`` not yet memoised: ~60,000 times (~0.5 s) at 10,000 episodes,
    while reading and while the plugins run on one core. With an absolute ``PATH`` (Pelican's
    settings make it so) the value depends on those two strings only; otherwise, and for an
    object without a source path, Pelican's own method answers."""
    memo: dict[tuple[str, str], str | None] = {}

    def get_relative_source_path(self, source_path=None):
        path = source_path or self.source_path
        root = self.settings["PATH"]
        if path is None or not isinstance(root, str) or not os.path.isabs(root):
            return original(self, source_path)
        key = (path, root)
        try:
            return memo[key]
        except KeyError:
            value = plain_relative_path(path, root)
            if value is None:
                value = original(self, source_path)
            memo[key] = value
            return value

    get_relative_source_path.__wrapped__ = original  # type: ignore[attr-defined]
    return get_relative_source_path


def fast_include_path(original):
    """``Generator._include_path`` with ``IGNORE_FILES`` tried as one compiled regular
    expression (the patterns' ``fnmatch.translate`` as alternatives) instead of ``fnmatch``
    pattern by pattern: Pelican 4.12.0 asks for every content file three times a build (and
    markdown_reader once more), 4 patterns each: ~160,000 ``fnmatch`` calls at 10,000
    episodes. On POSIX ``fnmatch`` is ``fnmatchcase`` (no case folding), so a name matches the
    alternation exactly when it matches one of the patterns; elsewhere, and for settings that
    are not a list of strings, Pelican's own method answers."""
    import fnmatch

    compiled: dict[tuple[str, ...], object] = {}

    def _include_path(self, path, extensions=None):
        ignores = self.settings["IGNORE_FILES"]
        if (
            os.name != "posix"
            or not isinstance(path, str)
            or not isinstance(ignores, (list, tuple))
            or not all(isinstance(pattern, str) for pattern in ignores)
        ):
            return original(self, path, extensions)
        key = tuple(ignores)
        match = compiled.get(key)
        if match is None:
            # "(?!)" never matches: no pattern, nothing ignored
            joined = "|".join(fnmatch.translate(pattern) for pattern in key) or "(?!)"
            match = compiled[key] = re.compile(joined).match
        if extensions is None:
            extensions = tuple(self.readers.extensions)
        basename = os.path.basename(path)
        if match(basename) is not None:
            return False
        ext = os.path.splitext(basename)[1][1:]
        return bool(extensions is False or ext in extensions)

    _include_path.__wrapped__ = original  # type: ignore[attr-defined]
    return _include_path


def _patch_include_path() -> bool:
    import pelican
    from pelican.generators import Generator

    if pelican.__version__ != PELICAN_VERSION:
        return False
    Generator._include_path = fast_include_path(Generator._include_path)
    return True


def _patch_relative_source_path() -> bool:
    import pelican
    from pelican.contents import Content

    if pelican.__version__ != PELICAN_VERSION:
        return False
    Content.get_relative_source_path = memo_relative_source_path(Content.get_relative_source_path)
    return True


def fast_process_translations(original):
    """``process_translations`` for the common case, a site without translations: when every
    item has its own translation id and none is marked as a translation, Pelican 4.12.0 sorts
    the list by the id, gives each item ``translations = []``, and returns the sorted items and
    no translation, but finds that out with ``[x for x in content_list if x not in index]``
    (quadratic: ~0.5 s of one core at 10,000 episodes, between reading and the plugins). Any
    other case, including every case that logs a warning, goes to Pelican's own function."""
    from operator import attrgetter

    def process_translations(content_list, translation_id=None):
        if not translation_id:
            return original(content_list, translation_id)
        ids = {translation_id} if isinstance(translation_id, str) else translation_id
        try:
            key = attrgetter(*ids)
            values = [key(item) for item in content_list]
            distinct = len(set(values)) == len(values)
            flagged = any(
                item.metadata.get("translation", "false").lower() != "false"
                for item in content_list
            )
        except Exception:  # Pelican's function raises (or handles) it with its own message
            return original(content_list, translation_id)
        if not distinct or flagged:
            return original(content_list, translation_id)
        content_list.sort(key=key)
        for item in content_list:
            item.translations = []
        return list(content_list), []

    process_translations.__wrapped__ = original  # type: ignore[attr-defined]
    return process_translations


def _patch_translations() -> bool:
    import pelican
    import pelican.generators

    if pelican.__version__ != PELICAN_VERSION:
        return False
    original = pelican.generators.process_translations
    pelican.generators.process_translations = fast_process_translations(original)
    return True


# A Pelican content cache with at least this many entries is saved by a forked process.
BACKGROUND_SAVE_MIN = 200
# A cache loaded from its file and unchanged since is not saved (:func:`unchanged_cache`); a
# module flag, not a setting: Pelican's cache pickles the settings (tests compare its bytes).
SKIP_UNCHANGED_SAVE = True
# A loaded cache given at most this many new entries since its file was written saves them to
# a journal beside it (:func:`save_journal`) instead of pickling the whole cache again.
JOURNAL_MAX = 1000
_savers: list[tuple[int, str]] = []  # (pid, cache file) of background saves not yet joined


def background_save_cache(original):
    """``FileDataCacher.save_cache`` (Pelican 4.12.0) in a forked process, for a large cache.

    Pelican pickles the readers' cache (every article's HTML and metadata: 105 MB at 10,000
    episodes, ~1 s) at the end of the articles' context, in the one process, while the other
    core idles. The cache is final there, so a fork pickles exactly what Pelican would, writes
    it to a temporary file and renames it over the cache (a reader never sees half a file; a
    failed save leaves the previous cache, whose stamps still guard every entry), and the build
    goes on; :func:`join_saves` waits for it at ``finalized``. Off (``FAST_BUILD_CACHE_PROCESS
    = False``), without ``fork`` or for a small cache, Pelican's own method runs."""
    import pickle

    from pelican.utils import mkdir_p

    def save_cache(self):
        cache = getattr(self, "_cache", None)
        if SKIP_UNCHANGED_SAVE and unchanged_cache(self):
            log.debug("fast_build: %s unchanged since it was loaded; not saved", self._cache_path)
            return None
        if JOURNAL_MAX and save_journal(self):
            return None
        if getattr(self, "_cache_data_policy", False):  # a whole save: no journal over it
            with contextlib.suppress(OSError):
                os.remove(_journal_path(self._cache_path))
        if (
            not _state.get("background_save")
            or not getattr(self, "_cache_data_policy", False)
            or not hasattr(os, "fork")
            or not isinstance(cache, dict)
            or len(cache) < BACKGROUND_SAVE_MIN
        ):
            return original(self)
        path = self._cache_path
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child, checked by the file it writes
            code = 1
            tmp = f"{path}.{os.getpid()}.tmp"
            try:
                mkdir_p(self.settings["CACHE_PATH"])
                with self._cache_open(tmp, "wb") as handle:
                    pickle.dump(cache, handle)
                os.replace(tmp, path)
                code = 0
            except BaseException as err:
                log.warning("Could not save cache %s\n ... %s", path, err)
                with contextlib.suppress(OSError):
                    os.remove(tmp)
            finally:
                os._exit(code)
        _savers.append((pid, path))
        return None

    save_cache.__wrapped__ = original  # type: ignore[attr-defined]
    return save_cache


def _file_identity(path: str) -> tuple[int, int, int, int, int] | None:
    """What tells a file's bytes apart without reading them: size, modification and change
    times, inode, device (``None`` if it cannot be stat'ed)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def _journal_path(path: str) -> str:
    return f"{path}.journal"


def load_journal(cacher, loaded: tuple) -> dict:
    """The entries a journal beside ``cacher``'s file holds for exactly that file (``loaded``:
    its identity when it was read), or nothing. A journal written over another version of the
    cache file (replaced by a whole save, copied, restored) is ignored: its files are read
    again, their stamps no longer matching the older file's."""
    import pickle

    try:
        with cacher._cache_open(_journal_path(cacher._cache_path), "rb") as handle:
            record = pickle.load(handle)
    except FileNotFoundError:
        return {}
    except Exception as err:  # a damaged journal: read those files again
        log.warning("fast_build: ignoring the cache journal of %s (%s)", cacher._cache_path, err)
        return {}
    if not isinstance(record, dict) or record.get("base") != loaded:
        return {}
    entries = record.get("entries")
    return entries if isinstance(entries, dict) else {}


def save_journal(cacher) -> bool:
    """Save a loaded cache's new entries (with those of its journal) to the journal, when the
    cache file is still the one loaded and they are few (``JOURNAL_MAX``); False to have the
    whole cache saved instead.

    A one-episode edit at 10,000 episodes otherwise has a forked process pickle and write all
    105 MB of the cache for one entry. The next build loads the file then the journal over it
    (:func:`note_cache_load`): the same entries, in the same order, as a whole save would have
    left (an edited file's entry keeps its place, a new file's comes last), which
    test_rebuild_cache_skip.py checks against a whole save."""
    import pickle

    loaded = getattr(cacher, "_fast_build_loaded", None)
    changed = getattr(cacher, "_fast_build_changed", None)
    if (
        loaded is None
        or not changed
        or not getattr(cacher, "_cache_data_policy", False)
        or _file_identity(cacher._cache_path) != loaded
    ):
        return False
    entries = dict(cacher._fast_build_journal)
    for key in changed:
        entries[key] = cacher._cache[key]
    if len(entries) > JOURNAL_MAX:
        return False
    path = _journal_path(cacher._cache_path)
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with cacher._cache_open(tmp, "wb") as handle:
            pickle.dump({"base": loaded, "entries": entries}, handle)
        os.replace(tmp, path)
    except Exception as err:
        log.warning("fast_build: could not write the cache journal %s (%s)", path, err)
        with contextlib.suppress(OSError):
            os.remove(tmp)
        return False
    return True


def unchanged_cache(cacher) -> bool:
    """Whether ``cacher``'s file still holds exactly what ``cacher._cache`` would pickle to.

    True when the cache was loaded from its file (not empty), no ``cache_data`` call has added
    or replaced an entry since, and the file is the one that was loaded (same stat). Pelican's
    content cache never drops an entry and its entries are not changed in place (their pickled
    bytes after a no-change rebuild equal the loaded file's: test_rebuild_cache_skip.py), so
    saving it again would write the file's own bytes: at 10,000 episodes a forked process
    pickling and writing 105 MB on every no-change rebuild."""
    loaded = getattr(cacher, "_fast_build_loaded", None)
    return (
        loaded is not None
        and not getattr(cacher, "_fast_build_changed", True)
        and _file_identity(cacher._cache_path) == loaded
    )


def note_cache_load(original):
    """``FileDataCacher.__init__`` (Pelican 4.12.0), recording the identity of the file a
    non-empty cache was loaded from, for :func:`unchanged_cache`, and adding the entries of
    its journal (:func:`save_journal`). With ``_state["after_cache_load"]`` set, the load
    runs with the cyclic collector paused and the hook is called before it is back on."""

    def __init__(self, settings, cache_name, caching_policy, load_policy):
        path = os.path.join(settings["CACHE_PATH"], cache_name)
        before = _file_identity(path) if load_policy else None
        after_load = _state.get("after_cache_load")
        if after_load is None:
            original(self, settings, cache_name, caching_policy, load_policy)
        else:
            # the hook (a freeze) runs before the collector is back: the first allocation
            # after would start a collection walking everything just loaded
            with _collector_paused():
                original(self, settings, cache_name, caching_policy, load_policy)
                after_load()
        self._fast_build_changed = {}  # keys given by cache_data, in order
        self._fast_build_loaded = (
            before
            if before is not None and self._cache and _file_identity(path) == before
            else None
        )
        self._fast_build_journal = {}
        if self._fast_build_loaded is not None and JOURNAL_MAX:
            self._fast_build_journal = load_journal(self, self._fast_build_loaded)
            self._cache.update(self._fast_build_journal)

    __init__.__wrapped__ = original  # type: ignore[attr-defined]
    return __init__


@contextlib.contextmanager
def _collector_paused():
    """The cyclic collector off while a content cache is unpickled: the load (a million
    objects at 10,000 episodes) makes no garbage, yet the collections its allocations trigger
    walked everything loaded so far, full ones included, and full ones while the articles
    were built from it walked it again (at 10,000 episodes 0.17 + 0.15 s of a rebuild's
    0.35 s of full collections). ``after_cache_load`` (fast_build's ``freeze_heap``) then
    keeps the loaded objects out of later collections."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def note_cache_data(original):
    """``FileDataCacher.cache_data`` (Pelican 4.12.0; ``FileStampDataCacher``'s calls it),
    marking the cache as changed since it was loaded."""

    def cache_data(self, filename, data):
        changed = self.__dict__.setdefault("_fast_build_changed", {})
        changed[filename] = None
        return original(self, filename, data)

    cache_data.__wrapped__ = original  # type: ignore[attr-defined]
    return cache_data


def join_saves() -> None:
    """Wait for the background cache saves: their files are complete when the build ends."""
    while _savers:
        pid, path = _savers.pop(0)
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            log.warning("fast_build: saving the cache %s failed (exit code %d); the next build "
                        "reads the files it misses again", path, code)  # fmt: skip


def _patch_cache_save() -> bool:
    import pelican
    from pelican.cache import FileDataCacher

    if pelican.__version__ != PELICAN_VERSION:
        return False
    FileDataCacher.__init__ = note_cache_load(FileDataCacher.__init__)
    FileDataCacher.cache_data = note_cache_data(FileDataCacher.cache_data)
    FileDataCacher.save_cache = background_save_cache(FileDataCacher.save_cache)
    return True


def memo_slugify(original):
    """``slugify`` for ``URLWrapper.slug``, remembered per (name, options).

    Every article read gets its own ``Author`` (``AUTHOR``) and its own ``Tag`` objects, and
    each slugifies its name on first use (NFKC, strip tags, four regex substitutions: ~16 µs):
    ~14,000 times at 10,000 episodes, in the parent while it reads and while the plugins run,
    for a few dozen distinct names. The value is a pure function of the arguments; a name or
    option that cannot be a dictionary key goes to Pelican's function."""
    memo: dict[tuple, str] = {}

    def slugify(value, regex_subs=(), preserve_case=False, use_unicode=False):
        try:
            key = (type(value), value, tuple(map(tuple, regex_subs)), preserve_case, use_unicode)
            hash(key)
        except TypeError:
            return original(value, regex_subs, preserve_case, use_unicode)
        try:
            return memo[key]
        except KeyError:
            result = memo[key] = original(value, regex_subs, preserve_case, use_unicode)
            return result

    slugify.__wrapped__ = original  # type: ignore[attr-defined]
    return slugify


def _patch_slugify() -> bool:
    import pelican
    import pelican.urlwrappers

    if pelican.__version__ != PELICAN_VERSION:
        return False
    pelican.urlwrappers.slugify = memo_slugify(pelican.urlwrappers.slugify)
    return True


def plain_dates(original):
    """pelican-sitemap's ``format_date`` given a plain ``datetime``: Pelican's ``SafeDatetime``
    formats each directive on its own through a regex pass (for ``%-d`` and locales), ~30 µs
    a page in the sitemap written at ``finalized`` while nothing else runs (13,000 pages at
    10,000 episodes). For the sitemap's directives (``%Y-%m-%dT%H:%M:%S``, ``%z``) the native
    method gives the same text; the copy keeps every field, the zone and ``fold`` (``timetz``)."""
    import datetime

    def format_date(date):
        if type(date) is datetime.datetime or not isinstance(date, datetime.datetime):
            return original(date)
        return original(datetime.datetime.combine(date.date(), date.timetz()))

    format_date.__wrapped__ = original  # type: ignore[attr-defined]
    return format_date


def _patch_sitemap() -> bool:
    try:
        from importlib.metadata import version

        from pelican.plugins.sitemap import sitemap

        if version("pelican-sitemap") != SITEMAP_VERSION:
            return False
    except Exception:  # not installed: nothing to patch
        return False
    sitemap.format_date = plain_dates(sitemap.format_date)
    return True


def apply() -> dict[str, bool]:
    """Apply every patch once per process; return which ones are active."""
    if not _state["applied"]:
        _state["applied"] = True
        _state["pelican"] = _patch_pelican()
        _state["lunr"] = _patch_lunr()
        _state["copy"] = _patch_copy()
        _state["archives"] = _patch_period_archives()
        _state["translations"] = _patch_translations()
        _state["relative_path"] = _patch_relative_source_path()
        _state["include_path"] = _patch_include_path()
        _state["cache_save"] = _patch_cache_save()
        _state["sitemap"] = _patch_sitemap()
        _state["slugify"] = _patch_slugify()
        _state["membership"] = _state["pelican"] and _identity_equality()
    names = ("pelican", "lunr", "copy", "archives", "membership", "translations", "relative_path",
             "cache_save", "sitemap", "slugify", "include_path")  # fmt: skip
    return {key: _state[key] for key in names}
