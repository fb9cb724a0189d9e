"""Pathway rules (DESIGN 6.1): every rule reachable, order respected, unknowns never crash."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from estimates import CatalogError, recommend
from estimates.rules import RULES_PATH, load_rules, rule_id
from tests.estimates.casebuild import make_case

# (case facts, expected primary, rule that must fire, facts the reason must name)
RULE_TABLE = [
    pytest.param({"safety.red_flags": ["bleeding"], "diagnosis.cancer_type": "breast", "request.service": "proton_therapy"},
                 None, "R1_red_flag", ["safety.red_flags=[bleeding]"], id="R1 red flag beats a requested service"),
    pytest.param({"request.service": "in_person_second_opinion", "diagnosis.cancer_type": "large_b_cell_lymphoma",
                  "history.disease_status": "relapsed"},
                 "in_person_second_opinion", "R2_requested", ["request.service=in_person_second_opinion"],
                 id="R2 requested service beats CAR-T"),
    pytest.param({"request.service": "records_translation", "language": "en"},
                 "records_translation", "R2_requested", ["request.service=records_translation"], id="R2 translation"),
    pytest.param({"diagnosis.cancer_type": "large_b_cell_lymphoma", "history.disease_status": "relapsed"},
                 "car_t_eligibility", "R3_car_t",
                 ["diagnosis.cancer_type=large_b_cell_lymphoma", "history.disease_status=relapsed"], id="R3 LBCL relapsed"),
    pytest.param({"diagnosis.cancer_type": "multiple_myeloma", "history.disease_status": "refractory"},
                 "car_t_eligibility", "R3_car_t", ["diagnosis.cancer_type=multiple_myeloma"], id="R3 myeloma refractory"),
    pytest.param({"diagnosis.cancer_type": "b_all", "history.disease_status": "relapsed", "patient.age": 9,
                  "history.told_inoperable": True},
                 "car_t_eligibility", "R3_car_t", ["diagnosis.cancer_type=b_all"], id="R3 beats R4 and R5"),
    pytest.param({"diagnosis.cancer_type": "pancreatic", "history.told_inoperable": True},
                 "surgical_resectability_review", "R4_inoperable", ["history.told_inoperable=true"], id="R4 inoperable"),
    pytest.param({"diagnosis.cancer_type": "chordoma", "history.told_inoperable": True},
                 "surgical_resectability_review", "R4_inoperable", [], id="R4 beats R5 for chordoma"),
    pytest.param({"diagnosis.cancer_type": "soft_tissue_sarcoma", "patient.age": 5},
                 "proton_therapy", "R5_proton", ["patient.age=5", "diagnosis.cancer_type=soft_tissue_sarcoma (group solid)"],
                 id="R5 child with a solid tumour"),
    pytest.param({"diagnosis.cancer_type": "glioma", "history.disease_status": "relapsed"},
                 "proton_therapy", "R5_proton", ["diagnosis.cancer_type=glioma"], id="R5 glioma beats R6"),
    pytest.param({"diagnosis.cancer_type": "head_and_neck", "history.reirradiation": True,
                  "history.disease_status": "progressing"},
                 "proton_therapy", "R5_proton", ["history.reirradiation=true"], id="R5 re-irradiation"),
    pytest.param({"diagnosis.cancer_type": "ovarian", "history.disease_status": "progressing"},
                 "clinical_trial_matching", "R6_trial", ["history.disease_status=progressing"], id="R6 progressing"),
    pytest.param({"diagnosis.cancer_type": "t_cell_lymphoma", "history.disease_status": "refractory"},
                 "clinical_trial_matching", "R6_trial", ["history.disease_status=refractory"], id="R6 refractory, not CAR-T type"),
    pytest.param({"diagnosis.cancer_type": "colorectal", "history.lines_of_therapy": 2},
                 "clinical_trial_matching", "R6_trial",
                 ["history.lines_of_therapy=2", "diagnosis.cancer_type=colorectal (group solid)"], id="R6 two lines, solid"),
    pytest.param({"diagnosis.cancer_type": "lung_nsclc", "history.options_exhausted": True},
                 "clinical_trial_matching", "R6_trial", ["history.options_exhausted=true"], id="R6 options exhausted"),
    pytest.param({"diagnosis.cancer_type": "breast", "history.disease_status": "newly_diagnosed"},
                 "remote_second_opinion", "R7_default", [], id="R7 default"),
    pytest.param({"diagnosis.cancer_type": "cll", "history.lines_of_therapy": 3},
                 "remote_second_opinion", "R7_default", [], id="R7 two lines but haematological"),
    pytest.param({"diagnosis.cancer_type": "cml", "patient.age": 15},
                 "remote_second_opinion", "R7_default", [], id="R7 child but haematological"),
    pytest.param({"diagnosis.cancer_type": "hodgkin_lymphoma", "history.disease_status": "relapsed"},
                 "remote_second_opinion", "R7_default", [], id="R7 relapsed Hodgkin is not a CAR-T type"),
    pytest.param({"request.service": "unsure", "diagnosis.cancer_type": "breast"},
                 "remote_second_opinion", "R7_default", [], id="unsure falls through R2"),
    pytest.param({"patient.age": 18, "diagnosis.cancer_type": "bone_sarcoma"},
                 "remote_second_opinion", "R7_default", [], id="age 18 is not under 18"),
]


@pytest.mark.parametrize(("facts", "primary", "rule", "used"), RULE_TABLE)
def test_rule_table(facts, primary, rule, used):
    rec = recommend(make_case({"language": "en", **facts}))
    assert rec["primary"] == primary
    assert rule_id(rec["reasons"][0]) == rule
    for fact in used:
        assert fact in rec["reasons"][0]


def test_every_rule_in_the_file_is_reached_by_the_table():
    """A rule added to rules.yml without a test row fails here."""
    fired = set()
    for param in RULE_TABLE:
        facts = param.values[0]
        fired.add(rule_id(recommend(make_case({"language": "en", **facts}))["reasons"][0]))
    assert fired == {rule["id"] for rule in load_rules()["rules"]}


def test_reasons_are_rule_id_and_facts():
    rec = recommend(make_case({"diagnosis.cancer_type": "large_b_cell_lymphoma", "history.disease_status": "relapsed"}))
    assert rec["reasons"] == ["R3_car_t: diagnosis.cancer_type=large_b_cell_lymphoma, history.disease_status=relapsed"]


def test_secondary_translation_when_language_is_not_english():
    rec = recommend(make_case({"language": "bn", "diagnosis.cancer_type": "ovarian", "history.disease_status": "progressing"}))
    assert rec["primary"] == "clinical_trial_matching"
    assert rec["secondary"] == ["records_translation"]
    assert "S1_translation: language=bn" in rec["reasons"]


@pytest.mark.parametrize("language", ["en", None])
def test_no_translation_for_english_or_unknown_language(language):
    rec = recommend(make_case({"language": language, "diagnosis.cancer_type": "breast"}))
    assert rec["secondary"] == []


def test_translation_never_duplicates_the_primary():
    rec = recommend(make_case({"language": "ar", "request.service": "records_translation"}))
    assert rec["primary"] == "records_translation"
    assert rec["secondary"] == []


def test_no_secondary_without_a_pathway():
    rec = recommend(make_case({"language": "ar", "safety.red_flags": ["neutropenic_fever"]}))
    assert rec == {"primary": None, "secondary": [], "reasons": ["R1_red_flag: safety.red_flags=[neutropenic_fever]"]}


@pytest.mark.parametrize("case", [None, {}, {"diagnosis": None}, {"patient": "x"}, {"history": {"lines_of_therapy": "two"}},
                                  {"patient": {"age": "five"}, "diagnosis": {"cancer_type": "breast"}},
                                  {"diagnosis": {"cancer_type": ["breast"]}}, {"safety": {"red_flags": None}},
                                  {"diagnosis": {"cancer_type": "not_a_code"}, "request": {"service": 7}}])
def test_missing_or_odd_fields_are_unknown_never_a_crash(case):
    rec = recommend(case)
    assert rec["primary"] == "remote_second_opinion"
    assert rule_id(rec["reasons"][0]) == "R7_default"


def test_boolean_age_is_not_a_number():
    """True < 18 in Python; the rules must not read it as an age."""
    rec = recommend(make_case({"patient.age": True, "diagnosis.cancer_type": "breast"}))
    assert rec["primary"] == "remote_second_opinion"


def _write_rules(tmp_path: Path, mutate) -> Path:
    data = yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))
    mutate(data)
    path = tmp_path / "rules.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda d: d["rules"][2]["when"]["all_of"][0].update(op="roughly"), "rules[2] (R3_car_t).when.all_of[0]: unknown op 'roughly'"),
    (lambda d: d["rules"][3]["then"].update(primary="teleport"), "rules[3] (R4_inoperable).then: unknown pathway code 'teleport'"),
    (lambda d: d["rules"][2]["when"]["all_of"][0]["value"].append("dragon_pox"), "unknown cancer type 'dragon_pox'"),
    (lambda d: d["rules"][4]["when"]["any_of"][0]["all_of"][1].update(group="liquid"), "unknown cancer group 'liquid'"),
    (lambda d: d["rules"].pop(), "the last rule must be a default"),
    (lambda d: d["rules"][1].update(id="R1_red_flag"), "rules[1] (R1_red_flag): duplicate rule id"),
    (lambda d: d["secondary"][0].update(add="nothing"), "secondary[0] (S1_translation): unknown pathway code 'nothing'"),
    (lambda d: d["rules"][0].pop("when"), "rules[0] (R1_red_flag): missing field 'when'"),
])
def test_broken_rules_file_is_refused_naming_the_entry(tmp_path, mutate, message):
    path = _write_rules(tmp_path, mutate)
    with pytest.raises(CatalogError) as exc:
        load_rules(path)
    assert str(path) in str(exc.value)
    assert message in str(exc.value)


def test_rules_from_another_file_drive_recommend(tmp_path):
    """Routing is data: swapping R7's outcome in the file changes the default."""
    path = _write_rules(tmp_path, lambda d: d["rules"][-1]["then"].update(primary="clinical_trial_matching"))
    assert recommend(make_case({"diagnosis.cancer_type": "breast"}), rules_path=path)["primary"] == "clinical_trial_matching"
    assert recommend(make_case({"diagnosis.cancer_type": "breast"}))["primary"] == "remote_second_opinion"
