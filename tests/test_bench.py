"""The bench's synthetic corpora: deterministic, labelled, and shaped as documented."""

import json

import pytest

from conflictlens import cli
from conflictlens.bench import PROFILES, synthetic_articles
from conflictlens.pipeline import Models, analyze_doc, doc_from_row, finish, to_tables


@pytest.mark.parametrize("profile", PROFILES)
def test_profiles_are_deterministic_and_labelled(profile):
    a = list(synthetic_articles(20, profile=profile))
    assert a == list(synthetic_articles(20, profile=profile))
    assert all("not real reporting" in x["title"] for x in a)
    assert len({x["article_id"] for x in a}) == 20


def test_unknown_profile_is_refused():
    with pytest.raises(ValueError, match="unknown bench profile 'sparse'"):
        list(synthetic_articles(1, profile="sparse"))


def _events(profile, n=80):
    models = Models.build()
    rows: dict[str, list[dict]] = {}
    for art in synthetic_articles(n, profile=profile):
        for table, found in analyze_doc(doc_from_row(art), models).items():
            rows.setdefault(table, []).extend(found)
    return finish(to_tables(rows), models)["events"]


def test_news_profile_reports_happenings_several_times():
    # real coverage reports a finite set of happenings many times; the news profile must
    # too, or clustering (and its cost) would be measured on an unrealistic corpus
    ev = _events("news")
    per_cluster = ev.groupby("cluster_id")["article_id"].nunique()
    assert (per_cluster >= 2).sum() >= 5
    assert len(ev) / ev["article_id"].nunique() < 4  # a few events per article, not dozens


def test_dense_profile_is_denser_than_news():
    dense, news = _events("dense", 40), _events("news", 40)
    assert len(dense) > 2 * len(news)


def test_bench_command_prints_the_record(capsys):
    assert cli.main(["bench", "--articles", "3", "--format", "json"]) == 0
    rec = json.loads(capsys.readouterr().out)
    assert rec["articles"] == 3 and rec["corpus"] == "synthetic-news:3"
    assert {"words", "seconds", "words_per_second", "peak_rss_mb", "stage_seconds"} <= set(rec)
    assert rec["peak_rss_total_mb"] > 0


def test_total_memory_bound_counts_each_worker():
    import subprocess
    import sys

    from conflictlens.bench import _peaks, peak_rss_total_mb

    subprocess.run([sys.executable, "-c", "x = bytearray(64 << 20)"], check=True)  # a 64 MB child
    own, kids = _peaks()
    assert kids >= 64 << 10  # KiB
    assert peak_rss_total_mb(1) == round(own / 1024, 1)
    assert peak_rss_total_mb(2) == round((own + 2 * kids) / 1024, 1)
