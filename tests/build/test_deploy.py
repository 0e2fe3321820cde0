"""Deploying to GitHub Pages: the workflows, publishconf.py, CNAME, branch publishing, caching.

Real components throughout: the actionlint binary from the venv, real Pelican builds with
publishconf.py, the Makefile's own ghp-import command against a scratch git repository.
"""

from __future__ import annotations

import gzip
import json
import os
import pickle
import re
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup

from tests.conftest import ROOT, prepare_content, run_pelican

WORKFLOWS = ROOT / ".github" / "workflows"
PAGES_WORKFLOW = WORKFLOWS / "pages.yml"
VENV_BIN = Path(sys.executable).parent
URL_ATTRIBUTES = [
    ("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"), ("source", "src"),
    ("form", "action"), ("iframe", "src"),
]  # fmt: skip
SEARCH_FORM_ATTRIBUTES = ("data-entry", "data-worker", "data-base")

EPISODES = {
    "heroku-dynos-explained": ("Heroku dynos explained", "2024-03-01", ["heroku"]),
    "kubernetes-for-app-developers": (
        "Kubernetes for app developers", "2024-02-01", ["kubernetes"]
    ),
    "platform-teams-and-paved-roads": ("Platform teams and paved roads", "2024-01-01", []),
}  # fmt: skip


def write_episodes(content: Path) -> None:
    """A few hand-written episodes in the ingest's format (no dependency on the ingest)."""
    for slug, (title, date, tags) in EPISODES.items():
        (content / "episodes" / f"{slug}.md").write_text(
            "---\n"
            f"title: {title}\nslug: {slug}\ndate: {date}\nshow: Deploy Test Show\n"
            f"tags: [{', '.join(tags)}]\nsummary: {title}, in short.\n"
            "---\n"
            f"{title}: a test episode with an [external link](https://example.com/{slug}).\n",
            encoding="utf-8",
        )


def publish(
    workdir: Path, env: dict[str, str], extra_settings: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess, Path]:
    content = workdir / "content"
    if not content.exists():
        content = prepare_content(workdir)
        write_episodes(content)
    output = workdir / "output"
    env = {"SITEURL": "", "CNAME": "", **env}
    result = run_pelican(content, output, "publishconf.py", env, extra_settings)
    return result, output


def published(workdir: Path, **env: str) -> Path:
    result, output = publish(workdir, env)
    assert result.returncode == 0, result.stdout + result.stderr
    processed = re.search(r"Processed (\d+) articles?", result.stdout + result.stderr)
    assert processed and int(processed.group(1)) == len(EPISODES), result.stdout
    return output


# --- 1. the workflows -----------------------------------------------------------------------


def test_actionlint_passes_on_every_workflow() -> None:
    actionlint = VENV_BIN / "actionlint"
    assert actionlint.exists(), f"{actionlint} is missing: pip install -r requirements-dev.txt"
    workflows = sorted(WORKFLOWS.glob("*.y*ml"))
    assert PAGES_WORKFLOW in workflows
    result = subprocess.run(
        [str(actionlint), "-no-color", *map(str, workflows)],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def load_workflow(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as True
    return data


def step_using(steps: list[dict], action: str) -> tuple[int, dict]:
    found = [(i, s) for i, s in enumerate(steps) if s.get("uses", "").startswith(action + "@")]
    assert len(found) == 1, f"exactly one step uses {action}: {found}"
    return found[0]


def test_pages_workflow_builds_with_configure_pages_and_deploys() -> None:
    workflow = load_workflow(PAGES_WORKFLOW)
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in workflow["on"]
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert workflow["concurrency"]["group"] == "pages"

    build = workflow["jobs"]["build"]["steps"]
    checkout, _ = step_using(build, "actions/checkout")
    python_at, python = step_using(build, "actions/setup-python")
    assert python["with"]["cache"] == "pip"
    assert "requirements" in python["with"]["cache-dependency-path"]
    node_at, node = step_using(build, "actions/setup-node")
    assert node["with"]["cache"] == "npm"
    pages_at, pages = step_using(build, "actions/configure-pages")
    cache_at, cache = step_using(build, "actions/cache")
    upload_at, upload = step_using(build, "actions/upload-pages-artifact")
    assert upload["with"]["path"] == "output"
    make_at = [i for i, s in enumerate(build) if "make publish" in s.get("run", "")]
    assert len(make_at) == 1, "one step runs `make publish`"
    make = build[make_at[0]]
    assert make["env"]["SITEURL"] == f"${{{{ steps.{pages['id']}.outputs.base_url }}}}"
    assert checkout < python_at < make_at[0] and node_at < make_at[0] and pages_at < make_at[0]
    assert cache_at < make_at[0] < upload_at

    # The Pelican content cache: the folder publishconf.py caches into, keyed on hashes.
    settings = publish_settings("https://user.github.io/repo")
    cache_path = Path(settings["CACHE_PATH"]).resolve()
    assert cache_path.is_relative_to(ROOT / cache["with"]["path"]), cache_path
    assert settings["CACHE_CONTENT"] and settings["LOAD_CONTENT_CACHE"]
    assert settings["CHECK_MODIFIED_METHOD"] == "md5", "a checkout resets mtimes: compare hashes"
    assert "hashFiles(" in cache["with"]["key"] and cache["with"].get("restore-keys")

    deploy_job = workflow["jobs"]["deploy"]
    assert deploy_job["needs"] == "build" or deploy_job["needs"] == ["build"]
    assert deploy_job["environment"]["name"] == "github-pages"
    _, deploy = step_using(deploy_job["steps"], "actions/deploy-pages")
    assert deploy_job["environment"]["url"] == f"${{{{ steps.{deploy['id']}.outputs.page_url }}}}"


def test_ci_workflow_runs_the_ci_entry_point() -> None:
    workflow = load_workflow(WORKFLOWS / "ci.yml")
    assert "pull_request" in workflow["on"] and "push" in workflow["on"]
    runs = [s.get("run", "") for job in workflow["jobs"].values() for s in job["steps"]]
    assert "bash .ci/run" in runs


def publish_settings(siteurl: str, cname: str = "") -> dict:
    """publishconf.py as Pelican reads it, in a subprocess with the given environment."""
    code = (
        "import json; from pelican.settings import read_settings; "
        "s = read_settings('publishconf.py'); "
        "print(json.dumps({k: v for k, v in s.items() if isinstance(v, (str, bool, list))}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False,
        env={**os.environ, "SITEURL": siteurl, "CNAME": cname},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- 2. publishconf.py ----------------------------------------------------------------------


@pytest.mark.parametrize("siteurl", ["", "   ", "user.github.io/repo", "ftp://user.github.io"])
def test_publishconf_fails_clearly_without_an_absolute_siteurl(
    tmp_path: Path, siteurl: str
) -> None:
    result, output = publish(tmp_path, {"SITEURL": siteurl})
    assert result.returncode != 0
    message = result.stdout + result.stderr
    assert "publishconf.py" in message and "SITEURL" in message, message
    assert not (output / "index.html").exists()


def test_publish_settings_are_production_settings() -> None:
    settings = publish_settings("https://user.github.io/repo/")
    assert settings["SITEURL"] == "https://user.github.io/repo"
    assert settings["RELATIVE_URLS"] is False
    assert settings["FEED_DOMAIN"] == settings["SITEURL"]
    assert settings["FEED_ALL_ATOM"] and settings["FEED_ALL_RSS"], "feeds on"
    assert settings["DELETE_OUTPUT_DIRECTORY"] is True
    assert "cname" in settings["PLUGINS"]


def test_cname_is_written_when_set(tmp_path: Path) -> None:
    output = published(tmp_path, SITEURL="https://digest.example.org", CNAME="Digest.Example.org")
    assert (output / "CNAME").read_text(encoding="ascii") == "digest.example.org\n"


def test_no_cname_without_a_custom_domain(tmp_path: Path) -> None:
    (tmp_path / "output").mkdir()
    (tmp_path / "output" / "CNAME").write_text("stale.example.org\n")  # from an earlier build
    output = published(tmp_path, SITEURL="https://user.github.io/repo")
    assert (output / "index.html").exists()
    assert not (output / "CNAME").exists()


@pytest.mark.parametrize(
    ("siteurl", "cname"),
    [("https://user.github.io", "digest.example.org"), ("https://a.example", "https://a.example")],
)
def test_a_cname_that_does_not_match_siteurl_fails_clearly(
    tmp_path: Path, siteurl: str, cname: str
) -> None:
    result, _ = publish(tmp_path, {"SITEURL": siteurl, "CNAME": cname})
    assert result.returncode != 0
    assert "CNAME" in result.stdout + result.stderr


def internal_urls(output: Path) -> list[tuple[str, str]]:
    """(file, url) for every URL the built pages, feeds and sitemap point to."""
    found: list[tuple[str, str]] = []
    for page in output.rglob("*.html"):
        name = page.relative_to(output).as_posix()
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag, attribute in URL_ATTRIBUTES:
            found += [(name, e[attribute]) for e in soup.find_all(tag, attrs={attribute: True})]
        for form in soup.select("form.search-form"):
            found += [(name, form[a]) for a in SEARCH_FORM_ATTRIBUTES if form.get(a)]
    for feed in [*output.rglob("*.xml")]:
        name = feed.relative_to(output).as_posix()
        for element in ET.parse(feed).getroot().iter():
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "link" and element.get("href"):
                found.append((name, element.get("href")))
            elif tag in ("link", "loc") and (element.text or "").strip():
                found.append((name, element.text.strip()))
    return found


@pytest.mark.parametrize(
    "siteurl",
    ["https://user.github.io", "https://user.github.io/repo", "https://digest.example.org"],
    ids=["user-site", "project-site", "custom-domain"],
)
def test_every_link_is_absolute_under_siteurl_and_resolves(tmp_path: Path, siteurl: str) -> None:
    output = published(tmp_path, SITEURL=siteurl)
    host, path = urlsplit(siteurl).hostname, urlsplit(siteurl).path
    urls = internal_urls(output)
    assert len({name for name, _ in urls}) >= 10, "pages, feeds and the sitemap were read"
    problems, relative_links, checked = [], [], 0
    for name, url in urls:
        if url.startswith("#"):
            continue
        parts = urlsplit(url)
        if not parts.scheme and (url.startswith("/") or name == "404.html"):
            # "/x" leaves a project site's /<repo>/; 404.html is served at any depth.
            problems.append(f"{name}: {url!r} breaks under a subpath; use an absolute URL")
            continue
        if not parts.scheme:
            relative_links.append(f"{name}: {url}")  # from Markdown; resolves like a browser
            parts = urlsplit(urljoin(f"{siteurl}/{name.removesuffix('index.html')}", url))
        if parts.hostname != host:
            continue  # an external link (example.com in the episodes)
        if parts.scheme != "https" or not (parts.path + "/").startswith(path + "/"):
            problems.append(f"{name}: {url} is not under {siteurl}/")
            continue
        relative = parts.path[len(path) :].lstrip("/")
        target = output / relative
        if not relative or relative.endswith("/"):
            target = target / "index.html"
        if not target.is_file():
            problems.append(f"{name}: {url} → missing {target.relative_to(output)}")
        checked += 1
    assert not problems, "\n".join(problems[:40])
    assert checked >= 50, checked
    print(f"{checked} internal links checked; relative ones (from Markdown): {relative_links}")
    home = BeautifulSoup((output / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert home.select_one('link[rel="alternate"][type="application/atom+xml"]')["href"] == (
        f"{siteurl}/feeds/all.atom.xml"
    )
    assert home.select_one("a.site-name, header a")["href"] == f"{siteurl}/"
    # The theme's own URLs (stylesheets, scripts, search files) are absolute under SITEURL.
    chrome = [e["href"] for e in home.select('link[rel="stylesheet"]')]
    chrome += [e["src"] for e in home.select("script[src]")]
    form = home.select_one("form.search-form")
    chrome += [form[a] for a in SEARCH_FORM_ATTRIBUTES if form.get(a)]
    assert len(chrome) >= 5 and all(url.startswith(f"{siteurl}/") for url in chrome), chrome


# --- content cache --------------------------------------------------------------------------


def test_production_content_cache_survives_a_checkout_that_resets_mtimes(tmp_path: Path) -> None:
    """Files are compared by hash: new mtimes reuse the cache, new content does not."""
    cache = tmp_path / "cache"
    caching = {
        "CACHE_CONTENT": "true",
        "LOAD_CONTENT_CACHE": "true",
        "CACHE_PATH": f'"{cache}"',
    }
    env = {"SITEURL": "https://user.github.io/repo"}
    result, output = publish(tmp_path, env, caching)
    assert result.returncode == 0, result.stdout + result.stderr
    readers_cache = cache / "ArticlesGenerator-Readers"
    assert readers_cache.exists(), sorted(p.name for p in cache.iterdir())

    # Mark the cached copy of one episode, then give every file a new mtime, as a checkout does.
    raw = readers_cache.read_bytes()
    gzipped = raw[:2] == b"\x1f\x8b"  # GZIP_CACHE may be on or off
    data = pickle.loads(gzip.decompress(raw) if gzipped else raw)
    source = next(path for path in data if path.endswith("heroku-dynos-explained.md"))
    stamp, (body, metadata) = data[source]
    metadata["title"] = "Served from the cache"
    data[source] = (stamp, (body, metadata))
    raw = pickle.dumps(data)
    readers_cache.write_bytes(gzip.compress(raw) if gzipped else raw)
    for path in (tmp_path / "content").rglob("*"):
        os.utime(path, (1_900_000_000, 1_900_000_000))

    result, output = publish(tmp_path, env, caching)
    assert result.returncode == 0, result.stdout + result.stderr
    page = output / "episodes" / "heroku-dynos-explained" / "index.html"
    assert "Served from the cache" in page.read_text(encoding="utf-8"), "cache reused"

    # An edited file is read again.
    episode = tmp_path / "content" / "episodes" / "heroku-dynos-explained.md"
    episode.write_text(episode.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
    result, output = publish(tmp_path, env, caching)
    assert result.returncode == 0, result.stdout + result.stderr
    html = page.read_text(encoding="utf-8")
    assert "Served from the cache" not in html and "Heroku dynos explained" in html


# --- 4. branch publishing -------------------------------------------------------------------


def makefile_ghp_import_command() -> list[str]:
    """The ghp-import command `make deploy-ghp` runs, after the production build."""
    result = subprocess.run(
        ["make", "-n", "deploy-ghp"], capture_output=True, text=True, cwd=ROOT, check=False,
        env={**os.environ, "SITEURL": "https://user.github.io/repo"},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    ghp = [i for i, line in enumerate(lines) if "ghp-import" in line]
    build = [i for i, line in enumerate(lines) if "pelican" in line and "publishconf.py" in line]
    assert len(ghp) == 1 and build and build[-1] < ghp[0], result.stdout
    return shlex.split(lines[ghp[0]])


def test_deploy_ghp_publishes_output_to_a_gh_pages_branch_with_nojekyll(tmp_path: Path) -> None:
    command = makefile_ghp_import_command()
    assert {"--no-jekyll", "--push"} <= set(command)
    assert command[command.index("--branch") + 1] == "gh-pages" and command[-1] == "output"

    output = published(
        tmp_path / "site", SITEURL="https://digest.example.org", CNAME="digest.example.org"
    )
    repo = tmp_path / "repo"
    repo.mkdir()
    git_env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Deploy Test", "GIT_AUTHOR_EMAIL": "deploy@example.org",
        "GIT_COMMITTER_NAME": "Deploy Test", "GIT_COMMITTER_EMAIL": "deploy@example.org",
    }  # fmt: skip

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=repo, env=git_env, capture_output=True, text=True, check=True
        )
        return done.stdout

    git("init", "--quiet", "--initial-branch=main")
    git("commit", "--quiet", "--allow-empty", "-m", "main")
    # The Makefile's command, minus --push (there is no remote here), from the repository root.
    command = [c for c in command if c != "--push"]
    command[0] = str(ROOT / command[0]) if not Path(command[0]).is_absolute() else command[0]
    command[-1] = str(output)
    result = subprocess.run(
        command, cwd=repo, env=git_env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr

    files = set(git("ls-tree", "-r", "--name-only", "gh-pages").split())
    assert {".nojekyll", "CNAME", "index.html", "sitemap.xml", "feeds/all.atom.xml"} <= files
    assert "episodes/heroku-dynos-explained/index.html" in files
    assert git("show", "gh-pages:CNAME") == "digest.example.org\n"
    assert git("rev-parse", "--abbrev-ref", "HEAD").strip() == "main", "main is untouched"
