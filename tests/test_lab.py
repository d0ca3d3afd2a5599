"""The notebooks as a JupyterLab user meets them.

JupyterLab starts on 127.0.0.1 (a free port, a token, no browser, a bounded wait,
always terminated) and serves the notebooks folder; notebooks 00 and 04 run top to
bottom in a fresh kernel with their default parameters, from ``notebooks/`` as Lab
runs them.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import nbformat
import pytest

from conflictlens import report

from conftest import ROOT

NOTEBOOKS = ROOT / "notebooks"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, token: str):
    req = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.status, json.load(resp)


@pytest.mark.slow
def test_jupyterlab_serves_the_notebooks(tmp_path):
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "config")}  # fmt: skip
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={ROOT}",
           "--allow-root"]  # CI runs as root  # fmt: skip
    log = (tmp_path / "lab.log").open("w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if _get(f"{base}/api/status", token)[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(
                    f"JupyterLab did not answer: {(tmp_path / 'lab.log').read_text()[-2000:]}"
                )
            time.sleep(0.5)
        status, listing = _get(f"{base}/api/contents/notebooks", token)
        served = {item["name"] for item in listing["content"]}
        on_disk = {p.name for p in NOTEBOOKS.glob("*.ipynb")}
        assert status == 200 and on_disk and on_disk <= served
        # without the token nothing is served
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"{base}/api/contents/notebooks", timeout=10)
        # the project's kernel is offered when set-up installed it
        _, specs = _get(f"{base}/api/kernelspecs", token)
        venv_spec = os.path.join(sys.prefix, "share", "jupyter", "kernels", report.KERNEL_NAME)
        if os.path.isdir(venv_spec):
            assert report.KERNEL_NAME in specs["kernelspecs"]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.mark.slow
@pytest.mark.parametrize("name", ["00_corpus_overview", "04_evaluation"])
def test_notebook_runs_top_to_bottom_with_defaults(name, tmp_path):
    import papermill

    path = NOTEBOOKS / f"{name}.ipynb"
    source = nbformat.read(path, as_version=4)
    # committed without outputs, with a parameters cell honouring the contract
    assert all(c.get("outputs", []) == [] and c.get("execution_count") is None
               for c in source.cells if c.cell_type == "code")  # fmt: skip
    assert source.metadata["kernelspec"]["name"] == "python3"
    declared = report.inspect(path).declared
    assert {"processed", "corpus", "out_dir"} <= set(declared)
    with (
        report.kernel_for_this_interpreter() as kernel,
        report.patched_env({**report.DETERMINISTIC_ENV, **report.KERNEL_ENV}),
    ):
        nb = papermill.execute_notebook(str(path), str(tmp_path / path.name), kernel_name=kernel,
                                        cwd=str(NOTEBOOKS), progress_bar=False,
                                        extra_arguments=["--IPKernelApp.log_level=ERROR"])  # fmt: skip
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), "no figure shown"
    assert not [o for o in outputs if o.get("name") == "stderr" and "Warning" in o.get("text", "")]
