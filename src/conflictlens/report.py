"""The report runner: notebooks in, one reproducible report bundle out.

``conflictlens run`` (and ``make reports``) does, in order:

1. reads the configuration (``config/default.yaml``: corpora, parameters, jobs) with
   :func:`yaml.safe_load`, and checks every parameter against the ``parameters`` cell
   of every notebook (:func:`papermill.inspect_notebook`) — unknown keys, wrong types
   and date ranges without articles fail here, before any kernel starts;
2. extracts each corpus once (cached under ``data/processed/<name>-<hash>/`` by
   :func:`conflictlens.pipeline.cached_extract`);
3. executes the notebooks ``notebooks/NN_*.ipynb`` with papermill, in parallel worker
   processes, each with ``processed``, ``corpus`` and ``out_dir`` passed as parameters
   (data, never code), in the kernel of the interpreter running this code;
4. normalises each executed notebook (cell ids, timings, memory addresses) and exports
   it to HTML (code hidden unless ``--show-code``), collects the figures and tables it
   saved through :func:`conflictlens.plots.save_figure` / ``save_table`` into
   ``figures/<notebook>/`` and ``tables/<notebook>/``;
5. writes ``index.html`` (a card per report) and ``manifest.json`` (inputs with sha256,
   versions, git revision, timings).

Everything but the manifest is a function of the inputs and parameters: a rerun gives
the same bytes. Timestamps and durations live in ``manifest.json`` (and ``manifest.js``,
the same data as a script the index page reads to show durations when opened from disk).

A notebook that raises is kept with its error, shown on the index page with the failing
cell, and named in the exit status; the other notebooks still run.
"""

from __future__ import annotations

import ast
import hashlib
import html
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import yaml

from conflictlens import __version__
from conflictlens.pipeline import project_root, resolve_path

KERNEL_NAME = "conflictlens"
"""The kernelspec ``make setup`` installs into the venv (``ipykernel install --sys-prefix``)."""

CONTRACT = ("processed", "corpus", "out_dir")
"""Parameters every notebook declares; the runner sets them."""

RUNNER_SET = ("processed", "out_dir")
"""Parameters only the runner sets (``corpus`` may be given with ``-p corpus=PATH``)."""

DATE_RANGE = ("start", "end")
"""Parameter names read as an inclusive range of publication dates (YYYY-MM-DD)."""

DETERMINISTIC_ENV = {
    "PYTHONHASHSEED": "0",
    "TZ": "UTC",
    "LC_ALL": "C.UTF-8",
    "SOURCE_DATE_EPOCH": "0",
}
"""Environment of the extraction worker and every kernel: hash order, time zone, locale,
and a fixed date for any library that stamps one (matplotlib honours SOURCE_DATE_EPOCH)."""

KERNEL_ENV = {
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    "TQDM_DISABLE": "1",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    # tqdm.auto warns on import in a kernel without ipywidgets; the warning is not a result
    "PYTHONWARNINGS": "ignore:IProgress not found",
}
"""Extra environment of the kernels only: figures inline, no progress bars in outputs."""

CONFIG_KEYS = {
    "run", "out_root", "cache_dir", "notebooks_dir", "notebooks", "corpora", "parameters",
    "notebook_options", "jobs", "show_code", "cell_timeout",
}  # fmt: skip
CORPUS_KEYS = {"name", "path", "optional", "parameters"}
NOTEBOOK_OPTION_KEYS = {"parameters", "key_figure"}

DEFAULTS = {
    "run": None,
    "out_root": "reports",
    "cache_dir": "data/processed",
    "notebooks_dir": "notebooks",
    "notebooks": None,
    "corpora": [{"name": "sample", "path": "data/raw/sample"}],
    "parameters": {},
    "notebook_options": {},
    "jobs": 2,
    "show_code": False,
    "cell_timeout": 600,
}

_NOTEBOOK_NAME = re.compile(r"^\d\d_[A-Za-z0-9_\-]+\.ipynb$")
_ADDRESS = re.compile(r"(?<= at )0x[0-9a-fA-F]{4,}")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ReportError(Exception):
    """A problem found before any kernel starts (bad config, parameters or corpus)."""


# --------------------------------------------------------------------------- configuration


@dataclass
class CorpusSpec:
    """One corpus to report on: it gets its own bundle (or sub-bundle)."""

    name: str
    path: Path
    parameters: dict = field(default_factory=dict)


@dataclass
class Notebook:
    """A notebook found in ``notebooks/`` and the parameters its ``parameters`` cell declares."""

    name: str
    path: Path
    title: str
    declared: dict[str, dict]


def default_config_path() -> Path:
    """``config/default.yaml`` of this checkout."""
    return project_root() / "config" / "default.yaml"


def load_config(path: str | Path | None = None) -> dict:
    """Read and check a report configuration; missing keys take :data:`DEFAULTS`.

    Parameters
    ----------
    path : path, optional
        A YAML file (read with :func:`yaml.safe_load`); ``config/default.yaml`` if omitted.

    Returns
    -------
    dict with every key of :data:`DEFAULTS`, plus ``_path`` (the file read).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.yaml"
    >>> _ = p.write_text("jobs: 3\\ncorpora:\\n  - path: data/raw/sample\\n")
    >>> cfg = load_config(p)
    >>> cfg["jobs"], cfg["corpora"][0]["name"], cfg["show_code"]
    (3, 'sample', False)
    >>> _ = p.write_text("jbos: 3\\n")
    >>> load_config(p)
    Traceback (most recent call last):
    ...
    conflictlens.report.ReportError: ...c.yaml: unknown key 'jbos' (known: cache_dir, cell_timeout, corpora, jobs, notebook_options, notebooks, notebooks_dir, out_root, parameters, run, show_code)
    """
    path = Path(path) if path else default_config_path()
    if not path.is_file():
        raise ReportError(f"{path}: no such config file")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise ReportError(f"{path}{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from exc
    raw = raw or {}
    if not isinstance(raw, dict):
        raise ReportError(f"{path}: expected a mapping of settings, got {type(raw).__name__}")
    for key in raw:
        if key not in CONFIG_KEYS:
            raise ReportError(
                f"{path}: unknown key {key!r} (known: {', '.join(sorted(CONFIG_KEYS))})"
            )
    cfg = {**DEFAULTS, **{k: v for k, v in raw.items() if v is not None or k == "run"}}
    cfg["_path"] = path
    _check_types(cfg, path)
    return cfg


def _check_types(cfg: dict, path: Path) -> None:
    def need(ok: bool, what: str) -> None:
        if not ok:
            raise ReportError(f"{path}: {what}")

    need(isinstance(cfg["jobs"], int) and not isinstance(cfg["jobs"], bool) and cfg["jobs"] >= 1,
         f"jobs must be a whole number >= 1, not {cfg['jobs']!r}")  # fmt: skip
    need(
        isinstance(cfg["show_code"], bool),
        f"show_code must be true or false, not {cfg['show_code']!r}",
    )
    need(isinstance(cfg["cell_timeout"], (int, float)) and cfg["cell_timeout"] > 0,
         f"cell_timeout must be a number of seconds, not {cfg['cell_timeout']!r}")  # fmt: skip
    need(cfg["run"] is None or (isinstance(cfg["run"], str) and _safe_name(cfg["run"])),
         f"run must be a folder name (letters, digits, - _ .), not {cfg['run']!r}")  # fmt: skip
    need(isinstance(cfg["parameters"], dict), "parameters must be a mapping of name: value")
    need(isinstance(cfg["notebook_options"], dict), "notebook_options must be a mapping")
    for nb, opts in cfg["notebook_options"].items():
        need(isinstance(opts, dict), f"notebook_options.{nb} must be a mapping")
        for key in opts:
            need(key in NOTEBOOK_OPTION_KEYS, f"notebook_options.{nb}: unknown key {key!r} "
                 f"(known: {', '.join(sorted(NOTEBOOK_OPTION_KEYS))})")  # fmt: skip
        need(isinstance(opts.get("parameters", {}), dict),
             f"notebook_options.{nb}.parameters must be a mapping")  # fmt: skip
    nbs = cfg["notebooks"]
    need(nbs is None or nbs == "all" or (isinstance(nbs, list) and all(isinstance(n, (str, int)) for n in nbs)),
         "notebooks must be 'all' or a list of notebook names")  # fmt: skip
    corpora = cfg["corpora"]
    need(isinstance(corpora, list) and corpora, "corpora must be a non-empty list")
    names = set()
    for i, c in enumerate(corpora):
        if isinstance(c, str):
            c = corpora[i] = {"path": c}
        need(isinstance(c, dict) and "path" in c, f"corpora[{i}] needs a path")
        for key in c:
            need(key in CORPUS_KEYS, f"corpora[{i}]: unknown key {key!r} "
                 f"(known: {', '.join(sorted(CORPUS_KEYS))})")  # fmt: skip
        c.setdefault("name", corpus_name(c["path"]))
        need(
            _safe_name(str(c["name"])),
            f"corpora[{i}].name must be a folder name, not {c['name']!r}",
        )
        need(c["name"] not in names, f"corpora[{i}]: the name {c['name']!r} is used twice")
        need(
            isinstance(c.get("parameters", {}), dict), f"corpora[{i}].parameters must be a mapping"
        )
        names.add(c["name"])


def _safe_name(name: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-]*", name)) and ".." not in name


def corpus_name(path: str | Path) -> str:
    """A bundle name for a corpus path: its file or folder name without extensions.

    Examples
    --------
    >>> corpus_name("data/raw/sample"), corpus_name("my corpus.jsonl.gz")
    ('sample', 'my_corpus')
    """
    stem = Path(str(path).rstrip("/")).name.split(".")[0]
    return re.sub(r"[^A-Za-z0-9_.\-]+", "_", stem).strip("_") or "corpus"


# --------------------------------------------------------------------------- notebooks


def discover_notebooks(folder: str | Path, only: Sequence[str | int] | None = None) -> list[Path]:
    """The notebooks ``NN_name.ipynb`` in ``folder``, sorted, optionally only some.

    ``only`` entries match a notebook by full name (``01_entity_counts``, with or without
    ``.ipynb``), by number (``01``) or by name without number (``entity_counts``).
    """
    folder = Path(folder)
    found = sorted(p for p in folder.glob("*.ipynb") if _NOTEBOOK_NAME.match(p.name))
    if not only:
        return found
    chosen: list[Path] = []
    for token in only:
        t = str(token).removesuffix(".ipynb")
        t = f"{int(t):02d}" if t.isdigit() else t
        hits = [p for p in found if p.stem == t or p.stem.startswith(f"{t}_") or p.stem[3:] == t]
        if len(hits) != 1:
            names = ", ".join(p.stem for p in found) or "none"
            what = "matches no notebook" if not hits else "matches several notebooks"
            raise ReportError(f"--only {token}: {what} in {folder} (there are: {names})")
        if hits[0] not in chosen:
            chosen.append(hits[0])
    return sorted(chosen)


def inspect(path: Path) -> Notebook:
    """Read a notebook's title and the parameters its ``parameters`` cell declares."""
    import nbformat
    import papermill

    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # noqa: BLE001 - any unreadable notebook is one clear message
        raise ReportError(f"{path}: not a readable notebook: {exc}") from exc
    if not any("parameters" in c.metadata.get("tags", []) for c in nb.cells):
        raise ReportError(f"{path}: no cell tagged 'parameters' (see reports/README.md)")
    declared = papermill.inspect_notebook(str(path))
    missing = [k for k in CONTRACT if k not in declared]
    if missing:
        raise ReportError(
            f"{path}: its parameters cell does not declare {', '.join(missing)} "
            f"(every notebook declares {', '.join(CONTRACT)})"
        )
    return Notebook(path.stem, path, notebook_title(nb, path.stem), declared)


def notebook_title(nb, default: str) -> str:
    """The first Markdown heading of a notebook, else ``default``."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip() or default
    return default


# --------------------------------------------------------------------------- parameters


def parse_cli_params(items: Iterable[str]) -> dict[tuple[str | None, str], str]:
    """``-p key=value`` / ``-p notebook.key=value`` into ``{(notebook|None, key): raw}``.

    Examples
    --------
    >>> parse_cli_params(["top_n=5", "02_attack_trends.start=2024-01-01"])
    {(None, 'top_n'): '5', ('02_attack_trends', 'start'): '2024-01-01'}
    """
    out: dict[tuple[str | None, str], str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ReportError(f"-p {item!r}: expected key=value")
        nb, dot, name = key.rpartition(".")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ReportError(f"-p {item!r}: {name!r} is not a parameter name")
        out[(nb if dot else None, name)] = value
    return out


def declared_type(spec: dict) -> type | None:
    """The type a declared parameter expects, from its annotation or its default value.

    ``None`` means anything goes (the default is ``None`` or not a literal).

    Examples
    --------
    >>> declared_type({"inferred_type_name": "None", "default": "15"})
    <class 'int'>
    >>> declared_type({"inferred_type_name": "None", "default": "None"}) is None
    True
    """
    simple = {"str": str, "int": int, "float": float, "bool": bool, "list": list, "dict": dict}
    ann = (spec.get("inferred_type_name") or "None").strip()
    if ann in simple:
        return simple[ann]
    try:
        default = ast.literal_eval(spec.get("default", "None"))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    if default is None:
        return None
    if isinstance(default, tuple):
        return list
    return type(default) if type(default) in simple.values() else None


def coerce(name: str, value, spec: dict, *, raw: bool, where: str):
    """Check (and, for command-line strings, convert) one parameter value.

    Parameters
    ----------
    name : str
        The parameter.
    value : object
        From YAML (already typed) or, when ``raw``, the command-line string.
    spec : dict
        Its declaration from :func:`papermill.inspect_notebook`.
    where : str
        Where the value came from, for the error message.

    Examples
    --------
    >>> coerce("top_n", "5", {"default": "15"}, raw=True, where="-p")
    5
    >>> coerce("top_n", "five", {"default": "15"}, raw=True, where="-p")
    Traceback (most recent call last):
    ...
    conflictlens.report.ReportError: -p: top_n must be an int (like its default 15), not 'five'
    """
    want = declared_type(spec)
    shown = spec.get("default")
    bad = ReportError(
        f"{where}: {name} must be {_a(want)} (like its default {shown}), not {value!r}"
    )
    if raw:
        date_like = _is_date_param(name, spec) and value.strip().lower() not in {"none", "null", ""}
        value = value.strip() if date_like else _from_text(value, want)
    if isinstance(value, datetime):
        value = value.date().isoformat()
    elif isinstance(value, date):
        value = value.isoformat()
    if value is None or want is None:
        pass
    elif want is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    elif want is list and isinstance(value, tuple):
        value = list(value)
    elif not isinstance(value, want) or (want is int and isinstance(value, bool)):
        raise bad
    if _is_date_param(name, spec) and value is not None:
        if not isinstance(value, str) or not _ISO_DATE.match(value) or _date(value) is None:
            raise ReportError(f"{where}: {name} must be a date YYYY-MM-DD, not {value!r}")
    _check_plain_data(name, value, where)
    return value


def _a(t: type | None) -> str:
    return {str: "a str", int: "an int", float: "a float", bool: "true or false", list: "a list",
            dict: "a mapping"}.get(t, "a value")  # fmt: skip


def _from_text(text: str, want: type | None):
    if want is str:
        return text
    if want is bool:
        low = text.strip().lower()
        if low in {"true", "yes", "1", "on"}:
            return True
        if low in {"false", "no", "0", "off"}:
            return False
        return text
    try:
        value = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError):  # ValueError: a YAML date that does not exist
        return text
    if want is list and isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return value


def _is_date_param(name: str, spec: dict) -> bool:
    if name in DATE_RANGE:
        return True
    try:
        default = ast.literal_eval(spec.get("default", "None"))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False
    return isinstance(default, str) and bool(_ISO_DATE.match(default))


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _check_plain_data(name: str, value, where: str) -> None:
    # Parameters travel as data into the injected cell; only plain JSON-like values.
    ok = (str, int, float, bool, type(None))
    if isinstance(value, list):
        for v in value:
            _check_plain_data(name, v, where)
    elif isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise ReportError(f"{where}: {name} has a non-text key {k!r}")
            _check_plain_data(name, v, where)
    elif not isinstance(value, ok):
        raise ReportError(f"{where}: {name} has a value of type {type(value).__name__}")


def resolve_parameters(
    notebooks: Sequence[Notebook],
    corpus: CorpusSpec,
    cfg: dict,
    cli: dict[tuple[str | None, str], str],
    known: set[str] | None = None,
) -> dict[str, tuple[dict, set[str]]]:
    """The parameters each notebook gets for one corpus (without the runner-set ones).

    Later sources win: notebook defaults < config ``parameters`` < the corpus's
    ``parameters`` < ``notebook_options.<nb>.parameters`` < ``-p key=value`` <
    ``-p notebook.key=value``. A ``-p`` key that no notebook of this run declares is
    an error, as is a config key that no notebook in the folder declares (``known``)
    and a value of the wrong type. Returns ``{notebook: (params, keys_given_by_user)}``.
    """
    problems: list[str] = []
    out: dict[str, tuple[dict, set[str]]] = {}
    cfg_name = cfg.get("_path", "config")
    global_sources = [
        (cfg.get("parameters") or {}, f"{cfg_name}: parameters", False),
        (corpus.parameters, f"{cfg_name}: corpora.{corpus.name}.parameters", False),
    ]
    cli_global = {k: v for (nb, k), v in cli.items() if nb is None and k != "corpus"}
    by_name = {nb.name: nb for nb in notebooks}
    for (nb_name, key), _ in cli.items():
        if nb_name is not None and nb_name not in by_name:
            problems.append(f"-p {nb_name}.{key}: no notebook {nb_name} in this run "
                            f"(running: {', '.join(by_name) or 'none'})")  # fmt: skip
    selected = {k for nb in notebooks for k in nb.declared}
    for source, where, raw in [*global_sources, (cli_global, "-p", True)]:
        for key in source:
            if key in RUNNER_SET:
                problems.append(f"{where}: {key} is set by the runner, not a parameter to give")
            elif key not in (selected if raw or known is None else known | selected):
                problems.append(f"{where}: unknown parameter {key!r} (no notebook in this run "
                                f"declares it; see {_declared_list(notebooks)})")  # fmt: skip
    for nb in notebooks:
        opts = (cfg.get("notebook_options") or {}).get(nb.name, {})
        sources = [
            *global_sources,
            (
                opts.get("parameters") or {},
                f"{cfg_name}: notebook_options.{nb.name}.parameters",
                False,
            ),
            (cli_global, "-p", True),
            ({k: v for (n, k), v in cli.items() if n == nb.name}, f"-p {nb.name}.", True),
        ]
        params: dict = {}
        given: set[str] = set()
        for source, where, raw in sources:
            scoped = where.startswith("-p ") or "notebook_options" in where
            for key, value in source.items():
                if key in RUNNER_SET or key == "corpus":
                    continue
                if key not in nb.declared:
                    if scoped:
                        problems.append(f"{where}: unknown parameter {key!r} for {nb.name} "
                                        f"(it declares {', '.join(nb.declared)})")  # fmt: skip
                    continue
                try:
                    params[key] = coerce(key, value, nb.declared[key], raw=raw,
                                         where=f"{where.rstrip('.')} ({nb.name})")  # fmt: skip
                    given.add(key)
                except ReportError as exc:
                    problems.append(str(exc))
        out[nb.name] = (params, given)
    if problems:
        raise ReportError("bad parameters:\n  " + "\n  ".join(dict.fromkeys(problems)))
    return out


def _declared_list(notebooks: Sequence[Notebook]) -> str:
    keys = sorted({k for nb in notebooks for k in nb.declared if k not in RUNNER_SET})
    return "declared: " + ", ".join(keys)


def check_date_ranges(
    params: dict[str, tuple[dict, set[str]]],
    notebooks: Sequence[Notebook],
    published,
    corpus: CorpusSpec,
) -> None:
    """Fail when a user-given ``start``/``end`` selects no article of the corpus."""
    import pandas as pd

    dates = pd.to_datetime(pd.Series(published), errors="coerce").dropna()
    problems = []
    for nb in notebooks:
        values, given = params[nb.name]
        if not given & set(DATE_RANGE):
            continue
        start = values.get("start", _literal(nb.declared.get("start")))
        end = values.get("end", _literal(nb.declared.get("end")))
        lo = pd.Timestamp(start) if isinstance(start, str) else None
        hi = pd.Timestamp(end) if isinstance(end, str) else None
        if lo is not None and hi is not None and lo > hi:
            problems.append(f"{nb.name}: start {start} is after end {end}")
            continue
        sel = dates
        if lo is not None:
            sel = sel[sel >= lo]
        if hi is not None:
            sel = sel[sel < hi + pd.Timedelta(days=1)]
        if sel.empty:
            span = (f"{dates.min():%Y-%m-%d} to {dates.max():%Y-%m-%d}" if len(dates)
                    else "no dated articles")  # fmt: skip
            problems.append(f"{nb.name}: no article of corpus {corpus.name} was published between "
                            f"{start or 'the start'} and {end or 'the end'} (the corpus covers {span})")  # fmt: skip
    if problems:
        raise ReportError("date range selects no articles:\n  " + "\n  ".join(problems))


def _literal(spec: dict | None):
    if not spec:
        return None
    try:
        return ast.literal_eval(spec.get("default", "None"))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


# --------------------------------------------------------------------------- kernel


def _same_interpreter(argv0: str) -> bool:
    found = argv0 if os.path.isabs(argv0) else shutil.which(argv0)
    if not found or not os.path.exists(found):
        return False
    here = os.path.abspath(sys.executable)
    # Same bin folder and same binary: the same environment (a venv's python and
    # python3.11 are both links to one binary; the system one is in another folder).
    return os.path.dirname(os.path.abspath(found)) == os.path.dirname(here) and os.path.samefile(
        found, here
    )


@contextmanager
def kernel_for_this_interpreter() -> Iterator[str]:
    """The name of a kernelspec that runs this interpreter, for the duration of a run.

    The ``conflictlens`` spec that ``make setup`` installs when it points at this
    interpreter; otherwise a temporary spec pointing at :data:`sys.executable`, found
    through ``JUPYTER_PATH`` (no manual kernel registration, no ``NoSuchKernel``).
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
        if spec.argv and _same_interpreter(spec.argv[0]):
            yield KERNEL_NAME
            return
    except NoSuchKernel:
        pass
    tmp = Path(tempfile.mkdtemp(prefix="conflictlens-kernel-"))
    name = f"{KERNEL_NAME}-run"
    spec_dir = tmp / "kernels" / name
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f",
                 "{connection_file}"],
        "display_name": "Python (conflictlens, this run)",
        "language": "python",
    }, indent=1))  # fmt: skip
    old = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = os.pathsep.join([str(tmp), *([old] if old else [])])
    try:
        yield name
    finally:
        if old is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = old
        shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def patched_env(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of a block, then restore them."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


# --------------------------------------------------------------------------- one notebook


@dataclass
class Job:
    """Everything a worker process needs to run one notebook into a bundle."""

    corpus: str
    notebook: str
    title: str
    input_path: str
    bundle: str
    parameters: dict
    kernel_name: str
    cwd: str
    show_code: bool
    cell_timeout: float
    key_figure: str | None = None
    kernelspec: dict | None = None


def run_job(job: Job) -> dict:
    """Execute one notebook, normalise it, export HTML, collect figures and tables.

    Runs in a worker process; returns a plain dict (the notebook's manifest entry).
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    bundle = Path(job.bundle)
    out_nb = bundle / f"{job.notebook}.ipynb"
    staging = bundle / "_work" / job.notebook
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    _say(f"  started  {job.corpus}/{job.notebook}")
    started = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    error = None
    try:
        with patched_env(KERNEL_ENV):
            papermill.execute_notebook(
                job.input_path, str(out_nb), parameters=job.parameters,
                kernel_name=job.kernel_name, cwd=job.cwd, progress_bar=False, log_output=False,
                execution_timeout=job.cell_timeout, start_timeout=120, record_timing=False,
                # the kernel's TCP-without-encryption warning is noise on a loopback run
                extra_arguments=["--IPKernelApp.log_level=ERROR"],
            )  # fmt: skip
    except PapermillExecutionError as exc:
        error = {"cell_index": exc.cell_index, "execution_count": exc.exec_count,
                 "source": exc.source, "ename": exc.ename, "evalue": _strip_ansi(str(exc.evalue)),
                 "traceback": _strip_ansi("\n".join(exc.traceback or []))}  # fmt: skip
    except Exception as exc:  # noqa: BLE001 - a dead kernel or a timeout is this notebook's failure
        error = {"cell_index": None, "execution_count": None, "source": "",
                 "ename": type(exc).__name__, "evalue": _strip_ansi(str(exc))[:2000],
                 "traceback": ""}  # fmt: skip
    duration = time.perf_counter() - t0
    finished = datetime.now(timezone.utc)
    entry = {
        "name": job.notebook,
        "title": job.title,
        "status": "failed" if error else "ok",
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "duration_s": round(duration, 2),
        "parameters": job.parameters,
        "ipynb": None,
        "html": None,
        "figures": [],
        "tables": [],
        "key_figure": None,
        "error": error,
    }
    if out_nb.exists():
        try:
            nb = finalize_notebook(out_nb, job)
            entry["ipynb"] = out_nb.name
            export_html(nb, bundle / f"{job.notebook}.html", job)
            entry["html"] = f"{job.notebook}.html"
        except Exception as exc:  # noqa: BLE001 - report it on the card instead of crashing the run
            entry["status"] = "failed"
            entry["error"] = entry["error"] or {
                "cell_index": None, "execution_count": None, "source": "",
                "ename": type(exc).__name__, "evalue": f"while exporting: {exc}", "traceback": ""}  # fmt: skip
    figures, tables = collect_outputs(staging, bundle, job.notebook)
    shutil.rmtree(staging, ignore_errors=True)
    entry["figures"], entry["tables"] = figures, tables
    entry["key_figure"] = pick_key_figure(figures, job.key_figure)
    return entry


def _strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def finalize_notebook(path: Path, job: Job):
    """Rewrite an executed notebook without run-to-run noise; returns the notebook."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    normalise_notebook(nb, kernelspec=job.kernelspec, input_path=_rel(Path(job.input_path)),
                       output_path=path.name)  # fmt: skip
    nbformat.write(nb, path)
    return nb


def normalise_notebook(nb, *, kernelspec: dict | None = None, input_path: str | None = None,
                       output_path: str | None = None) -> None:  # fmt: skip
    """Make an executed notebook a function of its inputs only (in place).

    Cell ids become ``cell-<index>``; execution timestamps and durations (nbclient's
    ``execution``, papermill's ``start_time``/``end_time``/``duration``) and environment
    variables are dropped; memory addresses in outputs (``<... at 0x7f...>``) become
    ``0x…``; the kernelspec is the source notebook's, not the run's.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x")])
    >>> nb.cells[0].outputs = [nbformat.v4.new_output("stream", text="<obj at 0x7f3a2b1c>")]
    >>> nb.cells[0].metadata["execution"] = {"iopub.status.busy": "2024-01-01T00:00:00Z"}
    >>> normalise_notebook(nb)
    >>> nb.cells[0].id, nb.cells[0].outputs[0].text, dict(nb.cells[0].metadata)
    ('cell-0', '<obj at 0x…>', {})
    """
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
        cell.metadata.pop("execution", None)
        pm = cell.metadata.get("papermill")
        if pm is not None:
            for key in ("start_time", "end_time", "duration"):
                pm.pop(key, None)
        for out in cell.get("outputs", []):
            _scrub_output(out)
    meta = nb.metadata
    pm = meta.get("papermill")
    if pm is not None:
        for key in ("start_time", "end_time", "duration", "environment_variables"):
            pm.pop(key, None)
        if input_path is not None:
            pm["input_path"] = input_path
        if output_path is not None:
            pm["output_path"] = output_path
    if kernelspec:
        meta["kernelspec"] = kernelspec
    meta.pop("widgets", None)
    nb["nbformat_minor"] = max(nb.get("nbformat_minor", 5), 5)


def _scrub_output(out) -> None:
    if "text" in out and isinstance(out["text"], str):
        out["text"] = _ADDRESS.sub("0x…", out["text"])
    data = out.get("data") or {}
    for mime in ("text/plain", "text/html", "text/markdown"):
        if isinstance(data.get(mime), str):
            data[mime] = _ADDRESS.sub("0x…", data[mime])
    if "evalue" in out:
        out["evalue"] = _ADDRESS.sub("0x…", out["evalue"])
    if "traceback" in out:
        out["traceback"] = [_ADDRESS.sub("0x…", line) for line in out["traceback"]]


_TEMPLATE = r"""{%- extends 'lab/index.html.j2' -%}
{#- No scripts from CDNs (reports are read offline): no require.js, MathJax, mermaid. -#}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}
<style type="text/css">
.cl-nav { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; padding: 10px 20px;
  border-bottom: 1px solid #e3e6ea; background: #f6f8fa; color: #555; }
.cl-nav a { color: #1f5a8c; text-decoration: none; font-weight: 600; }
.cl-nav .cl-failed { color: #b3261e; font-weight: 600; }
</style>
{%- endblock extra_css -%}
{%- block body_header -%}
{{ super() }}
<nav class="cl-nav"><a href="index.html">&larr; all reports</a>
 &middot; corpus <b>{{ resources.conflictlens.corpus | e }}</b>
 &middot; notebook <code>{{ resources.conflictlens.notebook | e }}.ipynb</code>
{%- if resources.conflictlens.failed %} &middot; <span class="cl-failed">this report failed: see the error below</span>{% endif -%}
</nav>
{%- endblock body_header -%}
"""


def export_html(nb, path: Path, job: Job) -> None:
    """Export an executed notebook to HTML: code hidden unless ``job.show_code``."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab",
        template_file="conflictlens_report.html.j2",
        extra_loaders=[DictLoader({"conflictlens_report.html.j2": _TEMPLATE})],
        exclude_input=not job.show_code,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        anchor_link_text="",
    )
    failed = any(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))
    resources = {
        "metadata": {"name": f"{job.title} · {job.corpus}"},
        "conflictlens": {"corpus": job.corpus, "notebook": job.notebook, "failed": failed},
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    path.write_text(body, encoding="utf-8")


def collect_outputs(staging: Path, bundle: Path, notebook: str) -> tuple[list[str], list[str]]:
    """Move what a notebook saved into ``figures/<nb>/`` and ``tables/<nb>/``, in save order."""
    moved: dict[str, list[str]] = {"figures": [], "tables": []}
    for kind in moved:
        src = staging / kind
        if not src.is_dir():
            continue
        dest = bundle / kind / notebook
        dest.mkdir(parents=True, exist_ok=True)
        files = sorted((p for p in src.rglob("*") if p.is_file()),
                       key=lambda p: (p.stat().st_mtime_ns, p.name))  # fmt: skip
        for p in files:
            target = dest / p.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(p, target)
            moved[kind].append(target.relative_to(bundle).as_posix())
    return moved["figures"], moved["tables"]


def pick_key_figure(figures: Sequence[str], wanted: str | None) -> str | None:
    """The PNG shown as a report's thumbnail: ``wanted`` if given, else the first saved.

    Examples
    --------
    >>> pick_key_figure(["figures/00/a.png", "figures/00/a.svg", "figures/00/b.png"], "b")
    'figures/00/b.png'
    >>> pick_key_figure(["figures/00/a.svg"], None) is None
    True
    """
    pngs = [f for f in figures if f.endswith(".png")]
    if wanted:
        for f in pngs:
            if Path(f).stem == wanted:
                return f
    return pngs[0] if pngs else None


# --------------------------------------------------------------------------- extraction


def extract(corpus: str, cache_dir: str) -> dict:
    """Extract a corpus into the cache (a worker task); returns its folder and counts."""
    from conflictlens import pipeline

    t0 = time.perf_counter()
    folder = pipeline.cached_extract(corpus, cache_dir=cache_dir, progress=True)
    arts = pipeline.read_tables(folder, names=["articles"],
                                columns=["article_id", "published", "outlet"]).get("articles")  # fmt: skip
    rejects = pipeline.read_tables(folder, names=["rejects"]).get("rejects")
    info = {"processed": str(folder), "seconds": round(time.perf_counter() - t0, 2),
            "articles": 0, "rejected": 0 if rejects is None else len(rejects),
            "published": [], "outlets": []}  # fmt: skip
    if arts is not None and len(arts):
        info["articles"] = len(arts)
        info["published"] = [None if d is None or d != d else str(d)[:10]
                             for d in arts["published"].tolist()]  # fmt: skip
        counts = arts["outlet"].fillna("unknown").astype(str).value_counts()
        info["outlets"] = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return info


def warm_scores(cache_dir: str) -> None:
    """Score the gold sets into the cache (a worker task); errors are left to the notebook."""
    from conflictlens import evaluation

    try:
        evaluation.cached_score_all(cache_dir=cache_dir)
    except Exception:  # noqa: BLE001, S110 - the notebook reruns it and shows the failing cell
        pass


# --------------------------------------------------------------------------- the run


@dataclass
class Plan:
    """What a run will do, worked out (and checked) before anything executes."""

    cfg: dict
    notebooks: list[Notebook]
    corpora: list[CorpusSpec]
    out: Path
    jobs: int
    show_code: bool
    cli: dict
    known: set[str] = field(default_factory=set)
    skipped: list[str] = field(default_factory=list)


@dataclass
class RunResult:
    """The outcome of :func:`run`: the bundle folder, each notebook's entry, the exit code."""

    out: Path
    bundles: dict[str, Path]
    entries: dict[str, list[dict]]
    exit_code: int

    @property
    def failed(self) -> list[str]:
        return [f"{c}/{e['name']}" for c, es in self.entries.items() for e in es
                if e["status"] != "ok"]  # fmt: skip


def plan_run(
    config: str | Path | None = None,
    *,
    only: Sequence[str] | None = None,
    out: str | Path | None = None,
    params: Iterable[str] = (),
    jobs: int | None = None,
    show_code: bool | None = None,
) -> Plan:
    """Read the config, find the notebooks, check the parameters (no kernel, no extraction)."""
    cfg = load_config(config)
    cli = parse_cli_params(params)
    nb_dir = resolve_path(cfg["notebooks_dir"])
    chosen = only or (None if cfg["notebooks"] in (None, "all") else cfg["notebooks"])
    paths = discover_notebooks(nb_dir, chosen)
    if not paths:
        raise ReportError(f"{nb_dir}: no notebooks named NN_name.ipynb")
    notebooks = [inspect(p) for p in paths]
    skipped: list[str] = []
    if (None, "corpus") in cli:
        p = cli[(None, "corpus")]
        corpora = [CorpusSpec(corpus_name(p), resolve_path(p), {})]
        if not corpora[0].path.exists():
            raise ReportError(f"-p corpus={p}: no such file or folder")
    else:
        corpora = []
        for c in cfg["corpora"]:
            path = resolve_path(c["path"])
            if not path.exists():
                if c.get("optional"):
                    skipped.append(f"corpus {c['name']} ({c['path']}) is absent: skipped")
                    continue
                raise ReportError(
                    f"{cfg['_path']}: corpus {c['name']}: {c['path']}: no such file or folder"
                )
            corpora.append(CorpusSpec(str(c["name"]), path, dict(c.get("parameters") or {})))
        if not corpora:
            raise ReportError(f"{cfg['_path']}: none of the configured corpora exists")
    all_paths = discover_notebooks(nb_dir)
    known = {k for nb in notebooks for k in nb.declared}
    for p in set(all_paths) - set(paths):
        try:
            known |= set(inspect(p).declared)
        except ReportError:  # a notebook outside this run need not be runnable now
            pass
    for c in corpora:
        resolve_parameters(notebooks, c, cfg, cli, known)  # fail early, before any extraction
    every = {p.stem for p in all_paths}
    for name in cfg["notebook_options"]:
        if name not in every:
            skipped.append(f"{cfg['_path']}: notebook_options.{name}: no such notebook (ignored)")
    run_name = cfg["run"] or "-".join(c.name for c in corpora)
    out_dir = Path(out) if out else resolve_path(cfg["out_root"]) / run_name
    check_out_dir(out_dir)
    return Plan(cfg, notebooks, corpora, out_dir, jobs or cfg["jobs"],
                cfg["show_code"] if show_code is None else show_code, cli, known, skipped)  # fmt: skip


def check_out_dir(out: Path) -> None:
    """Refuse to overwrite a folder that is not a report bundle."""
    if out.exists() and (
        not out.is_dir() or (any(out.iterdir()) and not (out / "manifest.json").exists())
    ):
        raise ReportError(f"{out}: exists and is not a report bundle (no manifest.json); "
                          "choose another --out or remove it")  # fmt: skip


def run(
    config: str | Path | None = None,
    *,
    only: Sequence[str] | None = None,
    out: str | Path | None = None,
    params: Iterable[str] = (),
    jobs: int | None = None,
    show_code: bool | None = None,
) -> RunResult:
    """Execute the notebooks over each configured corpus into a report bundle.

    Parameters
    ----------
    config : path, optional
        A report configuration (``config/default.yaml`` if omitted).
    only : list of str, optional
        Notebooks to run (``01``, ``01_entity_counts`` or ``entity_counts``).
    out : path, optional
        The bundle folder (default ``reports/<run>``, ``<run>`` from the config).
    params : list of str
        ``key=value`` or ``notebook.key=value`` overrides.
    jobs : int, optional
        Notebooks run at once (default from the config, 2).
    show_code : bool, optional
        Keep code cells in the HTML reports.

    Returns
    -------
    RunResult

    Raises
    ------
    ReportError
        For a bad config, bad parameters or a corpus without articles, before any kernel starts.
    """
    plan = plan_run(config, only=only, out=out, params=params, jobs=jobs, show_code=show_code)
    for note in plan.skipped:
        _say(note)
    created = datetime.now(timezone.utc)
    multi = len(plan.corpora) > 1
    bundles = {c.name: (plan.out / c.name if multi else plan.out) for c in plan.corpora}
    with patched_env(DETERMINISTIC_ENV), kernel_for_this_interpreter() as kernel, \
            worker_pool(plan.jobs) as pool:  # fmt: skip
        infos = extract_all(pool, plan)
        # parameters against each corpus: a date range must select articles
        per_corpus = {}
        for c in plan.corpora:
            if infos[c.name]["articles"] == 0:
                raise ReportError(f"corpus {c.name} ({_rel(c.path)}): no articles could be read "
                                  f"({infos[c.name]['rejected']} rows rejected; see "
                                  f"{_rel(Path(infos[c.name]['processed']))}/rejects.jsonl)")  # fmt: skip
            resolved = resolve_parameters(plan.notebooks, c, plan.cfg, plan.cli, plan.known)
            check_date_ranges(resolved, plan.notebooks, infos[c.name]["published"], c)
            per_corpus[c.name] = resolved
        # a clean bundle, then every notebook over every corpus
        prepare_out_dir(plan.out)
        jobs = []
        for c in plan.corpora:
            bundles[c.name].mkdir(parents=True, exist_ok=True)
            for nb in plan.notebooks:
                values, _ = per_corpus[c.name][nb.name]
                jobs.append(make_job(plan, nb, c, values, infos[c.name], bundles[c.name], kernel))
        entries = execute_jobs(pool, jobs)
    finished = datetime.now(timezone.utc)
    by_corpus: dict[str, list[dict]] = {c.name: [] for c in plan.corpora}
    for job, entry in zip(jobs, entries, strict=True):
        by_corpus[job.corpus].append(entry)
    write_bundles(plan, bundles, infos, by_corpus, created, finished, kernel)
    result = RunResult(plan.out, bundles, by_corpus, 0)
    result.exit_code = 1 if result.failed else 0
    index = plan.out / "index.html"
    if result.failed:
        _say(f"FAILED: {', '.join(result.failed)} — see {_rel(index)}")
    else:
        _say(f"all {len(entries)} reports ok — open {_rel(index)}")
    return result


def extract_all(pool: ProcessPoolExecutor, plan: Plan) -> dict[str, dict]:
    """Extract every corpus once, in the workers (deterministic hash seed there)."""
    for c in plan.corpora:
        _say(f"extracting {c.name} ({_rel(c.path)}) ...")
    cache = str(resolve_path(plan.cfg["cache_dir"]))
    futs = {c.name: pool.submit(extract, str(c.path), cache) for c in plan.corpora}
    # the evaluation notebook scores the gold sets whatever the corpus: score them once,
    # beside the extraction, and let each corpus's notebook read the cache
    scoring = (pool.submit(warm_scores, cache)
               if any("gold" in nb.declared for nb in plan.notebooks) else None)  # fmt: skip
    infos: dict[str, dict] = {}
    for name, fut in futs.items():
        try:
            infos[name] = fut.result()
        except Exception as exc:  # noqa: BLE001 - e.g. a lexicon error with file:line
            from conflictlens.lexicons import LexiconError

            if not isinstance(exc, LexiconError) and exc.__cause__ is not None:
                print(exc.__cause__, file=sys.stderr)  # the worker's traceback
            raise ReportError(f"extracting corpus {name}: {type(exc).__name__}: {exc}") from exc
        i = infos[name]
        _say(f"{name}: {i['articles']} articles, {i['rejected']} rejected "
             f"({i['seconds']:.1f} s; tables in {_rel(Path(i['processed']))})")  # fmt: skip
    if scoring is not None:
        scoring.result()  # never raises: a scoring error shows in the evaluation notebook
    return infos


def write_bundles(plan: Plan, bundles: dict[str, Path], infos: dict[str, dict],
                  by_corpus: dict[str, list[dict]], created: datetime, finished: datetime,
                  kernel: str) -> None:  # fmt: skip
    """Each bundle's manifest and index page, and with several corpora the top ones."""
    multi = len(plan.corpora) > 1
    for c in plan.corpora:
        bundle = bundles[c.name]
        shutil.rmtree(bundle / "_work", ignore_errors=True)
        entries = by_corpus[c.name]
        write_manifest(build_manifest(plan, c, infos[c.name], entries, created, finished, kernel),
                       bundle)  # fmt: skip
        page = render_index(
            c, infos[c.name], entries, plan, parent="../index.html" if multi else None
        )
        (bundle / "index.html").write_text(page, encoding="utf-8")
    if multi:
        top = {"run": plan.out.name, "created": created.isoformat(timespec="seconds"),
               "finished": finished.isoformat(timespec="seconds"), "conflictlens": __version__,
               "bundles": [{"corpus": c.name, "path": f"{c.name}/", "manifest": f"{c.name}/manifest.json",
                            "notebooks": {e["name"]: e["status"] for e in by_corpus[c.name]}}
                           for c in plan.corpora]}  # fmt: skip
        write_manifest(top, plan.out)
        page = render_top_index(plan, infos, by_corpus)
        (plan.out / "index.html").write_text(page, encoding="utf-8")


@contextmanager
def worker_pool(jobs: int) -> Iterator[ProcessPoolExecutor]:
    """Worker processes (spawned: each starts with this run's environment and hash seed).

    On an error or Ctrl-C the workers are stopped at once instead of being waited for.
    """
    import multiprocessing as mp

    pool = ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=mp.get_context("spawn"))
    try:
        yield pool
    except BaseException:
        procs = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.join(10)
        raise
    pool.shutdown(wait=True)


def main(args) -> int:
    """Entry point of ``conflictlens run`` (arguments from :mod:`conflictlens.cli`)."""
    try:
        result = run(args.config, only=args.only, out=args.out, params=args.param or (),
                     jobs=args.jobs, show_code=args.show_code or None)  # fmt: skip
    except ReportError as exc:
        print(f"conflictlens run: {exc}", file=sys.stderr)
        return 2
    return result.exit_code


def _say(msg: str) -> None:
    # one write per line: worker processes share stderr, lines must not interleave
    sys.stderr.write(f"conflictlens run: {msg}\n")
    sys.stderr.flush()


def _rel(path: Path) -> str:
    """``path`` relative to the project root when inside it (stable across machines)."""
    path = Path(path)
    try:
        return path.resolve().relative_to(project_root()).as_posix()
    except ValueError:
        return str(path.resolve())


def prepare_out_dir(out: Path) -> None:
    """Empty a previous bundle (checked by :func:`check_out_dir`) so no stale file survives."""
    check_out_dir(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)


def make_job(plan: Plan, nb: Notebook, c: CorpusSpec, values: dict, info: dict, bundle: Path,
             kernel: str) -> Job:  # fmt: skip
    import nbformat

    params = {**values, "processed": _rel(Path(info["processed"])), "corpus": _rel(c.path),
              "out_dir": _rel(bundle / "_work" / nb.name)}  # fmt: skip
    opts = plan.cfg["notebook_options"].get(nb.name, {})
    source = nbformat.read(nb.path, as_version=4)
    return Job(
        corpus=c.name, notebook=nb.name, title=nb.title, input_path=str(nb.path),
        bundle=str(bundle), parameters=params, kernel_name=kernel, cwd=str(project_root()),
        show_code=plan.show_code, cell_timeout=float(plan.cfg["cell_timeout"]),
        key_figure=opts.get("key_figure"),
        kernelspec=dict(source.metadata.get("kernelspec") or {"name": "python3",
                        "display_name": "Python 3", "language": "python"}),
    )  # fmt: skip


def execute_jobs(pool: ProcessPoolExecutor, jobs: list[Job]) -> list[dict]:
    """Run the jobs in the pool, printing one line per finished notebook; keeps job order."""
    futures: dict[Future, int] = {pool.submit(run_job, job): i for i, job in enumerate(jobs)}
    results: list[dict | None] = [None] * len(jobs)
    pending = set(futures)
    done_count = 0
    while pending:
        done, pending = wait(pending, return_when=FIRST_COMPLETED)
        for fut in done:
            i = futures[fut]
            job = jobs[i]
            try:
                entry = fut.result()
            except Exception as exc:  # noqa: BLE001 - a crashed worker fails one notebook only
                entry = {"name": job.notebook, "title": job.title, "status": "failed",
                         "started": None, "finished": None, "duration_s": None,
                         "parameters": job.parameters, "ipynb": None, "html": None, "figures": [],
                         "tables": [], "key_figure": None,
                         "error": {"cell_index": None, "execution_count": None, "source": "",
                                   "ename": type(exc).__name__, "evalue": str(exc), "traceback": ""}}  # fmt: skip
            results[i] = entry
            done_count += 1
            status = "ok    " if entry["status"] == "ok" else "FAILED"
            detail = ""
            if entry["error"]:
                err = entry["error"]
                at = f" at cell [{err['execution_count']}]" if err.get("execution_count") else ""
                detail = f"{at}: {err['ename']}: {_one_line(err['evalue'])}"
            dur = f"{entry['duration_s']:.1f} s" if entry["duration_s"] is not None else "-"
            _say(f"[{done_count}/{len(jobs)}] {status} {job.corpus}/{job.notebook} ({dur}){detail}")
    return [r for r in results if r is not None]


def _one_line(text: str, limit: int = 160) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


# --------------------------------------------------------------------------- manifest


def sha256_file(path: Path) -> str:
    """The hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def input_files(plan: Plan, corpus: CorpusSpec) -> list[dict]:
    """Every file a bundle depends on, with its sha256: corpus, lexicons, notebooks, config,
    gold sets and the package code."""
    from conflictlens import lexicons

    groups: list[tuple[str, list[Path]]] = [
        ("corpus", _files(corpus.path)),
        ("lexicon", _files(lexicons.default_dir())),
        ("notebook", [nb.path for nb in plan.notebooks]),
        ("config", [Path(plan.cfg["_path"])]),
        ("gold", _files(project_root() / "tests" / "gold")),
        ("code", sorted(Path(__file__).parent.glob("*.py"))),
    ]
    out = []
    for role, paths in groups:
        for p in paths:
            if p.is_file():
                out.append({"role": role, "path": _rel(p), "bytes": p.stat().st_size,
                            "sha256": sha256_file(p)})  # fmt: skip
    return out


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        return []
    return sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))


def package_versions() -> dict[str, str]:
    """Versions of conflictlens's dependencies and the Jupyter machinery, as installed."""
    from importlib import metadata

    names = {"conflictlens", "papermill", "nbconvert", "nbformat", "nbclient", "ipykernel",
             "jupyter_client", "matplotlib-inline"}  # fmt: skip
    for req in metadata.requires("conflictlens") or []:
        if "extra ==" not in req:
            names.add(re.split(r"[<>=!~\[ ;]", req, maxsplit=1)[0])
    out = {}
    for name in sorted(names, key=str.lower):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def git_revision() -> dict:
    """The checkout's git revision and whether the tree has uncommitted changes."""

    def git(*args: str) -> str | None:
        try:
            res = subprocess.run(["git", *args], cwd=project_root(), capture_output=True,
                                 text=True, timeout=20)  # fmt: skip
        except (OSError, subprocess.SubprocessError):
            return None
        return res.stdout.strip() if res.returncode == 0 else None

    rev = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no") if rev else None
    return {"revision": rev, "dirty": bool(status) if status is not None else None}


def build_manifest(plan: Plan, corpus: CorpusSpec, info: dict, entries: list[dict],
                   created: datetime, finished: datetime, kernel: str) -> dict:  # fmt: skip
    """The bundle's manifest.json: the only file with timestamps and durations."""
    cfg = {k: (str(v) if isinstance(v, Path) else v) for k, v in plan.cfg.items() if k != "_path"}
    return {
        "conflictlens": __version__,
        "run": plan.out.name,
        "created": created.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "command": {
            "config": _rel(Path(plan.cfg["_path"])),
            "jobs": plan.jobs,
            "show_code": plan.show_code,
            "params": [f"{nb + '.' if nb else ''}{k}={v}" for (nb, k), v in plan.cli.items()],
        },  # fmt: skip
        "config": cfg,
        "corpus": {
            "name": corpus.name,
            "path": _rel(corpus.path),
            "processed": _rel(Path(info["processed"])),
            "articles": info["articles"],
            "rejected": info["rejected"],
            "extract_seconds": info["seconds"],
        },  # fmt: skip
        "python": {
            "version": platform.python_version(),
            "implementation": platform.python_implementation(),
            "executable": sys.executable,
        },  # fmt: skip
        "platform": platform.platform(),
        "kernel": kernel,
        "environment": {**DETERMINISTIC_ENV, **KERNEL_ENV},
        "git": git_revision(),
        "packages": package_versions(),
        "inputs": input_files(plan, corpus),
        "notebooks": entries,
    }


def write_manifest(manifest: dict, bundle: Path) -> None:
    """Write manifest.json, and manifest.js (the same data, for the index page offline)."""
    text = json.dumps(manifest, indent=2, ensure_ascii=False, default=str)
    (bundle / "manifest.json").write_text(text + "\n", encoding="utf-8")
    # "</" would end the <script> element early; JSON allows "<\/" for "</".
    js = "window.CONFLICTLENS_MANIFEST = " + text.replace("</", "<\\/") + ";\n"
    (bundle / "manifest.js").write_text(js, encoding="utf-8")


# --------------------------------------------------------------------------- index pages

_CSS = """
:root { --fg:#1d2329; --muted:#5f6b76; --line:#e1e5ea; --bg:#f4f6f8; --card:#fff;
  --ok:#1e7b45; --ok-bg:#e3f4ea; --bad:#b3261e; --bad-bg:#fbe9e7; --link:#1f5a8c; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
header { background: #14324d; color: #fff; padding: 28px 40px 24px; }
header h1 { margin: 0 0 4px; font-size: 26px; font-weight: 650; letter-spacing: -0.01em; }
header .sub { color: #c5d3df; font-size: 14px; }
header .sub a { color: #fff; }
header .facts { display: flex; flex-wrap: wrap; gap: 10px 28px; margin-top: 16px; }
header .fact b { display: block; font-size: 20px; color: #fff; }
header .fact span { font-size: 12px; text-transform: uppercase; letter-spacing: .06em; color: #9fb4c6; }
main { max-width: 1280px; margin: 0 auto; padding: 24px 40px 48px; }
.summary { margin: 0 0 20px; font-size: 15px; }
.summary .pill { margin-right: 6px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr)); gap: 22px; }
.grid.wide { grid-template-columns: repeat(auto-fill, minmax(480px, 1fr)); }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px;
  overflow: hidden; display: flex; flex-direction: column; box-shadow: 0 1px 2px rgba(0,0,0,.04); }
.card.failed { border-color: #e7b1ab; box-shadow: 0 0 0 2px var(--bad-bg); }
.thumb { display: block; position: relative; aspect-ratio: 16 / 9; background: #fff;
  border-bottom: 1px solid var(--line); overflow: hidden; }
.thumb img { position: absolute; inset: 10px; width: calc(100% - 20px); height: calc(100% - 20px);
  object-fit: contain; }
.thumb.none { display: flex; align-items: center; justify-content: center; color: var(--muted);
  background: repeating-linear-gradient(45deg, #fafbfc, #fafbfc 10px, #f3f5f7 10px, #f3f5f7 20px);
  font-size: 13px; }
.body { padding: 14px 16px 16px; display: flex; flex-direction: column; gap: 8px; flex: 1; }
.title { display: flex; align-items: baseline; justify-content: space-between; gap: 10px; }
.title h2 { margin: 0; font-size: 17px; font-weight: 650; }
.title h2 a { color: inherit; text-decoration: none; }
.title h2 a:hover { text-decoration: underline; }
.nb { color: var(--muted); font-size: 12.5px; font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
.pill { display: inline-block; border-radius: 999px; padding: 1px 10px; font-size: 12px;
  font-weight: 650; white-space: nowrap; }
.pill.ok { background: var(--ok-bg); color: var(--ok); }
.pill.failed { background: var(--bad-bg); color: var(--bad); }
.meta { color: var(--muted); font-size: 13px; }
.links { display: flex; flex-wrap: wrap; gap: 8px; margin-top: auto; padding-top: 6px; }
.links a { font-size: 13px; color: var(--link); text-decoration: none; border: 1px solid #cbd8e4;
  border-radius: 6px; padding: 3px 10px; }
.links a:hover { background: #eef4fa; }
.links a.primary { background: var(--link); border-color: var(--link); color: #fff; font-weight: 600; }
.links a.primary:hover { background: #174a75; }
.error { background: var(--bad-bg); border-radius: 8px; padding: 10px 12px; font-size: 13px; }
.error b { color: var(--bad); }
.error pre { margin: 8px 0 0; padding: 8px; background: #fff; border: 1px solid #efc9c4;
  border-radius: 6px; max-height: 220px; overflow: auto; font-size: 12px; white-space: pre-wrap; }
.outlets { margin-top: 10px; font-size: 13px; color: #c5d3df; }
.outlets span { display: inline-block; background: rgba(255,255,255,.1); border-radius: 4px;
  padding: 1px 8px; margin: 2px 4px 2px 0; color: #e6eef5; }
footer { color: var(--muted); font-size: 13px; margin-top: 32px; border-top: 1px solid var(--line);
  padding-top: 14px; }
footer a { color: var(--link); }
.strip { display: flex; gap: 6px; padding: 8px; border-bottom: 1px solid var(--line); background: #fff; }
.strip img { flex: 1; min-width: 0; height: 150px; object-fit: contain; }
ul.reports { list-style: none; margin: 0; padding: 0; font-size: 14px; }
ul.reports li { display: flex; justify-content: space-between; gap: 8px; padding: 3px 0;
  border-bottom: 1px dashed var(--line); }
ul.reports a { color: var(--link); text-decoration: none; }
"""

_DURATION_JS = """
(function () {
  var m = window.CONFLICTLENS_MANIFEST;
  if (!m || !m.notebooks) return;
  m.notebooks.forEach(function (nb) {
    var el = document.querySelector('[data-duration="' + nb.name + '"]');
    if (el && typeof nb.duration_s === "number") el.textContent = nb.duration_s.toFixed(1) + " s";
  });
  var when = document.getElementById("run-finished");
  if (when && m.finished) when.textContent = "finished " + m.finished.replace("T", " ");
})();
"""


def _e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _page(title: str, header: str, body: str, scripts: str = "") -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"{header}\n<main>\n{body}\n</main>\n{scripts}</body>\n</html>\n"
    )


def _date_span(published: list) -> str:
    days = sorted(d for d in published if d)
    return f"{days[0]} – {days[-1]}" if days else "no dated articles"


def render_index(corpus: CorpusSpec, info: dict, entries: list[dict], plan: Plan,
                 *, parent: str | None = None) -> str:  # fmt: skip
    """The bundle's index.html: a card per report (every text escaped, no timings inline)."""
    n_ok = sum(e["status"] == "ok" for e in entries)
    n_bad = len(entries) - n_ok
    outlets = info.get("outlets") or []
    facts = [(info["articles"], "articles"), (len(outlets), "outlets"),
             (_date_span(info.get("published") or []), "published"), (info["rejected"], "rejected rows")]  # fmt: skip
    header = (
        "<header>\n"
        f"<h1>conflictlens report — {_e(corpus.name)}</h1>\n"
        f"<div class=\"sub\">corpus <code>{_e(_rel(corpus.path))}</code> · conflictlens {_e(__version__)}"
        + (f" · <a href=\"{_e(parent)}\">all corpora</a>" if parent else "")
        + "</div>\n<div class=\"facts\">"
        + "".join(f"<div class=\"fact\"><b>{_e(v)}</b><span>{_e(k)}</span></div>" for v, k in facts)
        + "</div>\n"
        + ("<div class=\"outlets\">outlets: " + "".join(
            f"<span>{_e(name)} · {_e(n)}</span>" for name, n in outlets[:12])
           + (f" <span>+{len(outlets) - 12} more</span>" if len(outlets) > 12 else "") + "</div>\n"
           if outlets else "")
        + "</header>"
    )  # fmt: skip
    summary = (
        "<p class=\"summary\">"
        + (f"<span class=\"pill ok\">{n_ok} ok</span>" if n_ok else "")
        + (f"<span class=\"pill failed\">{n_bad} failed</span>" if n_bad else "")
        + f" {len(entries)} report{'s' * (len(entries) != 1)}"
        + (" · code shown" if plan.show_code else " · code hidden (rerun with --show-code to show it)")
        + "</p>"
    )  # fmt: skip
    cards = "\n".join(_card(e) for e in entries)
    footer = (
        "<footer>Parameters, input files with sha256, package versions, git revision and "
        'timings: <a href="manifest.json">manifest.json</a> · '
        '<span id="run-finished"></span></footer>'
    )
    body = f'{summary}\n<div class="grid">\n{cards}\n</div>\n{footer}'
    scripts = f'<script src="manifest.js"></script>\n<script>{_DURATION_JS}</script>\n'
    return _page(f"conflictlens report — {corpus.name}", header, body, scripts)


def _card(e: dict) -> str:
    ok = e["status"] == "ok"
    link = e.get("html")
    if e.get("key_figure"):
        img = f'<img src="{_e(e["key_figure"])}" alt="key figure of {_e(e["title"])}" loading="eager">'
        thumb = (f"<a class=\"thumb\" href=\"{_e(link)}\">{img}</a>" if link
                 else f"<div class=\"thumb\">{img}</div>")  # fmt: skip
    else:
        thumb = (
            f'<div class="thumb none">{"no figure" if ok else "no figure: the report failed"}</div>'
        )
    title = f'<a href="{_e(link)}">{_e(e["title"])}</a>' if link else _e(e["title"])
    pill = f'<span class="pill {"ok" if ok else "failed"}">{"✓ ok" if ok else "✗ failed"}</span>'
    n_fig = len([f for f in e.get("figures", []) if f.endswith(".png")])
    n_tab = len(e.get("tables", []))
    meta = (f"<div class=\"meta\">{n_fig} figure{'s' * (n_fig != 1)} · {n_tab} table{'s' * (n_tab != 1)}"
            f" · <span data-duration=\"{_e(e['name'])}\">duration in manifest.json</span></div>")  # fmt: skip
    error = ""
    if e.get("error"):
        err = e["error"]
        at = f" in cell [{_e(err['execution_count'])}]" if err.get("execution_count") else ""
        src = f"<pre>{_e(err['source'])}</pre>" if err.get("source") else ""
        error = (f"<div class=\"error\"><b>Failed{at}:</b> {_e(err['ename'])}: "
                 f"{_e(_one_line(err.get('evalue') or '', 400))}{src}</div>")  # fmt: skip
    links = []
    if link:
        links.append(f'<a class="primary" href="{_e(link)}">Open report</a>')
    if e.get("ipynb"):
        links.append(f'<a href="{_e(e["ipynb"])}" title="the executed notebook">.ipynb</a>')
    if e.get("figures"):
        links.append(f'<a href="figures/{_e(e["name"])}/">Figures</a>')
    if e.get("tables"):
        links.append(f'<a href="tables/{_e(e["name"])}/">Tables</a>')
    return (
        f'<article class="card{"" if ok else " failed"}" id="{_e(e["name"])}">{thumb}'
        f'<div class="body"><div class="title"><h2>{title}</h2>{pill}</div>'
        f'<div class="nb">{_e(e["name"])}.ipynb</div>{meta}{error}'
        f'<div class="links">{"".join(links)}</div></div></article>'
    )


def render_top_index(plan: Plan, infos: dict[str, dict], by_corpus: dict[str, list[dict]]) -> str:
    """The index of a run over several corpora: a card per corpus linking its bundle."""
    cards = []
    for c in plan.corpora:
        entries, info = by_corpus[c.name], infos[c.name]
        n_bad = sum(e["status"] != "ok" for e in entries)
        figs = [e["key_figure"] for e in entries if e.get("key_figure")][:3]
        strip = ("<a class=\"strip\" href=\"" + _e(c.name) + "/index.html\">"
                 + "".join(f"<img src=\"{_e(c.name)}/{_e(f)}\" alt=\"\">" for f in figs) + "</a>"
                 if figs else "<div class=\"thumb none\">no figures</div>")  # fmt: skip
        pill = (f"<span class=\"pill failed\">{n_bad} failed</span>" if n_bad
                else "<span class=\"pill ok\">✓ all ok</span>")  # fmt: skip
        rows = "".join(
            f"<li><a href=\"{_e(c.name)}/{_e(e['html'] or 'index.html')}\">{_e(e['title'])}</a>"
            f"<span class=\"pill {'ok' if e['status'] == 'ok' else 'failed'}\">{_e(e['status'])}</span></li>"
            for e in entries
        )  # fmt: skip
        cards.append(
            f"<article class=\"card{' failed' if n_bad else ''}\">{strip}<div class=\"body\">"
            f"<div class=\"title\"><h2><a href=\"{_e(c.name)}/index.html\">{_e(c.name)}</a></h2>{pill}</div>"
            f"<div class=\"meta\"><code>{_e(_rel(c.path))}</code> · {_e(info['articles'])} articles · "
            f"{_e(_date_span(info.get('published') or []))}</div><ul class=\"reports\">{rows}</ul>"
            f"<div class=\"links\"><a href=\"{_e(c.name)}/index.html\">Open the {_e(c.name)} bundle</a></div>"
            "</div></article>"
        )  # fmt: skip
    header = (f"<header><h1>conflictlens reports — {_e(plan.out.name)}</h1><div class=\"sub\">"
              f"{len(plan.corpora)} corpora · conflictlens {_e(__version__)}</div></header>")  # fmt: skip
    body = (f"<div class=\"grid wide\">{''.join(cards)}</div><footer>Run details: "
            "<a href=\"manifest.json\">manifest.json</a></footer>")  # fmt: skip
    return _page(f"conflictlens reports — {plan.out.name}", header, body)


def bundle_files(out: Path) -> dict[str, bytes]:
    """Every file of a bundle but the manifest (which holds the timestamps), by relative path."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name not in {"manifest.json", "manifest.js"}}  # fmt: skip


__all__ = [
    "ReportError", "run", "main", "plan_run", "load_config", "discover_notebooks", "inspect",
    "parse_cli_params", "resolve_parameters", "check_date_ranges", "coerce", "declared_type",
    "normalise_notebook", "export_html", "render_index", "render_top_index", "bundle_files",
    "kernel_for_this_interpreter", "corpus_name", "pick_key_figure",
]  # fmt: skip
