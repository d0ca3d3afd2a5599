"""Attack-frequency trends: series of unique events, rolling rates, change points,
tallies against counts, and before/after comparisons around key events.

Everything here takes tables and returns tables; nothing is written to disk. The input
is normally the one-row-per-happening table of :func:`conflictlens.events.unique_events`
(so an attack reported by five outlets counts once), optionally an ACLED-layout
reference list read with :func:`load_reference`.

Dates
-----
An event is placed at its ``date`` (the day, or the middle of the interval the text
supports: "late January" sits on 26 January). Events whose text gives no date are left
out of the series by default (``undated="drop"``); ``undated="reported"`` places them at
the day they were first reported, which is a lower bound on how recent they are.

Change points
-------------
:func:`change_points` runs PELT (:class:`ruptures.Pelt`, least-squares cost ``l2``) on
the count series. The default penalty is ``2 * log(n) * var(series)`` (a BIC-style
penalty scaled by the series' own variance, so it works for daily and weekly counts
alike); pass ``penalty=`` to make the detector more (lower) or less (higher) eager.
"""

from __future__ import annotations

import math
import re
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from conflictlens import lexicons
from conflictlens.text import fold

FREQS = {"D": "D", "W": "W-MON", "M": "MS"}
"""Series frequencies: day, week (starting Monday), month."""


# --------------------------------------------------------------------------- inputs


def load_key_events(path: str | Path | None = None) -> pd.DataFrame:
    """The key events marked on the figures (``data/lexicons/key_events.csv``).

    Returns a DataFrame with ``date`` (Timestamp) and ``label``, sorted by date.
    A bad row fails with ``file:line: what is wrong``.

    Examples
    --------
    >>> ke = load_key_events()
    >>> ke.loc[ke.date == "2024-01-28", "label"].item()
    'Tower 22 attack kills three US soldiers'
    """
    path = Path(path) if path else lexicons.default_dir() / "key_events.csv"

    def check(line, row):
        if not re.fullmatch(r"\d{4}-\d\d-\d\d", row["date"]):
            return f"date must be YYYY-MM-DD, got {row['date']!r}"
        try:
            date.fromisoformat(row["date"])
        except ValueError:
            return f"not a calendar date: {row['date']!r}"
        return None if row["label"] else "empty label"

    df = lexicons.load_table(path, ["date", "label"], validate=check)
    df["date"] = pd.to_datetime(df["date"])
    return df.sort_values("date").reset_index(drop=True)[["date", "label"]]


def load_reference(path: str | Path | None) -> pd.DataFrame | None:
    """An ACLED-layout reference list as an events table (one row per event).

    Reads with :func:`conflictlens.corpus.load_acled` (rows it rejects are dropped) and
    adds ``country_id`` from the country name. Columns: ``date``, ``event_type``,
    ``perpetrator_id``, ``target_id``, ``country_id``, ``killed`` and the ACLED fields.
    A relative ``path`` is found from the working directory or the project root;
    ``None`` gives ``None`` (no reference).

    Examples
    --------
    >>> ref = load_reference("data/events/reference_events.csv")
    >>> {"date", "event_type", "perpetrator_id", "country_id"} <= set(ref.columns)
    True
    """
    from conflictlens.corpus import load_acled
    from conflictlens.pipeline import resolve_path

    if path is None:
        return None
    ref, _rejects = load_acled(resolve_path(path))
    if len(ref) == 0:
        return pd.DataFrame(columns=["date", "event_type", "perpetrator_id", "target_id",
                                     "country_id", "killed"])  # fmt: skip
    names = _place_names()
    ref = ref.copy()
    ref["country_id"] = ref["country"].map(lambda c: names.get(fold(str(c)).strip()) if c else None)
    return ref


def _place_names() -> dict[str, str]:
    path = lexicons.default_dir() / "actors.csv"
    return dict(_place_names_of(path, path.stat().st_mtime_ns))


@lru_cache(maxsize=4)
def _place_names_of(path: Path, mtime_ns: int) -> tuple[tuple[str, str], ...]:
    # read once per version of the file: tallies ask for it once per row
    actors = lexicons.load_actors(path)
    states = actors[actors.entity_type.isin(["state", "place", "city", "capital"])]
    return tuple((fold(a).strip(), e) for a, e in zip(states.alias, states.entity_id, strict=True))


def coverage_period(
    tables: dict[str, pd.DataFrame], start: str | date | None = None, end: str | date | None = None
) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """``(start, end)`` as given, a missing bound taken from the corpus' publication dates.

    Events are placed by the date the text gives them, which can be long before the
    corpus (a 2020 strike recalled in 2024); by default the series cover the period the
    corpus was published in.

    Examples
    --------
    >>> arts = pd.DataFrame({"published": [date(2024, 1, 3), date(2024, 2, 9)]})
    >>> [str(d.date()) for d in coverage_period({"articles": arts})]
    ['2024-01-03', '2024-02-09']
    >>> str(coverage_period({"articles": arts}, start="2023-12-01")[0].date())
    '2023-12-01'
    """
    pub = pd.to_datetime(tables.get("articles", pd.DataFrame()).get("published", pd.Series(dtype=object)),
                         errors="coerce").dropna()  # fmt: skip
    lo = pd.Timestamp(start) if start is not None else (pub.min().normalize() if len(pub) else None)
    hi = pd.Timestamp(end) if end is not None else (pub.max().normalize() if len(pub) else None)
    return lo, hi


def event_dates(events: pd.DataFrame, *, undated: str = "drop") -> pd.Series:
    """The date each event is counted at (Timestamp), NaT when it cannot be placed.

    ``undated="drop"`` leaves events without a date of their own as NaT;
    ``"reported"`` falls back to ``first_reported`` (or ``published``).

    Examples
    --------
    >>> ev = pd.DataFrame({"date": [date(2024, 1, 28), None],
    ...                    "first_reported": [date(2024, 1, 29), date(2024, 2, 1)]})
    >>> [str(d.date()) if pd.notna(d) else None for d in event_dates(ev, undated="reported")]
    ['2024-01-28', '2024-02-01']
    """
    if undated not in ("drop", "reported"):
        raise ValueError(f"undated must be 'drop' or 'reported', got {undated!r}")
    d = pd.to_datetime(
        events["date"] if "date" in events else pd.Series(pd.NaT, index=events.index)
    )
    if undated == "reported":
        for col in ("first_reported", "published"):
            if col in events:
                d = d.fillna(pd.to_datetime(events[col]))
                break
    return d


def select_events(
    events: pd.DataFrame,
    *,
    start: str | date | None = None,
    end: str | date | None = None,
    perpetrators: list[str] | None = None,
    targets: list[str] | None = None,
    countries: list[str] | None = None,
    event_types: list[str] | None = None,
    undated: str = "drop",
) -> pd.DataFrame:
    """Events within ``[start, end]`` and the given perpetrators, targets, countries, types.

    ``None`` means no filter. Adds the column ``when`` (the date counted, see
    :func:`event_dates`); events that cannot be placed in time are dropped.

    Examples
    --------
    >>> ev = pd.DataFrame({"date": [date(2024, 1, 28), date(2024, 2, 2)],
    ...                    "perpetrator_id": ["islamic_resistance_in_iraq", "united_states"],
    ...                    "event_type": ["drone_strike", "air_strike"], "country_id": ["jordan", "iraq"]})
    >>> select_events(ev, perpetrators=["united_states"]).event_type.tolist()
    ['air_strike']
    """
    out = events.copy()
    out["when"] = event_dates(out, undated=undated)
    out = out[out["when"].notna()]
    if start is not None:
        out = out[out["when"] >= pd.Timestamp(start)]
    if end is not None:
        out = out[out["when"] <= pd.Timestamp(end)]
    for col, wanted in (("perpetrator_id", perpetrators), ("target_id", targets),
                        ("country_id", countries), ("event_type", event_types)):  # fmt: skip
        if wanted is not None and col in out:
            out = out[out[col].isin(list(wanted))]
    return out.sort_values("when").reset_index(drop=True)


# --------------------------------------------------------------------------- series


def event_series(
    events: pd.DataFrame,
    *,
    freq: str = "W",
    by: str | None = None,
    start: str | date | None = None,
    end: str | date | None = None,
    top_n: int | None = 6,
    undated: str = "drop",
) -> pd.DataFrame:
    """Count events per day (``"D"``), week (``"W"``, weeks start on Monday) or month (``"M"``).

    Parameters
    ----------
    events : DataFrame
        Unique events (or any events table with ``date``).
    freq : {"D", "W", "M"}
    by : str, optional
        A column to split the counts by (``"perpetrator_id"``, ``"target_id"``,
        ``"country_id"``, ``"event_type"``); missing values count as ``"unknown"``.
    start, end : date-like, optional
        The span of the index (defaults: the first and last event); periods without
        events are 0.
    top_n : int, optional
        With ``by``, keep the ``top_n`` largest groups and sum the rest as ``"other"``.

    Returns
    -------
    DataFrame indexed by period start (``period``), one column per group (or ``events``).

    Examples
    --------
    >>> ev = pd.DataFrame({"date": [date(2024, 1, 1), date(2024, 1, 3), date(2024, 1, 17)],
    ...                    "event_type": ["drone_strike", "rocket_attack", "drone_strike"]})
    >>> event_series(ev)["events"].tolist()
    [2, 0, 1]
    >>> event_series(ev, by="event_type").loc["2024-01-01"].to_dict()
    {'drone_strike': 1, 'rocket_attack': 1}
    """
    if freq not in FREQS:
        raise ValueError(f"freq must be one of {sorted(FREQS)}, got {freq!r}")
    sel = select_events(events, start=start, end=end, undated=undated) if len(events) else events
    rule = FREQS[freq]
    if len(sel) == 0:
        if start is None or end is None:
            return pd.DataFrame(columns=["events"], index=pd.DatetimeIndex([], name="period"))
        idx = pd.date_range(
            _period_start(pd.Timestamp(start), freq), pd.Timestamp(end), freq=rule, name="period"
        )
        return pd.DataFrame({"events": 0}, index=idx)
    periods = sel["when"].map(lambda d: _period_start(d, freq))
    lo = _period_start(pd.Timestamp(start), freq) if start is not None else periods.min()
    hi = pd.Timestamp(end) if end is not None else periods.max()
    idx = pd.date_range(lo, hi, freq=rule, name="period")
    if by is None:
        counts = periods.value_counts().rename("events").to_frame()
    else:
        groups = (
            sel[by].fillna("unknown").astype(str)
            if by in sel
            else pd.Series("unknown", index=sel.index)
        )
        if top_n is not None:
            keep = groups.value_counts().index[:top_n]
            groups = groups.where(groups.isin(keep), "other")
        counts = pd.crosstab(periods, groups)
        counts = counts[sorted(counts.columns, key=lambda c: (c == "other", c))]
    out = counts.reindex(idx, fill_value=0).astype(int)
    out.columns.name = None
    return out


def _period_start(d: pd.Timestamp, freq: str) -> pd.Timestamp:
    d = pd.Timestamp(d).normalize()
    if freq == "W":
        return d - pd.Timedelta(days=d.weekday())
    if freq == "M":
        return d.replace(day=1)
    return d


def rolling_rate(series: pd.DataFrame | pd.Series, *, window: int = 4) -> pd.DataFrame | pd.Series:
    """The mean count per period over the last ``window`` periods (a trailing rolling mean).

    Examples
    --------
    >>> rolling_rate(pd.Series([0, 2, 4, 2]), window=2).tolist()
    [0.0, 1.0, 3.0, 3.0]
    """
    return series.rolling(window, min_periods=1).mean()


def default_penalty(values) -> float:
    """``2 * log(n) * var(values)`` (at least 1): the BIC-style PELT penalty used by default.

    Examples
    --------
    >>> round(default_penalty([0, 0, 4, 4]), 3)
    11.09
    """
    x = np.asarray(values, dtype=float)
    n = max(len(x), 2)
    return max(2.0 * math.log(n) * float(np.var(x)), 1.0)


def change_points(
    series: pd.Series,
    *,
    penalty: float | None = None,
    model: str = "l2",
    min_size: int = 2,
) -> pd.DataFrame:
    """Where the level of a count series shifts (PELT from ``ruptures``).

    Parameters
    ----------
    series : Series
        Counts per period (a column of :func:`event_series`), indexed by period.
    penalty : float, optional
        PELT's penalty; default :func:`default_penalty` (``2 log(n) var``). Higher
        finds fewer changes.
    model : str
        ruptures cost model (``"l2"``: a change in mean).
    min_size : int
        Shortest segment, in periods.

    Returns
    -------
    DataFrame, one row per change: ``period`` (first period of the new segment),
    ``mean_before``, ``mean_after`` (mean count per period in the segments either side)
    and ``penalty``.

    Examples
    --------
    >>> s = pd.Series([0, 0, 0, 0, 0, 6, 7, 6, 7, 6],
    ...               index=pd.date_range("2024-01-01", periods=10, freq="W-MON"))
    >>> cp = change_points(s)
    >>> r = cp.iloc[0]
    >>> str(r.period.date()), float(r.mean_before), float(r.mean_after)
    ('2024-02-05', 0.0, 6.4)
    """
    import ruptures as rpt

    cols = ["period", "mean_before", "mean_after", "penalty"]
    x = np.asarray(series, dtype=float)
    if len(x) < 2 * min_size or np.all(x == x[0]):
        return pd.DataFrame(columns=cols)
    pen = default_penalty(x) if penalty is None else float(penalty)
    bkps = rpt.Pelt(model=model, min_size=min_size, jump=1).fit(x.reshape(-1, 1)).predict(pen=pen)
    edges = [0, *bkps]
    rows = []
    for i in range(1, len(edges) - 1):
        a, b, c = edges[i - 1], edges[i], edges[i + 1]
        rows.append({"period": series.index[b], "mean_before": round(float(x[a:b].mean()), 3),
                     "mean_after": round(float(x[b:c].mean()), 3), "penalty": round(pen, 3)})  # fmt: skip
    return pd.DataFrame(rows, columns=cols)


# --------------------------------------------------------------------------- tallies


def _region_ids(region) -> list[str]:
    if region is None or (isinstance(region, float) and pd.isna(region)):
        return []
    names = _place_names()
    parts = re.split(r",|\band\b|\bor\b", fold(str(region)))
    return [names[p.strip()] for p in parts if p.strip() in names]


def tally_reconciliation(
    tallies: pd.DataFrame,
    events: pd.DataFrame,
    reference: pd.DataFrame | None = None,
    *,
    units: tuple[str, ...] = ("attacks",),
) -> pd.DataFrame:
    """Reported tallies beside the events counted over the same span.

    For each tally of ``units`` (by default counts of attacks), count the unique
    events dated within ``[since, as_of]`` (from the start of the data when the tally
    gives no ``since``) that match the tally's target (when given) and region (the
    countries it names, when any), in ``events`` (``extracted``) and in ``reference``.
    A tally is a lower bound when it says "more than" / "at least"; ``extracted_share``
    = extracted / count says how much of the reported activity the corpus itself tells.

    Examples
    --------
    >>> ta = pd.DataFrame({"article_id": ["a"], "sent_idx": [0], "count": [3], "qualifier": ["more_than"],
    ...     "unit": ["attacks"], "since": [date(2024, 1, 1)], "as_of": [date(2024, 1, 31)],
    ...     "target_id": ["united_states"], "region": ["Iraq and Syria"]})
    >>> ev = pd.DataFrame({"date": [date(2024, 1, 5), date(2024, 1, 9), date(2024, 2, 9)],
    ...     "target_id": ["united_states"] * 3, "country_id": ["iraq", "jordan", "iraq"]})
    >>> r = tally_reconciliation(ta, ev).iloc[0]
    >>> int(r["count"]), int(r.extracted), float(r.extracted_share)
    (3, 1, 0.333)
    """
    cols = ["article_id", "sent_idx", "as_of", "since", "count", "qualifier", "unit", "target_id",
            "region", "extracted", "extracted_share", "reference", "reference_share"]  # fmt: skip
    if tallies is None or len(tallies) == 0:
        return pd.DataFrame(columns=cols)
    ta = tallies[tallies["unit"].isin(units)] if "unit" in tallies else tallies
    ev = events.assign(when=event_dates(events)) if len(events) else events
    ref = (
        reference.assign(when=pd.to_datetime(reference["date"]))
        if reference is not None and len(reference)
        else None
    )
    rows = []
    for t in ta.to_dict("records"):
        as_of = (
            pd.Timestamp(t["as_of"])
            if t.get("as_of") is not None and pd.notna(t.get("as_of"))
            else None
        )
        since = (
            pd.Timestamp(t["since"])
            if t.get("since") is not None and pd.notna(t.get("since"))
            else None
        )
        region = _region_ids(t.get("region"))
        target = t.get("target_id") if isinstance(t.get("target_id"), str) else None

        def count(df, as_of=as_of, since=since, target=target, region=region):
            if df is None or len(df) == 0 or as_of is None:
                return None
            m = df["when"].notna() & (df["when"] <= as_of)
            if since is not None:
                m &= df["when"] >= since
            if target and "target_id" in df:
                m &= df["target_id"] == target
            if region and "country_id" in df:
                m &= df["country_id"].isin(region)
            return int(m.sum())

        n = int(t["count"])
        got, refn = count(ev), count(ref)
        rows.append({
            "article_id": t.get("article_id"), "sent_idx": t.get("sent_idx"),
            "as_of": as_of, "since": since, "count": n, "qualifier": t.get("qualifier"),
            "unit": t.get("unit"), "target_id": target, "region": t.get("region"),
            "extracted": got, "extracted_share": round(got / n, 3) if got is not None and n else None,
            "reference": refn, "reference_share": round(refn / n, 3) if refn is not None and n else None,
        })  # fmt: skip
    return (
        pd.DataFrame(rows, columns=cols).sort_values("as_of", kind="stable").reset_index(drop=True)
    )


def main_target(reconciliation: pd.DataFrame) -> str | None:
    """The target most tallies count attacks on (None if they name none).

    Examples
    --------
    >>> main_target(pd.DataFrame({"target_id": ["united_states", None, "united_states", "israel"]}))
    'united_states'
    """
    if reconciliation is None or len(reconciliation) == 0 or "target_id" not in reconciliation:
        return None
    counts = reconciliation["target_id"].dropna().value_counts()
    return str(counts.index[0]) if len(counts) else None


def cumulative_counts(
    events: pd.DataFrame,
    reference: pd.DataFrame | None = None,
    *,
    start: str | date | None = None,
    end: str | date | None = None,
    target: str | None = None,
) -> pd.DataFrame:
    """Running totals per day of extracted unique events (and reference events).

    Returns a DataFrame indexed by day with ``extracted`` (and ``reference``), from
    ``start`` (default: the first event) to ``end`` (default: the last).

    Examples
    --------
    >>> ev = pd.DataFrame({"date": [date(2024, 1, 1), date(2024, 1, 3)]})
    >>> cumulative_counts(ev)["extracted"].tolist()
    [1, 1, 2]
    """
    frames = {"extracted": events, "reference": reference}
    whens = {}
    for name, df in frames.items():
        if df is None or len(df) == 0:
            continue
        w = event_dates(df).dropna()
        if target is not None and "target_id" in df:
            w = w[df.loc[w.index, "target_id"] == target]
        whens[name] = w
    if not whens:
        return pd.DataFrame(columns=["extracted"], index=pd.DatetimeIndex([], name="day"))
    allw = pd.concat(whens.values())
    lo = pd.Timestamp(start) if start is not None else allw.min()
    hi = pd.Timestamp(end) if end is not None else allw.max()
    idx = pd.date_range(lo.normalize(), hi.normalize(), freq="D", name="day")
    out = pd.DataFrame(index=idx)
    for name, w in whens.items():
        before = int((w < lo).sum())
        daily = w[(w >= lo) & (w <= hi)].dt.normalize().value_counts().reindex(idx, fill_value=0)
        out[name] = daily.cumsum().astype(int) + before
    return out


# --------------------------------------------------------------------------- key events


def before_after(
    events: pd.DataFrame,
    key_events: pd.DataFrame,
    *,
    window_days: int = 14,
    undated: str = "drop",
) -> pd.DataFrame:
    """Events in the ``window_days`` before and after each key event.

    The key event's own day counts as *after*. ``rate_before``/``rate_after`` are per
    week; ``change`` is the difference in counts and ``ratio`` after / before (None
    when nothing happened before).

    Examples
    --------
    >>> ev = pd.DataFrame({"date": [date(2024, 1, 20), date(2024, 1, 29), date(2024, 2, 3)]})
    >>> ke = pd.DataFrame({"date": [pd.Timestamp("2024-01-28")], "label": ["Tower 22"]})
    >>> before_after(ev, ke, window_days=14)[["before", "after", "change"]].values.tolist()
    [[1, 2, 1]]
    """
    cols = ["date", "label", "before", "after", "rate_before", "rate_after", "change", "ratio"]
    if key_events is None or len(key_events) == 0:
        return pd.DataFrame(columns=cols)
    when = (
        event_dates(events, undated=undated).dropna()
        if len(events)
        else pd.Series(dtype="datetime64[ns]")
    )
    rows = []
    w = pd.Timedelta(days=window_days)
    for k in key_events.to_dict("records"):
        d = pd.Timestamp(k["date"])
        nb = int(((when >= d - w) & (when < d)).sum())
        na = int(((when >= d) & (when < d + w)).sum())
        rows.append({"date": d, "label": k.get("label"), "before": nb, "after": na,
                     "rate_before": round(nb * 7 / window_days, 3), "rate_after": round(na * 7 / window_days, 3),
                     "change": na - nb, "ratio": round(na / nb, 3) if nb else None})  # fmt: skip
    return pd.DataFrame(rows, columns=cols)


# --------------------------------------------------------------------------- tallies stated over time (10)

LOWER_BOUNDS = ("more_than", "at_least")
"""Tally qualifiers that make the count a lower bound ("more than 150 attacks")."""
SPEECH_KINDS = ("direct", "partial", "reported")


def _speaker_at(rows: pd.DataFrame, quotes: pd.DataFrame | None) -> pd.Series:
    """The speaker of the innermost speech quote holding each row's ``start`` (NaN: none)."""
    out = pd.Series(None, index=rows.index, dtype=object)
    if quotes is None or quotes.empty or rows.empty or "start" not in rows:
        return out
    q = quotes[quotes["kind"].isin(SPEECH_KINDS)][["article_id", "start", "end", "speaker_id"]]
    r = rows[["article_id", "start"]].reset_index(names="_row")
    m = r.merge(q.rename(columns={"start": "q_start", "end": "q_end"}), on="article_id")
    m = m[(m["start"] >= m["q_start"]) & (m["start"] < m["q_end"])]
    m = m.assign(_len=m["q_end"] - m["q_start"]).sort_values(["_row", "_len"], kind="mergesort")
    m = m.drop_duplicates("_row")
    out.loc[m["_row"].to_numpy()] = m["speaker_id"].fillna("unknown_speaker").to_numpy()
    return out


def stated_tallies(
    tallies: pd.DataFrame,
    *,
    quotes: pd.DataFrame | None = None,
    turns: pd.DataFrame | None = None,
    articles: pd.DataFrame | None = None,
    units: tuple[str, ...] = ("attacks", "operations"),
    start: str | date | None = None,
    end: str | date | None = None,
) -> pd.DataFrame:
    """Reported tallies with who stated them, one row per distinct statement.

    ``source`` says whose count it is: in a transcript, the role of the turn it lies in
    (``official`` for "more than 150 attacks" in an official's answer, ``journalist``
    for a number put in a question); elsewhere the speaker of the quote or reported
    speech holding it (a person as the state they speak for, e.g. a Pentagon
    spokesperson as ``united_states``; ``unknown_speaker`` when unresolved), else
    ``narrator`` (the outlet's or the document's own count). The same count stated
    again in the same article by the same source for the same date is one row.

    Parameters
    ----------
    tallies : DataFrame
        The ``tallies`` table.
    quotes, turns, articles : DataFrame, optional
        The ``quotes``, ``turns`` (the whole corpus' turns) and ``articles`` tables;
        ``articles`` adds ``outlet`` and ``published``.
    units : tuple of str
        Units of the tallies kept (counts of attacks; ``operations`` is how armed
        groups count theirs). Ordinal tallies ("the third round") are left out.
    start, end : date-like, optional
        Keep tallies whose ``as_of`` date lies in ``[start, end]`` (undated ones too).

    Returns
    -------
    DataFrame: article_id, sent_idx, outlet, published, as_of, since, count, qualifier,
    lower_bound, unit, target_id, region, source, speaker_role, speaker_id, text; sorted
    by ``as_of``.

    Examples
    --------
    >>> ta = pd.DataFrame({"article_id": ["a", "a", "b"], "sent_idx": [0, 5, 1], "start": [10, 300, 5],
    ...     "count": [150, 150, 3], "qualifier": ["more_than", "more_than", "ordinal"],
    ...     "unit": ["attacks"] * 3, "since": [date(2023, 10, 17)] * 3,
    ...     "as_of": [date(2024, 1, 28)] * 3, "target_id": ["united_states"] * 3, "region": [None] * 3})
    >>> q = pd.DataFrame({"article_id": ["a"], "start": [0], "end": [40], "kind": ["reported"],
    ...                   "speaker_id": ["pat_ryder"]})
    >>> s = stated_tallies(ta, quotes=q)
    >>> s[["count", "lower_bound", "source", "speaker_id"]].values.tolist()
    [[150, True, 'united_states', 'pat_ryder'], [150, True, 'narrator', None]]
    """
    cols = ["article_id", "sent_idx", "outlet", "published", "as_of", "since", "count",
            "qualifier", "lower_bound", "unit", "target_id", "region", "source", "speaker_role",
            "speaker_id", "text"]  # fmt: skip
    if tallies is None or tallies.empty:
        return pd.DataFrame(columns=cols)
    ta = tallies[tallies["unit"].isin(list(units)) & (tallies["qualifier"] != "ordinal")]
    ta = ta.reset_index(drop=True)
    if ta.empty:
        return pd.DataFrame(columns=cols)
    from conflictlens.framing import NARRATOR, turn_roles  # framing needs vader: import late

    role = turn_roles(ta, turns)
    speaker = _speaker_at(ta, quotes)
    actors = lexicons.load_actors().drop_duplicates("entity_id").set_index("entity_id")
    person = actors["entity_type"].eq("person") & actors["affiliation"].fillna("").ne("")
    affiliation = actors.loc[person, "affiliation"]
    quoted = speaker.map(lambda s: affiliation.get(s, s) if isinstance(s, str) else None)
    in_turn = role["speaker_role"] != NARRATOR
    out = ta.assign(
        source=role["speaker_role"].where(in_turn, quoted.fillna(NARRATOR)),
        speaker_role=role["speaker_role"],
        speaker_id=role["turn_speaker_id"].where(in_turn, speaker),
        lower_bound=ta["qualifier"].isin(LOWER_BOUNDS),
        as_of=pd.to_datetime(ta["as_of"], errors="coerce"),
        since=pd.to_datetime(ta["since"], errors="coerce"),
    )
    if start is not None:
        out = out[~(out["as_of"] < pd.Timestamp(start))]
    if end is not None:
        out = out[~(out["as_of"] > pd.Timestamp(end))]
    if articles is not None and len(articles):
        meta = articles[["article_id", "outlet", "published"]].drop_duplicates("article_id")
        out = out.merge(meta, on="article_id", how="left")
    for col in cols:
        if col not in out:
            out[col] = None
    out["speaker_id"] = out["speaker_id"].astype(object).where(out["speaker_id"].notna(), None)
    out = out.drop_duplicates(["article_id", "as_of", "count", "qualifier", "source"])
    return out.sort_values(["as_of", "sent_idx"], kind="mergesort")[cols].reset_index(drop=True)


def _mode(values: pd.Series, *, majority: bool = False):
    """The most frequent non-null value (the smallest on a tie); with ``majority``, only
    when it holds at least half of all the values."""
    counts = values.dropna().value_counts()
    if counts.empty:
        return None
    top = counts[counts == counts.max()].sort_index().index[0]
    if majority and counts.max() * 2 < len(values):
        return None
    return top


def running_counts(
    stated: pd.DataFrame,
    events: pd.DataFrame,
    reference: pd.DataFrame | None = None,
    *,
    start: str | date | None = None,
    end: str | date | None = None,
) -> pd.DataFrame:
    """Cumulative counts of extracted and reference events, counted as the tallies count.

    The count starts at the ``since`` date most tallies give ("since October 17"; else
    ``start``, else the first tally's date) and, when at least half of the tallies name
    one target (US forces), counts attacks on that target only; so a line and a stated
    tally measure the same thing. ``attrs["since"]`` and ``attrs["target"]`` say which.

    Parameters
    ----------
    stated : DataFrame
        From :func:`stated_tallies`.
    events : DataFrame
        Unique events (:func:`conflictlens.events.unique_events`, usually selected).
    reference : DataFrame, optional
        Reference events (:func:`load_reference`).
    start, end : date-like, optional
        The period shown; ``end`` defaults to the last tally or event.

    Returns
    -------
    DataFrame indexed by day, with ``extracted`` (and ``reference``).

    Examples
    --------
    >>> st = pd.DataFrame({"since": [pd.Timestamp("2024-01-02")] * 2, "target_id": ["united_states", None],
    ...                    "as_of": pd.to_datetime(["2024-01-03", "2024-01-04"])})
    >>> ev = pd.DataFrame({"date": [date(2024, 1, 1), date(2024, 1, 3)],
    ...                    "target_id": ["united_states", "united_states"]})
    >>> rc = running_counts(st, ev)
    >>> rc["extracted"].tolist(), str(rc.attrs["since"].date()), rc.attrs["target"]
    ([0, 1, 1], '2024-01-02', 'united_states')
    """
    has = stated is not None and len(stated) > 0
    since = _mode(pd.to_datetime(stated["since"], errors="coerce")) if has else None
    if since is None:
        as_of = pd.to_datetime(stated["as_of"], errors="coerce").dropna() if has else []
        since = (pd.Timestamp(start) if start is not None
                 else (as_of.min() if len(as_of) else None))  # fmt: skip
    target = _mode(stated["target_id"], majority=True) if has else None

    def after(df):
        if df is None or len(df) == 0 or since is None:
            return df
        return df[event_dates(df) >= since]

    if end is None and has:
        end = pd.to_datetime(stated["as_of"], errors="coerce").max()
    out = cumulative_counts(after(events), after(reference), start=since, end=end, target=target)
    out.attrs.update(since=pd.Timestamp(since) if since is not None else None, target=target)
    return out
