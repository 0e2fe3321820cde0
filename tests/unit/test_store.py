"""store.py: front matter contract, edit survival, atomic writes, byte-identical re-runs."""

import datetime as dt
import os
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.episode import Chapter, Episode, Link, Source
from digest.store import parse, read_episode_file, save_all, write_atomic
from tests.conftest import examples


def _episode(**kw) -> Episode:
    base = dict(
        title="Title: with colon",
        slug="title-with-colon",
        body="Body text.\n",
        source=Source("d.txt", 3, "ab" * 32),
        date=dt.date(2024, 12, 13),
        summary="A summary.",
        tags=["heroku"],
        guests=["Vish Abrams"],
        chapters=[Chapter("1:01", "Intro")],
        links=[Link("https://x.com/", "X")],
        language="en",
    )
    base.update(kw)
    return Episode(**base)


def test_front_matter_contract(tmp_path: Path) -> None:
    (out,) = save_all([_episode()], tmp_path)
    text = out.path.read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: 'Title: with colon'\nslug: title-with-colon\n")
    assert "tags:\n- heroku\n" in text
    meta, body = parse(text)
    assert meta["date"] == dt.date(2024, 12, 13)
    assert meta["chapters"] == [{"time": "1:01", "label": "Intro"}]
    assert meta["source"] == {"file": "d.txt", "line": 3, "sha256": "ab" * 32}
    assert "episode" not in meta and "show" not in meta  # unknown → absent
    assert body == "Body text.\n"


def test_rerun_is_byte_identical_and_not_rewritten(tmp_path: Path) -> None:
    (first,) = save_all([_episode()], tmp_path)
    before = first.path.read_bytes()
    mtime = first.path.stat().st_mtime_ns
    (again,) = save_all([_episode()], tmp_path)
    assert again.status == "unchanged"
    assert first.path.read_bytes() == before and first.path.stat().st_mtime_ns == mtime


def test_editor_edits_survive_and_conflicts_are_reported(tmp_path: Path) -> None:
    (out,) = save_all([_episode()], tmp_path)
    meta, body = read_episode_file(out.path)
    text = out.path.read_text(encoding="utf-8")
    text = text.replace("- heroku\n", "- heroku\n- kubernetes\n")  # tags edited
    text = text.replace("title: 'Title: with colon'", "title: Better title")
    text = text.replace("summary: A summary.\n", "")  # deleted by the editor
    text = text.replace("ingested:", "featured: true\ningested:")  # editor's own key
    text += "\nAn editor's paragraph.\n"
    out.path.write_text(text, encoding="utf-8")

    (again,) = save_all(
        [_episode(title="Title: with colon", summary="New summary.", language="fr")], tmp_path
    )
    meta, body = read_episode_file(out.path)
    assert meta["tags"] == ["heroku", "kubernetes"]
    assert meta["title"] == "Better title"
    assert "summary" not in meta
    assert meta["featured"] is True
    assert meta["language"] == "fr"  # not edited → ingest's new value
    assert "An editor's paragraph." in body
    assert again.status == "kept-edits"
    assert any(c.startswith("summary") for c in again.conflicts)
    # and the next identical run changes nothing
    snapshot = out.path.read_bytes()
    (third,) = save_all([_episode(summary="New summary.", language="fr")], tmp_path)
    assert third.status == "kept-edits" and out.path.read_bytes() == snapshot


def test_files_are_never_deleted_and_editor_pages_never_touched(tmp_path: Path) -> None:
    mine = tmp_path / "title-with-colon.md"
    mine.write_text("---\ntitle: Mine\n---\n\nHand written.\n", encoding="utf-8")
    other = tmp_path / "old-episode.md"
    other.write_text("---\ntitle: Old\ningested: {}\n---\n\nOld.\n", encoding="utf-8")
    outs = save_all([_episode()], tmp_path)
    assert mine.read_text(encoding="utf-8").endswith("Hand written.\n")
    assert other.exists()
    assert outs[0].path.name == "title-with-colon-2.md"


def test_no_temporary_files_are_left_behind(tmp_path: Path) -> None:
    save_all([_episode(), _episode(slug="two", source=Source("d.txt", 4, "cd" * 32))], tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["title-with-colon.md", "two.md"]


def test_yaml_hostile_titles_round_trip(tmp_path: Path) -> None:
    for i, title in enumerate(
        [
            "- dash",
            "# hash",
            "{brace}",
            "| pipe",
            "q\"uote's",
            "yes",
            "2024-01-01",
            "a: b",
            "@at",
            "`tick`",
            "line\u2028sep",
        ]
    ):
        ep = _episode(title=title, slug=f"t{i}", source=Source("d.txt", i, f"{i:064x}"))
        (out,) = save_all([ep], tmp_path)
        meta, _ = read_episode_file(out.path)
        assert meta["title"] == title
        assert yaml.safe_load(out.path.read_text(encoding="utf-8").split("---\n")[1])


def _outcomes_and_files(outs, folder: Path) -> tuple[list, dict]:
    return (
        [(o.path.name, o.status, o.kept, o.conflicts) for o in outs],
        {p.name: p.read_bytes() for p in sorted(folder.iterdir())},
    )


def test_rerun_fast_path_agrees_with_the_full_rule(tmp_path: Path, monkeypatch) -> None:
    """save_all's fast path (a file byte-identical to a fresh write is unchanged, unparsed)
    decides as the full edit-preservation rule does: unchanged, edited, retitled, hostile
    and hand-written files alike."""
    import shutil

    from digest import store

    titles = ["- dash", "yes", "2024-01-01", "a: b", "q\"uote's", "line\u2028sep", "Plain"]
    episodes = [
        _episode(title=t, slug=f"t{i}", source=Source("d.txt", i, f"{i:064x}"))
        for i, t in enumerate(titles)
    ]
    first = tmp_path / "first"
    save_all(episodes, first)
    # an editor retitles t1, adds a paragraph to t2, replaces t3 by a page of their own
    t1 = first / "t1.md"
    t1.write_text(t1.read_text(encoding="utf-8").replace("title: 'yes'", "title: Yes!"))
    t2 = first / "t2.md"
    t2.write_text(t2.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    (first / "t3.md").write_text("---\ntitle: Mine\n---\n\nHand written.\n", encoding="utf-8")
    # the next dump: t4 now carries another slug, t5 has a new summary, t6 is unchanged
    again = [*episodes[:4], *episodes[5:], _episode(**{**episodes[4].__dict__, "slug": "t4b"})]
    again[4] = _episode(**{**again[4].__dict__, "summary": "Changed."})
    fast_dir, slow_dir = tmp_path / "fast", tmp_path / "slow"
    shutil.copytree(first, fast_dir)
    shutil.copytree(first, slow_dir)

    fast = _outcomes_and_files(save_all(again, fast_dir), fast_dir)
    monkeypatch.setattr(store, "_is_fresh", lambda path, ep: False)  # never: full rule
    slow = _outcomes_and_files(save_all(again, slow_dir), slow_dir)
    assert fast == slow
    statuses = [status for _, status, _, _ in fast[0]]
    assert {"unchanged", "kept-edits", "updated", "created"} <= set(statuses)


def test_write_atomic_writes_what_a_text_mode_file_writes(tmp_path: Path) -> None:
    """write_atomic's os.write of encoded bytes equals the text-mode write it replaced
    (UTF-8, newline="\\n"), creates a missing folder, keeps an existing file's permissions."""
    texts = ["plain\n", "crlf\r\nand cr\r", "é ü 漢字 \u2028 \U0001f600\n", "", "x" * 70_000]
    for i, text in enumerate(texts):
        slow = tmp_path / f"slow{i}.md"
        with slow.open("w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        fast = tmp_path / "new" / "folder" / f"fast{i}.md"
        write_atomic(fast, text)
        assert fast.read_bytes() == slow.read_bytes()
    kept = tmp_path / "kept.md"
    kept.write_text("old", encoding="utf-8")
    os.chmod(kept, 0o640)
    write_atomic(kept, "new")
    assert kept.read_text(encoding="utf-8") == "new" and kept.stat().st_mode & 0o777 == 0o640
    assert not [p for p in tmp_path.rglob("*.tmp")]


def test_write_atomic_gives_a_new_file_the_mode_open_would(tmp_path: Path) -> None:
    """mkstemp creates 0600 files; a new episode must be readable like any file the user makes."""
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "new.md", "text")
        os.umask(0o027)
        write_atomic(tmp_path / "private.md", "text")
    finally:
        os.umask(old)
    assert (tmp_path / "new.md").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "private.md").stat().st_mode & 0o777 == 0o640


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text() | st.dates(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=examples(300), deadline=None)
@given(_json_values)
def test_value_hash_is_the_json_dumps_hash(value) -> None:
    """value_hash's shared encoder gives the bytes json.dumps gave (the hashes recorded in
    every file's ``ingested:`` must not move)."""
    import hashlib
    import json

    from digest.store import value_hash

    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    assert value_hash(value) == hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
