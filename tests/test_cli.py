from __future__ import annotations

import json
import subprocess
import sys

from conflictlens.cli import main
from conflictlens.pipeline import read_tables

from conftest import FIXTURES


def test_analyze_json_record(seed_text, tmp_path, capsys):
    p = tmp_path / "seed.txt"
    p.write_text(seed_text)
    assert main(["analyze", str(p), "--published", "2024-02-08", "--format", "json"]) == 0
    rec = json.loads(capsys.readouterr().out)
    assert rec["article"] == {
        "article_id": "seed",
        "published": "2024-02-08",
        "n_sentences": 15,
        "n_words": rec["article"]["n_words"],
    }
    assert 380 < rec["article"]["n_words"] < 420
    assert set(rec) == {
        "article",
        "entities",
        "events",
        "tallies",
        "quotes",
        "frames",
        "agency",
        "tone",
    }
    assert set(rec["tone"]) == {"compound_mean", "by_entity"}


def test_analyze_table_and_stdin(seed_text):
    out = subprocess.run(
        [sys.executable, "-m", "conflictlens.cli", "analyze", "-", "--format", "table"],
        input=seed_text,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.startswith("article stdin  published unknown  15 sentences")
    assert "entities (" in out and "tone:" in out


def test_analyze_missing_file_is_a_clear_error(tmp_path, capsys):
    assert main(["analyze", str(tmp_path / "none.txt")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_analyze_bad_date_is_rejected_by_argparse(tmp_path, capsys):
    p = tmp_path / "a.txt"
    p.write_text("Text.")
    try:
        main(["analyze", str(p), "--published", "2024-02-30"])
    except SystemExit as exc:
        assert exc.code == 2
    assert "not a date" in capsys.readouterr().err


def test_extract_writes_tables_and_rejects_and_exits_zero(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["extract", str(FIXTURES / "bad_input.jsonl"), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "loaded 6 articles; rejected 5" in err
    tables = read_tables(out)
    arts, sents = tables["articles"], tables["sentences"]
    assert len(arts) == 6
    for row in sents.itertuples():
        text = arts.set_index("article_id").loc[row.article_id, "text"]
        assert text[row.start : row.end] == row.text
    assert len((out / "rejects.jsonl").read_text().splitlines()) == 5


def test_short_snippet_is_analysed_as_english(models):
    from conflictlens.pipeline import analyze_text

    rec = analyze_text("Two rockets hit Ain al-Asad air base on Tuesday, US officials said.",
                       published=__import__("datetime").date(2024, 1, 25), models=models)  # fmt: skip
    assert {e["entity_id"] for e in rec["entities"]} >= {"ain_al_asad", "united_states"}
    assert rec["events"] and rec["events"][0]["event_type"] == "rocket_attack"
    assert rec["events"][0]["date"] == "2024-01-23"
