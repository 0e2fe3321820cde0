#!/usr/bin/env python3
"""Editors' tool for topics: list, add, remove, rename, merge, validate.

    python scripts/topics.py list
    python scripts/topics.py add kubernetes content/episodes/foo.md [--apply]
    python scripts/topics.py remove heroku content/episodes/foo.md [--apply]
    python scripts/topics.py rename k8s kubernetes [--apply]
    python scripts/topics.py merge ci-cd deploys --into delivery [--apply]
    python scripts/topics.py validate

Every command that changes files is a dry run by default: it prints a unified diff of what it
would change. Add ``--apply`` to write (atomically: a temporary file, then ``os.replace``).
Only the ``tags`` field of the front matter is touched; every other byte of each file — other
keys, comments, blank lines, line endings, the body — stays exactly as it was. Block lists
(``tags:`` then ``- a`` lines), flow lists (``tags: [a, b]``) and Pelican's comma strings
(``tags: a, b``) are kept in their own style, and comments next to tag items survive.

``rename`` and ``merge`` change episode files only. ``content/topics.yml`` is the editors' to
change by hand (it is commented, and a script would lose that): the command prints what to
change there. See docs/topics.md.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from digest.frontmatter import read_episode_text  # noqa: E402
from digest.store import write_atomic  # noqa: E402
from digest.taxonomy import Taxonomy, TaxonomyError, load_taxonomy, normalise_key  # noqa: E402

DEFAULT_TOPICS = ROOT / "content" / "topics.yml"
DEFAULT_EPISODES = ROOT / "content" / "episodes"
# Episodes are dated articles (pages under content/pages are not validated here).
REQUIRED_FIELDS = ("title", "date")

_FENCE_RE = re.compile(r"^---[ \t]*(\r?\n|\r)?$")
_END_RE = re.compile(r"^(?:---|\.\.\.)[ \t]*(\r?\n|\r)?$")
_TAGS_KEY_RE = re.compile(r"^(?P<key>tags[ \t]*:)(?P<rest>.*?)(?P<nl>\r?\n|\r)?$")
_ITEM_RE = re.compile(
    r"^(?P<prefix>[ \t]*-[ \t]+)(?P<value>(?:\"[^\"]*\"|'[^']*'|[^#\r\n]*?))"
    r"(?P<suffix>[ \t]*(?:#[^\r\n]*)?)(?P<nl>\r?\n|\r)?$"
)


class FrontMatterError(ValueError):
    """A problem in a file's front matter; ``str()`` is ``file:line: message``."""

    def __init__(self, path: Path | str, line: int, message: str) -> None:
        self.path, self.line, self.message = str(path), line, message
        super().__init__(f"{path}:{line}: {message}")


@dataclass
class TagsField:
    """Where the ``tags`` field sits in a file's lines, and what it holds.

    ``start``/``end`` index the lines of the field (end exclusive); ``start is None`` when the
    front matter has no ``tags`` key (``end`` is then where one would be inserted).
    """

    lines: list[str]
    fm_end: int  # index of the closing '---' line
    start: int | None
    end: int
    style: str  # "block" | "flow" | "scalar" | "empty" | "absent"
    values: list[str]
    newline: str


def _newline_of(lines: list[str]) -> str:
    for line in lines:
        if line.endswith("\r\n"):
            return "\r\n"
        if line.endswith("\n"):
            return "\n"
    return "\n"


def split_front_matter(text: str, path: Path | str = "<text>") -> tuple[list[str], int]:
    """The file's lines (with their endings) and the index of the closing fence."""
    lines = text.splitlines(keepends=True)
    if not lines or not _FENCE_RE.match(lines[0].lstrip("\ufeff")):
        raise FrontMatterError(path, 1, "no YAML front matter (the file must start with '---')")
    for i in range(1, len(lines)):
        if _END_RE.match(lines[i]):
            return lines, i
    raise FrontMatterError(path, 1, "front matter is not closed by a '---' line")


def _is_top_level_key(line: str) -> bool:
    return bool(line) and not line[0].isspace() and line[0] not in "-#\r\n" and ":" in line


def find_tags(text: str, path: Path | str = "<text>") -> TagsField:
    """Locate and parse the ``tags`` field; raises FrontMatterError with a line number."""
    lines, fm_end = split_front_matter(text, path)
    newline = _newline_of(lines)
    start = None
    for i in range(1, fm_end):
        if _TAGS_KEY_RE.match(lines[i]):
            start = i
            break
    if start is None:
        return TagsField(lines, fm_end, None, fm_end, "absent", [], newline)
    rest = _TAGS_KEY_RE.match(lines[start]).group("rest")
    stripped = rest.split(" #")[0].strip() if not rest.strip().startswith(("'", '"')) else rest
    end = start + 1
    if stripped.startswith("["):
        style = "flow"
        # a flow list may run over several lines until its closing bracket
        depth_text = rest
        while "]" not in depth_text.split("#")[0] and end < fm_end:
            depth_text += lines[end]
            end += 1
    elif stripped.strip() == "":
        # block list: following lines that are items, comments or blank, up to the next key
        last_item = start
        j = start + 1
        while j < fm_end:
            line = lines[j]
            if _is_top_level_key(line):
                break
            if line.lstrip().startswith("-"):
                last_item = j
            elif line.strip() and not line.lstrip().startswith("#") and not line[0].isspace():
                break
            j += 1
        end = last_item + 1
        style = "block" if last_item > start else "empty"
    else:
        style = "scalar"
    block = "".join(lines[start:end])
    try:
        data = yaml.safe_load(block)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = start + 1 + (mark.line if mark else 0)
        raise FrontMatterError(path, line, f"broken YAML in tags: {exc}") from None
    value = data.get("tags") if isinstance(data, dict) else None
    if value is None:
        values: list[str] = []
        if style == "scalar":  # "tags: ~" / "tags: null": rewrite as a flow list
            style = "flow"
    elif isinstance(value, list):
        values = [str(v) for v in value if v is not None]
    elif isinstance(value, str):
        # Pelican's own style: a comma-separated string
        values = [v.strip() for v in value.split(",") if v.strip()]
        style = "scalar"
    else:
        raise FrontMatterError(path, start + 1, f"tags must be a list, got {value!r}")
    return TagsField(lines, fm_end, start, end, style, values, newline)


def _yaml_scalar(value: str) -> str:
    """A tag as a plain YAML scalar when safe, else double-quoted."""
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 ._/+-]*", value) and yaml.safe_load(value) == value:
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def rewrite_tags(text: str, new_values: list[str], path: Path | str = "<text>") -> str:
    """``text`` with its ``tags`` replaced by ``new_values``; every other byte unchanged.

    Kept items keep their own lines (and comments) in block lists; renamed items keep their
    quoting and comments; new items copy the indentation of the existing ones.
    """
    field = find_tags(text, path)
    if field.values == new_values:
        return text
    lines, nl = list(field.lines), field.newline
    if field.style == "absent":
        if not new_values:
            return text
        block = [f"tags:{nl}"] + [f"- {_yaml_scalar(v)}{nl}" for v in new_values]
        return "".join(lines[: field.fm_end] + block + lines[field.fm_end :])
    assert field.start is not None
    first = lines[field.start]
    m = _TAGS_KEY_RE.match(first)
    assert m is not None
    key, line_end = m.group("key"), m.group("nl") or ""
    if field.style == "scalar" and any(_yaml_scalar(v) != v or "," in v for v in new_values):
        field.style = "flow"  # a comma string cannot hold this value: switch to a flow list
    if field.style == "flow" or (field.style == "empty" and not new_values):
        comment = _trailing_comment("".join(lines[field.start : field.end]))
        new = [f"{key} [{', '.join(_yaml_scalar(v) for v in new_values)}]{comment}{line_end}"]
        if field.end - field.start > 1 and not line_end:
            new[0] += nl
        return "".join(lines[: field.start] + new + lines[field.end :])
    if field.style == "scalar":
        comment = _trailing_comment(m.group("rest"))
        new = [f"{key} {', '.join(new_values)}{comment}{line_end}"]
        return "".join(lines[: field.start] + new + lines[field.end :])
    if not new_values:
        # block list emptied: keep the key, say it is empty, drop the items
        body = [ln for ln in lines[field.start + 1 : field.end] if not _ITEM_RE.match(ln)]
        body = [ln for ln in body if ln.strip()]
        new = [f"{key} []{_trailing_comment(m.group('rest'))}{line_end or nl}", *body]
        return "".join(lines[: field.start] + new + lines[field.end :])
    # block list (or an empty key gaining items): surgical edit of item lines
    item_lines = [
        (i, _ITEM_RE.match(lines[i]))
        for i in range(field.start + 1, field.end)
        if _ITEM_RE.match(lines[i])
    ]
    prefix = item_lines[0][1].group("prefix") if item_lines else "- "
    old_vals = list(field.values)
    out_items: dict[int, str | None] = {}
    # Each old item line whose value is kept stays as it is (comments and all). Lines whose
    # value goes become slots: the values still to place fill them in order, keeping the
    # line's quoting and comment (so a rename stays in place); unused slots are dropped and
    # values left over are appended after the last item, with the same indentation.
    remaining = list(new_values)
    for (idx, _im), old in zip(item_lines, old_vals, strict=False):
        if old in remaining:
            remaining.remove(old)
            out_items[idx] = lines[idx]
        else:
            out_items[idx] = None
    # a rename: put the first new value into the first dropped slot, keeping quotes/comments
    for (idx, im), _old in zip(item_lines, old_vals, strict=False):
        if out_items[idx] is None and remaining:
            value = remaining.pop(0)
            quote = im.group("value")[:1] if im.group("value")[:1] in "'\"" else ""
            shown = f"{quote}{value}{quote}" if quote else _yaml_scalar(value)
            out_items[idx] = (
                f"{im.group('prefix')}{shown}{im.group('suffix')}{im.group('nl') or ''}"
            )
    new_lines: list[str] = [first]
    last_item_idx = item_lines[-1][0] if item_lines else field.start
    for i in range(field.start + 1, field.end):
        if i in out_items:
            if out_items[i] is not None:
                new_lines.append(out_items[i])
        else:
            new_lines.append(lines[i])
        if i == last_item_idx:
            new_lines += _append(remaining, prefix, lines[i], nl)
            remaining = []
    if remaining:
        new_lines += _append(remaining, prefix, "", nl)
    if new_lines and not new_lines[-1].endswith(("\n", "\r")):
        new_lines[-1] += nl
    return "".join(lines[: field.start] + new_lines + lines[field.end :])


def _append(values: list[str], prefix: str, previous: str, nl: str) -> list[str]:
    out = []
    if values and previous and not previous.endswith(("\n", "\r")):
        out.append(nl)
    out += [f"{prefix}{_yaml_scalar(v)}{nl}" for v in values]
    return out


def _trailing_comment(text: str) -> str:
    """`` # comment`` after a flow list or scalar (outside quotes), or ''."""
    text = text.rstrip("\r\n")
    in_quote = ""
    for i, ch in enumerate(text):
        if in_quote:
            if ch == in_quote:
                in_quote = ""
        elif ch in "'\"":
            in_quote = ch
        elif ch == "#" and (i == 0 or text[i - 1] in " \t"):
            j = i
            while j > 0 and text[j - 1] in " \t":
                j -= 1
            return text[j:]
    return ""


# -- operations -------------------------------------------------------------------------------


def _same(a: str, b: str, taxonomy: Taxonomy | None) -> bool:
    if normalise_key(a) == normalise_key(b):
        return True
    if taxonomy is not None:
        ra, rb = taxonomy.resolve(a), taxonomy.resolve(b)
        return ra is not None and ra == rb
    return False


def op_add(values: list[str], slug: str, taxonomy: Taxonomy | None) -> list[str]:
    return values if any(_same(v, slug, taxonomy) for v in values) else [*values, slug]


def op_remove(values: list[str], topic: str, taxonomy: Taxonomy | None) -> list[str]:
    return [v for v in values if not _same(v, topic, taxonomy)]


def op_replace(values: list[str], olds: list[str], new: str) -> list[str]:
    """Replace every tag matching one of ``olds`` (by name, not via aliases) with ``new``."""
    keys = {normalise_key(o) for o in olds}
    out: list[str] = []
    for v in values:
        v2 = new if normalise_key(v) in keys else v
        if normalise_key(v2) not in {normalise_key(x) for x in out}:
            out.append(v2)
    return out


def episode_files(paths: list[str] | None, content: Path) -> list[Path]:
    if paths:
        return [Path(p) for p in paths]
    return sorted(content.rglob("*.md"))


def _read(path: Path) -> str:
    # newline="" keeps \r\n exactly as it is in the file
    with open(path, encoding="utf-8", newline="") as fh:
        return fh.read()


def change_files(files: list[Path], transform, apply: bool, out=None) -> tuple[int, int]:
    """Apply ``transform(values) -> values`` to each file's tags; diff or write. Returns
    (files changed, errors)."""
    out = out or sys.stdout
    changed = errors = 0
    for path in files:
        try:
            text = _read(path)
            field = find_tags(text, path)
            new_values = transform(field.values)
            new_text = rewrite_tags(text, new_values, path)
        except (OSError, UnicodeDecodeError) as exc:
            print(f"{path}:1: cannot read: {exc}", file=sys.stderr)
            errors += 1
            continue
        except FrontMatterError as exc:
            print(str(exc), file=sys.stderr)
            errors += 1
            continue
        if new_text == text:
            continue
        changed += 1
        if apply:
            write_atomic(path, new_text)
        else:
            out.writelines(
                difflib.unified_diff(
                    text.splitlines(keepends=True),
                    new_text.splitlines(keepends=True),
                    f"a/{path}",
                    f"b/{path}",
                )
            )
    return changed, errors


# -- validate ---------------------------------------------------------------------------------


def validate_file(path: Path, taxonomy: Taxonomy) -> list[str]:
    """Problems in one episode file as ``file:line: message`` strings.

    The front-matter contract is checked by digest.frontmatter — the very code the Pelican
    reader runs — so whatever the build would skip, repair or warn about is reported here.
    """
    try:
        text = _read(path)
    except (OSError, UnicodeDecodeError) as exc:
        return [f"{path}:1: cannot read: {exc}"]
    checked, _ = read_episode_text(text, str(path))
    problems = [problem.at(str(path)) for problem in checked.problems]
    if not checked.publishable:
        return problems
    for key in REQUIRED_FIELDS:
        if key not in checked.values:
            problems.append(f"{path}:1: missing required field {key!r}")
    try:
        field = find_tags(text, path)
    except FrontMatterError as exc:
        return [*problems, str(exc)]
    seen: dict[str, str] = {}
    for value in field.values:
        line = _line_of_value(field, value)
        slug = taxonomy.resolve(value)
        if slug is None:
            hint = _suggest(value, taxonomy)
            problems.append(
                f"{path}:{line}: unknown topic {value!r}"
                + (f" (did you mean {hint!r}?)" if hint else "")
                + " — add it to content/topics.yml or fix the tag"
            )
        elif slug in seen:
            problems.append(
                f"{path}:{line}: {value!r} repeats topic {slug!r} (already as {seen[slug]!r})"
            )
        else:
            seen[slug] = value
    return problems


def _line_of_value(field: TagsField, value: str) -> int:
    assert field.start is not None
    for i in range(field.start, field.end):
        if value in field.lines[i]:
            return i + 1
    return field.start + 1


def _suggest(value: str, taxonomy: Taxonomy) -> str | None:
    names = {t.slug: t.slug for t in taxonomy}
    for t in taxonomy:
        for alias in (t.name, *t.aliases):
            names[alias] = t.slug
    close = difflib.get_close_matches(value, list(names), n=1, cutoff=0.7)
    return names[close[0]] if close else None


# -- command line -----------------------------------------------------------------------------


def _load(args) -> Taxonomy:
    return load_taxonomy(args.topics)


def cmd_list(args) -> int:
    taxonomy = _load(args)
    counts: Counter[str] = Counter()
    unknown: Counter[str] = Counter()
    for path in episode_files(None, args.content):
        try:
            field = find_tags(_read(path), path)
        except (FrontMatterError, OSError, UnicodeDecodeError):
            continue
        for value in dict.fromkeys(field.values):
            slug = taxonomy.resolve(value)
            if slug:
                counts[slug] += 1
            else:
                unknown[value] += 1
    width = max(len(t.slug) for t in taxonomy)
    for topic in sorted(taxonomy, key=lambda t: t.name.casefold()):
        print(f"{topic.slug:<{width}}  {counts[topic.slug]:>5}  {topic.name}")
    for value, n in sorted(unknown.items()):
        print(f"{value:<{width}}  {n:>5}  (not in the taxonomy)")
    return 0


def _resolve_or_fail(taxonomy: Taxonomy, name: str, force: bool) -> str | None:
    slug = taxonomy.resolve(name)
    if slug is None and not force:
        print(
            f"{args_topics_path(taxonomy)}: unknown topic {name!r}; add it to the taxonomy "
            "first, or pass --force to write it anyway",
            file=sys.stderr,
        )
    return slug if slug is not None else (name if force else None)


def args_topics_path(taxonomy: Taxonomy) -> str:
    return taxonomy.path


def _finish(changed: int, errors: int, apply: bool) -> int:
    verb = "changed" if apply else "would change"
    tail = "" if apply or not changed else " (dry run: add --apply to write)"
    print(f"{changed} file(s) {verb}{tail}", file=sys.stderr)
    return 1 if errors else 0


def cmd_add(args) -> int:
    taxonomy = _load(args)
    slug = _resolve_or_fail(taxonomy, args.topic, args.force)
    if slug is None:
        return 2
    files = episode_files(args.files, args.content)
    return _finish(
        *change_files(files, lambda v: op_add(v, slug, taxonomy), args.apply), args.apply
    )


def cmd_remove(args) -> int:
    taxonomy = _load(args)
    files = episode_files(args.files, args.content)
    changed, errors = change_files(files, lambda v: op_remove(v, args.topic, taxonomy), args.apply)
    return _finish(changed, errors, args.apply)


def _topics_yml_advice(taxonomy: Taxonomy, olds: list[str], new: str) -> None:
    new_slug = taxonomy.resolve(new)
    lines = []
    if new_slug is None:
        lines.append(f"- add a topic with slug {new!r} (name, description, match rules)")
    for old in olds:
        old_slug = taxonomy.resolve(old)
        if old_slug and old_slug != new_slug:
            lines.append(
                f"- remove topic {old_slug!r} and list {old!r} under `aliases:` of {new!r}, "
                "so old tags and links still resolve"
            )
    if lines:
        print(f"Now edit {taxonomy.path}:\n" + "\n".join(lines), file=sys.stderr)


def cmd_rename(args) -> int:
    taxonomy = _load(args)
    files = episode_files(None, args.content)
    changed, errors = change_files(files, lambda v: op_replace(v, [args.old], args.new), args.apply)
    _topics_yml_advice(taxonomy, [args.old], args.new)
    return _finish(changed, errors, args.apply)


def cmd_merge(args) -> int:
    taxonomy = _load(args)
    files = episode_files(None, args.content)
    changed, errors = change_files(
        files, lambda v: op_replace(v, args.topics_to_merge, args.into), args.apply
    )
    _topics_yml_advice(taxonomy, args.topics_to_merge, args.into)
    return _finish(changed, errors, args.apply)


def cmd_validate(args) -> int:
    try:
        taxonomy = _load(args)
    except TaxonomyError as exc:
        print(str(exc))
        return 1
    problems: list[str] = []
    files = episode_files(args.files, args.content)
    for path in files:
        problems += validate_file(path, taxonomy)
    for p in problems:
        print(p)
    print(
        f"{len(files)} file(s) checked, {len(problems)} problem(s)",
        file=sys.stderr,
    )
    return 1 if problems else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="topics.py", description=__doc__.split("\n\n")[0].strip())
    parser.add_argument("--topics", type=Path, default=DEFAULT_TOPICS, help="topics.yml")
    parser.add_argument(
        "--content", type=Path, default=DEFAULT_EPISODES, help="folder of episode .md files"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("list", help="topics with episode counts").set_defaults(func=cmd_list)

    def writer(p: argparse.ArgumentParser) -> None:
        p.add_argument("--apply", action="store_true", help="write changes (default: diff)")

    p = sub.add_parser("add", help="add a topic to episodes")
    p.add_argument("topic")
    p.add_argument("files", nargs="+")
    p.add_argument("--force", action="store_true", help="allow a topic not in topics.yml")
    writer(p)
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("remove", help="remove a topic from episodes")
    p.add_argument("topic")
    p.add_argument("files", nargs="+")
    writer(p)
    p.set_defaults(func=cmd_remove)

    p = sub.add_parser("rename", help="rename a tag across all episodes")
    p.add_argument("old")
    p.add_argument("new")
    writer(p)
    p.set_defaults(func=cmd_rename)

    p = sub.add_parser("merge", help="merge tags into one across all episodes")
    p.add_argument("topics_to_merge", nargs="+", metavar="TOPIC")
    p.add_argument("--into", required=True)
    writer(p)
    p.set_defaults(func=cmd_merge)

    p = sub.add_parser("validate", help="check topics.yml and every episode's front matter")
    p.add_argument("files", nargs="*")
    p.set_defaults(func=cmd_validate)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except TaxonomyError as exc:
        print(str(exc), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
