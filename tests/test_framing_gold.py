"""Accuracy of quotes, speakers, scare quotes, frames and agency on the news gold set.

The gold set (tests/gold/news, README-news.md) was written apart from the sample corpus
and is used only to measure. Each test asserts the score measured when the extractor
was finished, minus a 0.02 margin, so a regression fails. The quote scores are set
against the Gender Gap Tracker's published quote F1 (0.837) and speaker accuracy (86%).

Reproduce: ``.venv/bin/python -c "from conflictlens import evaluation as E; print(E.score_quotes(), E.score_frames(), E.score_agency())"``
"""

from __future__ import annotations

import pytest

from conflictlens import evaluation

from conftest import ROOT

GOLD = ROOT / "tests" / "gold"
pytestmark = pytest.mark.skipif(
    not (GOLD / "README-news.md").exists(), reason="news gold set not complete yet"
)

MARGIN = 0.02
MEASURED = {
    ("quotes", "quote_f1", "f1"): 0.9485,
    ("quotes", "speaker_accuracy", "accuracy"): 0.8914,
    ("quotes", "scare_f1", "f1"): 0.7619,
    ("frames", "frame_f1", "f1"): 0.8263,
    ("agency", "agency_clause_f1", "f1"): 0.9333,
    ("agency", "agency_construction_accuracy", "accuracy"): 0.9048,
}
"""Scores measured on the finished extractors (first measured: quote F1 0.8539, speaker
accuracy 0.5668, scare F1 0.3774, frame F1 0.5449, clause F1 0.8437, construction 0.8059)."""


@pytest.fixture(scope="module")
def scores():
    return {
        "quotes": evaluation.score_quotes(GOLD),
        "frames": evaluation.score_frames(GOLD),
        "agency": evaluation.score_agency(GOLD),
    }


def _value(scores, scorer, measure, column):
    df = scores[scorer]
    return float(df.loc[df["measure"] == measure, column].item())


@pytest.mark.parametrize("key", list(MEASURED), ids=[k[1] for k in MEASURED])
def test_score_does_not_regress(scores, key):
    got = _value(scores, *key)
    assert got >= MEASURED[key] - MARGIN, f"{key[1]} fell to {got:.4f} (measured {MEASURED[key]})"


def test_beats_the_gender_gap_tracker(scores):
    assert _value(scores, "quotes", "quote_f1", "f1") > 0.837
    assert _value(scores, "quotes", "speaker_accuracy", "accuracy") > 0.86


def test_scorers_are_registered():
    assert {"quotes", "frames", "agency"} <= set(evaluation.SCORERS)


def test_scorer_tables_carry_their_counts(scores):
    q = scores["quotes"].set_index("measure")
    assert q.loc["quote_f1", "tp"] + q.loc["quote_f1", "fn"] >= 200  # direct+partial+reported
    a = scores["agency"].set_index("measure")
    assert a.loc["agency_construction_accuracy", "n"] == a.loc["agency_clause_f1", "tp"]
