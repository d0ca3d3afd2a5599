"""The ``conflictlens`` command: analyze one article, extract a corpus, run reports, bench."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from conflictlens import __version__


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from exc


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="conflictlens", description=__doc__)
    p.add_argument("--version", action="version", version=f"conflictlens {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    a = sub.add_parser("analyze", help="analyze one article (plain text; - for stdin)")
    a.add_argument("file")
    a.add_argument("--published", type=_date, help="publication date, YYYY-MM-DD")
    a.add_argument("--outlet")
    a.add_argument("--article-id", default=None)
    a.add_argument("--format", choices=["json", "table"], default="json")

    e = sub.add_parser("extract", help="extract all tables from a corpus into Parquet")
    e.add_argument("corpus")
    e.add_argument("--out", default="data/processed/extract")
    e.add_argument("--engine", choices=["local", "dask"], default="local")
    e.add_argument("--jobs", type=int, default=1)
    e.add_argument("--scheduler", default=None, help="dask scheduler address (engine dask)")
    e.add_argument("--lexicons", default=None, help="lexicon folder (default data/lexicons)")

    r = sub.add_parser("run", help="execute the notebooks into a report bundle")
    r.add_argument("--config", default=None, help="report configuration (config/default.yaml)")
    r.add_argument("--only", nargs="+", default=None, metavar="NOTEBOOK",
                   help="run only these notebooks: 01, 01_entity_counts or entity_counts")  # fmt: skip
    r.add_argument("--out", default=None, help="bundle folder (default reports/<run>)")
    r.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE",
                   help="a notebook parameter (NOTEBOOK.KEY=VALUE for one notebook); repeatable")  # fmt: skip
    r.add_argument("--jobs", type=int, default=None, help="notebooks run at once (default 2)")
    r.add_argument("--show-code", action="store_true", help="keep code cells in the HTML reports")

    b = sub.add_parser("bench", help="time full extraction on a synthetic or given corpus")
    b.add_argument("--articles", type=int, default=1000)
    b.add_argument("--corpus", default=None)
    b.add_argument("--jobs", type=int, default=1)
    b.add_argument("--no-stages", dest="stages", action="store_false",
                   help="skip the per-stage timing (an extra in-process pass over 400 articles)")  # fmt: skip
    b.add_argument("--profile", choices=["news", "dense"], default="news",
                   help="synthetic corpus: news-like densities, or a phenomenon in every sentence")  # fmt: skip
    b.add_argument("--format", choices=["json", "table"], default="json")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return {"analyze": cmd_analyze, "extract": cmd_extract, "run": cmd_run, "bench": cmd_bench}[
            args.command
        ](args)
    except BrokenPipeError:
        return 0


def cmd_analyze(args) -> int:
    from conflictlens.pipeline import analyze_text

    if args.file == "-":
        text, name = sys.stdin.read(), "stdin"
    else:
        path = Path(args.file)
        if not path.is_file():
            print(f"conflictlens analyze: {path}: no such file", file=sys.stderr)
            return 2
        text, name = path.read_text(encoding="utf-8", errors="replace"), path.stem
    if not text.strip():
        print(f"conflictlens analyze: {args.file}: empty text", file=sys.stderr)
        return 2
    rec = analyze_text(text, article_id=args.article_id or name, published=args.published,
                       outlet=args.outlet)  # fmt: skip
    if args.format == "json":
        print(json.dumps(rec, ensure_ascii=False, indent=2, default=str))
    else:
        print(format_record(rec))
    return 0


def format_record(rec: dict) -> str:
    """A readable plain-text summary of an analyze record."""
    art = rec["article"]
    lines = [
        f"article {art['article_id']}  published {art['published'] or 'unknown'}  "
        f"{art['n_sentences']} sentences, {art['n_words']} words"
    ]

    def section(title, rows, cols):
        lines.append("")
        lines.append(f"{title} ({len(rows)})")
        if not rows:
            lines.append("  (none)")
            return
        widths = [max(len(c), *(len(_cell(r.get(c))) for r in rows)) for c in cols]
        widths = [min(w, 48) for w in widths]
        lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)))
        for r in rows:
            cells = [_cell(r.get(c))[:w].ljust(w) for c, w in zip(cols, widths, strict=True)]
            lines.append("  " + "  ".join(cells))

    section(
        "entities",
        rec.get("entities", []),
        ["entity_id", "entity_type", "mentions", "named_mentions"],
    )
    section(
        "events",
        rec.get("events", []),
        ["event_type", "date", "date_text", "perpetrator_id", "target_id", "killed", "attribution"],
    )
    section(
        "tallies",
        rec.get("tallies", []),
        ["count", "qualifier", "unit", "since", "as_of", "region"],
    )
    section("quotes", rec.get("quotes", []), ["kind", "speaker_id", "text"])
    section("frames", rec.get("frames", []), ["frame_id", "voice", "n_sentences", "cues"])
    section("agency", rec.get("agency", []), ["construction", "verb", "agent_id", "patient_id"])
    tone = rec.get("tone") or {}
    lines.append("")
    lines.append(f"tone: mean compound {tone.get('compound_mean')}")
    return "\n".join(lines)


def _cell(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, (list, tuple)):
        return ", ".join(map(str, v))
    return str(v)


def cmd_extract(args) -> int:
    from conflictlens.lexicons import LexiconError
    from conflictlens.pipeline import extract_corpus

    corpus_path = Path(args.corpus)
    if not corpus_path.exists():
        print(f"conflictlens extract: {corpus_path}: no such file or folder", file=sys.stderr)
        return 2
    try:
        result = extract_corpus(corpus_path, args.out, lexicon_dir=args.lexicons, engine=args.engine,
                                jobs=args.jobs, scheduler=args.scheduler, progress=True)  # fmt: skip
    except LexiconError as exc:
        print(f"conflictlens extract: {exc}", file=sys.stderr)
        return 2
    print(result.summary, file=sys.stderr)
    print(f"wrote tables for {result.articles} articles to {result.out_dir}", file=sys.stderr)
    return 0


def cmd_run(args) -> int:
    from conflictlens import report  # type: ignore[attr-defined]

    return report.main(args)


def cmd_bench(args) -> int:
    from conflictlens import bench  # type: ignore[attr-defined]

    return bench.main(args)


if __name__ == "__main__":
    sys.exit(main())
