"""Scoring the extractors on the hand-annotated gold sets in ``tests/gold``.

The gold texts were written apart from the sample corpus, so these scores say how
far the numbers in a report can be trusted on text the extractors were not tuned on.
Each extractor's scorer returns a one-row-per-measure DataFrame with ``precision``,
``recall``, ``f1`` (or ``accuracy``) and the counts behind them; :func:`score_all`
collects them for the evaluation notebook.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import yaml

_MARKUP = re.compile(r"\{\{([^{}|]+)\|([a-z0-9_]+)(?:\|([a-z_]+))?\}\}")


def gold_dir() -> Path:
    """The ``tests/gold`` folder of this checkout."""
    return Path(__file__).resolve().parents[2] / "tests" / "gold"


@dataclass
class GoldMention:
    start: int
    end: int
    surface: str
    entity_id: str
    resolution: str  # name | metonym | coref


@dataclass
class GoldDoc:
    """One gold article: the text with markup stripped, its mentions, and its other layers."""

    doc_id: str
    published: date | None
    outlet: str
    text: str
    mentions: list[GoldMention] = field(default_factory=list)
    layers: dict = field(default_factory=dict)  # quotes, frames, agency, events, tallies, ...
    path: Path | None = None


def strip_markup(marked: str) -> tuple[str, list[GoldMention]]:
    """Remove ``{{surface|entity_id|resolution}}`` markup; return text and mention spans.

    Examples
    --------
    >>> text, ms = strip_markup("{{Washington|united_states|metonym}} said {{KH|kataeb_hezbollah}} did it.")
    >>> text
    'Washington said KH did it.'
    >>> [(m.surface, m.entity_id, m.resolution) for m in ms]
    [('Washington', 'united_states', 'metonym'), ('KH', 'kataeb_hezbollah', 'name')]
    """
    out, mentions, pos = [], [], 0
    length = 0
    for m in _MARKUP.finditer(marked):
        before = marked[pos : m.start()]
        out.append(before)
        length += len(before)
        surface = m.group(1)
        mentions.append(
            GoldMention(length, length + len(surface), surface, m.group(2), m.group(3) or "name")
        )
        out.append(surface)
        length += len(surface)
        pos = m.end()
    out.append(marked[pos:])
    return "".join(out), mentions


def load_gold_docs(folder: str | Path) -> list[GoldDoc]:
    """Load every ``*.yaml`` gold document in ``folder`` (sorted by name)."""
    docs = []
    for p in sorted(Path(folder).glob("*.yaml")):
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
        text, mentions = strip_markup(raw.get("text", "").rstrip("\n"))
        pub = raw.get("published")
        if isinstance(pub, str):
            pub = date.fromisoformat(pub)
        layers = {
            k: v
            for k, v in raw.items()
            if k not in {"doc_id", "published", "outlet", "note", "text"}
        }
        docs.append(
            GoldDoc(
                str(raw.get("doc_id", p.stem)),
                pub,
                str(raw.get("outlet", "")),
                text,
                mentions,
                layers,
                p,
            )
        )
    return docs


def prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    """Precision, recall and F1 with their counts (0.0 where undefined).

    Examples
    --------
    >>> prf(8, 2, 2)["f1"]
    0.8
    """
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f, 4),
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def score_all(folder: str | Path | None = None) -> pd.DataFrame:
    """Every extractor's scores on its gold set: one row per (extractor, measure)."""
    folder = Path(folder) if folder else gold_dir()
    frames = []
    for name, fn in SCORERS.items():
        df = fn(folder)
        df.insert(0, "extractor", name)
        frames.append(df)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def cached_score_all(folder: str | Path | None = None, *, cache_dir: str | Path = "data/processed",
                     refresh: bool = False) -> pd.DataFrame:  # fmt: skip
    """:func:`score_all`, computed once per version of the gold sets, lexicons and code.

    Scoring runs every extractor over every gold document (seconds); the result is kept
    as ``cache_dir/eval-<hash>.parquet``, keyed like the extraction cache, so a report
    per corpus, or a rerun, reads it back instead. Always returns the table as read
    from disk, so a fresh and a cached result are the same bytes downstream.
    """
    import os

    from conflictlens.pipeline import fingerprint, resolve_path

    folder = Path(folder) if folder else gold_dir()
    path = resolve_path(cache_dir) / f"eval-{fingerprint(folder)}.parquet"
    if refresh or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        score_all(folder).to_parquet(tmp, index=False)
        tmp.replace(path)  # atomic: a reader never sees half a file
    return pd.read_parquet(path)


SCORERS: dict = {}
"""extractor name -> function(gold_folder) -> DataFrame of measures; filled below.
Every scorer takes the ``tests/gold`` root (the folder :func:`score_all` passes)."""


def _events_folder(folder: str | Path | None) -> Path:
    """The events gold folder, given the gold root or the events folder itself."""
    folder = Path(folder) if folder else gold_dir()
    return folder / "events" if (folder / "events").is_dir() else folder


# --------------------------------------------------------------------------- entities (issue 4)


def match_mentions(gold: list[GoldMention], pred: list[dict]) -> list[tuple[int, int]]:
    """Pair gold and predicted mentions: spans overlap and ``entity_id`` is equal.

    One-to-one and greedy in text order: each gold mention takes the first unpaired
    prediction that overlaps it with the same id (so "US-led coalition" predicted as one
    span can pay for only one gold mention). Returns ``(gold_index, pred_index)`` pairs.

    Examples
    --------
    >>> g = [GoldMention(0, 2, "US", "united_states", "name")]
    >>> match_mentions(g, [{"start": 0, "end": 11, "entity_id": "united_states"}])
    [(0, 0)]
    >>> match_mentions(g, [{"start": 0, "end": 2, "entity_id": "iraq"}])
    []
    """
    pairs, used = [], set()
    order = sorted(range(len(pred)), key=lambda j: (pred[j]["start"], pred[j]["end"]))
    for i, g in enumerate(gold):
        for j in order:
            p = pred[j]
            if j in used or p["start"] >= g.end or p["end"] <= g.start:
                continue
            if p["entity_id"] == g.entity_id:
                pairs.append((i, j))
                used.add(j)
                break
    return pairs


def entity_predictions(folder: str | Path | None = None) -> pd.DataFrame:
    """Every gold and predicted mention of the news gold set, paired, one row each.

    Columns: ``doc_id, start, end, surface, gold_id, gold_resolution, pred_id,
    pred_resolution, matched`` -- a gold row without a prediction has ``pred_*`` empty, a
    prediction without a gold mention has ``gold_*`` empty. The extractor reads the
    stripped text (markup removed) with the document's date and outlet.
    """
    from conflictlens import entities
    from conflictlens.text import make_doc

    folder = Path(folder) if folder else gold_dir()
    news = folder / "news" if (folder / "news").is_dir() else folder
    model = entities.build()
    rows = []
    for gd in load_gold_docs(news):
        doc = make_doc(gd.doc_id, gd.text, published=gd.published, outlet=gd.outlet)
        pred = entities.extract(doc, model, {})["mentions"]
        pairs = match_mentions(gd.mentions, pred)
        by_gold = dict(pairs)
        paired = set(by_gold.values())
        for i, g in enumerate(gd.mentions):
            j = by_gold.get(i)
            p = pred[j] if j is not None else None
            rows.append({"doc_id": gd.doc_id, "start": g.start, "end": g.end, "surface": g.surface,
                         "gold_id": g.entity_id, "gold_resolution": g.resolution,
                         "pred_id": p["entity_id"] if p else None,
                         "pred_resolution": p["resolution"] if p else None,
                         "matched": p is not None})  # fmt: skip
        for j, p in enumerate(pred):
            if j not in paired:
                rows.append({"doc_id": gd.doc_id, "start": p["start"], "end": p["end"],
                             "surface": p["surface"], "gold_id": None, "gold_resolution": None,
                             "pred_id": p["entity_id"], "pred_resolution": p["resolution"],
                             "matched": False})  # fmt: skip
    return pd.DataFrame(rows)


def score_entities(folder: str | Path | None = None) -> pd.DataFrame:
    """Precision, recall and F1 of :mod:`entities` on the news gold set.

    A prediction matches a gold mention when their spans overlap and their
    ``entity_id`` is equal (one-to-one, see :func:`match_mentions`). Measures:

    - ``entities_named``: gold mentions with resolution ``name`` against predictions
      with resolution ``name`` or ``alias``.
    - ``entities_all``: every gold mention against every prediction.
    - ``entities_metonym`` / ``entities_coref``: one resolution on both sides.

    Pairs are formed once, on all mentions. In a restricted measure a pair counts as a
    hit when both sides are in scope; a gold mention in scope without such a pair is a
    miss; a prediction in scope is a false alarm when it is unpaired or paired with a
    gold mention out of scope (named "coalition" against a gold coref, say).

    Examples
    --------
    >>> df = score_entities()
    >>> list(df.measure)
    ['entities_named', 'entities_all', 'entities_metonym', 'entities_coref']
    """
    rows = entity_predictions(folder)
    gold = rows[rows.gold_id.notna()]
    unpaired = rows[rows.gold_id.isna()]
    everything = [*RESOLUTIONS_GOLD, "alias"]
    scopes = {
        "entities_named": (["name"], ["name", "alias"]),
        "entities_all": (everything, everything),
        "entities_metonym": (["metonym"], ["metonym"]),
        "entities_coref": (["coref"], ["coref"]),
    }
    out = []
    for name, (gold_scope, pred_scope) in scopes.items():
        in_gold = gold.gold_resolution.isin(gold_scope)
        pred_in = gold.matched & gold.pred_resolution.isin(pred_scope)
        tp = int((in_gold & pred_in).sum())
        fn = int(in_gold.sum()) - tp
        fp = int(unpaired.pred_resolution.isin(pred_scope).sum()) + int((~in_gold & pred_in).sum())
        out.append({"measure": name, **prf(tp, fp, fn), "n_gold": int(in_gold.sum())})
    return pd.DataFrame(out)


RESOLUTIONS_GOLD = ("name", "metonym", "coref")
"""Resolutions used in the gold markup (``alias`` is folded into ``name`` there)."""


SCORERS["entities"] = score_entities


# --------------------------------------------------------------------------- timex, events, tallies (issue 5)


def _timex_rows(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for col in ("published", "start", "end"):
        df[col] = df[col].map(lambda v: date.fromisoformat(v) if v else None)
    return df


def _locate(sentence: str, expression: str) -> tuple[int, int]:
    i = sentence.find(expression)
    if i < 0:
        i = sentence.lower().find(expression.lower())
    return (i, i + len(expression)) if i >= 0 else (0, len(sentence))


def timex_predictions(path: str | Path | None = None) -> pd.DataFrame:
    """Each gold dating expression of ``timex.csv`` beside what :mod:`timex` and dateparser make of it.

    Our extractor reads the whole sentence (it must find the expression itself); the
    prediction is the found expression overlapping the gold one. dateparser (a dev
    dependency, optional here) is given the gold expression alone with the publication
    date as its relative base, its best case. ``ok`` is an exact match of the gold
    interval (start and end dates); ``none`` rows (not a date) are right when nothing
    is predicted. ``dp_ok`` counts dateparser right when its day falls inside the gold
    interval (it returns a single day), or when it returns nothing for a ``none`` row.
    """
    from conflictlens import timex

    path = Path(path) if path else gold_dir() / "timex.csv"
    gold = _timex_rows(path)
    model = timex.build()
    try:
        import dateparser
    except ImportError:  # pragma: no cover - dev dependency
        dateparser = None
    rows = []
    for g in gold.itertuples():
        a, b = _locate(g.sentence, g.expression)
        found = [t for t in timex.find(g.sentence, g.published, model) if t.start < b and a < t.end]
        pred = found[0] if found else None
        is_none = g.precision == "none"
        if is_none:
            ok = pred is None
        else:
            ok = pred is not None and (pred.date_start, pred.date_end) == (g.start, g.end)
        row = {"id": g.id, "expression": g.expression, "gold_start": g.start, "gold_end": g.end,
               "gold_precision": g.precision, "pred_text": pred.text if pred else None,
               "pred_start": pred.date_start if pred else None,
               "pred_end": pred.date_end if pred else None,
               "pred_precision": pred.precision if pred else None, "ok": ok,
               "precision_ok": (pred is None) if is_none else bool(pred and pred.precision == g.precision)}  # fmt: skip
        if dateparser is not None:
            from datetime import datetime

            base = datetime(g.published.year, g.published.month, g.published.day, 12)
            got = dateparser.parse(g.expression, settings={"RELATIVE_BASE": base})
            day = got.date() if got else None
            row["dp_date"] = day
            row["dp_ok"] = (day is None) if is_none else bool(day and g.start <= day <= g.end)
        rows.append(row)
    return pd.DataFrame(rows)


def score_timex(folder: str | Path | None = None) -> pd.DataFrame:
    """Accuracy of :mod:`timex` on ``timex.csv``, beside dateparser's on the same set.

    Examples
    --------
    >>> df = score_timex()
    >>> set(df.measure) >= {"timex_accuracy", "timex_accuracy_dateparser"}
    True
    """
    folder = Path(folder) if folder else gold_dir()
    pred = timex_predictions(folder / "timex.csv")
    n = len(pred)
    rows = [{"measure": "timex_accuracy", "accuracy": round(pred.ok.mean(), 4),
             "correct": int(pred.ok.sum()), "n": n},
            {"measure": "timex_precision_accuracy", "accuracy": round(pred.precision_ok.mean(), 4),
             "correct": int(pred.precision_ok.sum()), "n": n}]  # fmt: skip
    if "dp_ok" in pred:
        rows.append({"measure": "timex_accuracy_dateparser", "accuracy": round(pred.dp_ok.mean(), 4),
                     "correct": int(pred.dp_ok.sum()), "n": n})  # fmt: skip
    return pd.DataFrame(rows)


def _gold_events_run(folder: Path) -> tuple[list[GoldDoc], dict[str, pd.DataFrame]]:
    """Gold event docs and the pipeline's tables over them (all stages, then ``finish``)."""
    from conflictlens import pipeline

    docs = load_gold_docs(folder)
    articles = pd.DataFrame([{"article_id": d.doc_id, "published": d.published, "outlet": d.outlet,
                              "title": "", "text": d.text, "language": "en"} for d in docs])  # fmt: skip
    tables = pipeline.extract_tables(articles, pipeline.Models.build(), progress=False)
    return docs, tables


def _spans(text: str, subs) -> list[tuple[int, int]]:
    out = []
    for s in subs or []:
        i = text.find(s)
        if i >= 0:
            out.append((i, i + len(s)))
    return out


def _hits(spans: list[tuple[int, int]], sent_spans: list[tuple[int, int]]) -> int:
    """How many gold spans overlap one of the sentences."""
    return sum(any(a < se and ss < b for ss, se in sent_spans) for a, b in spans)


def _d(v):
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    if isinstance(v, str):
        return date.fromisoformat(v)
    return v


def _n(v):
    if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)):
        return None
    return v


def date_within_precision(pred_date, gold_start, gold_end, gold_precision) -> bool:
    """True when a predicted event date falls inside the gold interval, give or take its precision.

    The predicted ``date`` (the day, or the middle of the predicted interval) must lie in
    ``[gold_start, gold_end]`` widened by one day for ``day`` precision and three days
    for ``week``; coarser gold intervals are taken as they are.

    Examples
    --------
    >>> date_within_precision(date(2024, 2, 1), date(2024, 2, 2), date(2024, 2, 2), "day")
    True
    >>> date_within_precision(date(2024, 1, 26), date(2024, 1, 21), date(2024, 1, 31), "part_of_month")
    True
    >>> date_within_precision(None, date(2024, 1, 21), date(2024, 1, 31), "part_of_month")
    False
    """
    from datetime import timedelta

    if pred_date is None:
        return False
    slack = timedelta(days={"day": 1, "week": 3}.get(gold_precision, 0))
    return gold_start - slack <= pred_date <= gold_end + slack


def match_events(folder: str | Path | None = None, run=None) -> tuple[pd.DataFrame, dict]:
    """Pair predicted article-level events with gold events; the basis of :func:`score_events`.

    Matching rule: a predicted event matches a gold event of the same article when one
    of its evidence sentences (the sentences of all its merged mentions) overlaps one of
    the gold event's ``mentions`` spans and their types are compatible (``attack`` is
    compatible with any type; drone, air and missile strikes with each other; rockets
    with missiles). Pairs are taken greedily, most overlapping mentions first, each
    event used once. Returns the pairs (one row per gold or predicted event, with
    ``status`` tp / fn / fp) and the raw run for the other measures.
    """
    from conflictlens.events import _compatible_types

    folder = _events_folder(folder)
    docs, tables = run or _gold_events_run(folder)
    ev = tables["events"]
    sents = tables["sentences"]
    spans = {(a, int(i)): (int(s), int(e)) for a, i, s, e in
             zip(sents.article_id, sents.sent_idx, sents.start, sents.end, strict=True)}  # fmt: skip
    rows = []
    for doc in docs:
        gold = doc.layers.get("events") or []
        pred = ev[ev.article_id == doc.doc_id].to_dict("records")
        cands = []
        for gi, g in enumerate(gold):
            gspans = _spans(doc.text, g.get("mentions"))
            for pi, p in enumerate(pred):
                idxs = p.get("sent_idxs")
                idxs = list(idxs) if idxs is not None and len(idxs) else [p["sent_idx"]]
                ss = [spans[(doc.doc_id, int(i))] for i in idxs]
                h = _hits(gspans, ss)
                if h and _compatible_types(p["event_type"], g.get("event_type") or "attack"):
                    cands.append((-h, gi, pi))
        used_g, used_p = set(), set()
        for _, gi, pi in sorted(cands):
            if gi in used_g or pi in used_p:
                continue
            used_g.add(gi)
            used_p.add(pi)
            rows.append({"doc_id": doc.doc_id, "status": "tp", "gold": gold[gi], "pred": pred[pi]})
        rows += [{"doc_id": doc.doc_id, "status": "fn", "gold": g, "pred": None}
                 for gi, g in enumerate(gold) if gi not in used_g]  # fmt: skip
        rows += [{"doc_id": doc.doc_id, "status": "fp", "gold": None, "pred": p}
                 for pi, p in enumerate(pred) if pi not in used_p]  # fmt: skip
    return pd.DataFrame(rows, columns=["doc_id", "status", "gold", "pred"]), {
        "docs": docs,
        "tables": tables,
    }


def _accuracy(name: str, flags: list[bool]) -> dict:
    n = len(flags)
    return {"measure": name, "accuracy": round(sum(flags) / n, 4) if n else 0.0,
            "correct": int(sum(flags)), "n": n}  # fmt: skip


def _pairwise(cluster: dict, key: dict) -> dict:
    """Pairwise precision/recall of a clustering against gold keys (items = dict keys)."""
    items = sorted(cluster)
    tp = fp = fn = 0
    for i, a in enumerate(items):
        for b in items[i + 1 :]:
            same_c, same_k = cluster[a] == cluster[b], key[a] == key[b]
            tp += same_c and same_k
            fp += same_c and not same_k
            fn += same_k and not same_c
    return prf(tp, fp, fn)


def score_events(folder: str | Path | None = None, run=None) -> pd.DataFrame:
    """Event, date, casualty, attribution, aggregate and de-duplication scores.

    Measures (see :func:`match_events` for the matching rule):

    - ``event``: precision / recall / F1 of article-level events;
    - ``date_within_precision``: matched events with a gold date whose predicted date
      lies in the gold interval (see :func:`date_within_precision`);
    - ``killed`` / ``wounded``: matched events whose toll equals the gold one (both
      unknown counts as equal);
    - ``attribution``, ``perpetrator``, ``target``, ``location``, ``country``: matched
      events whose value equals the gold one;
    - ``aggregate_kept_apart``: gold aggregate spans on which no event was predicted
      (its sentence holds no predicted event unless a gold event is also there);
    - ``distractor_rejected``: distractor spans whose sentence holds no predicted event
      (unless a gold event mention is also in that sentence);
    - ``dedup``: pairwise precision / recall / F1 of the cross-article ``cluster_id``
      of matched events against the gold ``key``.
    """
    folder = _events_folder(folder)
    pairs, raw = match_events(folder, run)
    docs, tables = raw["docs"], raw["tables"]
    counts = pairs.status.value_counts()
    rows = [{"measure": "event", **prf(int(counts.get("tp", 0)), int(counts.get("fp", 0)),
                                       int(counts.get("fn", 0)))}]  # fmt: skip
    tp = pairs[pairs.status == "tp"]
    dated = [(g, p) for g, p in zip(tp.gold, tp.pred, strict=True) if g.get("date_start")]
    rows.append(_accuracy("date_within_precision", [
        date_within_precision(_d(p.get("date")), _d(g["date_start"]), _d(g["date_end"]), g.get("date_precision"))
        for g, p in dated]))  # fmt: skip
    for name, col in (("killed", "killed"), ("wounded", "wounded"), ("attribution", "attribution"),
                       ("perpetrator", "perpetrator_id"), ("target", "target_id"),
                       ("location", "location_id"), ("country", "country_id")):  # fmt: skip
        flags = []
        for g, p in zip(tp.gold, tp.pred, strict=True):
            gv, pv = _n(g.get(col)), _n(p.get(col))
            if name in ("killed", "wounded"):
                gv, pv = (None if gv is None else int(gv)), (None if pv is None else int(pv))
            flags.append(gv == pv)
        rows.append(_accuracy(name, flags))
    # aggregates and distractors: no event predicted on them
    ev = tables["events"]
    sents = tables["sentences"]
    kept, rejected = [], []
    for doc in docs:
        s = sents[sents.article_id == doc.doc_id]
        sspans = list(
            zip(s.start.astype(int), s.end.astype(int), s.sent_idx.astype(int), strict=True)
        )
        pred_sents = set()
        for idxs in ev.loc[ev.article_id == doc.doc_id, "sent_idxs"]:
            pred_sents.update(int(i) for i in idxs)
        gold_sents = set()
        for g in doc.layers.get("events") or []:
            for a, b in _spans(doc.text, g.get("mentions")):
                gold_sents.update(i for ss, se, i in sspans if a < se and ss < b)

        def clean(span, pred_sents=pred_sents, gold_sents=gold_sents, sspans=sspans):
            a, b = span
            hit = {i for ss, se, i in sspans if a < se and ss < b}
            return not (hit & pred_sents) or bool(hit & gold_sents)

        kept += [
            clean(sp)
            for sp in _spans(
                doc.text, [x.get("mention") for x in doc.layers.get("aggregates") or []]
            )
        ]
        rejected += [clean(sp) for sp in _spans(doc.text, doc.layers.get("distractors"))]
    rows.append(_accuracy("aggregate_kept_apart", kept))
    rows.append(_accuracy("distractor_rejected", rejected))
    cluster, key = {}, {}
    for g, p in zip(tp.gold, tp.pred, strict=True):
        item = (p["article_id"], int(p["event_idx"]))
        cluster[item], key[item] = p.get("cluster_id"), g.get("key")
    rows.append({"measure": "dedup", **_pairwise(cluster, key)})
    return pd.DataFrame(rows)


def match_tallies(folder: str | Path | None = None, run=None) -> pd.DataFrame:
    """Pair predicted tallies with gold ones: same sentence as the gold mention, same count."""
    folder = _events_folder(folder)
    docs, tables = run or _gold_events_run(folder)
    ta, sents = tables["tallies"], tables["sentences"]
    rows = []
    for doc in docs:
        s = sents[sents.article_id == doc.doc_id]
        sspans = dict(
            zip(
                s.sent_idx.astype(int),
                zip(s.start.astype(int), s.end.astype(int), strict=True),
                strict=True,
            )
        )
        pred = ta[ta.article_id == doc.doc_id].to_dict("records")
        used = set()
        for g in doc.layers.get("tallies") or []:
            gs = _spans(doc.text, [g.get("mention")])
            hit = None
            for pi, p in enumerate(pred):
                ss = sspans[int(p["sent_idx"])]
                if (
                    pi not in used
                    and _hits(gs, [ss])
                    and _n(p["count"]) is not None
                    and int(p["count"]) == int(g["count"])
                ):
                    hit = pi
                    break
            if hit is None:
                rows.append({"doc_id": doc.doc_id, "status": "fn", "gold": g, "pred": None})
            else:
                used.add(hit)
                rows.append({"doc_id": doc.doc_id, "status": "tp", "gold": g, "pred": pred[hit]})
        rows += [{"doc_id": doc.doc_id, "status": "fp", "gold": None, "pred": p}
                 for pi, p in enumerate(pred) if pi not in used]  # fmt: skip
    return pd.DataFrame(rows, columns=["doc_id", "status", "gold", "pred"])


def score_tallies(folder: str | Path | None = None, run=None) -> pd.DataFrame:
    """Tally precision / recall / F1 (same sentence, same count) and field accuracy of matches.

    Field accuracy compares ``qualifier``, ``since``, ``as_of``, ``target_id`` exactly
    and ``region`` case-insensitively, over matched tallies.
    """
    pairs = match_tallies(folder, run)
    counts = pairs.status.value_counts()
    rows = [{"measure": "tally", **prf(int(counts.get("tp", 0)), int(counts.get("fp", 0)),
                                       int(counts.get("fn", 0)))}]  # fmt: skip
    tp = pairs[pairs.status == "tp"]
    for col in ("qualifier", "since", "as_of", "target_id", "region"):
        flags = []
        for g, p in zip(tp.gold, tp.pred, strict=True):
            gv, pv = _n(g.get(col)), _n(p.get(col))
            if col in ("since", "as_of"):
                gv, pv = _d(gv), _d(pv)
            elif col == "region":
                gv, pv = (gv or "").lower() or None, (pv or "").lower() or None
            flags.append(gv == pv)
        rows.append(_accuracy(f"tally_{col}", flags))
    return pd.DataFrame(rows)


SCORERS["timex"] = score_timex
SCORERS["events"] = score_events
SCORERS["tallies"] = score_tallies


# --------------------------------------------------------------------------- quotes, framing (issue 6)


def _news_run(folder: str | Path | None = None) -> list[tuple]:
    """``(gold_doc, doc, rows)`` for every news gold document: the whole pipeline's rows
    (entities, quotes, ..., framing) for the stripped text, with its date and outlet."""
    from conflictlens import lexicons, pipeline
    from conflictlens.text import make_doc

    folder = Path(folder) if folder else gold_dir()
    news = folder / "news" if (folder / "news").is_dir() else folder
    key = str(news.resolve())
    if key not in _NEWS_RUNS:
        # only the stages quotes and framing read: their scores do not move with others' work
        stages = ("entities", "quotes", "framing")
        lex = lexicons.default_dir()
        models = {name: pipeline._stage(name).build(lex) for name in stages}
        out = []
        for gd in load_gold_docs(news):
            doc = make_doc(gd.doc_id, gd.text, published=gd.published, outlet=gd.outlet)
            found: dict[str, list[dict]] = {"turns": [
                {"article_id": doc.article_id, "turn_idx": t.idx, "speaker_label": t.label,
                 "speaker_id": t.speaker_id, "speaker_role": t.speaker_role, "start": t.start,
                 "end": t.end} for t in doc.turns]}  # fmt: skip
            for name in stages:
                for table, rows in pipeline._stage(name).extract(doc, models[name], found).items():
                    found.setdefault(table, []).extend(rows)
            out.append((gd, doc, found))
        _NEWS_RUNS[key] = out
    return _NEWS_RUNS[key]


_NEWS_RUNS: dict[str, list[tuple]] = {}


def _occurrences(text: str, sub: str, *, words: bool = False) -> list[int]:
    out, pos = [], text.find(sub)
    while pos >= 0 and sub:
        ok = not words or (
            (pos == 0 or not text[pos - 1].isalnum())
            and (pos + len(sub) >= len(text) or not text[pos + len(sub)].isalnum())
        )
        if ok:
            out.append(pos)
        pos = text.find(sub, pos + 1)
    return out


def _gold_spans(text: str, rows: list[dict], key: str) -> list[tuple[int, int, dict]]:
    """Spans of gold rows whose ``key`` is an exact substring; repeated strings take
    successive occurrences."""
    used: dict[str, int] = {}
    out = []
    for r in rows:
        sub = str(r.get(key) or "")
        occ = _occurrences(text, sub)
        k = used.get(sub, 0)
        if occ:
            a = occ[min(k, len(occ) - 1)]
            out.append((a, a + len(sub), r))
        used[sub] = k + 1
    return out


def _match_spans(gold: list[tuple], pred: list[tuple], *, min_overlap: float = 0.5) -> list[tuple]:
    """One-to-one matching of spans: pairs overlapping by at least ``min_overlap`` of the
    shorter one, best (overlap over the longer) first. Returns ``(gold_index, pred_index)``."""
    cands = []
    for i, (ga, gb, _) in enumerate(gold):
        for j, (pa, pb, _) in enumerate(pred):
            ov = min(gb, pb) - max(ga, pa)
            if ov > 0 and ov >= min_overlap * min(gb - ga, pb - pa):
                cands.append((ov / max(gb - ga, pb - pa), i, j))
    pairs, gi, pj = [], set(), set()
    for _, i, j in sorted(cands, key=lambda c: (-c[0], c[1], c[2])):
        if i not in gi and j not in pj:
            pairs.append((i, j))
            gi.add(i)
            pj.add(j)
    return pairs


def quote_pairs(
    folder: str | Path | None = None, kinds=("direct", "partial", "reported")
) -> pd.DataFrame:
    """Gold and predicted quotes of the news gold set, paired by span overlap, one row each.

    Columns: ``doc_id, start, end, gold_text, gold_kind, gold_speaker, pred_text, pred_kind,
    pred_speaker, matched``.
    """
    rows = []
    for gd, doc, found in _news_run(folder):
        gold = [g for g in _gold_spans(doc.text, gd.layers.get("quotes") or [], "text")
                if g[2].get("kind") in kinds]  # fmt: skip
        pred = [(r["start"], r["end"], r) for r in found.get("quotes", []) if r["kind"] in kinds]
        pairs = _match_spans(gold, pred)
        by_gold = dict(pairs)
        for i, (a, b, g) in enumerate(gold):
            p = pred[by_gold[i]][2] if i in by_gold else None
            rows.append({"doc_id": gd.doc_id, "start": a, "end": b, "gold_text": g.get("text"),
                         "gold_kind": g.get("kind"), "gold_speaker": g.get("speaker_id"),
                         "pred_text": p and p["text"], "pred_kind": p and p["kind"],
                         "pred_speaker": p and p["speaker_id"], "matched": p is not None})  # fmt: skip
        paired = {j for _, j in pairs}
        for j, (a, b, p) in enumerate(pred):
            if j not in paired:
                rows.append({"doc_id": gd.doc_id, "start": a, "end": b, "gold_text": None,
                             "gold_kind": None, "gold_speaker": None, "pred_text": p["text"],
                             "pred_kind": p["kind"], "pred_speaker": p["speaker_id"],
                             "matched": False})  # fmt: skip
    return pd.DataFrame(rows)


def score_quotes(folder: str | Path | None = None) -> pd.DataFrame:
    """Quote P/R/F1 (kinds direct, partial, reported; span overlap), speaker accuracy over
    matched quotes, kind accuracy, and scare-quote P/R/F1 (kinds scare and name).

    The Gender Gap Tracker reports quote F1 0.837 and speaker accuracy 86% on its news
    gold set: the bar to beat.
    """
    q = quote_pairs(folder)
    has_gold, has_pred = q["gold_kind"].notna(), q["pred_kind"].notna()
    tp = int(q["matched"].sum())
    rows = [{"measure": "quote_f1", **prf(tp, int((has_pred & ~q["matched"]).sum()),
                                          int((has_gold & ~q["matched"]).sum()))}]  # fmt: skip
    m = q[q["matched"]]
    same = m["gold_speaker"].fillna("-") == m["pred_speaker"].fillna("-")
    rows.append({"measure": "speaker_accuracy", "accuracy": round(same.mean(), 4) if len(m) else 0.0,
                 "correct": int(same.sum()), "n": len(m)})  # fmt: skip
    kind_ok = m["gold_kind"] == m["pred_kind"]
    rows.append({"measure": "quote_kind_accuracy", "accuracy": round(kind_ok.mean(), 4) if len(m) else 0.0,
                 "correct": int(kind_ok.sum()), "n": len(m)})  # fmt: skip
    for kind in ("direct", "partial", "reported"):
        g = q["gold_kind"] == kind
        p = q["pred_kind"] == kind
        hit = int((g & p & q["matched"]).sum())
        rows.append(
            {"measure": f"quote_f1_{kind}", **prf(hit, int(p.sum()) - hit, int(g.sum()) - hit)}
        )
    s = quote_pairs(folder, kinds=("scare", "name"))
    tp = int(s["matched"].sum())
    rows.append({"measure": "scare_f1", **prf(tp, int((s["pred_kind"].notna() & ~s["matched"]).sum()),
                                              int((s["gold_kind"].notna() & ~s["matched"]).sum()))})  # fmt: skip
    return pd.DataFrame(rows)


def _voice(v) -> str:
    # the gold set gives cues of an unresolved speaker to the narrator (README-news.md)
    return "narrator" if v in (None, "unknown_speaker") else v


def frame_sets(folder: str | Path | None = None) -> pd.DataFrame:
    """Gold and predicted frame cues at ``(doc, sentence, frame_id, voice)`` level.

    Columns: ``doc_id, sent_idx, frame_id, voice, in_gold, in_pred``.
    """
    rows = []
    for gd, doc, found in _news_run(folder):
        names = [(m.start, m.end) for m in gd.mentions]
        gold: set[tuple] = set()
        used: dict[str, int] = {}
        for g in gd.layers.get("frames") or []:
            cue = str(g.get("cue") or "")
            occ = [a for a in _occurrences(doc.text, cue, words=True)
                   if not any(s <= a and a + len(cue) <= e and e - s > len(cue) for s, e in names)]  # fmt: skip
            k = used.get(cue, 0)
            used[cue] = k + 1
            if occ:
                a = occ[min(k, len(occ) - 1)]
                gold.add((doc.sentence_at(a), g.get("frame_id"), _voice(g.get("voice"))))
        pred = {
            (int(r["sent_idx"]), r["frame_id"], _voice(r["voice"])) for r in found.get("frames", [])
        }
        for key in sorted(gold | pred, key=str):
            rows.append({"doc_id": gd.doc_id, "sent_idx": key[0], "frame_id": key[1], "voice": key[2],
                         "in_gold": key in gold, "in_pred": key in pred})  # fmt: skip
    return pd.DataFrame(
        rows, columns=["doc_id", "sent_idx", "frame_id", "voice", "in_gold", "in_pred"]
    )


def score_frames(folder: str | Path | None = None) -> pd.DataFrame:
    """Frame P/R/F1 at (sentence, frame_id, voice) level, and at (sentence, frame_id)."""
    f = frame_sets(folder)
    tp = int((f.in_gold & f.in_pred).sum())
    rows = [{"measure": "frame_f1", **prf(tp, int((f.in_pred & ~f.in_gold).sum()),
                                          int((f.in_gold & ~f.in_pred).sum()))}]  # fmt: skip
    g = f[f.in_gold][["doc_id", "sent_idx", "frame_id"]].drop_duplicates()
    p = f[f.in_pred][["doc_id", "sent_idx", "frame_id"]].drop_duplicates()
    both = len(g.merge(p))
    rows.append({"measure": "frame_f1_ignoring_voice", **prf(both, len(p) - both, len(g) - both)})
    return pd.DataFrame(rows)


def agency_pairs(folder: str | Path | None = None) -> pd.DataFrame:
    """Gold and predicted violence clauses, paired when the predicted verb overlaps the
    gold verb inside the gold clause. Columns: ``doc_id, sentence, gold_*, pred_*, matched``."""
    rows = []
    for gd, doc, found in _news_run(folder):
        gold = []
        for g in gd.layers.get("agency") or []:
            occ = _occurrences(doc.text, str(g.get("sentence") or ""))
            if not occ:
                continue
            v = str(g.get("sentence")).find(str(g.get("verb") or ""))
            a = occ[0] + max(v, 0)
            gold.append(
                (a, a + len(str(g.get("verb") or "")) if v >= 0 else occ[0] + len(g["sentence"]), g)
            )
        pred = [(r["start"], r["end"], r) for r in found.get("agency", [])]
        pairs = _match_spans(gold, pred, min_overlap=0.01)
        by_gold = dict(pairs)
        for i, (_, _, g) in enumerate(gold):
            p = pred[by_gold[i]][2] if i in by_gold else None
            rows.append({"doc_id": gd.doc_id, "sentence": g.get("sentence"), "gold_verb": g.get("verb"),
                         "gold_construction": g.get("construction"), "gold_agent": g.get("agent_id"),
                         "gold_patient": g.get("patient_id"), "pred_verb": p and p["verb"],
                         "pred_construction": p and p["construction"], "pred_agent": p and p["agent_id"],
                         "pred_patient": p and p["patient_id"], "matched": p is not None})  # fmt: skip
        paired = {j for _, j in pairs}
        for j, (_, _, p) in enumerate(pred):
            if j not in paired:
                rows.append({"doc_id": gd.doc_id, "sentence": doc.sentences[p["sent_idx"]].text,
                             "gold_verb": None, "gold_construction": None, "gold_agent": None,
                             "gold_patient": None, "pred_verb": p["verb"],
                             "pred_construction": p["construction"], "pred_agent": p["agent_id"],
                             "pred_patient": p["patient_id"], "matched": False})  # fmt: skip
    return pd.DataFrame(rows)


def score_agency(folder: str | Path | None = None) -> pd.DataFrame:
    """Violence-clause detection P/R/F1; construction, agent and patient accuracy over
    matched clauses; and the agentless-or-not accuracy the agentless rate rests on."""
    a = agency_pairs(folder)
    g, p, m = a["gold_verb"].notna(), a["pred_verb"].notna(), a["matched"]
    rows = [
        {
            "measure": "agency_clause_f1",
            **prf(int(m.sum()), int((p & ~m).sum()), int((g & ~m).sum())),
        }
    ]
    mm = a[m]
    agentless = {"passive_agentless", "nominal_agentless"}

    def acc(name, ok):
        rows.append({"measure": name, "accuracy": round(ok.mean(), 4) if len(ok) else 0.0,
                     "correct": int(ok.sum()), "n": len(ok)})  # fmt: skip

    acc("agency_construction_accuracy", mm["gold_construction"] == mm["pred_construction"])
    acc(
        "agency_agentless_accuracy",
        mm["gold_construction"].isin(agentless) == mm["pred_construction"].isin(agentless),
    )
    acc("agency_agent_accuracy", mm["gold_agent"].fillna("-") == mm["pred_agent"].fillna("-"))
    acc("agency_patient_accuracy", mm["gold_patient"].fillna("-") == mm["pred_patient"].fillna("-"))
    return pd.DataFrame(rows)


SCORERS["quotes"] = score_quotes
SCORERS["frames"] = score_frames
SCORERS["agency"] = score_agency


# --------------------------------------------------------------------------- White House corpus (issue 10)

WH_CORPUS = Path("data") / "raw" / "whitehouse" / "whitehouse-2023-10_2024-03.jsonl.gz"
"""The White House corpus the ``tests/gold/whitehouse`` annotations point into."""


@dataclass
class WhGold:
    """One gold file of ``tests/gold/whitehouse``: annotations on a real corpus document."""

    article_id: str
    published: date | None
    kind: str
    layers: dict
    path: Path
    text: str = ""
    row: dict = field(default_factory=dict)


def wh_gold_dir(folder: str | Path | None = None) -> Path:
    """``tests/gold/whitehouse`` (or ``folder/whitehouse`` when given the gold root)."""
    folder = Path(folder) if folder else gold_dir()
    return folder / "whitehouse" if (folder / "whitehouse").is_dir() else folder


def load_wh_gold(
    folder: str | Path | None = None, corpus: str | Path | None = None
) -> list[WhGold]:
    """The White House gold files, each with its document's text from the corpus.

    The gold files hold annotations and exact substrings, not the texts: the text is
    read from ``corpus`` (default :data:`WH_CORPUS`) by ``article_id``, through the same
    loader the pipeline uses, so offsets agree.
    """
    from conflictlens.corpus import load_corpus
    from conflictlens.pipeline import resolve_path

    golds = []
    for p in sorted(wh_gold_dir(folder).glob("*.yaml")):
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
        pub = raw.get("published")
        pub = date.fromisoformat(pub) if isinstance(pub, str) else pub
        layers = {
            k: v
            for k, v in raw.items()
            if k not in {"article_id", "published", "kind", "title", "note"}
        }
        golds.append(WhGold(str(raw["article_id"]), pub, str(raw.get("kind", "")), layers, p))
    if not golds:
        return golds
    articles = load_corpus(resolve_path(corpus or WH_CORPUS), detect_near_duplicates=False).articles
    rows = {r["article_id"]: r for r in articles.to_dict("records")}
    for g in golds:
        if g.article_id not in rows:
            raise KeyError(f"{g.path}: article_id {g.article_id!r} is not in the corpus")
        g.row, g.text = rows[g.article_id], rows[g.article_id]["text"]
    return golds


_WH_RUNS: dict[str, list[tuple]] = {}


def _wh_run(folder: str | Path | None = None) -> list[tuple]:
    """``(gold, doc, rows)`` per White House gold document: every stage's rows for it."""
    from conflictlens import pipeline

    key = str(wh_gold_dir(folder).resolve())
    if key not in _WH_RUNS:
        models = pipeline.Models.build()
        out = []
        for g in load_wh_gold(folder):
            doc = pipeline.doc_from_row(g.row)
            out.append((g, doc, pipeline.analyze_doc(doc, models)))
        _WH_RUNS[key] = out
    return _WH_RUNS[key]


def _wh_scope(g: WhGold, doc) -> list[tuple[int, int]]:
    """The paragraphs holding a relevance substring judged relevant: where the quotes,
    events and tallies of a gold file are complete (nothing outside is scored)."""
    scope = set()
    for e in g.layers.get("relevance") or []:
        i = doc.text.find(e["text"])
        if e.get("relevant") and i >= 0:
            scope.update((a, b) for a, b in doc.paragraphs if a <= i < b)
    return sorted(scope)


def _inside(a: int, b: int, spans: list[tuple[int, int]]) -> bool:
    return any(a < se and ss < b for ss, se in spans)


def wh_turn_pairs(folder: str | Path | None = None) -> pd.DataFrame:
    """Gold speaker turns located in the text, each with the predicted turn at that place.

    A gold turn is its label as printed and the first words spoken; it is found by
    searching ``label`` + optional colon + spaces + ``text`` after the previous gold turn.
    Columns: article_id, offset, label, gold_role, gold_speaker, pred_role, pred_speaker,
    boundary (a predicted turn starts exactly there).
    """
    rows = []
    for g, doc, found in _wh_run(folder):
        turns = sorted(found.get("turns", []), key=lambda t: t["start"])
        starts = {t["start"]: t for t in turns}
        pos = 0
        for t in g.layers.get("turns") or []:
            m = re.compile(re.escape(t["label"]) + r":?\s+" + re.escape(t["text"])).search(
                doc.text, pos
            )
            if m is None:
                raise ValueError(f"{g.path}: gold turn not found: {t}")
            off = m.end() - len(t["text"])
            pos = m.start() + len(t["label"])
            pred = starts.get(off) or next((p for p in turns if p["start"] <= off < p["end"]), None)
            rows.append({"article_id": g.article_id, "offset": off, "label": t["label"],
                         "gold_role": t["role"], "gold_speaker": t["speaker_id"],
                         "pred_role": pred and pred["speaker_role"],
                         "pred_speaker": pred and pred["speaker_id"],
                         "boundary": off in starts})  # fmt: skip
    return pd.DataFrame(rows)


def score_wh_turns(folder: str | Path | None = None) -> pd.DataFrame:
    """Speaker-turn accuracy on the White House gold transcripts (``transcripts.py``).

    Measures: ``turn_boundary`` (a predicted turn starts where the gold turn's words do),
    ``turn_role`` and ``turn_speaker`` (the role and speaker id of the predicted turn at
    that place equal the gold ones; a turn not found counts as wrong).
    """
    p = wh_turn_pairs(folder)
    if p.empty:
        return pd.DataFrame(
            [_acc("turn_boundary", []), _acc("turn_role", []), _acc("turn_speaker", [])]
        )
    return pd.DataFrame([
        _acc("turn_boundary", p["boundary"].tolist()),
        _acc("turn_role", (p["gold_role"] == p["pred_role"]).tolist()),
        _acc("turn_speaker", (p["gold_speaker"] == p["pred_speaker"]).tolist()),
    ])  # fmt: skip


def _acc(name: str, flags: list[bool]) -> dict:
    n = len(flags)
    return {"measure": name, "accuracy": round(sum(flags) / n, 4) if n else 0.0,
            "correct": int(sum(flags)), "n": n}  # fmt: skip


def wh_relevance_pairs(folder: str | Path | None = None) -> pd.DataFrame:
    """Gold relevance judgements, each with the predicted passage that holds its substring.

    Columns: article_id, kind (the document's), text, gold, gold_topic, pred, pred_topic,
    passage_kind, inherited.
    """
    rows = []
    for g, doc, found in _wh_run(folder):
        ps = sorted(found.get("passages", []), key=lambda r: r["start"])
        for e in g.layers.get("relevance") or []:
            i = doc.text.find(e["text"])
            p = next((r for r in ps if r["start"] <= i < r["end"]), None) if i >= 0 else None
            rows.append({"article_id": g.article_id, "kind": g.kind, "text": e["text"],
                         "gold": bool(e["relevant"]), "gold_topic": e.get("topic"),
                         "pred": bool(p and p["relevant"]), "pred_topic": p and p["topic"],
                         "passage_kind": p and p["kind"], "inherited": p and p.get("inherited")})  # fmt: skip
    return pd.DataFrame(rows)


def score_wh_relevance(folder: str | Path | None = None) -> pd.DataFrame:
    """Relevance of passages on the White House gold set.

    Measures: ``relevance`` (P/R/F1 of "relevant", any topic), ``relevance_transcripts``
    and ``relevance_prose`` (the same on documents with and without speaker turns), and
    ``topic`` (accuracy of the topic over passages both gold and prediction call relevant).
    """
    p = wh_relevance_pairs(folder)
    rows = []
    if p.empty:
        p = pd.DataFrame(columns=["gold", "pred", "gold_topic", "pred_topic", "passage_kind"])

    def counts(d):
        tp = int((d["gold"] & d["pred"]).sum())
        return prf(tp, int((~d["gold"] & d["pred"]).sum()), int((d["gold"] & ~d["pred"]).sum()))

    p = p.astype({"gold": bool, "pred": bool})
    rows.append({"measure": "relevance", **counts(p)})
    rows.append({"measure": "relevance_transcripts", **counts(p[p["passage_kind"] == "turn"])})
    rows.append({"measure": "relevance_prose", **counts(p[p["passage_kind"] != "turn"])})
    both = p[p["gold"] & p["pred"]]
    rows.append(_acc("topic", (both["gold_topic"] == both["pred_topic"]).tolist()))
    return pd.DataFrame(rows)


def score_wh_events(folder: str | Path | None = None) -> pd.DataFrame:
    """Events of the White House gold set, within each file's scope (see :func:`_wh_scope`).

    A predicted event is in scope when one of its evidence sentences overlaps a scope
    paragraph; it matches a gold event when one of those sentences overlaps one of the
    gold event's ``mentions`` and their types are compatible (``attack`` goes with any
    type). Measures: ``event`` P/R/F1; ``date_within_precision`` (see
    :func:`date_within_precision`) and ``date_exact`` (same start and end day) over
    matched events with a gold date; ``perpetrator``, ``target``, ``killed`` accuracy
    over matched events; ``distractor_rejected`` (no event or tally predicted in the
    sentence of a distractor, unless a gold event mention is in that sentence too, for
    events). With no events extracted every count is zero.
    """
    try:
        from conflictlens.events import _compatible_types
    except ImportError:  # the events stage may not offer it yet

        def _compatible_types(a, b):
            return a == b or "attack" in (a, b)

    tp = fp = fn = 0
    matched = []
    distractor_ok = []
    for g, doc, found in _wh_run(folder):
        scope = _wh_scope(g, doc)
        sents = {s.idx: (s.start, s.end) for s in doc.sentences}
        preds = []
        for ev in found.get("events", []):
            idxs = ev.get("sent_idxs")
            idxs = list(idxs) if idxs is not None and len(idxs) else [ev["sent_idx"]]
            spans = [sents[int(i)] for i in idxs if int(i) in sents]
            if (
                _inside(min(a for a, _ in spans), max(b for _, b in spans), scope)
                if spans
                else False
            ):
                preds.append((ev, spans))
        gold = g.layers.get("events") or []
        cands = []
        for gi, ge in enumerate(gold):
            gspans = [
                (i, i + len(m)) for m in ge.get("mentions") or [] if (i := doc.text.find(m)) >= 0
            ]
            for pi, (pe, spans) in enumerate(preds):
                hits = sum(_inside(a, b, spans) for a, b in gspans)
                if hits and _compatible_types(pe["event_type"], ge.get("event_type") or "attack"):
                    cands.append((-hits, gi, pi))
        used_g, used_p = set(), set()
        for _, gi, pi in sorted(cands):
            if gi not in used_g and pi not in used_p:
                used_g.add(gi)
                used_p.add(pi)
                matched.append((gold[gi], preds[pi][0]))
        tp += len(used_g)
        fn += len(gold) - len(used_g)
        fp += len(preds) - len(used_p)
        # distractors: no tally, and no event unless a gold event is also in that sentence
        gold_sents = set()
        for ge in gold:
            for m in ge.get("mentions") or []:
                i = doc.text.find(m)
                if i >= 0:
                    gold_sents.update(k for k, (a, b) in sents.items() if a < i + len(m) and i < b)
        ev_sents, ta_sents = set(), {int(t["sent_idx"]) for t in found.get("tallies", [])}
        for ev in found.get("events", []):
            idxs = ev.get("sent_idxs")
            ev_sents.update(
                int(i) for i in (idxs if idxs is not None and len(idxs) else [ev["sent_idx"]])
            )
        for d in g.layers.get("distractors") or []:
            i = doc.text.find(d)
            hit = {k for k, (a, b) in sents.items() if a < i + len(d) and i < b}
            distractor_ok.append(
                not (hit & ta_sents) and (not (hit & ev_sents) or bool(hit & gold_sents))
            )
    rows = [{"measure": "event", **prf(tp, fp, fn)}]
    dated = [(ge, pe) for ge, pe in matched if ge.get("date_start")]
    rows.append(_acc("date_within_precision", [
        date_within_precision(_wh_day(pe.get("date")), _wh_day(ge["date_start"]), _wh_day(ge["date_end"]),
                              ge.get("date_precision"))
        for ge, pe in dated]))  # fmt: skip
    rows.append(_acc("date_exact", [
        _wh_day(pe.get("date_start")) == _wh_day(ge["date_start"])
        and _wh_day(pe.get("date_end")) == _wh_day(ge["date_end"]) for ge, pe in dated]))  # fmt: skip
    for name, col in (
        ("perpetrator", "perpetrator_id"),
        ("target", "target_id"),
        ("killed", "killed"),
    ):
        rows.append(
            _acc(name, [_wh_value(ge.get(col)) == _wh_value(pe.get(col)) for ge, pe in matched])
        )
    rows.append(_acc("distractor_rejected", distractor_ok))
    return pd.DataFrame(rows)


def _wh_day(v):
    if v is None or v is pd.NaT or (isinstance(v, float) and pd.isna(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    if isinstance(v, str):
        return date.fromisoformat(v[:10])
    return v


def _wh_value(v):
    if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)):
        return None
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def score_wh_tallies(folder: str | Path | None = None) -> pd.DataFrame:
    """Tallies of the White House gold set within each file's scope: a predicted tally in a
    scope paragraph matches a gold one in the same sentence with the same count.
    Measures: ``tally`` P/R/F1 and ``tally_since`` accuracy over matches."""
    tp = fp = fn = 0
    since_ok = []
    for g, doc, found in _wh_run(folder):
        scope = _wh_scope(g, doc)
        sents = {s.idx: (s.start, s.end) for s in doc.sentences}
        preds = [t for t in found.get("tallies", []) if int(t["sent_idx"]) in sents
                 and _inside(*sents[int(t["sent_idx"])], scope)]  # fmt: skip
        used = set()
        for gt in g.layers.get("tallies") or []:
            i = doc.text.find(gt["mention"])
            span = (i, i + len(gt["mention"]))
            hit = next((k for k, t in enumerate(preds) if k not in used
                        and _inside(*span, [sents[int(t["sent_idx"])]])
                        and _wh_value(t.get("count")) == int(gt["count"])), None)  # fmt: skip
            if hit is None:
                fn += 1
            else:
                used.add(hit)
                tp += 1
                since_ok.append(_wh_day(preds[hit].get("since")) == _wh_day(gt.get("since")))
        fp += len(preds) - len(used)
    return pd.DataFrame([{"measure": "tally", **prf(tp, fp, fn)}, _acc("tally_since", since_ok)])


def score_wh_quotes(folder: str | Path | None = None) -> pd.DataFrame:
    """Quotes inside the White House gold texts (an official quoting the President, a
    reporter quoting a senator or a militia statement), within each file's scope.

    Predicted quotes of kinds direct, partial and reported that start in a scope
    paragraph are paired one-to-one with gold quotes of those kinds by span overlap (at
    least half of the shorter span). Measures: ``quote`` P/R/F1 and ``quote_speaker``
    accuracy over matches (both unknown counts as equal). Scare quotes are not scored.
    """
    kinds = ("direct", "partial", "reported")
    tp = fp = fn = 0
    speaker_ok = []
    for g, doc, found in _wh_run(folder):
        scope = _wh_scope(g, doc)
        gold = []
        for q in g.layers.get("quotes") or []:
            if q.get("kind") not in kinds:
                continue
            occ = [
                i
                for i in _all_occurrences(doc.text, q["text"])
                if _inside(i, i + len(q["text"]), scope)
            ]
            occ = occ or _all_occurrences(doc.text, q["text"])
            taken = {a for a, _, _ in gold}
            i = next((o for o in occ if o not in taken), occ[0] if occ else -1)
            if i >= 0:
                gold.append((i, i + len(q["text"]), q))
        pred = [(int(r["start"]), int(r["end"]), r) for r in found.get("quotes", [])
                if r.get("kind") in kinds and _inside(int(r["start"]), int(r["start"]) + 1, scope)]  # fmt: skip
        cands = []
        for gi, (ga, gb, _) in enumerate(gold):
            for pi, (pa, pb, _) in enumerate(pred):
                ov = min(gb, pb) - max(ga, pa)
                if ov > 0 and ov >= 0.5 * min(gb - ga, pb - pa):
                    cands.append((-ov / max(gb - ga, pb - pa), gi, pi))
        used_g, used_p = set(), set()
        for _, gi, pi in sorted(cands):
            if gi not in used_g and pi not in used_p:
                used_g.add(gi)
                used_p.add(pi)
                speaker_ok.append(
                    (gold[gi][2].get("speaker_id") or "-") == (pred[pi][2].get("speaker_id") or "-")
                )
        tp += len(used_g)
        fn += len(gold) - len(used_g)
        fp += len(pred) - len(used_p)
    return pd.DataFrame(
        [{"measure": "quote", **prf(tp, fp, fn)}, _acc("quote_speaker", speaker_ok)]
    )


def _all_occurrences(text: str, sub: str) -> list[int]:
    out, i = [], text.find(sub)
    while i >= 0 and sub:
        out.append(i)
        i = text.find(sub, i + 1)
    return out


SCORERS["wh_turns"] = score_wh_turns
SCORERS["wh_relevance"] = score_wh_relevance
SCORERS["wh_events"] = score_wh_events
SCORERS["wh_tallies"] = score_wh_tallies
SCORERS["wh_quotes"] = score_wh_quotes
