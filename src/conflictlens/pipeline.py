"""Run every extractor over a corpus into the tables of DESIGN.md.

Each extractor module (``entities``, ``quotes``, ``timex``, ``events``, ``framing``)
offers the same two functions, so this module can run them in order without
knowing what they do:

``build(lexicon_dir) -> model``
    Load and compile that extractor's lexicons once per process.
``extract(doc, model, found) -> dict[str, list[dict]]``
    Rows for one article, keyed by table name. ``found`` holds the rows the earlier
    stages produced for the same article (e.g. ``found["mentions"]``).

and ``record(tables) -> dict`` giving its part of the ``analyze`` JSON record.
Corpus-level steps (cross-article event clustering) run after all articles.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from time import perf_counter

import pandas as pd
from tqdm import tqdm

from conflictlens import lexicons
from conflictlens.text import Doc, make_doc, warm_up

STAGES = ("entities", "relevance", "quotes", "timex", "events", "framing")
"""Extractor modules, in the order they run (later ones read earlier ones' rows)."""

ENGLISH_ONLY = frozenset(STAGES)

SCHEMAS: dict[str, list[str]] = {
    "sentences": ["article_id", "sent_idx", "start", "end", "text"],
    "mentions": ["article_id", "sent_idx", "start", "end", "surface", "entity_id", "entity_type",
                 "resolution"],
    "events": ["article_id", "sent_idx", "event_type", "date", "date_start", "date_end",
               "date_precision", "date_text", "perpetrator_id", "target_id", "location_id",
               "country_id", "killed", "wounded", "weapon", "attribution", "cluster_id"],
    "tallies": ["article_id", "sent_idx", "count", "qualifier", "unit", "since", "as_of",
                "target_id", "region"],
    "quotes": ["article_id", "sent_idx", "start", "end", "text", "kind", "speaker_id",
               "speaker_text", "verb"],
    "frames": ["article_id", "sent_idx", "frame_id", "cue", "voice"],
    "agency": ["article_id", "sent_idx", "verb", "construction", "agent_id", "patient_id"],
    "tone": ["article_id", "sent_idx", "compound", "pos", "neu", "neg"],
    "turns": ["article_id", "turn_idx", "speaker_label", "speaker_id", "speaker_role", "start",
              "end", "affiliation"],
}  # fmt: skip
"""Key columns of each table; extractors may add more columns after these."""


@dataclass
class Models:
    """Compiled lexicons of every stage, built once per process."""

    lexicon_dir: Path
    by_stage: dict[str, object]

    @classmethod
    def build(cls, lexicon_dir: str | Path | None = None) -> Models:
        lexicon_dir = Path(lexicon_dir) if lexicon_dir else lexicons.default_dir()
        lexicons.load_actors(lexicon_dir / "actors.csv")  # fail early, with file and line
        warm_up()  # the sentence splitter, built once here rather than in the first article
        return cls(lexicon_dir, {name: _stage(name).build(lexicon_dir) for name in STAGES})


def _stage(name: str):
    return importlib.import_module(f"conflictlens.{name}")


def doc_from_row(row) -> Doc:
    """Build a :class:`~conflictlens.text.Doc` from an ``articles`` row (dict or namedtuple)."""
    get = row.get if isinstance(row, dict) else lambda k, d=None: getattr(row, k, d)
    published = get("published")
    if published is None or (not isinstance(published, date) and pd.isna(published)):
        published = None
    else:
        published = pd.Timestamp(published).date()
    kind = get("kind")
    return make_doc(
        str(get("article_id")),
        get("text"),
        published=published,
        outlet=get("outlet"),
        title=get("title") or "",
        language=get("language") or "en",
        kind=None if kind is None or (isinstance(kind, float) and pd.isna(kind)) else kind,
    )


def analyze_doc(
    doc: Doc, models: Models, *, timings: dict[str, float] | None = None
) -> dict[str, list[dict]]:
    """All rows for one article, keyed by table name.

    ``timings``, when given, accumulates the seconds each stage takes (for ``bench``).
    """
    found: dict[str, list[dict]] = {
        "sentences": [
            {"article_id": doc.article_id, "sent_idx": s.idx, "start": s.start, "end": s.end,
             "text": s.text}
            for s in doc.sentences
        ]
    }  # fmt: skip
    if doc.turns:
        found["turns"] = [
            {"article_id": doc.article_id, "turn_idx": t.idx, "speaker_label": t.label,
             "speaker_id": t.speaker_id, "speaker_role": t.speaker_role, "start": t.start,
             "end": t.end, "affiliation": t.affiliation}
            for t in doc.turns
        ]  # fmt: skip
    english = doc.language.startswith("en")
    for name in STAGES:
        if name in ENGLISH_ONLY and not english:
            continue
        t0 = perf_counter() if timings is not None else 0.0
        produced = _stage(name).extract(doc, models.by_stage[name], found)
        if timings is not None:
            timings[name] = timings.get(name, 0.0) + perf_counter() - t0
        for table, rows in produced.items():
            if doc.non_text:  # nothing found in a speaker label or a stage note counts
                rows = [
                    r
                    for r in rows
                    if "start" not in r or doc.is_text(r["start"], r.get("end", r["start"] + 1))
                ]
            found.setdefault(table, []).extend(rows)
    return found


def iter_docs(articles: pd.DataFrame) -> Iterator[Doc]:
    for row in articles.to_dict("records"):
        yield doc_from_row(row)


def extract_tables(
    articles: pd.DataFrame,
    models: Models | None = None,
    *,
    progress: bool = True,
) -> dict[str, pd.DataFrame]:
    """Run every stage over ``articles`` and return the tables (articles included).

    Parameters
    ----------
    articles : DataFrame
        The ``articles`` table from :func:`conflictlens.corpus.load_corpus`.
    models : Models, optional
        Built once with :meth:`Models.build`; built from the default lexicons if omitted.
    progress : bool
        Show a progress bar.
    """
    from conflictlens.engines import fewer_collections

    models = models or Models.build()
    rows: dict[str, list[dict]] = {}
    docs = iter_docs(articles)
    with fewer_collections():
        for doc in tqdm(docs, total=len(articles), desc="extracting", unit="article",
                        disable=not progress, mininterval=0.5):  # fmt: skip
            for table, found in analyze_doc(doc, models).items():
                rows.setdefault(table, []).extend(found)
    tables = {"articles": articles.reset_index(drop=True)}
    tables.update(to_tables(rows))
    return finish(tables, models)


def to_tables(rows: dict[str, list[dict] | tuple]) -> dict[str, pd.DataFrame]:
    """DataFrames from row lists (or rows packed by :func:`~conflictlens.engines.pack`), with each
    known table's key columns first (even when empty)."""
    out = {}
    for name in sorted(set(rows) | set(SCHEMAS)):
        data = rows.get(name, [])
        if isinstance(data, tuple) and data[0] is not None:
            df = pd.DataFrame.from_records(data[1], columns=list(data[0]))
        else:
            df = pd.DataFrame(data[1] if isinstance(data, tuple) else data)
        key = SCHEMAS.get(name, [])
        for col in key:
            if col not in df.columns:
                df[col] = pd.Series(dtype="object")
        out[name] = df[key + [c for c in df.columns if c not in key]]
    return out


def finish(tables: dict[str, pd.DataFrame], models: Models) -> dict[str, pd.DataFrame]:
    """Corpus-level steps: each stage may offer ``finish(tables, model) -> tables``."""
    for name in STAGES:
        fn = getattr(_stage(name), "finish", None)
        if fn is not None:
            tables = fn(tables, models.by_stage[name])
    return tables


def write_tables(tables: dict[str, pd.DataFrame], out_dir: str | Path) -> list[Path]:
    """Write each table as ``<out_dir>/<name>.parquet``; returns the paths written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, df in sorted(tables.items()):
        p = out_dir / f"{name}.parquet"
        _parquet_safe(df).to_parquet(p, index=False)
        paths.append(p)
    return paths


def read_tables(
    out_dir: str | Path,
    names: Iterable[str] | None = None,
    *,
    columns: Sequence[str] | None = None,
) -> dict[str, pd.DataFrame]:
    """Read tables written by :func:`write_tables` or :func:`extract_corpus`.

    A table is ``<name>.parquet`` or a folder ``<name>/`` of ``part-*.parquet`` files,
    concatenated in part order. ``columns``, when given, reads only those columns
    (those a table has) of every table read.
    """
    out_dir = Path(out_dir)
    wanted = set(names) if names is not None else None
    tables = {}
    for p in sorted(out_dir.iterdir()) if out_dir.exists() else []:
        name = p.stem if p.suffix == ".parquet" else p.name
        if wanted is not None and name not in wanted:
            continue
        if p.is_file() and p.suffix == ".parquet":
            tables[name] = _read_part(p, columns)
        elif p.is_dir():
            parts = [_read_part(x, columns) for x in sorted(p.glob("part-*.parquet"))]
            parts = [x for x in parts if len(x)] or parts[:1]
            if parts:
                tables[name] = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    return tables


def _read_part(path: Path, columns: Sequence[str] | None) -> pd.DataFrame:
    return pd.read_parquet(path, columns=None if columns is None else _present(path, columns))


def _parquet_safe(df: pd.DataFrame) -> pd.DataFrame:
    # Mixed object columns (dates and None, ints and None) must become one Arrow type.
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object:
            vals = out[col].dropna()
            if len(vals) and all(isinstance(v, date) for v in vals):
                out[col] = pd.to_datetime(out[col])
            elif len(vals) and all(isinstance(v, (list, dict)) for v in vals):
                continue
            elif len(vals) and not all(isinstance(v, str) for v in vals):
                out[col] = out[col].map(lambda v: v if v is None or isinstance(v, str) else str(v))
    return out


def analyze_text(
    text: str,
    *,
    article_id: str = "article",
    published: date | None = None,
    outlet: str | None = None,
    title: str = "",
    models: Models | None = None,
) -> dict:
    """The ``analyze`` JSON record (DESIGN.md) for one article's text.

    Examples
    --------
    >>> rec = analyze_text("Rockets hit the base on Tuesday. Nobody was hurt.")
    >>> rec["article"]["n_sentences"]
    2
    """
    from conflictlens.corpus import clean_text, detect_language
    from conflictlens.text import count_words

    models = models or Models.build()
    text = clean_text(text)
    doc = make_doc(article_id, text, published=published, outlet=outlet, title=title,
                   language=detect_language(text))  # fmt: skip
    tables = to_tables(analyze_doc(doc, models))
    record = {
        "article": {
            "article_id": article_id,
            "published": published.isoformat() if published else None,
            "n_sentences": len(doc.sentences),
            "n_words": count_words(text),
        },
        "entities": [], "events": [], "tallies": [], "quotes": [], "frames": [], "agency": [],
        "tone": {"compound_mean": None, "by_entity": {}},
    }  # fmt: skip
    for name in STAGES:
        record.update(_stage(name).record(tables, doc))
    return record


# --------------------------------------------------------------------------- cached extraction


def project_root() -> Path:
    """The checkout this package was installed from (editable install)."""
    return Path(__file__).resolve().parents[2]


def resolve_path(path: str | Path) -> Path:
    """``path`` as given if it exists (or is absolute), else relative to the project root.

    Lets a notebook's default parameters work from ``notebooks/`` in JupyterLab and
    from the project root under papermill alike.
    """
    p = Path(path)
    if p.is_absolute() or p.exists():
        return p
    return project_root() / p


def fingerprint(corpus: str | Path, lexicon_dir: str | Path | None = None) -> str:
    """A hash of the corpus files, the lexicons and the package code: the cache key."""
    import hashlib

    from conflictlens import __version__

    h = hashlib.sha256(__version__.encode())
    corpus = Path(corpus)
    files = sorted(p for p in corpus.rglob("*") if p.is_file()) if corpus.is_dir() else [corpus]
    lex = Path(lexicon_dir) if lexicon_dir else lexicons.default_dir()
    code = sorted(Path(__file__).parent.glob("*.py"))
    for p in [*files, *sorted(lex.glob("*")), *code]:
        if p.suffix.lower() in {".md"} or not p.is_file():
            continue
        h.update(p.name.encode())
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()[:16]


def load_tables(
    corpus: str | Path = "data/raw/sample",
    *,
    processed: str | Path | None = None,
    cache_dir: str | Path = "data/processed",
    lexicon_dir: str | Path | None = None,
    refresh: bool = False,
    progress: bool = True,
) -> dict[str, pd.DataFrame]:
    """All tables for a corpus, extracted once and cached under ``cache_dir/<name>-<hash>/``.

    Parameters
    ----------
    corpus : path
        A corpus file or folder (see :func:`conflictlens.corpus.load_corpus`).
    processed : path, optional
        A folder of tables already extracted (as the report runner passes); read as is.
    cache_dir : path
        Where cached extractions live; the key hashes corpus, lexicons and code.
    refresh : bool
        Extract again even if a cached copy exists.

    Returns
    -------
    dict of table name -> DataFrame, including ``articles`` and ``rejects``.
    """
    if processed is not None:
        return read_tables(resolve_path(processed))
    return read_tables(cached_extract(corpus, cache_dir=cache_dir, lexicon_dir=lexicon_dir,
                                      refresh=refresh, progress=progress))  # fmt: skip


def cached_extract(
    corpus: str | Path,
    *,
    cache_dir: str | Path = "data/processed",
    lexicon_dir: str | Path | None = None,
    refresh: bool = False,
    progress: bool = True,
    jobs: int = 1,
) -> Path:
    """Extract ``corpus`` into ``cache_dir/<name>-<hash>/`` unless already there; return the folder."""
    corpus = resolve_path(corpus)
    key = fingerprint(corpus, lexicon_dir)
    out = resolve_path(cache_dir) / f"{corpus.name.split('.')[0]}-{key}"
    if not (out / "_complete").exists() or refresh:
        # Extract beside the cache entry and rename it into place, so a reader running at
        # the same time (two notebooks, two users) never sees half-written tables.
        import os
        import shutil

        tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
        extract_corpus(corpus, tmp, lexicon_dir=lexicon_dir, jobs=jobs, progress=progress)
        if out.exists():
            shutil.rmtree(out, ignore_errors=True)
        try:
            tmp.rename(out)
        except OSError:  # another process finished first: keep its copy
            shutil.rmtree(tmp, ignore_errors=True)
    return out


@dataclass
class ExtractSummary:
    """What :func:`extract_corpus` did."""

    out_dir: Path
    articles: int
    words: int
    rejected: int
    chunks: int
    summary: str


FINISH_COLUMNS: dict[str, tuple[str, ...]] = {
    "events": ("article_id", "event_idx", "event_type", "date_start", "date_end",
               "date_precision", "published", "perpetrator_id", "target_id", "location_id",
               "country_id", "killed", "wounded", "n_mentions", "sent_idxs"),
    "tallies": ("article_id", "count"),
}  # fmt: skip
"""The columns a corpus-level ``finish`` step sees on disk: only what clustering and
type repair need, so memory grows with the number of events, not with article text."""


def extract_corpus(
    corpus: str | Path,
    out_dir: str | Path,
    *,
    lexicon_dir: str | Path | None = None,
    engine: str = "local",
    jobs: int = 1,
    chunk_size: int = 50,
    chunk_words: int = 20_000,
    part_size: int = 1000,
    scheduler: str | None = None,
    progress: bool = True,
) -> ExtractSummary:
    """Stream a corpus through every stage into partitioned Parquet under ``out_dir``.

    Articles go to the workers in chunks of ``chunk_size`` articles or ``chunk_words``
    words, whichever comes first (so that long documents spread evenly over the
    workers); each table is written as ``out_dir/<table>/part-NNNNN.parquet``, a part
    every ``part_size`` articles (or the first chunk that reaches it), plus
    ``rejects.jsonl``. Memory stays flat in corpus size; results are identical for any
    ``engine``, ``jobs`` and chunking because chunks are written in reading order. Corpus-level steps (cross-article event clustering) run at the end
    over :data:`FINISH_COLUMNS`.

    Parameters
    ----------
    engine : {"local", "dask"}
        ``local`` runs in this process (``jobs=1``) or a process pool; ``dask`` on a
        dask.distributed cluster (``scheduler`` address, or a LocalCluster of ``jobs``).
    """
    import json
    import shutil
    from collections import deque

    from conflictlens import engines
    from conflictlens.corpus import REJECT_COLUMNS, iter_rows, write_rejects

    corpus = Path(corpus)
    out = Path(out_dir)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    lex = str(lexicon_dir) if lexicon_dir else None
    models = Models.build(lex)  # validates the lexicons before any work starts
    stats = {"articles": 0, "words": 0, "chunks": 0}
    state: dict = {"rejects": None}

    pending: deque[list[dict]] = deque()  # article rows of chunks not yet written, in order

    def chunks():
        for rows, rejects in iter_rows(corpus, chunk_size=chunk_size, chunk_words=chunk_words):
            state["rejects"] = rejects
            if rows:
                stats["chunks"] += 1
                stats["articles"] += len(rows)
                stats["words"] += sum(r["n_words"] for r in rows)
                pending.append(rows)
                yield rows

    if engine == "dask":
        results = engines.run_dask(chunks(), lex, jobs, scheduler)
    elif jobs > 1:
        engines._WORKER_MODELS = models  # forked workers inherit the compiled models
        results = engines.run_pool(chunks(), lex, jobs)
    else:
        results = engines.run_local(chunks(), lex, models)
    bar = tqdm(desc="extracting", unit="article", disable=not progress, mininterval=0.5)
    buffer: dict[str, tuple] = {}  # table -> packed rows of the part being gathered
    buffered, part = 0, 0
    for rows in results:
        arts = pending.popleft()
        n = len(arts)
        _gather(buffer, "articles", (None, arts))
        for name, packed in rows.items():
            _gather(buffer, name, packed)
        buffered += n
        bar.update(n)
        if buffered >= part_size:
            _flush(buffer, out, part)
            buffer, buffered, part = {}, 0, part + 1
    if buffered or part == 0:
        _flush(buffer, out, part)
    bar.close()
    rejects = pd.DataFrame(state["rejects"] or [], columns=REJECT_COLUMNS)
    write_rejects(rejects, out)
    _write_part(rejects, out / "rejects", 0)
    _finish_on_disk(out, models)
    from conflictlens.corpus import Corpus

    # the columns the summary counts, not the articles' text (the whole corpus)
    flags = read_tables(out, ["articles"], columns=["article_id", "date_issue", "language",
                                                   "near_duplicate_of"])  # fmt: skip
    summary = Corpus(flags.get("articles", _empty_articles()), rejects).summary()
    (out / "_complete").write_text(json.dumps({**stats, "summary": summary}, sort_keys=True) + "\n")
    return ExtractSummary(
        out, stats["articles"], stats["words"], len(rejects), stats["chunks"], summary
    )


def _gather(buffer: dict[str, tuple], name: str, packed: tuple) -> None:
    # chunks packed with the same columns stay packed; otherwise the part falls back to dicts
    from conflictlens.engines import unpack

    have = buffer.get(name)
    if have is None:
        buffer[name] = (packed[0], list(packed[1]))
    elif have[0] == packed[0]:
        have[1].extend(packed[1])
    else:
        buffer[name] = (None, unpack(have) + unpack(packed))


def _flush(buffer: dict[str, tuple], out: Path, part: int) -> None:
    from conflictlens.corpus import articles_frame

    _write_part(articles_frame(buffer.pop("articles", (None, []))[1]), out / "articles", part)
    for name, df in to_tables(buffer).items():
        _write_part(df, out / name, part)


def _empty_articles() -> pd.DataFrame:
    from conflictlens.corpus import ARTICLE_COLUMNS

    return pd.DataFrame(columns=ARTICLE_COLUMNS)


def _write_part(df: pd.DataFrame, folder: Path, idx: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    _parquet_safe(df).to_parquet(folder / f"part-{idx:05d}.parquet", index=False)


def _finish_on_disk(out: Path, models: Models) -> None:
    """Run the stages' ``finish`` over :data:`FINISH_COLUMNS` and write the columns it
    set back into each part, in place, so the tables stay partitioned."""
    tables = {}
    for name, cols in FINISH_COLUMNS.items():
        tables.update(read_tables(out, [name], columns=cols))
    before = {k: id(v) for k, v in tables.items()}
    tables = finish(tables, models)
    for name, df in tables.items():
        if before.get(name) == id(df) or name not in FINISH_COLUMNS:
            continue
        at = 0
        for p in sorted((out / name).glob("part-*.parquet")):
            part = pd.read_parquet(p)
            piece = df.iloc[at : at + len(part)].reset_index(drop=True)
            at += len(part)
            for col in piece.columns:
                part[col] = (
                    piece[col].to_numpy() if piece[col].dtype == object else piece[col].array
                )
            _parquet_safe(part).to_parquet(p, index=False)


def _present(path: Path, cols: Sequence[str]) -> list[str]:
    import pyarrow.parquet as pq

    have = set(pq.read_schema(path).names)
    return [c for c in cols if c in have]
