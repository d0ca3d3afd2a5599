"""The report runner: config, parameters, kernel, normalisation, bundles, failures, escaping.

The runner is tested on its own small corpus and tiny stand-in notebooks written here
(so it does not depend on what the analysis notebooks say), plus a copy of the real
notebook 00 for the byte-identical rerun test.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from conflictlens import report
from conflictlens.cli import main as cli_main
from conflictlens.report import ReportError

from conftest import ROOT

HOSTILE_TITLE = "&lt;script&gt;alert('title')&lt;/script&gt; Rockets hit al-Asad"
"""Entity-encoded in the corpus: the loader unescapes it to a literal ``<script>`` title."""
HOSTILE_OUTLET = "Gulf &lt;svg onload=alert(1)&gt; Monitor"
CODE_MARKER = "CODE_MARKER_7f3a"


# --------------------------------------------------------------------------- fixtures


def write_corpus(path: Path) -> Path:
    """A small JSONL corpus: 3 outlets over 8 weeks, one hostile title and outlet, 2 bad rows."""
    outlets = ["Wire One", "Daily Ledger", HOSTILE_OUTLET]
    rows = []
    for i in range(12):
        day = 3 + 5 * i
        month, day = (1, day) if day <= 31 else (2, day - 31)
        rows.append(
            {
                "article_id": f"t{i:02d}",
                "published": f"2024-{month:02d}-{day:02d}",
                "outlet": outlets[i % 3],
                "title": HOSTILE_TITLE if i == 1 else f"Report {i} on the base attacks",
                "text": f"Rockets hit a base in western Iraq on day {i}, officials said. "
                f"Story {i} adds that {i + 2} soldiers were wounded and the group said "
                f"nothing about item {i * 7}. Washington said it would respond.",
            }
        )
    lines = [json.dumps(r) for r in rows] + ['{"article_id": "empty", "text": ""}', "{oops"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def params_cell(extra: str = ""):
    cell = nbformat.v4.new_code_cell(
        'processed = None\ncorpus = "data/raw/sample"\nout_dir = None\n' + extra
    )
    cell.metadata["tags"] = ["parameters"]
    return cell


def write_notebook(path: Path, cells: list) -> Path:
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


def stand_in(path: Path) -> Path:
    """A tiny report: a figure, a table, a DataFrame with titles, an object repr with an address."""
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    return write_notebook(
        path,
        [
            md("# Stand-in report\n\nA tiny notebook that exercises the runner."),
            params_cell('top_n = 20\nlabel = "all"\nstart = None\nend = None'),
            code(
                f"# {CODE_MARKER}\n"
                "import matplotlib.pyplot as plt\n"
                "import conflictlens as cl\n"
                "from conflictlens import plots\n"
                "tables = cl.load_tables(corpus, processed=processed)\n"
                "arts = plots.overview_period(tables['articles'], start, end)"
            ),
            code(
                "counts = plots.overview_by_outlet(arts)\n"
                "fig, ax = plt.subplots(figsize=(5, 3))\n"
                "ax.bar(range(len(counts)), counts['articles'])\n"
                "ax.set_title(label)\n"
                "saved = plots.save_figure(fig, 'bars', out_dir)\n"
                "saved = plots.save_table(counts, 'counts', out_dir)"
            ),
            code("arts[['article_id', 'outlet', 'title']].head(top_n)"),
            code("object()"),
        ],
    )


def boom(path: Path) -> Path:
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    return write_notebook(
        path,
        [
            md("# A report that fails"),
            params_cell(),
            code("x = 1"),
            code("raise ValueError('the boom happened <here>')"),
            code("print('never reached')"),
        ],
    )


def write_config(path: Path, corpora, notebooks_dir: Path, cache: Path, out_root: Path, **extra):
    import yaml

    cfg = {
        "corpora": corpora,
        "notebooks_dir": str(notebooks_dir),
        "cache_dir": str(cache),
        "out_root": str(out_root),
        "jobs": 2,
        **extra,
    }
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A corpus, a cache and a notebooks folder with the stand-in (and a copy of 00)."""
    base = tmp_path_factory.mktemp("report")
    corpus = write_corpus(base / "tiny.jsonl")
    nbs = base / "notebooks"
    nbs.mkdir()
    stand_in(nbs / "10_stand_in.ipynb")
    real = []
    for name in ("00_corpus_overview",):  # 04 scores the gold sets: slow, and corpus-free
        src = ROOT / "notebooks" / f"{name}.ipynb"
        if src.exists():
            shutil.copy(src, nbs / src.name)
            real.append(name)
    cfg = write_config(
        base / "config.yaml",
        [{"name": "tiny", "path": str(corpus)}],
        nbs,
        base / "cache",
        base / "reports",
        notebook_options={"10_stand_in": {"key_figure": "bars"}},
    )
    return {"base": base, "corpus": corpus, "notebooks": nbs, "config": cfg, "real": real}


@pytest.fixture(scope="module")
def bundles(workspace):
    """The same run twice into the same folder: (first copy, second result).

    Same inputs means the same extraction cache key (corpus, lexicons, code): where the
    code changed between the two runs (a shared working tree), run once more.
    """

    def processed(out: Path) -> str:
        return json.loads((out / "manifest.json").read_text())["corpus"]["processed"]

    copy = workspace["base"] / "first-copy"
    result = report.run(workspace["config"])
    for _ in range(3):
        assert result.exit_code == 0, result.failed
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(result.out, copy)
        result = report.run(workspace["config"])
        if processed(copy) == processed(result.out):
            break
    assert processed(copy) == processed(result.out), "the inputs kept changing between runs"
    return copy, result


# --------------------------------------------------------------------------- configuration


def test_default_config_is_documented_and_valid():
    cfg = report.load_config(ROOT / "config" / "default.yaml")
    text = (ROOT / "config" / "default.yaml").read_text()
    assert cfg["corpora"][0] == {"name": "sample", "path": "data/raw/sample"}
    assert cfg["jobs"] == 2 and cfg["show_code"] is False and cfg["run"] is None
    for key in report.CONFIG_KEYS:
        assert f"\n{key}:" in text or text.startswith(f"{key}:"), f"{key} not documented"
    assert text.count("\n#") > 15  # a documented file, not bare settings


def test_config_errors_name_the_file_and_problem(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("jobs: 0\n")
    with pytest.raises(ReportError, match=r"c\.yaml: jobs must be a whole number"):
        report.load_config(p)
    p.write_text("corpora:\n  - {name: a, path: x}\n  - {name: a, path: y}\n")
    with pytest.raises(ReportError, match="used twice"):
        report.load_config(p)
    p.write_text("corpora:\n  - {path: x, colour: red}\n")
    with pytest.raises(ReportError, match=r"corpora\[0\]: unknown key 'colour'"):
        report.load_config(p)
    p.write_text("jobs: [1\n")
    with pytest.raises(ReportError, match=r"c\.yaml:\d+: not valid YAML"):
        report.load_config(p)
    p.write_text("run: ../elsewhere\n")
    with pytest.raises(ReportError, match="run must be a folder name"):
        report.load_config(p)


def test_config_is_read_with_safe_load(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("run: !!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(ReportError, match="not valid YAML"):
        report.load_config(p)


def test_corpus_names_and_cli_params():
    assert report.corpus_name("data/raw/whitehouse/") == "whitehouse"
    assert report.parse_cli_params(["a=1", "x.b=c=d"]) == {(None, "a"): "1", ("x", "b"): "c=d"}
    for bad in ["novalue", "=3", "bad-name=1"]:
        with pytest.raises(ReportError):
            report.parse_cli_params([bad])


# --------------------------------------------------------------------------- notebooks and parameters


def _nb(name, **declared):
    specs = {k: {"name": k, "inferred_type_name": "None", "default": v, "help": ""}
             for k, v in {"processed": "None", "corpus": '"x"', "out_dir": "None", **declared}.items()}  # fmt: skip
    return report.Notebook(name, Path(f"{name}.ipynb"), name, specs)


def test_discover_and_only(tmp_path):
    for name in ["00_a", "01_entity_counts", "02_b", "notes", "3_bad"]:
        (tmp_path / f"{name}.ipynb").write_text("{}")
    found = [p.stem for p in report.discover_notebooks(tmp_path)]
    assert found == ["00_a", "01_entity_counts", "02_b"]
    only = report.discover_notebooks(tmp_path, ["entity_counts", "2", "00_a.ipynb"])
    assert [p.stem for p in only] == ["00_a", "01_entity_counts", "02_b"]
    with pytest.raises(ReportError, match="--only zz: matches no notebook.*there are: 00_a"):
        report.discover_notebooks(tmp_path, ["zz"])


def test_inspect_checks_the_parameter_contract(tmp_path):
    code = nbformat.v4.new_code_cell
    no_tag = write_notebook(tmp_path / "00_x.ipynb", [code("processed = None")])
    with pytest.raises(ReportError, match="no cell tagged 'parameters'"):
        report.inspect(no_tag)
    cell = code("processed = None\ncorpus = 'x'")
    cell.metadata["tags"] = ["parameters"]
    partial = write_notebook(tmp_path / "01_x.ipynb", [cell])
    with pytest.raises(ReportError, match="does not declare out_dir"):
        report.inspect(partial)
    good = stand_in(tmp_path / "02_x.ipynb")
    nb = report.inspect(good)
    assert nb.title == "Stand-in report" and {"top_n", "label", "start"} <= set(nb.declared)


def test_parameters_precedence_and_types():
    nbs = [_nb("00_a", top_n="15", start="None", end="None"), _nb("01_b", top_n="15", label='"x"')]
    corpus = report.CorpusSpec("c", Path("c"), {"top_n": 8})
    cfg = {"parameters": {"top_n": 10}, "notebook_options": {"01_b": {"parameters": {"top_n": 3}}}}
    cli = report.parse_cli_params(["start=2024-01-01", "01_b.label=hello"])
    got = report.resolve_parameters(nbs, corpus, cfg, cli)
    assert got["00_a"] == ({"top_n": 8, "start": "2024-01-01"}, {"top_n", "start"})
    assert got["01_b"][0] == {"top_n": 3, "label": "hello"}
    # YAML dates become ISO strings; ints widen to float where the default is a float
    f = {"name": "w", "inferred_type_name": "None", "default": "0.5", "help": ""}
    assert report.coerce("w", 1, f, raw=False, where="cfg") == 1.0
    from datetime import date

    d = {"name": "start", "inferred_type_name": "None", "default": "None", "help": ""}
    assert report.coerce("start", date(2024, 1, 5), d, raw=False, where="cfg") == "2024-01-05"


@pytest.mark.parametrize(
    "cli, message",
    [
        (["colour=red"], "unknown parameter 'colour'"),
        (["top_n=many"], "top_n must be an int"),
        (["start=yesterday"], "start must be a date YYYY-MM-DD"),
        (["start=2024-02-30"], "start must be a date"),
        (["out_dir=/tmp/x"], "out_dir is set by the runner"),
        (["09_nope.top_n=1"], "no notebook 09_nope"),
        (["01_b.start=2024-01-01"], "unknown parameter 'start' for 01_b"),
    ],
)
def test_bad_parameters_fail_with_a_clear_message(cli, message):
    nbs = [_nb("00_a", top_n="15", start="None"), _nb("01_b", top_n="15")]
    with pytest.raises(ReportError, match=message):
        report.resolve_parameters(
            nbs, report.CorpusSpec("c", Path("c")), {}, report.parse_cli_params(cli)
        )


def test_config_keys_for_notebooks_outside_the_run_are_allowed():
    nbs = [_nb("00_a")]
    cfg = {"parameters": {"top_n": 5}}
    got = report.resolve_parameters(
        nbs, report.CorpusSpec("c", Path("c")), cfg, {}, known={"top_n"}
    )
    assert got["00_a"][0] == {}
    with pytest.raises(ReportError, match="unknown parameter 'top_n'"):
        report.resolve_parameters(nbs, report.CorpusSpec("c", Path("c")), cfg, {}, known=set())


def test_date_range_must_select_articles():
    nbs = [_nb("00_a", start="None", end="None")]
    corpus = report.CorpusSpec("tiny", Path("c"))
    published = ["2024-01-03", "2024-02-20", None]
    ok = {"00_a": ({"start": "2024-01-01", "end": "2024-01-31"}, {"start", "end"})}
    report.check_date_ranges(ok, nbs, published, corpus)
    empty = {"00_a": ({"start": "2023-01-01", "end": "2023-12-31"}, {"start", "end"})}
    with pytest.raises(
        ReportError, match="no article of corpus tiny.*covers 2024-01-03 to 2024-02-20"
    ):
        report.check_date_ranges(empty, nbs, published, corpus)
    backwards = {"00_a": ({"start": "2024-03-01", "end": "2024-01-01"}, {"start", "end"})}
    with pytest.raises(ReportError, match="start 2024-03-01 is after end"):
        report.check_date_ranges(backwards, nbs, published, corpus)


# --------------------------------------------------------------------------- kernel


def _fake_spec(folder: Path, name: str, python: str) -> None:
    d = folder / "kernels" / name
    d.mkdir(parents=True)
    (d / "kernel.json").write_text(json.dumps(
        {"argv": [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
         "display_name": name, "language": "python"}))  # fmt: skip


def test_kernel_is_this_interpreter(tmp_path, monkeypatch):
    from jupyter_client.kernelspec import KernelSpecManager

    _fake_spec(tmp_path / "good", report.KERNEL_NAME, sys.executable)
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "good"))
    with report.kernel_for_this_interpreter() as name:
        assert name == report.KERNEL_NAME
    # a "conflictlens" spec of another interpreter is not used: a temporary one is made
    _fake_spec(tmp_path / "other", report.KERNEL_NAME, "/usr/bin/false")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "other"))
    with report.kernel_for_this_interpreter() as name:
        assert name != report.KERNEL_NAME
        spec = KernelSpecManager().get_kernel_spec(name)
        assert spec.argv[0] == sys.executable
        tmp_spec = Path(spec.resource_dir)
    assert os.environ["JUPYTER_PATH"] == str(tmp_path / "other")
    assert not tmp_spec.exists()


# --------------------------------------------------------------------------- normalising and HTML


def test_normalise_notebook_strips_run_to_run_noise():
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("x"), nbformat.v4.new_code_cell("y")]
    )
    nb.metadata["papermill"] = {"start_time": "t", "end_time": "t", "duration": 1.5, "parameters": {"a": 1},
                                "environment_variables": {}, "input_path": "/abs/in.ipynb"}  # fmt: skip
    nb.cells[0].metadata["papermill"] = {"start_time": "t", "duration": 0.1, "status": "completed"}
    nb.cells[1].outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "<Foo at 0xdeadbeef12>",
                           "text/html": "&lt;Foo at 0x7f00aa&gt;"}, execution_count=2)]  # fmt: skip
    report.normalise_notebook(nb, kernelspec={"name": "python3"}, input_path="notebooks/in.ipynb")
    assert [c.id for c in nb.cells] == ["cell-0", "cell-1"]
    assert nb.metadata["papermill"] == {"parameters": {"a": 1}, "input_path": "notebooks/in.ipynb"}
    assert nb.cells[0].metadata["papermill"] == {"status": "completed"}
    assert nb.cells[1].outputs[0]["data"]["text/plain"] == "<Foo at 0x…>"
    assert nb.metadata["kernelspec"] == {"name": "python3"}


def test_index_escapes_every_text():
    entry = {"name": "01_x", "title": "<b>Title</b>", "status": "failed", "ipynb": "01_x.ipynb",
             "html": "01_x.html", "figures": [], "tables": [], "key_figure": None,
             "error": {"execution_count": 4, "ename": "ValueError", "evalue": "<img src=x onerror=alert(1)>",
                       "source": "raise ValueError('<script>alert(2)</script>')"}}  # fmt: skip
    plan = report.Plan({}, [], [], Path("out"), 1, False, {})
    info = {"articles": 3, "rejected": 0, "published": ["2024-01-01"],
            "outlets": [("<script>alert(3)</script>", 3)]}  # fmt: skip
    page = report.render_index(report.CorpusSpec("c<1>", ROOT / "x"), info, [entry], plan)
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>Title" not in page
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in page
    assert "raise ValueError(&#x27;&lt;script&gt;alert(2)&lt;/script&gt;&#x27;)" in page
    assert "Failed in cell [4]" in page


def test_check_out_dir_refuses_a_folder_that_is_not_a_bundle(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ReportError, match="not a report bundle"):
        report.check_out_dir(tmp_path)
    report.check_out_dir(tmp_path / "new")  # absent: fine


# --------------------------------------------------------------------------- whole runs (kernels)


def _first_difference(a: dict, b: dict, names: list[str]) -> str:
    import difflib

    for name in names:
        if name.endswith((".ipynb", ".html", ".csv", ".svg")):
            lines = difflib.unified_diff(a[name].decode().splitlines(), b[name].decode().splitlines(),
                                         name, name, n=0, lineterm="")  # fmt: skip
            return "\n".join(list(lines)[:12])
    return ""


@pytest.mark.slow
def test_rerun_is_byte_identical(bundles):
    first, second = bundles
    a, b = report.bundle_files(first), report.bundle_files(second.out)
    assert sorted(a) == sorted(b)
    differ = [name for name in a if a[name] != b[name]]
    assert not differ, f"files differ between two runs: {differ}\n{_first_difference(a, b, differ)}"
    # the comparison covered HTML, notebooks, PNG, SVG and CSV of every notebook
    kinds = {Path(n).suffix for n in a}
    assert {".html", ".ipynb", ".png", ".svg", ".csv"} <= kinds
    assert any(n.startswith("figures/10_stand_in/") for n in a)


@pytest.mark.slow
def test_bundle_layout_and_manifest(bundles, workspace):
    _, result = bundles
    out = result.out
    assert out.name == "tiny"
    names = ["10_stand_in", *workspace["real"]]
    for name in names:
        assert (out / f"{name}.ipynb").is_file() and (out / f"{name}.html").is_file()
    assert (out / "figures/10_stand_in/bars.png").is_file()
    assert (out / "figures/10_stand_in/bars.svg").is_file()
    assert (out / "tables/10_stand_in/counts.csv").is_file()
    assert not (out / "_work").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert {e["name"]: e["status"] for e in manifest["notebooks"]} == dict.fromkeys(names, "ok")
    stand = next(e for e in manifest["notebooks"] if e["name"] == "10_stand_in")
    assert stand["duration_s"] > 0 and stand["started"] and stand["key_figure"].endswith("bars.png")
    assert stand["parameters"]["processed"] and stand["parameters"]["out_dir"]
    corpus_inputs = [i for i in manifest["inputs"] if i["role"] == "corpus"]
    import hashlib

    assert (
        corpus_inputs[0]["sha256"] == hashlib.sha256(workspace["corpus"].read_bytes()).hexdigest()
    )
    assert {"notebook", "lexicon", "config", "code"} <= {i["role"] for i in manifest["inputs"]}
    assert manifest["python"]["version"].startswith(f"{sys.version_info[0]}.{sys.version_info[1]}")
    assert manifest["packages"]["papermill"] and manifest["packages"]["pandas"]
    assert "revision" in manifest["git"] and manifest["corpus"]["articles"] == 12
    # executed notebooks carry no timestamps and deterministic cell ids
    nb = nbformat.read(out / "10_stand_in.ipynb", as_version=4)
    assert [c.id for c in nb.cells] == [f"cell-{i}" for i in range(len(nb.cells))]
    text = (out / "10_stand_in.ipynb").read_text()
    assert "start_time" not in text and "iopub.execute_input" not in text and "0x…" in text
    # figures are shown inline in the report, not only saved
    assert any(o.get("data", {}).get("image/png") for c in nb.cells for o in c.get("outputs", []))


@pytest.mark.slow
def test_html_hides_code_unless_asked(bundles):
    _, result = bundles
    html = (result.out / "10_stand_in.html").read_text()
    assert CODE_MARKER not in html
    assert "cdnjs" not in html and "<script src=" not in html  # readable offline
    job = report.Job("tiny", "10_stand_in", "Stand-in", "", str(result.out), {}, "", "", True, 60)
    nb = nbformat.read(result.out / "10_stand_in.ipynb", as_version=4)
    shown = result.out.parent / "shown.html"
    report.export_html(nb, shown, job)
    assert CODE_MARKER in shown.read_text()


@pytest.mark.slow
def test_article_text_reaching_html_is_escaped(bundles):
    _, result = bundles
    index = (result.out / "index.html").read_text()
    report_html = (result.out / "10_stand_in.html").read_text()
    assert "&lt;svg onload=alert(1)&gt;" in index and "<svg onload" not in index
    assert "&lt;script&gt;alert(&#x27;title&#x27;)" in report_html or (
        "&lt;script&gt;alert('title')" in report_html
    )
    for page in [index, report_html]:
        assert "<script>alert" not in page and "<svg onload" not in page


@pytest.mark.slow
def test_index_cards(bundles):
    _, result = bundles
    page = (result.out / "index.html").read_text()
    assert page.count('<article class="card') == len(result.entries["tiny"])
    assert 'src="figures/10_stand_in/bars.png"' in page
    assert 'href="10_stand_in.html"' in page and 'href="10_stand_in.ipynb"' in page
    assert '<script src="manifest.js"></script>' in page
    js = (result.out / "manifest.js").read_text()
    assert js.startswith("window.CONFLICTLENS_MANIFEST = {") and "duration_s" in js


@pytest.mark.slow
def test_failing_notebook_is_isolated_and_named(workspace, tmp_path, capfd, monkeypatch):
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    shutil.copy(workspace["notebooks"] / "10_stand_in.ipynb", nbs)
    boom(nbs / "05_boom.ipynb")
    cfg = write_config(tmp_path / "c.yaml", [{"name": "tiny", "path": str(workspace["corpus"])}],
                       nbs, workspace["base"] / "cache", tmp_path / "reports")  # fmt: skip
    # a "conflictlens" kernelspec of another interpreter must not be used (no NoSuchKernel either)
    _fake_spec(tmp_path / "jp", report.KERNEL_NAME, "/usr/bin/false")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jp"))
    code = cli_main(["run", "--config", str(cfg), "--jobs", "2"])
    err = capfd.readouterr().err
    assert code == 1
    assert "FAILED: tiny/05_boom" in err and "ValueError: the boom happened <here>" in err
    out = tmp_path / "reports" / "tiny"
    manifest = json.loads((out / "manifest.json").read_text())
    status = {e["name"]: e for e in manifest["notebooks"]}
    assert (
        status["10_stand_in"]["status"] == "ok" and (out / "figures/10_stand_in/bars.png").exists()
    )
    failed = status["05_boom"]
    assert failed["status"] == "failed" and failed["error"]["ename"] == "ValueError"
    assert failed["error"]["source"] == "raise ValueError('the boom happened <here>')"
    nb = nbformat.read(out / "05_boom.ipynb", as_version=4)
    assert any(o.output_type == "error" for c in nb.cells for o in c.get("outputs", []))
    index = (out / "index.html").read_text()
    assert "Failed in cell [4]" in index  # In [4]: after the parameters and injected cells
    assert "raise ValueError(&#x27;the boom happened &lt;here&gt;&#x27;)" in index
    assert "the boom happened &lt;here&gt;" in (out / "05_boom.html").read_text()


@pytest.mark.slow
def test_two_corpora_make_sub_bundles_and_a_top_index(workspace, tmp_path):
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    shutil.copy(workspace["notebooks"] / "10_stand_in.ipynb", nbs)
    other = write_corpus(tmp_path / "other.jsonl")
    cfg = write_config(
        tmp_path / "c.yaml",
        [{"name": "tiny", "path": str(workspace["corpus"])},
         {"name": "other", "path": str(other), "parameters": {"label": "other corpus"}},
         {"name": "later", "path": str(tmp_path / "absent"), "optional": True}],
        nbs, workspace["base"] / "cache", tmp_path / "reports",
    )  # fmt: skip
    result = report.run(cfg)
    assert result.exit_code == 0
    assert result.out == tmp_path / "reports" / "tiny-other"
    top = (result.out / "index.html").read_text()
    assert 'href="tiny/index.html"' in top and 'href="other/index.html"' in top
    assert "later" not in top
    for name in ["tiny", "other"]:
        assert (result.out / name / "index.html").is_file()
        assert (result.out / name / "figures/10_stand_in/bars.png").is_file()
    other_params = json.loads((result.out / "other/manifest.json").read_text())["notebooks"][0]
    assert other_params["parameters"]["label"] == "other corpus"
    assert json.loads((result.out / "manifest.json").read_text())["bundles"][1]["corpus"] == "other"


@pytest.mark.parametrize(
    "param, message",
    [
        ("colour=red", "unknown parameter 'colour'"),
        ("top_n=lots", "top_n must be an int"),
        ("start=2021-01-01", "no article of corpus tiny was published between 2021-01-01 and"),
    ],
)
def test_bad_parameters_stop_before_any_kernel(workspace, tmp_path, capfd, param, message):
    out = tmp_path / "bundle"
    extra = ["-p", "end=2021-12-31"] if param.startswith("start") else []
    code = cli_main(["run", "--config", str(workspace["config"]), "--only", "10", "--out", str(out),
                     "-p", param, *extra])  # fmt: skip
    err = capfd.readouterr().err
    assert code == 2
    assert message in err
    assert "started" not in err and not out.exists()


# --------------------------------------------------------------------------- the helpers of 00 and 04


def test_overview_helpers_cope_with_an_empty_period_and_no_rejects():
    import matplotlib.pyplot as plt
    import pandas as pd

    from conflictlens import plots

    arts = pd.DataFrame({"article_id": ["a", "b"], "outlet": ["X", None], "n_words": [10, 20],
                         "published": pd.to_datetime(["2024-01-01", None]), "language": ["en", "und"],
                         "title": ["t", "u"], "near_duplicate_of": [None, "a"]})  # fmt: skip
    none = plots.overview_period(arts, "2025-01-01", None)
    assert none.empty
    assert plots.overview_weekly(none).empty and plots.overview_by_outlet(none).empty
    assert plots.overview_rejects(None).empty
    assert list(plots.overview_near_duplicates(arts).original_outlet) == ["X"]
    assert plots.overview_by_outlet(arts).outlet.tolist() == ["X", "unknown"]
    for fig in (plots.articles_per_week_figure(plots.overview_weekly(none)),
                plots.articles_per_outlet_figure(plots.overview_by_outlet(none)),
                plots.article_lengths_figure(none), plots.trust_figure(pd.DataFrame()),
                plots.evaluation_figure(pd.DataFrame())):  # fmt: skip
        assert fig.axes and not fig.axes[0].axison  # the "nothing to show" figure
        plt.close(fig)
    assert plots.evaluation_by_extractor(pd.DataFrame()).empty
    assert plots.or_note(none, "nothing").data == "*nothing*"
