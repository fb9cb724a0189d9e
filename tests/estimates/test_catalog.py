"""The price catalog: its content (DESIGN 6.2, 6.3) and refusal of broken files."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from estimates import CatalogError, load_catalog, validate_catalog
from estimates.catalog import CATALOG_PATH
from estimates.records import CHECKLIST_PATH, load_checklist
from estimates.vocabulary import cancer_types, pathway_codes


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_catalog_is_versioned_with_a_currency(catalog):
    assert catalog["version"].startswith("2026-")
    assert catalog["currency"] == "USD"
    assert validate_catalog() == catalog["version"]
    assert dt.date.fromisoformat(catalog["rates_date"])
    assert catalog["rates"]["USD"] == 1


def test_every_pathway_has_items_and_a_timeline(catalog):
    assert set(catalog["pathways"]) == set(pathway_codes())
    for code, pathway in catalog["pathways"].items():
        assert pathway["items"], code
        assert 0 < pathway["timeline"]["low"] <= pathway["timeline"]["high"], code


def test_timelines_follow_the_published_guide(catalog):
    tl = {code: p["timeline"] for code, p in catalog["pathways"].items()}
    assert (tl["remote_second_opinion"]["low"], tl["remote_second_opinion"]["high"]) == (5, 14)
    assert tl["remote_second_opinion"]["business_days"] and tl["remote_second_opinion"]["rare_high"] == 21
    assert (tl["in_person_second_opinion"]["low"], tl["in_person_second_opinion"]["high"]) == (21, 42)
    assert (tl["surgical_resectability_review"]["low"], tl["surgical_resectability_review"]["high"]) == (7, 14)
    assert (tl["car_t_eligibility"]["low"], tl["car_t_eligibility"]["high"]) == (5, 10)
    assert tl["car_t_eligibility"]["business_days"]
    assert (tl["proton_therapy"]["low"], tl["proton_therapy"]["high"]) == (21, 56)
    assert (tl["clinical_trial_matching"]["low"], tl["clinical_trial_matching"]["high"]) == (7, 14)
    assert (tl["records_translation"]["low"], tl["records_translation"]["high"]) == (3, 7)


def _option(catalog, pathway, centre):
    return next(o for o in catalog["pathways"][pathway]["centre_fee"]["options"] if o["centre"] == centre)


def test_public_figures_of_design_6_3(catalog):
    assert _option(catalog, "remote_second_opinion", "us_cancer_centre")["price"] == {"currency": "USD", "low": 2400, "high": 2500}
    assert _option(catalog, "car_t_eligibility", "us_cancer_centre")["price"] == {"currency": "USD", "low": 373000, "high": 475000}
    assert _option(catalog, "car_t_eligibility", "cn_cancer_centre")["price"] == {"currency": "CNY", "low": 1200000, "high": 1300000}
    assert _option(catalog, "car_t_eligibility", "in_cancer_centre")["price"] == {"currency": "INR", "low": 3000000, "high": 4500000}
    assert _option(catalog, "proton_therapy", "de_university_centre")["price"]["currency"] == "EUR"
    assert _option(catalog, "proton_therapy", "de_university_centre")["price"]["low"] == 21000
    assert _option(catalog, "proton_therapy", "in_cancer_centre")["price"] == {"currency": "USD", "low": 35000, "high": 65000}
    assert _option(catalog, "proton_therapy", "cn_cancer_centre")["price"]["low"] == 278000
    assert _option(catalog, "proton_therapy", "us_cancer_centre")["price"]["low"] == 32000
    translation = next(i for i in catalog["pathways"]["records_translation"]["items"] if i["code"] == "translation")
    assert (translation["unit"], translation["low"], translation["high"]) == ("per_word", 0.12, 0.40)


def test_organisation_fees_are_marked_as_such(catalog):
    for code, pathway in catalog["pathways"].items():
        assert any(i["set_by"] == "organisation" for i in pathway["items"]), code


def test_partner_centres_cover_the_four_regions(catalog):
    assert {c["country"] for c in catalog["centres"].values()} == {"US", "DE", "IN", "CN"}
    assert set(catalog["logistics"]) >= {"US", "DE", "IN", "CN"}


def test_load_catalog_returns_a_private_copy():
    first = load_catalog()
    first["pathways"]["remote_second_opinion"]["items"].clear()
    assert load_catalog()["pathways"]["remote_second_opinion"]["items"]


def _write(tmp_path: Path, mutate, source: Path = CATALOG_PATH, name: str = "catalog.yml") -> Path:
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    mutate(data)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


BROKEN = [
    pytest.param(lambda d: d["pathways"]["remote_second_opinion"]["items"][0].pop("low"),
                 "pathways.remote_second_opinion.items[0] (facilitation_fee): missing field 'low'", id="missing field"),
    pytest.param(lambda d: d["pathways"]["proton_therapy"]["items"][0].update(low=-50),
                 "pathways.proton_therapy.items[0] (facilitation_fee): negative low -50", id="negative price"),
    pytest.param(lambda d: d["pathways"]["car_t_eligibility"]["centre_fee"]["options"][0]["price"].update(high=-1),
                 "pathways.car_t_eligibility.centre_fee.options[0] (in_cancer_centre).price: negative high -1",
                 id="negative centre price"),
    pytest.param(lambda d: d["pathways"]["records_translation"]["items"][1].update(low=0.5, high=0.4),
                 "pathways.records_translation.items[1] (translation): low 0.5 > high 0.4", id="low above high"),
    pytest.param(lambda d: d["pathways"].update(teleportation=d["pathways"]["remote_second_opinion"]),
                 "pathways.teleportation: unknown pathway code 'teleportation'", id="unknown pathway code"),
    pytest.param(lambda d: d["pathways"].pop("proton_therapy"),
                 "pathways.proton_therapy: missing", id="pathway missing"),
    pytest.param(lambda d: d["centres"]["in_cancer_centre"]["fits"].update(cancer_types=["dragon_pox"]),
                 "centres.in_cancer_centre.fits.cancer_types: unknown cancer type 'dragon_pox'", id="unknown cancer type"),
    pytest.param(lambda d: d["rare_cancer_types"].append("unicornoma"),
                 "rare_cancer_types: unknown cancer type 'unicornoma'", id="unknown rare cancer type"),
    pytest.param(lambda d: d["pathways"]["proton_therapy"]["centre_fee"]["options"][0].update(centre="mars_clinic"),
                 "unknown centre 'mars_clinic'", id="unknown centre"),
    pytest.param(lambda d: d["pathways"]["proton_therapy"]["centre_fee"]["options"][0]["price"].update(currency="XYZ"),
                 "currency 'XYZ' has no exchange rate", id="currency without rate"),
    pytest.param(lambda d: d["pathways"]["records_translation"]["items"][1].pop("quantity"),
                 "pathways.records_translation.items[1] (translation): missing field 'quantity'", id="per-word without quantity"),
    pytest.param(lambda d: d["pathways"]["remote_second_opinion"]["items"][0].update(unit="per_hug"),
                 "unknown unit 'per_hug'", id="unknown unit"),
    pytest.param(lambda d: d["pathways"]["remote_second_opinion"]["timeline"].update(low=20),
                 "pathways.remote_second_opinion.timeline: low 20 > high 14", id="timeline reversed"),
    pytest.param(lambda d: d.pop("version"), "version: missing field 'version'", id="no version"),
    pytest.param(lambda d: d["rates"].update(USD=2), "rates.USD: the catalog currency must have rate 1", id="base rate"),
    pytest.param(lambda d: d["rates"].update(KES=0), "rates.KES: rate must be a positive number", id="zero rate"),
    pytest.param(lambda d: d["logistics"].pop("DE"), "no logistics costs for centre country 'DE'", id="logistics missing"),
    pytest.param(lambda d: d["pathways"]["remote_second_opinion"]["items"][0].update(low="cheap"),
                 "field 'low' must be a number, got 'cheap'", id="price not a number"),
]


@pytest.mark.parametrize(("mutate", "message"), BROKEN)
def test_broken_catalog_is_refused_naming_file_and_entry(tmp_path, mutate, message):
    path = _write(tmp_path, mutate)
    with pytest.raises(CatalogError) as exc:
        load_catalog(path)
    assert str(exc.value).startswith(f"{path}: ")
    assert message in str(exc.value)
    with pytest.raises(CatalogError):
        validate_catalog(path)


def test_malformed_yaml_and_missing_file_are_refused(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("version: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="not valid YAML"):
        load_catalog(bad)
    with pytest.raises(CatalogError, match="cannot be read"):
        load_catalog(tmp_path / "absent.yml")
    scalar = tmp_path / "scalar.yml"
    scalar.write_text("just text\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="must be a mapping"):
        load_catalog(scalar)


def test_edited_catalog_is_reloaded(tmp_path):
    """The cache follows the file: a fixed file is accepted without a restart."""
    path = _write(tmp_path, lambda d: d["pathways"]["proton_therapy"]["items"][0].update(low=-1))
    with pytest.raises(CatalogError):
        load_catalog(path)
    path = _write(tmp_path, lambda d: d.update(version="2099-01-01.1"))
    assert validate_catalog(path) == "2099-01-01.1"


def test_broken_checklist_is_refused(tmp_path):
    path = _write(tmp_path, lambda d: d["by_cancer_type"].update(breast=["x_ray_vision"]), CHECKLIST_PATH, "checklist.yml")
    with pytest.raises(CatalogError, match=r"by_cancer_type\.breast: unknown record kind 'x_ray_vision'"):
        load_checklist(path)
    path = _write(tmp_path, lambda d: d["by_pathway"].update(teleport=[]), CHECKLIST_PATH, "checklist2.yml")
    with pytest.raises(CatalogError, match="unknown pathway code 'teleport'"):
        load_checklist(path)


def test_checklist_names_only_known_codes():
    data = load_checklist()
    assert set(data["by_cancer_type"]) <= set(cancer_types())
    assert set(data["by_pathway"]) == set(pathway_codes())
