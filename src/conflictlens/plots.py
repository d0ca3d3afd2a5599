"""Matplotlib figures in one house style, and the one place figures and tables are saved.

Figures are deterministic: fonts come with matplotlib (DejaVu Sans), SVG ids are
salted with a fixed string, and no creation date or software version is written
into PNG, SVG or PDF metadata, so a rerun gives identical bytes.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterable
from pathlib import Path

import matplotlib

# Headless by default, but never over Jupyter's inline backend: ipykernel sets
# MPLBACKEND in the kernel, and forcing Agg there would hide every figure.
if not os.environ.get("MPLBACKEND"):
    matplotlib.use("Agg", force=False)

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

PALETTE = ["#1f5a8c", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d6a9f", "#6c757d",
           "#2e4057", "#e07a5f", "#3d405b"]  # fmt: skip
"""Colour cycle: colour-blind-friendly, distinct in print."""

STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#e6e6e6",
    "grid.linewidth": 0.8,
    "axes.axisbelow": True,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "figure.figsize": (9, 4.8),
    "figure.dpi": 100,
    "savefig.dpi": 120,
    "savefig.bbox": "tight",
    "svg.hashsalt": "conflictlens",
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "legend.frameon": False,
}

_NO_DATE = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None},
            "pdf": {"CreationDate": None, "Producer": None, "Creator": None}}  # fmt: skip


def use_style() -> None:
    """Apply the house style to matplotlib (idempotent)."""
    plt.rcParams.update(STYLE)


use_style()


def save_figure(
    fig, name: str, out_dir: str | Path | None, formats: Iterable[str] = ("png", "svg")
) -> list[Path]:
    """Save ``fig`` as ``<out_dir>/figures/<name>.<fmt>`` without timestamps; returns paths.

    ``out_dir=None`` saves nothing (a notebook explored by hand writes no files).
    """
    if out_dir is None:
        return []
    folder = Path(out_dir) / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    with plt.rc_context(STYLE):
        for fmt in formats:
            p = folder / f"{name}.{fmt}"
            fig.savefig(p, format=fmt, metadata=_NO_DATE.get(fmt))
            paths.append(p)
    return paths


def save_table(
    df: pd.DataFrame, name: str, out_dir: str | Path | None, *, index: bool = False
) -> Path | None:
    """Save ``df`` as ``<out_dir>/tables/<name>.csv`` (UTF-8, ``\\n`` line ends, stable floats)."""
    if out_dir is None:
        return None
    folder = Path(out_dir) / "tables"
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / f"{name}.csv"
    df.to_csv(p, index=index, lineterminator="\n", float_format="%.6g")
    return p


def empty_figure(message: str, *, title: str | None = None):
    """A small figure that says there is nothing to show (instead of a blank or an error)."""
    fig, ax = plt.subplots(figsize=(6, 1.6))
    ax.axis("off")
    ax.text(0.5, 0.5, message, ha="center", va="center", color="#6c757d", transform=ax.transAxes)
    if title:
        ax.set_title(title)
    return fig


# --------------------------------------------------------------------------- corpus overview (00)


def overview_period(articles: pd.DataFrame, start=None, end=None) -> pd.DataFrame:
    """Articles published from ``start`` to ``end`` (inclusive dates; ``None`` = open).

    Undated articles are kept only when neither bound is given.

    Examples
    --------
    >>> arts = pd.DataFrame({"article_id": ["a", "b", "c"],
    ...                      "published": pd.to_datetime(["2024-01-01", "2024-02-01", None])})
    >>> list(overview_period(arts, "2024-01-15", None).article_id)
    ['b']
    >>> len(overview_period(arts))
    3
    """
    if start is None and end is None:
        return articles.reset_index(drop=True)
    published = pd.to_datetime(articles["published"], errors="coerce")
    keep = published.notna()
    if start is not None:
        keep &= published >= pd.Timestamp(start)
    if end is not None:
        keep &= published < pd.Timestamp(end) + pd.Timedelta(days=1)
    return articles[keep].reset_index(drop=True)


def overview_summary(articles: pd.DataFrame, rejects: pd.DataFrame | None = None) -> pd.DataFrame:
    """The corpus at a glance: one row per measure (``measure``, ``value``).

    Examples
    --------
    >>> arts = pd.DataFrame({"article_id": ["a", "b"], "outlet": ["X", "Y"], "n_words": [100, 300],
    ...     "published": pd.to_datetime(["2024-01-01", None]), "language": ["en", "ar"],
    ...     "near_duplicate_of": [None, None]})
    >>> overview_summary(arts).set_index("measure").loc["median words", "value"]
    '200'
    """
    published = pd.to_datetime(articles["published"], errors="coerce")
    dated = published.dropna()
    words = articles["n_words"] if "n_words" in articles else pd.Series(dtype="int64")
    near = articles.get("near_duplicate_of", pd.Series(dtype=object)).notna().sum()
    rows = [
        ("articles", len(articles)),
        ("outlets", articles["outlet"].nunique()),
        ("words", int(words.sum())),
        ("median words", int(words.median()) if len(words) else 0),
        ("first published", f"{dated.min():%Y-%m-%d}" if len(dated) else "-"),
        ("last published", f"{dated.max():%Y-%m-%d}" if len(dated) else "-"),
        ("without a usable date", int(published.isna().sum())),
        ("not in English", int((articles.get("language", pd.Series(dtype=str)) != "en").sum())),
        ("near-duplicates (kept, marked)", int(near)),
        ("rejected rows", 0 if rejects is None else len(rejects)),
    ]
    return pd.DataFrame({"measure": [r[0] for r in rows], "value": [str(r[1]) for r in rows]})


def overview_by_outlet(articles: pd.DataFrame) -> pd.DataFrame:
    """Articles, words and dates per outlet, most prolific first.

    Examples
    --------
    >>> arts = pd.DataFrame({"outlet": ["X", "Y", "X"], "n_words": [100, 50, 300],
    ...     "published": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-05"]),
    ...     "near_duplicate_of": [None, "a", None]})
    >>> overview_by_outlet(arts)[["outlet", "articles", "median_words"]].values.tolist()
    [['X', 2, 200.0], ['Y', 1, 50.0]]
    """
    df = articles.assign(
        published=pd.to_datetime(articles["published"], errors="coerce"),
        near=articles.get("near_duplicate_of", pd.Series(None, index=articles.index)).notna(),
        outlet=articles["outlet"].fillna("unknown").astype(str),
    )
    out = (
        df.groupby("outlet", sort=True)
        .agg(articles=("outlet", "size"), words=("n_words", "sum"), median_words=("n_words", "median"),
             first=("published", "min"), last=("published", "max"), near_duplicates=("near", "sum"))
        .reset_index()
    )  # fmt: skip
    out["median_words"] = out["median_words"].astype(float)
    for col in ("first", "last"):
        out[col] = out[col].dt.strftime("%Y-%m-%d")
    return out.sort_values(
        ["articles", "outlet"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)


def overview_weekly(articles: pd.DataFrame, *, top: int = 8) -> pd.DataFrame:
    """Articles per ISO week (Monday start) and outlet; outlets beyond the ``top`` are "other".

    Weeks without articles are kept (as zeros) so gaps show; undated articles are left out.

    Examples
    --------
    >>> arts = pd.DataFrame({"outlet": ["X", "Y", "X"],
    ...     "published": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-17"])})
    >>> overview_weekly(arts, top=1).to_dict("index")
    {'2024-01-01': {'X': 1, 'other': 1}, '2024-01-08': {'X': 0, 'other': 0}, '2024-01-15': {'X': 1, 'other': 0}}
    """
    published = pd.to_datetime(articles["published"], errors="coerce")
    df = pd.DataFrame({"published": published, "outlet": articles["outlet"].fillna("unknown")})
    df = df.dropna(subset=["published"])
    if df.empty:
        return pd.DataFrame(index=pd.Index([], name="week"), columns=pd.Index([], name="outlet"))
    counts = df["outlet"].value_counts()
    ranked = sorted(counts.index, key=lambda o: (-counts[o], o))
    keep = set(ranked[:top])
    df["outlet"] = df["outlet"].where(df["outlet"].isin(keep), "other")
    df["week"] = (
        df["published"] - pd.to_timedelta(df["published"].dt.day_of_week, unit="D")
    ).dt.normalize()
    table = df.pivot_table(index="week", columns="outlet", values="published", aggfunc="size",
                           fill_value=0)  # fmt: skip
    weeks = pd.date_range(table.index.min(), table.index.max(), freq="7D", name="week")
    cols = [o for o in ranked if o in keep] + (["other"] if "other" in table.columns else [])
    table = table.reindex(index=weeks, columns=cols, fill_value=0).astype("int64")
    table.index = table.index.strftime("%Y-%m-%d")
    table.index.name, table.columns.name = "week", "outlet"
    return table


def overview_languages(articles: pd.DataFrame) -> pd.DataFrame:
    """Articles per language code (``und`` = not recognised), most frequent first."""
    counts = articles["language"].fillna("und").value_counts()
    out = pd.DataFrame({"language": counts.index, "articles": counts.values})
    return out.sort_values(["articles", "language"], ascending=[False, True]).reset_index(drop=True)


def overview_rejects(rejects: pd.DataFrame | None) -> pd.DataFrame:
    """Rejected rows per reason, with the first place each reason was met (``file:line``)."""
    cols = ["reason", "rows", "first_seen", "detail"]
    if rejects is None or rejects.empty:
        return pd.DataFrame(columns=cols)
    df = rejects.assign(
        where=rejects["source_file"].map(lambda p: Path(str(p)).name)
        + ":" + rejects["line"].map(lambda n: "" if pd.isna(n) else str(int(n)))
    )  # fmt: skip
    out = (
        df.groupby("reason", sort=True)
        .agg(rows=("reason", "size"), first_seen=("where", "first"), detail=("detail", "first"))
        .reset_index()
    )
    return out.sort_values(["rows", "reason"], ascending=[False, True]).reset_index(drop=True)[cols]


def overview_near_duplicates(articles: pd.DataFrame) -> pd.DataFrame:
    """Each article marked as republishing an earlier one, beside the original's outlet."""
    cols = ["article_id", "outlet", "published", "title", "near_duplicate_of", "original_outlet"]
    if "near_duplicate_of" not in articles or articles["near_duplicate_of"].isna().all():
        return pd.DataFrame(columns=cols)
    by_id = articles.set_index("article_id")["outlet"]
    dups = articles[articles["near_duplicate_of"].notna()].copy()
    dups["original_outlet"] = dups["near_duplicate_of"].map(by_id)
    dups["published"] = pd.to_datetime(dups["published"], errors="coerce").dt.strftime("%Y-%m-%d")
    return dups[cols].sort_values(["near_duplicate_of", "article_id"]).reset_index(drop=True)


def articles_per_week_figure(weekly: pd.DataFrame, *, title: str = "Articles per week"):
    """Stacked bars of :func:`overview_weekly`: one bar a week, one colour an outlet."""
    from matplotlib import dates as mdates
    from matplotlib import ticker

    if weekly.empty:
        return empty_figure("No dated articles in this period", title=title)
    fig, ax = plt.subplots(figsize=(10, 4.2))
    x = pd.to_datetime(weekly.index)
    bottom = pd.Series(0, index=weekly.index)
    colors = {c: (PALETTE[i % len(PALETTE)] if c != "other" else "#b8bec4")
              for i, c in enumerate(weekly.columns)}  # fmt: skip
    for col in weekly.columns:
        ax.bar(x, weekly[col], bottom=bottom, width=5.5, label=str(col), color=colors[col],
               align="edge")  # fmt: skip
        bottom = bottom + weekly[col]
    ax.set_title(title)
    ax.set_ylabel("articles")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b\n%Y"))
    ax.yaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, title="outlet")
    return fig


def articles_per_outlet_figure(by_outlet: pd.DataFrame, *, top: int = 15,
                               title: str = "Articles per outlet"):  # fmt: skip
    """Horizontal bars of :func:`overview_by_outlet` (the ``top`` outlets)."""
    from matplotlib import ticker

    if by_outlet.empty:
        return empty_figure("No articles", title=title)
    df = by_outlet.head(top).iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.5 + 0.32 * len(df)))
    ax.barh(df["outlet"].astype(str), df["articles"], color=PALETTE[0])
    for y, v in enumerate(df["articles"]):
        ax.text(v, y, f" {v}", va="center", fontsize=8, color="#444444")
    ax.set_title(title)
    ax.set_xlabel("articles")
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    return fig


def article_lengths_figure(articles: pd.DataFrame, *, title: str = "Article length"):
    """Histogram of words per article (log-spaced bins), the median marked."""
    import numpy as np
    from matplotlib import ticker

    words = pd.to_numeric(articles.get("n_words", pd.Series(dtype=float)), errors="coerce").dropna()
    words = words[words > 0]
    if words.empty:
        return empty_figure("No articles", title=title)
    fig, ax = plt.subplots(figsize=(8, 3.4))
    lo, hi = max(1, words.min()), max(words.max(), 2)
    bins = np.geomspace(lo, hi * 1.001, num=min(30, max(5, len(words) // 2)))
    ax.hist(words, bins=bins, color=PALETTE[3], edgecolor="white")
    ax.set_xscale("log")
    med = float(words.median())
    ax.axvline(med, color=PALETTE[1], linewidth=1.5)
    ax.annotate(f"median {med:,.0f} words", (med, 1), xycoords=("data", "axes fraction"),
                xytext=(4, -12), textcoords="offset points", color=PALETTE[1], fontsize=9)  # fmt: skip
    ax.set_title(title)
    ax.set_xlabel("words per article (log scale)")
    ax.set_ylabel("articles")
    ax.xaxis.set_major_locator(ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.xaxis.set_minor_formatter(ticker.NullFormatter())
    ax.yaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    return fig


# --------------------------------------------------------------------------- entities (01)


def top_actors_figure(
    counts: pd.DataFrame, *, top_n: int = 15, title: str = "Most-mentioned actors"
):
    """Horizontal bars of :func:`conflictlens.entities.counts`: all mentions, named ones inside.

    The pale bar counts every reference (names, metonyms, "the group"); the dark bar
    inside it the names and aliases only.
    """
    if counts is None or counts.empty:
        return empty_figure("No actor mentions in this selection", title=title)
    df = (
        counts.groupby("entity_id", as_index=False)[["mentions", "named_mentions"]].sum()
        .sort_values(["mentions", "entity_id"], ascending=[False, True]).head(top_n).iloc[::-1]
    )  # fmt: skip
    fig, ax = plt.subplots(figsize=(8.5, 0.6 + 0.33 * len(df)))
    ax.barh(df["entity_id"], df["mentions"], color="#b9cfe0", label="all mentions")
    ax.barh(df["entity_id"], df["named_mentions"], height=0.45, color=PALETTE[0],
            label="named (name or alias)")  # fmt: skip
    for y, v in enumerate(df["mentions"]):
        ax.text(v, y, f" {v}", va="center", fontsize=8, color="#444444")
    ax.set_title(title)
    ax.set_xlabel("mentions")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower right", fontsize=8)
    return fig


def actors_over_time_figure(table: pd.DataFrame, *, title: str = "Mentions per week"):
    """Lines of :func:`conflictlens.entities.over_time`: one line an actor."""
    from matplotlib import dates as mdates

    if table is None or table.empty:
        return empty_figure("No dated mentions in this selection", title=title)
    fig, ax = plt.subplots(figsize=(10, 4.2))
    for i, col in enumerate(table.columns):
        ax.plot(pd.to_datetime(table.index), table[col], marker="o", markersize=3,
                linewidth=1.6, label=str(col), color=PALETTE[i % len(PALETTE)])  # fmt: skip
    ax.set_title(title)
    ax.set_ylabel("mentions")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b\n%Y"))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, title="actor")
    return fig


def outlet_heatmap_figure(matrix: pd.DataFrame, *, title: str = "Who each outlet mentions"):
    """Heat map of :func:`conflictlens.entities.outlet_matrix` (outlets by actors)."""
    if matrix is None or matrix.empty:
        return empty_figure("No mentions to compare across outlets", title=title)
    share = float(matrix.to_numpy().max()) <= 1.0
    fig, ax = plt.subplots(figsize=(1.2 + 0.55 * matrix.shape[1], 1.2 + 0.42 * matrix.shape[0]))
    im = ax.imshow(matrix.to_numpy(dtype=float), aspect="auto", cmap="Blues")
    ax.set_xticks(range(matrix.shape[1]), [str(c) for c in matrix.columns], rotation=60,
                  ha="right", fontsize=8)  # fmt: skip
    ax.set_yticks(range(matrix.shape[0]), [str(i) for i in matrix.index], fontsize=8)
    ax.grid(False)
    top = float(matrix.to_numpy().max()) or 1.0
    for (r, c), v in pd.DataFrame(matrix.to_numpy()).stack().items():
        label = f"{v:.0%}" if share else f"{int(v)}"
        ax.text(c, r, label, ha="center", va="center", fontsize=7,
                color="white" if v > 0.6 * top else "#333333")  # fmt: skip
    fig.colorbar(
        im, ax=ax, fraction=0.03, label="share of the outlet's mentions" if share else "mentions"
    )
    ax.set_title(title)
    return fig


def cooccurrence_figure(graph, *, title: str = "Actors mentioned in the same sentence"):
    """Network of :func:`conflictlens.entities.cooccurrence_graph` (fixed-seed layout).

    Node size follows mentions, edge width the number of shared sentences.
    """
    import networkx as nx

    if graph is None or graph.number_of_edges() == 0:
        return empty_figure("No two actors share a sentence in this selection", title=title)
    fig, ax = plt.subplots(figsize=(9, 7))
    pos = nx.spring_layout(
        graph, seed=7, weight="weight", k=1.2 / max(1, graph.number_of_nodes()) ** 0.5
    )
    types = sorted({graph.nodes[n].get("entity_type", "other") for n in graph.nodes})
    color = {t: PALETTE[i % len(PALETTE)] for i, t in enumerate(types)}
    # area relative to the most-mentioned actor: readable for 80 articles or 200 long ones
    size = [graph.nodes[n].get("mentions", graph.degree(n, weight="weight")) for n in graph.nodes]
    sizes = [150 + 2200 * (v / (max(size) or 1)) ** 0.5 for v in size]
    weights = [graph.edges[e]["weight"] for e in graph.edges]
    top = max(weights)
    nx.draw_networkx_edges(graph, pos, ax=ax, width=[0.5 + 4 * w / top for w in weights],
                           edge_color="#9aa5b1", alpha=0.7)  # fmt: skip
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_size=sizes, linewidths=0.5, edgecolors="white",
                           node_color=[color[graph.nodes[n].get("entity_type", "other")]
                                       for n in graph.nodes])  # fmt: skip
    nx.draw_networkx_labels(graph, pos, ax=ax, font_size=8)
    for t in types:
        ax.scatter([], [], color=color[t], label=t)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, title="entity type")
    ax.set_title(title)
    ax.axis("off")
    return fig


# --------------------------------------------------------------------------- attack trends (02)


def _mark_key_events(ax, key_events, lo, hi) -> None:
    """Dotted lines at key events, numbered at the top; the numbers are listed below the plot."""
    if key_events is None or len(key_events) == 0:
        return
    ke = key_events[(key_events["date"] >= lo) & (key_events["date"] <= hi)]
    if len(ke) == 0:
        return
    trans = ax.get_xaxis_transform()
    notes = []
    for n, (d, label) in enumerate(zip(ke["date"], ke["label"], strict=True), start=1):
        ax.axvline(d, color="#6c757d", lw=0.8, ls=":", zorder=1)
        ax.text(d, 1.0 + 0.035 * (n % 2), str(n), transform=trans, fontsize=7, color="#4a4a4a",
                ha="center", va="bottom", clip_on=False)  # fmt: skip
        notes.append(f"{n} {pd.Timestamp(d):%Y-%m-%d} {label}")
    # wrapped here, not with wrap=True: matplotlib re-measures the text once per word
    chars = int(ax.figure.get_size_inches()[0] * 72 / (7 * 0.55))  # DejaVu Sans ~0.55 em a char
    items = [n.replace(" ", "\u00a0") for n in notes]  # a line never splits an event's label
    note = textwrap.fill("Key events: " + "   ".join(items), width=max(40, chars))
    ax.text(0.0, -0.2, note, transform=ax.transAxes, fontsize=7, color="#4a4a4a", va="top",
            ha="left")  # fmt: skip


def attack_series_figure(
    series: pd.DataFrame,
    *,
    rate: pd.DataFrame | None = None,
    changes: pd.DataFrame | None = None,
    key_events: pd.DataFrame | None = None,
    title: str = "Unique attack events",
    ylabel: str = "events per week",
):
    """Stacked bars of event counts per period, the rolling rate, change points and key events.

    ``series`` comes from :func:`conflictlens.trends.event_series` (one column per
    group), ``rate`` from :func:`conflictlens.trends.rolling_rate` of its row sums,
    ``changes`` from :func:`conflictlens.trends.change_points` (dashed red lines) and
    ``key_events`` from :func:`conflictlens.trends.load_key_events` (dotted grey lines).
    """
    if series is None or len(series) == 0 or series.to_numpy().sum() == 0:
        return empty_figure("No dated attack events in this selection", title=title)
    fig, ax = plt.subplots(figsize=(10, 5))
    width = (series.index[1] - series.index[0]).days * 0.8 if len(series) > 1 else 5
    bottom = pd.Series(0, index=series.index, dtype=float)
    for i, col in enumerate(series.columns):
        ax.bar(series.index, series[col], width=width, bottom=bottom, align="edge",
               color=PALETTE[i % len(PALETTE)], label=str(col), zorder=2)  # fmt: skip
        bottom += series[col]
    if rate is not None and len(rate):
        r = rate if isinstance(rate, pd.Series) else rate.sum(axis=1)
        ax.plot(r.index + pd.Timedelta(days=width / 2), r.values, color="#2e4057", lw=2,
                label="rolling mean", zorder=3)  # fmt: skip
    if changes is not None and len(changes):
        for j, d in enumerate(changes["period"]):
            ax.axvline(d, color=PALETTE[1], lw=1.6, ls="--", zorder=4,
                       label="change point" if j == 0 else None)  # fmt: skip
    _mark_key_events(
        ax, key_events, series.index.min(), series.index.max() + pd.Timedelta(days=width)
    )
    ax.set_title(title, pad=22 if key_events is not None and len(key_events) else 6)
    ax.set_ylabel(ylabel)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    fig.autofmt_xdate()
    return fig


def tally_reconciliation_figure(
    cumulative: pd.DataFrame,
    reconciliation: pd.DataFrame,
    *,
    key_events: pd.DataFrame | None = None,
    title: str = "Reported tallies against counted events",
):
    """Reported tallies (points: lower bounds as triangles) over cumulative event counts.

    ``cumulative`` from :func:`conflictlens.trends.cumulative_counts` (lines for the
    extracted unique events and the reference list); ``reconciliation`` from
    :func:`conflictlens.trends.tally_reconciliation` (a point per tally at its
    ``as_of`` date).
    """
    has_tallies = reconciliation is not None and len(reconciliation)
    if (cumulative is None or len(cumulative) == 0) and not has_tallies:
        return empty_figure("No tallies or dated events to compare", title=title)
    fig, ax = plt.subplots(figsize=(10, 5))
    if cumulative is not None and len(cumulative):
        for i, col in enumerate(cumulative.columns):
            ax.step(cumulative.index, cumulative[col], where="post", lw=2, color=PALETTE[i],
                    label=f"{col} (cumulative)")  # fmt: skip
    if has_tallies:
        rec = reconciliation.dropna(subset=["as_of"])
        lower = rec["qualifier"].isin(["more_than", "at_least"])
        ax.scatter(rec.loc[lower, "as_of"], rec.loc[lower, "count"], marker="^", s=36,
                   color=PALETTE[2], zorder=3, label="reported tally (lower bound)")  # fmt: skip
        ax.scatter(rec.loc[~lower, "as_of"], rec.loc[~lower, "count"], marker="o", s=30,
                   color=PALETTE[3], zorder=3, label="reported tally")  # fmt: skip
    lo = (
        cumulative.index.min()
        if cumulative is not None and len(cumulative)
        else reconciliation["as_of"].min()
    )
    hi = (
        cumulative.index.max()
        if cumulative is not None and len(cumulative)
        else reconciliation["as_of"].max()
    )
    _mark_key_events(ax, key_events, lo, hi)
    ax.set_title(title, pad=22 if key_events is not None and len(key_events) else 6)
    ax.set_ylabel("attacks")
    ax.legend(loc="upper left", fontsize=8)
    fig.autofmt_xdate()
    return fig


def before_after_figure(table: pd.DataFrame, *, title: str = "Attacks before and after key events"):
    """Paired bars: events in the window before and after each key event."""
    if table is None or len(table) == 0:
        return empty_figure("No key events in this selection", title=title)
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(table) + 1.5))
    y = range(len(table))
    labels = [f"{d:%Y-%m-%d} {lab}" for d, lab in zip(table["date"], table["label"], strict=True)]
    ax.barh([i + 0.2 for i in y], table["before"], height=0.4, color=PALETTE[6], label="before")
    ax.barh([i - 0.2 for i in y], table["after"], height=0.4, color=PALETTE[1], label="after")
    ax.set_yticks(list(y))
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("unique events in the window")
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8)
    return fig


# --------------------------------------------------------------------------- framing (03)


def frame_heatmap_figure(
    profile: pd.DataFrame, *, title: str = "Frames in each outlet's own voice"
):
    """Heat map of :func:`conflictlens.framing.frame_profile` (outlets by frames).

    Cells are frame sentences per 100 sentences (or shares, or counts, as given); only
    the narrator's cues count, so a frame a quoted speaker brings in does not colour
    the outlet.
    """
    if profile is None or profile.empty or not profile.to_numpy().any():
        return empty_figure("No narrator frame cues in this selection", title=title)
    values = profile.to_numpy(dtype=float)
    fig, ax = plt.subplots(figsize=(1.6 + 0.8 * profile.shape[1], 1.2 + 0.45 * profile.shape[0]))
    im = ax.imshow(values, aspect="auto", cmap="Blues", vmin=0)
    ax.set_xticks(range(profile.shape[1]), [str(c) for c in profile.columns], rotation=40,
                  ha="right", fontsize=9)  # fmt: skip
    ax.set_yticks(range(profile.shape[0]), [str(i) for i in profile.index], fontsize=9)
    ax.grid(False)
    top = values.max() or 1.0
    integers = bool((values == values.round()).all())
    for r in range(values.shape[0]):
        for c in range(values.shape[1]):
            v = values[r, c]
            ax.text(c, r, f"{v:.0f}" if integers else f"{v:.1f}", ha="center", va="center",
                    fontsize=8, color="white" if v > 0.6 * top else "#333333")  # fmt: skip
    fig.colorbar(im, ax=ax, fraction=0.04, pad=0.02)
    ax.set_title(title)
    return fig


def frames_by_speaker_figure(table: pd.DataFrame, *, title: str = "Frames each speaker brings in"):
    """Stacked horizontal bars of :func:`conflictlens.framing.frames_by_speaker`."""
    if table is None or table.empty or not table.to_numpy().any():
        return empty_figure("No frame cues inside quotes in this selection", title=title)
    df = table.loc[:, table.sum(axis=0) > 0].iloc[::-1]
    fig, ax = plt.subplots(figsize=(9, 0.8 + 0.38 * len(df)))
    left = pd.Series(0, index=df.index, dtype=float)
    for i, col in enumerate(df.columns):
        ax.barh([str(x) for x in df.index], df[col], left=left, color=PALETTE[i % len(PALETTE)],
                label=str(col))  # fmt: skip
        left += df[col]
    ax.set_xlabel("sentences with the frame, inside the speaker's quotes")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, title="frame")
    ax.set_title(title)
    return fig


def frame_trends_figure(trends: pd.DataFrame, *, title: str = "Narrator frames per week"):
    """Lines of :func:`conflictlens.framing.frame_trends`, one per frame that occurs."""
    from matplotlib import dates as mdates

    if trends is None or trends.empty or not trends.to_numpy().any():
        return empty_figure("No dated frame cues in this selection", title=title)
    df = trends.loc[:, trends.sum(axis=0) > 0]
    fig, ax = plt.subplots(figsize=(10, 4.2))
    for i, col in enumerate(df.columns):
        ax.plot(pd.to_datetime(df.index), df[col], marker="o", markersize=3, linewidth=1.6,
                label=str(col), color=PALETTE[i % len(PALETTE)])  # fmt: skip
    ax.set_ylabel("sentences with the frame")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b\n%Y"))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, title="frame")
    ax.set_title(title)
    return fig


def voice_share_figure(share: pd.DataFrame, *, title: str = "Who gets quoted, by outlet"):
    """Stacked bars of :func:`conflictlens.framing.voice_share` (each outlet sums to 1)."""
    if share is None or share.empty:
        return empty_figure("No attributed quotes in this selection", title=title)
    df = share.iloc[::-1]
    fig, ax = plt.subplots(figsize=(9, 0.9 + 0.42 * len(df)))
    left = pd.Series(0.0, index=df.index)
    grey = {"other": "#c8ccd0", "unknown_speaker": "#e4e6e8"}
    for i, col in enumerate(df.columns):
        ax.barh([str(x) for x in df.index], df[col], left=left,
                color=grey.get(col, PALETTE[i % len(PALETTE)]), label=str(col))  # fmt: skip
        left += df[col]
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of the outlet's quotes (direct, partial and reported)")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, title="speaker")
    ax.set_title(title)
    return fig


def agentless_rate_figure(
    rates: pd.DataFrame, *, top_n: int = 8, title: str = "Violence told without its doer"
):
    """Heat map of :func:`conflictlens.framing.agentless_rate`: outlets by perpetrators.

    A cell is the agentless share of the outlet's clauses about that perpetrator's
    violence, with the number of clauses below it; the ``top_n`` perpetrators with the
    most clauses are shown.
    """
    if rates is None or rates.empty:
        return empty_figure("No violence clauses in this selection", title=title)
    top = (rates.groupby("perpetrator")["clauses"].sum()
           .sort_values(ascending=False, kind="mergesort").index[:top_n])  # fmt: skip
    df = rates[rates["perpetrator"].isin(top)]
    rate = df.pivot(index="outlet", columns="perpetrator", values="rate").reindex(columns=top)
    n = df.pivot(index="outlet", columns="perpetrator", values="clauses").reindex(columns=top)
    fig, ax = plt.subplots(figsize=(1.8 + 0.95 * rate.shape[1], 1.2 + 0.5 * rate.shape[0]))
    im = ax.imshow(rate.to_numpy(dtype=float), aspect="auto", cmap="Reds", vmin=0, vmax=1)
    ax.set_xticks(range(rate.shape[1]), [str(c) for c in rate.columns], rotation=40, ha="right",
                  fontsize=8)  # fmt: skip
    ax.set_yticks(range(rate.shape[0]), [str(i) for i in rate.index], fontsize=9)
    ax.grid(False)
    for r in range(rate.shape[0]):
        for c in range(rate.shape[1]):
            v, k = rate.iat[r, c], n.iat[r, c]
            if pd.notna(v):
                ax.text(c, r, f"{v:.0%}\n(n={int(k)})", ha="center", va="center", fontsize=7,
                        color="white" if v > 0.6 else "#333333")  # fmt: skip
    fig.colorbar(im, ax=ax, fraction=0.04, pad=0.02, label="agentless share")
    ax.set_title(title)
    return fig


def blame_network_figure(graph, *, title: str = "Who blames whom"):
    """Directed network of :func:`conflictlens.framing.blame_network` (fixed-seed layout).

    Arrows run from accuser to accused; width follows the number of accusations.
    """
    import networkx as nx

    if graph is None or graph.number_of_edges() == 0:
        return empty_figure("No accusations between actors in this selection", title=title)
    fig, ax = plt.subplots(figsize=(8.5, 6.5))
    pos = nx.spring_layout(graph, seed=7, k=1.5 / max(1, graph.number_of_nodes()) ** 0.5)
    weights = [graph.edges[e]["weight"] for e in graph.edges]
    top = max(weights)
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_size=900, node_color="#dbe6f0",
                           edgecolors=PALETTE[0], linewidths=0.8)  # fmt: skip
    nx.draw_networkx_edges(graph, pos, ax=ax, width=[1 + 3 * w / top for w in weights],
                           edge_color=PALETTE[1], arrows=True, arrowsize=16, node_size=900,
                           connectionstyle="arc3,rad=0.12")  # fmt: skip
    nx.draw_networkx_labels(graph, pos, ax=ax, font_size=8)
    nx.draw_networkx_edge_labels(graph, pos, ax=ax, font_size=7,
                                 edge_labels={e: graph.edges[e]["weight"] for e in graph.edges})  # fmt: skip
    ax.set_title(title)
    ax.axis("off")
    return fig


def tone_figure(table: pd.DataFrame, *, title: str = "Tone (mean VADER compound)", top_n: int = 20):
    """Horizontal bars of a mean ``compound`` per row (outlets or entities), -1 to 1."""
    if table is None or table.empty:
        return empty_figure("No sentences to score in this selection", title=title)
    df = table.sort_values("compound", kind="mergesort").head(top_n)
    fig, ax = plt.subplots(figsize=(8, 0.8 + 0.34 * len(df)))
    colors = [PALETTE[1] if v < 0 else PALETTE[3] for v in df["compound"]]
    ax.barh([str(i) for i in df.index], df["compound"], color=colors)
    ax.axvline(0, color="#666666", linewidth=0.8)
    ax.set_xlim(-1, 1)
    ax.set_xlabel("mean compound score of the sentences (negative ← → positive)")
    ax.grid(axis="y", visible=False)
    ax.set_title(title)
    return fig


# --------------------------------------------------------------------------- evaluation (04)


TRUST_LEVELS = ((0.9, "reliable"), (0.75, "usable, with care"), (0.0, "indicative only"))
"""Score thresholds (F1 or accuracy) and what they say about a report's numbers."""

_TRUST_COLORS = {"reliable": PALETTE[4], "usable, with care": PALETTE[2],
                 "indicative only": PALETTE[1], "not measured": "#c4c9ce"}  # fmt: skip


def evaluation_summary(scores: pd.DataFrame) -> pd.DataFrame:
    """One row per scored measure: its headline score (F1, else accuracy), support and verdict.

    A measure with no gold item behind it (support 0) is "not measured", whatever its score.

    Parameters
    ----------
    scores : DataFrame
        :func:`conflictlens.evaluation.score_all` output: ``extractor``, ``measure`` and
        ``precision``/``recall``/``f1`` or ``accuracy``, with their counts.

    Examples
    --------
    >>> s = pd.DataFrame({"extractor": ["timex", "entities", "events"],
    ...                   "measure": ["acc", "mentions", "event"], "accuracy": [0.95, None, None],
    ...                   "f1": [None, 0.7, 0.0], "tp": [None, 7, 0], "fp": [None, 3, 0],
    ...                   "fn": [None, 3, 0], "n": [40, None, None]})
    >>> evaluation_summary(s)[["extractor", "score", "support", "verdict"]].values.tolist()
    [['entities', 0.7, 10, 'indicative only'], ['events', nan, 0, 'not measured'], ['timex', 0.95, 40, 'reliable']]
    """
    cols = ["extractor", "measure", "score_kind", "score", "precision", "recall", "support",
            "verdict"]  # fmt: skip
    if scores is None or scores.empty:
        return pd.DataFrame(columns=cols)
    df = scores.copy()
    for col in ("measure", "f1", "accuracy", "precision", "recall", "tp", "fn", "n"):
        if col not in df:
            df[col] = None
    df["measure"] = df["measure"].fillna(df["extractor"])
    f1 = pd.to_numeric(df["f1"], errors="coerce")
    acc = pd.to_numeric(df["accuracy"], errors="coerce")
    df["precision"] = pd.to_numeric(df["precision"], errors="coerce")
    df["recall"] = pd.to_numeric(df["recall"], errors="coerce")
    df["score_kind"] = f1.notna().map({True: "f1", False: "accuracy"})
    gold = pd.to_numeric(df["tp"], errors="coerce") + pd.to_numeric(df["fn"], errors="coerce")
    df["support"] = gold.fillna(pd.to_numeric(df["n"], errors="coerce")).astype("Int64")
    df["score"] = f1.fillna(acc).where(df["support"].fillna(1).astype("int64") > 0)
    df["verdict"] = df["score"].map(_verdict)
    return df[cols].sort_values(["extractor", "measure"], kind="stable").reset_index(drop=True)


def _verdict(score) -> str:
    if score is None or pd.isna(score):
        return "not measured"
    return next(label for floor, label in TRUST_LEVELS if score >= floor)


def evaluation_by_extractor(scores: pd.DataFrame) -> pd.DataFrame:
    """One row per extractor: how many measures, the median, lowest and highest score.

    The verdict follows the median of the measured scores; "not measured" where none is.

    Examples
    --------
    >>> s = pd.DataFrame({"extractor": ["quotes", "quotes", "events"], "measure": ["a", "b", "c"],
    ...                   "f1": [0.9, 0.8, 0.0], "tp": [9, 8, 0], "fn": [1, 2, 0]})
    >>> evaluation_by_extractor(s)[["extractor", "measured", "median", "verdict"]].values.tolist()
    [['events', 0, nan, 'not measured'], ['quotes', 2, 0.85, 'usable, with care']]
    """
    cols = ["extractor", "measures", "measured", "median", "lowest", "highest", "verdict"]
    summary = evaluation_summary(scores)
    if summary.empty:
        return pd.DataFrame(columns=cols)
    out = (
        summary.groupby("extractor", sort=True)
        .agg(measures=("measure", "size"), measured=("score", "count"), median=("score", "median"),
             lowest=("score", "min"), highest=("score", "max"))
        .reset_index()
    )  # fmt: skip
    out["median"] = out["median"].round(4)
    out["verdict"] = out["median"].map(_verdict)
    return out[cols]


def trust_figure(scores: pd.DataFrame, *, title: str = "How far each extractor can be trusted"):
    """One bar per extractor (its median score), its lowest-to-highest measure as a line."""
    by = evaluation_by_extractor(scores)
    if by.empty:
        return empty_figure("No extractor has been scored yet", title=title)
    df = by.iloc[::-1].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(8, 0.9 + 0.42 * len(df)))
    ax.barh(df["extractor"], df["median"].fillna(0), color=[_TRUST_COLORS[v] for v in df["verdict"]],
            height=0.6)  # fmt: skip
    for y, row in df.iterrows():
        if pd.isna(row["median"]):
            ax.text(0.01, y, "not measured", va="center", fontsize=8, color="#6c757d")
            continue
        ax.plot([row["lowest"], row["highest"]], [y, y], color="#333333", linewidth=1)
        ax.text(1.03, y, f"{row['median']:.2f}  ({row['measured']} measure{'s' * (row['measured'] != 1)})",
                va="center", fontsize=8, color="#333333")  # fmt: skip
    for floor, _ in TRUST_LEVELS[:-1]:
        ax.axvline(floor, color="#9aa0a6", linewidth=0.8, linestyle="--")
    ax.set_xlim(0, 1.3)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 0.9, 1.0])
    ax.spines["bottom"].set_bounds(0, 1)
    ax.set_xlabel("median score of the extractor's measures (line: lowest to highest)")
    ax.set_title(title)
    ax.grid(axis="y", visible=False)
    from matplotlib.patches import Patch

    handles = [Patch(color=c, label=v) for v, c in _TRUST_COLORS.items()]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=4,
              fontsize=8)  # fmt: skip
    return fig


def evaluation_figure(scores: pd.DataFrame, *, title: str = "Every measure on the gold sets"):
    """Horizontal bars of each measured score, coloured by verdict, thresholds marked."""
    summary = evaluation_summary(scores).dropna(subset=["score"])
    if summary.empty:
        return empty_figure("No extractor has been scored yet", title=title)
    df = summary.iloc[::-1]
    labels = (df["extractor"] + " · " + df["measure"] + " (" + df["score_kind"] + ")").tolist()
    fig, ax = plt.subplots(figsize=(9, 0.6 + 0.3 * len(df)))
    ax.barh(labels, df["score"], color=[_TRUST_COLORS[v] for v in df["verdict"]])
    for y, (s, n) in enumerate(zip(df["score"], df["support"], strict=True)):
        ax.text(min(s, 1.0), y, f" {s:.2f}" + (f"  (n={n})" if pd.notna(n) else ""), va="center",
                fontsize=8, color="#333333")  # fmt: skip
    for floor, _ in TRUST_LEVELS[:-1]:
        ax.axvline(floor, color="#9aa0a6", linewidth=0.8, linestyle="--")
    ax.set_xlim(0, 1.15)
    ax.set_xlabel("score (F1, or accuracy where the measure has no F1)")
    ax.set_title(title)
    ax.grid(axis="y", visible=False)
    return fig


def or_note(table: pd.DataFrame, note: str):
    """``table`` to display, or ``note`` as a line of text when the table is empty."""
    if len(table):
        return table
    from IPython.display import Markdown

    return Markdown(f"*{note}*")


# --------------------------------------------------------------------------- White House corpus (10)

ROLE_COLORS = {"official": PALETTE[0], "journalist": PALETTE[1], "moderator": PALETTE[2],
               "other": PALETTE[6], "narrator": PALETTE[3]}  # fmt: skip
"""One colour per speaker role, the same in every figure."""


def coverage_note(summary: pd.DataFrame, passages: str = "all") -> str:
    """One line saying what share of the corpus an analysis covers.

    ``summary`` is :func:`conflictlens.relevance.passage_summary` per article (the
    default ``by="article_id"``), of the unfiltered tables; ``passages`` the notebook's
    parameter (``"relevant"`` or ``"all"``).

    Examples
    --------
    >>> s = pd.DataFrame({"article_id": ["a", "b"], "passages": [10, 30], "relevant": [4, 0],
    ...                   "militias": [3, 0], "red_sea": [1, 0], "words": [1000, 3000],
    ...                   "relevant_words": [400, 0]})
    >>> coverage_note(s, "relevant")
    'Relevant passages only: 4 of 40 passages (10.0%), 400 of 4,000 words (10.0%), in 1 of 2 documents (militias 3, Red Sea 1).'
    >>> coverage_note(s, "all")
    'All passages: 40 passages, 4,000 words in 2 documents; 10.0% of the passages (10.0% of the words) are relevant (militias 3, Red Sea 1): set passages="relevant" to keep only those.'
    """
    if summary is None or len(summary) == 0:
        return "No passages: the corpus has no analysable text."
    n, rel = int(summary["passages"].sum()), int(summary["relevant"].sum())
    words, rel_words = int(summary["words"].sum()), int(summary["relevant_words"].sum())
    docs, rel_docs = len(summary), int((summary["relevant"] > 0).sum())
    share, word_share = rel / max(n, 1), rel_words / max(words, 1)
    topics = (
        f"militias {int(summary['militias'].sum()):,}, Red Sea {int(summary['red_sea'].sum()):,}"
    )
    if passages == "relevant":
        return (f"Relevant passages only: {rel:,} of {n:,} passages ({share:.1%}), {rel_words:,} of "
                f"{words:,} words ({word_share:.1%}), in {rel_docs:,} of {docs:,} documents ({topics}).")  # fmt: skip
    return (f"All passages: {n:,} passages, {words:,} words in {docs:,} documents; {share:.1%} of "
            f"the passages ({word_share:.1%} of the words) are relevant ({topics}): "
            f'set passages="relevant" to keep only those.')  # fmt: skip


def stated_tallies_figure(
    stated: pd.DataFrame,
    running: pd.DataFrame | None = None,
    *,
    key_events: pd.DataFrame | None = None,
    top_sources: int = 6,
    title: str = "Tallies stated over time",
):
    """Each stated tally at its ``as_of`` date, coloured by who stated it, over running counts.

    ``stated`` from :func:`conflictlens.trends.stated_tallies` (▲ a lower bound, "more
    than" / "at least"; ▼ "nearly"; ● otherwise; a bigger marker when several articles
    state the same count on the same day); ``running`` from
    :func:`conflictlens.trends.running_counts` (step lines: extracted unique events and
    reference events, counted from the tallies' usual start date). Sources beyond the
    ``top_sources`` most frequent are pooled as ``other``.
    """
    has = stated is not None and len(stated.dropna(subset=["as_of"])) > 0
    has_running = running is not None and len(running) > 0
    if not has and not has_running:
        return empty_figure("No tallies of attacks and no dated events to compare", title=title)
    fig, ax = plt.subplots(figsize=(10.5, 5.2))
    lo, hi = [], []
    if has_running:
        since, target = running.attrs.get("since"), running.attrs.get("target")
        what = f" since {since:%d %b %Y}" if since is not None else ""
        what += f", on {target}" if target else ""
        line = {"extracted": ("#2e4057", "-"), "reference": ("#8d6a9f", "--")}
        for col in running.columns:
            color, ls = line.get(col, ("#6c757d", ":"))
            ax.step(running.index, running[col], where="post", lw=2, color=color, ls=ls,
                    label=f"{col} events{what} (cumulative)")  # fmt: skip
        lo.append(running.index.min())
        hi.append(running.index.max())
    if has:
        st = stated.dropna(subset=["as_of"]).assign(source=lambda d: d["source"].fillna("narrator"))
        order = (
            st["source"].value_counts().sort_index().sort_values(ascending=False, kind="mergesort")
        )
        keep = list(order.index[:top_sources])
        st = st.assign(source=st["source"].where(st["source"].isin(keep), "other"))
        st = st.assign(shape=st["qualifier"].map({"more_than": "^", "at_least": "^", "nearly": "v"})
                       .fillna("o"))  # fmt: skip
        pts = (
            st.groupby(["source", "as_of", "count", "shape"], sort=True)
            .size()
            .rename("n")
            .reset_index()
        )
        sources = [s for s in [*keep, "other"] if s in set(pts["source"])]
        # roles keep their colours; other sources take the colours no role present uses
        free = iter([c for c in (PALETTE[1], PALETTE[0], PALETTE[2], PALETTE[5], PALETTE[8],
                                 PALETTE[7], PALETTE[4], PALETTE[9])
                     if c not in {ROLE_COLORS[r] for r in sources if r in ROLE_COLORS}])  # fmt: skip
        names = {"narrator": "narrator (own words)", "unknown_speaker": "an unresolved speaker"}
        for source in sources:
            color = "#adb5bd" if source == "other" else ROLE_COLORS.get(source) or next(free)
            for shape, g in pts[pts["source"] == source].groupby("shape", sort=True):
                ax.scatter(g["as_of"], g["count"], marker=shape, s=36 + 28 * (g["n"] - 1),
                           color=color, edgecolors="white", linewidths=0.6, zorder=3, alpha=0.9)  # fmt: skip
            ax.scatter(
                [], [], marker="s", color=color, label=f"stated by {names.get(source, source)}"
            )
        for shape, meaning in (("^", "lower bound (more than, at least)"), ("v", "nearly"),
                               ("o", "exact or about")):  # fmt: skip
            if (pts["shape"] == shape).any():
                ax.scatter([], [], marker=shape, color="#6c757d", label=meaning)
        lo.append(st["as_of"].min())
        hi.append(st["as_of"].max())
    _mark_key_events(ax, key_events, min(lo), max(hi))
    ax.set_title(title, pad=22 if key_events is not None and len(key_events) else 6)
    ax.set_ylabel("attacks")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    fig.autofmt_xdate()
    return fig


def _role_label(role: str, n) -> str:
    return f"{role} (n={int(n):,})" if pd.notna(n) else str(role)


def role_comparison_figure(
    frames: pd.DataFrame,
    agentless: pd.DataFrame,
    tone: pd.DataFrame,
    *,
    min_sentences: int = 50,
    title: str = "Official voice vs journalists' questions",
):
    """Three panels by speaker role: frames per 100 sentences, agentless share, mean tone.

    ``frames`` from :func:`conflictlens.framing.frames_by_role`, ``agentless`` from
    :func:`conflictlens.framing.agentless_by_role`, ``tone`` from
    :func:`conflictlens.framing.tone_by_role` (its ``sentences`` give each role's size).
    Roles with fewer than ``min_sentences`` sentences are left out (named below the
    figure): their rates would be noise.
    """
    if tone is None or tone.empty:
        return empty_figure("No speaker turns in this corpus: no roles to compare", title=title)
    size = tone["sentences"]
    roles = [r for r in tone.index if size.get(r, 0) >= min_sentences]
    dropped = [r for r in tone.index if r not in roles]
    if not roles:
        return empty_figure(f"No role speaks {min_sentences} sentences here", title=title)
    colors = [ROLE_COLORS.get(r, PALETTE[6]) for r in roles]
    fig, axes = plt.subplots(1, 3, figsize=(13, 5.2), gridspec_kw={"width_ratios": [2.2, 1, 1]})
    ax = axes[0]
    fr = frames.reindex(index=roles).fillna(0.0)
    fr = fr.loc[:, fr.sum(axis=0) > 0] if len(fr.columns) else fr
    height = 0.8 / max(len(roles), 1)
    ys = range(len(fr.columns))
    for i, role in enumerate(roles):
        ax.barh([y - 0.4 + height * (i + 0.5) for y in ys], fr.loc[role].to_numpy(),
                height=height, color=colors[i], label=_role_label(role, size.get(role)))  # fmt: skip
    ax.set_yticks(list(ys), [str(c) for c in fr.columns])
    ax.invert_yaxis()
    ax.set_xlim(0, max(float(fr.to_numpy().max()) if fr.size else 0.0, 1.0) * 1.45)  # legend room
    ax.set_xlabel("sentences with the frame per 100 of the role's sentences")
    ax.set_title("Frames in each role's own words", fontsize=10)
    ax.grid(axis="y", visible=False)
    ax.legend(loc="upper right", fontsize=8, title="role (sentences)", title_fontsize=8)
    ax = axes[1]
    ag = agentless.reindex(roles)
    ax.barh(roles, ag["rate"].fillna(0).to_numpy(), color=colors)
    for y, (v, n) in enumerate(zip(ag["rate"], ag["clauses"], strict=True)):
        if pd.notna(v):
            ax.text(v, y, f" {v:.0%} of {int(n)}", va="center", fontsize=8, color="#333333")
    ax.set_xlim(0, 1.25)
    ax.invert_yaxis()
    ax.set_xlabel("agentless share of violence clauses")
    ax.set_title("Violence without its doer", fontsize=10)
    ax.grid(axis="y", visible=False)
    ax = axes[2]
    tn = tone.reindex(roles)["compound"]
    ax.barh(roles, tn.to_numpy(), color=colors)
    for y, v in enumerate(tn):
        ax.text(v, y, f" {v:+.2f}" if v >= 0 else f"{v:+.2f} ", va="center", fontsize=8,
                ha="left" if v >= 0 else "right", color="#333333")  # fmt: skip
    ax.axvline(0, color="#666666", linewidth=0.8)
    span = max(0.25, float(tn.abs().max()) * 1.6)
    ax.set_xlim(-span, span)
    ax.invert_yaxis()
    ax.set_xlabel("mean VADER compound of the sentences")
    ax.set_title("Tone", fontsize=10)
    ax.grid(axis="y", visible=False)
    fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=12)
    if dropped:
        fig.text(0.01, -0.02, f"Left out (fewer than {min_sentences} sentences): "
                 + ", ".join(_role_label(r, size.get(r)) for r in dropped), fontsize=8,
                 color="#4a4a4a")  # fmt: skip
    fig.tight_layout()
    return fig


def role_labels_figure(table: pd.DataFrame, *, title: str = "How each role names the actors"):
    """Grouped bars of :func:`conflictlens.framing.labels_by_role`: label uses per role."""
    if table is None or table.empty:
        return empty_figure("No labels in speaker turns in this selection", title=title)
    roles = list(table.columns)
    fig, ax = plt.subplots(figsize=(9, 0.9 + 0.42 * len(table)))
    height = 0.8 / max(len(roles), 1)
    ys = range(len(table))
    for i, role in enumerate(roles):
        ax.barh([y - 0.4 + height * (i + 0.5) for y in ys], table[role].to_numpy(), height=height,
                color=ROLE_COLORS.get(role, PALETTE[6]), label=str(role))  # fmt: skip
    ax.set_yticks(list(ys), [str(x) for x in table.index], fontsize=9)
    ax.invert_yaxis()
    ax.set_xlabel("label uses in the role's own words")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower right", fontsize=8, title="role")
    ax.set_title(title)
    return fig
