"""Attack events, tallies and cross-article clustering (events.py).

Unit tests build the ``mentions`` rows by hand (the entities stage's schema), so they
test this module alone; the seed test runs the whole pipeline.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from conflictlens import events, timex
from conflictlens.corpus import load_acled
from conflictlens.lexicons import LexiconError
from conflictlens.text import make_doc

PUB = date(2024, 2, 8)  # a Thursday

ENTITY_TYPES = {
    "united_states": "state", "iraq": "state", "syria": "state", "jordan": "state",
    "iran": "state", "israel": "state", "united_kingdom": "state", "kataeb_hezbollah": "armed_group",
    "houthis": "armed_group", "islamic_resistance_in_iraq": "armed_group", "baghdad": "capital",
    "erbil": "city", "ain_al_asad": "place", "abu_bakr_al_saadi": "person",
    "hezbollah_lebanon": "armed_group", "lebanon": "state",
}  # fmt: skip


def mentions_for(doc, marks: list[tuple[str, str]]) -> list[dict]:
    """Mention rows for each (surface, entity_id): every occurrence of the surface."""
    rows = []
    for surface, eid in marks:
        start = 0
        while (i := doc.text.find(surface, start)) >= 0:
            rows.append({"article_id": doc.article_id, "sent_idx": doc.sentence_at(i), "start": i,
                         "end": i + len(surface), "surface": surface, "entity_id": eid,
                         "entity_type": ENTITY_TYPES.get(eid, "state"),
                         "resolution": "metonym" if surface in ("Washington", "Tehran") else "name"})  # fmt: skip
            start = i + len(surface)
    return rows


@pytest.fixture(scope="module")
def models():
    return timex.build(), events.build()


def read(text, marks=(), published=PUB, models=None, article_id="t1", outlet="Test Wire"):
    tm, em = models
    doc = make_doc(article_id, text, published=published, outlet=outlet)
    found = {"mentions": mentions_for(doc, list(marks))}
    found.update(timex.extract(doc, tm, found))
    return events.extract(doc, em, found)


# --------------------------------------------------------------------------- one article


def test_a_dated_drone_strike_with_place_toll_and_perpetrator(models):
    out = read("On Monday a US drone strike in Erbil killed two militia commanders.",
               [("US", "united_states"), ("Erbil", "erbil")], models=models)  # fmt: skip
    (ev,) = out["events"]
    assert ev["event_type"] == "drone_strike"
    assert (str(ev["date"]), ev["date_precision"]) == ("2024-02-05", "day")
    assert (ev["perpetrator_id"], ev["attribution"]) == ("united_states", "stated")
    assert (ev["location_id"], ev["country_id"], ev["killed"]) == ("erbil", "iraq", 2)


@pytest.mark.parametrize(
    "text",
    [
        "The militia threatened to attack the embassy.",
        "Officials warned that any attack on the base would be answered.",
        "The group denied carrying out the rocket attack on Tuesday.",
        "Washington could strike the depots within days.",
        "Commanders are planning new drone strikes.",
        "Negotiators will discuss the withdrawal of 2,500 troops next week.",
        "The carrier strike group sailed to the eastern Mediterranean.",
    ],
)
def test_threats_denials_hypotheticals_plans_are_not_events(text, models):
    assert read(text, [("Washington", "united_states")], models=models)["events"] == []


def test_aggregates_are_kept_apart_from_events(models):
    out = read("Since early November, the militias have fired dozens of rockets at US bases. "
               "A rocket attack on Sunday wounded two contractors.", [("US", "united_states")],
               models=models)  # fmt: skip
    assert len(out["events"]) == 1 and out["events"][0]["wounded"] == 2
    statuses = {m["trigger"]: m["status"] for m in out["event_mentions"]}
    assert statuses["rockets"] == "aggregate"


def test_mentions_of_one_happening_merge_and_pool_what_each_knows(models):
    text = (
        "An attack in mid-January killed four soldiers in the Syrian desert. "
        "Separately, rockets landed near the airport in Erbil on Tuesday. "
        "Officials said the attack in Syria bore the hallmarks of Kataeb Hezbollah."
    )
    out = read(text, [("Syrian", "syria"), ("Syria", "syria"), ("Erbil", "erbil"),
                      ("Kataeb Hezbollah", "kataeb_hezbollah")], models=models)  # fmt: skip
    assert len(out["events"]) == 2
    first = next(e for e in out["events"] if e["country_id"] == "syria")
    assert (first["killed"], first["date_precision"], first["perpetrator_id"], first["attribution"]) == (
        4, "part_of_month", "kataeb_hezbollah", "alleged")  # fmt: skip
    assert first["n_mentions"] == 2 and first["sent_idxs"] == [0, 2]


def test_two_happenings_in_one_sentence_keep_their_own_dates(models):
    out = read("Two days ago, Israeli jets struck a depot in retaliation for a rocket attack "
               "in late January that wounded three civilians.", [("Israeli", "israel")], models=models)  # fmt: skip
    by_type = {e["event_type"]: e for e in out["events"]}
    assert set(by_type) == {"air_strike", "rocket_attack"}
    assert str(by_type["air_strike"]["date"]) == "2024-02-06"
    assert by_type["air_strike"]["perpetrator_id"] == "israel"
    assert (by_type["rocket_attack"]["date_precision"], by_type["rocket_attack"]["wounded"]) == (
        "part_of_month",
        3,
    )


@pytest.mark.parametrize(
    "text, killed, wounded",
    [
        ("A drone strike killed three Americans and wounded dozens.", 3, None),
        ("Two soldiers and a translator were killed when a roadside bomb exploded.", 3, None),
        ("A missile attack killed 12 people and wounded more than 40, medics said.", 12, 40),
        ("Rockets hit the camp, killing two sailors and wounding five.", 2, 5),
        ("A rocket attack on the base caused no deaths.", 0, None),
    ],
)
def test_casualties_from_number_words_sums_and_qualifiers(text, killed, wounded, models):
    (ev,) = read(text, [("Americans", "united_states")], models=models)["events"]
    assert (ev["killed"], ev["wounded"]) == (killed, wounded)


@pytest.mark.parametrize(
    "text, marks, perpetrator, attribution",
    [
        ("Kataeb Hezbollah claimed the drone attack on the base.", [("Kataeb Hezbollah", "kataeb_hezbollah")],
         "kataeb_hezbollah", "claimed"),
        ("The Houthis said they had targeted a tanker with missiles on Monday.", [("Houthis", "houthis")],
         "houthis", "claimed"),
        ("Washington blamed Kataeb Hezbollah for the rocket attack.",
         [("Washington", "united_states"), ("Kataeb Hezbollah", "kataeb_hezbollah")], "kataeb_hezbollah", "alleged"),
        ("The base was hit by rockets fired by the Houthis.", [("Houthis", "houthis")], "houthis", "stated"),
        # nobody named and nobody blamed: the report's own account
        ("Iran-backed militias launched a drone attack on the base.", [("Iran", "iran")], None, "stated"),
        ("Officials said Iran-backed militias were behind the rocket attack.", [("Iran", "iran")], None, "alleged"),
    ],
)  # fmt: skip
def test_attribution(text, marks, perpetrator, attribution, models):
    (ev,) = read(text, marks, models=models)["events"]
    assert (ev["perpetrator_id"], ev["attribution"]) == (perpetrator, attribution)


def test_an_undated_strike_on_a_group_infers_the_article_s_striker(models):
    text = (
        "A drone strike killed a commander of Kataeb Hezbollah on Wednesday. "
        "The group has been bombed repeatedly by Washington."
    )
    out = read(text, [("Kataeb Hezbollah", "kataeb_hezbollah"), ("The group", "kataeb_hezbollah"),
                      ("Washington", "united_states")], models=models)  # fmt: skip
    (ev,) = out["events"]
    assert (ev["perpetrator_id"], ev["attribution"], ev["target_id"]) == (
        "united_states", "inferred", "kataeb_hezbollah")  # fmt: skip


def test_future_dates_never_date_an_attack(models):
    out = read("Talks will resume on Sunday, a week after the attack in Jordan.", [("Jordan", "jordan")],
               models=models)  # fmt: skip
    assert all(e["date"] is None or e["date"] <= PUB for e in out["events"])


def test_without_publication_date_events_are_undated(models):
    (ev,) = read("A rocket attack on Tuesday wounded four.", published=None, models=models)[
        "events"
    ]
    assert ev["date"] is None and ev["date_start"] is None


# --------------------------------------------------------------------------- tallies


@pytest.mark.parametrize(
    "text, count, qualifier, since",
    [
        ("Since mid-October, more than 120 attacks have targeted US forces in Iraq and Syria.", 120, "more_than",
         "2023-10-11"),
        ("It was at least the 40th attack on the base since November 1.", 40, "ordinal", "2023-11-01"),
        ("Officials counted nearly 90 drone attacks since the war began.", 90, "nearly", None),
        ("The militias have attacked US troops 60 times since October.", 60, "exact", "2023-10-01"),
    ],
)  # fmt: skip
def test_tallies(text, count, qualifier, since, models):
    (t,) = read(
        text, [("US", "united_states"), ("Iraq", "iraq"), ("Syria", "syria")], models=models
    )["tallies"]
    assert (t["count"], t["qualifier"], t["unit"]) == (count, qualifier, "attacks")
    assert (str(t["since"]) if t["since"] else None) == since
    assert t["as_of"] == PUB


def test_tally_target_and_region(models):
    (t,) = read("More than 120 attacks have hit US forces in Iraq and Syria since October 17.",
                [("US", "united_states"), ("Iraq", "iraq"), ("Syria", "syria")], models=models)["tallies"]  # fmt: skip
    assert (t["target_id"], t["region"]) == ("united_states", "Iraq and Syria")


@pytest.mark.parametrize(
    "text",
    [
        "The US is deploying 2,500 troops to the region.",
        "Jets struck 60 targets at 16 locations on Friday.",
        "The strikes were justified under Article 51.",
        "Resolution 2722 demands a halt.",
        "Twelve countries signed the statement, and 20 ships changed course.",
        "The attack on March 3 killed two.",
    ],
)
def test_numbers_that_are_not_tallies(text, models):
    assert read(text, [("US", "united_states")], models=models)["tallies"] == []


# --------------------------------------------------------------------------- record and pipeline


def test_seed_article_events_and_tallies(seed_text):
    from conflictlens.pipeline import analyze_text

    rec = analyze_text(seed_text, published=PUB)
    evs = rec["events"]
    assert len(evs) == 3 and all(e["sentence"] for e in evs)
    drone = next(e for e in evs if e["event_type"] == "drone_strike")
    assert (drone["date"], drone["location_id"], drone["country_id"], drone["killed"]) == (
        "2024-02-07", "baghdad", "iraq", 1)  # fmt: skip
    assert drone["perpetrator_id"] == "united_states"
    assert drone["attribution"] in ("stated", "alleged", "inferred")
    jordan = next(e for e in evs if e["country_id"] == "jordan")
    assert (jordan["event_type"], jordan["date_start"], jordan["date_end"], jordan["date_precision"]) == (
        "attack", "2024-01-21", "2024-01-31", "part_of_month")  # fmt: skip
    assert (jordan["killed"], jordan["target_id"], jordan["perpetrator_id"], jordan["attribution"]) == (
        3, "united_states", "kataeb_hezbollah", "alleged")  # fmt: skip
    strikes = next(e for e in evs if e["event_type"] == "air_strike")
    assert (strikes["date"], strikes["date_precision"], strikes["perpetrator_id"]) == (
        "2024-02-01", "week", "united_states")  # fmt: skip
    (tally,) = rec["tallies"]
    assert {k: tally[k] for k in ("count", "qualifier", "unit", "since", "as_of", "target_id", "region")} == {
        "count": 165, "qualifier": "more_than", "unit": "attacks", "since": "2023-10-11",
        "as_of": "2024-02-08", "target_id": "united_states", "region": "Iraq and Syria"}  # fmt: skip
    assert set(evs[0]) == {"event_type", "date", "date_start", "date_end", "date_precision", "date_text",
                           "perpetrator_id", "target_id", "location_id", "country_id", "killed",
                           "wounded", "attribution", "sentence"}  # fmt: skip


# --------------------------------------------------------------------------- across articles


def corpus_events(models, reports):
    rows = []
    for i, (text, published, marks) in enumerate(reports):
        rows += read(text, marks, published=published, models=models, article_id=f"a{i}",
                     outlet=f"Outlet {i % 2}")["events"]  # fmt: skip
    ev = pd.DataFrame(rows)
    return events.finish({"events": ev}, models[1])["events"]


def test_reports_of_one_happening_cluster_and_others_do_not(models):
    reports = [
        ("A drone attack on Sunday killed three US soldiers in Jordan.", date(2024, 1, 29),
         [("US", "united_states"), ("Jordan", "jordan")]),
        ("The drone strike in Jordan on January 28 killed three Americans.", date(2024, 1, 31),
         [("Jordan", "jordan"), ("Americans", "united_states")]),
        ("Rockets hit a base in Syria on Sunday, wounding one.", date(2024, 1, 29), [("Syria", "syria")]),
        ("A drone attack killed three soldiers in Jordan in early January.", date(2024, 2, 20),
         [("Jordan", "jordan")]),
    ]  # fmt: skip
    ev = corpus_events(models, reports)
    cid = dict(zip(ev.article_id, ev.cluster_id, strict=True))
    assert cid["a0"] == cid["a1"]
    assert cid["a2"] != cid["a0"] and cid["a3"] != cid["a0"]
    u = events.unique_events(ev)
    tower = u[u.cluster_id == cid["a0"]].iloc[0]
    assert (int(tower.n_articles), tower.outlets, str(tower.date), tower.date_precision) == (
        2, "Outlet 0; Outlet 1", "2024-01-28", "day")  # fmt: skip


def test_acled_export_layout_reads_back_with_load_acled(models, tmp_path):
    ev = corpus_events(models, [
        ("A drone attack on Sunday killed three US soldiers in Jordan.", date(2024, 1, 29),
         [("US", "united_states"), ("Jordan", "jordan")]),
        ("US jets bombed depots in Iraq on Friday.", date(2024, 2, 3), [("US", "united_states"), ("Iraq", "iraq")]),
    ])  # fmt: skip
    acled = events.acled_export(events.unique_events(ev))
    assert list(acled.columns[: len(events.ACLED_LAYOUT)]) == events.ACLED_LAYOUT
    assert set(acled.sub_event_type) == {"Air/drone strike"}
    p = tmp_path / "export.csv"
    acled.to_csv(p, index=False)
    back, rejects = load_acled(p)
    assert len(rejects) == 0 and sorted(back.event_type) == ["air_strike", "drone_strike"]
    assert sorted(back.killed.dropna().astype(int)) == [0, 3]


def test_bad_trigger_row_names_file_and_line(tmp_path):
    src = events.lexicons.default_dir()
    for p in src.glob("*.csv"):
        (tmp_path / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    trig = tmp_path / "event_triggers.csv"
    trig.write_text(trig.read_text(encoding="utf-8") + "mortar salvo,mortar_attack,mortar,noun\n",
                    encoding="utf-8")  # fmt: skip
    with pytest.raises(
        LexiconError, match=r"event_triggers\.csv:\d+: unknown event_type 'mortar_attack'"
    ):
        events.build(tmp_path)


def test_a_tally_over_a_stated_range_is_as_of_its_end(models):
    (t,) = read("US troops were attacked at least 70 times between October 17 and December 21.",
                [("US", "united_states")], models=models)["tallies"]  # fmt: skip
    assert (t["count"], t["qualifier"], str(t["since"]), str(t["as_of"]), t["target_id"]) == (
        70, "at_least", "2023-10-17", "2023-12-21", "united_states")  # fmt: skip


# --------------------------------------------------------------------------- official text and transcripts


def statuses(out) -> list[tuple[str, str]]:
    return [(m["trigger"], m["status"]) for m in out["event_mentions"]]


def test_a_question_tells_no_happening_but_may_presuppose_a_dated_one(models):
    text = (
        "Q  Are these strikes targeted enough?  Was there an attack on the base?\n\n"
        "MR. KIRBY:  I won't speculate.\n\n"
        "Q  Was the strike successful last night?"
    )
    out = read(text, models=models)
    assert statuses(out)[:2] == [("strikes", "question"), ("attack", "question")]
    (ev,) = out["events"]  # the definite, dated one: presupposed
    assert ev["trigger"] == "strike" and str(ev["date"]) == "2024-02-07"


def test_a_journalists_report_in_a_transcript_is_not_told_as_fact(models):
    text = ("Q  There are reports of a drone attack on a base in Syria this morning.  Can you confirm?\n\n"
            "MR. KIRBY:  I don't have anything for you on that.")  # fmt: skip
    out = read(text, [("Syria", "syria")], models=models)
    assert out["events"] == []
    assert statuses(out) == [("drone attack", "question")]


def test_first_person_in_an_officials_turn_is_their_state(models):
    text = ("Q  What happened?\n\nMR. KIRBY:  Last night our forces in Syria came under attack.  "
            "On Friday we struck seven facilities used by the militias.")  # fmt: skip
    out = read(text, [("Syria", "syria")], models=models)
    by_trigger = {e["trigger"]: e for e in out["events"]}
    assert by_trigger["attack"]["target_id"] == "united_states"
    assert by_trigger["struck"]["perpetrator_id"] == "united_states"
    assert str(by_trigger["struck"]["date"]) == "2024-02-02"


def test_first_person_in_a_statement_is_its_author(models):
    tm, em = models
    doc = make_doc("s1", "Yesterday we conducted strikes on three facilities in Iraq.", published=PUB,
                   title="Statement from President Joe Biden on Strikes in Iraq")  # fmt: skip
    found = {"mentions": mentions_for(doc, [("Iraq", "iraq")])}
    found.update(timex.extract(doc, tm, found))
    (ev,) = events.extract(doc, em, found)["events"]
    assert (ev["perpetrator_id"], str(ev["date"])) == ("united_states", "2024-02-07")
    doc = make_doc("n1", "Yesterday we conducted strikes on three facilities in Iraq.", published=PUB,
                   title="Drone strike hits Iraq")  # fmt: skip
    found = {"mentions": mentions_for(doc, [("Iraq", "iraq")])}
    found.update(timex.extract(doc, tm, found))
    assert events.extract(doc, em, found)["events"][0]["perpetrator_id"] is None  # a news title


@pytest.mark.parametrize(
    "text",
    [
        "I would point to the strikes on Friday as a clear message.",
        "We can confirm a drone attack on the base on Tuesday.",
    ],
)
def test_a_modal_that_is_the_speakers_hedge_does_not_cancel_the_attack(text, models):
    assert len(read(text, models=models)["events"]) == 1


@pytest.mark.parametrize(
    "text",
    [
        "Freedom and democracy are under attack at home and abroad.",
        "Workers at the plant went on strike over wages on Monday.",
        "The militias could strike anywhere, and we cannot afford an attack on Rafah.",
        "The Security Council demanded the Houthis end attacks on shipping.",
        "We have seen these attacks before.",
        "The recent attacks on commercial vessels have to stop.",
        "They have in the past come under attack by these groups.",
        "Since then, US forces have struck targets in Iraq and Syria.",
    ],
)
def test_official_phrasings_that_name_no_single_attack(text, models):
    assert read(text, models=models)["events"] == []


def test_dates_told_against_publication(models):
    out = read("Iran's ballistic missile attacks against Erbil the day prior were condemned.",
               [("Iran", "iran"), ("Erbil", "erbil")], published=date(2024, 1, 16), models=models)  # fmt: skip
    assert str(out["events"][0]["date"]) == "2024-01-15"
    out = read("It has been three days since the attack in Jordan that killed three service members.",
               [("Jordan", "jordan")], published=date(2024, 1, 31), models=models)  # fmt: skip
    (ev,) = out["events"]
    assert (str(ev["date"]), ev["killed"]) == ("2024-01-28", 3)


def test_a_bare_the_attack_long_after_the_last_word_on_it_refers_back(models):
    filler = " ".join(f"Officials discussed topic number {i} at length." for i in range(30))
    text = f"A drone attack on Tuesday wounded four soldiers. {filler} That said, this was a very serious attack."
    out = read(text, models=models)
    assert len(out["events"]) == 1
    assert statuses(out)[-1] == ("attack", "reference")


def test_the_toll_in_the_next_sentence(models):
    out = read("Last night our base came under attack by a drone. Three soldiers were killed and more "
               "than 30 were wounded.", models=models)  # fmt: skip
    (ev,) = out["events"]
    assert (ev["killed"], ev["wounded"]) == (3, 30)
    out = read("A drone attack hit the base on Tuesday. Separately, two people were killed in a crash.",
               models=models)  # fmt: skip
    assert out["events"][0]["killed"] is None


@pytest.mark.parametrize(
    "text, count",
    [
        ("Militias have carried out twenty-three attacks on US bases since October.", 23),
        ("It was the forty-first attack on the base since October 17.", 41),
        (
            "We are concerned about attacks on our troops. We've seen about a dozen over the last several days.",
            12,
        ),
        ("More than 30 service members have been killed in attacks on US troops since 2021.", 30),
    ],
)
def test_tallies_in_official_phrasings(text, count, models):
    (t,) = read(text, models=models)["tallies"]
    assert t["count"] == count


@pytest.mark.parametrize(
    "text",
    [
        "Nearly 100,000 people have been killed, injured, or are missing.",
        "More than 700 Israelis have been killed since gunmen broke through the fence on Saturday.",
        "In 2023, 45 strikes were planned but never carried out.",
        "He was sentenced to 20 years under Section 2339B and pleaded guilty to Count 3 of 11 counts.",
    ],
)
def test_numbers_in_official_and_court_text_that_are_not_tallies(text, models):
    assert read(text, models=models)["tallies"] == []


def test_place_chain_memo_follows_the_gazetteer_it_was_given():
    from conflictlens.events import _place_chain

    a = {"tower_22": ("place", "jordan"), "jordan": ("state", None)}
    b = {"tower_22": ("place", "syria"), "syria": ("state", None)}
    assert _place_chain("tower_22", a) == ("tower_22", "jordan")
    assert _place_chain("tower_22", b) == ("tower_22", "syria")
    assert _place_chain("tower_22", a) == ("tower_22", "jordan")
    assert _place_chain(None, a) == ()


# --------------------------------------------------------------------------- clustering at scale

_GAZETTEER = {
    "iraq": ("state", None), "syria": ("state", None), "jordan": ("state", None),
    "erbil": ("city", "iraq"), "erbil_airport": ("place", "erbil"), "ain_al_asad": ("place", "iraq"),
    "al_tanf": ("place", "syria"), "tower_22": ("place", "jordan"), "red_sea": ("place", None),
}  # fmt: skip


def _reference_pair_score(a: dict, b: dict, actors: dict) -> int | None:
    """:func:`events.pair_score` as first written (dates compared through ``_overlap``)."""
    if not events._compatible_types(a["type"], b["type"]):
        return None
    score = 0
    if a["start"] and b["start"]:
        ta = {"date_start": a["start"], "date_end": a["end"], "precision": a["precision"]}
        tb = {"date_start": b["start"], "date_end": b["end"], "precision": b["precision"]}
        if not events._overlap(ta, tb):
            return None
        if a["precision"] == b["precision"] == "day" and a["start"] == b["start"]:
            score += 2
    else:
        dated, undated = (a, b) if a["start"] else (b, a)
        if dated["start"] and undated["pub"] and undated["pub"] < dated["start"]:
            return None
    if a["location"] and b["location"]:
        chain_a, chain_b = (
            events._place_chain(a["location"], actors),
            events._place_chain(b["location"], actors),
        )
        if a["location"] in chain_b or b["location"] in chain_a:
            score += 2
        else:
            sites = all(actors.get(x, ("", None))[0] in ("place", "city") and len(events._place_chain(x, actors)) > 1
                        for x in (a["location"], b["location"]))  # fmt: skip
            score -= 4 if sites else 1
    for k in ("country", "perp"):
        if a[k] and b[k]:
            if a[k] != b[k]:
                return None
            score += 1
    if a["target"] and b["target"]:
        score += 1 if a["target"] == b["target"] else -1
    if (a["perp"] and a["perp"] == b["target"]) or (a["target"] and a["target"] == b["perp"]):
        return None
    if a["type"] == b["type"] and a["type"] not in events._GENERIC:
        score += 1
    if a["killed"] and b["killed"] and a["killed"] == b["killed"]:
        score += 2
    if a["wounded"] and b["wounded"] and a["wounded"] == b["wounded"]:
        score += 1
    return score


def _reference_merge(c: dict, p: dict) -> None:
    """What a happening knows after report ``p`` joins it, stated on dicts."""
    if p["start"] and (not c["start"] or events._PRECISION_RANK.get(p["precision"], 9)
                       < events._PRECISION_RANK.get(c["precision"], 9)):  # fmt: skip
        c["start"], c["end"], c["precision"] = p["start"], p["end"], p["precision"]
    for k in ("perp", "target", "location", "country"):
        if c[k] is None:
            c[k] = p[k]
    for k in ("killed", "wounded"):
        if p[k] is not None and (c[k] is None or p[k] > c[k]):
            c[k] = p[k]
    if c["type"] in events._GENERIC and p["type"] not in events._GENERIC:
        c["type"] = p["type"]
    if c["pub"] is None or (p["pub"] and p["pub"] < c["pub"]):
        c["pub"] = p["pub"]


def _reference_clusters(ev: pd.DataFrame, actors: dict, min_score: int = 2,
                        min_score_undated: int = 4) -> list[str]:  # fmt: skip
    """The clustering rule stated plainly: every report against every happening (O(n^2))."""
    recs = ev.to_dict("records")
    profiles = [events._event_profile(r) for r in recs]
    order = sorted(range(len(recs)), key=lambda i: (
        events._PRECISION_RANK.get(profiles[i]["precision"], 9),
        profiles[i]["start"] or profiles[i]["pub"] or date.max,
        str(recs[i]["article_id"]), int(recs[i]["event_idx"]), i))  # fmt: skip
    reach = events.CLUSTER_WINDOW_DAYS // 7 + 1
    clusters, weeks, member = [], [], {}
    for i in order:
        p, art = profiles[i], recs[i]["article_id"]
        anchor = p["start"] or p["pub"]
        best, best_score = None, None
        for ci, c in enumerate(clusters):
            # in the window: any week the happening's start or first report ever fell in
            if anchor is None or not any(
                abs(w - anchor.toordinal() // 7) <= reach for w in weeks[ci]
            ):
                continue
            if art in c["articles"]:
                continue
            s = _reference_pair_score(c, p, actors)
            need = min_score if (c["start"] and p["start"]) else min_score_undated
            if s is not None and s >= need and (best_score is None or s > best_score):
                best, best_score = ci, s
        if best is None:
            clusters.append(dict(p, articles={art}, first=i))
            weeks.append(set())
            best = len(clusters) - 1
        else:
            _reference_merge(clusters[best], p)
            clusters[best]["articles"].add(art)
        weeks[best] |= {
            d.toordinal() // 7 for d in (clusters[best]["start"], clusters[best]["pub"]) if d
        }
        member[i] = best
    rank = sorted(range(len(clusters)), key=lambda c: (
        clusters[c]["start"] or clusters[c]["pub"] or date.max, clusters[c]["first"]))  # fmt: skip
    ids = {c: f"E{n + 1:04d}" for n, c in enumerate(rank)}
    return [ids[member[i]] for i in range(len(recs))]


def _random_events(seed: int, n: int) -> pd.DataFrame:
    """Reports of a few happenings, retold with facts left out, shifted or wrong."""
    import random

    r = random.Random(seed)
    spans = {"day": 0, "week": 6, "part_of_month": 9, "month": 29, "year": 364, "range": 20}
    base = date(2024, 1, 1)
    happenings = [dict(
        type=r.choice(["drone_strike", "rocket_attack", "missile_attack", "air_strike", "attack"]),
        day=r.randrange(0, 150), perp=r.choice([None, "kataeb_hezbollah", "united_states", "houthis"]),
        target=r.choice([None, "united_states", "kataeb_hezbollah"]),
        location=r.choice([None, *_GAZETTEER]), killed=r.choice([None, 0, 1, 3]),
        wounded=r.choice([None, 2, 40])) for _ in range(max(3, n // 6))]  # fmt: skip
    rows, per_article = [], {}
    for _ in range(n):
        h = r.choice(happenings)
        art = f"a{r.randrange(n // 3 + 1):03d}"  # several reports per article
        idx = per_article[art] = per_article.get(art, -1) + 1
        precision = r.choice([None, None, "day", "day", "day", "week", "part_of_month", "month",
                              "year", "range"])  # fmt: skip
        day = h["day"] + r.choice([0, 0, 0, 1, -1, 3, 20])
        start = base.fromordinal(base.toordinal() + day) if precision else None
        end = start.fromordinal(start.toordinal() + spans[precision]) if precision else None
        loc = h["location"] if r.random() < 0.6 else r.choice([None, *_GAZETTEER])
        country = events._place_chain(loc, _GAZETTEER)[-1] if loc and r.random() < 0.7 else None
        if country is not None and _GAZETTEER[country][0] != "state":
            country = None
        rows.append({
            "article_id": art, "event_idx": idx,
            "event_type": h["type"] if r.random() < 0.7 else r.choice(["attack", "strike", "ied_attack"]),
            "date_start": start, "date_end": end, "date_precision": precision,
            "published": None if r.random() < 0.03 else
            base.fromordinal(base.toordinal() + h["day"] + r.randrange(0, 12)),
            "perpetrator_id": h["perp"] if r.random() < 0.6 else None,
            "target_id": h["target"] if r.random() < 0.7 else r.choice([None, "iraq"]),
            "location_id": loc, "country_id": country,
            "killed": h["killed"] if r.random() < 0.6 else r.choice([None, 3]),
            "wounded": h["wounded"] if r.random() < 0.5 else None,
        })  # fmt: skip
    return pd.DataFrame(rows)


@pytest.mark.parametrize("seed", range(8))
def test_clustering_matches_the_plain_all_pairs_rule(seed):
    ev = _random_events(seed, 60 + 25 * seed)
    got = list(events.cluster_events(ev, _GAZETTEER))
    assert got == _reference_clusters(ev, _GAZETTEER)
    assert len(set(got)) < len(ev)  # some reports did join: the search was exercised


@pytest.mark.parametrize("min_score, min_score_undated", [(2, 3), (1, 5), (3, 2), (2, 0), (0, -1)])
def test_clustering_matches_the_plain_rule_at_other_thresholds(min_score, min_score_undated):
    ev = _random_events(11, 140)
    got = events.cluster_events(
        ev, _GAZETTEER, min_score=min_score, min_score_undated=min_score_undated
    )
    assert list(got) == _reference_clusters(ev, _GAZETTEER, min_score, min_score_undated)


def test_a_happening_is_found_by_facts_a_later_report_gave_it():
    # "an attack" on the 28th, then "a drone strike on Tower 22 killed three" the same
    # day: the happening now has a place and a toll, so undated reports of them find it
    # (unless published before it happened)
    day = date(2024, 1, 28)
    ev = pd.DataFrame({
        "article_id": ["a", "b", "c", "d"], "event_idx": [0, 0, 0, 0],
        "event_type": ["attack", "drone_strike", "drone_strike", "drone_strike"],
        "date_start": [day, day, None, None], "date_end": [day, day, None, None],
        "date_precision": ["day", "day", None, None],
        "published": [date(2024, 1, 28), date(2024, 1, 29), date(2024, 2, 2), date(2024, 1, 27)],
        "location_id": [None, "tower_22", "tower_22", "tower_22"], "country_id": ["jordan"] * 4,
        "killed": [None, 3, 3, 3]})  # fmt: skip
    got = list(events.cluster_events(ev, _GAZETTEER))
    assert got == _reference_clusters(ev, _GAZETTEER)
    assert got[0] == got[1] == got[2] != got[3]


def test_pair_score_matches_its_plain_statement():
    ev = _random_events(5, 200)
    profiles = [events._event_profile(r) for r in ev.to_dict("records")]
    for a in profiles[:60]:
        for b in profiles[60:120]:
            assert events.pair_score(a, b, _GAZETTEER) == _reference_pair_score(a, b, _GAZETTEER)


def test_words_of_a_span_are_those_of_its_text():
    """The reader's cached tokens give what tokenising the span itself gives, also where
    the span cuts a word or a number ("1,234,567", "U.S.", "don't")."""
    import random

    text = ("Militants fired 1,234,567 rounds at U.S. troops, don't-stop attacks (again); "
            "the 12,34 count and al-Asad's x.y.z. base were hit. ") * 3  # fmt: skip
    doc = make_doc("w", text, published=PUB)
    reader = events._Reader(doc, events.build(), {})
    r = random.Random(3)
    for _ in range(3000):
        a = r.randrange(len(text))
        b = a + r.randrange(90)
        assert reader.words(a, b) == events._words(reader.folded[a:b], a), (a, b)


def test_fast_scans_find_what_the_plain_patterns_find():
    """The grouped alternation, the stretch scan by anchor words and the scan from fast
    candidates give exactly the matches of the plain patterns."""
    import random
    import re

    phrases = ["drone strike", "drone", "drones", "air-strike", "d*", "was behind",
               "the likely culprit", "were responsible", "'s attack", "x"]  # fmt: skip
    alts = [events._phrase(p) for p in sorted(set(phrases), key=len, reverse=True)]
    plain = re.compile(r"(?<![\w-])(?:" + "|".join(alts) + r")(?![\w])")
    grouped = re.compile(r"(?<![\w-])(?:" + events._alternation(phrases) + r")(?![\w])")
    keys = events._anchor_keys(phrases)
    words = ["drone", "strike", "air", "-", "was", "behind", "the", "likely", "culprit", "x",
             "'s", "attack", "were", "responsible", "we", "us", "our", "U.S.", ",", ".", '"',
             "(", "dr", "thus", "ourselves"]  # fmt: skip
    r = random.Random(7)
    for _ in range(400):
        text = "".join(r.choice(words) + r.choice([" ", "", "  ", "\n"]) for _ in range(30)).lower()
        want = [m.span() for m in plain.finditer(text)]
        assert [m.span() for m in grouped.finditer(text)] == want
        assert [m.span() for m in events._anchored(grouped, keys, text)] == want
        we = [m.span() for m in events._WE.finditer(text)]
        assert [m.span() for m in events._word_starts(events._WE, events._WE_FAST, text)] == we
