"""The estimates command line: `estimate CASE.json [--json]` and `catalog check [PATH]`."""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from estimates.catalog import CATALOG_PATH
from estimates.cli import main
from tests.estimates.casebuild import REPO, make_case


def run(argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def case_file(tmp_path: Path) -> Path:
    path = tmp_path / "case.json"
    case = make_case({"diagnosis.cancer_type": "large_b_cell_lymphoma", "history.disease_status": "relapsed",
                      "language": "fr", "location.country": "SN"})
    path.write_text(json.dumps(case), encoding="utf-8")
    return path


def test_estimate_prints_recommendation_and_text(case_file):
    code, out, err = run(["estimate", str(case_file)])
    assert code == 0 and err == ""
    assert "primary: car_t_eligibility" in out
    assert "secondary: records_translation" in out
    assert "reason: R3_car_t: diagnosis.cancer_type=large_b_cell_lymphoma" in out
    assert "Évaluation de l'éligibilité aux CAR-T" in out  # rendered in the case's language
    assert "franc CFA" in out  # local currency of Senegal (XOF)


def test_estimate_language_and_channel_options(case_file):
    code, out, _ = run(["estimate", str(case_file), "--language", "en", "--channel", "console"])
    assert code == 0
    assert '<section class="estimate"' in out and "CAR-T eligibility assessment" in out


def test_estimate_json(case_file):
    code, out, _ = run(["estimate", str(case_file), "--json"])
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"recommendation", "estimate"}
    assert data["recommendation"]["primary"] == "car_t_eligibility"
    assert data["estimate"]["total_low"] == sum(i["low"] for i in data["estimate"]["items"])


def test_a_sparse_case_file_is_enough(tmp_path):
    path = tmp_path / "sparse.json"
    path.write_text('{"diagnosis": {"cancer_type": "pancreatic"}, "history": {"told_inoperable": true}}', encoding="utf-8")
    code, out, _ = run(["estimate", str(path), "--json"])
    assert code == 0
    assert json.loads(out)["recommendation"]["primary"] == "surgical_resectability_review"


def test_a_replay_line_is_accepted(tmp_path):
    path = tmp_path / "replay.json"
    path.write_text(json.dumps({"id": "c1", "replies": [], "case": make_case({"safety.red_flags": ["seizure"]})}), encoding="utf-8")
    code, out, _ = run(["estimate", str(path), "--json"])
    assert code == 0
    assert json.loads(out) == {"recommendation": {"primary": None, "secondary": [],
                                                  "reasons": ["R1_red_flag: safety.red_flags=[seizure]"]}, "estimate": None}


@pytest.mark.parametrize(("content", "message"), [
    ('{"diagnosis": {"cancer_type": "breast"', "not valid JSON"),
    ("[1, 2, 3]", "a case must be a JSON object, got list"),
    ('{"diagnosis": "breast"}', "'diagnosis' must be an object"),
    ('{"language": 5}', "'language' must be a string"),
    (b"\xff\xfe\x00garbage", "cannot be read"),
])
def test_malformed_case_file_is_a_clear_error_with_exit_2(tmp_path, content, message):
    path = tmp_path / "bad.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    code, out, err = run(["estimate", str(path)])
    assert code == 2 and out == ""
    assert err.startswith("error: ") and str(path) in err and message in err


def test_missing_case_file_exits_2(tmp_path):
    code, _, err = run(["estimate", str(tmp_path / "nope.json")])
    assert code == 2 and "no such file" in err


def test_catalog_check_ok():
    code, out, err = run(["catalog", "check"])
    assert code == 0 and err == ""
    assert out.startswith("OK catalog 2026-11-27.1")


def test_catalog_check_reports_the_broken_entry(tmp_path):
    data = yaml.safe_load(CATALOG_PATH.read_text(encoding="utf-8"))
    data["pathways"]["car_t_eligibility"]["items"][0]["high"] = -3
    path = tmp_path / "catalog.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    code, out, err = run(["catalog", "check", str(path)])
    assert code == 1 and out == ""
    assert "pathways.car_t_eligibility.items[0] (facilitation_fee): negative high -3" in err


def test_usage_error_exits_2():
    with pytest.raises(SystemExit) as exc:
        main(["estimate"])
    assert exc.value.code == 2


def test_module_runs_as_a_program(case_file, tmp_path):
    """The real process: exit codes reach the shell."""
    ok = subprocess.run([sys.executable, "-m", "estimates.cli", "estimate", str(case_file), "--json"],
                        cwd=REPO, capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and json.loads(ok.stdout)["estimate"]["currency"] == "USD"
    bad = tmp_path / "bad.json"
    bad.write_text("{oops", encoding="utf-8")
    failed = subprocess.run([sys.executable, "-m", "estimates.cli", "estimate", str(bad)],
                            cwd=REPO, capture_output=True, text=True, timeout=60)
    assert failed.returncode == 2 and "not valid JSON" in failed.stderr
