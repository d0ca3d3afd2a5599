"""Views for a corpus of long transcripts (issue 10): who speaks each row (official,
journalist, narrator), tallies with who stated them, and the figures and notebook
sections built on them."""

from __future__ import annotations

from datetime import date

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from conflictlens import framing as F
from conflictlens import plots, trends

from conftest import ROOT

# Article "a" is a briefing: an official's answer [0, 100), a question [100, 150), a
# moderator [150, 170), then a written statement after the transcript [170, 400).
# Article "b" is a news article without turns.
TURNS = pd.DataFrame({
    "article_id": ["a", "a", "a"], "turn_idx": [0, 1, 2], "speaker_label": ["MR. KIRBY", "Q", "MODERATOR"],
    "speaker_id": ["john_kirby", "journalist", "moderator"],
    "speaker_role": ["official", "journalist", "moderator"], "start": [0, 100, 150], "end": [100, 150, 170],
})  # fmt: skip
SENTENCES = pd.DataFrame({
    "article_id": ["a"] * 6 + ["b"] * 2, "sent_idx": [0, 1, 2, 3, 4, 5, 0, 1],
    "start": [0, 50, 100, 120, 150, 200, 0, 60], "end": [49, 99, 119, 149, 169, 260, 59, 120],
})  # fmt: skip


def _rows(**cols) -> pd.DataFrame:
    return pd.DataFrame(cols)


# --------------------------------------------------------------------------- turn_roles


def test_turn_roles_by_offset_with_half_open_turns_and_per_article():
    rows = _rows(article_id=["a", "a", "a", "a", "b", "a"], start=[0, 99, 100, 169, 10, 170],
                 voice=["john_kirby", "john_kirby", "narrator", "moderator", "narrator", "narrator"])  # fmt: skip
    out = F.turn_roles(rows, TURNS)
    # offset 100 opens the question (end is exclusive); "b" has no turns even at offset 10
    assert out["role"].tolist() == ["official", "official", "journalist", "moderator", "narrator",
                                    "narrator"]  # fmt: skip
    assert out["turn_speaker_id"].tolist()[:3] == ["john_kirby", "john_kirby", "journalist"]
    assert out.index.equals(rows.index) and list(out.columns[:2]) == ["article_id", "start"]


def test_turn_roles_separates_the_officials_words_from_what_he_quotes():
    rows = _rows(article_id=["a", "a", "a"], start=[10, 20, 110],
                 voice=["john_kirby", "islamic_resistance_in_iraq", "john_kirby"])  # fmt: skip
    out = F.turn_roles(rows, TURNS)
    # a militia statement quoted in an answer is not the official's voice; a journalist
    # quoting the official is quoting, not asking in their own words
    assert out["speaker_role"].tolist() == ["official", "official", "journalist"]
    assert out["role"].tolist() == ["official", F.QUOTED, F.QUOTED]


def test_turn_roles_unnamed_official_keeps_own_voice():
    turns = TURNS.assign(speaker_id=[None, "journalist", "moderator"])
    rows = _rows(article_id=["a", "a"], start=[5, 10], voice=["unknown_speaker", "iran"])
    assert F.turn_roles(rows, turns)["role"].tolist() == ["official", F.QUOTED]


def test_turn_roles_places_rows_without_offsets_by_their_sentence():
    tone = _rows(
        article_id=["a", "a", "a", "b"], sent_idx=[1, 3, 5, 0], compound=[0.1, 0.2, 0.3, 0.4]
    )
    out = F.turn_roles(tone, TURNS, SENTENCES)
    assert out["role"].tolist() == ["official", "journalist", "narrator", "narrator"]
    # a row that cannot be placed at all is not invented into a turn
    lost = F.turn_roles(_rows(article_id=["a"], sent_idx=[99], compound=[0.0]), TURNS, SENTENCES)
    assert lost["role"].tolist() == ["narrator"]


def test_turn_roles_without_turns_is_all_narrator():
    rows = _rows(article_id=["a", "b"], start=[5, 10], voice=["narrator", "iran"])
    for turns in (None, TURNS.iloc[0:0]):
        assert F.turn_roles(rows, turns)["role"].tolist() == ["narrator", F.QUOTED]


# --------------------------------------------------------------------------- views by role


def test_sentences_by_role_counts_and_shares():
    out = F.sentences_by_role(SENTENCES, TURNS)
    assert out["sentences"].to_dict() == {
        "official": 2,
        "journalist": 2,
        "moderator": 1,
        "narrator": 3,
    }
    assert out["share"].sum() == pytest.approx(1.0, abs=1e-3)
    assert F.sentences_by_role(SENTENCES, None).empty


def test_frames_by_role_is_per_100_own_sentences_and_counts_a_sentence_once():
    frames = _rows(
        article_id=["a", "a", "a", "a", "a"], sent_idx=[0, 0, 1, 2, 5], start=[5, 12, 60, 105, 210],
        frame_id=["proxy", "proxy", "proxy", "proxy", "terrorism"],
        voice=["john_kirby", "john_kirby", "kataeb_hezbollah", "narrator", "narrator"],
    )  # fmt: skip
    out = F.frames_by_role(frames, SENTENCES, TURNS, frame_ids=["proxy", "terrorism"])
    assert list(out.columns) == ["proxy", "terrorism"]
    # official: sentence 0 once (two cues), the quoted militia cue left out -> 1 of 2 sentences
    assert out.loc["official", "proxy"] == pytest.approx(50.0)
    assert out.loc["journalist", "proxy"] == pytest.approx(50.0)
    assert out.loc["narrator", "terrorism"] == pytest.approx(100 / 3)
    assert out.loc["moderator"].sum() == 0
    empty = F.frames_by_role(frames, SENTENCES, None, frame_ids=["proxy"])
    assert empty.empty and list(empty.columns) == ["proxy"]


def test_labels_by_role_top_n_and_actor_filter():
    labels = _rows(
        article_id=["a"] * 5, start=[5, 10, 60, 110, 120],
        label=["iran-backed militia", "iran-backed militia", "proxy", "resistance group", "proxy"],
        entity_id=["kataeb_hezbollah", None, "iran", "kataeb_hezbollah", None],
        voice=["john_kirby", "john_kirby", "john_kirby", "narrator", "narrator"],
    )  # fmt: skip
    out = F.labels_by_role(labels, TURNS)
    assert out.index.tolist()[0] in ("iran-backed militia", "proxy")
    assert out.loc["iran-backed militia"].to_dict() == {"official": 2, "journalist": 0}
    assert out.loc["resistance group", "journalist"] == 1
    assert len(F.labels_by_role(labels, TURNS, top_n=1)) == 1
    only_kh = F.labels_by_role(labels, TURNS, actors=["kataeb_hezbollah"])
    assert sorted(only_kh.index) == ["iran-backed militia", "resistance group"]
    assert F.labels_by_role(labels, None).empty


def test_agentless_and_tone_by_role():
    agency = _rows(article_id=["a"] * 4, start=[5, 60, 110, 200],
                   construction=["active", "passive_agentless", "nominal_agentless", "active"],
                   voice=["john_kirby", "john_kirby", "narrator", "narrator"])  # fmt: skip
    ag = F.agentless_by_role(agency, TURNS)
    assert ag.to_dict("index") == {"official": {"clauses": 2, "agentless": 1, "rate": 0.5},
                                   "journalist": {"clauses": 1, "agentless": 1, "rate": 1.0},
                                   "narrator": {"clauses": 1, "agentless": 0, "rate": 0.0}}  # fmt: skip
    tone = _rows(article_id=["a"] * 4, sent_idx=[0, 1, 2, 5], compound=[-0.4, 0.0, 0.6, 0.2],
                 pos=[0.0, 0.0, 0.5, 0.1], neu=[0.6, 1.0, 0.5, 0.9], neg=[0.4, 0.0, 0.0, 0.0])  # fmt: skip
    tn = F.tone_by_role(tone, SENTENCES, TURNS)
    assert tn["compound"].to_dict() == pytest.approx(
        {"official": -0.2, "journalist": 0.6, "narrator": 0.2}
    )
    assert tn["sentences"].to_dict() == {"official": 2, "journalist": 1, "narrator": 1}
    assert F.agentless_by_role(agency, None).empty and F.tone_by_role(tone, SENTENCES, None).empty


# --------------------------------------------------------------------------- tallies


def _tallies(**over) -> pd.DataFrame:
    base = {
        "article_id": ["a", "a", "a", "b", "b", "b"], "sent_idx": [0, 2, 5, 0, 1, 1],
        "start": [10, 105, 210, 5, 70, 90], "end": [30, 115, 230, 20, 80, 100],
        "count": [150, 150, 3, 165, 165, 2], "qualifier": ["more_than", "exact", "ordinal", "more_than",
                                                           "more_than", "exact"],
        "unit": ["attacks", "attacks", "rounds", "attacks", "attacks", "deaths"],
        "since": [date(2023, 10, 17)] * 4 + [None, None],
        "as_of": [date(2024, 1, 28), date(2024, 1, 28), date(2024, 1, 28), date(2024, 2, 5),
                  date(2024, 2, 5), date(2024, 2, 5)],
        "target_id": ["united_states", None, None, "united_states", "united_states", None],
        "region": ["Iraq and Syria", None, None, None, None, None],
        "text": ["more than 150 attacks", "150 attacks", "the third round", "more than 165 attacks",
                 "more than 165 attacks", "two"],
    }  # fmt: skip
    base.update(over)
    return pd.DataFrame(base)


QUOTES = pd.DataFrame({"article_id": ["b", "b"], "start": [0, 60], "end": [40, 110],
                       "kind": ["reported", "direct"], "speaker_id": ["pat_ryder", None]})  # fmt: skip
ARTICLES = pd.DataFrame({"article_id": ["a", "b"], "outlet": ["whitehouse.gov", "Wire"],
                         "published": pd.to_datetime(["2024-01-29", "2024-02-06"])})  # fmt: skip


def test_stated_tallies_says_who_stated_each_count():
    out = trends.stated_tallies(_tallies(), quotes=QUOTES, turns=TURNS, articles=ARTICLES)
    # ordinal "third round" and a tally of deaths are not counts of attacks
    assert out["text"].tolist() == ["more than 150 attacks", "150 attacks", "more than 165 attacks",
                                    "more than 165 attacks"]  # fmt: skip
    # in a transcript: the turn's role; in reported speech: the speaker, a spokesperson as
    # the state he speaks for; an unresolved quoted speaker stays unresolved
    assert out["source"].tolist() == ["official", "journalist", "united_states", "unknown_speaker"]
    assert out["speaker_id"].tolist() == [
        "john_kirby",
        "journalist",
        "pat_ryder",
        "unknown_speaker",
    ]
    assert out["lower_bound"].tolist() == [True, False, True, True]
    assert out["outlet"].tolist() == ["whitehouse.gov", "whitehouse.gov", "Wire", "Wire"]
    assert pd.api.types.is_datetime64_any_dtype(out["as_of"])


def test_stated_tallies_narrator_dedup_units_and_dates():
    ta = _tallies(article_id=["c"] * 6, sent_idx=[0, 9, 2, 3, 4, 5])
    out = trends.stated_tallies(ta)
    # no quotes, no turns: the document's own count; the same count stated again in the
    # same article for the same day is one statement
    assert set(out["source"]) == {"narrator"}
    assert out[["count", "qualifier"]].values.tolist() == [
        [150, "more_than"],
        [150, "exact"],
        [165, "more_than"],
    ]
    assert out["sent_idx"].tolist()[0] == 0
    assert trends.stated_tallies(ta, units=("operations",)).empty
    late = trends.stated_tallies(ta, start="2024-02-01")
    assert late["count"].tolist() == [165]
    assert trends.stated_tallies(ta, end="2024-01-31")["count"].tolist() == [150, 150]
    assert list(trends.stated_tallies(ta.iloc[0:0]).columns) == list(out.columns)


def test_running_counts_counts_from_the_tallies_start_and_target():
    stated = pd.DataFrame({"since": pd.to_datetime(["2023-10-17", "2023-10-17", "2023-11-01"]),
                           "target_id": ["united_states", "united_states", None],
                           "as_of": pd.to_datetime(["2023-11-01", "2023-11-10", "2023-11-20"])})  # fmt: skip
    events = pd.DataFrame({"date": [date(2023, 10, 10), date(2023, 10, 18), date(2023, 10, 20),
                                    date(2023, 11, 2), None],
                           "target_id": ["united_states", "united_states", "israel",
                                         "united_states", "united_states"]})  # fmt: skip
    ref = pd.DataFrame({"date": pd.to_datetime(["2023-10-17", "2023-10-19"]),
                        "target_id": ["united_states", "united_states"]})  # fmt: skip
    rc = trends.running_counts(stated, events, ref)
    assert rc.attrs["since"] == pd.Timestamp("2023-10-17") and rc.attrs["target"] == "united_states"
    assert rc.index[0] == pd.Timestamp("2023-10-17") and rc.index[-1] == pd.Timestamp("2023-11-20")
    # the 10 Oct attack is before the tallies' start, the Israeli target is not theirs,
    # an undated event cannot be placed
    assert rc["extracted"].iloc[-1] == 2 and rc["reference"].iloc[-1] == 2
    # no target named by half of the tallies: count every target
    mixed = stated.assign(target_id=["united_states", None, "israel"])
    rc = trends.running_counts(mixed, events)
    assert rc.attrs["target"] is None and rc["extracted"].iloc[-1] == 3
    # no tallies: from ``start``
    none = trends.running_counts(stated.iloc[0:0], events, start="2023-10-15", end="2023-10-31")
    assert none.index[0] == pd.Timestamp("2023-10-15") and none["extracted"].iloc[-1] == 2


# --------------------------------------------------------------------------- figures and lines


def test_coverage_note_counts_documents_with_relevant_passages():
    s = pd.DataFrame({"article_id": ["a", "b", "c"], "passages": [100, 50, 10], "relevant": [5, 0, 5],
                      "militias": [5, 0, 1], "red_sea": [0, 0, 4], "words": [9000, 4000, 1000],
                      "relevant_words": [500, 0, 200]})  # fmt: skip
    note = plots.coverage_note(s, "relevant")
    assert note.startswith("Relevant passages only: 10 of 160 passages (6.2%)")
    assert "700 of 14,000 words (5.0%)" in note and "in 2 of 3 documents" in note
    assert "Red Sea 4" in note
    assert plots.coverage_note(s, "all").startswith(
        "All passages: 160 passages, 14,000 words in 3 documents"
    )
    assert "No passages" in plots.coverage_note(s.iloc[0:0], "all")


def _legend(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]


def test_stated_tallies_figure_legend_and_empty():
    stated = trends.stated_tallies(_tallies(), quotes=QUOTES, turns=TURNS, articles=ARTICLES)
    rc = trends.running_counts(stated, pd.DataFrame({"date": [date(2024, 1, 2)],
                                                     "target_id": ["united_states"]}))  # fmt: skip
    fig = plots.stated_tallies_figure(stated, rc, top_sources=2)
    labels = _legend(fig)
    assert "extracted events since 17 Oct 2023, on united_states (cumulative)" in labels
    # the two most frequent sources by name, the rest pooled
    assert sum(lab.startswith("stated by") for lab in labels) == 3 and "stated by other" in labels
    assert "lower bound (more than, at least)" in labels and "exact or about" in labels
    plt.close(fig)
    empty = plots.stated_tallies_figure(stated.iloc[0:0], None)
    assert "No tallies" in empty.axes[0].texts[0].get_text()
    plt.close(empty)


def test_role_figures_leave_out_small_roles_and_handle_no_turns():
    frames = pd.DataFrame({"proxy": [2.0, 4.0, 0.0]}, index=["official", "journalist", "moderator"])
    agentless = pd.DataFrame({"clauses": [10, 4, 1], "agentless": [7, 3, 1], "rate": [0.7, 0.75, 1.0]},
                             index=["official", "journalist", "moderator"])  # fmt: skip
    tone = pd.DataFrame({"compound": [0.1, -0.05, 0.2], "sentences": [400, 120, 8]},
                        index=["official", "journalist", "moderator"])  # fmt: skip
    fig = plots.role_comparison_figure(frames, agentless, tone, min_sentences=50)
    assert len(fig.axes) == 3
    assert [t.get_text() for t in fig.axes[1].get_yticklabels()] == ["official", "journalist"]
    assert any("moderator (n=8)" in t.get_text() for t in fig.texts)
    plt.close(fig)
    none = plots.role_comparison_figure(frames.iloc[0:0], agentless.iloc[0:0], tone.iloc[0:0])
    assert "No speaker turns" in none.axes[0].texts[0].get_text()
    plt.close(none)
    labels = pd.DataFrame(
        {"official": [3, 0], "journalist": [1, 2]}, index=["proxy", "resistance group"]
    )
    fig = plots.role_labels_figure(labels)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["proxy", "resistance group"]
    plt.close(fig)


# --------------------------------------------------------------------------- notebooks


WHITEHOUSE = ROOT / "data" / "raw" / "whitehouse"


def _run(tmp_path, name: str, **parameters):
    import nbformat
    import papermill as pm

    path = ROOT / "notebooks" / name
    source = nbformat.read(path, as_version=4)
    assert all(c.get("outputs", []) == [] and c.get("execution_count") is None
               for c in source.cells if c.cell_type == "code")  # fmt: skip
    params = next(c for c in source.cells if "parameters" in c.metadata.get("tags", []))
    assert 'passages = "all"' in params.source
    out = tmp_path / "bundle"
    nb = pm.execute_notebook(str(path), str(tmp_path / name),
                             parameters={"out_dir": str(out), **parameters},
                             kernel_name="conflictlens", cwd=str(ROOT), progress_bar=False)  # fmt: skip
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    return out, text


@pytest.mark.slow
@pytest.mark.skipif(not WHITEHOUSE.exists(), reason="White House corpus not shipped here")
def test_notebook_02_on_the_whitehouse_corpus(tmp_path):
    out, text = _run(tmp_path, "02_attack_trends.ipynb", corpus="data/raw/whitehouse",
                     passages="relevant")  # fmt: skip
    assert "Relevant passages only:" in text and "of 199 documents" in text
    assert (out / "figures" / "tallies_stated.png").exists()
    stated = pd.read_csv(out / "tables" / "tallies_stated.csv")
    assert len(stated) and "official" in set(stated["source"])


@pytest.mark.slow
@pytest.mark.skipif(not WHITEHOUSE.exists(), reason="White House corpus not shipped here")
def test_notebook_03_on_the_whitehouse_corpus(tmp_path):
    out, text = _run(tmp_path, "03_narrative_framing.ipynb", corpus="data/raw/whitehouse",
                     passages="relevant")  # fmt: skip
    assert "Relevant passages only:" in text
    figures = {p.name for p in (out / "figures").glob("*.png")}
    assert {"framing_by_role.png", "framing_labels_by_role.png"} <= figures
    by_role = pd.read_csv(out / "tables" / "framing_frames_by_role.csv", index_col=0)
    assert {"official", "journalist"} <= set(by_role.index)
    assert list(by_role.columns) == list(F.FRAME_IDS) and by_role.to_numpy().sum() > 0
    sentences = pd.read_csv(out / "tables" / "framing_sentences_by_role.csv", index_col=0)
    assert sentences.loc["official", "sentences"] > sentences.loc["journalist", "sentences"] > 0
