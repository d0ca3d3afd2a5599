from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from conflictlens import relevance
from conflictlens.lexicons import LexiconError, default_dir
from conflictlens.pipeline import analyze_doc, analyze_text
from conflictlens.text import fold, make_doc
from conflictlens.transcripts import load_speakers, parse_turns

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def model():
    return relevance.build(default_dir())


def rows(text, model, found=None, **kw):
    return relevance.extract(make_doc("a", text, **kw), model, {} if found is None else found)[
        "passages"
    ]


def by_text(text, prows):
    return {text[r["start"] : r["end"]][:40]: r for r in prows}


# --------------------------------------------------------------------------- lexicon


@pytest.mark.parametrize(
    "row, message",
    [
        ("militia*,term,militia,1\n", "unknown topic 'militia'"),
        ("militia*,phrase,militias,1\n", "unknown kind 'phrase'"),
        ("militia*,term,militias,heavy\n", "weight 'heavy' must be a positive number"),
        ("militia*,term,militias,0\n", "weight '0' must be a positive number"),
        ("kataib_hizbollah,entity,militias,1\n", "not an entity_id of actors.csv"),
        ("attack* (on|against,term,militias,1\n", "cannot compile term"),
        ("Red Sea,term,red_sea,1\nred  sea,term,red_sea,2\n", "already listed on line 2"),
    ],
)
def test_bad_cue_rows_fail_with_file_and_line(tmp_path, row, message):
    p = tmp_path / "relevance.csv"
    p.write_text("cue,kind,topic,weight\n" + row, encoding="utf-8")
    with pytest.raises(LexiconError) as exc:
        relevance.load_cues(p, entity_ids={"kataeb_hezbollah"})
    assert message in str(exc.value)
    assert str(exc.value).startswith(f"{p}:")


def test_shipped_lexicon_loads_and_covers_both_theatres():
    cues = relevance.load_cues(default_dir() / "relevance.csv")
    topics = {c.topic for c in cues}
    assert {"militias", "red_sea", "context", "other", "procedural", "shift"} <= topics
    labels = {c.label for c in cues}
    assert {"kataeb_hezbollah", "islamic_resistance_in_iraq", "tower_22", "houthis"} <= labels


@pytest.mark.parametrize(
    "cue, yes, no",
    [
        ("retaliat*", ["retaliation", "retaliatory"], ["retail"]),
        ("Iran-backed", ["iran-backed", "iran backed", "iranbacked"], ["iran"]),
        ("Kata'ib Hezbollah", ["kata'ib hezbollah", "kataib hezbollah"], ["kataib"]),
        ("attack* (on|against) (our|U.S.) troops", ["attacks on our troops", "attack against us troops"],
         ["attacks on troops"]),
    ],
)  # fmt: skip
def test_term_pattern_wildcards_alternatives_and_spelling(cue, yes, no):
    pat = re.compile(relevance.term_pattern(cue))
    assert all(pat.fullmatch(s) for s in yes)
    assert not any(pat.fullmatch(s) for s in no)


def test_term_matches_whole_words_only(model):
    # "militia" is a cue; "Militiaman" too (wildcard), "humiliation" contains none
    prows = rows("The humiliation of the opposition was total.", model)
    assert prows[0]["cues"] == ""


# --------------------------------------------------------------------------- passages

OPENING = (
    "1:05 P.M. EST\n\nMR. KIRBY:  Thanks.  Rockets hit al-Asad air base overnight.\n\n"
    "Two soldiers were hurt.\n\nWe will respond.\n\nSeparately, the economy grew.\n\n"
    "Q  Was Kataib Hezbollah behind it?\n\nMR. KIRBY:  We'll see."
)


def test_passages_are_turns_and_long_turns_are_split(model):
    prows = rows(OPENING, model)
    kinds = [(r["kind"], r["speaker_role"], r["turn_idx"]) for r in prows]
    assert kinds == [
        ("paragraph", None, None),  # the time stamp line before the first turn
        ("paragraph", "official", 0),
        ("paragraph", "official", 0),
        ("paragraph", "official", 0),
        ("paragraph", "official", 0),
        ("turn", "journalist", 1),
        ("turn", "official", 2),
    ]
    assert [r["passage_idx"] for r in prows] == list(range(len(prows)))
    first = prows[1]
    assert (
        OPENING[first["start"] : first["end"]] == "Thanks.  Rockets hit al-Asad air base overnight."
    )


def test_prose_passages_are_paragraphs(model):
    t = "Houthi missiles hit a merchant ship in the Red Sea.\n\nInflation fell in March."
    prows = rows(t, model)
    assert [r["kind"] for r in prows] == ["paragraph", "paragraph"]
    assert [(r["relevant"], r["topic"]) for r in prows] == [(True, "red_sea"), (False, None)]


def test_continuation_within_a_turn_stops_at_a_change_of_subject(model):
    got = by_text(OPENING, rows(OPENING, model))
    assert got["Thanks.  Rockets hit al-Asad air base ov"]["relevant"]
    assert got["Two soldiers were hurt."]["inherited"] == "continuation"
    assert got["We will respond."]["relevant"]
    assert not got["Separately, the economy grew."]["relevant"]
    assert got["Was Kataib Hezbollah behind it?"]["topic"] == "militias"
    assert got["We'll see."]["inherited"] == "answer"


# --------------------------------------------------------------------------- inheritance

BRIEFING = (
    "MS. JEAN-PIERRE:  Go ahead, Zeke.\n\n"
    "Q  Was Kataib Hezbollah behind the drone attack on our troops in Syria?\n\n"
    "MR. KIRBY:  We'll see.\n\n"
    "Q  What is the legal basis?\n\n"
    "MR. KIRBY:  Article Two: self-defense of our troops.\n\n"
    "MS. JEAN-PIERRE:  Go ahead, Nancy.\n\n"
    "Q  On the hostages in Gaza: is a ceasefire close?\n\n"
    "MR. KIRBY:  We are working on it.\n\n"
    "Q  And will the Houthis keep attacking commercial shipping in the Red Sea?\n\n"
    "MR. KIRBY:  I won't speculate."
)


def test_question_and_short_answer_are_both_relevant(model):
    got = [
        (r["speaker_role"], r["relevant"], r["topic"], r["inherited"])
        for r in rows(BRIEFING, model)
    ]
    assert got == [
        ("official", False, None, ""),  # "Go ahead": procedural
        ("journalist", True, "militias", ""),
        ("official", True, "militias", "answer"),
        ("journalist", True, "militias", "follow-up"),  # short follow-up
        ("official", True, "militias", "answer"),
        ("official", False, None, ""),
        ("journalist", False, None, ""),  # another story: hostages, Gaza
        ("official", False, None, ""),  # the answer to it inherits nothing
        ("journalist", True, "red_sea", ""),
        ("official", True, "red_sea", "answer"),
    ]


def test_another_story_breaks_the_thread(model):
    t = (
        "Q  Did the militia attack on our troops in Iraq cause damage?\n\n"
        "MR. KIRBY:  Some.\n\nQ  And the hostages in Gaza — any news on a ceasefire?\n\n"
        "MR. KIRBY:  No.\n\nQ  Would Iran want escalation?\n\nMR. KIRBY:  Ask them."
    )
    got = [r["relevant"] for r in rows(t, model)]
    assert got == [True, True, False, False, False, False]


def test_context_alone_is_not_enough_but_a_thread_is(model):
    lone = rows("Iran said it wants no war.", model)
    assert not lone[0]["relevant"]
    t = (
        "Militia drones struck our troops at Tower 22.\n\n"
        "Iran denies any role and warns against retaliation.\n\n"
        "Inflation fell in March."
    )
    got = rows(t, model)
    assert [r["relevant"] for r in got] == [True, True, False]
    assert got[1]["inherited"] in ("continuation", "thread")


def test_cues_in_speaker_labels_and_stage_notes_do_not_count(model):
    t = "MR. KIRBY:  (Reporter asks about militias.)  Good afternoon.\n\nQ  Thank you."
    got = rows(t, model)
    assert got[0]["cues"] == ""
    assert not any(r["relevant"] for r in got)


def test_entity_cues_from_mentions_or_from_aliases(model):
    t = "The Hezbollah Brigades claimed it."
    # no entities stage: the alias of kataeb_hezbollah in actors.csv is matched
    assert "kataeb_hezbollah" in rows(t, model)[0]["cues"]
    # the entities stage ran and found nothing: no alias matching of our own
    assert rows(t, model, found={"mentions": []})[0]["cues"] == ""
    # a mention the entities stage resolved (e.g. "the group" by coreference) counts
    found = {
        "mentions": [
            {"start": 0, "end": 22, "entity_id": "kataeb_hezbollah", "resolution": "coref"}
        ]
    }
    assert "kataeb_hezbollah" in rows(t, model, found=found)[0]["cues"]


def test_a_term_inside_a_longer_name_is_part_of_that_name(model):
    t = "They fight the Islamic State of Iraq and Syria."
    i = t.index("Islamic")
    found = {
        "mentions": [
            {"start": i, "end": len(t) - 1, "entity_id": "islamic_state", "resolution": "alias"}
        ]
    }
    assert "Iraq and Syria" not in rows(t, model, found=found)[0]["cues"]
    assert "Iraq and Syria" in rows(t, model, found={"mentions": []})[0]["cues"]


def test_pipeline_emits_passages_and_no_record_key(models):
    doc = make_doc("b1", BRIEFING)
    found = analyze_doc(doc, models)
    assert len(found["passages"]) == len(doc.turns)
    assert all(set(relevance.PASSAGE_COLUMNS) <= set(r) for r in found["passages"])
    rec = analyze_text("Militias fired rockets at US troops in Syria on Tuesday.")
    assert "relevance" not in rec and "passages" not in rec


# --------------------------------------------------------------------------- transcripts


def test_glued_label_opens_a_new_turn():
    t = (
        "MS. JEAN-PIERRE:  Go ahead.\n\nQ  Did he raise cyber? MR. KIRBY:  I won't say.\n\n"
        "Q  Okay. MS. JEAN-PIERRE:  Go ahead, Nancy. Q  Thanks.  Two things.\n\nMR. KIRBY:  Ask Q.  Fine."
    )
    from conflictlens.text import paragraph_spans

    turns = parse_turns(t, paragraph_spans(t), load_speakers())
    assert [(x.label, t[x.start : x.end]) for x in turns] == [
        ("MS. JEAN-PIERRE", "Go ahead."),
        ("Q", "Did he raise cyber?"),
        ("MR. KIRBY", "I won't say."),
        ("Q", "Okay."),
        ("MS. JEAN-PIERRE", "Go ahead, Nancy."),
        ("Q", "Thanks.  Two things."),
        ("MR. KIRBY", "Ask Q.  Fine."),  # "Q." after a word is not a label
    ]


def test_end_line_and_spaced_time_stamp_are_not_text():
    t = "MR. KIRBY:  Thanks.\n\nQ  Thank you.\n\nEND\n\n11:02 A.M.  EST"
    doc = make_doc("a", t)
    assert doc.text[doc.turns[-1].start : doc.turns[-1].end] == "Thank you."
    assert [s.text for s in doc.sentences] == ["Thanks.", "Thank you."]


# --------------------------------------------------------------------------- analysis helpers


@pytest.fixture()
def tables():
    passages = pd.DataFrame({
        "article_id": ["a", "a", "a", "b"], "passage_idx": [0, 1, 2, 0], "start": [0, 50, 100, 0],
        "end": [40, 90, 150, 30], "kind": ["turn", "turn", "paragraph", "paragraph"],
        "relevant": [True, False, True, True], "topic": ["militias", None, "red_sea", "militias"],
        "n_words": [8, 7, 9, 5],
    })  # fmt: skip
    sentences = pd.DataFrame({"article_id": ["a", "a", "a", "b"], "sent_idx": [0, 1, 2, 0],
                              "start": [0, 50, 100, 0], "end": [40, 90, 150, 30]})  # fmt: skip
    mentions = pd.DataFrame({"article_id": ["a", "a", "a", "b", "c"], "sent_idx": [0, 1, 2, 0, 0],
                             "start": [5, 60, 120, 10, 3],
                             "entity_id": ["kataeb_hezbollah", "hamas", "houthis", "iraq", "iran"]})  # fmt: skip
    tallies = pd.DataFrame({"article_id": ["a", "a"], "sent_idx": [1, 2], "count": [3, 27]})
    articles = pd.DataFrame({"article_id": ["a", "b"], "kind": ["press-briefings", "statements-releases"],
                             "published": ["2024-01-29", "2024-01-28"]})  # fmt: skip
    return {"passages": passages, "sentences": sentences, "mentions": mentions, "tallies": tallies,
            "articles": articles}  # fmt: skip


def test_relevant_only_filters_by_offset_or_sentence(tables):
    out = relevance.relevant_only(tables)
    assert out["mentions"].entity_id.tolist() == ["kataeb_hezbollah", "houthis", "iraq"]
    assert out["tallies"]["count"].tolist() == [27]  # by its sentence's start
    assert out["articles"] is tables["articles"]  # no offsets: left alone
    assert out["passages"].relevant.all()
    assert relevance.relevant_only(tables, topics="red_sea")["mentions"].entity_id.tolist() == [
        "houthis"
    ]
    assert relevance.relevant_only(tables, topics=["militias"])["tallies"].empty
    assert relevance.relevant_only(tables, passages="all")["mentions"].equals(tables["mentions"])
    with pytest.raises(ValueError):
        relevance.relevant_only(tables, passages="some")


def test_passage_summary_by_article_kind_and_corpus(tables):
    per = relevance.passage_summary(tables)
    assert per.set_index("article_id").loc[
        "a", ["passages", "relevant", "militias", "red_sea"]
    ].tolist() == [3, 2, 1, 1]
    assert per.set_index("article_id").loc["a", "kind"] == "press-briefings"
    kinds = relevance.passage_summary(tables, by="kind").set_index("kind")
    assert kinds.loc["statements-releases", "share"] == 1.0
    total = relevance.passage_summary(tables, by=None)
    assert total[["passages", "relevant", "turns", "words", "relevant_words"]].iloc[0].tolist() == [
        4,
        3,
        2,
        29,
        22,
    ]
    with pytest.raises(KeyError):
        relevance.passage_summary(tables, by="nonexistent")


def test_inheritance_without_evidence_stops_after_a_few_passages(model):
    t = (
        "Q  Did the militia drone attack on our troops in Syria kill anyone?\n\n"
        "MR. KIRBY:  No.\n\nQ  Why?\n\nMR. KIRBY:  Luck.\n\nQ  Really?\n\nMR. KIRBY:  Yes."
    )
    got = [(r["relevant"], r["inherited"]) for r in rows(t, model)]
    assert got[:3] == [(True, ""), (True, "answer"), (True, "follow-up")]
    assert [rel for rel, _ in got[3:]] == [False, False, False]  # MAX_PLAIN_CHAIN reached


def test_matcher_prefilter_finds_what_every_cue_finds(model):
    # One look at all the cues a word can start lets most words go; the hits must be
    # those of trying each cue in turn.
    import dataclasses

    text = fold(
        "On Monday the U.S. troops in Syria and US forces came under attack; go ahead. "
        "Unrelated: one of our troops, other attacks on our forces, all hostages. Thank you."
    )
    from conflictlens.corpus import load_corpus

    sample = ROOT / "data" / "raw" / "sample"
    texts = [text]
    if any(sample.glob("*.jsonl")):
        texts += [fold(t) for t in load_corpus(sample, detect_near_duplicates=False).articles.text]
    for matcher in (model.terms, model.terms_and_aliases):
        assert matcher.any_of
        plain_matcher = dataclasses.replace(matcher, any_of={})
        assert matcher.finditer(text)
        for t in texts:
            assert matcher.finditer(t) == plain_matcher.finditer(t)
