"""The editable lexicons in ``data/lexicons``: loading and validation.

Lexicons are CSV files with a header row, one idea per row, meant to be edited by
researchers in a spreadsheet. Every load validates the file and fails with a
:class:`LexiconError` naming the file, the line and what is wrong, so a typo never
turns silently into a missing actor.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import re
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path

import pandas as pd

from conflictlens.text import fold

CANONICAL_IDS = (
    "kataeb_hezbollah", "harakat_al_nujaba", "kataib_sayyid_al_shuhada",
    "islamic_resistance_in_iraq", "popular_mobilization_forces", "houthis",
    "hezbollah_lebanon", "hamas", "irgc", "iran", "iraq", "syria", "jordan", "israel",
    "united_states", "international_coalition", "islamic_state", "abu_bakr_al_saadi",
    "baghdad", "erbil", "gaza",
)  # fmt: skip
"""Entity ids fixed by DESIGN.md; actors.csv must define each of them."""

ENTITY_TYPES = ("state", "armed_group", "organization", "person", "capital", "city", "place")
"""``capital`` is a city that can stand for its state ("Baghdad wants")."""

ALIAS_KINDS = ("name", "alias", "transliteration", "acronym", "demonym", "metonym")
"""``acronym`` rows match case-sensitively; ``metonym`` rows (the Pentagon) always mean
the affiliated state; ``demonym`` rows (Iraqi) name the entity through an adjective."""

_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class LexiconError(ValueError):
    """A lexicon file has a bad row; the message names the file and line."""


def default_dir() -> Path:
    """The project's ``data/lexicons`` folder (or the copy installed with the package)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        cand = parent / "data" / "lexicons"
        if (cand / "actors.csv").exists():
            return cand
    return Path(str(resources.files("conflictlens"))) / "data" / "lexicons"


def read_csv_rows(
    path: str | Path,
    required: Iterable[str],
    *,
    optional: Iterable[str] = (),
) -> list[tuple[int, dict[str, str]]]:
    """Read a lexicon CSV as ``(line_number, row)`` pairs with stripped cells.

    Lines that are blank or start with ``#`` are comments. Raises
    :class:`LexiconError` for a missing file, missing columns or a ragged row.
    """
    path = Path(path)
    if not path.exists():
        raise LexiconError(f"{path}: file not found")
    required = list(required)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        lines = [ln for ln in fh]
    body = [
        (i + 1, ln) for i, ln in enumerate(lines) if ln.strip() and not ln.lstrip().startswith("#")
    ]
    if not body:
        raise LexiconError(f"{path}: empty file (a header row is needed: {','.join(required)})")
    header_line, header = body[0]
    columns = [c.strip() for c in next(csv.reader([header]))]
    missing = [c for c in required if c not in columns]
    if missing:
        raise LexiconError(
            f"{path}:{header_line}: missing column(s) {missing}; header is {columns}"
        )
    known = set(required) | set(optional)
    unknown = [c for c in columns if c not in known]
    if unknown:
        raise LexiconError(
            f"{path}:{header_line}: unknown column(s) {unknown}; allowed: {sorted(known)}"
        )
    rows = []
    for n, ln in body[1:]:
        cells = next(csv.reader([ln]))
        if len(cells) > len(columns):
            raise LexiconError(f"{path}:{n}: {len(cells)} cells but the header has {len(columns)}")
        cells += [""] * (len(columns) - len(cells))
        rows.append((n, {c: v.strip() for c, v in zip(columns, cells, strict=True)}))
    return rows


def check(condition: bool, path: Path | str, line: int, message: str) -> None:
    """Raise :class:`LexiconError` with ``file:line: message`` unless ``condition``."""
    if not condition:
        raise LexiconError(f"{path}:{line}: {message}")


def alias_key(alias: str) -> str:
    """The form under which two aliases count as the same (case, accents, ' and - ignored).

    Examples
    --------
    >>> alias_key("Kata'ib Hezbollah") == alias_key("Kataib hezbollah")
    True
    """
    return re.sub(r"[\W_]+", "", fold(alias))


def load_actors(path: str | Path | None = None) -> pd.DataFrame:
    """Load and validate ``actors.csv``: one row per alias of an entity.

    Columns: ``entity_id, entity_type, affiliation, alias, kind``. ``entity_type`` and
    ``affiliation`` may be left blank on an entity's later rows (they inherit from the
    first); when given they must agree.

    Raises
    ------
    LexiconError
        Unknown type or kind, malformed id, an alias claimed by two entities, an
        affiliation naming no entity, conflicting types, or a canonical id missing.

    Examples
    --------
    >>> actors = load_actors()
    >>> actors.loc[actors.alias == "Hezbollah Brigades", "entity_id"].item()
    'kataeb_hezbollah'
    """
    path = Path(path) if path else default_dir() / "actors.csv"
    # every stage's build reads this file: parse and validate it once per content of it
    version = hashlib.blake2b(path.read_bytes()).hexdigest() if path.is_file() else None
    return _load_actors(path, version).copy()


@functools.lru_cache(maxsize=8)
def _load_actors(path: Path, version) -> pd.DataFrame:
    rows = read_csv_rows(path, ["entity_id", "entity_type", "affiliation", "alias", "kind"])
    first: dict[str, tuple[int, str, str]] = {}
    owner: dict[tuple[str, bool], tuple[str, int]] = {}
    records = []
    for n, r in rows:
        eid = r["entity_id"]
        check(bool(_ID.match(eid)), path, n, f"entity_id {eid!r} must be snake_case (a-z, 0-9, _)")
        check(bool(r["alias"]), path, n, f"empty alias for {eid}")
        kind = r["kind"] or "alias"
        check(kind in ALIAS_KINDS, path, n, f"unknown kind {kind!r}; use one of {ALIAS_KINDS}")
        etype, aff = r["entity_type"], r["affiliation"]
        if eid in first:
            _, t0, a0 = first[eid]
            check(
                etype in ("", t0),
                path,
                n,
                f"{eid} has type {etype!r} here but {t0!r} on line {first[eid][0]}",
            )
            check(
                aff in ("", a0),
                path,
                n,
                f"{eid} has affiliation {aff!r} here but {a0!r} on line {first[eid][0]}",
            )
            etype, aff = t0, a0
        else:
            check(
                etype in ENTITY_TYPES,
                path,
                n,
                f"unknown entity_type {etype!r}; use one of {ENTITY_TYPES}",
            )
            first[eid] = (n, etype, aff)
        case_sensitive = kind == "acronym"
        key = (r["alias"] if case_sensitive else alias_key(r["alias"]), case_sensitive)
        if key in owner and owner[key][0] != eid:
            other, line = owner[key]
            raise LexiconError(
                f"{path}:{n}: alias {r['alias']!r} of {eid} is already claimed by {other} on line {line}"
            )
        owner.setdefault(key, (eid, n))
        records.append({"entity_id": eid, "entity_type": etype, "affiliation": aff or None,
                        "alias": r["alias"], "kind": kind, "line": n})  # fmt: skip
    ids = set(first)
    for eid, (n, etype, aff) in first.items():
        check(
            not aff or aff in ids,
            path,
            n,
            f"affiliation {aff!r} of {eid} is not an entity_id in this file",
        )
        check(
            etype != "capital" or bool(aff),
            path,
            n,
            f"capital {eid} needs the state it stands for as affiliation",
        )
    missing = [c for c in CANONICAL_IDS if c not in ids]
    if missing:
        raise LexiconError(f"{path}: canonical id(s) missing: {', '.join(missing)}")
    return pd.DataFrame(records)


def load_table(
    path: str | Path,
    required: Iterable[str],
    *,
    optional: Iterable[str] = (),
    validate: Callable[[int, dict[str, str]], str | None] | None = None,
) -> pd.DataFrame:
    """Load any lexicon CSV, checking its columns and each row with ``validate``.

    ``validate(line, row)`` returns an error message for a bad row, or None.
    The returned frame has a ``line`` column so results can name their source row.
    """
    path = Path(path)
    rows = read_csv_rows(path, required, optional=optional)
    out = []
    for n, r in rows:
        if validate is not None:
            problem = validate(n, r)
            check(problem is None, path, n, problem or "")
        out.append({**r, "line": n})
    return pd.DataFrame(
        out, columns=[*required, *[o for o in optional if o not in required], "line"]
    )


def load_titles(path: str | Path | None = None, actors: pd.DataFrame | None = None) -> pd.DataFrame:
    """Load and validate ``titles.csv``: who held a title ("the President") and when.

    Columns: ``title, entity_id, start, end, scope`` (and an optional ``note``).
    ``start`` and ``end`` are ISO dates; a term runs from ``start`` up to the day
    before ``end`` (``end`` is the successor's first day, as the record usually gives
    it), and a blank ``end`` means still in office. ``scope`` is the outlet the title
    is read in (``whitehouse.gov``: "the President" of a White House text) or ``any``.

    Raises
    ------
    LexiconError
        A date that does not parse, ``end`` not after ``start``, an ``entity_id`` that
        is no person of ``actors.csv``, or two terms of one title and scope that
        overlap.

    Examples
    --------
    >>> t = load_titles()
    >>> biden = t[(t.title == "the President") & (t.entity_id == "joe_biden")]
    >>> biden[["start", "end", "scope"]].astype(str).values.tolist()
    [['2021-01-20', '2025-01-20', 'whitehouse.gov']]
    """
    from datetime import date

    path = Path(path) if path else default_dir() / "titles.csv"
    if actors is None:
        actors = load_actors(path.parent / "actors.csv")
    people = set(actors.loc[actors.entity_type == "person", "entity_id"])
    known = set(actors.entity_id)

    def day(n: int, col: str, value: str) -> date | None:
        if not value and col == "end":
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise LexiconError(f"{path}:{n}: {col} {value!r} is not a date (YYYY-MM-DD)") from None

    records = []
    terms: dict[tuple[str, str], list[tuple[date, date | None, int]]] = {}
    for n, r in read_csv_rows(path, ["title", "entity_id", "start", "end", "scope"],
                              optional=["note"]):  # fmt: skip
        title = " ".join(r["title"].split())
        check(bool(title), path, n, "empty title")
        eid = r["entity_id"]
        check(eid in known, path, n, f"entity_id {eid!r} is not in actors.csv")
        check(eid in people, path, n, f"entity_id {eid!r} is not a person in actors.csv")
        start, end = day(n, "start", r["start"]), day(n, "end", r["end"])
        check(
            end is None or start < end, path, n, f"end {r['end']} is not after start {r['start']}"
        )
        scope = r["scope"].lower()
        check(bool(scope), path, n, "empty scope (an outlet, or 'any')")
        key = (title.lower(), scope)
        for s0, e0, n0 in terms.get(key, []):
            if (e0 is None or start < e0) and (end is None or s0 < end):
                raise LexiconError(
                    f"{path}:{n}: term of {title!r} ({scope}) overlaps the term on line {n0}"
                )
        terms.setdefault(key, []).append((start, end, n))
        records.append({"title": title, "entity_id": eid, "start": start, "end": end,
                        "scope": scope, "line": n})  # fmt: skip
    return pd.DataFrame(records, columns=["title", "entity_id", "start", "end", "scope", "line"])
