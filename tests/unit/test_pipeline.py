"""pipeline.py: a whole dump → episodes, dropped lines, merges, warnings (no I/O)."""

from pathlib import Path

from digest.ingest.pipeline import estimated_date, ingest, slugify
from digest.ingest.read import DEFAULT_COLLECTED_ON, read_dump
from digest.shows import load_shows

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "ingest"
SHOWS = load_shows(ROOT / "content" / "shows.yml")


def _run(name: str):
    return ingest([read_dump(FIXTURES / name, name)], SHOWS, taxonomy=None)


def test_sample_slice() -> None:
    r = _run("sample-slice.txt")
    # lines: 1 POPULARITY, 2 Categories, 3 & 4 identical SE Daily, 5 Adam Wiggins,
    # 6 Cloud Pod, 7 20VC show line, 8 Adam Gross
    assert [(d.line, d.reason) for d in r.dropped][:2] == [
        (1, "directory UI label"),
        (2, "directory UI label"),
    ]
    assert any(d.line == 7 and "show line" in d.reason for d in r.dropped)
    assert [(m.kept.line, [s.line for s in m.merged]) for m in r.merges] == [(3, [4])]
    by_line = {e.source.line: e for e in r.episodes}
    assert set(by_line) == {3, 5, 6, 8}
    assert by_line[3].show == "Software Engineering Daily"
    assert by_line[6].show == "The Cloud Pod" and by_line[6].episode == 257
    assert by_line[8].show == "The Twenty Minute VC"  # from the show line above it
    assert by_line[5].show is None  # no evidence → no show
    assert by_line[5].guests == ["Adam Wiggins"]
    assert len(by_line[5].chapters) == 12
    for e in r.episodes:
        assert e.date_estimated and e.date == estimated_date(DEFAULT_COLLECTED_ON, e.source.line)
        assert len(e.title) <= 80 and e.summary and len(e.summary) <= 300
    assert len({e.title for e in r.episodes}) == len(r.episodes)
    assert len({e.slug for e in r.episodes}) == len(r.episodes)


def test_other_directory_styles() -> None:
    r = _run("other-directory.txt")
    titles = {e.title for e in r.episodes}
    assert {
        "Deploying Rails Without Tears",
        "Kubernetes for the Rest of Us",
        "Observability on a Budget",
    } <= titles
    rails = next(e for e in r.episodes if e.title == "Deploying Rails Without Tears")
    assert rails.date.isoformat() == "2025-08-13" and not rails.date_estimated
    assert rails.truncated
    assert [m.reason for m in r.merges] == ["same text"]  # the copy without utm_* params
    mojibake = next(e for e in r.episodes if "serverless" in e.title)
    assert "today’s" in mojibake.body
    obs = next(e for e in r.episodes if e.episode == 88)
    assert "eyJ" not in obs.body and all("token" not in lk.url for lk in obs.links)
    assert next(e for e in r.episodes if e.language == "pt")
    k8s = next(e for e in r.episodes if e.title.startswith("Kubernetes"))
    assert "<img" not in k8s.body and "fbclid" not in k8s.body
    assert any(d.reason.startswith("show line not in") for d in r.dropped)


def test_deterministic() -> None:
    a, b = _run("sample-slice.txt"), _run("sample-slice.txt")
    assert a.episodes == b.episodes


def test_slugify() -> None:
    assert slugify("Café: Ünïcode! -- 2025") == "cafe-unicode-2025"
    assert slugify("!!!") == "episode"
    assert len(slugify("word " * 40)) <= 60


def _synthetic_dump(tmp_path: Path, n: int, seed: int) -> Path:
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    from synth import synthesise

    path = tmp_path / "synthetic.txt"
    path.write_text(synthesise(n, seed), encoding="utf-8")
    return path


def test_episodes_are_tagged_with_their_final_titles_through_the_mapper(tmp_path: Path) -> None:
    """Episodes are tagged once their titles are final (made distinct: a guest or "#12"
    appended) — by jobs the caller's ``mapper`` runs (a pool in the CLI), with the same result
    as tagging in place."""
    import pickle

    from digest.tagging import tag_text
    from digest.taxonomy import load_taxonomy

    taxonomy = load_taxonomy(ROOT / "content" / "topics.yml")
    path = _synthetic_dump(tmp_path, 60, 3)
    calls: list[str] = []

    def pool_like(fn, jobs):
        # what a process pool does: the function and every job and result cross by pickle
        fn = pickle.loads(pickle.dumps(fn))
        calls.append(fn.__name__)
        for job in jobs:
            yield pickle.loads(pickle.dumps(fn(pickle.loads(pickle.dumps(job)))))

    result = ingest([read_dump(path, "synthetic.txt")], SHOWS, taxonomy, mapper=pool_like)
    assert calls == ["process_blurb", "retag"]  # (lines are hashed in this process)
    retitled = [ep for ep in result.episodes if ep.title.endswith(")") and " (" in ep.title]
    assert retitled, "the synthetic dump should repeat titles"
    for ep in result.episodes:
        if not ep.chapters:  # (with chapters the tagged text also has the chapter list)
            assert ep.tags == sorted({m.slug for m in tag_text(ep.title, ep.body, taxonomy)})
    again = ingest([read_dump(path, "synthetic.txt")], SHOWS, taxonomy)
    assert again.episodes == result.episodes


def test_progress_counts_distinct_blurbs_and_reaches_its_total() -> None:
    """The sample slice has two cruft lines, a show line and an exact repeat among its 8 lines:
    progress runs over the 4 blurbs extracted, so a bar sized by it ends at 100 %, not at 4/8."""
    calls: list[tuple[int, int]] = []
    dump = read_dump(FIXTURES / "sample-slice.txt", "sample-slice.txt")
    ingest([dump], SHOWS, taxonomy=None, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(n, 4) for n in range(1, 5)]
