"""Where chunks of articles are extracted: in this process, a process pool, or Dask.

Every engine runs the same function, :func:`extract_chunk`, over chunks of article
rows and yields the results **in chunk order**, so the tables do not depend on the
engine or the number of workers. Models (compiled lexicons) are built once per
worker process, never once per chunk.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

_WORKER_MODELS = None


def extract_chunk(rows: list[dict], lexicon_dir: str | None, models=None) -> dict[str, tuple]:
    """All table rows for a chunk of ``articles`` rows (dicts), each table packed (:func:`pack`)."""
    from conflictlens.pipeline import Models, analyze_doc, doc_from_row

    global _WORKER_MODELS
    if models is None:
        if _WORKER_MODELS is None or str(_WORKER_MODELS.lexicon_dir) != str(
            lexicon_dir or _default()
        ):
            _WORKER_MODELS = Models.build(lexicon_dir)
        models = _WORKER_MODELS
    out: dict[str, list[dict]] = {}
    with fewer_collections():
        for row in rows:
            for table, found in analyze_doc(doc_from_row(row), models).items():
                out.setdefault(table, []).extend(found)
        return {table: pack(found) for table, found in out.items()}


def pack(rows: list[dict]) -> tuple[tuple[str, ...] | None, list]:
    """``(columns, value tuples)`` if all ``rows`` have the same keys in the same order,
    else ``(None, rows)``.

    Sent between processes, the keys are not repeated in every row: a chunk's results
    pickle to about 40% less and unpickle about twice as fast, and
    ``DataFrame.from_records`` frames them quicker than a list of dicts.

    Examples
    --------
    >>> pack([{"a": 1, "b": "x"}, {"a": 2, "b": None}])
    (('a', 'b'), [(1, 'x'), (2, None)])
    >>> pack([{"a": 1}, {"b": 2}])
    (None, [{'a': 1}, {'b': 2}])
    """
    if not rows:
        return None, rows
    keys = tuple(rows[0])
    if all(tuple(r) == keys for r in rows):
        return keys, [tuple(r.values()) for r in rows]
    return None, rows


def unpack(packed: tuple[tuple[str, ...] | None, list]) -> list[dict]:
    """The rows :func:`pack` was given."""
    keys, rows = packed
    return rows if keys is None else [dict(zip(keys, r, strict=True)) for r in rows]


@contextmanager
def fewer_collections(threshold: int = 50_000) -> Iterator[None]:
    """Run the cyclic garbage collector less often while extracting.

    Extraction allocates millions of short-lived rows and tuples that reference
    counting frees; at the default threshold (700) the collector walks the young
    objects thousands of times for nothing, about 7% of the run. The previous
    thresholds are restored afterwards.
    """
    old = gc.get_threshold()
    gc.set_threshold(threshold, old[1], old[2])
    try:
        yield
    finally:
        gc.set_threshold(*old)


def _default() -> Path:
    from conflictlens.lexicons import default_dir

    return default_dir()


def run_local(chunks: Iterable[list[dict]], lexicon_dir: str | None, models=None) -> Iterator[dict]:
    """Extract chunk after chunk in this process."""
    for rows in chunks:
        yield extract_chunk(rows, lexicon_dir, models)


def run_pool(chunks: Iterable[list[dict]], lexicon_dir: str | None, jobs: int) -> Iterator[dict]:
    """Extract chunks on ``jobs`` worker processes, at most ``2 * jobs`` chunks in flight.

    The bounded window keeps memory flat however long the corpus is.
    """
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
        window: deque = deque()
        for rows in chunks:
            window.append(pool.submit(extract_chunk, rows, lexicon_dir))
            if len(window) >= 2 * jobs:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()


def run_dask(
    chunks: Iterable[list[dict]],
    lexicon_dir: str | None,
    jobs: int,
    scheduler: str | None = None,
) -> Iterator[dict]:
    """Extract chunks on a dask.distributed cluster (a LocalCluster unless ``scheduler``).

    Needs the optional extra: ``pip install -e ".[dask]"``. Workers must be able to
    import conflictlens (same version) and read ``lexicon_dir``.
    """
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - depends on the optional extra
        raise RuntimeError(
            'the dask engine needs the "dask" extra: pip install -e ".[dask]"'
        ) from exc

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=max(1, jobs), threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=40)  # fmt: skip
        client = Client(cluster)
    try:
        lex = str(lexicon_dir or _default())
        window: deque = deque()
        n_workers = max(1, len(client.scheduler_info().get("workers", {})) or jobs)
        for rows in chunks:
            window.append(client.submit(extract_chunk, rows, lex, pure=False))
            if len(window) >= 2 * n_workers:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def default_jobs() -> int:
    """Worker processes to use when asked for ``0`` (all cores)."""
    return max(
        1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )
