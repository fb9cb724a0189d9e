"""dialogs/understanding/facts/: intake facts from patient messages in every
supported language, and how they add up across a conversation."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs.understanding.facts import extract_facts, merge_facts

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus" / "dev.jsonl"
VOCABULARY = yaml.safe_load((ROOT / "bot" / "contract" / "vocabulary.yml").read_text(encoding="utf-8"))

# The case fields this extractor owns (red flags, language, consent,
# recommendation and ticket are decided elsewhere).
CORPUS_FIELDS = [
    "diagnosis.cancer_type", "diagnosis.stage", "patient.age", "patient.relation", "location.country",
    "history.disease_status", "history.told_inoperable", "history.options_exhausted",
    "history.reirradiation", "history.lines_of_therapy", "request.service",
]


def _message_text(event: dict) -> str:
    """What the intake sees of one event: an e-mail's subject line, then its body."""
    return "\n".join(part for part in (event.get("subject"), event.get("body")) if part)


def _replay(conversation: dict) -> dict:
    facts: dict = {}
    for event in conversation["events"]:
        facts = merge_facts(facts, extract_facts(_message_text(event)))
    return facts


def _corpus() -> list[dict]:
    if not CORPUS.exists():
        pytest.skip(f"dev corpus not found at {CORPUS}")
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_dev_corpus_replay_reaches_every_expected_field(capsys: pytest.CaptureFixture[str]) -> None:
    """Merging extract_facts over each dev conversation reproduces its `expect` values."""
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    misses = []
    for conversation in _corpus():
        facts = _replay(conversation)
        for field in CORPUS_FIELDS:
            key = f"case.{field}"
            if key not in conversation["expect"]:
                continue
            total[field] += 1
            if facts.get(field) == conversation["expect"][key]:
                right[field] += 1
            else:
                misses.append(f"{conversation['id']} {field}: expected {conversation['expect'][key]!r}, got {facts.get(field)!r}")
    with capsys.disabled():
        print("\nper-field accuracy on the dev corpus:")
        for field in CORPUS_FIELDS:
            if total[field]:
                print(f"  {field:28s} {right[field]:3d}/{total[field]:<3d} {100 * right[field] / total[field]:5.1f}%")
    assert not misses, "\n".join(misses)


def test_dev_corpus_replay_also_works_with_the_detected_language() -> None:
    for conversation in _corpus():
        facts: dict = {}
        for event in conversation["events"]:
            facts = merge_facts(facts, extract_facts(_message_text(event), conversation["expect"].get("case.language")))
        for field in CORPUS_FIELDS:
            key = f"case.{field}"
            if key in conversation["expect"]:
                assert facts.get(field) == conversation["expect"][key], (conversation["id"], field)


def facts_of(text: str, language: str | None = None) -> dict:
    return extract_facts(text, language)


# ---------------------------------------------------------------- cancer type

CANCER_TYPES = [
    # English
    ("My mother has breast cancer, ER positive.", "breast"),
    ("He was diagnosed with DLBCL last year", "large_b_cell_lymphoma"),
    ("diffuse large B-cell lymphoma stage 4", "large_b_cell_lymphoma"),
    ("my daughter has embryonal rhabdomyosarcoma of the orbit", "soft_tissue_sarcoma"),
    ("uveal melanoma in the right eye", "uveal_melanoma"),
    ("choroidal melanoma, 12 mm", "uveal_melanoma"),
    ("she has melanoma of the eye", "uveal_melanoma"),
    ("melanoma on his back, stage 3", "melanoma"),
    ("glioblastoma, IDH wild-type", "glioma"),
    ("sigmoid colon cancer with liver metastases", "colorectal"),
    ("rectal cancer, T3N1", "colorectal"),
    ("adenocarcinoma (non-small cell) of the lung", "lung_nsclc"),
    ("EGFR lung cancer on osimertinib", "lung_nsclc"),
    ("extensive stage small cell lung cancer", "lung_sclc"),
    ("non-small cell lung cancer", "lung_nsclc"),
    ("mouth cancer (buccal mucosa)", "head_and_neck"),
    ("cancer of the tongue", "head_and_neck"),
    ("laryngeal cancer, had a laryngectomy", "head_and_neck"),
    ("PTCL-NOS refractory", "t_cell_lymphoma"),
    ("my son has B-ALL", "b_all"),
    ("acute lymphoblastic leukaemia in a 4 year old", "b_all"),
    ("intrahepatic cholangiocarcinoma", "cholangiocarcinoma"),
    ("chronic myeloid leukemia (CML) in chronic phase", "cml"),
    ("CLL for ten years", "cll"),
    ("AML with FLT3", "aml"),
    ("multiple myeloma relapsed after VRd", "multiple_myeloma"),
    ("myelodysplastic syndrome, high risk", "mds"),
    ("pancreatic adenocarcinoma in the head of the pancreas", "pancreatic"),
    ("hepatocellular carcinoma (HCC) with cirrhosis", "hepatocellular"),
    ("gallbladder cancer", "gallbladder"),
    ("nasopharyngeal carcinoma stage III", "nasopharyngeal"),
    ("papillary thyroid carcinoma", "thyroid"),
    ("medulloblastoma in my 6 year old", "medulloblastoma"),
    ("a meningioma that keeps growing", "meningioma"),
    ("prostate cancer with Gleason 4+3", "prostate"),
    ("urothelial carcinoma of the bladder", "bladder"),
    ("renal cell carcinoma, clear cell", "kidney"),
    ("testicular cancer (seminoma)", "testicular"),
    ("cervical cancer stage IIB", "cervical"),
    ("high grade serous ovarian cancer", "ovarian"),
    ("endometrial cancer after menopause", "endometrial"),
    ("Ewing sarcoma of the femur", "bone_sarcoma"),
    ("osteosarcoma in his knee", "bone_sarcoma"),
    ("sacral chordoma", "chordoma"),
    ("chondrosarcoma of the pelvis", "chondrosarcoma"),
    ("neuroblastoma, high risk", "neuroblastoma"),
    ("Wilms tumour in the left kidney", "wilms"),
    ("retinoblastoma in both eyes", "retinoblastoma"),
    ("follicular lymphoma grade 2", "follicular_lymphoma"),
    ("mantle cell lymphoma", "mantle_cell_lymphoma"),
    ("classical Hodgkin lymphoma", "hodgkin_lymphoma"),
    ("carcinoma of unknown primary", "unknown_primary"),
    ("stomach cancer", "gastric"),
    ("oesophageal cancer, squamous", "oesophageal"),
    ("mesothelioma of the pleura", "other"),
    ("breast cancer in her sister", "breast"),
    ("Ca breast, left side", "breast"),
    # Arabic (dialects, Arabic-Indic digits)
    ("ابني عنده لوكيميا ALL نوع B-cell", "b_all"),
    ("امي عندها سرطان الثدي", "breast"),
    ("ابوي عنده سرطان الرئة", "lung_nsclc"),
    ("سرطان القولون المرحلة الرابعة", "colorectal"),
    ("زوجي مصاب بسرطان البروستاتا", "prostate"),
    ("ورم في الدماغ", "glioma"),
    # Bengali
    ("আমার আম্মুর ওভারিয়ান ক্যান্সার", "ovarian"),
    ("বাবার ফুসফুসের ক্যান্সার", "lung_nsclc"),
    ("মায়ের স্তন ক্যান্সার ধরা পড়েছে", "breast"),
    ("জরায়ুমুখের ক্যান্সার", "cervical"),
    # Hindi and Hinglish
    ("मेरे पिताजी को मल्टीपल मायलोमा है", "multiple_myeloma"),
    ("मेरी माँ को स्तन कैंसर है", "breast"),
    ("पापा को फेफड़ों का कैंसर है", "lung_nsclc"),
    ("बेटे को ब्लड कैंसर है, लोकेमिया ALL", "b_all"),
    ("mere papa ko mouth cancer hai", "head_and_neck"),
    ("mummy ko breast cancer hai stage 2", "breast"),
    ("bhai ko blood cancer hai, AML", "aml"),
    # Urdu
    ("میرے شوہر کو پھیپھڑوں کا کینسر ہے", "lung_nsclc"),
    ("امی کو چھاتی کا کینسر ہے", "breast"),
    ("ابو کو جگر کا کینسر ہے", "hepatocellular"),
    # Chinese (Simplified and Traditional)
    ("我父亲确诊鼻咽癌", "nasopharyngeal"),
    ("我母親患有乳腺癌", "breast"),
    ("爸爸是肺腺癌，EGFR突变", "lung_nsclc"),
    ("弥漫大B细胞淋巴瘤复发", "large_b_cell_lymphoma"),
    ("結腸癌第三期", "colorectal"),
    ("胶质母细胞瘤术后", "glioma"),
    ("食道癌", "oesophageal"),
    ("攝護腺癌", "prostate"),
    # Turkish
    ("Annem 67 yaşında, mide kanseri teşhisi kondu.", "gastric"),
    ("Babamda akciğer kanseri var", "lung_nsclc"),
    ("eşim meme kanseri", "breast"),
    ("oğlumda lösemi var, akut lenfoblastik lösemi", "b_all"),
    # French
    ("Mon père a un cancer de la prostate", "prostate"),
    ("ma mère a un cancer du sein", "breast"),
    ("lymphome diffus à grandes cellules B", "large_b_cell_lymphoma"),
    ("mélanome uvéal de l'œil gauche", "uveal_melanoma"),
    ("cancer du côlon avec métastases hépatiques", "colorectal"),
    # Russian
    ("у мужа глиобластома", "glioma"),
    ("рак молочной железы у мамы", "breast"),
    ("рак лёгкого, аденокарцинома", "lung_nsclc"),
    ("диффузная B-крупноклеточная лимфома", "large_b_cell_lymphoma"),
    ("множественная миелома", "multiple_myeloma"),
    ("рак желудка", "gastric"),
    # Swahili
    ("Baba ana saratani ya umio (esophageal cancer)", "oesophageal"),
    ("Mama yangu ana saratani ya matiti", "breast"),
    ("saratani ya shingo ya kizazi", "cervical"),
    ("mtoto wangu ana saratani ya damu, leukemia", "other"),
    # Tagalog / Taglish
    ("Na-diagnose po siya ng follicular lymphoma", "follicular_lymphoma"),
    ("may kanser sa suso ang nanay ko", "breast"),
    ("kanser sa baga si tatay", "lung_nsclc"),
    # Tamil
    ("என் அம்மாவுக்கு கண்ணில் மெலனோமா", "uveal_melanoma"),
    ("அப்பாவுக்கு நுரையீரல் புற்றுநோய்", "lung_nsclc"),
    ("மார்பக புற்றுநோய்", "breast"),
    # Sinhala
    ("මගේ මල්ලිට කෝඩෝමා තියෙනවා", "chordoma"),
    ("අම්මට පියයුරු පිළිකාවක්", "breast"),
    # Nepali
    ("मेरो छोरालाई B-ALL छ", "b_all"),
    ("बुबालाई फोक्सोको क्यान्सर", "lung_nsclc"),
    ("आमालाई स्तन क्यान्सर भएको छ", "breast"),
    # Gujarati
    ("મારા પપ્પાને peripheral T-cell lymphoma છે", "t_cell_lymphoma"),
    ("મમ્મીને સ્તન કેન્સર છે", "breast"),
    ("પપ્પાને મોઢાનું કેન્સર છે", "head_and_neck"),
]


@pytest.mark.parametrize("text,expected", CANCER_TYPES)
def test_cancer_type(text: str, expected: str) -> None:
    assert facts_of(text).get("diagnosis.cancer_type") == expected


def test_every_vocabulary_cancer_type_has_words() -> None:
    data = yaml.safe_load((ROOT / "dialogs/understanding/lexicon/facts/cancer_types.yml").read_text(encoding="utf-8"))
    covered = {spec.get("code", key) for key, spec in data["codes"].items()}
    assert covered == set(VOCABULARY["cancer_types"])


@pytest.mark.parametrize(
    "text",
    [
        "My father has lung cancer that has spread to the liver and bones.",
        "lung cancer with liver metastases",
        "肺癌肝转移",
    ],
)
def test_a_spread_site_is_not_the_cancer_type(text: str) -> None:
    assert facts_of(text)["diagnosis.cancer_type"] == "lung_nsclc"


@pytest.mark.parametrize("text", ["Hello, I need some help please", "My mother is very tired", "We got your number from a friend", "yes", "ok thanks"])
def test_no_cancer_type_without_cancer_words(text: str) -> None:
    assert "diagnosis.cancer_type" not in facts_of(text)


def test_diagnosis_text_keeps_the_patients_words() -> None:
    facts = facts_of("என் அம்மாவுக்கு கண்ணில் மெலனோமா இருக்கிறது")
    assert facts["diagnosis.text"] == "கண்ணில் மெலனோமா"
    assert facts_of("He has Diffuse Large B-Cell Lymphoma")["diagnosis.text"] == "Diffuse Large B-Cell Lymphoma"


# ---------------------------------------------------------------- stage

STAGES = [
    ("breast cancer stage 2", "II"),
    ("stage IIB Hodgkin", "II"),
    ("Stage IV colon cancer", "IV"),
    ("stage 3a", "III"),
    ("stage four lung cancer", "IV"),
    ("it is stage 3, not stage 4", "III"),
    ("actually it is stage 3", "III"),
    ("stade II d'après l'urologue", "II"),
    ("分期是III期", "III"),
    ("肺癌三期", "III"),
    ("стадия 4", "IV"),
    ("4 стадия", "IV"),
    ("اسٹیج 4", "IV"),
    ("المرحلة الرابعة", "IV"),
    ("المرحلة ٣", "III"),
    ("Stage 4 daw po.", "IV"),
    ("Stage 3 po ang follicular lymphoma, hindi stage 4.", "III"),
    ("evre 3", "III"),
    ("3. evre mide kanseri", "III"),
    ("hatua ya 3", "III"),
    ("saratani iko hatua ya nne", "IV"),
    ("स्टेज ४", "IV"),
    ("स्टेज 2 का कैंसर", "II"),
    ("চতুর্থ পর্যায়", "IV"),
    ("স্টেজ ৩", "III"),
    ("நிலை 4", "IV"),
    ("அதாவது ஸ்டேஜ் 2", "II"),
    ("අදියර 3", "III"),
    ("स्टेज ३ मा छ", "III"),
    ("સ્ટેજ 4", "IV"),
    ("limited stage small cell", "limited"),
    ("extensive-stage SCLC", "extensive"),
    ("last stage cancer", "IV"),
]


@pytest.mark.parametrize("text,expected", STAGES)
def test_stage(text: str, expected: str) -> None:
    assert facts_of(text).get("diagnosis.stage") == expected


@pytest.mark.parametrize("text", ["she had 4 cycles of chemo", "at this stage we don't know", "3 weeks ago", "the first stage of treatment was surgery"])
def test_no_stage_without_a_stage(text: str) -> None:
    assert "diagnosis.stage" not in facts_of(text)


# ---------------------------------------------------------------- histology, biomarkers, year

def test_histology_and_biomarkers() -> None:
    facts = facts_of("Biopsy says invasive ductal carcinoma, ER+ PR+ HER2 negative.")
    assert facts["diagnosis.histology"] == "invasive ductal carcinoma"
    assert facts["diagnosis.biomarkers"] == ["ER+", "PR+", "HER2-"]


@pytest.mark.parametrize(
    "text,markers",
    [
        ("EGFR exon 19 deletion", ["EGFR exon 19"]),
        ("KRAS G12D mutated, MSS", ["KRAS G12D", "MSS"]),
        ("IDH wild-type, MGMT unmethylated", ["IDH wild-type", "MGMT unmethylated"]),
        ("IDH дикого типа, MGMT неметилирован", ["IDH wild-type", "MGMT unmethylated"]),
        ("triple negative breast cancer", ["ER-", "PR-", "HER2-"]),
        ("HER2 3+ amplified", ["HER2+"]),
        ("PD-L1 TPS 60%", ["PD-L1 60%"]),
        ("BRAF V600E positive melanoma", ["BRAF V600E"]),
        ("ALK positive", ["ALK+"]),
        ("MSI-high colon cancer", ["MSI-H"]),
        ("BCR-ABL positive", ["BCR-ABL+"]),
    ],
)
def test_biomarkers(text: str, markers: list[str]) -> None:
    assert facts_of(text).get("diagnosis.biomarkers") == markers


@pytest.mark.parametrize(
    "text,histology",
    [
        ("pancreatic adenocarcinoma", "adenocarcinoma"),
        ("buccal mucosa ka squamous cell carcinoma", "squamous cell carcinoma"),
        ("classical Hodgkin lymphoma (nodular sclerosis)", "nodular sclerosis"),
        ("鼻咽癌（非角化性未分化型癌）", "non-keratinizing undifferentiated carcinoma"),
        ("mide kanseri (adenokarsinom)", "adenocarcinoma"),
        ("adénocarcinome de la prostate", "adenocarcinoma"),
    ],
)
def test_histology(text: str, histology: str) -> None:
    assert facts_of(text)["diagnosis.histology"] == histology


@pytest.mark.parametrize(
    "text,year",
    [
        ("In March 2024 he was diagnosed with DLBCL", 2024),
        ("मल्टीपल मायलोमा है, 2021 में पता चला था", 2021),
        ("ওভারিয়ান ক্যান্সার, ২০২৪ সালে ধরা পড়েছে", 2024),
        ("В феврале 2025 года ему поставили диагноз", 2025),
        ("diagnosed in 2019, treated in 2020", 2019),
    ],
)
def test_diagnosed_year(text: str, year: int) -> None:
    assert facts_of(text)["diagnosis.diagnosed_year"] == year


# ---------------------------------------------------------------- age

AGES = [
    ("My mum is 52 and she was diagnosed with breast cancer", 52),
    ("My wife (47) was diagnosed with colon cancer", 47),
    ("my father, who is 61 years old, has lymphoma", 61),
    ("He is 15 years old and has CML", 15),
    ("im 34 and i have breast cancer", 34),
    ("I am 57 years old and live in Beirut", 57),
    ("my daughter is 5 years old", 5),
    ("nanay ko, 58 years old", 58),
    ("58 years old po siya", 58),
    ("उनकी उम्र 64 साल है", 64),
    ("पापा 64 साल के हैं", 64),
    ("Papa ki age 59 saal hai", 59),
    ("ابني عمره ٧ سنوات", 7),
    ("میرے شوہر کی عمر 51 سال ہے", 51),
    ("আম্মুর বয়স ৫৮ বছর", 58),
    ("我父亲今年56岁", 56),
    ("父亲五十六岁", 56),
    ("Annem 67 yaşında", 67),
    ("mon père, 71 ans, qui vit avec nous", 71),
    ("ему 44 года", 44),
    ("Baba ana umri wa miaka 60", 60),
    ("அம்மாவுக்கு வயது 49", 49),
    ("මල්ලිගේ වයස අවුරුදු 38 යි", 38),
    ("छोराको उमेर १६ वर्ष हो", 16),
    ("પપ્પાની ઉંમર 70 વર્ષ છે", 70),
    ("a 5-year-old girl with neuroblastoma", 5),
    ("my son, aged 9, has leukaemia", 9),
]


@pytest.mark.parametrize("text,age", AGES)
def test_age(text: str, age: int) -> None:
    assert facts_of(text).get("patient.age") == age


@pytest.mark.parametrize(
    "text",
    [
        "imatinib 400mg every day since August 2026",
        "fever of 39.4 since last night",
        "diagnosed in 2024 and treated for 2 years",
        "she had 6 cycles of R-CHOP",
        "PSA à 14 ng/ml, Gleason 7",
        "we have been here 15 years",
        "remission for about two years",
        "the tumour is 8 cm",
        "il y a 3 ans",
    ],
)
def test_numbers_that_are_not_ages(text: str) -> None:
    assert "patient.age" not in facts_of(text)


def test_the_writers_age_is_not_the_patients() -> None:
    facts = facts_of("I am 40 and my mother is 70. She has breast cancer.")
    assert facts["patient.relation"] == "parent"
    assert facts["patient.age"] == 70
    assert "patient.age" not in facts_of("I'm 35, writing about my father who has lung cancer.")


# ---------------------------------------------------------------- relation and sex

RELATIONS = [
    ("My mum is 52 and has breast cancer", "parent", "female"),
    ("I am writing on behalf of my father", "parent", "male"),
    ("My daughter has been diagnosed with a tumour", "child", "female"),
    ("my son has leukaemia", "child", "male"),
    ("My husband has prostate cancer", "spouse", "male"),
    ("my wife was diagnosed with colon cancer", "spouse", "female"),
    ("My brother is 29 and has Hodgkin lymphoma", "sibling", "male"),
    ("my sister has ovarian cancer", "sibling", "female"),
    ("my aunt has lung cancer", "other_family", "female"),
    ("my friend has been diagnosed with lymphoma", "friend", None),
    ("I am 57 and I have cholangiocarcinoma", "self", None),
    ("I was diagnosed with breast cancer in June", "self", None),
    ("ابني عمره ٧ سنوات عنده لوكيميا", "child", "male"),
    ("امي عندها سرطان", "parent", "female"),
    ("زوجي مريض بالسرطان", "spouse", "male"),
    ("আমার আম্মুর ক্যান্সার", "parent", "female"),
    ("मेरे पिताजी को कैंसर है", "parent", "male"),
    ("मेरी पत्नी को कैंसर है", "spouse", "female"),
    ("mere papa ko cancer hai", "parent", "male"),
    ("میرے شوہر کو کینسر ہے", "spouse", "male"),
    ("我父亲得了鼻咽癌", "parent", "male"),
    ("我妈妈乳腺癌", "parent", "female"),
    ("Annem için yazıyorum, kanser", "parent", "female"),
    ("Babam kanser", "parent", "male"),
    ("mon père a un cancer", "parent", "male"),
    ("ma mère a un cancer du sein", "parent", "female"),
    ("у моего мужа рак", "spouse", "male"),
    ("моя мама болеет раком", "parent", "female"),
    ("Baba yangu ana saratani", "parent", "male"),
    ("para sa nanay ko na may cancer", "parent", "female"),
    ("ang tatay ko ay may kanser", "parent", "male"),
    ("என் அம்மாவுக்கு புற்றுநோய்", "parent", "female"),
    ("மகனுக்கு புற்றுநோய்", "child", "male"),
    ("මගේ මල්ලිට පිළිකාවක්", "sibling", "male"),
    ("අම්මට පිළිකාවක්", "parent", "female"),
    ("मेरो छोरालाई क्यान्सर छ", "child", "male"),
    ("मेरो श्रीमतीलाई क्यान्सर", "spouse", "female"),
    ("મારા પપ્પાને કેન્સર છે", "parent", "male"),
    ("મારી મમ્મીને કેન્સર છે", "parent", "female"),
]


@pytest.mark.parametrize("text,relation,sex", RELATIONS)
def test_relation_and_sex(text: str, relation: str, sex: str | None) -> None:
    facts = facts_of(text)
    assert facts.get("patient.relation") == relation
    assert facts.get("patient.sex") == sex
    assert relation in VOCABULARY["patient_relations"]


def test_a_relative_mentioned_aside_does_not_become_the_patient() -> None:
    facts = facts_of("I was diagnosed with breast cancer last month. My husband drove me to the hospital.")
    assert facts["patient.relation"] == "self"


# ---------------------------------------------------------------- treatments

def test_treatments_with_details_and_years() -> None:
    facts = facts_of(
        "In March 2024 he was diagnosed with DLBCL. He had 6 cycles of R-CHOP in 2024. "
        "As second line he received R-GemOx. He also had radiotherapy."
    )
    treatments = facts["history.treatments"]
    assert {"type": "chemotherapy", "detail": "R-CHOP", "year": 2024} in treatments
    assert {"type": "chemotherapy", "detail": "R-GemOx", "year": None} in treatments
    assert any(t["type"] == "radiotherapy" for t in treatments)
    assert facts["history.lines_of_therapy"] == 2
    assert all(t["type"] in VOCABULARY["treatment_types"] for t in treatments)


@pytest.mark.parametrize(
    "text,kind,detail",
    [
        ("she is on osimertinib (Tagrisso)", "targeted_therapy", "osimertinib"),
        ("He has been on hormone injections (goserelin every 3 months)", "hormone_therapy", "goserelin"),
        ("gemcitabine + cisplatin + durvalumab", "immunotherapy", "durvalumab"),
        ("had a mastectomy in 2023", "surgery", "mastectomy"),
        ("autologous stem cell transplant in 2022", "stem_cell_transplant", None),
        ("She received CAR-T last year", "car_t", None),
        ("पहले VRd और फिर daratumumab + pomalidomide", "immunotherapy", "daratumumab"),
        ("৬টা কার্বোপ্লাটিন-প্যাক্লিট্যাক্সেল কেমো", "chemotherapy", "carboplatin"),
        ("छोराको केमोथेरापी भएको थियो", "chemotherapy", None),
        ("已经做了3个周期的化疗", "chemotherapy", None),
        ("лучевая терапия с темозоломидом", "radiotherapy", None),
        ("kimo aldı, sonra ameliyat oldu", "surgery", None),
        ("alifanyiwa upasuaji mwaka 2023", "surgery", None),
        ("ابني يأخذ كيماوي", "chemotherapy", None),
    ],
)
def test_treatment_words(text: str, kind: str, detail: str | None) -> None:
    treatments = facts_of(text)["history.treatments"]
    assert any(t["type"] == kind and t["detail"] == detail for t in treatments), treatments


@pytest.mark.parametrize(
    "text",
    [
        "He has not had chemo or any other treatment yet.",
        "the surgeon wants to do a mastectomy next month",
        "The oncologist says she will also need radiotherapy later.",
        "a stem cell transplant cannot be done for him here",
        "The surgeon said it is inoperable, surgery is not possible.",
    ],
)
def test_treatments_not_received_are_not_reported(text: str) -> None:
    assert "history.treatments" not in facts_of(text)


NO_TREATMENT_YET = [
    "She hasnt started any treatment yet",
    "He has not had chemo or any other treatment yet.",
    "no treatment yet",
    "the hematologist said watch and wait",
    "Baba hajaanza matibabu yoyote bado.",
    "अभी तक इलाज शुरू नहीं हुआ",
    "அம்மாவுக்கு இதுவரை எந்த சிகிச்சையும் தொடங்கவில்லை.",
    "තවම මල්ලිට කිසිම ප්‍රතිකාරයක් කරලා නැහැ.",
    "Il n'a encore reçu aucun traitement.",
    "Wala pa pong treatment ang nanay ko",
    "还没有开始治疗",
    "henüz tedavi başlanmadı",
    "лечение ещё не начинали",
]


@pytest.mark.parametrize("text", NO_TREATMENT_YET)
def test_no_treatment_yet(text: str) -> None:
    facts = facts_of(text)
    assert facts.get("history.no_treatment_yet") is True
    assert facts.get("history.disease_status") == "newly_diagnosed"


# ---------------------------------------------------------------- lines of therapy

@pytest.mark.parametrize(
    "text,lines",
    [
        ("As second line he received R-GemOx", 2),
        ("1st line: FOLFOX. 2nd line: FOLFIRI since January", 2),
        ("third-line chemotherapy", 3),
        ("after two lines of chemotherapy", 2),
        ("પછી બીજી લાઇનમાં GDP કીમો આપી", 2),
        ("दूसरी लाइन की कीमो", 2),
        ("ikinci basamak tedavi", 2),
        ("вторая линия химиотерапии", 2),
        ("二线治疗", 2),
        ("deuxième ligne de chimiothérapie", 2),
    ],
)
def test_lines_of_therapy(text: str, lines: int) -> None:
    assert facts_of(text).get("history.lines_of_therapy") == lines


# ---------------------------------------------------------------- disease status

STATUSES = [
    ("she was diagnosed with breast cancer three weeks ago", "newly_diagnosed"),
    ("recently diagnosed with pancreatic cancer", "newly_diagnosed"),
    ("She is currently receiving chemotherapy", "on_treatment"),
    ("started chemotherapy (VAC) in September, 4 cycles so far", "on_treatment"),
    ("taking imatinib 400mg every day since August 2026", "on_treatment"),
    ("the lymphoma has relapsed again", "relapsed"),
    ("his lymphoma has come back again", "relapsed"),
    ("complete remission in 2024, then it relapsed in 2026", "relapsed"),
    ("Papa ka cancer ab 2026 me wapas aa gaya hai", "relapsed"),
    ("छोराको रोग फेरि फर्कियो (relapse)", "relapsed"),
    ("2024 में मायलोमा फिर से लौट आया", "relapsed"),
    ("на МРТ обнаружили рецидив опухоли", "relapsed"),
    ("le cancer a récidivé", "relapsed"),
    ("乳腺癌复发了", "relapsed"),
    ("CT shows progression despite chemo", "progressing"),
    ("the tumour is growing on treatment", "progressing"),
    ("ডাক্তার বলেছেন আম্মুর রোগ বাড়ছে", "progressing"),
    ("بیماری بڑھ رہی ہے (progression)", "progressing"),
    ("refractory lymphoma", "refractory"),
    ("the chemo had no effect", "refractory"),
    ("did not respond to R-CHOP", "refractory"),
    ("બીમારી પર કોઈ અસર ન થઈ", "refractory"),
    ("he is in complete remission", "remission"),
    ("no evidence of disease on the last PET scan", "remission"),
]


@pytest.mark.parametrize("text,status", STATUSES)
def test_disease_status(text: str, status: str) -> None:
    assert facts_of(text).get("history.disease_status") == status
    assert status in VOCABULARY["disease_statuses"]


@pytest.mark.parametrize("text", ["no progression on the last scan", "the cancer has not come back", "it has not relapsed"])
def test_negated_status_words_do_not_count(text: str) -> None:
    assert facts_of(text).get("history.disease_status") not in ("progressing", "relapsed")


def test_results_coming_back_is_not_a_relapse() -> None:
    assert "history.disease_status" not in facts_of("The biopsy results came back yesterday.")


# ---------------------------------------------------------------- inoperable, exhausted, re-irradiation

INOPERABLE = [
    "the surgeon said the tumour is inoperable",
    "The tumour is unresectable because of where it sits",
    "they told us it cannot be operated",
    "uvimbe wa baba hauwezi kufanyiwa upasuaji",
    "ශල්‍ය වෛද්‍යවරු කිව්වා ගෙඩිය සැත්කම් කරන්න බැහැ",
    "医生说无法手术",
    "la tumeur est inopérable",
    "опухоль неоперабельна",
    "ameliyat edilemez dediler",
    "doctor ne kaha operation nahi ho sakta",
    "ڈاکٹر نے کہا آپریشن نہیں ہو سکتا",
]


@pytest.mark.parametrize("text", INOPERABLE)
def test_told_inoperable(text: str) -> None:
    assert facts_of(text).get("history.told_inoperable") is True


def test_operable_is_false_and_transplant_refusal_is_not_inoperable() -> None:
    assert facts_of("The surgeon says the tumour is operable.")["history.told_inoperable"] is False
    assert "history.told_inoperable" not in facts_of("a stem cell transplant cannot be done for him here")


OPTIONS_EXHAUSTED = [
    "the oncologist said there are no other options left",
    "they told us nothing more can be done",
    "اور آنکولوجسٹ نے کہا کہ اب ان کے لیے کوئی اور آپشن نہیں ہے",
    "doctor ne bola koi option nahi hai",
    "врачи сказали, что больше ничего нельзя сделать",
    "医生说没有其他办法了",
    "sabi ng doktor wala nang magagawa",
]


@pytest.mark.parametrize("text", OPTIONS_EXHAUSTED)
def test_options_exhausted(text: str) -> None:
    assert facts_of(text).get("history.options_exhausted") is True


REIRRADIATION = [
    "Papa ka cancer wapas aa gaya hai, usi jagah pe jaha pehle radiation diya tha",
    "Doctors are discussing re-irradiation",
    "doctor said dobara radiation risky hai",
    "the tumour came back in the same area that was treated with radiation",
    "рецидив в том же месте после лучевой терапии",
]


@pytest.mark.parametrize("text", REIRRADIATION)
def test_reirradiation(text: str) -> None:
    assert facts_of(text).get("history.reirradiation") is True


def test_radiation_alone_is_not_reirradiation() -> None:
    assert "history.reirradiation" not in facts_of("He had radiation to the hip in January.")


# ---------------------------------------------------------------- request

REQUESTS = [
    ("What I want is a remote second opinion. Only that, please.", "remote_second_opinion"),
    ("We want an in-person second opinion, not an online one.", "in_person_second_opinion"),
    ("Nous souhaitons précisément une protonthérapie en Europe.", "proton_therapy"),
    ("Is he eligible for CAR-T?", "car_t_eligibility"),
    ("We are looking for a clinical trial for her", "clinical_trial_matching"),
    ("We need translation of the medical records into English", "records_translation"),
    ("Can you check if it can be operated?", "surgical_resectability_review"),
    ("我们想做质子治疗", "proton_therapy"),
    ("हमें क्लिनिकल ट्रायल चाहिए", "clinical_trial_matching"),
    ("Honestly we are not sure what service we need from you", "unsure"),
    ("We dont really know what kind of help we need from you, please advise", "unsure"),
    ("please guide us on the best option for my father", "unsure"),
    ("कृपया आप सलाह दीजिए", "unsure"),
    ("ہمیں سمجھ نہیں آ رہا کہ کون سی سروس لیں، آپ مشورہ دیں۔", "unsure"),
    ("Hatujui ni huduma gani inayomfaa baba, tafadhali mtushauri.", "unsure"),
    ("pakipayuhan po kami kung ano ang pinakamabuti", "unsure"),
    ("Мы не знаем, какая из ваших услуг нам подходит, — посоветуйте, пожалуйста.", "unsure"),
    ("请给我们一些建议", "unsure"),
    ("தயவுசெய்து ஆலோசனை கூறுங்கள்", "unsure"),
    ("කරුණාකරලා උපදෙස් දෙන්න", "unsure"),
    ("कृपया सल्लाह दिनुहोस्", "unsure"),
    ("કૃપા કરીને સલાહ આપો", "unsure"),
    ("আপনারা পরামর্শ দিন", "unsure"),
    ("Hangi hizmetin uygun olduğunu bilmiyoruz, önerinizi bekliyoruz", "unsure"),
    ("نحتاج نصيحتكم، شو تنصحون؟", "unsure"),
    ("Nous ne savons pas quel service choisir, conseillez-nous", "unsure"),
]


@pytest.mark.parametrize("text,service", REQUESTS)
def test_request(text: str, service: str) -> None:
    facts = facts_of(text)
    assert facts.get("request.service") == service
    assert facts["request.text"]
    assert service == "unsure" or service in VOCABULARY["pathways"]


@pytest.mark.parametrize(
    "text",
    [
        "He had CAR-T in 2025 and relapsed.",
        "We already had a second opinion in Delhi.",
        "The doctor recommended surgery.",
        "Please tell us what you need from us.",
    ],
)
def test_mentions_that_are_not_requests(text: str) -> None:
    assert "request.service" not in facts_of(text)


def test_a_named_service_beats_unsure_in_one_message() -> None:
    facts = facts_of("We are not sure, but we would like a second opinion from a specialist.")
    assert facts["request.service"] == "remote_second_opinion"


# ---------------------------------------------------------------- whole messages and location

def test_one_complete_first_message() -> None:
    facts = facts_of(
        "Hello, my mum is 52 and she was diagnosed with breast cancer stage 2 three weeks ago at Aga Khan "
        "Hospital in Nairobi, Kenya. She hasnt started any treatment yet. We are not sure what service we need."
    )
    assert facts["diagnosis.cancer_type"] == "breast"
    assert facts["diagnosis.stage"] == "II"
    assert facts["patient.age"] == 52
    assert facts["patient.relation"] == "parent"
    assert facts["patient.sex"] == "female"
    assert facts["location.country"] == "KE"
    assert facts["location.city"] == "Nairobi"
    assert facts["history.disease_status"] == "newly_diagnosed"
    assert facts["request.service"] == "unsure"


def test_empty_and_trivial_messages() -> None:
    assert extract_facts("") == {}
    assert extract_facts("   ") == {}
    assert not {k for k in extract_facts("yes") if "." in k}


def test_keys_are_case_paths_or_private_hints() -> None:
    facts = facts_of("My father (61) has relapsed DLBCL after R-CHOP, we live in Kumasi, Ghana; please advise.")
    for key in facts:
        section = key.split(".")[0]
        assert key.startswith("_") or section in {"diagnosis", "patient", "history", "location", "request"}


# ---------------------------------------------------------------- merge

def test_a_correction_replaces_the_stage() -> None:
    facts = merge_facts({}, facts_of("follicular lymphoma, Stage 4 daw po"))
    facts = merge_facts(facts, facts_of("Pasensya na po, mali pala. Stage 3 po ang follicular lymphoma, hindi stage 4."))
    assert facts["diagnosis.stage"] == "III"
    facts = merge_facts(facts, facts_of("actually it is stage 2"))
    assert facts["diagnosis.stage"] == "II"


def test_relapse_is_not_downgraded_by_a_weaker_later_message() -> None:
    facts = merge_facts({}, facts_of("her lymphoma relapsed in September"))
    facts = merge_facts(facts, facts_of("her doctors have not started any new treatment yet"))
    assert facts["history.disease_status"] == "relapsed"
    facts = merge_facts(facts, facts_of("she is currently receiving chemotherapy"))
    assert facts["history.disease_status"] == "relapsed"
    facts = merge_facts(facts, facts_of("it is now refractory, no response to the new chemo"))
    assert facts["history.disease_status"] == "refractory"


def test_an_explicit_remission_may_follow_a_relapse() -> None:
    facts = merge_facts({"history.disease_status": "relapsed"}, facts_of("after CAR-T he is now in remission"))
    assert facts["history.disease_status"] == "remission"


def test_newer_status_replaces_a_weaker_older_one() -> None:
    facts = merge_facts({"history.disease_status": "newly_diagnosed"}, facts_of("she started chemotherapy last week"))
    assert facts["history.disease_status"] == "on_treatment"


def test_residence_beats_a_plain_mention_in_either_order() -> None:
    facts = merge_facts({}, facts_of("I'm writing from Manchester about my mum who lives in Lagos, Nigeria."))
    facts = merge_facts(facts, facts_of("We want to bring mum over to London; her doctors in Lagos are waiting."))
    assert (facts["location.country"], facts["location.city"], facts["location.strength"]) == ("NG", "Lagos", 2)
    facts = merge_facts({}, facts_of("She was diagnosed at a hospital in Chennai."))
    assert facts["location.country"] == "IN"
    facts = merge_facts(facts, facts_of("We live in Colombo, Sri Lanka."))
    assert (facts["location.country"], facts["location.city"]) == ("LK", "Colombo")


def test_a_later_country_only_mention_keeps_the_city() -> None:
    facts = merge_facts({}, facts_of("We live in Cebu City."))
    facts = merge_facts(facts, facts_of("Nakatira po kami sa Pilipinas."))
    assert (facts["location.country"], facts["location.city"]) == ("PH", "Cebu")


def test_treatments_accumulate_and_lines_keep_the_maximum() -> None:
    facts = merge_facts({}, facts_of("He had 6 cycles of R-CHOP in 2024, as first line."))
    facts = merge_facts(facts, facts_of("Then second line R-GemOx. He had R-CHOP before that."))
    details = [t["detail"] for t in facts["history.treatments"]]
    assert details.count("R-CHOP") == 1 and "R-GemOx" in details
    assert facts["history.lines_of_therapy"] == 2
    facts = merge_facts(facts, facts_of("it was first line treatment"))
    assert facts["history.lines_of_therapy"] == 2


def test_booleans_stay_true_unless_negated() -> None:
    facts = merge_facts({}, facts_of("The tumour is inoperable and nothing more can be done."))
    facts = merge_facts(facts, facts_of("We live in Lusaka."))
    assert facts["history.told_inoperable"] is True and facts["history.options_exhausted"] is True
    facts = merge_facts(facts, {"history.told_inoperable": False})
    assert facts["history.told_inoperable"] is False


def test_a_named_service_beats_unsure_across_messages() -> None:
    facts = merge_facts({}, facts_of("We want a remote second opinion."))
    facts = merge_facts(facts, facts_of("We are not sure what else you offer, please advise."))
    assert facts["request.service"] == "remote_second_opinion"
    facts = merge_facts({}, facts_of("not sure which service, please advise"))
    facts = merge_facts(facts, facts_of("Actually we would like proton therapy."))
    assert facts["request.service"] == "proton_therapy"


def test_a_specific_cancer_type_is_not_replaced_by_a_family_name() -> None:
    facts = merge_facts({}, facts_of("ابني عنده لوكيميا ALL نوع B-cell"))
    facts = merge_facts(facts, facts_of("ابني تشخص باللوكيميا في شهر آذار ٢٠٢٦"))
    assert facts["diagnosis.cancer_type"] == "b_all"
    facts = merge_facts({}, facts_of("he has lymphoma"))
    assert facts["diagnosis.cancer_type"] == "other"
    facts = merge_facts(facts, facts_of("the biopsy says DLBCL"))
    assert facts["diagnosis.cancer_type"] == "large_b_cell_lymphoma"


def test_a_relatives_illness_in_a_later_message_does_not_replace_the_patients() -> None:
    facts = merge_facts({}, facts_of("My mother (62) has ovarian cancer, stage 3."))
    facts = merge_facts(facts, facts_of("Her sister also had breast cancer at 45."))
    assert facts["diagnosis.cancer_type"] == "ovarian"
    assert facts["patient.relation"] == "parent"
    assert facts["patient.age"] == 62
    facts = merge_facts(facts, facts_of("Sorry, I made a mistake: it is endometrial cancer, not ovarian."))
    assert facts["diagnosis.cancer_type"] == "endometrial"


def test_merge_keeps_unknown_keys_and_does_not_mutate_inputs() -> None:
    old = {"history.answer": "some pills", "diagnosis.cancer_type": "breast"}
    new = {"location.answer": "a village near the lake", "location.city": "a village near the lake"}
    merged = merge_facts(old, new)
    assert merged["history.answer"] == "some pills" and merged["location.answer"] == "a village near the lake"
    assert old == {"history.answer": "some pills", "diagnosis.cancer_type": "breast"}
    assert merge_facts({}, {}) == {}


# ---------------------------------------------------------------- short answers, language hints, robustness

@pytest.mark.parametrize(
    "text,key,value",
    [
        ("breast", "diagnosis.cancer_type", "breast"),
        ("Lung cancer", "diagnosis.cancer_type", "lung_nsclc"),
        ("second opinion", "request.service", "remote_second_opinion"),
        ("proton therapy", "request.service", "proton_therapy"),
        ("no treatment", "history.no_treatment_yet", True),
        ("none so far", "history.no_treatment_yet", True),
        ("stage 2", "diagnosis.stage", "II"),
        ("She is 52", "patient.age", 52),
        ("Nairobi", "location.country", "KE"),
        ("ঢাকা", "location.country", "BD"),
    ],
)
def test_bare_answers_to_a_question(text: str, key: str, value: object) -> None:
    assert facts_of(text).get(key) == value


@pytest.mark.parametrize("text", ["No", "yes", "Not sure", "52", "ok thank you"])
def test_bare_words_that_answer_nothing_on_their_own(text: str) -> None:
    assert not {k for k in facts_of(text) if k.startswith(("history.", "request.", "diagnosis."))}


def test_language_gated_words() -> None:
    assert facts_of("Ang ama ko ay may kanser sa baga", "tl")["patient.relation"] == "parent"
    assert "patient.relation" not in facts_of("kanser sa baga ama", None)


def test_a_past_cancer_yields_to_the_current_one() -> None:
    assert facts_of("My mother had breast cancer 10 years ago. Now she has been diagnosed with pancreatic cancer.")["diagnosis.cancer_type"] == "pancreatic"
    assert facts_of("Hodgkin lymphoma survivor here, now I have breast cancer at 38.")["diagnosis.cancer_type"] == "breast"


def test_infant_ages_in_months() -> None:
    facts = facts_of("My baby girl is 18 months old and has retinoblastoma in both eyes.")
    assert (facts["patient.age"], facts["patient.sex"], facts["diagnosis.cancer_type"]) == (1, "female", "retinoblastoma")


def test_shouting_is_not_acute_lymphoblastic_leukaemia() -> None:
    assert facts_of("WE TRIED ALL TREATMENTS, MY SON HAS LEUKEMIA")["diagnosis.cancer_type"] == "other"
    assert facts_of("My son has ALL and he is 12")["diagnosis.cancer_type"] == "b_all"


def test_questions_are_not_facts() -> None:
    facts = facts_of("We want to know if surgery is possible. Is CAR-T or a transplant possible?")
    assert "history.told_inoperable" not in facts
    assert "history.treatments" not in facts
    assert facts["request.service"] in ("surgical_resectability_review", "car_t_eligibility")


def test_hinglish_cervix_is_not_the_uterus() -> None:
    assert facts_of("meri mummy ko bachedani ke muh ka cancer hai")["diagnosis.cancer_type"] == "cervical"
    assert facts_of("mummy ko bachedani ka cancer hai")["diagnosis.cancer_type"] == "endometrial"


def test_arabic_short_roots_do_not_match_longer_words() -> None:
    assert facts_of("أبي مريض بسرطان الرئة")["diagnosis.cancer_type"] == "lung_nsclc"
    assert "diagnosis.cancer_type" not in facts_of("الله يرحمه، كان مريض")


VALID = {
    "diagnosis.cancer_type": set(VOCABULARY["cancer_types"]),
    "diagnosis.stage": {"0", "I", "II", "III", "IV", "limited", "extensive"},
    "patient.relation": set(VOCABULARY["patient_relations"]),
    "patient.sex": {"female", "male"},
    "history.disease_status": set(VOCABULARY["disease_statuses"]),
    "request.service": set(VOCABULARY["pathways"]) | {"unsure"},
}


def _assert_valid(facts: dict) -> None:
    for key, allowed in VALID.items():
        if key in facts:
            assert facts[key] in allowed, (key, facts[key])
    if "patient.age" in facts:
        assert isinstance(facts["patient.age"], int) and 0 <= facts["patient.age"] <= 120
    if "location.country" in facts:
        assert len(facts["location.country"]) == 2 and facts["location.country"].isupper()
        assert facts["location.strength"] in (1, 2)
    for item in facts.get("history.treatments", []):
        assert item["type"] in VOCABULARY["treatment_types"]
    if "history.lines_of_therapy" in facts:
        assert isinstance(facts["history.lines_of_therapy"], int) and facts["history.lines_of_therapy"] > 0


@pytest.mark.parametrize("row", CANCER_TYPES + STAGES + AGES + STATUSES + REQUESTS, ids=str)
def test_every_table_sentence_gives_contract_values(row: tuple) -> None:
    _assert_valid(facts_of(row[0]))


_WORDS = st.sampled_from(
    [s for s, *_ in CANCER_TYPES[::3] + STAGES[::3] + AGES[::3] + STATUSES[::3]]
    + ["stage", "4", "٧", "relapsed", "not", "we live in", "Kenya", "mum", "?", ",", "\n", "ALL", "وال", "में", "சென்னை"]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_WORDS, st.text(max_size=12)), max_size=8))
def test_any_text_gives_contract_values_and_merges(parts: list[str]) -> None:
    text = " ".join(parts)
    facts = extract_facts(text)
    _assert_valid(facts)
    merged = merge_facts(merge_facts({}, facts), facts)
    _assert_valid(merged)
    assert merge_facts(merged, {}) == merged


def test_a_service_read_about_but_doubted_is_not_yet_a_wish() -> None:
    text = ("We have read that protons may be gentler for a child's brain but honestly we don't know "
            "which of your services is the right one - please tell us what you recommend.")
    assert facts_of(text)["request.service"] == "unsure"


def test_we_do_not_know_what_to_do_is_not_yet_an_answer_to_the_service_menu() -> None:
    """A family's distress in a story ("समझ नहीं आ रहा क्या करें") leaves the menu to be asked."""
    assert "request.service" not in facts_of("हम बहुत परेशान हैं, समझ नहीं आ रहा क्या करें।", "hi")
    assert facts_of("हमें समझ नहीं आ रहा कि पिताजी के लिए कौन सी सेवा सही रहेगी", "hi")["request.service"] == "unsure"


def _fact(text: str, language: str, key: str):
    return extract_facts(text, language).get(key)


# ---------------------------------------------------------------- words that look negative but are not

@pytest.mark.parametrize(
    ("text", "language", "key", "value"),
    [
        # Arabic "ما زال / لا يزال" is "still", not a negation of what follows
        ("أخذت ثلاث جرعات كيماوي وما زالت تتعالج.", "ar", "history.disease_status", "on_treatment"),
        ("والدي ما زال يأخذ العلاج الكيماوي", "ar", "history.disease_status", "on_treatment"),
        ("ابني لا يزال يتلقى العلاج الكيماوي", "ar", "history.disease_status", "on_treatment"),
        # Chinese A-not-A questions ("is there a trial") are not negations
        ("我们想了解有没有适合父亲的临床试验，希望你们能帮忙匹配。", "zh", "request.service", "clinical_trial_matching"),
        ("想问一下有没有适合的临床试验？", "zh", "request.service", "clinical_trial_matching"),
    ],
)
def test_not_negators(text: str, language: str, key: str, value: str) -> None:
    assert _fact(text, language, key) == value


@pytest.mark.parametrize(
    ("text", "language", "key"),
    [
        ("لم يأخذ العلاج الكيماوي", "ar", "history.treatments"),  # a real negation still negates
        ("他没有做化疗", "zh", "history.treatments"),
        ("我们不想要临床试验", "zh", "request.service"),
    ],
)
def test_real_negations_still_count(text: str, language: str, key: str) -> None:
    assert _fact(text, language, key) in (None, [])


# Issue 16: a correction replaces a field; what it takes back ("not 74") is not read.
@pytest.mark.parametrize(("text", "language", "path", "value"), [
    ("she is 47 not 74", "en", "patient.age", 47),
    ("not stomach, the oesophagus", "en", "diagnosis.cancer_type", "oesophageal"),
    ("pas à Lyon mais à Marseille", "fr", "location.city", "Marseille"),
    ("ليس سرطان المعدة، سرطان المريء", "ar", "diagnosis.cancer_type", "oesophageal"),
    ("it is not in Karachi, it is Lahore", "en", "location.city", "Lahore"),
])
def test_a_correction_without_what_it_takes_back(text: str, language: str, path: str, value: object) -> None:
    from dialogs.understanding.facts.negation import drop_negated

    assert extract_facts(drop_negated(text, language), language).get(path) == value


def test_a_correction_moves_where_the_patient_lives_even_from_a_stronger_place() -> None:
    before = merge_facts({}, extract_facts("my mother lives in Karachi", "en"))
    after = merge_facts(before, {**extract_facts("I meant Lahore", "en"), "_correction": True})
    assert (after["location.country"], after["location.city"]) == ("PK", "Lahore")
