"""Scores of the gold sets are computed once per version of gold, lexicons and code."""

import pandas as pd

from conflictlens import evaluation


def test_cached_scores_compute_once_and_follow_the_gold(tmp_path, monkeypatch):
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "a.yaml").write_text("text: one\n")
    calls = []

    def fake_score_all(folder):
        calls.append(folder)
        return pd.DataFrame({"extractor": ["x"], "measure": ["m"], "f1": [0.5 + len(calls) / 10]})

    monkeypatch.setattr(evaluation, "score_all", fake_score_all)
    cache = tmp_path / "cache"
    first = evaluation.cached_score_all(gold, cache_dir=cache)
    again = evaluation.cached_score_all(gold, cache_dir=cache)
    assert len(calls) == 1
    pd.testing.assert_frame_equal(first, again)
    assert list(cache.glob(".*")) == []  # no temporary file left behind

    (gold / "a.yaml").write_text("text: two\n")  # an edited gold set is scored again
    changed = evaluation.cached_score_all(gold, cache_dir=cache)
    assert len(calls) == 2 and changed["f1"].iloc[0] == 0.7
    assert len(list(cache.glob("eval-*.parquet"))) == 2

    evaluation.cached_score_all(gold, cache_dir=cache, refresh=True)
    assert len(calls) == 3
