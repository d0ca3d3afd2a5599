"""Trends over unique events: series, change points, tallies, key events; notebook 02."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from conflictlens import trends
from conflictlens.lexicons import LexiconError

from conftest import ROOT


def unique(dates, **cols):
    n = len(dates)
    data = {"cluster_id": [f"E{i:04d}" for i in range(n)], "date": dates}
    for k, v in cols.items():
        data[k] = v if isinstance(v, list) else [v] * n
    return pd.DataFrame(data)


def test_weekly_series_fills_empty_weeks_and_splits_groups():
    ev = unique([date(2024, 1, 1), date(2024, 1, 7), date(2024, 1, 22), None],
                perpetrator_id=["a", "b", "a", "a"])  # fmt: skip
    s = trends.event_series(ev, freq="W")
    assert list(s.index.strftime("%Y-%m-%d")) == [
        "2024-01-01",
        "2024-01-08",
        "2024-01-15",
        "2024-01-22",
    ]
    assert s["events"].tolist() == [2, 0, 0, 1]  # the undated event is not placed
    by = trends.event_series(ev, freq="W", by="perpetrator_id")
    assert by.loc["2024-01-01"].to_dict() == {"a": 1, "b": 1}
    undated = trends.event_series(ev.assign(first_reported=date(2024, 1, 16)), undated="reported")
    assert undated["events"].sum() == 4


def test_series_groups_beyond_top_n_are_other_and_missing_is_unknown():
    ev = unique([date(2024, 1, 2)] * 7, event_type=["x", "x", "x", None, None, "y", "z"])
    s = trends.event_series(ev, freq="D", by="event_type", top_n=2)
    assert s.iloc[0].to_dict() == {"unknown": 2, "x": 3, "other": 2}


def test_selection_by_dates_and_ids():
    ev = unique([date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)],
                country_id=["iraq", "syria", "iraq"], event_type="drone_strike")  # fmt: skip
    sel = trends.select_events(ev, start="2024-01-15", countries=["iraq"])
    assert sel.cluster_id.tolist() == ["E0002"]


def test_change_points_find_a_level_shift_and_none_in_noise_free_flat_series():
    idx = pd.date_range("2023-10-02", periods=16, freq="W-MON")
    shifted = pd.Series([1, 0, 1, 1, 0, 1, 1, 0, 7, 8, 6, 7, 8, 7, 6, 8], index=idx)
    cp = trends.change_points(shifted)
    assert len(cp) == 1 and cp.period.iloc[0] == idx[8]
    assert cp.mean_before.iloc[0] < 1 < 6 < cp.mean_after.iloc[0]
    assert trends.change_points(pd.Series([3] * 16, index=idx)).empty
    # a huge penalty finds nothing; a tiny one finds more
    assert trends.change_points(shifted, penalty=1e6).empty
    assert len(trends.change_points(shifted, penalty=0.1)) >= 1


def test_rolling_rate_is_trailing():
    assert trends.rolling_rate(pd.Series([4, 0, 0, 0]), window=2).tolist() == [4.0, 2.0, 0.0, 0.0]


def test_tally_reconciliation_counts_the_tally_s_own_span_target_and_region():
    ta = pd.DataFrame({"article_id": ["a", "b"], "sent_idx": [0, 3], "count": [10, 4],
                       "qualifier": ["more_than", "exact"], "unit": ["attacks", "deaths"],
                       "since": [date(2024, 1, 1), None], "as_of": [date(2024, 1, 20)] * 2,
                       "target_id": ["united_states", None], "region": ["Iraq and Syria", None]})  # fmt: skip
    ev = unique([date(2023, 12, 30), date(2024, 1, 3), date(2024, 1, 9), date(2024, 1, 10), date(2024, 1, 25)],
                target_id=["united_states", "united_states", "united_states", "israel", "united_states"],
                country_id=["iraq", "syria", "jordan", "iraq", "iraq"])  # fmt: skip
    ref = pd.DataFrame({"date": pd.to_datetime(["2024-01-02", "2024-01-05", "2024-01-06"]),
                        "target_id": "united_states", "country_id": "iraq"})  # fmt: skip
    rec = trends.tally_reconciliation(ta, ev, ref)
    assert len(rec) == 1  # only tallies of attacks
    r = rec.iloc[0]
    assert (int(r.extracted), float(r.extracted_share), int(r.reference)) == (1, 0.1, 3)
    assert trends.main_target(rec) == "united_states"


def test_cumulative_counts_start_from_events_before_the_window():
    ev = unique([date(2024, 1, 1), date(2024, 1, 5), date(2024, 1, 6)])
    cum = trends.cumulative_counts(ev, start="2024-01-04", end="2024-01-07")
    assert cum["extracted"].tolist() == [1, 2, 3, 3]


def test_before_after_windows():
    d = pd.Timestamp("2024-01-28")
    ev = unique(
        [(d - timedelta(days=k)).date() for k in (20, 3, 1)]
        + [(d + timedelta(days=k)).date() for k in (0, 2, 13, 14)]
    )
    ba = trends.before_after(ev, pd.DataFrame({"date": [d], "label": ["x"]}), window_days=14)
    r = ba.iloc[0]
    assert (r.before, r.after, r.change, r.ratio) == (2, 3, 1, 1.5)


def test_coverage_period_defaults_to_publication_dates():
    arts = pd.DataFrame({"published": pd.to_datetime(["2024-01-03", "2023-12-30"])})
    lo, hi = trends.coverage_period({"articles": arts}, None, "2024-02-01")
    assert (str(lo.date()), str(hi.date())) == ("2023-12-30", "2024-02-01")


def test_key_events_file_validates(tmp_path):
    ke = trends.load_key_events()
    assert ke.date.is_monotonic_increasing and ke.label.str.len().gt(0).all()
    p = tmp_path / "key_events.csv"
    p.write_text("date,label\n2024-02-30,Impossible\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"key_events\.csv:2: not a calendar date"):
        trends.load_key_events(p)


def test_reference_list_loads_with_country_ids():
    ref = trends.load_reference("data/events/reference_events.csv")
    assert len(ref) > 0 and ref["date"].notna().all()
    assert set(ref.country_id.dropna()) <= {
        "iraq",
        "syria",
        "jordan",
        "yemen",
        "lebanon",
        "israel",
        "iran",
    }
    assert trends.load_reference(None) is None


@pytest.mark.slow
def test_notebook_02_runs_top_to_bottom(tmp_path):
    import papermill as pm

    out = tmp_path / "02.ipynb"
    pm.execute_notebook(str(ROOT / "notebooks" / "02_attack_trends.ipynb"), str(out),
                        parameters={"out_dir": str(tmp_path / "bundle")}, kernel_name="conflictlens",
                        cwd=str(ROOT / "notebooks"), progress_bar=False)  # fmt: skip
    figures = {p.name for p in (tmp_path / "bundle" / "figures").glob("*.png")}
    assert {"attacks_by_perpetrator.png", "attacks_by_type.png", "attack_tallies.png",
            "attacks_before_after.png"} <= figures  # fmt: skip
    tables = {p.stem for p in (tmp_path / "bundle" / "tables").glob("*.csv")}
    assert {
        "attack_events",
        "attack_events_acled",
        "attack_tallies",
        "attacks_change_points",
    } <= tables
