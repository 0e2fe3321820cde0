"""fast_build's path patches (plugins/fast_build/patches.py) against Pelican 4.12.0's own
functions: a content file's path relative to ``PATH`` (sliced when both are normalised), and
whether a file is content (``IGNORE_FILES`` as one compiled expression).
"""

from __future__ import annotations

from pelican.contents import Article

from plugins.fast_build import patches

ROOTS = ["/site/content", "/site/content/", "/site//content", "/site/./content",
         "/site/x/../content", "/", "/site"]  # fmt: skip
TAILS = ["e/a.md", "e//a.md", "e/./a.md", "e/../a.md", "e/a.md/", "e/a.md/.", "", "/", ".",
         "..", "e/..a.md", "e/.a.md", "e/a..md"]  # fmt: skip


def test_sliced_relative_paths_are_pelicans():
    """``plain_relative_path`` (a slice when the source file is under the content folder and
    both paths are normalised) gives Pelican's ``relpath`` of two ``abspath`` or nothing:
    paths with doubled slashes, ``.``/``..`` segments, trailing slashes, a root that is only a
    prefix of the folder name (``/site`` of ``/sitex``), the folder itself."""
    from types import SimpleNamespace

    original = Article.get_relative_source_path
    original = getattr(original, "__wrapped__", original)
    sliced = 0
    for root in ROOTS:
        item = SimpleNamespace(settings={"PATH": root}, source_path=None)
        for base in (root, root.rstrip("/") + "x", "/elsewhere"):
            for tail in TAILS:
                path = f"{base.rstrip('/')}/{tail}" if tail else base
                fast = patches.plain_relative_path(path, root)
                if fast is not None:
                    sliced += 1
                    assert fast == original(item, path), (root, path)
                    assert path.startswith(root + "/")
    # the normal case (an episode under an absolute, normalised PATH) takes the slice
    assert patches.plain_relative_path("/site/content/e/a.md", "/site/content") == "e/a.md"
    assert sliced >= 8


PATTERN_SETS = [
    [".#*", "*.yml", "*.yaml", "README*"],  # pelicanconf.py's
    ["**/.*"],  # Pelican's default
    [],
    ["[!a]*.md", "?.md", "*.[mM]d"],
    ["a|b", "(x)*", "*.+", "[]]*", "{a,b}.md", "a\\*.md"],
]
NAMES = ["a.md", "b.md", ".#a.md", "README.md", "readme.md", "x.yml", "x.YML", "x.yaml", "a|b",
         "(x)y.md", "x.+", "].md", "{a,b}.md", "a*.md", "a\\x.md", ".hidden.md", "a.markdown",
         "noext", "a.MD", "ab.md", "a.md\n", "é.md", "xREADME.md", "a.#b.md", "za.md"]  # fmt: skip


def test_compiled_ignore_patterns_are_pelicans():
    """``fast_include_path`` answers as Pelican's ``_include_path`` for every file name, set of
    ``IGNORE_FILES`` patterns (wildcards, ranges, negation, characters special to regular
    expressions, none at all) and extension filter; and it is what Pelican calls once patched."""
    from types import SimpleNamespace

    from pelican.generators import Generator

    original = getattr(Generator._include_path, "__wrapped__", Generator._include_path)
    fast = patches.fast_include_path(original)
    readers = SimpleNamespace(extensions=["md", "html", "markdown"])
    compared = 0
    for patterns in PATTERN_SETS:
        generator = SimpleNamespace(settings={"IGNORE_FILES": patterns}, readers=readers)
        for name in NAMES:
            for folder in ("", "episodes/", "a/.hidden/"):
                for extensions in (None, False, ("md",)):
                    path = folder + name
                    expected = original(generator, path, extensions)
                    assert fast(generator, path, extensions) is expected, (patterns, path)
                    compared += 1
    assert compared == len(PATTERN_SETS) * len(NAMES) * 9
    if patches.apply()["include_path"]:
        assert Generator._include_path.__wrapped__ is original
