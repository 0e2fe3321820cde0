"""Every built page carries the CSP meta tag and needs nothing it forbids.

The policy (theme/templates/base.html) must keep `default-src 'self'` and never allow inline
script; pages must carry no inline script bodies, no on* handler attributes and no style=
attributes (style-src 'self' blocks them too, so they would be silently broken). Checked on the
sample slice and on the XSS-corpus site. JSON-LD data blocks (type="application/ld+json") are not
executed and CSP does not govern them; they are allowed but must be valid JSON with no "</".
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.conftest import BuiltSite
from tests.fixtures.xss.xss_site import XssSite, build_xss_site

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def xss_site(tmp_path_factory: pytest.TempPathFactory) -> XssSite:
    return build_xss_site(tmp_path_factory.mktemp("xss-site"))


def parse_policy(content: str) -> dict[str, list[str]]:
    policy: dict[str, list[str]] = {}
    for directive in content.split(";"):
        parts = directive.split()
        if parts:
            policy[parts[0].lower()] = [p.lower() for p in parts[1:]]
    return policy


def page_problems(path: Path) -> list[str]:
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    problems = []
    metas = [
        meta
        for meta in soup.find_all("meta")
        if (meta.get("http-equiv") or "").lower() == "content-security-policy"
    ]
    if len(metas) != 1:
        return [f"{len(metas)} CSP meta tags"]
    meta = metas[0]
    head = meta.find_parent("head")
    if head is None:
        return ["CSP meta tag is not in <head>"]
    elements = head.find_all(True)
    loaders = [i for i, el in enumerate(elements) if el.name in ("script", "link", "style")]
    if loaders and loaders[0] < elements.index(meta):
        problems.append("CSP meta tag must come before any script, style or link in <head>")
    policy = parse_policy(meta.get("content", ""))
    if policy.get("default-src") != ["'self'"]:
        problems.append(f"default-src is {policy.get('default-src')}")
    script_src = policy.get("script-src", policy.get("default-src", []))
    for bad in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"):
        if bad in script_src:
            problems.append(f"script-src allows {bad}")
    if "'unsafe-inline'" in policy.get("style-src", []):
        problems.append("style-src allows 'unsafe-inline'")
    if policy.get("object-src", policy.get("default-src")) not in (["'none'"], ["'self'"]):
        problems.append("object-src is not restricted")
    for script in soup.find_all("script"):
        kind = (script.get("type") or "").lower()
        if script.get("src"):
            continue
        if kind == "application/ld+json":
            text = script.string or ""
            if "</" in text:
                problems.append("JSON-LD block contains '</'")
            try:
                json.loads(text)
            except ValueError:
                problems.append("JSON-LD block is not valid JSON")
        else:
            problems.append(f"inline script body: {str(script)[:120]}")
    for element in soup.find_all(True):
        for attribute in element.attrs:
            if attribute.lower().startswith("on"):
                problems.append(f"handler attribute {attribute}: {str(element)[:120]}")
            if attribute.lower() == "style":
                problems.append(f"style attribute: {str(element)[:120]}")
    for element in soup.find_all("style"):
        problems.append(f"inline <style> element: {str(element)[:120]}")
    return problems


def assert_site_clean(output: Path) -> int:
    pages = sorted(output.rglob("*.html"))
    assert pages, f"no pages under {output}"
    failures = {str(p.relative_to(output)): page_problems(p) for p in pages}
    failures = {page: problems for page, problems in failures.items() if problems}
    assert not failures, "\n".join(f"{page}: {problems}" for page, problems in failures.items())
    return len(pages)


def test_sample_site_pages_all_carry_a_strict_csp(sample_site: BuiltSite) -> None:
    assert assert_site_clean(sample_site.output) >= 10


def test_xss_corpus_site_pages_all_carry_a_strict_csp(xss_site: XssSite) -> None:
    assert assert_site_clean(xss_site.output) >= 3 * len(xss_site.vectors)


def test_the_checker_sees_what_it_must_reject(tmp_path: Path) -> None:
    csp = '<meta http-equiv="Content-Security-Policy" content="default-src \'self\'">'
    page = tmp_path / "p.html"
    page.write_text(f"<html><head>{csp}</head><body><p onclick=x style=a>x</p>"
                    "<script>alert(1)</script></body></html>")  # fmt: skip
    problems = page_problems(page)
    assert any("onclick" in p for p in problems) and any("style attribute" in p for p in problems)
    assert any("inline script" in p for p in problems)
    page.write_text(
        '<html><head><meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'self'; script-src 'self' 'unsafe-inline'\"></head></html>"
    )
    assert any("unsafe-inline" in p for p in page_problems(page))
