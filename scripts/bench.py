"""Benchmarks: ingest and build times at 1,000 and 10,000 episodes, side by side (issue 9).

Why this shape: build time is the digest's main running cost, and a number only means
something next to a reference measured in the same run on the same machine. So one run of this
script synthesises a corpus (scripts/synth.py, fixed seed), ingests it, and then builds
the *same episodes* with

* our build (pelicanconf.py, every plugin on): full build, no-change rebuild with the content
  cache, rebuild after editing one episode's tags;
* our build with each plugin switched off in turn (what each plugin costs);
* stock Pelican 4.12: no plugins, its default theme, Python-Markdown, the episodes rewritten
  with Pelican's native ``Title: …`` metadata;
* Hugo (``--buildFuture``) on the same Markdown, when ``hugo`` is installed.

Every timing is the median of ``--runs`` runs (min and max printed too); every build is a
subprocess, timed by wall clock, its peak RSS read with ``os.wait4`` (from a small launcher
process, see :data:`_LAUNCHER`). A timed run never follows
the deletion of thousands of files: the previous run's tree is renamed aside (:class:`Trash`)
and deleted only after the size's timings. On a journal-less ext4 (this project's VMs), creating
files in the ~30 s after deleting 10,000 makes the kernel skip every recently freed inode, which
added ~2.5 s of system CPU to a 10k ingest: a cost of the benchmark's own cleanup, which neither
a fresh clone nor an editor's rebuild pays. Results go to a table on
stdout and to JSON (``bench-out/results.json`` unless ``--json``). Nothing is asserted: CI runs
``--smoke`` only to prove the benchmark still works.

    .venv/bin/python scripts/bench.py                      # 1,000 and 10,000 episodes, 3 runs
    .venv/bin/python scripts/bench.py --sizes 1000 --runs 5
    .venv/bin/python scripts/bench.py --smoke              # ~200 episodes, 1 run (CI)
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

PYTHON = sys.executable
PREPROCESS = ROOT / "scripts" / "preprocess.py"
DEFAULT_OUT = ROOT / "bench-out"
SEED = 20241127

# Plugins whose absence leaves no site to compare, so never switched off: the reader is what
# reads the episodes, and seo registers the template filters every page of the theme calls
# (``safe_url``, ``split_notes``, ...): without it Jinja refuses to compile the templates.
ESSENTIAL_PLUGINS = {"markdown_reader": "reads the episodes", "seo": "the theme's filters"}


def synthesise_dump(n: int, seed: int) -> tuple[str, str]:
    """(dump text, synthesiser used): the ingest engineer's (scripts/bench_ingest.py) if present.

    One synthesiser for the project. Its dumps carry exact repeats and cruft lines at the
    sample's rates (~8 % of lines), which ingest drops or merges; asking for 8 % more lines
    lands close to ``n`` episodes. The episode count actually built is reported.
    """
    from synth import synthesise  # scripts/synth.py

    return synthesise(round(n * 1.087), seed), "synth.synthesise"


# --------------------------------------------------------------------------- measuring


@dataclass
class Run:
    seconds: float
    max_rss_kb: int
    returncode: int
    cpu_seconds: float = 0.0


# Runs the timed command and reports its wall time, peak RSS and CPU.  Why a launcher: Linux
# folds a forked child's memory before ``exec`` — a copy of this process, which holds a 92 MB
# dump and more at 10k — into the child's ``ru_maxrss``, so every command forked from here read
# as at least this process's size (538 MB for ingest and stock at 10k, against 463 MB by
# /usr/bin/time).  Forked from this small launcher, the command's own peak is what is read.
_LAUNCHER = """\
import os, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(proc.pid, 0)
seconds = time.perf_counter() - start
with open(sys.argv[1], "w") as report:
    report.write(f"{seconds!r} {usage.ru_maxrss} {usage.ru_utime + usage.ru_stime!r}")
sys.exit(0 if status == 0 else 1)
"""


def run_timed(args: list[str], log: Path, cwd: Path = ROOT, env: dict | None = None) -> Run:
    """Run a subprocess (through :data:`_LAUNCHER`); its wall time, peak RSS and CPU time
    (``os.wait4`` reports them per child; the launcher's own start-up is not timed)."""
    with open(log, "ab") as handle:
        handle.write(("\n$ " + " ".join(map(str, args)) + "\n").encode())
        handle.flush()
        fd, report = tempfile.mkstemp(prefix="bench-run-", suffix=".txt")
        os.close(fd)
        start = time.perf_counter()
        try:
            proc = subprocess.run(
                [sys.executable, "-c", _LAUNCHER, report, *map(str, args)],
                stdout=handle,
                stderr=subprocess.STDOUT,
                cwd=cwd,
                env={**os.environ, **(env or {})},
                check=False,
            )
            measured = Path(report).read_text(encoding="utf-8").split()
        finally:
            os.unlink(report)
    if not measured:  # the command could not be started: a failed run, timed from here
        return Run(time.perf_counter() - start, 0, proc.returncode or 1)
    seconds, max_rss_kb, cpu = measured
    # CPU time (user + system, the child's own children included) is reported beside wall time:
    # on a shared machine it is the steadier of the two.
    return Run(float(seconds), int(max_rss_kb), proc.returncode, float(cpu))


@dataclass
class Stat:
    runs: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    failed: int = 0

    def add(self, run: Run) -> None:
        self.runs.append(run.seconds)
        self.rss_kb.append(run.max_rss_kb)
        self.cpu.append(run.cpu_seconds)
        self.failed += run.returncode != 0

    def as_dict(self) -> dict:
        if not self.runs:
            return {"median_s": None, "min_s": None, "max_s": None, "runs_s": [], "failed": 0}
        return {
            "median_s": round(statistics.median(self.runs), 3),
            "min_s": round(min(self.runs), 3),
            "max_s": round(max(self.runs), 3),
            "runs_s": [round(r, 3) for r in self.runs],
            "cpu_median_s": round(statistics.median(self.cpu), 3),
            "peak_rss_mb": round(max(self.rss_kb) / 1024, 1),
            "failed": self.failed,
        }


def tree_size(path: Path) -> tuple[int, int]:
    """(bytes, files) under ``path``."""
    total = files = 0
    for dirpath, _, names in os.walk(path):
        for name in names:
            total += os.path.getsize(os.path.join(dirpath, name))
            files += 1
    return total, files


def search_payload(output: Path) -> dict:
    """Gzipped bytes a first search downloads: lunr.js + index + document store."""
    sizes = {}
    for kind, pattern in (
        ("lunr", "lunr.*.js"),
        ("index", "index.*.json"),
        ("store", "store.*.json"),
    ):
        found = sorted((output / "search").glob(pattern)) if (output / "search").is_dir() else []
        if found:
            data = found[0].read_bytes()
            sizes[kind] = {"raw": len(data), "gzip": len(gzip.compress(data, 6))}
    return {"files": sizes, "gzip_total": sum(s["gzip"] for s in sizes.values())}


# --------------------------------------------------------------------------- corpora

_FRONT = re.compile(r"\A---\n(.*?\n)---\n", re.DOTALL)


def fallback_ingest(dump: Path, episodes: Path) -> None:
    """Episodes written without scripts/preprocess.py (it had not landed when this was written).

    Only so the build half of the benchmark can run; ingest time is then reported as missing.
    Tags come from the real tagger and taxonomy so tag pages have realistic sizes.
    """
    import hashlib

    import yaml

    from digest.tagging import tag_text
    from digest.taxonomy import load_taxonomy

    taxonomy = load_taxonomy(ROOT / "content" / "topics.yml")

    def tags_of(title: str, text: str) -> list[str]:
        try:
            return [m.slug for m in tag_text(title, text, taxonomy)]
        except Exception:  # the tagger is someone else's work in progress
            return []

    date_re = re.compile(
        r"(\d{4})-(\d{2})-(\d{2})|(\w+) (\d{1,2}), (\d{4})|(\d{1,2}) (\w+) (\d{4})"
    )
    months = {
        m: i + 1 for i, m in enumerate(dt.date(2000, k, 1).strftime("%B") for k in range(1, 13))
    }
    episodes.mkdir(parents=True, exist_ok=True)
    for number, line in enumerate(dump.read_text(encoding="utf-8").splitlines(), 1):
        if len(line) < 200:
            continue
        title = " ".join(line.split(".")[0].split()[:12])
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] + f"-{number}"
        day = dt.date(2025, 1, 1)
        match = date_re.search(line)
        if match and match.group(1):
            day = dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        elif match and match.group(4) in months:
            day = dt.date(int(match.group(6)), months[match.group(4)], int(match.group(5)))
        elif match and match.group(8) in months:
            day = dt.date(int(match.group(9)), months[match.group(8)], int(match.group(7)))
        front = {
            "title": title,
            "slug": slug,
            "date": day,
            "tags": tags_of(title, line),
            "summary": line[:200],
            "source": {
                "file": dump.name,
                "line": number,
                "sha256": hashlib.sha256(line.encode()).hexdigest(),
            },
        }
        text = "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n"
        (episodes / f"{slug}.md").write_text(text + line + "\n", encoding="utf-8")


def prepare_content(workdir: Path) -> Path:
    """A content folder like the real one (pages, registries), episodes added by ingest."""
    content = workdir / "content"
    if content.exists():
        shutil.rmtree(content)
    (content / "episodes").mkdir(parents=True)
    shutil.copytree(ROOT / "content" / "pages", content / "pages")
    for registry in ("topics.yml", "shows.yml"):
        if (ROOT / "content" / registry).exists():
            shutil.copy(ROOT / "content" / registry, content / registry)
    return content


def _native_value(value) -> str:
    return " ".join(str(value).split())


def write_stock_content(episodes: Path, target: Path) -> int:
    """The same episodes with Pelican's native metadata headers, for stock Pelican."""
    import yaml

    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    count = 0
    for path in sorted(episodes.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        match = _FRONT.match(text)
        front = yaml.safe_load(match.group(1)) if match else {}
        body = text[match.end() :] if match else text
        headers = [f"Title: {_native_value(front.get('title', path.stem))}"]
        if front.get("date"):
            headers.append(f"Date: {front['date']}")
        if front.get("slug"):
            headers.append(f"Slug: {front['slug']}")
        if front.get("tags"):
            headers.append("Tags: " + ", ".join(map(str, front["tags"])))
        if front.get("show"):
            headers.append(f"Category: {_native_value(front['show'])}")
        if front.get("summary"):
            headers.append(f"Summary: {_native_value(front['summary'])}")
        (target / path.name).write_text("\n".join(headers) + "\n\n" + body, encoding="utf-8")
        count += 1
    return count


STOCK_SETTINGS = """\
# Stock Pelican 4.12 for the benchmark: no plugins, default theme, Python-Markdown reader.
AUTHOR = "Bench"
SITENAME = "Stock"
SITEURL = ""
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
PLUGINS = []
DEFAULT_PAGINATION = 20
"""


def hugo_site(episodes: Path, site: Path) -> None:
    """A minimal Hugo site over the same Markdown: the pages our theme has, nothing more."""
    if site.exists():
        shutil.rmtree(site)
    (site / "content" / "episodes").mkdir(parents=True)
    for path in episodes.glob("*.md"):
        os.link(path, site / "content" / "episodes" / path.name)
    (site / "config.toml").write_text(
        'baseURL = "http://localhost/"\ntitle = "Bench"\n'
        "[pagination]\n  pagerSize = 20\npaginate = 20\n"
        '[taxonomies]\n  tag = "tags"\n  category = "show"\n'
        "[markup.goldmark.renderer]\n  unsafe = false\n",
        encoding="utf-8",
    )
    layouts = site / "layouts" / "_default"
    layouts.mkdir(parents=True)
    head = "<!doctype html><html><head><title>{{ .Title }}</title></head><body>"
    (layouts / "single.html").write_text(
        head + '<h1>{{ .Title }}</h1><time>{{ .Date.Format "2 January 2006" }}</time>'
        '<ul>{{ range .Params.tags }}<li><a href="/tags/{{ . | urlize }}/">{{ . }}</a></li>'
        "{{ end }}</ul>{{ .Content }}</body></html>",
        encoding="utf-8",
    )
    card = (
        '{{ range .Paginator.Pages }}<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}'
        "</a></h2><p>{{ .Summary }}</p></article>{{ end }}"
    )
    for name in ("list.html", "index.html"):
        (layouts / name).write_text(head + card + "</body></html>", encoding="utf-8")
    (layouts / "terms.html").write_text(
        head + '{{ range .Data.Terms.Alphabetical }}<a href="{{ .Page.RelPermalink }}">'
        "{{ .Page.Title }}</a> {{ .Count }}{{ end }}</body></html>",
        encoding="utf-8",
    )


# --------------------------------------------------------------------------- builds


class Bench:
    def __init__(self, workdir: Path, runs: int, log: Path) -> None:
        self.workdir = workdir
        self.runs = runs
        self.log = log

    def pelican(
        self, content: Path, output: Path, settings: Path, overrides: dict[str, str]
    ) -> list[str]:
        args = [PYTHON, "-m", "pelican", str(content), "-o", str(output), "-s", str(settings), "-q"]
        if overrides:
            # One -e with every pair: Pelican keeps only the last -e given.
            args += ["-e", *(f"{key}={value}" for key, value in overrides.items())]
        return args

    def our_overrides(self, content: Path, cache: Path, plugins: list[str] | None) -> dict:
        overrides = {
            "TOPICS_FILE": json.dumps(str(content / "topics.yml")),
            "SHOWS_FILE": json.dumps(str(content / "shows.yml")),
            "CACHE_PATH": json.dumps(str(cache)),
        }
        if plugins is not None:
            overrides["PLUGINS"] = json.dumps(plugins)
        return overrides


def our_plugins() -> list[str]:
    from pelican.settings import read_settings

    return list(read_settings(str(ROOT / "pelicanconf.py")).get("PLUGINS", []))


def edit_one_episode_tags(episodes: Path, toggle: int) -> Path:
    """Add (or remove again) one tag on one episode: an editor's smallest real edit."""
    import yaml

    path = sorted(episodes.glob("*.md"))[len(list(episodes.glob("*.md"))) // 2]
    text = path.read_text(encoding="utf-8")
    match = _FRONT.match(text)
    front = yaml.safe_load(match.group(1))
    tags = [t for t in front.get("tags", []) or [] if t != "developer-experience"]
    if toggle % 2 == 0:
        tags.append("developer-experience")
    front["tags"] = tags
    new = "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n"
    path.write_text(new + text[match.end() :], encoding="utf-8")
    return path


class Trash:
    """Old output trees, renamed aside (one ``rename``) instead of deleted before a timed run;
    :meth:`empty` deletes them once timing is over and waits out the kernel's memory of them."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    def set_aside(self, path: Path) -> None:
        if not path.exists():
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        while True:  # a name not taken, also by a run killed before it emptied the trash
            self.count += 1
            target = self.folder / f"{self.count}-{path.name}"
            if not target.exists():
                break
        path.rename(target)

    def empty(self, settle: bool) -> None:
        """Delete what was set aside; with ``settle``, sleep until files deleted now no longer
        slow down creating new ones (vm.dirty_expire_centisecs, 30 s by default, plus a margin)."""
        if not self.folder.exists():
            return
        shutil.rmtree(self.folder, ignore_errors=True)
        if settle:
            time.sleep(recently_deleted_window() + 5)


def recently_deleted_window() -> float:
    """Seconds during which ext4 (without a journal) will not reuse a freed inode."""
    try:
        return int(Path("/proc/sys/vm/dirty_expire_centisecs").read_text()) / 100
    except (OSError, ValueError):
        return 30.0


def bench_size(n: int, args, log: Path, trash: Trash) -> dict:
    work = args.out / str(n)
    work.mkdir(parents=True, exist_ok=True)
    result: dict = {"episodes_requested": n}

    dump_text, synthesiser = synthesise_dump(n, args.seed)
    dump = work / "dump.txt"
    dump.write_text(dump_text, encoding="utf-8")
    result["synthesiser"] = synthesiser
    result["dump_bytes"] = len(dump_text.encode())
    trash.set_aside(work / "content")
    content = prepare_content(work)
    episodes = content / "episodes"
    bench = Bench(work, args.runs, log)

    # 1. ingest ---------------------------------------------------------------------------
    ingest = Stat()
    if PREPROCESS.exists():
        for _ in range(args.runs):
            trash.set_aside(episodes)
            ingest.add(
                run_timed(
                    [PYTHON, str(PREPROCESS), str(dump), "--output", str(episodes), "--quiet"], log
                )
            )
        result["ingest"] = ingest.as_dict()
    else:
        fallback_ingest(dump, episodes)
        result["ingest"] = {**ingest.as_dict(), "note": "scripts/preprocess.py missing"}
    count = len(list(episodes.glob("*.md")))
    if count == 0:  # ingest broken right now: still measure the build, and say so
        result["ingest"]["note"] = "ingest produced no episodes; fallback writer used"
        fallback_ingest(dump, episodes)
        count = len(list(episodes.glob("*.md")))
    result["episodes"] = count
    print(f"[{n}] {count} episodes ingested", file=sys.stderr, flush=True)

    # 2. our build: full, no-change rebuild, one-episode tag edit --------------------------
    output, cache = work / "output", work / "cache"
    settings = ROOT / "pelicanconf.py"
    full, nochange, tagedit = Stat(), Stat(), Stat()
    for i in range(args.runs):
        trash.set_aside(output)
        trash.set_aside(cache)
        overrides = bench.our_overrides(content, cache, None)
        full.add(run_timed(bench.pelican(content, output, settings, overrides), log))
        nochange.add(run_timed(bench.pelican(content, output, settings, overrides), log))
        edit_one_episode_tags(episodes, i)
        tagedit.add(run_timed(bench.pelican(content, output, settings, overrides), log))
        if i % 2 == 0:
            edit_one_episode_tags(episodes, i + 1)  # put the tags back as ingest wrote them
    result["ours"] = {
        "full": full.as_dict(),
        "rebuild_nochange": nochange.as_dict(),
        "rebuild_tag_edit": tagedit.as_dict(),
    }
    size, files = tree_size(output)
    result["output"] = {"bytes": size, "files": files}
    result["search_payload"] = search_payload(output)
    print(f"[{n}] ours full {result['ours']['full']['median_s']} s", file=sys.stderr, flush=True)

    # 3. each plugin off in turn ------------------------------------------------------------
    plugins = our_plugins()
    result["plugins"] = plugins
    result["plugin_off"] = {}
    for plugin in plugins:
        if plugin in ESSENTIAL_PLUGINS:
            continue
        stat = Stat()
        rest = [p for p in plugins if p != plugin]
        for _ in range(args.variant_runs):
            out = work / "output-off"
            trash.set_aside(out)
            trash.set_aside(work / "cache-off")
            overrides = bench.our_overrides(content, work / "cache-off", rest)
            stat.add(run_timed(bench.pelican(content, out, settings, overrides), log))
        result["plugin_off"][plugin] = stat.as_dict()
        trash.set_aside(work / "output-off")

    # 4. stock Pelican ----------------------------------------------------------------------
    stock_content = work / "stock-content"
    trash.set_aside(stock_content)
    write_stock_content(episodes, stock_content)
    stock_settings = work / "stockconf.py"
    stock_settings.write_text(STOCK_SETTINGS, encoding="utf-8")
    stock = Stat()
    for _ in range(args.runs):
        out = work / "output-stock"
        trash.set_aside(out)
        stock.add(run_timed(bench.pelican(stock_content, out, stock_settings, {}), log))
    result["stock"] = {"full": stock.as_dict()}
    result["stock"]["output_files"] = tree_size(work / "output-stock")[1]
    print(f"[{n}] stock {result['stock']['full']['median_s']} s", file=sys.stderr, flush=True)

    # 5. Hugo -------------------------------------------------------------------------------
    hugo = shutil.which("hugo")
    if hugo and not args.no_hugo:
        site = work / "hugo"
        trash.set_aside(site)
        hugo_site(episodes, site)
        stat = Stat()
        for _ in range(args.runs):
            trash.set_aside(site / "public")
            stat.add(run_timed([hugo, "--buildFuture", "--quiet", "-d", "public"], log, cwd=site))
        result["hugo"] = {"full": stat.as_dict(), "version": _hugo_version(hugo)}
    else:
        result["hugo"] = None
    return result


def _hugo_version(hugo: str) -> str:
    out = subprocess.run([hugo, "version"], capture_output=True, text=True, check=False).stdout
    return out.strip().split(" ")[1] if out.strip() else "?"


# --------------------------------------------------------------------------- reporting


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    mem = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = int(line.split()[1]) // 1024
    except OSError:
        pass
    import pelican

    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "mem_mb": mem,
        "python": platform.python_version(),
        "pelican": pelican.__version__,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def _fmt(stat: dict | None) -> tuple[str, str, str, str]:
    if not stat or stat.get("median_s") is None:
        return "n/a", "", "", ""
    return (
        f"{stat['median_s']:.2f}",
        f"{stat['min_s']:.2f}–{stat['max_s']:.2f}",
        f"{stat['cpu_median_s']:.2f}",
        f"{stat['peak_rss_mb']:.0f}",
    )


def table(results: dict) -> str:
    lines = []
    for n, r in results["sizes"].items():
        stock = r["stock"]["full"]["median_s"] or float("nan")
        stock_cpu = r["stock"]["full"].get("cpu_median_s") or float("nan")
        lines.append(
            f"\n## {r['episodes']} episodes (requested {n}; dump {r['dump_bytes'] / 1e6:.1f} MB)"
        )
        lines.append(
            f"{'measure':44} {'median s':>9} {'min–max s':>13} {'cpu s':>8} {'peak MB':>8}"
            f" {'× stock':>8} {'cpu× stock':>10}"
        )
        rows = [
            ("ingest (scripts/preprocess.py)", r["ingest"]),
            ("stock Pelican 4.12, full build", r["stock"]["full"]),
            ("ours, full build", r["ours"]["full"]),
            ("ours, rebuild, no change (cache)", r["ours"]["rebuild_nochange"]),
            ("ours, rebuild after 1 episode tag edit", r["ours"]["rebuild_tag_edit"]),
        ]
        rows += [(f"ours without {p}", s) for p, s in r["plugin_off"].items()]
        kept_on = [f"{p} ({why})" for p, why in ESSENTIAL_PLUGINS.items() if p in r["plugins"]]
        if r.get("hugo"):
            rows.append((f"Hugo {r['hugo']['version']} --buildFuture", r["hugo"]["full"]))
        for label, stat in rows:
            median, spread, cpu, rss = _fmt(stat)
            ratio = cpu_ratio = ""
            if stat and stat.get("median_s") is not None and not label.startswith("ingest"):
                ratio = f"{stat['median_s'] / stock:.2f}"
                cpu_ratio = f"{stat['cpu_median_s'] / stock_cpu:.2f}"
            if stat and stat.get("failed"):
                ratio, cpu_ratio = "FAILED", f"{stat['failed']} runs"
            lines.append(
                f"{label:44} {median:>9} {spread:>13} {cpu:>8} {rss:>8} {ratio:>8} {cpu_ratio:>10}"
            )
        full = r["ours"]["full"]["median_s"]
        tag = r["ours"]["rebuild_tag_edit"]["median_s"]
        lines.append(f"tag-edit rebuild / our full build: {tag / full:.2f}")
        if kept_on and r["plugin_off"]:
            lines.append(f"never switched off: {', '.join(kept_on)}")
        lines.append(
            f"output: {r['output']['bytes'] / 1e6:.1f} MB in {r['output']['files']} files; "
            f"search payload (gzip lunr.js+index+store): "
            f"{r['search_payload']['gzip_total'] / 1e3:.0f} kB"
        )
    sizes = list(results["sizes"].values())
    if len(sizes) >= 2:
        small, big = sizes[0], sizes[-1]
        ratio = big["ours"]["full"]["median_s"] / small["ours"]["full"]["median_s"]
        episodes_ratio = big["episodes"] / small["episodes"]
        # The synthesised corpora do not land on exactly 10× the episodes (near-duplicates
        # merge at different rates), so the time ratio is also given per 10× episodes: linear
        # growth is 10× there whatever the corpora's actual sizes.
        per_tenfold = ratio * 10 / episodes_ratio
        results["scaling"] = {
            "ours_full_ratio": round(ratio, 2),
            "episodes_ratio": round(episodes_ratio, 2),
            "ours_full_ratio_per_tenfold_episodes": round(per_tenfold, 2),
        }
        lines.append(
            f"\nscaling: our full build {big['episodes']}/{small['episodes']} episodes"
            f" = {ratio:.2f}× time for {episodes_ratio:.2f}× episodes"
            f" ({per_tenfold:.2f}× per 10× episodes)"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated episode counts")
    parser.add_argument("--runs", type=int, default=3, help="runs per timing (median reported)")
    parser.add_argument(
        "--variant-runs",
        type=int,
        default=None,
        help="runs per plugin-off build (default --runs; 0 skips them)",
    )
    parser.add_argument("--smoke", action="store_true", help="~200 episodes, 1 run (CI)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="work folder (git-ignored)")
    parser.add_argument(
        "--json", type=Path, default=None, help="results file (default OUT/results.json)"
    )
    parser.add_argument("--no-hugo", action="store_true")
    args = parser.parse_args(argv)
    if args.smoke:
        args.sizes, args.runs = "200", 1
    if args.variant_runs is None:
        args.variant_runs = args.runs
    args.out = args.out.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    log = args.out / "bench.log"
    log.write_text("")

    results: dict = {
        "machine": machine(),
        "command": " ".join(
            [Path(sys.executable).name, "scripts/bench.py", *(argv or sys.argv[1:])]
        ),
        "runs": args.runs,
        "seed": args.seed,
        "sizes": {},
    }
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    trash = Trash(args.out / ".trash")
    trash.empty(settle=bool(sizes) and not args.smoke)  # a previous run's leftovers
    for i, n in enumerate(sizes):
        results["sizes"][str(n)] = bench_size(n, args, log, trash)
        trash.empty(settle=i + 1 < len(sizes))
    text = table(results)
    m = results["machine"]
    print(f"# bench: {m['nproc']} cores, {m['cpu']}, {m['mem_mb']} MB, Python {m['python']}")
    print(text)
    json_path = args.json or args.out / "results.json"
    json_path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nJSON: {json_path}\nlog: {log}")
    failed = [
        f"{n}:{k}" for n, r in results["sizes"].items() for k, s in r["ours"].items() if s["failed"]
    ]
    if failed:
        print(f"FAILED builds: {failed} (see {log})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
