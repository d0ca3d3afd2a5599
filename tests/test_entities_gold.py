"""Accuracy of the entities stage on the hand-annotated news gold set (tests/gold/news).

The gold texts were written apart from the sample corpus and are for measuring only:
no alias or rule was added from them. A prediction matches a gold mention when the
spans overlap and the entity ids are equal (see ``evaluation.match_mentions``). The
floors are the scores measured when this test was written, minus a small margin, so a
regression fails while noise in unrelated changes does not.
"""

from __future__ import annotations

import pytest

from conflictlens.evaluation import gold_dir, score_entities

MEASURED = {"entities_named": 0.9244, "entities_all": 0.9248}
MARGIN = 0.02

GOLD = gold_dir() / "news"
pytestmark = pytest.mark.skipif(
    not (gold_dir() / "README-news.md").exists() or len(list(GOLD.glob("*.yaml"))) < 30,
    reason="news gold set not complete",
)


@pytest.fixture(scope="module")
def scores():
    return score_entities().set_index("measure")


@pytest.mark.parametrize("measure", sorted(MEASURED))
def test_f1_does_not_regress(scores, measure):
    assert scores.loc[measure, "f1"] >= MEASURED[measure] - MARGIN, scores.to_string()


def test_all_mentions_target_of_the_issue(scores):
    # issue 4 asks F1 >= 0.85 for all mentions (and >= 0.92 named: see MEASURED)
    assert scores.loc["entities_all", "f1"] >= 0.85


def test_every_gold_mention_is_counted_once(scores):
    row = scores.loc["entities_all"]
    assert row.tp + row.fn == row.n_gold
