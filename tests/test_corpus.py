from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conflictlens.corpus import (
    MAX_CHARS,
    articles_frame,
    clean_text,
    detect_language,
    html_to_text,
    iter_rows,
    load_acled,
    load_corpus,
    near_duplicates,
    parse_date,
    write_rejects,
)

FIX = Path(__file__).parent / "fixtures"


@pytest.fixture()
def bad_corpus(tmp_path):
    p = tmp_path / "bad.jsonl"
    shutil.copy(FIX / "bad_input.jsonl", p)
    with p.open("a", encoding="utf-8") as fh:
        fh.write(
            json.dumps(
                {"article_id": "too-long", "published": "2024-02-08", "text": "x" * (MAX_CHARS + 1)}
            )
            + "\n"
        )
    return p


def test_bad_input_rejects_each_reason_and_keeps_good_rows(bad_corpus):
    c = load_corpus(bad_corpus)
    rej = c.rejects.set_index("line")
    assert rej.loc[2, "reason"] == "malformed_json"
    assert rej.loc[3, "reason"] == "not_an_object"
    assert rej.loc[4, "reason"] == "missing_id"
    assert rej.loc[5, "reason"] == "empty_text"
    assert rej.loc[6, "reason"] == "duplicate_id" and "bad.jsonl:1" in rej.loc[6, "detail"]
    assert rej.loc[12, "reason"] == "too_long"
    assert set(c.rejects.source_file) == {str(bad_corpus)}
    ids = list(c.articles.article_id)
    assert ids == [
        "good-1",
        "good-undated",
        "good-html",
        "good-mojibake",
        "good-arabic",
        "good-nodate",
    ]
    first = c.articles.set_index("article_id").loc["good-1"]
    assert first.text.startswith(
        "A drone strike killed a commander"
    )  # the duplicate did not overwrite
    assert first.published == pd.Timestamp("2024-02-08")


def test_rows_stream_is_the_table_stream(bad_corpus, tmp_path):
    # extraction reads plain rows; they must make exactly the table load_corpus gives
    folder = tmp_path / "c"
    folder.mkdir()
    shutil.copy(bad_corpus, folder / "a.jsonl")
    shutil.copy(FIX / "bad_input.jsonl", folder / "b.jsonl")  # every id again: duplicates
    chunks = list(iter_rows(folder, chunk_size=2))
    assert [len(rows) for rows, _ in chunks] == [2, 2, 2]
    by_words = list(iter_rows(folder, chunk_words=1))  # every article fills a chunk
    assert [[r["article_id"] for r in rows] for rows, _ in by_words] == [
        [r["article_id"]] for rows, _ in chunks for r in rows
    ]
    rows = [r for rows, _ in chunks for r in rows]
    c = load_corpus(folder)
    pd.testing.assert_frame_equal(articles_frame(rows), c.articles)
    assert pd.DataFrame(chunks[-1][1]).equals(c.rejects)
    dup = c.rejects[c.rejects.reason == "duplicate_id"]
    assert dup.detail.str.contains(r"a\.jsonl:\d+$").all() and len(dup) >= 6


def test_flagged_rows_are_kept_with_their_issue(bad_corpus):
    arts = load_corpus(bad_corpus).articles.set_index("article_id")
    assert arts.loc["good-undated", "date_issue"] == "impossible date: 2024-02-30"
    assert pd.isna(arts.loc["good-undated", "published"])
    assert arts.loc["good-nodate", "date_issue"] == "missing date"
    assert arts.loc["good-arabic", "language"] == "ar"
    assert arts.loc["good-1", "language"] == "en"


def test_cleaning_html_mojibake_and_stray_punctuation(bad_corpus):
    arts = load_corpus(bad_corpus).articles.set_index("article_id")
    html_text = arts.loc["good-html", "text"]
    assert "<p>" not in html_text and "var x" not in html_text
    assert (
        html_text
        == "Three soldiers were killed at Tower 22.\n\nThe attack in Jordan drew a “response” pledge."
    )
    assert arts.loc["good-html", "title"] == "Tower 22"  # script content dropped, not shown
    assert (
        arts.loc["good-mojibake", "text"] == "The group announced a “suspension” of its operations."
    )


def test_summary_and_rejects_file(bad_corpus, tmp_path):
    c = load_corpus(bad_corpus)
    s = c.summary()
    assert s.startswith("loaded 6 articles; rejected 6 (")
    assert "duplicate_id 1" in s and "2 without a usable date" in s and "1 not in English" in s
    out = write_rejects(c.rejects, tmp_path / "out")
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(rows) == 6 and all(r["source_file"] and r["reason"] for r in rows)
    assert {r["line"] for r in rows} == {2, 3, 4, 5, 6, 12}


def test_raw_input_is_never_written(bad_corpus, tmp_path):
    before = bad_corpus.read_bytes()
    c = load_corpus(bad_corpus)
    write_rejects(c.rejects, tmp_path / "o")
    assert bad_corpus.read_bytes() == before


def test_jsonl_gz_csv_and_txt_folder(tmp_path):
    rec = {
        "article_id": "g1",
        "published": "2024-01-28",
        "outlet": "W",
        "text": "Three soldiers were killed.",
        "kind": "statements-releases",
    }
    with gzip.open(tmp_path / "a.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write(json.dumps(rec) + "\n")
    c = load_corpus(tmp_path / "a.jsonl.gz")
    assert c.articles.loc[0, "kind"] == "statements-releases"

    (tmp_path / "b.csv").write_text(
        'article_id,published,outlet,title,text\nc1,2024-02-02,W,T,"Strikes hit 85 targets, officials said."\nc2,2024-02-03,W,T,a,b,extra\n'
    )
    c = load_corpus(tmp_path / "b.csv")
    assert list(c.articles.article_id) == ["c1"] and list(c.rejects.reason) == ["malformed_row"]
    assert c.rejects.line.tolist() == [3]

    folder = tmp_path / "txt"
    folder.mkdir()
    (folder / "one.txt").write_text("The base was hit on Tuesday.")
    (folder / "two.txt").write_text("Rockets were fired.")
    (folder / "metadata.csv").write_text("file,published,outlet\none.txt,2024-01-20,Local Daily\n")
    arts = load_corpus(folder).articles.set_index("article_id")
    assert arts.loc["one", "outlet"] == "Local Daily" and arts.loc[
        "one", "published"
    ] == pd.Timestamp("2024-01-20")
    assert arts.loc["two", "date_issue"] == "missing date"


def test_folder_of_files_reads_all_in_name_order(tmp_path):
    for name, aid in [("b.jsonl", "x2"), ("a.jsonl", "x1")]:
        (tmp_path / name).write_text(
            json.dumps({"article_id": aid, "published": "2024-01-01", "text": "Some text here."})
            + "\n"
        )
    assert list(load_corpus(tmp_path).articles.article_id) == ["x1", "x2"]


def test_missing_path_is_a_reject_not_a_crash(tmp_path):
    c = load_corpus(tmp_path / "nope")
    assert len(c.articles) == 0 and list(c.rejects.reason) == ["unreadable_file"]


def test_near_duplicates_marked_not_dropped():
    story = (
        "Three US soldiers were killed and dozens wounded in a drone attack on a base in north-east Jordan "
        "near the Syrian border, officials said on Sunday, the first US deaths in the region since the war began. "
    ) * 2
    df = pd.DataFrame(
        {
            "article_id": ["a", "b", "c"],
            "published": pd.to_datetime(["2024-01-28", "2024-01-29", "2024-01-29"]),
            "text": [
                story,
                "UPDATED: " + story + " More follows.",
                "Completely different text about talks in Baghdad on the coalition.",
            ],
        }
    )
    assert near_duplicates(df) == [None, "a", None]


def test_parse_date_variants():
    assert parse_date("8 February 2024")[0].isoformat() == "2024-02-08"
    assert parse_date("2024-02-08T10:00:00Z")[0].isoformat() == "2024-02-08"
    assert parse_date("yesterday")[1].startswith("unreadable date")


def test_html_to_text_blocks():
    assert html_to_text("<div>A</div><div>B<br>C</div>") == "A\n\nB\n\nC"


def test_detect_language_latin_non_english():
    assert detect_language("Les groupes armés ont revendiqué une attaque contre la base") == "und"


def test_acled_loader_maps_columns(tmp_path):
    p = tmp_path / "acled.csv"
    p.write_text(
        "event_id_cnty,event_date,event_type,sub_event_type,actor1,actor2,country,admin1,location,latitude,longitude,source,notes,fatalities\n"
        "IRQ1,2024-02-07,Explosions/Remote violence,Air/drone strike,Military Forces of the United States,KH,Iraq,Baghdad,Baghdad,33.3,44.4,AFP,Strike killed commander,3\n"
        "IRQ2,2024-02-31,Battles,Armed clash,A,B,Iraq,X,Y,0,0,S,N,0\n"
    )
    events, rejects = load_acled(p)
    assert events.loc[0, "event_type"] == "air_strike" and events.loc[0, "killed"] == 3
    assert str(events.loc[0, "date"].date()) == "2024-02-07"
    assert rejects.line.tolist() == [3]


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_clean_text_never_crashes_and_is_idempotent_enough(s):
    out = clean_text(s)
    assert "\x00" not in out and "\r" not in out
    assert clean_text(out) == clean_text(clean_text(out))


@pytest.mark.parametrize(
    "broken, fixed",
    [
        ("CafÃ© talks", "Café talks"),
        ("the groupâ€™s drones", "the group’s drones"),
        ("plain text — fine", "plain text — fine"),
    ],
)
def test_mojibake_repair(broken, fixed):
    assert clean_text(broken) == fixed


class _DictIndex:
    """The near-duplicate index as first written (a dict of band keys): the reference."""

    def __init__(self, threshold=0.6):
        import numpy as np

        from conflictlens import corpus as C

        self.C, self.np = C, np
        rng = np.random.default_rng(20231017)
        self.a = rng.integers(1, C._MASK, C._NUM_PERM, dtype=np.uint64)
        self.b = rng.integers(0, C._MASK, C._NUM_PERM, dtype=np.uint64)
        self.threshold, self.buckets, self.sigs, self.ids, self.root = threshold, {}, [], [], []

    def add(self, article_id, text):
        C, np = self.C, self.np
        sh = C._shingles(text)
        i = len(self.ids)
        self.ids.append(article_id)
        if not len(sh):
            self.sigs.append(None)
            self.root.append(None)
            return None
        arr = sh & np.uint64(C._MASK)
        sig = ((arr[:, None] * self.a[None, :] + self.b[None, :]) & np.uint64(C._MASK)).min(axis=0)
        self.sigs.append(sig)
        rows = C._NUM_PERM // C._BANDS
        keys = [C._h(f"{band}:" + ",".join(map(str, sig[band * rows : (band + 1) * rows].tolist())))
                for band in range(C._BANDS)]  # fmt: skip
        best = None
        for j in sorted({self.buckets[k] for k in keys if k in self.buckets}):
            if float((self.sigs[j] == sig).mean()) >= self.threshold:
                best = j
                break
        root = None if best is None else (self.root[best] or self.ids[best])
        self.root.append(root)
        for k in keys:
            self.buckets.setdefault(k, i)
        return root


def test_compact_near_duplicate_index_agrees_with_the_dict_reference():
    import random

    from conflictlens.corpus import NearDuplicateIndex

    r = random.Random(7)
    vocab = [f"w{i}" for i in range(400)]
    stories = [" ".join(r.choice(vocab) for _ in range(r.randint(3, 80))) for _ in range(60)]
    texts = []
    for n in range(700):  # copies, edited copies, new stories and empty texts, interleaved
        s = r.choice(stories)
        words = s.split()
        roll = r.random()
        if roll < 0.3 and len(words) > 10:
            k = r.randrange(len(words))
            words[k : k + 2] = [r.choice(vocab)]
        elif roll < 0.4:
            words = [r.choice(vocab) for _ in range(r.randint(0, 40))]
        texts.append((f"a{n}", " ".join(words)))
    ref = _DictIndex()
    fast = NearDuplicateIndex(recent_max=7)  # merges into the sorted arrays every few articles
    got = [fast.add(a, t) for a, t in texts]
    assert got == [ref.add(a, t) for a, t in texts]
    assert sum(g is not None for g in got) > 100  # the test exercises real matches
    assert len(fast) == 700 and len(fast._recent) < 7
