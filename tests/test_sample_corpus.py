"""The embedded sample corpus and reference events: complete, clean, in period."""

from __future__ import annotations

import pandas as pd

from conflictlens.corpus import load_acled, load_corpus

from conftest import ROOT

OUTLETS = {"Meridian Wire", "Potomac Briefing Digest", "Two Rivers Ledger", "Axis Voice",
           "Levant Translation Monitor", "Gulf Horizon", "Northbridge Security Review"}  # fmt: skip
START, END = pd.Timestamp("2023-10-01"), pd.Timestamp("2024-03-31")


def test_sample_loads_without_rejects_and_covers_period_and_outlets():
    c = load_corpus(ROOT / "data" / "raw" / "sample")
    a = c.articles
    assert len(c.rejects) == 0
    assert len(a) >= 150
    assert a.published.notna().all() and a.date_issue.isna().all()
    assert a.published.min() >= START and a.published.max() <= END
    assert set(a.published.dt.strftime("%Y-%m")) == {
        "2023-10",
        "2023-11",
        "2023-12",
        "2024-01",
        "2024-02",
        "2024-03",
    }
    assert set(a.outlet) == OUTLETS
    assert a.groupby("outlet").size().min() >= 15
    assert (a.language == "en").all()


def test_sample_is_labelled_as_written_for_the_project():
    readme = (ROOT / "data" / "raw" / "sample" / "README.md").read_text()
    assert "written for this project" in readme and "NOT real reporting" in readme


def test_reference_events_in_acled_layout_and_inside_corpus_period():
    events, rejects = load_acled(ROOT / "data" / "events" / "reference_events.csv")
    assert len(rejects) == 0 and len(events) >= 20
    assert events.date.between(START, END).all()
    assert set(events.event_type) <= {
        "drone_strike",
        "rocket_attack",
        "missile_attack",
        "air_strike",
        "ied_attack",
        "attack",
    }
    tower22 = events[events.date == "2024-01-28"]
    assert len(tower22) == 1 and tower22.iloc[0].killed == 3
    assert {"2023-10-17", "2024-02-02", "2024-02-07"} <= set(events.date.dt.strftime("%Y-%m-%d"))
    raw = pd.read_csv(ROOT / "data" / "events" / "reference_events.csv")
    for col in [
        "event_id_cnty",
        "event_date",
        "event_type",
        "sub_event_type",
        "actor1",
        "country",
        "location",
        "fatalities",
    ]:
        assert col in raw.columns
