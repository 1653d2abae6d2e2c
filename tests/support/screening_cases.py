"""The screening rule tables shared by the engine's tests and the API's: each rule with answers
that fire it (and its outcome), and answers that keep it quiet, on the day ON."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from needlepoint.intake.answers import NEVER
from needlepoint.intake.rules import Outcome

ON = date(2025, 6, 15)


def ago(days: int) -> date:
    return ON - timedelta(days=days)


def years_ago(years: int) -> date:
    return ON.replace(year=ON.year - years)


# ------------------------------------------------------------------ every rule fires…

FIRES: list[tuple[str, dict[str, Any], Outcome]] = [
    ("MN01", {"active_infection_in_area": True}, Outcome.BLOCK_UNTIL),
    ("MN02", {"active_acne_in_area": True}, Outcome.BLOCK_UNTIL),
    ("MN03", {"open_wounds_or_sunburn_in_area": True}, Outcome.BLOCK_UNTIL),
    ("MN04", {"last_tanning_or_sunburn": ago(3)}, Outcome.CAUTION),
    ("MN05", {"suspicious_lesion_in_area": True}, Outcome.REVIEW),
    ("MN06", {"pregnant_or_breastfeeding": True}, Outcome.BLOCK),
    ("MN07", {"bleeding_disorder": True}, Outcome.BLOCK),
    ("MN08", {"anticoagulant_or_antiplatelet": True}, Outcome.REVIEW),
    ("MN09", {"isotretinoin_current": True}, Outcome.BLOCK),
    ("MN10", {"isotretinoin_last_dose": ago(90)}, Outcome.REVIEW),
    ("MN11", {"metal_allergy": True}, Outcome.BLOCK),
    ("MN11", {"anesthetic_allergy": True}, Outcome.BLOCK),
    ("MN12", {"keloid_history": True}, Outcome.REVIEW),
    ("MN13", {"herpes_labialis_history": True}, Outcome.REVIEW),
    ("MN14", {"active_dermatitis_in_area": True}, Outcome.BLOCK_UNTIL),
    ("MN15", {"autoimmune_or_immunosuppressed": True}, Outcome.REVIEW),
    ("MN16", {"radiation_to_area": "ongoing"}, Outcome.BLOCK),
    ("MN16", {"radiation_to_area": "past", "radiation_last_date": ago(30)}, Outcome.REVIEW),
    ("MN17", {"diabetes": "uncontrolled"}, Outcome.REVIEW),
    ("MN17", {"diabetes": "controlled"}, Outcome.CAUTION),
    ("MN18", {"last_retinoid_or_acid_use": ago(1)}, Outcome.CAUTION),
    ("MN19", {"last_peel_or_laser_in_area": ago(10)}, Outcome.BLOCK_UNTIL),
    ("MN20", {"last_toxin_or_filler_in_area": ago(7)}, Outcome.CAUTION),
    ("MN21", {"last_surgery_in_area": ago(60)}, Outcome.REVIEW),
    ("MN22", {"tattoo_or_pmu_in_area": True}, Outcome.BLOCK),
    ("MN23", {"date_of_birth": years_ago(20)}, Outcome.REVIEW),
    ("MN23", {"date_of_birth": years_ago(16)}, Outcome.REVIEW),
    ("MN24", {"bloodborne_infection": True}, Outcome.REVIEW),
    ("MN25", {"cardiac_disease": True}, Outcome.REVIEW),
    ("MN26", {"fitzpatrick_type": 4}, Outcome.CAUTION),
    ("MN26", {"pih_or_melasma_history": True}, Outcome.CAUTION),
    ("MN27", {"topical_product_not_for_intradermal_use": True}, Outcome.REVIEW),
    ("MN28", {"last_nsaid_or_aspirin": ago(3)}, Outcome.CAUTION),
    ("PRP01", {"platelet_dysfunction": True}, Outcome.BLOCK),
    ("PRP02", {"critical_thrombocytopenia": True}, Outcome.BLOCK),
    ("PRP03", {"platelet_count_per_ul": 99_999}, Outcome.REVIEW),
    ("PRP04", {"hemodynamic_instability_or_sepsis": True}, Outcome.BLOCK),
    ("PRP05", {"active_infection_in_area": True}, Outcome.BLOCK_UNTIL),
    ("PRP06", {"recent_fever_or_illness": True}, Outcome.REVIEW),
    ("PRP07", {"hemoglobin_g_dl": 9.9}, Outcome.REVIEW),
    ("PRP08", {"cancer_history": True}, Outcome.REVIEW),
    ("PRP09", {"last_nsaid_or_aspirin": ago(1)}, Outcome.REVIEW),
    ("PRP10", {"last_steroid_injection_at_site": ago(20)}, Outcome.REVIEW),
    ("PRP10", {"last_systemic_steroid": ago(7)}, Outcome.REVIEW),
    ("PRP11", {"tobacco_use": True}, Outcome.CAUTION),
    ("PRP12", {"accepts_prp_risks": False}, Outcome.BLOCK),
    ("PRP13", {"fainting_with_blood_draw": True}, Outcome.CAUTION),
    ("FST1", {"fitzpatrick_type": 4}, Outcome.CAUTION),
    ("FST1", {"pih_or_melasma_history": True}, Outcome.CAUTION),
    ("FST2", {"fitzpatrick_type": 1}, Outcome.REVIEW),
    ("FST2", {"fitzpatrick_type": 5}, Outcome.REVIEW),
    ("FST3", {"fitzpatrick_type": 4}, Outcome.REVIEW),
    ("FST4", {"fitzpatrick_type": 6}, Outcome.CAUTION),
]

# ------------------------------------------------------------------ …and stays quiet

QUIET: list[tuple[str, dict[str, Any]]] = [
    ("MN01", {"active_infection_in_area": False}),
    ("MN02", {"active_acne_in_area": False}),
    ("MN03", {"open_wounds_or_sunburn_in_area": False}),
    ("MN04", {"last_tanning_or_sunburn": ago(30)}),
    ("MN05", {"suspicious_lesion_in_area": False}),
    ("MN06", {"pregnant_or_breastfeeding": False}),
    ("MN07", {"bleeding_disorder": False}),
    ("MN08", {"anticoagulant_or_antiplatelet": False}),
    ("MN09", {"isotretinoin_current": False}),
    ("MN10", {"isotretinoin_last_dose": NEVER}),
    ("MN10", {"isotretinoin_last_dose": ago(365)}),
    ("MN11", {"metal_allergy": False, "anesthetic_allergy": False}),
    ("MN12", {"keloid_history": False}),
    ("MN13", {"herpes_labialis_history": False}),
    ("MN14", {"active_dermatitis_in_area": False}),
    ("MN15", {"autoimmune_or_immunosuppressed": False}),
    ("MN16", {"radiation_to_area": "none", "radiation_last_date": None}),
    ("MN16", {"radiation_to_area": "past", "radiation_last_date": ago(200)}),
    ("MN17", {"diabetes": "none"}),
    ("MN18", {"last_retinoid_or_acid_use": ago(10)}),
    ("MN19", {"last_peel_or_laser_in_area": ago(45)}),
    ("MN20", {"last_toxin_or_filler_in_area": NEVER}),
    ("MN21", {"last_surgery_in_area": ago(400)}),
    ("MN22", {"tattoo_or_pmu_in_area": False}),
    ("MN23", {"date_of_birth": years_ago(22)}),
    ("MN24", {"bloodborne_infection": False}),
    ("MN25", {"cardiac_disease": False}),
    ("MN26", {"fitzpatrick_type": 3, "pih_or_melasma_history": False}),
    ("MN27", {"topical_product_not_for_intradermal_use": False}),
    ("MN28", {"last_nsaid_or_aspirin": ago(5)}),
    ("PRP01", {"platelet_dysfunction": False}),
    ("PRP02", {"critical_thrombocytopenia": False}),
    ("PRP03", {"platelet_count_per_ul": 100_000}),
    ("PRP04", {"hemodynamic_instability_or_sepsis": False}),
    ("PRP05", {"active_infection_in_area": False}),
    ("PRP06", {"recent_fever_or_illness": False}),
    ("PRP07", {"hemoglobin_g_dl": 10}),
    ("PRP08", {"cancer_history": False}),
    ("PRP09", {"last_nsaid_or_aspirin": ago(2)}),
    ("PRP10", {"last_steroid_injection_at_site": ago(31), "last_systemic_steroid": ago(14)}),
    ("PRP11", {"tobacco_use": False}),
    ("PRP12", {"accepts_prp_risks": True}),
    ("PRP13", {"fainting_with_blood_draw": False}),
    ("FST1", {"fitzpatrick_type": 3, "pih_or_melasma_history": False}),
    ("FST2", {"fitzpatrick_type": 3}),
    ("FST3", {"fitzpatrick_type": 3}),
    ("FST4", {"fitzpatrick_type": 4}),
]
