"""dedupe.py: the same episode listed twice becomes one; different shows never merge."""

from digest.ingest.dedupe import Candidate, find_duplicates

TEXT = (
    "Heroku has been undergoing a major transformation, re-platforming its entire Platform as "
    "a Service offering over the past year and a half. This ambitious effort, dubbed Fir, will "
    "soon reach general availability according to the company and its chief marketing officer."
)


def test_exact_and_spacing_and_case_duplicates() -> None:
    cands = [Candidate(0, TEXT), Candidate(1, "  " + TEXT.upper().replace(" ", "   "))]
    groups = find_duplicates(cands, {0: 10, 1: 10})
    assert len(groups) == 1 and groups[0].keep == 0 and groups[0].merged == (1,)


def test_truncated_copy_and_tracking_params_merge_into_the_longest() -> None:
    longer = TEXT + " Learn more at https://thenewstack.io/heroku?utm_source=x today."
    cut = TEXT[:200]
    groups = find_duplicates([Candidate(0, cut), Candidate(1, longer)], {0: 200, 1: 400})
    assert len(groups) == 1 and groups[0].keep == 1


def test_different_shows_or_numbers_are_different_episodes() -> None:
    a = Candidate(0, TEXT, show="a")
    b = Candidate(1, TEXT, show="b")
    assert find_duplicates([a, b], {}) == []
    c = Candidate(2, TEXT, number=3)
    d = Candidate(3, TEXT, number=4)
    assert find_duplicates([c, d], {}) == []


def test_unrelated_blurbs_about_the_same_guest_stay_apart() -> None:
    a = Candidate(
        0,
        "Francis Lacoste enters the podcast to speak about how he fuels growth "
        "for VPs of Engineering as a coach drawing on decades at Heroku.",
    )
    b = Candidate(
        1,
        "Today Laura and Kevin speak with Francis Lacoste. Francis is an "
        "Engineering Leadership Coach who helps CTOs at scaling startups.",
    )
    assert find_duplicates([a, b], {}) == []
