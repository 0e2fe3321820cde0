"""extract.py: the facts a blurb states, and nothing it does not."""

import datetime as dt
from pathlib import Path

import pytest
import yaml

from digest.ingest.extract import TITLE_MAX, concise_title, extract, weak_end

SEDAILY = (
    "AI tools are transforming how developers write code. This evolution has given rise to a "
    "new coding paradigm in which developers act as directors, The post Vibe Coding at Heroku "
    "with Vish Abrams appeared first on Software Engineering Daily."
)


def test_the_post_trailer_gives_title_guest_show_and_truncation() -> None:
    e = extract(SEDAILY)
    assert e.title == "Vibe Coding at Heroku with Vish Abrams" and e.title_explicit
    assert e.show_name == "Software Engineering Daily"
    assert e.guests == ["Vish Abrams"]
    assert e.truncated
    assert "appeared first" not in e.body


def test_glued_title_and_date() -> None:
    e = extract(
        "Deploying Rails Without Tears 8/13/2025 In this episode we talk with Dana Whitfield, "
        "CTO of Shipyard, about moving a monolith off Heroku."
    )
    assert e.title == "Deploying Rails Without Tears"
    assert e.date == dt.date(2025, 8, 13)
    assert e.guests == ["Dana Whitfield"]


def test_numbered_title_ends_where_the_description_restates_it() -> None:
    e = extract(
        "SaaStr 732: What It's Like Running a Profitable $400M Public SaaS Company with Vimeo "
        "CEO Adam Gross and SaaStr CEO and Founder Jason Lemkin Vimeo CEO and SaaS veteran "
        "Adam Gross and Jason Lemkin recently hosted a fireside chat at SaaStr Miami.",
        known_hosts=("Jason Lemkin",),
    )
    assert e.episode == 732
    assert e.title == "What It's Like Running a Profitable $400M Public SaaS Company"
    assert e.guests == ["Adam Gross"]


def test_recorded_date_number_and_hosts_are_not_guests() -> None:
    e = extract(
        "Welcome to episode 257 of the Cloud Pod podcast. Corey Quinn welcomes Adam Zimman back "
        "to talk platforms. Note: this was recorded on 13th December 2024."
    )
    assert e.episode == 257
    assert e.date == dt.date(2024, 12, 13)
    assert e.guests == ["Adam Zimman"]


def test_event_dates_are_not_episode_dates() -> None:
    assert extract("Code BEAM Lite London 2025 is on January 31, with great talks.").date is None


def test_chapters_time_first_and_label_first() -> None:
    e = extract(
        "Adam joins us. (02:49) Introduction (04:01) Adam's journey in tech (06:15) The rise of "
        "developer experience (10:03) The constant drive of improving UX — This episode is "
        "brought to you by WorkOS."
    )
    assert [(c.time, c.label) for c in e.chapters] == [
        ("02:49", "Introduction"),
        ("04:01", "Adam's journey in tech"),
        ("06:15", "The rise of developer experience"),
        ("10:03", "The constant drive of improving UX"),
    ]
    assert "02:49" not in e.body and "Adam joins us." in e.body and "WorkOS" in e.body
    e = extract(
        "Highlights include:Peter's background in data (0:26)Introduction to PLG (4:18)Starting "
        "in data at Heroku (6:05)The Data Stack Show is a weekly podcast."
    )
    assert [c.label for c in e.chapters] == [
        "Peter's background in data",
        "Introduction to PLG",
        "Starting in data at Heroku",
    ]


def test_transcript_is_placed_after_the_notes_and_marked() -> None:
    notes = "Stephanie and Joël talk about query plans and workshops. "
    turns = " ".join(
        f"STEPHANIE: Point number {i} about plans. JOËL: Agreed {i}." for i in range(300)
    )
    e = extract(notes + "Transcript: " + turns)
    assert e.transcript is not None
    head, _, tail = e.body.partition("## Transcript")
    assert "query plans" in head and "STEPHANIE: Point number 0" in tail
    assert e.summary == "Stephanie and Joël talk about query plans and workshops."


def test_links_language_and_scrubbing() -> None:
    e = extract(
        "Hoje falamos sobre engenharia de plataforma e como times pequenos podem adotar um PaaS "
        "sem perder o controle. Veja https://x.com/p?utm_source=a&access_token=eyJhbGciOiJIUzI1"
        "NiJ9.eyJzdWIiOiIxMjM0In0.abc123def456 (link)."
    )
    assert e.language == "pt"
    assert [lk.url for lk in e.links] == ["https://x.com/p"]
    assert "utm_" not in e.body and "eyJ" not in e.body
    assert "<https://x.com/p>" in e.body


def test_summary_is_short_and_ends_on_a_sentence() -> None:
    text = " ".join(
        f"Sentence number {i} says something quite specific about PaaS." for i in range(30)
    )
    e = extract(text)
    assert e.summary and len(e.summary) <= 300 and e.summary.endswith(".")


def test_concise_titles_end_on_a_whole_word() -> None:
    long = (
        "Corey Quinn welcomes Adam Zimman back to Screaming in the Cloud for a sponsored "
        "episode featuring Heroku by Salesforce"
    )
    title = concise_title(long)
    assert len(title) <= TITLE_MAX and long.startswith(title)
    assert title == "Corey Quinn welcomes Adam Zimman back to Screaming in the Cloud"
    assert not title.endswith((",", ":", "-", " the", " a"))


def test_markdown_specials_in_prose_are_escaped() -> None:
    e = extract("# Not a heading *really* with [brackets] and x < y and add_note() today ok.")
    assert e.body.startswith("\\# Not a heading \\*really\\*")
    assert "add_note()" in e.body and "x \\< y" in e.body


# --- titles: one fixture case per rule (tests/fixtures/ingest/titles.yml) ---------------------

TITLE_CASES = yaml.safe_load(
    (Path(__file__).parent.parent / "fixtures" / "ingest" / "titles.yml").read_text("utf-8")
)


@pytest.mark.parametrize("case", TITLE_CASES, ids=[c["rule"][:60] for c in TITLE_CASES])
def test_title_rules_on_fixtures(case: dict[str, str]) -> None:
    title = extract(case["text"]).title
    assert title == case["title"]
    assert len(title) <= TITLE_MAX and not weak_end(title)
    assert not title.endswith((",", ":", ";", "-", "–", "—", "("))


SAMPLE = Path(__file__).parent.parent.parent / "data" / "blurbs" / "heroku-directory-sample.txt"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (38, "The Cloud Pod 257: Meta's release of Llama 3"),
        (51, "Dokku, Summary of Major Changes Between Python Versions, speedtest-cli"),
        (52, "Retiring a small, internally-used link-shortening app"),
        (34, "How to Hire AI Engineers"),
        (25, "What groundbreaking feature has Rails 8 introduced"),
    ],
)
def test_sample_titles_say_what_the_episode_is_about(line: int, expected: str) -> None:
    text = SAMPLE.read_text("utf-8").split("\n")[line - 1]
    assert extract(text).title == expected


@pytest.mark.parametrize(
    ("title", "weak"),
    [
        ("Stephanie shares her task of retiring a small", True),
        ("Owen and Dan delve into the complexities of building advanced", True),
        ("Benchmarks put Mistral up against", True),
        ("Benchmarks put Mistral up against Google's", True),
        ("How frameworks and infrastructure evolve with each other", False),
        ("Benchmarks put Mistral Large", False),
        ("Retiring a small, internally-used link-shortening app", False),
    ],
)
def test_weak_title_ends(title: str, weak: bool) -> None:
    assert weak_end(title) is weak


def test_concise_title_never_cuts_a_name_from_its_version_or_adjectives_from_their_noun() -> None:
    text = "Everybody's benchmarks this month put Mistral Large up against Google's Gemini 1.5 Pro"
    title = concise_title(text)
    assert not title.endswith(("Gemini", "Google's", "against")) and text.startswith(title)
    text = "Dana walks us through retiring a small, internally-used feature flag service at work"
    assert not concise_title(text).endswith(("a small", "internally-used"))


def test_schedule_and_meta_sentences_never_become_titles() -> None:
    for text in (
        "Sponsored by us! Usually Tuesdays at 11am PT. Older video versions available there too. "
        "Michael covers Dokku, an open source PaaS.",
        "Listeners loved our previous episode and were so glad to have them back. "
        "Kubernetes operators, explained by the people who write them.",
    ):
        title = extract(text).title
        assert not title.startswith(("Usually", "Older", "Listeners", "Sponsored")), title


# --- chapters are kept once: front matter, not the body ----------------------------------------


def test_chapter_list_leaves_the_body_and_its_heading_with_it() -> None:
    e = extract(
        "Our guest explains buildpacks. Chapters:00:00 Intro 03:10 Why buildpacks 09:45 "
        "Migrating off Heroku 15:20 Wrap-up. Find us at example.fm every week."
    )
    assert [c.time for c in e.chapters] == ["00:00", "03:10", "09:45", "15:20"]
    assert "Our guest explains buildpacks." in e.body and "Find us at example.fm" in e.body
    assert "Chapters" not in e.body and "03:10" not in e.body and "Why buildpacks" not in e.body
    assert e.tag_body and "- 03:10 Why buildpacks" in e.tag_body


def test_label_first_chapter_list_and_highlights_heading_leave_the_body() -> None:
    e = extract(
        "Peter joins Eric and Kostas. Highlights from this week's conversation include:Peter's "
        "background in data (0:26)Introduction to PLG (4:18)Starting in data at Heroku (6:05)"
        "The Data Stack Show is a weekly podcast powered by RudderStack."
    )
    assert len(e.chapters) == 3
    assert "Highlights" not in e.body and "(4:18)" not in e.body
    assert "Peter joins Eric and Kostas." in e.body and "weekly podcast" in e.body
