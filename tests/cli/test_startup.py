"""Start-up: what the command line's light paths import (issue 14: ``khabar --help`` under 0.3 s,
``khabar compare`` of two files under 1 s cold). Timings are for bench runs; these tests check the
imports that decide them, in a fresh interpreter each."""

from __future__ import annotations

import json
import subprocess
import sys

# Heavy or model-loading packages: none of them is needed to print help.
HEAVY = ("numpy", "scipy", "sklearn", "datasketch", "pycrfsuite", "trafilatura", "joblib", "pyspark", "fastapi",
         "rich")  # rich: help is click's plain text, and tables and progress bars load it when drawn


def _modules_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_help_imports_no_models_or_numerics():
    mods = _modules_after(
        "import sys\nsys.argv = ['khabar', '--help']\nfrom khabar.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass"
    )
    assert "khabar.cli.compare" in mods  # every command registered…
    assert not {m for m in mods if m.split(".")[0] in HEAVY}  # …and none of what they run loaded
    assert not {m for m in mods if m.startswith(("khabar.analyse.", "khabar.compare.", "khabar.stories."))}


def test_package_import_is_lazy():
    mods = _modules_after("import khabar")
    assert not {m for m in mods if m.split(".")[0] in HEAVY}
    assert "khabar.pipeline" not in mods


def test_signatures_do_not_import_datasketch():
    # datasketch imports scipy.integrate and scipy.stats: a second of start-up for a signature
    mods = _modules_after("from khabar.compare import minhash\nminhash.text_signature('قال المتحدث إن المفاوضات مستمرة')")
    assert "datasketch" not in mods and "scipy.integrate" not in mods


def test_compare_of_two_files_runs_and_answers(examples_dir):
    files = [str(examples_dir / n) for n in ("orient-ghouta-denial.txt", "alghad-ghouta-denial.txt")]
    out = subprocess.run([sys.executable, "-m", "khabar", "compare", *files, "--json"], capture_output=True,
                         text=True, timeout=300, check=True)
    got = json.loads(out.stdout)
    assert got["verdict"] == "same story" and 1.0 <= got["overall"] <= 4.0


def test_reading_text_files_imports_no_html_or_warc_reader(examples_dir):
    # trafilatura and warcio cost a quarter second of start-up; text and JSONL input never need them
    path = examples_dir / "orient-ghouta-denial.txt"
    mods = _modules_after(f"from khabar.read.formats import read\nlist(read({str(path)!r}))")
    assert "trafilatura" not in mods and "warcio" not in mods
    mods = _modules_after("import io\nfrom khabar.read.formats import read\n"
                          "page = b'<html><body><p>' + 'نص '.encode() * 50 + b'</p></body></html>'\n"
                          "list(read('-', stdin=io.BytesIO(page)))")
    assert "trafilatura" in mods  # and an HTML page still reads through it
