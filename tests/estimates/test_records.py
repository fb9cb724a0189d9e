"""Records checklist per cancer type and pathway, and what is still missing."""
from __future__ import annotations

import pytest

from estimates import recommend, records_checklist, records_missing
from estimates.vocabulary import cancer_types, pathway_codes, record_kinds
from tests.estimates.casebuild import make_case


def test_breast_second_opinion_asks_for_slides_and_biomarkers():
    case = make_case({"diagnosis.cancer_type": "breast"})
    rec = recommend(case)
    assert records_checklist(case, rec) == [
        "pathology_report", "slides_blocks", "imaging_report", "biomarker_report", "treatment_summary"]


def test_car_t_for_myeloma_asks_for_labs_and_discharge_summary():
    case = make_case({"diagnosis.cancer_type": "multiple_myeloma", "history.disease_status": "relapsed"})
    checklist = records_checklist(case, recommend(case))
    assert {"lab_results", "discharge_summary", "biomarker_report", "pathology_report"} <= set(checklist)
    assert "imaging_report" not in checklist  # haematological group list


def test_surgical_review_needs_the_images_themselves():
    case = make_case({"diagnosis.cancer_type": "pancreatic", "history.told_inoperable": True})
    assert {"dicom", "imaging_report"} <= set(records_checklist(case, recommend(case)))


def test_missing_is_checklist_minus_received():
    case = make_case({"diagnosis.cancer_type": "breast", "records.received": [
        {"kind": "pathology_report", "content_type": "application/pdf"},
        {"kind": "imaging_report", "content_type": "image/jpeg"},
        {"kind": "other", "content_type": "image/jpeg"},
        {"content_type": "image/png"},
    ]})
    rec = recommend(case)
    assert records_missing(case, rec) == ["slides_blocks", "biomarker_report", "treatment_summary"]


def test_nothing_missing_once_everything_arrived():
    case = make_case({"diagnosis.cancer_type": "glioma"})
    rec = recommend(case)
    case["records"]["received"] = [{"kind": k, "content_type": "application/pdf"} for k in records_checklist(case, rec)]
    assert records_missing(case, rec) == []


@pytest.mark.parametrize("case", [None, {}, {"records": None}, {"records": {"received": "x"}}, {"diagnosis": {"cancer_type": 5}}])
def test_odd_cases_get_the_generic_list(case):
    missing = records_missing(case, None)
    assert missing == ["pathology_report", "imaging_report", "treatment_summary"]


@pytest.mark.parametrize("cancer_type", list(cancer_types()))
@pytest.mark.parametrize("pathway", pathway_codes())
def test_every_combination_gives_known_kinds_in_vocabulary_order(cancer_type, pathway):
    case = make_case({"diagnosis.cancer_type": cancer_type})
    checklist = records_checklist(case, {"primary": pathway, "secondary": [], "reasons": []})
    kinds = record_kinds()
    assert checklist and "pathology_report" in checklist
    assert checklist == sorted(checklist, key=kinds.index)
    assert len(set(checklist)) == len(checklist)
