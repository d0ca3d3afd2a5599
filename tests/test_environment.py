"""environment.yml (for conda users) must install the same package as pyproject.toml."""

from __future__ import annotations

import re

import tomllib
import yaml

from conftest import ROOT


def _name(req: str) -> str:
    return re.split(r"[<>=!~\[ ;]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _spec(req: str) -> str:
    return re.sub(r"\s+", "", req[len(re.split(r"[<>=!~ ;]", req.strip(), maxsplit=1)[0]) :])


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["name"] == "conflictlens"
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    declared = {_name(r): _spec(r) for r in project["dependencies"]}
    listed = {
        _name(r): _spec(r)
        for r in conda + pip
        if not r.startswith("-") and _name(r) not in {"python", "pip"}
    }
    assert declared == listed, (
        "environment.yml and pyproject.toml name different runtime dependencies or ranges"
    )
    assert any(r.replace(" ", "").startswith("-e.") for r in pip), (
        "the pip section must install the package itself"
    )
    assert any(d.startswith("python=3.11") for d in conda)


def test_console_script_registered():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["conflictlens"] == "conflictlens.cli:main"


def test_ci_calls_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme.split("\n## ")[0]
    assert "make reports" in readme.split("\n## ")[0]
    assert re.search(r"^make test$", ci, re.M)
