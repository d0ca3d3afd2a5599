"""Matplotlib figures in one house style, and the one place figures and tables are saved.

Figures are deterministic: fonts come with matplotlib (DejaVu Sans), SVG ids are
salted with a fixed string, and no creation date or software version is written
into PNG, SVG or PDF metadata, so a rerun gives identical bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import matplotlib

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

# --------------------------------------------------------------------------- entities (01)

# --------------------------------------------------------------------------- attack trends (02)

# --------------------------------------------------------------------------- framing (03)

# --------------------------------------------------------------------------- evaluation (04)
