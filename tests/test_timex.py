"""Dating expressions: tense-aware resolution against the publication date."""

from __future__ import annotations

import random
import re
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conflictlens import timex
from conflictlens.lexicons import LexiconError
from conflictlens.text import make_doc

THU = date(2024, 2, 8)  # a Thursday


@pytest.fixture(scope="module")
def model():
    return timex.build()


def one(text, published=THU, model=None):
    found = timex.find(text, published, model)
    assert len(found) == 1, [t.text for t in found]
    return found[0]


def span(t):
    return (str(t.date_start) if t.date_start else None, str(t.date_end) if t.date_end else None,
            t.precision)  # fmt: skip


@pytest.mark.parametrize(
    "text, expected",
    [
        # past clause: the last such weekday before publication; the same weekday is a week back
        ("Gunmen attacked the checkpoint on Monday night.", ("2024-02-05", "2024-02-05", "day")),
        ("Police said the convoy was stopped on Thursday.", ("2024-02-01", "2024-02-01", "day")),
        ("Tuesday's raid destroyed a depot.", ("2024-02-06", "2024-02-06", "day")),
        # future clause: the next such weekday after publication
        ("The ministers will meet on Monday in Amman.", ("2024-02-12", "2024-02-12", "day")),
        ("The envoy is expected to arrive on Thursday.", ("2024-02-15", "2024-02-15", "day")),
        ("Delegates will be received next Tuesday.", ("2024-02-13", "2024-02-13", "day")),
        ("Voting took place last Friday.", ("2024-02-02", "2024-02-02", "day")),
    ],
)
def test_weekdays_follow_the_tense_of_their_clause(text, expected, model):
    assert span(one(text, model=model)) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The base was shelled today.", ("2024-02-08", "2024-02-08", "day")),
        ("Two drones were downed yesterday.", ("2024-02-07", "2024-02-07", "day")),
        ("Sirens sounded last night.", ("2024-02-07", "2024-02-07", "day")),
        ("Shells fell on the town overnight.", ("2024-02-07", "2024-02-08", "day")),
        ("The port reopened three days ago.", ("2024-02-05", "2024-02-05", "day")),
        ("A convoy was ambushed two weeks ago.", ("2024-01-25", "2024-01-25", "week")),
        ("Talks stalled last week.", ("2024-01-29", "2024-02-04", "week")),
        ("Earlier this week the group issued a statement.", ("2024-02-05", "2024-02-08", "week")),
        ("The inquiry opens next week.", ("2024-02-12", "2024-02-18", "week")),
        ("Exports fell last month.", ("2024-01-01", "2024-01-31", "month")),
        ("Earlier this month a tanker was seized.", ("2024-02-01", "2024-02-08", "part_of_month")),
        ("The fighting peaked late last month.", ("2024-01-21", "2024-01-31", "part_of_month")),
        ("Last year the toll doubled.", ("2023-01-01", "2023-12-31", "year")),
    ],
)
def test_deictic_expressions(text, expected, model):
    assert span(one(text, model=model)) == expected


def test_a_week_ago_is_the_day_minus_seven_trusted_to_the_week(model):
    t = one("A week ago, jets struck depots in the desert.", model=model)
    assert (t.date, t.date_start, t.date_end, t.precision) == (
        date(2024, 2, 1), date(2024, 2, 1), date(2024, 2, 1), "week")  # fmt: skip


@pytest.mark.parametrize(
    "published, text, expected",
    [
        (date(2024, 1, 15), "Mortars hit the camp in mid-October.", ("2023-10-11", "2023-10-20")),
        (date(2024, 2, 8), "A truck bomb exploded in late January.", ("2024-01-21", "2024-01-31")),
        (
            date(2024, 2, 8),
            "The truce collapsed at the end of November.",
            ("2023-11-21", "2023-11-30"),
        ),
        (date(2024, 2, 8), "Elections will be held in early June.", ("2024-06-01", "2024-06-10")),
        (
            date(2023, 11, 20),
            "The exercise resumes at the beginning of January.",
            ("2024-01-01", "2024-01-10"),
        ),
        (
            date(2024, 3, 2),
            "Elections are due in late February 2025.",
            ("2025-02-21", "2025-02-28"),
        ),
    ],
)
def test_parts_of_a_month_infer_the_year_from_publication(published, text, expected, model):
    t = one(text, published, model)
    assert (str(t.date_start), str(t.date_end), t.precision) == (*expected, "part_of_month")


def test_since_opens_an_interval_that_runs_to_publication(model):
    t = one("Since mid-October, the bases have been hit often.", date(2024, 1, 20), model)
    assert (t.kind, t.text, str(t.date_start), str(t.date_end)) == (
        "since", "Since mid-October", "2023-10-11", "2024-01-20")  # fmt: skip
    t = one("Prices have doubled since March 3.", date(2024, 1, 20), model)
    assert (t.kind, str(t.date_start), t.precision) == ("since", "2023-03-03", "day")


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "The deal was signed on March 31.",
            "2023-03-31",
        ),  # past: the latest March 31 not after publication
        ("The summit opens on March 31.", "2024-03-31"),  # no tense cue: the nearer reading
        ("The summit will open on March 31.", "2024-03-31"),
        ("It was signed on 14 Sept. 2019 in Geneva.", "2019-09-14"),
        ("Troops left on Jan. 30.", "2024-01-30"),
        ("The ruling of 2023-06-05 stands.", "2023-06-05"),
        ("Sirens sounded on Christmas Eve.", "2023-12-24"),
    ],
)
def test_explicit_dates_with_and_without_a_year(text, expected, model):
    assert str(one(text, date(2024, 2, 8), model).date_start) == expected


def test_ranges_cover_both_bounds(model):
    t = one("Curfews applied from March 16 to 19.", date(2024, 3, 25), model)
    assert (t.kind, str(t.date_start), str(t.date_end)) == ("range", "2024-03-16", "2024-03-19")
    t = one("Talks ran from Monday to Wednesday.", THU, model)
    assert (str(t.date_start), str(t.date_end)) == ("2024-02-05", "2024-02-07")


@pytest.mark.parametrize(
    "text",
    [
        "Officials cited Article 51 of the Charter.",
        "The council passed Resolution 2334.",
        "Shelling may resume at any time.",
        "Thousands will march through the capital.",
        "The 2,500 troops stay.",
        "Checkpoints stay open 24/7.",
        "A 48-hour truce began.",
        "Tower 22 sits near the border.",
        "The shops open at 9 a.m.",
    ],
)
def test_numbers_and_words_that_are_not_dates(text, model):
    assert timex.find(text, THU, model) == []


def test_without_a_publication_date_relative_expressions_stay_unresolved(model):
    rel = one("The depot burned on Sunday.", None, model)
    assert (rel.date, rel.date_start, rel.date_end) == (None, None, None)
    absolute = one("The accord was signed on 3 May 2021.", None, model)
    assert absolute.date == date(2021, 5, 3)


def test_extract_rows_carry_offsets_that_slice_the_text(model):
    text = "Rockets hit the base on Tuesday.\n\nThe talks will resume next month, officials said."
    doc = make_doc("x1", text, published=THU)
    rows = timex.extract(doc, model, {})["timexes"]
    assert [r["sent_idx"] for r in rows] == [0, 1]
    for r in rows:
        assert text[r["start"] : r["end"]] == r["text"]
        assert list(r) == timex.TIMEX_COLUMNS
    assert rows[1]["tense"] == "future" and str(rows[1]["date_start"]) == "2024-03-01"


def test_tense_of_the_nearest_cue_wins(model):
    s = "officials said the talks will be held on sunday"
    i = s.index("on sunday")
    assert timex.clause_tense(s, i, i + 9, model) == "future"  # "held" after "be" is a participle


def test_bad_lexicon_row_names_file_and_line(tmp_path):
    for name in ("timex_words.csv", "tense_cues.csv"):
        src = timex.lexicons.default_dir() / name
        (tmp_path / name).write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    p = tmp_path / "timex_words.csv"
    p.write_text(p.read_text(encoding="utf-8") + "octember,month,13\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"timex_words\.csv:\d+: month value 13 out of range"):
        timex.build(tmp_path)


WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@settings(max_examples=60, deadline=None)
@given(pub=st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)),
       wd=st.integers(min_value=0, max_value=6))  # fmt: skip
def test_weekday_resolution_properties(pub, wd):
    model = (
        timex.build()
        if not hasattr(test_weekday_resolution_properties, "m")
        else test_weekday_resolution_properties.m
    )
    test_weekday_resolution_properties.m = model
    past = timex.find(f"The depot was hit on {WEEKDAYS[wd]}.", pub, model)[0].date
    future = timex.find(f"The envoy will arrive on {WEEKDAYS[wd]}.", pub, model)[0].date
    assert past.weekday() == wd == future.weekday()
    assert timedelta(days=1) <= pub - past <= timedelta(days=7)
    assert timedelta(days=1) <= future - pub <= timedelta(days=7)


@pytest.mark.parametrize(
    "published, text, expected",
    [
        # Monday: the weekend just gone; Sunday: the one under way; future: the coming one
        (
            date(2024, 1, 29),
            "This attack over the weekend was escalatory.",
            ("2024-01-27", "2024-01-28", "week"),
        ),
        (
            date(2024, 1, 28),
            "Rockets hit the base over the weekend.",
            ("2024-01-27", "2024-01-28", "week"),
        ),
        (THU, "Talks will resume over the weekend.", ("2024-02-10", "2024-02-11", "week")),
    ],
)
def test_over_the_weekend(published, text, expected, model):
    assert span(one(text, published, model)) == expected


def test_a_verb_before_the_expression_governs_it_over_a_later_future_cue(model):
    # "targeted ... on Monday, and the operations will continue": Monday is past
    t = one("Our fighters targeted the base with two drones on Monday, and the operations will continue.",
            THU, model)  # fmt: skip
    assert str(t.date) == "2024-02-05" and t.tense == "past"
    # a fronted expression still takes the verb after it
    assert str(one("On Sunday, talks will resume in Doha.", THU, model).date) == "2024-02-11"


def _ungated(model):
    # the same alternatives without the lookahead that skips hopeless positions
    body = model.pattern.pattern
    return re.compile(r"\b" + body[body.index("(?:(?P<iso>") :])


def _date_soup(model, seed, n=3000):
    """Every pair of the words the alternatives know (with numbers and fillers), then random
    runs of them with assorted separators."""
    words = [*model.months, *model.weekdays, *model.relative_days, *model.parts, *model.anchors,
             *model.named_days, *timex._NUM_WORDS, *timex._YEAR_PREPOSITIONS, *timex._PAST,
             "the", "ago", "hours", "night", "morning", "evening", "weekend", "week", "weeks",
             "month", "months", "year", "years", "days", "day", "overnight", "earlier", "later",
             "over", "during", "at", "on", "to", "and", "percent", "troops", "attack", "said",
             "24", "48", "3", "15th", "2023", "2024", "1990s", "2024-01-28", "1/28/2024", "x"]  # fmt: skip
    seps = [" ", " ", " ", "  ", "\n", "-", ", ", ". ", "'s "]
    r = random.Random(seed)
    texts = [f"{a} {b}" for a in words for b in words]
    for _ in range(n):
        k = r.randint(1, 7)
        texts.append("".join(r.choice(words) + r.choice(seps) for _ in range(k)))
    return texts


def _matches(pattern, text):
    return [(m.span(), m.groupdict()) for m in pattern.finditer(text)]


def test_the_start_gate_only_skips_positions_where_nothing_matches(model, tmp_path):
    for name in ("timex_words.csv", "tense_cues.csv"):
        src = timex.lexicons.default_dir() / name
        (tmp_path / name).write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    # a lexicon with a new anchor and a multi-word relative day: the gate follows the lexicon
    p = tmp_path / "timex_words.csv"
    p.write_text(p.read_text(encoding="utf-8") + "following,anchor,1\nday before yesterday,"
                 "relative_day,-2\nthe ides of,part_of_month,11-20\n", encoding="utf-8")  # fmt: skip
    found = 0
    for m, seed in ((model, 1), (timex.build(tmp_path), 2)):
        ungated = _ungated(m)
        for text in _date_soup(m, seed):
            got = _matches(m.pattern, text)
            assert got == _matches(ungated, text), text
            found += len(got)
    assert found > 2000  # the soup is full of dates: the comparison is not vacuous


def test_tense_cue_trie_matches_the_longest_first_alternation(model, tmp_path):
    # the cues are compiled as a trie; the flat alternation (longest cue first) is the
    # reference. A lexicon with cues that start other cues ("will", "will be") is checked too.
    for name in ("timex_words.csv", "tense_cues.csv"):
        src = timex.lexicons.default_dir() / name
        (tmp_path / name).write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    p = tmp_path / "tense_cues.csv"
    p.write_text(p.read_text(encoding="utf-8") + "will be,future\nwill be held,future\n"
                 "set,past\nset to be,future\n", encoding="utf-8")  # fmt: skip
    r = random.Random(3)
    found = 0
    for lexicon_dir in (timex.lexicons.default_dir(), tmp_path):
        m = timex.build(lexicon_dir)
        words = [timex.fold(c) for c in timex.lexicons.load_table(
            lexicon_dir / "tense_cues.csv", ["cue", "tense"]).cue]  # fmt: skip
        body = m.tense_cues.pattern
        flat = re.compile(body[: body.index("(?P<cue>") + 8] + timex._alt(words)
                          + body[body.index(")|(?P<ed>") :])  # fmt: skip
        assert flat.pattern != body
        vocab = [*{w for c in words for w in c.split()}, "attacked", "united", "be", "is", "x",
                 "the", "on", "sunday", "held", "going", "to", "ed", "so-called", "seed"]  # fmt: skip
        seps = [" ", "  ", "\n", "-", ", ", ". ", "'", "'s "]
        for _ in range(4000):
            text = "".join(r.choice(vocab) + r.choice(seps) for _ in range(r.randint(1, 8)))
            got = [(x.span(), x.groupdict()) for x in m.tense_cues.finditer(text)]
            assert got == [(x.span(), x.groupdict()) for x in flat.finditer(text)], text
            found += len(got)
    assert found > 5000


def test_each_expression_takes_the_tense_of_its_own_nearest_cue(model):
    # a sentence's cues are found once: every expression still gets its own nearest cue
    text = ("Militants attacked the base on Monday and officials will meet on Friday, "
            "after talks held last week and a vote expected next month.")  # fmt: skip
    found = timex.find(text, THU, model)
    folded = timex.fold(text)
    assert len(found) == 4
    for t in found:
        assert t.tense == timex.clause_tense(folded, t.start, t.end, model), t.text
    assert [t.tense for t in found][:2] == ["past", "future"]
