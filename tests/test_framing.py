"""Frames by voice, labels, agency, blame and tone (issue 6)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from test_quotes import SEED_MENTIONS, hand_mentions

from conflictlens import framing as F
from conflictlens import quotes as Q
from conflictlens.corpus import clean_text
from conflictlens.lexicons import LexiconError, default_dir
from conflictlens.text import make_doc

MODEL = F.build(default_dir())


def run(text: str, spec=()) -> dict[str, list[dict]]:
    doc = make_doc("t", text)
    found = {"mentions": hand_mentions(doc, spec)}
    found.update(Q.extract(doc, MODEL.quotes, found))
    out = F.extract(doc, MODEL, found)
    out["quotes"] = found["quotes"]
    return out


def clauses(out):
    return [(r["verb"], r["construction"], r["agent_id"], r["patient_id"]) for r in out["agency"]]


# --------------------------------------------------------------------------- lexicons


def test_default_frame_lexicon_covers_every_frame():
    frames = F.load_frames(default_dir() / "frames.csv")
    assert set(frames["frame_id"]) == set(F.FRAME_IDS)


@pytest.mark.parametrize(
    "body, message",
    [
        ("frame_id,cue\nproxy,Iran-backed\nbogus,word\n", r"frames.csv:3: unknown frame_id 'bogus'"),
        ("frame_id,cue\nproxy,\n", r"frames.csv:2: empty cue"),
        ("frame_id,cue\nproxy,Iran-backed\nproxy,iran backed\n",
         r"frames.csv:3: duplicate cue 'iran backed' \(also on line 2\)"),
        ("frame_id,cue,match\nproxy,proxy,fuzzy\n", r"frames.csv:2: match 'fuzzy'"),
        ("# a comment\n\nframe_id,cue\nterrorism,terrorist\nterrorism,“Terrorist”\n",
         r"frames.csv:5: duplicate cue"),
    ],
)  # fmt: skip
def test_frame_lexicon_errors_name_file_and_line(tmp_path, body, message):
    p = tmp_path / "frames.csv"
    p.write_text(body, encoding="utf-8")
    with pytest.raises(LexiconError, match=message):
        F.load_frames(p)


def test_other_lexicons_validate(tmp_path):
    p = tmp_path / "labels.csv"
    p.write_text("cue,role\nmilitia,label_head\nIran-backed,adjective\n")
    with pytest.raises(LexiconError, match=r"labels.csv:3: role 'adjective'"):
        F.load_labels(p)
    p = tmp_path / "blame_cues.csv"
    p.write_text("cue,pattern\naccuse,accuse\nAccuse,subject\n")
    with pytest.raises(LexiconError, match=r"blame_cues.csv:3: duplicate cue"):
        F.load_blame_cues(p)


def test_edited_lexicon_changes_what_is_found(tmp_path):
    import shutil

    for p in default_dir().glob("*.csv"):
        shutil.copy(p, tmp_path / p.name)
    with (tmp_path / "frames.csv").open("a", encoding="utf-8") as fh:
        fh.write("escalation,powder barrel,,\n")
    model = F.build(tmp_path)
    doc = make_doc("t", "The region is a powder barrel.")
    rows = F.extract(doc, model, {"mentions": [], "quotes": []})["frames"]
    assert [(r["frame_id"], r["cue"]) for r in rows] == [("escalation", "powder barrel")]


# --------------------------------------------------------------------------- frames and voice


def test_cues_with_inflections_and_multiword_forms():
    out = run("Fears of regional wars grew. The spill over was feared. Militias retaliated.")
    assert [(r["frame_id"], r["cue"]) for r in out["frames"]] == [
        ("escalation", "regional wars"), ("escalation", "spill over"), ("retaliation", "retaliated")]  # fmt: skip


def test_voice_of_cues_inside_and_outside_quotes():
    spec = [(r"the group", "kataeb_hezbollah", "armed_group", "coref")]
    out = run("“The occupation will end,” the group said. Officials said it was a retaliation. "
              "It is a “terrorist” group under sanctions.", spec)  # fmt: skip
    voices = {(r["cue"], r["voice"]) for r in out["frames"]}
    assert ("occupation", "kataeb_hezbollah") in voices
    assert ("retaliation", "unknown_speaker") in voices  # reported speech, unresolved speaker
    assert ("terrorist", "narrator") in voices  # scare quotes are the narrator's distancing
    assert ("sanctions", "narrator") in voices


def test_cue_inside_a_name_does_not_count():
    spec = [(r"Islamic Resistance in Iraq", "islamic_resistance_in_iraq", "armed_group", "name")]
    out = run("The Islamic Resistance in Iraq claimed it. The “Islamic Resistance in Syria” too. "
              "The resistance vowed more.", spec)  # fmt: skip
    assert [r["cue"] for r in out["frames"] if r["frame_id"] == "resistance"] == ["resistance"]


# --------------------------------------------------------------------------- the seed


@pytest.fixture(scope="module")
def seed_out(seed_text):
    doc = make_doc("seed", clean_text(seed_text))
    found = {"mentions": hand_mentions(doc, SEED_MENTIONS)}
    found.update(Q.extract(doc, MODEL.quotes, found))
    out = F.extract(doc, MODEL, found)
    out["doc"] = doc
    return out


def _clause(out, verb, sentence_start):
    doc = out["doc"]
    hits = [r for r in out["agency"] if r["verb"] == verb
            and doc.sentences[r["sent_idx"]].text.startswith(sentence_start)]  # fmt: skip
    assert len(hits) == 1, out["agency"]
    return (hits[0]["construction"], hits[0]["agent_id"], hits[0]["patient_id"])


def test_seed_agency(seed_out):
    o = seed_out
    assert _clause(o, "killed", "On Wednesday")[:2] == ("nominal_agentless", None)
    assert _clause(o, "killed", "The Hezbollah Brigades") == (
        "nominal_agentless",
        None,
        "kataeb_hezbollah",
    )
    assert _clause(o, "targeted", "Since mid-October, more") == (
        "nominal_agentless",
        None,
        "united_states",
    )
    assert _clause(o, "bombed", "The group") == (
        "passive_with_agent",
        "united_states",
        "kataeb_hezbollah",
    )
    assert _clause(o, "strikes", "A week ago")[:2] == ("active", "united_states")  # carried out
    assert _clause(o, "fired", "Since mid-October, pro")[:2] == ("active", None)
    fired = next(r for r in o["agency"] if r["verb"] == "fired")
    assert fired["agent_text"] == "pro-Iranian armed groups"
    # "a drone strike killed": the strike is a violence noun of its own, told without a doer
    assert _clause(o, "strike", "On Wednesday")[:2] == ("nominal_agentless", None)


def test_seed_blame(seed_out):
    edges = {(r["accuser_id"], r["accused_id"], r["cue"]) for r in seed_out["blame"]}
    assert ("kataeb_hezbollah", "united_states", "accused") in edges
    assert ("kataeb_hezbollah", "united_states", "responsible") in edges
    assert ("united_states", "kataeb_hezbollah", "the imprint of") in edges
    responsible = next(r for r in seed_out["blame"] if r["cue"] == "responsible")
    assert responsible["voice"] == "kataeb_hezbollah"


def test_seed_labels(seed_out):
    labels = {(r["label"], r["entity_id"]) for r in seed_out["labels"]}
    assert ("ally of tehran", "kataeb_hezbollah") in labels
    assert ("highly influential iraqi armed organization", "kataeb_hezbollah") in labels
    assert ("pro-iranian armed group", None) in labels
    assert ("terrorist group", "kataeb_hezbollah") in labels
    assert ("pro-iranian fighter", "islamic_resistance_in_iraq") in labels
    assert not any("jihadist" in label for label, _ in labels)  # half of "anti-jihadist", in a name


def test_seed_frames_by_voice(seed_out):
    by_voice = {(r["frame_id"], r["voice"]) for r in seed_out["frames"]}
    assert ("resistance", "kataeb_hezbollah") in by_voice  # martyrs, occupying forces
    assert ("terrorism", "narrator") in by_voice
    assert ("proxy", "narrator") in by_voice
    assert not any(
        r["frame_id"] == "resistance" and r["voice"] == "narrator" for r in seed_out["frames"]
    )


# --------------------------------------------------------------------------- agency


@pytest.mark.parametrize(
    "text, expected",
    [
        ("A US contractor was killed on Friday.", [("killed", "passive_agentless", None, "united_states")]),
        ("The base was hit by rockets.", [("hit", "passive_agentless", None, None)]),  # a weapon is no agent
        ("Two fighters were killed in American air strikes.",
         [("killed", "passive_with_agent", "united_states", None),
          ("air strikes", "active", "united_states", None)]),
        ("The base was attacked by Kataeb Hezbollah.",
         [("attacked", "passive_with_agent", "kataeb_hezbollah", None)]),
        ("Kataeb Hezbollah attacked US troops.", [("attacked", "active", "kataeb_hezbollah", "united_states")]),
        ("More than 30 rockets struck the base.", [("struck", "nominal_agentless", None, None)]),
        ("Four wounded soldiers were flown out.", [("wounded", "passive_agentless", None, None)]),
        ("The vessel caught fire. The rockets were shot down.", []),
        ("Washington drew up attack plans against legitimate targets.", []),
        ("It was the first to kill an American.", [("kill", "active", None, "united_states")]),
        ("The US strikes hit Kataeb Hezbollah.",
         [("strikes", "active", "united_states", None), ("hit", "active", "united_states", "kataeb_hezbollah")]),
        ("A drone strike hit Kataeb Hezbollah.",
         [("strike", "nominal_agentless", None, None), ("hit", "nominal_agentless", None, "kataeb_hezbollah")]),
        ("The drone that hit the city struck Kataeb Hezbollah, killing a man.",
         [("hit", "nominal_agentless", None, None), ("struck", "nominal_agentless", None, "kataeb_hezbollah"),
          ("killing", "nominal_agentless", None, None)]),
        ("The strike was carried out by US forces.", [("strike", "passive_with_agent", "united_states", None)]),
        ("Militants killed about 30 people.", [("killed", "active", None, None)]),
        ("Any attack would be answered. Kataeb Hezbollah vowed to strike again.", []),
        ("If Kataeb Hezbollah attacked, the US would respond.", []),
        ("Kataeb Hezbollah continued to target US troops.",
         [("target", "active", "kataeb_hezbollah", "united_states")]),
        ("It was the tenth attack on bases hosting US troops.",
         [("attack", "nominal_agentless", None, "united_states")]),
        ("Attacks by Kataeb Hezbollah continued.",
         [("Attacks", "passive_with_agent", "kataeb_hezbollah", None)]),
        ("Kataeb Hezbollah launched a drone attack on US troops.",
         [("launched", "active", "kataeb_hezbollah", "united_states"),
          ("drone attack", "active", "kataeb_hezbollah", "united_states")]),
        ("Kataeb Hezbollah's attacks continued.", [("attacks", "active", "kataeb_hezbollah", None)]),
        ("The commander killed in the strike was buried.",
         [("killed", "passive_agentless", None, None), ("strike", "nominal_agentless", None, None)]),
    ],
)  # fmt: skip
def test_agency_constructions(text, expected):
    spec = [(r"Kataeb Hezbollah", "kataeb_hezbollah", "armed_group", "name"),
            (r"US\b|American", "united_states", "state", "name")]  # fmt: skip
    assert clauses(run(text, spec)) == expected


# --------------------------------------------------------------------------- blame


def test_blame_forms_and_negation():
    spec = [(r"Kataeb Hezbollah", "kataeb_hezbollah", "armed_group", "name"),
            (r"Washington", "united_states", "state", "metonym"),
            (r"Iran\b", "iran", "state", "name")]  # fmt: skip
    out = run("Washington blamed the attack on Kataeb Hezbollah. Iran was accused by Washington. "
              "Kataeb Hezbollah said Washington was responsible. Iran held Washington responsible. "
              "Iran denied it was behind the attack.", spec)  # fmt: skip
    got = [(r["accuser_id"], r["accused_id"], r["negated"]) for r in out["blame"]]
    assert got == [
        ("united_states", "kataeb_hezbollah", False),
        ("united_states", "iran", False),
        ("kataeb_hezbollah", "united_states", False),
        ("iran", "united_states", False),
        (None, "iran", True),
    ]
    g = F.blame_network(pd.DataFrame(out["blame"]))
    assert set(g.edges) == {("united_states", "kataeb_hezbollah"), ("united_states", "iran"),
                            ("kataeb_hezbollah", "united_states"), ("iran", "united_states")}  # fmt: skip
    ev = g["united_states"]["kataeb_hezbollah"]["evidence"]
    assert ev[0][0] == "t" and ev[0][4] == "blamed"


# --------------------------------------------------------------------------- tone


def test_vader_is_exactly_the_package_analyzer(seed_text):
    v = F.Vader()
    sentences = [s.text for s in make_doc("s", clean_text(seed_text)).sentences] + [
        "Great news 😀 for all!",
        "",
        "   ",
        "It is kind of good, but NOT great!!!",
        "Talks resume.",
    ]
    for s in sentences:
        assert v.scores(s) == v.analyzer.polarity_scores(s)


def test_vader_equals_the_package_analyzer_on_the_sample_and_random_text():
    import random

    from vaderSentiment import vaderSentiment as vs

    from conflictlens.corpus import load_corpus

    v = F.Vader()
    sample = Path(__file__).resolve().parents[1] / "data" / "raw" / "sample"
    sentences = []
    if any(sample.glob("*.jsonl")):
        for t in load_corpus(sample, detect_near_duplicates=False).articles.text:
            sentences += [s.text for s in make_doc("s", t).sentences]
    # the rules' corners: negations, "no", "least", "but", boosters, idioms, capitals
    pool = (sorted(v.analyzer.lexicon)[:4000:9] + vs.NEGATE + list(vs.BOOSTER_DICT)
            + [w for k in vs.SPECIAL_CASES for w in k.split()]
            + "no or nor but least at very never so this without doubt kind of".split()
            + ["NOT", "GREAT", "Kind", "No", ":)", "n't", "😀", "x1", "x2", "x3"])  # fmt: skip
    r = random.Random(5)
    for _ in range(20_000):
        words = [r.choice(pool) for _ in range(r.randint(0, 12))]
        words = [w.upper() if r.random() < 0.1 else w for w in words]
        sentences.append(" ".join(w + r.choice(["", "", ".", ",", "!", "?", "'"]) for w in words))
    for s in sentences:
        assert v.scores(s) == v.analyzer.polarity_scores(s), s


def test_vader_with_small_memories_still_scores_exactly():
    # the token tables and the memo of sentences forget everything when full: no stale reads
    v = F.Vader()
    v._TOKENS_SIZE, v._MEMO_SIZE = 5, 3
    sentences = ["The attack was NOT good, but the talks were great!!",
                 "No one was hurt", "kind of a bad ass deal", "I am VERY happy",
                 "Talks resume.", "The attack was NOT good, but the talks were great!!"] * 3  # fmt: skip
    for s in sentences:
        assert v.scores(s) == v.analyzer.polarity_scores(s), s


def test_vader_describing_tokens_on_first_look_up_scores_exactly():
    # new tokens are described as the valences are looked up, the tables forgotten when
    # full between sentences: random sentences over a small vocabulary, a small bound
    import random

    from vaderSentiment import vaderSentiment as vs

    v = F.Vader()
    v._TOKENS_SIZE = 7
    pool = ["good", "bad", "NOT", "no", "but", "kind", "of", "the", "bomb", "very", "least",
            "Talks", "resume", "x", ":)", "😀", "never", "so", "this", *vs.NEGATE[:5]]  # fmt: skip
    r = random.Random(11)
    for _ in range(3000):
        words = [r.choice(pool) for _ in range(r.randint(0, 9))]
        s = " ".join(w + r.choice(["", "", ",", "!", "?"]) for w in words)
        assert v.scores(s) == v.analyzer.polarity_scores(s), s
        assert set(v._value) == set(v._word) == set(v._flags)  # the tables agree


def _voice_by_scan(quotes, turns, offset):
    # the innermost (shortest, then first listed) speech quote, else the first turn listed
    spans = sorted([q for q in quotes if q["kind"] in F.SPEECH_KINDS],
                   key=lambda q: q["end"] - q["start"])  # fmt: skip
    for q in spans:
        if q["start"] <= offset < q["end"]:
            return q["speaker_id"] or F.UNKNOWN_SPEAKER, q["kind"]
    for t in turns:
        if t["speaker_role"] != "journalist" and t["start"] <= offset < t["end"]:
            return t["speaker_id"] or F.UNKNOWN_SPEAKER, None
    return F.NARRATOR, None


def test_voices_match_a_scan_of_nested_quotes_and_turns():
    import random

    r = random.Random(3)
    for _ in range(200):
        quotes = []
        for _ in range(r.randint(0, 6)):
            a = r.randint(0, 60)
            quotes.append({"start": a, "end": a + r.randint(0, 30), "speaker_id": r.choice(
                [None, "iran", "kirby", "houthis"]), "kind": r.choice(
                ["direct", "partial", "reported", "scare", "name"])})  # fmt: skip
        turns = []
        for _ in range(r.randint(0, 3)):
            a = r.randint(0, 80)
            turns.append({"start": a, "end": a + r.randint(1, 40), "speaker_id": r.choice(
                [None, "kirby"]), "speaker_role": r.choice(["official", "journalist"])})  # fmt: skip
        v = F.Voices(quotes, turns)
        for offset in range(-2, 125):
            assert (v.at(offset), v.kind_at(offset)) == _voice_by_scan(quotes, turns, offset)


def test_tone_rows_one_per_sentence(seed_out):
    assert [r["sent_idx"] for r in seed_out["tone"]] == list(range(len(seed_out["doc"].sentences)))
    assert all(-1 <= r["compound"] <= 1 for r in seed_out["tone"])


# --------------------------------------------------------------------------- analysis functions


@pytest.fixture()
def tables():
    articles = pd.DataFrame({"article_id": ["a", "b", "c"], "outlet": ["X", "X", "Y"],
                             "published": pd.to_datetime(["2024-01-02", "2024-01-20", "2024-02-05"]),
                             "n_sentences": [10, 10, 5]})  # fmt: skip
    frames = pd.DataFrame({
        "article_id": ["a", "a", "a", "b", "c"], "sent_idx": [0, 0, 1, 0, 0],
        "frame_id": ["proxy", "proxy", "resistance", "terrorism", "proxy"],
        "cue": ["Iran-backed", "pro-Iranian", "martyrs", "terrorist", "proxy"],
        "voice": ["narrator", "narrator", "kataeb_hezbollah", "narrator", "narrator"]})  # fmt: skip
    return articles, frames


def test_frame_profile_counts_narrator_sentences_only(tables):
    articles, frames = tables
    counts = F.frame_profile(frames, articles, normalize=False)
    assert counts.loc["X", "proxy"] == 1  # two cues, one sentence
    assert counts.loc["X", "resistance"] == 0  # the speaker's frame is not the outlet's
    rates = F.frame_profile(frames, articles)
    assert rates.loc["X", "proxy"] == pytest.approx(5.0) and rates.loc[
        "Y", "proxy"
    ] == pytest.approx(20.0)
    assert list(counts.columns) == list(F.FRAME_IDS)


def test_frames_by_speaker_and_trends(tables):
    articles, frames = tables
    assert F.frames_by_speaker(frames).loc["kataeb_hezbollah", "resistance"] == 1
    trend = F.frame_trends(frames, articles, freq="M")
    assert trend["proxy"].tolist() == [1, 1] and trend["terrorism"].tolist() == [1, 0]


def test_select_articles(tables):
    articles, _ = tables
    assert F.select_articles(articles, start="2024-01-10", outlets=["X"]).article_id.tolist() == [
        "b"
    ]


def test_voice_share_and_agentless_rate(tables):
    articles, _ = tables
    quotes = pd.DataFrame({"article_id": ["a", "a", "c"], "kind": ["direct", "scare", "reported"],
                           "speaker_id": ["iran", None, None]})  # fmt: skip
    share = F.voice_share(quotes, articles)
    assert share.loc["X", "iran"] == 1.0 and share.loc["Y", "unknown_speaker"] == 1.0
    agency = pd.DataFrame({"article_id": ["a", "a", "c"], "sent_idx": [0, 1, 0],
                           "construction": ["passive_agentless", "active", "nominal_agentless"],
                           "agent_id": [None, "united_states", None]})  # fmt: skip
    events = pd.DataFrame(
        {"article_id": ["a"], "sent_idx": [0], "perpetrator_id": ["kataeb_hezbollah"]}
    )
    rate = F.agentless_rate(agency, articles, events).set_index(["outlet", "perpetrator"])["rate"]
    assert rate.to_dict() == {("X", "kataeb_hezbollah"): 1.0, ("X", "united_states"): 0.0,
                              ("Y", "unknown"): 1.0}  # fmt: skip


def test_label_table_and_tone_views(tables):
    articles, _ = tables
    labels = pd.DataFrame({"article_id": ["a", "c", "c"], "label": ["iran-backed militia"] * 3,
                           "entity_id": ["kataeb_hezbollah", "kataeb_hezbollah", None],
                           "voice": ["narrator", "narrator", "iran"]})  # fmt: skip
    t = F.label_table(labels, articles, actors=["kataeb_hezbollah"])
    assert t.loc["iran-backed militia"].to_dict() == {"X": 1, "Y": 1}
    tone = pd.DataFrame({"article_id": ["a", "a", "c"], "sent_idx": [0, 1, 0],
                         "compound": [-0.5, 0.5, 0.2], "pos": [0, 0.3, 0.1], "neu": [0.5, 0.7, 0.9],
                         "neg": [0.5, 0, 0]})  # fmt: skip
    mentions = pd.DataFrame({"article_id": ["a", "a", "c"], "sent_idx": [0, 0, 0],
                             "entity_id": ["iran", "iran", "iran"]})  # fmt: skip
    assert F.tone_by_entity(tone, mentions).loc["iran", "compound"] == pytest.approx(-0.15)
    assert F.tone_by_outlet(tone, articles).loc["X", "compound"] == pytest.approx(0.0)


def test_evidence_keeps_text_as_text():
    tables = {"articles": pd.DataFrame({"article_id": ["a"], "outlet": ["X"], "published": ["2024-01-02"]}),
              "sentences": pd.DataFrame({"article_id": ["a"], "sent_idx": [0],
                                         "text": ["<b>Rockets</b> & drones hit."]})}  # fmt: skip
    rows = pd.DataFrame({"article_id": ["a"], "sent_idx": [0], "verb": ["hit"]})
    ev = F.evidence(rows, tables, columns=["verb"])
    assert ev.loc[0, "sentence"] == "<b>Rockets</b> & drones hit."


def test_record_shape(seed_text, models):
    from conflictlens.pipeline import analyze_text

    rec = analyze_text(seed_text, models=models)
    assert {"frame_id", "voice", "cues", "n_sentences"} == set(rec["frames"][0])
    assert {"sentence", "verb", "construction", "agent_id", "patient_id"} == set(rec["agency"][0])
    assert set(rec["tone"]) == {"compound_mean", "by_entity"}
    assert all(a["construction"] in F.CONSTRUCTIONS for a in rec["agency"])


# --------------------------------------------------------------------------- notebook


@pytest.mark.slow
def test_notebook_runs_top_to_bottom(tmp_path):
    import nbformat
    import papermill as pm

    from conftest import ROOT

    path = ROOT / "notebooks" / "03_narrative_framing.ipynb"
    source = nbformat.read(path, as_version=4)
    assert all(c.get("outputs", []) == [] and c.get("execution_count") is None
               for c in source.cells if c.cell_type == "code")  # fmt: skip
    assert source.metadata["kernelspec"]["name"] == "python3"
    params = next(c for c in source.cells if "parameters" in c.metadata.get("tags", []))
    for name in ("processed", "corpus", "out_dir", "start", "end", "outlets", "actors", "frames"):
        assert f"{name} = " in params.source
    out = tmp_path / "out"
    nb = pm.execute_notebook(str(path), str(tmp_path / path.name), parameters={"out_dir": str(out)},
                             kernel_name="conflictlens", cwd=str(ROOT), progress_bar=False)  # fmt: skip
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    figures = {p.name for p in (out / "figures").glob("*.png")}
    assert {"framing_outlet_heatmap.png", "framing_frames_by_speaker.png", "framing_voice_share.png",
            "framing_agentless_rate.png", "framing_blame_network.png",
            "framing_tone_by_outlet.png"} <= figures  # fmt: skip
    profile = pd.read_csv(out / "tables" / "framing_outlet_profile.csv", index_col=0)
    assert list(profile.columns) == list(F.FRAME_IDS) and len(profile) > 1
    evidence = pd.read_csv(out / "tables" / "framing_evidence_frames.csv")
    assert {"outlet", "frame_id", "cue", "sentence"} <= set(evidence.columns) and len(evidence)
    # article text in tables stays text: the HTML exporter escapes it, nothing here is markup
    html = [o for o in outputs if "text/html" in o.get("data", {})]
    assert html and not any("<script" in o["data"]["text/html"] for o in html)


def test_token_sentences_and_phrase_resolution_match_the_plain_lookups():
    # the per-token sentence table is Doc.sentence_at of each token; ctx.resolve skips
    # resolve_np only where it would give None
    import random

    from conflictlens.corpus import load_corpus

    sample = Path(__file__).resolve().parents[1] / "data" / "raw" / "sample"
    texts = ["Talks resume.It ended.\n\nA drone strike, he said, hit Tower 22 in Jordan.",
             "Kataib Hezbollah, an Iran-backed militia, said it attacked U.S. forces."]  # fmt: skip
    if any(sample.glob("*.jsonl")):
        texts += list(load_corpus(sample, detect_near_duplicates=False).articles.text[:40])
    spec = [*SEED_MENTIONS, ("Kataib Hezbollah", "kataeb_hezbollah", "armed_group", "name"),
            (r"Iran\b", "iran", "state", "name"), (r"U\.S\.", "united_states", "state", "name"),
            ("Jordan", "jordan", "state", "name")]  # fmt: skip
    r = random.Random(2)
    resolved = 0
    for text in texts:
        doc = make_doc("t", text)
        found = {"mentions": hand_mentions(doc, spec)}
        found.update(Q.extract(doc, MODEL.quotes, found))
        ctx = F._Ctx(doc, MODEL, found)
        assert [ctx.sent_of[k] for k in range(len(ctx.toks))] == [
            doc.sentence_at(s) for s in ctx.toks.starts
        ]
        assert all(
            ctx.sent_rng[k] == ctx.art.sent_tok[doc.sentence_at(s)]
            for k, s in enumerate(ctx.toks.starts)
        )
        # the token -> mention table is the plain walk over each mention's tokens
        plain = [-1] * len(ctx.toks)
        for idx, m in enumerate(ctx.mentions.rows):
            k = ctx.toks.index_at(m["start"])
            while k < len(ctx.toks) and ctx.toks.starts[k] < m["end"]:
                plain[k] = idx
                k += 1
        assert ctx.mention_at == plain
        n = len(ctx.toks)
        for _ in range(200):
            i = r.randrange(n)
            np = Q.np_after(ctx.toks, i, min(n, i + r.randint(1, 12)))
            want = Q.resolve_np(ctx.toks, np, ctx.mentions)
            assert ctx.resolve(np) is want
            resolved += want is not None
    assert resolved > 50


def test_multiword_label_head_is_not_doubled():
    # invented sentences: a plural multi-word head is lemmatised as a whole
    out = run("Gaza is controlled by a terrorist organization. They support terrorist organizations. "
              "It is an international terrorist organization.")  # fmt: skip
    labels = [r["label"] for r in out["labels"]]
    assert labels == ["terrorist organization"] * 3  # never "terrorist terrorist organization"
