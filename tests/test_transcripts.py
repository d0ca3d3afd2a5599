from __future__ import annotations

import pytest

from conflictlens.lexicons import LexiconError
from conflictlens.pipeline import analyze_doc
from conflictlens.text import make_doc
from conflictlens.transcripts import identify, load_speakers

BRIEFING = """1:05 P.M. EST

MS. JEAN-PIERRE:  Good afternoon, everybody.  (Laughter.)  Admiral Kirby is here.

MR. KIRBY:  Thanks, Karine.  Three soldiers were killed at Tower 22 on Sunday.

The President will respond at a time and place of our choosing.

Q  John, was Kataib Hezbollah behind it?

MR.  KIRBY:  We believe so. (Inaudible.) It bears their hallmarks.

AMBASSADOR HEUSGEN:  We stand with you.

1:45 P.M. EST"""


def test_turns_speakers_roles_and_continuations():
    doc = make_doc("b1", BRIEFING)
    got = [(t.label, t.speaker_id, t.speaker_role, t.affiliation) for t in doc.turns]
    assert got == [
        ("MS. JEAN-PIERRE", "karine_jean_pierre", "official", "united_states"),
        ("MR. KIRBY", "john_kirby", "official", "united_states"),
        ("Q", "journalist", "journalist", None),
        ("MR.  KIRBY", "john_kirby", "official", "united_states"),
        ("AMBASSADOR HEUSGEN", "ambassador_heusgen", "official", None),
    ]
    kirby = doc.turns[1]
    assert doc.text[kirby.start : kirby.end].endswith(
        "of our choosing."
    )  # unlabelled paragraph continues the turn
    assert doc.text[kirby.start :].startswith("Thanks, Karine.")


def test_labels_stage_notes_and_timestamps_are_not_sentences():
    doc = make_doc("b1", BRIEFING)
    texts = [s.text for s in doc.sentences]
    assert not any("(Laughter.)" in t or "(Inaudible.)" in t or "P.M. EST" in t for t in texts)
    assert not any(t.startswith(("MR.", "MS.", "Q ")) for t in texts)
    assert "John, was Kataib Hezbollah behind it?" in texts
    assert "Good afternoon, everybody." in texts


def test_pipeline_emits_turns_and_drops_rows_inside_labels(models):
    doc = make_doc("b1", BRIEFING)
    found = analyze_doc(doc, models)
    assert [t["speaker_role"] for t in found["turns"]] == [
        "official",
        "official",
        "journalist",
        "official",
        "official",
    ]
    for table, rows in found.items():
        for r in rows:
            if "start" in r and table != "turns":
                assert doc.is_text(r["start"], r.get("end", r["start"] + 1)), (table, r)


def test_plain_article_has_no_turns():
    doc = make_doc("a", "BAGHDAD: Rockets hit the base. Officials said nobody was hurt.")
    assert doc.turns == []


def test_identify_unknown_label_guesses_role():
    assert identify("MAYOR HOLT")[1] == "official"
    assert identify("AUDIENCE MEMBER")[1] == "other"
    assert identify("MODERATOR")[1] == "moderator"


def test_speakers_lexicon_validation(tmp_path):
    p = tmp_path / "speakers.csv"
    p.write_text("label,speaker_id,speaker_role,affiliation\nQ,journalist,reporter,\n")
    with pytest.raises(LexiconError, match=r"speakers.csv:2: unknown speaker_role 'reporter'"):
        load_speakers(p)
