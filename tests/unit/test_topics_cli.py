"""scripts/topics.py: the editor CLI changes only the `tags` field, byte for byte."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import examples

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
_spec = importlib.util.spec_from_file_location("topics_cli", ROOT / "scripts" / "topics.py")
cli = importlib.util.module_from_spec(_spec)
sys.modules["topics_cli"] = cli  # dataclasses look their module up in sys.modules
_spec.loader.exec_module(cli)

TOPICS = ROOT / "content" / "topics.yml"

BLOCK = """---
title: "Heroku: the early years"   # quoted, with a colon
# an editor's note above the tags
tags:
  - heroku   # the platform
  - "k8s"
  # stray comment inside the list
  - python-django
show: Some Show
summary: >
  Folded text with tags: [not, these] inside.
date: 2024-01-01
---
Body mentions tags: [a, b] and
- heroku
as text.
"""

FLOW = "---\r\ntitle: X\r\ntags: [heroku, k8s]  # flow style\r\nshow: S\r\n---\r\nbody\r\n"
SCALAR = "---\ntitle: X\ntags: heroku, k8s\n---\nbody\n"
ABSENT = "---\ntitle: X\nshow: S\n---\nbody\n"
EMPTY = "---\ntitle: X\ntags:\nshow: S\n---\nbody\n"
MULTILINE_FLOW = "---\ntitle: X\ntags: [heroku,\n  k8s]\nshow: S\n---\nbody\n"
UNINDENTED = "---\ntitle: X\ntags:\n- heroku\n- kubernetes\nshow: S\n---\nbody\n"


def outside_tags(text: str) -> str:
    """Everything but the tags field: from its key to the next key or the closing fence
    (comments between tag items belong to the field)."""
    field = cli.find_tags(text)
    if field.start is None:
        return text
    end = field.start + 1
    while end < field.fm_end and not cli._is_top_level_key(field.lines[end]):
        end += 1
    return "".join(field.lines[: field.start] + field.lines[end:])


def comments_in_tags(text: str) -> list[str]:
    field = cli.find_tags(text)
    if field.start is None:
        return []
    end = field.start + 1
    while end < field.fm_end and not cli._is_top_level_key(field.lines[end]):
        end += 1
    return [ln.strip() for ln in field.lines[field.start + 1 : end] if ln.lstrip().startswith("#")]


@pytest.mark.parametrize("text", [BLOCK, FLOW, SCALAR, ABSENT, EMPTY, MULTILINE_FLOW, UNINDENTED])
@pytest.mark.parametrize(
    "new",
    [
        ["heroku"],
        ["kubernetes", "heroku"],
        [],
        ["heroku", "k8s", "python-django", "twelve-factor"],
        ["needs quoting: yes"],
    ],
)
def test_rewrite_changes_only_tags(text, new):
    out = cli.rewrite_tags(text, new)
    # Existing items keep their order and lines; new values fill the places of dropped ones,
    # then follow at the end. So compare as sets here (the operations test exact order).
    got = cli.find_tags(out).values
    assert sorted(got) == sorted(new) and len(got) == len(set(got))
    before = cli.find_tags(text)
    if before.start is not None or new:
        assert outside_tags(out) == outside_tags(text)
    if new and before.style == "block":
        assert comments_in_tags(out) == comments_in_tags(text)
    if before.values == new:
        assert out == text


def test_rename_in_block_list_keeps_quotes_comments_and_order():
    out = cli.rewrite_tags(
        BLOCK, cli.op_replace(["heroku", "k8s", "python-django"], ["k8s"], "kubernetes")
    )
    assert '  - "kubernetes"\n' in out
    assert "  - heroku   # the platform\n" in out
    assert "  # stray comment inside the list\n" in out
    diff = [a for a, b in zip(BLOCK.splitlines(), out.splitlines(), strict=True) if a != b]
    assert diff == ['  - "k8s"']


def test_flow_style_keeps_crlf_and_comment():
    out = cli.rewrite_tags(FLOW, ["heroku", "kubernetes"])
    assert out == FLOW.replace("[heroku, k8s]", "[heroku, kubernetes]")


def test_scalar_style_stays_a_comma_string():
    assert cli.rewrite_tags(SCALAR, ["heroku"]) == SCALAR.replace("heroku, k8s", "heroku")


def test_absent_tags_are_added_at_the_end_of_front_matter():
    out = cli.rewrite_tags(ABSENT, ["heroku"])
    assert out == "---\ntitle: X\nshow: S\ntags:\n- heroku\n---\nbody\n"


def test_add_to_block_copies_indentation():
    out = cli.rewrite_tags(BLOCK, ["heroku", "k8s", "python-django", "elixir"])
    assert "  - python-django\n  - elixir\nshow: Some Show\n" in out


def test_merge_dedupes():
    values = cli.op_replace(["a", "b", "c"], ["a", "b"], "x")
    assert values == ["x", "c"]


slug = st.from_regex(r"[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,6})?", fullmatch=True)


@settings(max_examples=examples(150), deadline=None)
@given(
    old=st.lists(slug, max_size=5, unique=True),
    new=st.lists(slug, max_size=5, unique=True),
    style=st.sampled_from(["block", "block0", "flow", "scalar", "absent"]),
    comment=st.booleans(),
    crlf=st.booleans(),
)
def test_round_trip_property(old, new, style, comment, crlf):
    c = "  # note" if comment else ""
    if style == "block":
        tags = "tags:" + c + "\n" + "".join(f"  - {v}{c}\n" for v in old)
    elif style == "block0":
        tags = "tags:\n" + "".join(f"- {v}\n" for v in old)
    elif style == "flow":
        tags = f"tags: [{', '.join(old)}]{c}\n"
    elif style == "scalar":
        tags = f"tags: {', '.join(old)}{c}\n" if old else ""
    else:
        tags = ""
    text = f"---\ntitle: T # c\n{tags}show: S\n# trailing comment\n---\nBody\ntags: [x]\n"
    if crlf:
        text = text.replace("\n", "\r\n")
    out = cli.rewrite_tags(text, new)
    assert sorted(cli.find_tags(out).values) == sorted(new)
    if cli.find_tags(text).start is not None:
        assert outside_tags(out) == outside_tags(text)
    else:
        assert out.replace("tags:" + ("\r\n" if crlf else "\n"), "").count("- ") == len(new)
    # the file stays valid YAML front matter with the other keys intact
    import yaml

    lines, end = cli.split_front_matter(out)
    data = yaml.safe_load("".join(lines[1:end]))
    assert data["title"] == "T" and data["show"] == "S"
    assert ("\r\n" in out) == crlf
    assert out.endswith("Body\r\ntags: [x]\r\n" if crlf else "Body\ntags: [x]\n")


# -- the command line ------------------------------------------------------------------------


@pytest.fixture
def content(tmp_path):
    d = tmp_path / "episodes"
    d.mkdir()
    (d / "a.md").write_text(BLOCK, encoding="utf-8", newline="")
    (d / "b.md").write_bytes(FLOW.encode())
    (d / "c.md").write_text(ABSENT, encoding="utf-8")
    return d


def run(argv, capsys):
    code = cli.main(["--topics", str(TOPICS), *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_dry_run_shows_a_diff_and_writes_nothing(content, capsys):
    before = {p: p.read_bytes() for p in content.iterdir()}
    code, out, err = run(["--content", str(content), "rename", "k8s", "kubernetes"], capsys)
    assert code == 0
    assert "--- a/" in out and '+  - "kubernetes"' in out and "+tags: [heroku, kubernetes]" in out
    assert "dry run" in err
    assert {p: p.read_bytes() for p in content.iterdir()} == before


def test_apply_writes_only_the_tags(content, capsys):
    before = (content / "b.md").read_bytes()
    code, _, _ = run(["--content", str(content), "rename", "k8s", "kubernetes", "--apply"], capsys)
    assert code == 0
    assert (content / "b.md").read_bytes() == before.replace(b"k8s]", b"kubernetes]")
    assert not [p for p in content.iterdir() if p.name.endswith(".tmp")]


def test_add_and_remove(content, capsys):
    c = content / "c.md"
    code, _, _ = run(["add", "K8s", str(c), "--apply"], capsys)
    assert code == 0
    assert c.read_text() == ABSENT.replace("show: S\n", "show: S\ntags:\n- kubernetes\n")
    code, _, _ = run(["remove", "kubernetes", str(c), "--apply"], capsys)
    assert cli.find_tags(c.read_text()).values == []
    code, _, err = run(["add", "no-such-topic", str(c)], capsys)
    assert code == 2 and "unknown topic" in err


def test_merge_tells_the_editor_what_to_change_in_topics_yml(content, capsys):
    code, _, err = run(
        ["--content", str(content), "merge", "k8s", "heroku", "--into", "kubernetes"], capsys
    )
    assert code == 0
    assert "topics.yml" in err and "'heroku'" in err and "aliases" in err


def test_list_counts(content, capsys):
    code, out, _ = run(["--content", str(content), "list"], capsys)
    assert code == 0
    line = next(ln for ln in out.splitlines() if ln.startswith("heroku "))
    assert line.split()[1] == "2"
    kube = next(ln for ln in out.splitlines() if ln.startswith("kubernetes "))
    assert kube.split()[1] == "2"  # "k8s" resolves to kubernetes


def test_validate_reports_file_line_and_fails(tmp_path, capsys):
    d = tmp_path / "episodes"
    d.mkdir()
    (d / "ok.md").write_text("---\ntitle: Fine\ndate: 2024-01-01\ntags: [heroku, k8s]\n---\n")
    (d / "undated.md").write_text("---\ntitle: No date\ntags: [heroku]\n---\n")
    (d / "unknown.md").write_text("---\ntitle: X\ntags:\n- heroku\n- kubernets\n---\n")
    (d / "broken.md").write_text("---\ntitle: X\ntags: [a, b\nshow: S\n---\n")
    (d / "notitle.md").write_text("---\nshow: S\n---\n")
    (d / "nofm.md").write_text("Just text\n")
    code, out, _ = run(["--content", str(d), "validate"], capsys)
    assert code == 1
    lines = out.splitlines()
    assert any(
        ln.startswith(f"{d / 'unknown.md'}:5: unknown topic 'kubernets'") and "kubernetes" in ln
        for ln in lines
    ), lines
    assert any(ln.startswith(f"{d / 'broken.md'}:") and "YAML" in ln for ln in lines), lines
    assert any(
        ln.startswith(f"{d / 'notitle.md'}:1: missing required field 'title'") for ln in lines
    )
    assert any(ln.startswith(f"{d / 'nofm.md'}:1:") for ln in lines)
    # Pelican skips an article without a date, so the check must name it too.
    assert any(
        ln.startswith(f"{d / 'undated.md'}:1: missing required field 'date'") for ln in lines
    ), lines
    assert not any("/ok.md" in ln for ln in lines)


def test_validate_passes_on_good_files(tmp_path, capsys):
    d = tmp_path / "episodes"
    d.mkdir()
    (d / "ok.md").write_text(
        "---\ntitle: Fine\ndate: 2024-01-01\ntags: [heroku, Twelve Factor]\n---\n"
    )
    code, out, _ = run(["--content", str(d), "validate"], capsys)
    assert code == 0 and out == ""


def test_validate_reports_a_broken_taxonomy(tmp_path, capsys):
    bad = tmp_path / "topics.yml"
    bad.write_text("topics:\n  - slug: a\n    name: A\n    description: x\n  - slug: a\n")
    code = cli.main(["--topics", str(bad), "--content", str(tmp_path), "validate"])
    out = capsys.readouterr().out
    assert code == 1 and out.startswith(f"{bad}:")


def test_atomic_write_keeps_mode(tmp_path):
    p = tmp_path / "x.md"
    p.write_text("old")
    os.chmod(p, 0o640)
    cli.write_atomic(p, "new")
    assert p.read_text() == "new" and (p.stat().st_mode & 0o777) == 0o640


def test_sigkill_mid_rename_leaves_every_file_wholly_old_or_wholly_new(tmp_path):
    """Issue 8: the tag-rename tool killed with SIGKILL mid-run never leaves a partial file."""
    import signal
    import subprocess
    import time

    episodes = tmp_path / "episodes"
    episodes.mkdir()
    filler = "Platform notes. " * 4000  # ~64 KB bodies, so the run takes long enough to kill
    old = {}
    for i in range(600):
        text = f"---\ntitle: Episode {i}\ndate: 2024-01-01\ntags:\n- k8s\n- heroku\n---\n{filler}\n"
        (episodes / f"e{i:03}.md").write_text(text, encoding="utf-8")
        old[f"e{i:03}.md"] = text
    new = {name: text.replace("- k8s\n", "- kubernetes\n", 1) for name, text in old.items()}
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "topics.py"), "--content", str(episodes),
         "rename", "k8s", "kubernetes", "--apply"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        # The tool walks files in sorted order: watch the first few only, to kill early.
        first = sorted(new)[:5]
        done = sum((episodes / n).read_text(encoding="utf-8") == new[n] for n in first)
        if done >= 1 or proc.poll() is not None:
            break
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    states = {"old": 0, "new": 0}
    for name in old:
        text = (episodes / name).read_text(encoding="utf-8")
        assert text in (old[name], new[name]), f"{name} is neither the old nor the new file"
        states["old" if text == old[name] else "new"] += 1
    assert states["new"] >= 1, "the kill came after at least one rename"
    assert states["old"] >= 1, "the kill came before the run finished"
