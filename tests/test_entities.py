"""Entity mentions: gazetteer matching, metonymy, nominal coreference, views, notebook."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conflictlens import entities
from conflictlens.lexicons import LexiconError
from conflictlens.text import make_doc

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def model():
    return entities.build()


def found(text: str, model, **kw) -> list[tuple[str, str, str]]:
    doc = make_doc("t", text, **kw)
    return [
        (m["surface"], m["entity_id"], m["resolution"])
        for m in entities.extract(doc, model, {})["mentions"]
    ]


def ids(text: str, model) -> list[str]:
    return [e for _, e, _ in found(text, model)]


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    "surface",
    ["Kata'ib Hezbollah", "Kataib Hezbollah", "Kata\u2019ib Hezbollah", "KATAIB HEZBOLLAH",
     "Kataib hezbollah", "Kata\u02bfib Hizballah", "Kataib\nHezbollah", "Kataib-Hezbollah"],
)  # fmt: skip
def test_alias_variants_of_apostrophes_hyphens_case_and_line_breaks(model, surface):
    assert found(f"Fighters of {surface} said so.", model)[0][:2] == (surface, "kataeb_hezbollah")


def test_diacritics_and_transliterations(model):
    assert ids("Officials in Türkiye and Turkey met al-Hashd al-Sha\u02bfbi.", model) == [
        "turkey",
        "turkey",
        "popular_mobilization_forces",
    ]


def test_possessive_ends_a_name(model):
    assert found("Iraq's partners and Hamas' leaders.", model) == [
        ("Iraq", "iraq", "name"),
        ("Hamas", "hamas", "name"),
    ]


def test_longest_match_wins(model):
    assert ids("the Islamic Resistance in Iraq and the Islamic State group", model) == [
        "islamic_resistance_in_iraq",
        "islamic_state",
    ]
    assert ids("Islamic scholars", model) == []


def test_offsets_point_into_the_original_text(model):
    text = "Sources said “Kata\u2019ib Hizballah”\u2014and Iran\u2019s IRGC\u2014struck."
    doc = make_doc("t", text)
    rows = entities.extract(doc, model, {})["mentions"]
    assert [text[r["start"] : r["end"]] for r in rows] == [r["surface"] for r in rows]
    assert [r["surface"] for r in rows] == ["Kata\u2019ib Hizballah", "Iran", "IRGC"]


def test_acronyms_are_case_sensitive(model):
    assert ids("Let us know what the US said about KH.", model) == [
        "united_states",
        "kataeb_hezbollah",
    ]
    assert ids("kh and irgc in lower case are not acronyms", model) == []


def test_caps_word_acronym_in_all_caps_text(model):
    assert ids("PLEASE LET US KNOW BEFORE FRIDAY", model) == []
    assert ids("DRONE HITS US FORCES IN SYRIA", model) == ["united_states", "syria"]


def test_capitalised_alias_needs_a_capitalised_surface(model):
    assert ids("We ate turkey in Jordan.", model) == ["jordan"]


def test_demonyms_and_qualified_nouns_resolve_to_the_state(model):
    rows = found("US officials, U.S. troops and Iraqi authorities met three Americans.", model)
    assert [r[1] for r in rows] == ["united_states"] * 2 + ["iraq", "united_states"]
    assert {r[2] for r in rows} == {"alias"}


def test_hyphenated_compound_names_its_actor_separately(model):
    assert found("The US-led coalition and Iran-backed militias clashed.", model) == [
        ("US", "united_states", "alias"),
        ("coalition", "international_coalition", "alias"),
        ("Iran", "iran", "name"),
    ]


def test_surname_without_article_for_people(model):
    assert ids("Halbousi resigned and Sudani spoke.", model) == [
        "mohammed_al_halbousi",
        "mohammed_shia_al_sudani",
    ]
    # ... but a surname never stands for a group: "al-Houthi" here is a man
    assert ids("Mohammed Ali al-Houthi said so.", model) == []


def test_speaker_labels_are_rows_but_not_counted(model):
    text = "MR. KIRBY: We struck Kataib Hezbollah.\n\nQ: And Iran?"
    doc = make_doc("t", text)
    rows = entities.extract(doc, model, {})["mentions"]
    assert rows[0]["surface"] == "KIRBY" and rows[0]["role"] == "label"
    rec = entities.record({"mentions": pd.DataFrame(rows)}, doc)
    assert [e["entity_id"] for e in rec["entities"]] == ["iran", "kataeb_hezbollah"]


# --------------------------------------------------------------------------- metonymy


@pytest.mark.parametrize(
    "sentence, surface, entity",
    [
        ("Washington said the strikes were over.", "Washington", "united_states"),
        ("Baghdad wants a timeline.", "Baghdad", "iraq"),
        ("Tehran denied any role.", "Tehran", "iran"),
        ("Washington had already carried out strikes.", "Washington", "united_states"),
        ("It was designated a terrorist group by Washington.", "Washington", "united_states"),
        ("The group has been repeatedly bombed by Washington.", "Washington", "united_states"),
        ("Tehran on Monday warned Israel.", "Tehran", "iran"),
        ("Does Washington agree?", "Washington", "united_states"),
        ("It is an ally of Tehran.", "Tehran", "iran"),
        ("Talks between Washington and Baghdad resumed.", "Baghdad", "iraq"),
        ("Tehran-backed groups fired.", "Tehran", "iran"),
        ("Sanctions, Washington's main tool, failed.", "Washington", "united_states"),
        ("Faced with criticism, Washington rushed troops.", "Washington", "united_states"),
    ],
)
def test_capital_as_actor_is_its_state(model, sentence, surface, entity):
    assert (surface, entity, "metonym") in found(sentence, model)


@pytest.mark.parametrize(
    "sentence, surface, entity",
    [
        ("A drone struck a car in Baghdad.", "Baghdad", "baghdad"),
        ("He flew to Washington on Monday.", "Washington", "washington"),
        ("Baghdad residents fled the blasts.", "Baghdad", "baghdad"),
        ("Baghdad was hit by rockets.", "Baghdad", "baghdad"),
        ("A Baghdad-based analyst spoke.", "Baghdad", "baghdad"),
        ("Strikes hit the outskirts of Damascus.", "Damascus", "damascus"),
        ("BAGHDAD \u2014 Two rockets fell.", "BAGHDAD", "baghdad"),
    ],
)
def test_capital_as_place_is_the_city(model, sentence, surface, entity):
    assert (surface, entity, "name") in found(sentence, model)


def test_capital_inside_another_name_is_no_mention(model):
    assert ids("The Washington Post and George Washington agreed.", model) == []


def test_metonym_rows_always_mean_the_state(model):
    assert found("The Pentagon said the Kremlin lied.", model) == [
        ("Pentagon", "united_states", "metonym"),
        ("Kremlin", "russia", "metonym"),
    ]


def test_the_iraqi_capital_is_baghdad_and_iraq(model):
    assert found("A drone struck in the Iraqi capital.", model) == [
        ("Iraqi", "iraq", "alias"),
        ("capital", "baghdad", "coref"),
    ]


# --------------------------------------------------------------------------- nominal coreference


def test_the_group_takes_the_recent_armed_group(model):
    rows = found("Washington blamed Kataib Hezbollah. The group denied it.", model)
    assert rows[-1] == ("The group", "kataeb_hezbollah", "coref")


def test_no_antecedent_no_mention(model):
    assert found("The group denied it.", model) == []
    assert ids("Iran spoke. The militia denied it.", model) == ["iran"]  # a state is no militia


def test_subject_beats_an_embedded_mention(model):
    text = (
        "Kataib Hezbollah, an Iran-backed militia that belongs to Iraq's Popular "
        "Mobilization Forces, fired rockets. The group denied it."
    )
    assert found(text, model)[-1] == ("The group", "kataeb_hezbollah", "coref")


def test_nominals_inside_quotes_are_the_speakers(model):
    text = "Kataib Hezbollah said: “Our nation and the movement will fight.”"
    assert ids(text, model) == ["kataeb_hezbollah"]


def test_nominal_not_a_reference(model):
    assert ids("Hamas fired. The group of seven met; the militia groups hid.", model) == ["hamas"]
    text = "Hamas fired. Officials blamed the group called the Islamic Resistance in Iraq."
    assert ids(text, model) == ["hamas", "islamic_resistance_in_iraq"]


def test_the_coalition_is_a_short_name(model):
    assert found("The coalition said troops were safe.", model) == [
        ("The coalition", "international_coalition", "alias")
    ]


def test_seed_article_reads_well(model, seed_text):
    rows = entities.extract(make_doc("seed", seed_text), model, {})["mentions"]
    corefs = [(r["surface"], r["entity_id"]) for r in rows if r["resolution"] == "coref"]
    assert ("the organization", "kataeb_hezbollah") in corefs
    assert ("The group", "kataeb_hezbollah") in corefs
    assert all(e == "kataeb_hezbollah" for s, e in corefs if s != "capital")
    metonyms = {(r["surface"], r["entity_id"]) for r in rows if r["resolution"] == "metonym"}
    assert metonyms == {("Washington", "united_states"), ("Baghdad", "iraq"), ("Tehran", "iran")}
    places = {(r["surface"], r["entity_id"]) for r in rows if r["entity_type"] == "capital"}
    assert places == {("Baghdad", "baghdad"), ("capital", "baghdad")}
    # "our nation", "our fighters" inside the quote are nobody's mentions
    quoted = [r["surface"] for r in rows if r["in_quote"]]
    assert quoted == ["America", "Iraq", "Islamic Resistance in Iraq", "Kataeb Hezbollah"]
    iri = next(r for r in rows if r["entity_id"] == "islamic_resistance_in_iraq")
    assert iri["quoted_name"] is True


def test_seed_record_is_sorted_and_counts_named_apart(model, seed_text):
    doc = make_doc("seed", seed_text)
    rec = entities.record(
        {"mentions": pd.DataFrame(entities.extract(doc, model, {})["mentions"])}, doc
    )
    ents = rec["entities"]
    assert ents == sorted(ents, key=lambda e: (-e["mentions"], e["entity_id"]))
    kh = next(e for e in ents if e["entity_id"] == "kataeb_hezbollah")
    assert (
        kh["mentions"] - kh["named_mentions"] == 4
    )  # three "the organization/group", "that organization"
    assert {"Hezbollah Brigades", "Kataeb Hezbollah", "the organization"} <= set(
        kh["surface_forms"]
    )


# --------------------------------------------------------------------------- resolve_phrase


@pytest.mark.parametrize(
    "phrase, expected",
    [
        ("US officials", "united_states"),
        ("Iraqi authorities", "iraq"),
        ("the Pentagon", "united_states"),
        ("a Kataib Hezbollah spokesman", "kataeb_hezbollah"),
        ("Iraqi Prime Minister Mohammed Shia al-Sudani", "mohammed_shia_al_sudani"),
        ("Tehran", "iran"),
        ("analysts", None),
    ],
)
def test_resolve_phrase(model, phrase, expected):
    assert entities.resolve_phrase(phrase, model) == expected


def test_resolve_phrase_uses_the_articles_mentions(model):
    text = "Kataib Hezbollah fired rockets. The organization said it would go on."
    rows = entities.extract(make_doc("t", text), model, {})["mentions"]
    at = text.index("The organization")
    assert (
        entities.resolve_phrase("The organization", model, mentions=rows, at=at)
        == "kataeb_hezbollah"
    )
    assert entities.resolve_phrase("the organization", model, mentions=rows[:0], at=at) is None
    text = "Iraqi Prime Minister Mohammed Shia al-Sudani said so."
    rows = entities.extract(make_doc("t", text), model, {})["mentions"]
    speaker = text[: text.index(" said")]
    assert entities.resolve_phrase(speaker, model, mentions=rows, at=0) == "mohammed_shia_al_sudani"


# --------------------------------------------------------------------------- properties


_ALIASES = ["Kataib Hezbollah", "Iraq", "US", "Washington", "the group", "Tehran", "Iraqi"]
_FILLERS = [" said ", " and ", ". ", " in ", ", ", " struck ", "\u201c", "\u201d ", "\n"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_ALIASES), st.sampled_from(_FILLERS)), max_size=12))
def test_rows_are_traceable_and_do_not_overlap(pieces):
    model = _MODEL()
    text = "".join(a + f for a, f in pieces)
    doc = make_doc("t", text)
    rows = entities.extract(doc, model, {})["mentions"]
    last_end = -1
    for r in sorted(rows, key=lambda r: r["start"]):
        assert text[r["start"] : r["end"]] == r["surface"]
        assert r["start"] >= last_end
        assert r["resolution"] in entities.RESOLUTIONS
        assert doc.sentences[r["sent_idx"]].start <= r["start"] < doc.sentences[r["sent_idx"]].end
        last_end = r["end"]


def _MODEL(_cache=[]):  # noqa: B006 - a per-process cache for hypothesis examples
    if not _cache:
        _cache.append(entities.build())
    return _cache[0]


# --------------------------------------------------------------------------- lexicons


def _copy_lexicons(tmp_path: Path) -> Path:
    src = ROOT / "data" / "lexicons"
    for p in src.glob("*.csv"):
        (tmp_path / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    "file, line, message",
    [
        ("entity_cues.csv", "Washington,locative\n", "must be one lower-case word"),
        ("entity_cues.csv", "near,nearby\n", "unknown cue 'nearby'"),
        ("actor_verbs.csv", "shout,loud,\n", "unknown kind 'loud'"),
        ("nominals.csv", "band,gang\n", "unknown entity type(s) ['gang']"),
        ("name_cues.csv", "Battalion,militia,head\n", "unknown entity_type 'militia'"),
    ],
)
def test_bad_lexicon_rows_fail_with_file_and_line(tmp_path, file, line, message):
    folder = _copy_lexicons(tmp_path)
    path = folder / file
    n = len(path.read_text(encoding="utf-8").splitlines()) + 1
    with path.open("a", encoding="utf-8") as fh:
        fh.write(line)
    with pytest.raises(LexiconError) as err:
        entities.build(folder)
    assert f"{file}:{n}:" in str(err.value)
    assert message in str(err.value)


def test_a_new_alias_in_actors_csv_is_found(tmp_path):
    folder = _copy_lexicons(tmp_path)
    with (folder / "actors.csv").open("a", encoding="utf-8") as fh:
        fh.write("saraya_thar,armed_group,islamic_resistance_in_iraq,Saraya Thar,name\n")
    model = entities.build(folder)
    assert found("Saraya Thar claimed it. The group vowed more.", model) == [
        ("Saraya Thar", "saraya_thar", "name"),
        ("The group", "saraya_thar", "coref"),
    ]


def test_verb_forms():
    assert entities.verb_forms("carry") == ["carry", "carries", "carried", "carrying"]
    assert entities.verb_forms("agree") == ["agree", "agrees", "agreed", "agreeing"]


# --------------------------------------------------------------------------- views


@pytest.fixture(scope="module")
def tables():
    return entities.example_tables()


def test_counts_by_outlet_and_week(tables):
    by_outlet = entities.counts(tables, by="outlet")
    assert set(by_outlet.outlet) == {"Wire A"}
    weekly = entities.counts(tables, by="week", entity_types=["state"])
    assert list(weekly.columns[:2]) == ["week", "entity_id"]
    assert set(weekly.entity_type) == {"state"}
    assert weekly.groupby("week").mentions.sum().tolist() == [2, 3]
    only_b = entities.counts(tables, outlets=["Wire B"])
    assert only_b.empty
    late = entities.counts(tables, start="2024-02-01")
    assert set(late.entity_id) == {"kataeb_hezbollah", "united_states", "iraq", "baghdad"}
    assert late.mentions.sum() == 5


def test_named_versus_all(tables):
    c = entities.counts(tables).set_index("entity_id")
    assert c.loc["kataeb_hezbollah", ["mentions", "named_mentions"]].tolist() == [3, 2]
    named = entities.mention_table(tables, named_only=True)
    assert set(named.resolution) <= {"name", "alias"}


def test_evidence_rows_trace_back_to_sentences(tables):
    ev = entities.evidence(tables)
    arts = tables["articles"].set_index("article_id").text
    for r in ev.itertuples():
        assert arts[r.article_id][r.start : r.end] == r.surface
        assert r.surface in r.sentence or r.surface.lower() in r.sentence.lower()


def test_cooccurrence_network(tables):
    edges = entities.cooccurrence(tables)
    assert (edges.source < edges.target).all()
    g = entities.cooccurrence_graph(edges, entities.counts(tables))
    assert g.nodes["kataeb_hezbollah"]["mentions"] == 3
    assert g["kataeb_hezbollah"]["united_states"]["weight"] == 2


def test_concordance_lines_up_every_surface(tables):
    kwic = entities.concordance(tables, "united_states", width=50)
    assert kwic.match.tolist() == ["Washington", "US", "Pentagon"]
    assert all(len(line) <= 50 for line in kwic.line)
    assert kwic.article_id.tolist() == ["a1", "a2", "a2"]


def test_over_time_and_outlet_matrix(tables):
    weekly = entities.over_time(tables, top_n=2)
    assert list(weekly.columns) == ["kataeb_hezbollah", "united_states"]
    assert weekly.sum().tolist() == [3, 3]
    share = entities.outlet_matrix(tables)
    assert share.loc["Wire A"].sum() == pytest.approx(1.0, abs=1e-3)


def test_salience(tables):
    sal = entities.salience(tables).set_index("entity_id")
    assert sal.loc["kataeb_hezbollah", "in_title"] == 1
    assert sal.loc["kataeb_hezbollah", "in_lead"] == 2


def test_candidates_from_unknown_names(tables):
    cand = entities.candidates(tables, min_mentions=2)
    row = cand.iloc[0]
    assert (row.candidate, row.n_mentions, row.n_articles, row.n_outlets) == (
        "Saraya Thar",
        2,
        2,
        1,
    )
    assert row.suggested_id == "saraya_thar" and row.suggested_type == "armed_group"
    assert "Saraya Thar" in row.example


def test_views_of_empty_tables():
    empty = {"articles": pd.DataFrame(columns=["article_id", "published", "outlet", "title", "text"]),
             "mentions": pd.DataFrame(columns=entities.MENTION_COLUMNS)}  # fmt: skip
    assert entities.counts(empty).empty
    assert entities.over_time(empty).empty
    assert entities.cooccurrence(empty).empty
    assert entities.candidates(empty).empty


def test_analyze_record_from_the_cli_pipeline(seed_text):
    from conflictlens.pipeline import analyze_text

    rec = analyze_text(seed_text)
    ents = rec["entities"]
    assert ents == sorted(ents, key=lambda e: (-e["mentions"], e["entity_id"]))
    assert set(ents[0]) == {
        "entity_id",
        "entity_type",
        "mentions",
        "named_mentions",
        "surface_forms",
    }
    json.dumps(rec, default=str)


# --------------------------------------------------------------------------- notebook


@pytest.mark.slow
def test_notebook_runs_top_to_bottom(tmp_path):
    import papermill as pm

    out = tmp_path / "out"
    pm.execute_notebook(
        str(ROOT / "notebooks" / "01_entity_counts.ipynb"),
        str(tmp_path / "01.ipynb"),
        parameters={"out_dir": str(out)},
        kernel_name="conflictlens",
        cwd=str(ROOT),
        progress_bar=False,
    )
    figures = {p.name for p in (out / "figures").glob("*.png")}
    assert {"entities_top_actors.png", "entities_over_time.png", "entities_outlet_heatmap.png",
            "entities_cooccurrence.png"} <= figures  # fmt: skip
    counts = pd.read_csv(out / "tables" / "entities_counts.csv")
    assert (counts.mentions >= counts.named_mentions).all() and len(counts) > 10
    assert (out / "tables" / "entities_candidates.csv").exists()
    assert (out / "tables" / "entities_evidence_top_actor.csv").exists()


# --------------------------------------------------------------------------- fast paths


def _all_matches(search, folded: str) -> list[tuple[tuple[int, int], tuple]]:
    out, pos = [], 0
    while (m := search(folded, pos)) is not None:
        out.append((m.span(), m.groups()))
        pos = m.start() + 1
    return out


def test_nominal_search_finds_what_the_full_pattern_finds(model):
    # Runs of words ending in a head, cut by digits, punctuation, long runs and line ends:
    # the prefiltered search must give the same matches, in the same order, as the pattern.
    import random

    rng = random.Random(5)
    words = ["the", "that", "this", "iraq's", "yemen'", "iran-backed", "new", "group",
             "groups", "group1", "militia", "movement-", "party", "coalition", "-", "7",
             ",", ".", "x'y", "the\n", "\t", "long" * 60, "it's"]  # fmt: skip
    texts = [
        "".join(
            rng.choice(words) + rng.choice([" ", "", "  ", "\n", "-", " \t"])
            for _ in range(rng.randint(1, 40))
        )  # fmt: skip
        for _ in range(3000)
    ]
    texts.append("in the " + "very " * 60 + "big group, that militia.")
    for t in texts:
        fast = _all_matches(lambda f, p: entities._nominal_search(model, f, p), t)
        assert fast == _all_matches(model.nominal_re.search, t), t


def test_last_token_is_the_last_token_of_the_window():
    import random

    rng = random.Random(3)
    alphabet = "ab1 .,'-\t\u00e9\u2019\u3000\u0661"
    for _ in range(3000):
        t = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20)))
        a = rng.randint(0, len(t))
        b = rng.randint(a, len(t))
        assert entities._last_token(t, a, b) == (entities._TOKEN.findall(t, a, b) or [""])[-1]


def test_all_caps_sentence_counts_ascii_letters_only(model):
    doc = make_doc(
        "t", "LET US GO TO \u00c9\u00c9\u00c9\u00e9\u00e9\u00e9\u00e9 now. Kirby said it was fine."
    )
    ctx = entities._Context(doc, model)
    assert [ctx.all_caps_sentence(i) for i in range(len(doc.sentences))] == [True, False]


def test_names_match_across_every_apostrophe_mark(model):
    # The alias pattern lists the marks as fold() leaves them: U+02BC becomes "'" and
    # no character folds to it, the others stay and must still match inside a name.
    from conflictlens.text import fold

    assert not any("\u02bc" in fold(chr(c)) for c in range(0x110000))
    for mark in "'\u2019\u02bc\u02bf\u02be":
        assert found(f"Kata{mark}ib Hezbollah struck.", model)[0][1] == "kataeb_hezbollah", mark
