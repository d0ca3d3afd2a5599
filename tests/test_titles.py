"""The titles lexicon (issue 10): who held "the President" and when, validated on load."""

from __future__ import annotations

from datetime import date

import pytest

from conflictlens.lexicons import LexiconError, default_dir, load_actors, load_titles

HEADER = "title,entity_id,start,end,scope\n"


def write(tmp_path, rows: str):
    p = tmp_path / "titles.csv"
    p.write_text("# comment\n" + HEADER + rows, encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def actors():
    return load_actors()


def test_shipped_titles_follow_the_public_record():
    t = load_titles()
    wh = t[t.scope == "whitehouse.gov"].set_index("title")

    def holder(title, day):
        rows = wh.loc[[title]]
        hit = rows[(rows.start <= day) & (rows.end.isna() | (rows.end > day))]
        return hit.entity_id.tolist()

    assert holder("the President", date(2024, 1, 28)) == ["joe_biden"]
    assert holder("the President", date(2021, 1, 19)) == ["donald_trump"]
    assert holder("the Vice President", date(2024, 2, 16)) == ["kamala_harris"]
    assert holder("the National Security Advisor", date(2024, 1, 16)) == ["jake_sullivan"]
    assert holder("the Secretary of State", date(2023, 10, 30)) == ["antony_blinken"]
    assert holder("the Secretary of Defense", date(2023, 10, 30)) == ["lloyd_austin"]
    assert holder("the Press Secretary", date(2023, 10, 30)) == ["karine_jean_pierre"]
    assert holder("the Press Secretary", date(2022, 5, 1)) == []  # no one listed: no guess


def test_minimal_file_loads(tmp_path, actors):
    t = load_titles(write(tmp_path, "the President,joe_biden,2021-01-20,2025-01-20,any\n"), actors)
    assert t[["title", "entity_id", "start", "end", "scope"]].values.tolist() == [
        ["the President", "joe_biden", date(2021, 1, 20), date(2025, 1, 20), "any"]
    ]


@pytest.mark.parametrize(
    "rows, message",
    [
        ("the President,joe_biden,2021-13-01,2025-01-20,any\n", "start '2021-13-01' is not a date"),
        ("the President,joe_biden,2021-01-20,soon,any\n", "end 'soon' is not a date"),
        ("the President,joe_biden,2025-01-20,2021-01-20,any\n", "is not after start"),
        ("the President,joe_bidden,2021-01-20,2025-01-20,any\n", "'joe_bidden' is not in actors.csv"),
        ("the President,iran,2021-01-20,2025-01-20,any\n", "'iran' is not a person"),
        ("the President,joe_biden,2021-01-20,2025-01-20,\n", "empty scope"),
        ("the President,joe_biden,2021-01-20,2025-01-20,any\n"
         "the  president,donald_trump,2024-06-01,,any\n", "overlaps the term on line 3"),
    ],
)  # fmt: skip
def test_bad_rows_fail_with_file_and_line(tmp_path, actors, rows, message):
    path = write(tmp_path, rows)
    with pytest.raises(LexiconError, match=message) as err:
        load_titles(path, actors)
    assert f"{path}:" in str(err.value)


def test_terms_that_touch_do_not_overlap_and_scopes_are_separate(tmp_path, actors):
    rows = (
        "the President,donald_trump,2017-01-20,2021-01-20,any\n"
        "the President,joe_biden,2021-01-20,2025-01-20,any\n"
        "the President,joe_biden,2021-01-20,2025-01-20,whitehouse.gov\n"
    )
    assert len(load_titles(write(tmp_path, rows), actors)) == 3


def test_shipped_file_is_the_default():
    assert (default_dir() / "titles.csv").exists()
    assert len(load_titles(default_dir() / "titles.csv")) == len(load_titles())
