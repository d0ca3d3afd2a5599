"""Events, tallies and dates on passages in the styles real text comes in.

The passages were written for these tests (they quote no outlet, official or court):
wire copy with datelines and hard-wrapped lines, official statements and briefing
transcripts with Q/A turns, court reporting, sentences glued without a space, quotes
closed with '' or left open, and numbers that are not tallies (sections, articles,
case and order numbers, counts of troops, ships, countries, dollars and years, ages).
Each runs through the whole pipeline (entities, quotes, timex, events), as unseen text
does; every test checks that nothing crashes and that the offsets slice back.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from conflictlens import pipeline
from conflictlens.text import make_doc

MON = date(2024, 1, 29)  # a Monday
THU = date(2024, 2, 8)  # a Thursday


@pytest.fixture(scope="module")
def models():
    return pipeline.Models.build()


def run(models, text: str, published: date | None = THU, title: str = "") -> dict:
    """Rows of every stage for one passage, after checking offsets slice back."""
    doc = make_doc("p1", text, published=published, outlet="Test Wire", title=title)
    found = pipeline.analyze_doc(doc, models)
    for r in found.get("events", []) + found.get("event_mentions", []):
        assert doc.text[r["start"] : r["end"]] == r["trigger"]
    for r in found.get("tallies", []):
        assert doc.text[r["start"] : r["end"]] == r["text"]
    for r in found.get("timexes", []):
        assert doc.text[r["start"] : r["end"]] == r["text"]
    found["doc"] = doc
    return found


def only_event(found: dict) -> dict:
    assert len(found["events"]) == 1, [(e["trigger"], e["event_type"]) for e in found["events"]]
    return found["events"][0]


# --------------------------------------------------------------------------- wire copy


def test_wire_dateline_hard_wrapped_with_an_ordinal_tally(models):
    text = (
        "BAGHDAD (Reuters) - A drone attack on a base hosting U.S. troops in\n"
        "western Iraq on Tuesday wounded two American service members, a U.S.\n"
        "official said.\n\n"
        "The official, who spoke on condition of anonymity, said it was the\n"
        "151st attack on U.S. forces in Iraq and Syria since Oct. 17."
    )
    found = run(models, text)
    ev = only_event(found)
    assert ev["event_type"] == "drone_strike"
    assert ev["date"] == date(2024, 2, 6)
    assert ev["wounded"] == 2 and ev["killed"] is None
    [tally] = found["tallies"]
    assert (tally["count"], tally["qualifier"], tally["since"]) == (
        151,
        "ordinal",
        date(2023, 10, 17),
    )


def test_glued_sentences_and_a_quote_closed_with_two_apostrophes(models):
    text = (
        "Kataib Hezbollah said it fired rockets at the Harir base on Sunday.The group said in a "
        "statement: ''We will continue our operations until the occupation leaves.'' No "
        "casualties were reported.Washington has about 2,500 troops in Iraq."
    )
    found = run(models, text)
    ev = only_event(found)
    assert ev["event_type"] == "rocket_attack"
    assert ev["date"] == date(2024, 2, 4)
    assert found["tallies"] == []


def test_a_quote_left_open_still_dates_the_attack(models):
    text = (
        'The Islamic Resistance in Iraq said in a statement: "Our fighters targeted the base '
        "with two drones on Monday, and the operations will continue.\n\n"
        "A U.S. defense official said no one was hurt."
    )
    ev = only_event(run(models, text))
    assert ev["event_type"] == "drone_strike"
    assert ev["date"] == date(2024, 2, 5)


def test_rockets_late_on_sunday_reported_on_monday(models):
    text = (
        "Rockets struck the Victory base near Baghdad airport late on Sunday, causing no "
        "casualties, two security sources said on Monday."
    )
    ev = only_event(run(models, text, published=date(2024, 1, 30)))
    assert ev["event_type"] == "rocket_attack"
    assert ev["date"] == date(2024, 1, 28)


def test_a_count_since_a_date_is_a_tally_and_no_event(models):
    text = (
        "Iran-backed militias have attacked U.S. forces in Iraq and Syria some 160 times "
        "since Oct. 17, according to the Pentagon."
    )
    found = run(models, text)
    assert found["events"] == []
    [tally] = found["tallies"]
    assert (tally["count"], tally["qualifier"], tally["since"]) == (
        160,
        "about",
        date(2023, 10, 17),
    )


def test_the_latest_of_more_than_150_attacks(models):
    text = (
        "The attack on Sunday was the latest of more than 150 attacks on U.S. troops in Iraq "
        "and Syria since October 17, officials said."
    )
    found = run(models, text)
    assert only_event(found)["date"] == date(2024, 2, 4)
    [tally] = found["tallies"]
    assert (tally["count"], tally["qualifier"]) == (150, "more_than")
    assert tally["since"] == date(2023, 10, 17)


def test_a_compound_number_word_is_counted_whole(models):
    found = run(
        models, "Militias have carried out twenty-three attacks on U.S. bases since early January."
    )
    [tally] = found["tallies"]
    assert tally["count"] == 23


def test_ages_are_not_casualties(models):
    text = (
        "Two soldiers, aged 23 and 24, and a sergeant, 46, were killed in the "
        "drone attack on Tower 22 in Jordan on Sunday."
    )
    ev = only_event(run(models, text, published=MON))
    assert ev["event_type"] == "drone_strike"
    assert ev["date"] == date(2024, 1, 28)
    assert ev["killed"] == 3


# --------------------------------------------------------------------------- official text


def test_statement_in_the_first_person(models):
    text = (
        "Today, at my direction, U.S. military forces conducted strikes against three facilities "
        "in eastern Syria used by Iran's Islamic Revolutionary Guard Corps and affiliated groups. "
        "These precision strikes are a response to a series of ongoing attacks against U.S. "
        "personnel in Iraq and Syria by Iranian-backed militia groups that began on October 17. "
        "The United States does not seek conflict, but these attacks against our forces are "
        "unacceptable and must stop."
    )
    found = run(models, text, title="Statement from President Joe Biden on Strikes in Syria")
    ev = only_event(found)
    assert ev["event_type"] == "air_strike"
    assert ev["date"] == THU
    assert ev["perpetrator_id"] == "united_states"
    assert found["tallies"] == []


def test_threats_and_hypotheticals_are_no_events(models):
    text = (
        "Iran's foreign minister warned that Tehran would respond decisively to any attack on its "
        "territory. Any further attacks on our forces will be met with a swift response, the "
        "Pentagon said. The militias could strike again at any time, and we cannot afford a "
        "wider war. I can tell you we will respond at a time and place of our choosing."
    )
    found = run(models, text)
    assert found["events"] == [] and found["tallies"] == []


def test_readout_hard_wrapped_with_the_day_prior(models):
    text = (
        "The Vice President condemned Iran's reckless ballistic missile\n"
        "attacks against Erbil the day prior and urged the Iraqi\n"
        "government to prevent attacks against U.S. personnel."
    )
    ev = only_event(run(models, text, published=date(2024, 1, 16)))
    assert ev["event_type"] == "missile_attack"
    assert ev["date"] == date(2024, 1, 15)
    assert ev["perpetrator_id"] == "iran"


def test_a_figure_of_speech_and_a_workers_strike(models):
    text = (
        "Freedom and democracy are under attack at home and abroad, the President said. "
        "Workers at the port went on strike on Monday over wages, and the union said the strike "
        "would go on. It was an assault on our core principles."
    )
    found = run(models, text)
    assert found["events"] == []


def test_counts_that_are_not_tallies(models):
    text = (
        "The Pentagon has about 2,500 troops in Iraq and some 900 in Syria. Article 51 of the "
        "U.N. Charter allows self-defense, officials said, citing Executive Order 13894 and "
        "section 202(d) of the National Emergencies Act. The naval coalition includes 20 "
        "countries and 12 ships, and the aid package is worth $95 billion. In 2023, 45 strikes "
        "were planned but never carried out."
    )
    found = run(models, text)
    assert found["tallies"] == []
    assert found["events"] == []


def test_a_combined_casualty_count_is_no_death_tally(models):
    text = (
        "Nearly 100,000 people have been killed, injured, or are missing. More than 700 people "
        "have been killed since the gunmen broke through the fence on Saturday."
    )
    assert run(models, text)["tallies"] == []


def test_dead_of_many_attacks_are_a_tally(models):
    text = (
        "More than 30 U.S. service members have been killed in attacks on U.S. troops since 2021."
    )
    [tally] = run(models, text)["tallies"]
    assert (tally["count"], tally["qualifier"]) == (30, "more_than")


# --------------------------------------------------------------------------- transcripts


BRIEFING = (
    "MR. KIRBY:  Good afternoon. Last night, our forces at Tower 22 in northeast Jordan came "
    "under attack by a one-way attack drone. Three of our soldiers were killed and more than 30 "
    "were wounded.\n\n"
    "Q  Was it a drone launched from Syria?  And were there other attacks on the base this week?\n\n"
    "MR. KIRBY:  It was a drone. I would point to the strikes we took on Friday in Syria, "
    "which were in self-defense.\n\n"
    "Q  Will the President order strikes on Iran?  There are reports of a drone attack on "
    "al-Tanf this morning.\n\n"
    "MR. KIRBY:  I won't get ahead of the President. We will respond at a time and place of our "
    "choosing."
)


@pytest.fixture(scope="module")
def briefing(models):
    return run(models, BRIEFING, published=MON)


def test_briefing_the_attack_told_by_the_official(briefing):
    attacks = [e for e in briefing["events"] if e["event_type"] == "drone_strike"]
    [ev] = attacks
    assert ev["date"] == date(2024, 1, 28)
    assert (ev["killed"], ev["wounded"]) == (3, 30)
    assert ev["target_id"] == "united_states"  # "our forces", in the voice of a US official


def test_briefing_a_back_reference_to_earlier_strikes(briefing):
    strikes = [e for e in briefing["events"] if e["event_type"] == "air_strike"]
    [ev] = strikes
    assert ev["date"] == date(2024, 1, 26)
    assert ev["perpetrator_id"] == "united_states"


def test_briefing_questions_tell_no_happening(briefing):
    assert len(briefing["events"]) == 2
    asked = [m for m in briefing["event_mentions"] if m["status"] == "question"]
    assert {m["trigger"] for m in asked} >= {"attacks", "drone attack"}
    assert briefing["tallies"] == []


def test_a_glued_speaker_label_and_days_since(models):
    text = (
        "Q  It has been three days since the attack in Jordan that killed three service members. "
        "Where is the response? MR. KIRBY:  We're still working through that. This attack over "
        "the weekend was escalatory."
    )
    found = run(models, text, published=date(2024, 1, 31))
    ev = only_event(found)
    assert ev["date"] == date(2024, 1, 28)
    assert ev["killed"] == 3


def test_over_the_weekend_from_a_monday(models):
    ev = only_event(
        run(models, "MR. KIRBY:  This drone attack over the weekend was escalatory.", published=MON)
    )
    assert date(2024, 1, 27) <= ev["date"] <= date(2024, 1, 28)
    assert ev["date_precision"] == "week"


def test_about_a_dozen_over_the_last_several_days(models):
    text = (
        "MR. KIRBY:  We remain concerned about future attacks on our troops. We've seen, and I'm "
        "guesstimating here, about a dozen over the last several days."
    )
    found = run(models, text, published=date(2023, 10, 24))
    [tally] = found["tallies"]
    assert (tally["count"], tally["qualifier"]) == (12, "about")
    assert found["events"] == []


# --------------------------------------------------------------------------- court reporting


def test_court_reporting_numbers_are_not_tallies(models):
    text = (
        "A federal judge in Manhattan on Tuesday sentenced a 34-year-old man to 20 years in "
        "prison under Section 2339B for providing material support to Kataib Hezbollah, in case "
        "No. 1:24-cr-00123. Prosecutors said he sent $15,000 to the group in 2021 and helped plan "
        "a rocket attack on the U.S. Embassy in Baghdad that never took place. He pleaded guilty "
        "to Count 3 of the indictment, which listed 11 counts."
    )
    found = run(models, text)
    assert found["tallies"] == []
    assert found["events"] == []


def test_court_reporting_an_attack_in_the_record(models):
    text = (
        "The jury found that the defendant built the roadside bomb that struck a U.S. convoy near "
        "Fallujah on March 3, 2007, killing two soldiers.The sentencing is set for June 4."
    )
    ev = only_event(run(models, text))
    assert ev["event_type"] == "ied_attack"
    assert ev["date"] == date(2007, 3, 3)
    assert ev["killed"] == 2


def test_no_publication_date_leaves_relative_dates_open(models):
    found = run(models, "A drone struck the base on Sunday, wounding four.", published=None)
    ev = only_event(found)
    assert ev["date"] is None and ev["wounded"] == 4


def test_empty_and_odd_text_does_not_crash(models):
    for text in ("", "Q", "Q  ?", "''", '"', "—", "12 13 14.", "MR. KIRBY:"):
        found = run(models, text)
        assert found["events"] == [] and found["tallies"] == []


def test_date_is_never_after_publication(models):
    found = run(
        models, "It was the third attack on the base this year.", published=date(2024, 2, 5)
    )
    for ev in found["events"]:
        assert ev["date"] is None or ev["date"] <= date(2024, 2, 5) + timedelta(days=0)
