"""A broken hand-edited episode is named `file:line: message` and never takes the site down.

Three hand-edited files next to good ones: bad YAML, wrong types (tags: 5, date: "not a date",
title: [list]) and unknown keys. The build logs each file with a line number, exits 0 and builds
every other page; `make check`'s command (scripts/topics.py validate, the topics engineer's CLI)
exits non-zero on the same content.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT, prepare_content, run_pelican

pytestmark = pytest.mark.slow

GOOD = """---
title: Good episode {n}
slug: good-{n}
date: 2024-03-0{n}
show: Software Engineering Daily
tags: [heroku]
summary: A fine summary {n}.
---

Body of good episode {n}.
"""
BROKEN = {
    # line 4: the flow sequence is never closed
    "bad-yaml.md": ("---\ntitle: Bad YAML\nslug: bad-yaml\ntags: [heroku, kubernetes\n"
                    "date: 2024-01-01\n---\nBody\n", range(4, 7)),
    # tags (line 5) is dropped with an error; date (line 4) is unreadable: the file is skipped
    "wrong-types.md": ("---\ntitle: Wrong types\nslug: wrong-types\ndate: \"not a date\"\n"
                       "tags: 5\n---\nBody\n", range(4, 5)),
    "list-title.md": ("---\ntitle: [a, list]\nslug: list-title\ndate: 2024-01-02\n---\nBody\n",
                      range(2, 3)),
    # unknown keys: reported, the page still builds
    "unknown-keys.md": ("---\ntitle: Unknown keys\nslug: unknown-keys\ndate: 2024-01-03\n"
                        "sponsr: Acme\nguestz: [Ada]\n---\nBody\n", range(5, 6)),
}  # fmt: skip


@pytest.fixture(scope="module")
def broken_build(tmp_path_factory: pytest.TempPathFactory):
    workdir = tmp_path_factory.mktemp("broken")
    content = prepare_content(workdir)
    for n in (1, 2, 3):
        (content / "episodes" / f"good-{n}.md").write_text(GOOD.format(n=n), encoding="utf-8")
    for name, (text, _) in BROKEN.items():
        (content / "episodes" / name).write_text(text, encoding="utf-8")
    output = workdir / "output"
    build = run_pelican(content, output, env={"COLUMNS": "400"})
    return content, output, build


def log_lines(build: subprocess.CompletedProcess) -> str:
    return build.stdout + build.stderr


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_each_broken_file_is_named_with_its_line(broken_build, name: str) -> None:
    content, _, build = broken_build
    path = str(content / "episodes" / name)
    log = re.sub(r"\s+", " ", log_lines(build))
    lines = [int(m) for m in re.findall(re.escape(path) + r":(\d+): ", log)]
    assert lines, f"{name} is not reported as file:line: message:\n{log[-3000:]}"
    assert set(lines) & set(BROKEN[name][1]), (name, lines)


def test_every_other_page_still_builds(broken_build) -> None:
    _, output, build = broken_build
    assert build.returncode == 0, log_lines(build)
    for n in (1, 2, 3):
        assert (output / "episodes" / f"good-{n}" / "index.html").exists()
    assert (output / "episodes" / "unknown-keys" / "index.html").exists()
    assert (output / "index.html").exists() and (
        output / "topics" / "heroku" / "index.html"
    ).exists()
    assert not (output / "episodes" / "bad-yaml").exists()
    processed = re.search(r"Processed (\d+) articles?", log_lines(build))
    assert processed and int(processed.group(1)) == 4, log_lines(build)[-2000:]


def test_make_check_fails_on_broken_content(broken_build) -> None:
    """`make check` runs `scripts/topics.py validate` (topics engineer's CLI). How it is pointed at
    another content folder is its contract: `--content DIR --topics FILE validate`."""
    content, _, _ = broken_build
    script = ROOT / "scripts" / "topics.py"
    check = subprocess.run(
        [sys.executable, str(script), "--content", str(content),
         "--topics", str(content / "topics.yml"), "validate"],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert check.returncode != 0, check.stdout + check.stderr
    report = check.stdout + check.stderr
    # The check and the build share digest.frontmatter, so they name the same line per file.
    for name, (_, lines) in BROKEN.items():
        found = {int(n) for n in re.findall(re.escape(name) + r":(\d+): ", report)}
        assert found & set(lines), (name, found, report[-2000:])
