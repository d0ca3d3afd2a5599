from __future__ import annotations

import pytest

from conflictlens.lexicons import CANONICAL_IDS, LexiconError, alias_key, load_actors

HEADER = "entity_id,entity_type,affiliation,alias,kind\n"


def _minimal_rows() -> str:
    rows = []
    for cid in CANONICAL_IDS:
        etype = "capital" if cid == "baghdad" else "state"
        aff = "iraq" if cid == "baghdad" else ""
        rows.append(f"{cid},{etype},{aff},{cid.replace('_', ' ').title()},name\n")
    return "".join(rows)


def write(tmp_path, extra=""):
    p = tmp_path / "actors.csv"
    p.write_text("# comment line\n" + HEADER + _minimal_rows() + extra, encoding="utf-8")
    return p


def test_shipped_gazetteer_has_every_canonical_id_and_variants():
    a = load_actors()
    assert set(CANONICAL_IDS) <= set(a.entity_id)
    kh = set(a.loc[a.entity_id == "kataeb_hezbollah", "alias"])
    assert {
        "Kataeb Hezbollah",
        "Kata'ib Hezbollah",
        "Kataib Hezbollah",
        "Kata'ib Hizballah",
        "Hezbollah Brigades",
        "KH",
    } <= kh
    hez = set(a.loc[a.entity_id == "hezbollah_lebanon", "alias"])
    assert {"Hezbollah", "Hizballah", "Hizbullah"} <= hez
    assert a.loc[a.alias == "Baghdad", "entity_type"].item() == "capital"
    assert a.loc[a.alias == "Baghdad", "affiliation"].item() == "iraq"
    assert a.loc[a.alias == "KH", "kind"].item() == "acronym"


def test_minimal_file_loads(tmp_path):
    assert len(load_actors(write(tmp_path))) == len(CANONICAL_IDS)


def test_reading_is_cached_by_content_and_returns_a_fresh_copy(tmp_path):
    p = write(tmp_path)
    first = load_actors(p)
    first.loc[0, "alias"] = "changed by the caller"
    assert "changed by the caller" not in set(load_actors(p).alias)
    p.write_text(p.read_text() + "iraq,,,Mesopotamia,alias\n")  # edited at once: same second
    assert "Mesopotamia" in set(load_actors(p).alias)
    p.write_text(p.read_text() + "iraq,,,Babylon,nickname\n")
    with pytest.raises(LexiconError):  # a bad edit still fails, though a good version is cached
        load_actors(p)


@pytest.mark.parametrize(
    "extra, message",
    [
        (
            "iraq,state,,Hezbollah Brigades,alias\nhamas,,,hezbollah-brigades,alias\n",
            "already claimed by iraq on line",
        ),
        ("newthing,militia,,New Thing,name\n", "unknown entity_type 'militia'"),
        ("iran,,,Persia,nickname\n", "unknown kind 'nickname'"),
        ("Bad-Id,state,,Bad,name\n", "must be snake_case"),
        ("iraq,armed_group,,Mesopotamia,alias\n", "has type 'armed_group' here but 'state'"),
        ("mosul,city,ninawa,Mosul,name\n", "affiliation 'ninawa' of mosul is not an entity_id"),
        ("iraq,state,,,name\n", "empty alias"),
        ("iraq,state,,A,name,extra\n", "cells but the header has 5"),
    ],
)
def test_bad_rows_fail_with_file_and_line(tmp_path, extra, message):
    p = write(tmp_path, extra)
    with pytest.raises(LexiconError) as exc:
        load_actors(p)
    text = str(exc.value)
    assert message in text
    assert text.startswith(f"{p}:")
    n_lines = len(p.read_text().splitlines())
    assert f":{n_lines}:" in text or f":{n_lines - 1}:" in text


def test_missing_canonical_id(tmp_path):
    p = tmp_path / "actors.csv"
    p.write_text(HEADER + "iraq,state,,Iraq,name\n")
    with pytest.raises(LexiconError, match="canonical id\\(s\\) missing: kataeb_hezbollah"):
        load_actors(p)


def test_missing_column(tmp_path):
    p = tmp_path / "actors.csv"
    p.write_text("entity_id,alias\niraq,Iraq\n")
    with pytest.raises(
        LexiconError,
        match=r"actors.csv:1: missing column\(s\) \['entity_type', 'affiliation', 'kind'\]",
    ):
        load_actors(p)


def test_alias_key_ignores_case_accents_apostrophes_hyphens():
    assert alias_key("Kata’ib Ḥezbollah") == alias_key("kataib-hezbollah") == "kataibhezbollah"
