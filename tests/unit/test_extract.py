"""extract.py: the facts a blurb states, and nothing it does not."""

import datetime as dt

from digest.ingest.extract import TITLE_MAX, concise_title, extract

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
    assert "- 02:49 Introduction" in e.body
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
