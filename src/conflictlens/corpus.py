"""Loading, validating and cleaning corpora into the ``articles`` table.

A corpus is a JSONL file (optionally gzipped), a CSV file, a folder of ``.txt`` files
(with an optional ``metadata.csv`` beside them), or a folder holding any of these.
Loading never stops at a bad row: each rejected row becomes a record of the
``rejects`` table (source file, line, reason, detail), and the rest goes on.
Nothing is ever written by this module; the caller decides where rejects go.

Bounds
------
A text longer than :data:`MAX_CHARS` characters is rejected (``too_long``): such
rows are almost always a whole archive pasted into one field.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import html
import io
import json
import re
import sys
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path

import ftfy
import pandas as pd

from conflictlens.text import count_words

MAX_CHARS = 500_000
"""Longest article text accepted, in characters (about 80,000 words)."""

ARTICLE_COLUMNS = [
    "article_id", "published", "outlet", "title", "url", "language", "text", "n_words",
    "sha256", "kind", "date_issue", "near_duplicate_of", "source_file", "source_line",
]  # fmt: skip
REJECT_COLUMNS = ["source_file", "line", "article_id", "reason", "detail"]

REJECT_REASONS = (
    "malformed_json", "not_an_object", "malformed_row", "unreadable_file", "missing_id",
    "empty_text", "duplicate_id", "too_long",
)  # fmt: skip

_TEXT_KEYS = ("text", "body", "content", "article", "full_text")
_DATE_KEYS = ("published", "date", "pub_date", "publication_date", "published_at")


@dataclass
class Corpus:
    """The result of loading: accepted articles and rejected rows, both DataFrames."""

    articles: pd.DataFrame
    rejects: pd.DataFrame
    sources: list[Path] = field(default_factory=list)

    def summary(self) -> str:
        """One line for stderr: how many loaded, rejected (by reason), flagged."""
        n = len(self.articles)
        parts = [f"loaded {n} article{'s' * (n != 1)}"]
        if len(self.rejects):
            reasons = Counter(self.rejects["reason"])
            detail = ", ".join(f"{k} {v}" for k, v in sorted(reasons.items()))
            parts.append(f"rejected {len(self.rejects)} ({detail})")
        if n:
            undated = int(self.articles["date_issue"].notna().sum())
            if undated:
                parts.append(f"{undated} without a usable date (kept; relative dates unresolved)")
            non_en = int((self.articles["language"] != "en").sum())
            if non_en:
                parts.append(f"{non_en} not in English (kept; skipped by English-only extractors)")
            near = int(self.articles["near_duplicate_of"].notna().sum())
            if near:
                parts.append(f"{near} near-duplicates marked")
        return "; ".join(parts)


class _Rejects:
    def __init__(self) -> None:
        self.rows: list[dict] = []

    def add(self, source: Path | str, line: int | None, reason: str, detail: str, article_id=None):
        self.rows.append(
            {"source_file": str(source), "line": line, "article_id": article_id,
             "reason": reason, "detail": detail}
        )  # fmt: skip


# --------------------------------------------------------------------------- public API


def load_corpus(path: str | Path, *, detect_near_duplicates: bool = True) -> Corpus:
    """Load a corpus file or folder into validated, cleaned articles plus rejects.

    Parameters
    ----------
    path : str or Path
        A ``.jsonl``/``.jsonl.gz``/``.csv`` file, a folder of ``.txt`` files (with an
        optional ``metadata.csv``), or a folder of any of these (read in name order).
    detect_near_duplicates : bool
        Mark republished copies of one story (``near_duplicate_of``); they are kept.

    Returns
    -------
    Corpus

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "c.jsonl").write_text('{"article_id": "a", "published": "2024-02-08", "text": "Hi."}\\n{oops\\n')
    >>> c = load_corpus(d / "c.jsonl")
    >>> list(c.articles.article_id), list(c.rejects.reason)
    (['a'], ['malformed_json'])
    """
    stream = list(iter_corpus(path, chunk_size=5000, detect_near_duplicates=detect_near_duplicates))
    chunks, rejects = [a for a, _ in stream], stream[-1][1]
    articles = pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]
    return Corpus(articles, rejects, _source_files(Path(path)))


def iter_corpus(
    path: str | Path,
    *,
    chunk_size: int = 1000,
    detect_near_duplicates: bool = True,
) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    """Stream a corpus as ``(articles_chunk, rejects_so_far)`` pairs, in reading order.

    Memory stays flat in corpus size: only ids (for duplicate checks) and compact
    near-duplicate signatures are kept between chunks. Always yields at least once.
    """
    for rows, rejects in iter_rows(path, chunk_size=chunk_size,
                                   detect_near_duplicates=detect_near_duplicates):  # fmt: skip
        yield articles_frame(rows), pd.DataFrame(rejects, columns=REJECT_COLUMNS)


def iter_rows(
    path: str | Path,
    *,
    chunk_size: int = 1000,
    chunk_words: int | None = None,
    detect_near_duplicates: bool = True,
) -> Iterator[tuple[list[dict], list[dict]]]:
    """:func:`iter_corpus` as plain rows: ``(article_rows, reject_rows_so_far)`` pairs.

    The article rows hold the ``articles`` columns with ``published`` as a
    :class:`datetime.date` (or None); extraction reads these directly instead of a
    DataFrame built and taken apart again for every chunk. The reject rows are one
    list that grows as reading goes on. :func:`articles_frame` makes the table.
    A chunk ends at ``chunk_size`` articles or, if given, once it holds ``chunk_words``
    words (long transcripts make few, uneven chunks otherwise).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "c.jsonl").write_text('{"article_id": "a", "published": "2024-02-08", "text": "Hi."}\\n')
    >>> [(r["article_id"], r["published"], r["n_words"]) for rows, _ in iter_rows(d) for r in rows]
    [('a', datetime.date(2024, 2, 8), 1)]
    """
    path = Path(path)
    rejects = _Rejects()
    index = NearDuplicateIndex() if detect_near_duplicates else None
    buffer: list[dict] = []
    words, most = 0, chunk_words or float("inf")
    yielded = False
    for row in _validated(_records(path, rejects), rejects):
        if index is not None:
            row["near_duplicate_of"] = index.add(row["article_id"], row["text"])
        buffer.append(row)
        words += row["n_words"]
        if len(buffer) >= chunk_size or words >= most:
            yield buffer, rejects.rows
            buffer, words, yielded = [], 0, True
    if buffer or not yielded:
        yield buffer, rejects.rows


def _records(path: Path, rejects: _Rejects) -> Iterator[dict]:
    sources = _source_files(path)
    if not sources:
        rejects.add(path, None, "unreadable_file", "no .jsonl, .jsonl.gz, .csv or .txt files found")
    for src in sources:
        try:
            if src.is_dir():
                yield from _read_txt_folder(src, rejects)
            elif src.name.endswith((".jsonl", ".jsonl.gz", ".json.gz", ".ndjson")):
                yield from _read_jsonl(src, rejects)
            elif src.suffix.lower() == ".csv":
                yield from _read_csv(src, rejects)
            elif src.suffix.lower() == ".txt":
                yield {"article_id": src.stem, "text": src.read_text("utf-8", "replace"),
                       "_source": str(src), "_line": 1}  # fmt: skip
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            rejects.add(src, None, "unreadable_file", str(exc))


def write_rejects(rejects: pd.DataFrame, out_dir: str | Path) -> Path:
    """Write the rejects table as ``<out_dir>/rejects.jsonl`` (one JSON object a line)."""
    out = Path(out_dir) / "rejects.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for row in rejects.to_dict("records"):
            row = {k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in row.items()}
            fh.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
    return out


def report_summary(corpus: Corpus, stream=None) -> None:
    """Print the corpus summary line to stderr (or ``stream``)."""
    print(corpus.summary(), file=stream or sys.stderr)


# --------------------------------------------------------------------------- readers


def _source_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        return []
    files = sorted(
        p for p in path.iterdir()
        if p.is_file() and p.name.endswith((".jsonl", ".jsonl.gz", ".json.gz", ".ndjson", ".csv"))
        and p.name != "metadata.csv" and not p.name.startswith(("rejects", "."))
    )  # fmt: skip
    if any(path.glob("*.txt")):
        files.append(path)  # the folder itself: its .txt files are articles
    return files


def _open_text(path: Path) -> io.TextIOBase:
    if path.name.endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", errors="replace")
    return path.open("r", encoding="utf-8", errors="replace", newline="")


def _read_jsonl(path: Path, rejects: _Rejects) -> Iterator[dict]:
    source = str(path)  # one string shared by the file's rows (kept per article downstream)
    with _open_text(path) as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                rejects.add(path, n, "malformed_json", f"{exc.msg} at column {exc.colno}")
                continue
            if not isinstance(obj, dict):
                rejects.add(path, n, "not_an_object", f"a JSON {type(obj).__name__}, not an object")
                continue
            obj["_source"], obj["_line"] = source, n
            yield obj


def _read_csv(path: Path, rejects: _Rejects) -> Iterator[dict]:
    source = str(path)
    with _open_text(path) as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames and "event_date" in reader.fieldnames and "notes" in reader.fieldnames:
            raise OSError(f"{path} looks like an ACLED export; load it with load_acled()")
        for row in reader:
            n = reader.line_num
            if None in row:  # more cells than the header has
                rejects.add(path, n, "malformed_row", f"{len(row[None])} cells beyond the header")
                continue
            row = {k: v for k, v in row.items() if k is not None}
            row["_source"], row["_line"] = source, n
            yield row


def _read_txt_folder(folder: Path, rejects: _Rejects) -> Iterator[dict]:
    meta: dict[str, dict] = {}
    meta_path = folder / "metadata.csv"
    if meta_path.exists():
        with _open_text(meta_path) as fh:
            for row in csv.DictReader(fh):
                key = (row.get("file") or row.get("article_id") or "").strip()
                if key:
                    meta[Path(key).stem] = row
    for p in sorted(folder.glob("*.txt")):
        try:
            raw = p.read_bytes()
        except OSError as exc:
            rejects.add(p, None, "unreadable_file", str(exc))
            continue
        rec = dict(meta.get(p.stem, {}))
        rec.pop("file", None)
        rec.setdefault("article_id", p.stem)
        rec["text"] = raw.decode("utf-8", errors="replace")
        rec["_source"], rec["_line"] = str(p), 1
        yield rec


# --------------------------------------------------------------------------- validation


def _first(rec: dict, keys: Iterable[str]):
    for k in keys:
        v = rec.get(k)
        if v is not None and not (isinstance(v, float) and pd.isna(v)) and str(v).strip() != "":
            return v
    return None


def _validated(records: Iterable[dict], rejects: _Rejects) -> Iterator[dict]:
    seen: dict[str, tuple] = {}  # id -> (file, line): a shared string and an int, not a new string
    for rec in records:
        src, line = rec.get("_source"), rec.get("_line")
        aid = _first(rec, ("article_id", "id", "doc_id"))
        if aid is None:
            rejects.add(src, line, "missing_id", "no article_id (or id) field")
            continue
        aid = str(aid).strip()
        raw_text = _first(rec, _TEXT_KEYS)
        if raw_text is None:
            rejects.add(src, line, "empty_text", "no text", aid)
            continue
        raw_text = str(raw_text)
        if len(raw_text) > MAX_CHARS:
            rejects.add(src, line, "too_long", f"{len(raw_text)} characters > {MAX_CHARS}", aid)
            continue
        text = clean_text(raw_text)
        if not text.strip():
            rejects.add(src, line, "empty_text", "nothing left after cleaning", aid)
            continue
        if aid in seen:
            rejects.add(src, line, "duplicate_id", "first seen at {}:{}".format(*seen[aid]), aid)
            continue
        seen[aid] = (src, line)
        published, issue = parse_date(_first(rec, _DATE_KEYS))
        language = str(_first(rec, ("language", "lang")) or detect_language(text)).lower()[:8]
        title = clean_text(str(_first(rec, ("title", "headline")) or ""))
        yield (
            {
                "article_id": aid,
                "published": published,
                "outlet": clean_text(
                    str(_first(rec, ("outlet", "source", "publisher")) or "unknown")
                ),
                "title": title,
                "url": _first(rec, ("url", "link")),
                "language": language,
                "text": text,
                "n_words": count_words(text),
                "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                "kind": _first(rec, ("kind", "type")),
                "date_issue": issue,
                "near_duplicate_of": None,
                "source_file": src,
                "source_line": line,
            }
        )


def articles_frame(rows: list[dict]) -> pd.DataFrame:
    """The ``articles`` table from rows of :func:`iter_rows` (column order and types fixed)."""
    df = pd.DataFrame(rows, columns=ARTICLE_COLUMNS)
    df["published"] = pd.to_datetime(df["published"], errors="coerce")
    df["source_line"] = df["source_line"].astype("Int64")
    df["n_words"] = df["n_words"].astype("int64")
    return df


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d %B %Y", "%B %d, %Y", "%d/%m/%Y", "%Y%m%d", "%b %d, %Y")


def parse_date(value) -> tuple[date | None, str | None]:
    """Parse a publication date; return ``(date, None)`` or ``(None, problem)``.

    Examples
    --------
    >>> parse_date("2024-02-08")
    (datetime.date(2024, 2, 8), None)
    >>> parse_date("2024-02-30")
    (None, 'impossible date: 2024-02-30')
    >>> parse_date(None)
    (None, 'missing date')
    """
    if value is None or (isinstance(value, float) and pd.isna(value)) or str(value).strip() == "":
        return None, "missing date"
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    s = str(value).strip()
    iso = re.match(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$", s)
    if iso:
        try:
            return date(int(iso[1]), int(iso[2]), int(iso[3])), None
        except ValueError:
            return None, f"impossible date: {s}"
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(s, fmt).date(), None
        except ValueError:
            continue
    return None, f"unreadable date: {s[:40]}"


# --------------------------------------------------------------------------- cleaning

_HTML_TAG = re.compile(r"</?(?:p|br|div|span|a|b|i|em|strong|html|body|script|style|h[1-6]|li|ul|ol|table|tr|td|article|section|blockquote|figure|img)\b[^>]*>", re.I)  # fmt: skip
_MOJIBAKE_HINT = re.compile(
    "[\u00c2\u00c3\u00c5\u00ce\u00d0\u00d8\u00d9][\u0080-\u00bf\u2018-\u203a\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc]|\u00e2\u20ac|\ufffd"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u200e\u200f\ufeff]")
_STRAY_PUNCT = re.compile(r"([.!?][\"'\u201d\u2019]?)(?:[ \t]+\.)+(?=\s|$)")


class _TextExtractor(HTMLParser):
    _BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote",
              "article", "section", "ul", "ol", "table", "figure"}  # fmt: skip
    _DROP = {"script", "style", "noscript", "template", "head"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._DROP:
            self.skip += 1
        elif tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in self._DROP:
            self.skip = max(0, self.skip - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Visible text of an HTML fragment; script and style dropped, blocks become paragraphs.

    Examples
    --------
    >>> html_to_text("<p>Rockets hit <b>al-Asad</b>.</p><script>x()</script><p>Two &amp; more.</p>")
    'Rockets hit al-Asad.\\n\\nTwo & more.'
    """
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts)
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def clean_text(text: str) -> str:
    """Repair a raw text: HTML, mojibake, control characters, line ends, stray punctuation.

    Quote marks and dashes are kept as written (the extractors read them through
    :func:`conflictlens.text.plain`, which maps them one-for-one, so offsets hold).

    Examples
    --------
    >>> clean_text("the Syrian border. .\\r\\nIt\\x00 was â€œlateâ€\\x9d.")
    'the Syrian border.\\nIt was “late”.'
    """
    if _HTML_TAG.search(text):
        text = html_to_text(text)
    elif "&" in text and re.search(r"&(?:[a-z]{2,8}|#\d{2,5});", text):
        text = html.unescape(text)
    if _MOJIBAKE_HINT.search(text):  # ftfy is thorough but slow: only where it can help
        text = ftfy.fix_encoding(text)
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = _STRAY_PUNCT.sub(r"\1", text)
    if " \n" in text or "\t\n" in text:  # (the search alone costs more than this test)
        text = _TRAILING_SPACE.sub("\n", text)
    return text.strip()


_TRAILING_SPACE = re.compile(r"[ \t]+\n")


# --------------------------------------------------------------------------- language

_EN_STOP = frozenset(
    "the of and to in a is that for on was with as by at from it said have has be are were "
    "not this an but which its they their he his will after been who".split()
)


_NON_EN_STOP = frozenset(
    "le la les des est une dans pour que qui sur avec pas du au el los las del por para una con "
    "es lo der die das und ist nicht mit von den zu ein eine il di che non per della".split()
)


def detect_language(text: str) -> str:
    """A data-free guess: ``en`` when English function words are common, else the script.

    Returns ``en``, ``ar`` (Arabic script), ``fa`` is not told apart from ``ar``,
    ``ru`` (Cyrillic), ``he``, ``zh``, or ``und`` (Latin script, not English).

    Examples
    --------
    >>> detect_language("The group said it was behind the attack on the base.")
    'en'
    >>> detect_language("BAGHDAD - Rockets hit Ain al-Asad base, officials said")
    'en'
    >>> detect_language("قالت كتائب حزب الله إنها علقت عملياتها العسكرية")
    'ar'
    """
    sample = text[:3000]
    letters = list(filter(str.isalpha, sample))
    if not letters:
        return "und"
    if max(letters) < "\u0250":  # all Latin: no need to tell scripts apart letter by letter
        script, n = "latin", len(letters)
    else:
        script, n = Counter(map(_script, letters)).most_common(1)[0]
    if script != "latin" and n / len(letters) > 0.5:
        return {"arabic": "ar", "cyrillic": "ru", "hebrew": "he", "cjk": "zh"}.get(script, "und")
    words = re.findall(r"[a-z]+", sample.lower())
    en = sum(w in _EN_STOP for w in words)
    other = sum(w in _NON_EN_STOP for w in words)
    # A headline or a one-line snippet has too few words to tell: Latin script means
    # English unless it is plainly another language, so short English is never skipped.
    if len(words) < 40:
        return "und" if other > max(2, 2 * en) else "en"
    if en / len(words) >= 0.08 and en >= other:
        return "en"
    return "und"


def _script(c: str) -> str:
    o = ord(c)
    if o < 0x250:
        return "latin"
    if 0x600 <= o <= 0x6FF or 0x750 <= o <= 0x77F or 0xFB50 <= o <= 0xFEFF:
        return "arabic"
    if 0x400 <= o <= 0x4FF:
        return "cyrillic"
    if 0x590 <= o <= 0x5FF:
        return "hebrew"
    if 0x4E00 <= o <= 0x9FFF:
        return "cjk"
    return "other"


# --------------------------------------------------------------------------- near-duplicates

_NUM_PERM = 24
_BANDS = 8
_BLOCK = 1 << 14  # signatures per storage block
_MASK = (1 << 61) - 1


def _shingles(text: str, k: int = 5):
    """Distinct hashes of the ``k``-word shingles of ``text`` (a uint64 array)."""
    import numpy as np

    words = _WORDS.findall(text.lower())
    if not words:
        return np.zeros(0, dtype=np.uint64)
    # (map over built-ins: no Python-level step per word, as a generator would take)
    ids = np.fromiter(map(zlib.crc32, map(str.encode, words)), dtype=np.uint64, count=len(words))
    if len(ids) < k:
        return np.unique(ids)
    n = len(ids) - k + 1
    acc = np.zeros(n, dtype=np.uint64)
    for j in range(k):  # polynomial rolling hash; uint64 arithmetic wraps, deterministically
        acc = acc * np.uint64(1_000_003) + ids[j : j + n]
    return np.unique(acc)


_WORDS = re.compile(r"\w+")


def _h(s: str) -> int:
    # blake2b, not hash(): results must not depend on PYTHONHASHSEED
    return int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "little")


class NearDuplicateIndex:
    """Find republished copies of a story as articles stream past.

    MinHash signatures (24 hash functions over 5-word shingles) are bucketed in 8
    bands; a candidate counts as the same story when the estimated Jaccard
    similarity of their shingle sets is ``>= threshold``. Keeps 8 band keys (16 bytes each) and a
    24-value signature (192 bytes) per article, so memory grows slowly and time linearly.

    Examples
    --------
    >>> idx = NearDuplicateIndex()
    >>> story = "Three US soldiers were killed in a drone attack on a base in Jordan, officials said. " * 3
    >>> idx.add("a", story), idx.add("b", "UPDATE " + story), idx.add("c", "Talks resumed in Baghdad today.")
    (None, 'a', None)
    """

    def __init__(self, threshold: float = 0.6, *, recent_max: int = 200_000) -> None:
        import numpy as np

        self._np = np
        rng = np.random.default_rng(20231017)
        self._a = rng.integers(1, _MASK, _NUM_PERM, dtype=np.uint64)
        self._b = rng.integers(0, _MASK, _NUM_PERM, dtype=np.uint64)
        self.threshold = threshold
        # band key -> first article filed under it: a small dict of recent keys, merged
        # now and then into two sorted arrays (16 bytes a key instead of ~100 in a dict),
        # so a million articles fit in a few hundred MB
        self._recent: dict[int, int] = {}
        self._recent_max = recent_max
        self._keys = np.zeros(0, dtype=np.uint64)
        self._vals = np.zeros(0, dtype=np.int64)
        self._blocks: list = []  # signatures, _BLOCK rows a block (no copies as it grows)
        self._ids: list[str] = []
        self._root: list[str | None] = []

    def __len__(self) -> int:
        return len(self._ids)

    def _sig(self, j: int):
        return self._blocks[j // _BLOCK][j % _BLOCK]

    def add(self, article_id: str, text: str) -> str | None:
        """Register an article; return the id of the first-read article it copies, or None."""
        np = self._np
        sh = _shingles(text)
        i = len(self._ids)
        self._ids.append(article_id)
        if i % _BLOCK == 0:
            self._blocks.append(np.zeros((_BLOCK, _NUM_PERM), dtype=np.uint64))
        if not len(sh):
            self._root.append(None)
            return None
        arr = sh & np.uint64(_MASK)
        sig = ((arr[:, None] * self._a[None, :] + self._b[None, :]) & np.uint64(_MASK)).min(axis=0)
        self._blocks[-1][i % _BLOCK] = sig
        rows = _NUM_PERM // _BANDS
        keys = [_h(f"{band}:" + ",".join(map(str, sig[band * rows : (band + 1) * rows].tolist())))
                for band in range(_BANDS)]  # fmt: skip
        filed = self._lookup(keys)
        best = None
        for j in sorted({v for v in filed if v is not None}):
            if float((self._sig(j) == sig).mean()) >= self.threshold:
                best = j
                break
        root = None if best is None else (self._root[best] or self._ids[best])
        self._root.append(root)
        for k, v in zip(keys, filed, strict=True):
            if v is None:  # the first article filed under a key keeps it
                self._recent[k] = i
        if len(self._recent) >= self._recent_max:
            self._merge()
        return root

    def _lookup(self, keys: list[int]) -> list[int | None]:
        np = self._np
        out = [self._recent.get(k) for k in keys]
        if len(self._keys):
            ka = np.array(keys, dtype=np.uint64)
            pos = np.minimum(np.searchsorted(self._keys, ka), len(self._keys) - 1)
            hit = self._keys[pos] == ka
            for n in np.flatnonzero(hit).tolist():
                out[n] = int(self._vals[pos[n]])
        return out

    def _merge(self) -> None:
        np = self._np
        ks = np.fromiter(self._recent.keys(), dtype=np.uint64, count=len(self._recent))
        vs = np.fromiter(self._recent.values(), dtype=np.int64, count=len(self._recent))
        order = np.argsort(ks, kind="stable")
        ks, vs = ks[order], vs[order]
        at = np.searchsorted(self._keys, ks)  # no key is in both: recent keys were new
        self._keys = np.insert(self._keys, at, ks)
        self._vals = np.insert(self._vals, at, vs)
        self._recent = {}


def near_duplicates(articles: pd.DataFrame, *, threshold: float = 0.6) -> list[str | None]:
    """For each article (in table order), the id of the earlier one it republishes, else None."""
    idx = NearDuplicateIndex(threshold)
    return [idx.add(a, t) for a, t in zip(articles["article_id"], articles["text"], strict=True)]


# --------------------------------------------------------------------------- ACLED

ACLED_COLUMNS = {
    "event_id_cnty": "event_id", "event_date": "date", "event_type": "acled_event_type",
    "sub_event_type": "acled_sub_event_type", "actor1": "actor1", "actor2": "actor2",
    "country": "country", "admin1": "admin1", "location": "location", "latitude": "latitude",
    "longitude": "longitude", "source": "source", "notes": "notes", "fatalities": "killed",
}  # fmt: skip

_ACLED_TYPE = {
    "air/drone strike": "air_strike", "shelling/artillery/missile attack": "missile_attack",
    "remote explosive/landmine/ied": "ied_attack", "attack": "attack", "armed clash": "attack",
}  # fmt: skip


def load_acled(path: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read an ACLED CSV export (or a list in its layout) as an events-like table.

    ACLED's columns are renamed to ours (``event_date`` → ``date``, ``fatalities`` →
    ``killed``...), ``event_type`` is mapped to our event types (project column
    ``event_type_cl`` wins where present). Returns ``(events, rejects)``.
    """
    path = Path(path)
    rejects = _Rejects()
    rows = []
    with _open_text(path) as fh:
        reader = csv.DictReader(fh)
        missing = {"event_date", "event_type"} - set(reader.fieldnames or [])
        if missing:
            rejects.add(path, 1, "malformed_row", f"not an ACLED layout: missing {sorted(missing)}")
            return pd.DataFrame(), pd.DataFrame(rejects.rows, columns=REJECT_COLUMNS)
        for row in reader:
            n = reader.line_num
            d, issue = parse_date(row.get("event_date"))
            if d is None:
                rejects.add(path, n, "malformed_row", issue or "bad date", row.get("event_id_cnty"))
                continue
            out = {ours: row.get(theirs) for theirs, ours in ACLED_COLUMNS.items()}
            out["date"] = d
            sub = (row.get("sub_event_type") or "").strip().lower()
            out["event_type"] = row.get("event_type_cl") or _ACLED_TYPE.get(sub, "attack")
            out["perpetrator_id"] = row.get("perpetrator_id") or None
            out["target_id"] = row.get("target_id") or None
            try:
                out["killed"] = int(out["killed"]) if out["killed"] not in (None, "") else None
            except ValueError:
                rejects.add(path, n, "malformed_row", f"fatalities not a number: {out['killed']!r}")
                continue
            out["source_line"] = n
            rows.append(out)
    events = pd.DataFrame(rows)
    if len(events):
        events["date"] = pd.to_datetime(events["date"])
    return events, pd.DataFrame(rejects.rows, columns=REJECT_COLUMNS)
