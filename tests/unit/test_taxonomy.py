"""digest/taxonomy.py: loading topics.yml, alias resolution, and loud failures with file:line."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from digest.taxonomy import (  # noqa: E402
    Taxonomy,
    TaxonomyError,
    Topic,
    load_taxonomy,
    normalise_key,
    parse_taxonomy,
)

TOPICS = ROOT / "content" / "topics.yml"
REQUIRED = [
    "heroku",
    "twelve-factor",
    "kubernetes",
    "rails-deploys",
    "fly-io",
    "platform-engineering",
    "developer-experience",
    "ai-coding",
    "incident-management",
    "containers-buildpacks",
    "observability",
    "databases",
    "serverless-edge",
    "elixir",
    "python-django",
    "javascript-node",
    "java-spring",
    "salesforce",
    "startups-saas",
    "careers-leadership",
    "cloud-providers",
    "open-source",
    "security",
    "scaling",
]


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy(TOPICS)


def test_ships_every_required_topic_with_name_and_description(taxonomy):
    assert set(REQUIRED) <= set(taxonomy.slugs)
    for topic in taxonomy:
        assert (topic.name.strip() and topic.name != topic.slug) or topic.slug == "heroku"
        assert len(topic.description) >= 80, topic.slug
        assert "\n" not in topic.description  # one paragraph
        assert topic.phrases or topic.acronyms or topic.regexes or topic.aliases, topic.slug


def test_topics_yml_is_commented():
    text = TOPICS.read_text(encoding="utf-8")
    assert sum(1 for ln in text.splitlines() if ln.lstrip().startswith("#")) >= 30


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Kubernetes", "kubernetes"),
        ("kubernetes", "kubernetes"),
        ("k8s", "kubernetes"),
        ("K8S", "kubernetes"),
        ("12-factor", "twelve-factor"),
        ("12 Factor", "twelve-factor"),
        ("Twelve Factor", "twelve-factor"),
        ("twelve_factor", "twelve-factor"),
        ("Twelve-Factor App", "twelve-factor"),
        ("Fly.io", "fly-io"),
        ("fly-io", "fly-io"),
        ("Ruby on Rails", "rails-deploys"),
        ("DevEx", "developer-experience"),
        ("Node.js", "javascript-node"),
        ("  Heroku ", "heroku"),
    ],
)
def test_resolve_spelling_variants(taxonomy, name, slug):
    assert taxonomy.resolve(name) == slug


def test_resolve_unknown(taxonomy):
    assert taxonomy.resolve("kubernets") is None
    assert taxonomy.resolve("") is None


def test_aliases_and_names_for_search(taxonomy):
    kube = taxonomy["kubernetes"]
    assert "k8s" in kube.aliases and kube.name == "Kubernetes"
    assert all(isinstance(a, str) for a in kube.aliases)


def test_normalise_key():
    assert normalise_key("Twelve-Factor") == normalise_key("twelve factor") == "twelvefactor"
    assert normalise_key("Élixir") == "elixir"


def _yml(topics: str, extra: str = "") -> str:
    return "topics:\n" + topics + extra


ONE = """  - slug: alpha
    name: Alpha
    description: The first.
    aliases: [a1]
"""


def test_collision_between_two_topics_fails_loudly_with_both_lines():
    text = _yml(
        ONE
        + """  - slug: beta
    name: Beta
    description: The second.
    aliases: [A-1]
"""
    )
    with pytest.raises(TaxonomyError) as err:
        parse_taxonomy(text, "t.yml")
    msg = str(err.value)
    assert msg.startswith("t.yml:6:") and "'alpha'" in msg and "line 2" in msg


def test_name_of_one_topic_as_slug_of_another_collides():
    text = _yml(
        ONE
        + """  - slug: beta
    name: alpha
    description: x
"""
    )
    with pytest.raises(TaxonomyError, match=r"t.yml:6: .*collides"):
        parse_taxonomy(text, "t.yml")


def test_duplicate_slug():
    with pytest.raises(TaxonomyError, match=r"t.yml:6: duplicate topic slug 'alpha'"):
        parse_taxonomy(_yml(ONE + ONE.replace("[a1]", "[]")), "t.yml")


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("topics: [\n  - a\n", r"^t.yml:\d+: broken YAML"),
        (_yml("  - slug: Bad Slug\n    name: B\n    description: d\n"), r"^t.yml:2: slug"),
        (_yml("  - slug: b\n    name: B\n"), r"^t.yml:2: topic needs a 'description'"),
        (_yml("  - slug: b\n    name: B\n    description: d\n    colour: red\n"), r"t.yml:5:"),
        (
            _yml("  - slug: b\n    name: B\n    description: d\n    match:\n      regex: ['(']\n"),
            r"^t.yml:\d+: .*bad regular expression",
        ),
        (_yml("  - slug: b\n    name: B\n    description: d\n    related: [zz]\n"), r"zz"),
        (_yml(ONE, "tagging:\n  threshold: high\n"), r"^t.yml:7: 'threshold' must be a number"),
        (_yml(ONE, "tagging:\n  bogus: 1\n"), r"^t.yml:7: unknown tagging setting"),
        ("topics: []\n", r"^t.yml:1: 'topics' must be a non-empty list"),
        (_yml(ONE + "    slug: again\n"), r"^t.yml:6: duplicate key 'slug'"),
    ],
)
def test_load_errors_carry_file_and_line(text, pattern):
    with pytest.raises(TaxonomyError, match=pattern):
        parse_taxonomy(text, "t.yml")


def test_missing_file(tmp_path):
    with pytest.raises(TaxonomyError, match="cannot read"):
        load_taxonomy(tmp_path / "nope.yml")


def test_direct_construction_also_checks_collisions():
    a = Topic("a", "A", "d", aliases=("x",))
    b = Topic("b", "B", "d", aliases=("X",))
    with pytest.raises(TaxonomyError):
        Taxonomy((a, b))


def test_rules_are_data(taxonomy):
    # the tagging rules and sponsor/former-employer patterns come from topics.yml
    assert taxonomy.rules.ignore_sentences and taxonomy.rules.former_employer
    assert "heroku" in taxonomy.rules.employer_topics
