"""The local, process-pool and Dask engines give the same tables, row for row."""

from __future__ import annotations

import importlib.util
import json

import pandas as pd
import pytest

from conflictlens.bench import synthetic_articles, write_synthetic
from conflictlens.pipeline import extract_corpus, extract_tables, read_tables, write_tables


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return write_synthetic(tmp_path_factory.mktemp("c") / "c.jsonl", 60)


def _tables(path):
    return read_tables(path)


def _assert_same(a: dict, b: dict):
    assert sorted(a) == sorted(b)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_dtype=False, obj=name)


def test_pool_equals_local(corpus, tmp_path):
    extract_corpus(corpus, tmp_path / "local", jobs=1, chunk_size=7, progress=False)
    extract_corpus(corpus, tmp_path / "pool", jobs=2, chunk_size=7, part_size=20, progress=False)
    _assert_same(_tables(tmp_path / "local"), _tables(tmp_path / "pool"))
    # chunks cut by words (a few articles each): same tables, parts of about part_size
    extract_corpus(corpus, tmp_path / "words", jobs=2, chunk_words=1500, part_size=20,
                   progress=False)  # fmt: skip
    _assert_same(_tables(tmp_path / "local"), _tables(tmp_path / "words"))
    sizes = [
        len(pd.read_parquet(p)) for p in sorted((tmp_path / "words/articles").glob("*.parquet"))
    ]
    assert sum(sizes) == 60 and len(sizes) == 3 and all(20 <= n < 27 for n in sizes[:-1])


@pytest.mark.skipif(
    importlib.util.find_spec("distributed") is None, reason="dask extra not installed"
)
def test_dask_equals_local(corpus, tmp_path):
    extract_corpus(corpus, tmp_path / "local", jobs=1, progress=False)
    extract_corpus(corpus, tmp_path / "dask", engine="dask", jobs=2, chunk_size=9, progress=False)
    _assert_same(_tables(tmp_path / "local"), _tables(tmp_path / "dask"))


def test_streaming_equals_in_memory(corpus, tmp_path):
    from conflictlens.corpus import load_corpus

    extract_corpus(corpus, tmp_path / "s", chunk_size=11, part_size=25, progress=False)
    streamed = _tables(tmp_path / "s")
    mem = extract_tables(load_corpus(corpus).articles, progress=False)
    for name in ("sentences", "mentions", "quotes", "frames"):
        pd.testing.assert_frame_equal(
            streamed[name].reset_index(drop=True),
            mem[name].reset_index(drop=True),
            check_dtype=False,
            obj=name,
        )
    assert len(list((tmp_path / "s" / "sentences").glob("part-*.parquet"))) == 2  # 33 + 27 articles
    write_tables(mem, tmp_path / "m")  # the in-memory route saves and reads back the same rows
    back = read_tables(tmp_path / "m")
    pd.testing.assert_frame_equal(
        back["mentions"], mem["mentions"].reset_index(drop=True), check_dtype=False
    )


def test_extract_summary_and_marker(corpus, tmp_path):
    res = extract_corpus(corpus, tmp_path / "o", progress=False)
    assert res.articles == 60 and res.words > 60 * 80
    marker = json.loads((tmp_path / "o" / "_complete").read_text())
    assert marker["articles"] == 60 and marker["summary"] == "loaded 60 articles"


def test_synthetic_corpus_is_deterministic_and_labelled():
    a = list(synthetic_articles(5))
    assert a == list(synthetic_articles(5))
    assert all("not real reporting" in x["title"] for x in a)
    assert len({x["article_id"] for x in a}) == 5


def test_fewer_collections_restores_the_thresholds():
    import gc

    from conflictlens.engines import fewer_collections

    before = gc.get_threshold()
    with fewer_collections(12_345):
        assert gc.get_threshold()[0] == 12_345
    assert gc.get_threshold() == before
    try:
        with fewer_collections(23_456):
            raise RuntimeError("a failing article")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before


def test_reading_tables_does_not_import_nltk():
    # notebooks only read extracted tables: importing nltk (and scipy.stats with it)
    # would add seconds to every kernel start
    import subprocess
    import sys

    code = ("import sys, conflictlens as cl; from conflictlens import entities, events, framing, "
            "plots, relevance, trends; print('nltk' in sys.modules)")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_read_tables_reads_only_the_columns_asked(corpus, tmp_path):
    extract_corpus(corpus, tmp_path / "o", part_size=25, progress=False)
    arts = read_tables(tmp_path / "o", ["articles"], columns=["article_id", "language", "nope"])
    assert list(arts["articles"].columns) == ["article_id", "language"]
    assert len(arts["articles"]) == 60


def test_packed_rows_frame_exactly_as_dicts_do():
    # workers send rows packed as (columns, tuples); the tables must not depend on it
    import random
    from datetime import date

    from conflictlens.engines import pack, unpack
    from conflictlens.pipeline import _gather, to_tables

    r = random.Random(3)
    values = [None, 0, 7, 2.5, float("nan"), "", "x", "a b", [1, 2], [], date(2024, 1, 28), True]
    for _ in range(300):
        cols = r.sample(["a", "b", "c", "d", "e"], r.randint(1, 5))
        rows = [{c: r.choice(values) for c in cols} for _ in range(r.randint(0, 6))]
        if rows and r.random() < 0.2:  # some rows with other keys or another order
            rows.append({c: r.choice(values) for c in reversed(cols)})
        packed = pack(rows)
        assert unpack(packed) == rows  # (the same nan objects: equal by identity)
        want, got = to_tables({"t": rows})["t"], to_tables({"t": packed})["t"]
        pd.testing.assert_frame_equal(got, want, check_dtype=True)
        # parts gathered from chunks packed alike and unlike
        buffer: dict = {}
        more = [{c: r.choice(values) for c in r.sample(cols, len(cols))} for _ in range(3)]
        _gather(buffer, "t", packed)
        _gather(buffer, "t", pack(more))
        pd.testing.assert_frame_equal(
            to_tables(buffer)["t"], to_tables({"t": rows + more})["t"], check_dtype=True
        )
