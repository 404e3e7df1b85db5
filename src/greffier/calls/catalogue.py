"""The fields of the emergency-call case form, after the French SAMU national case model (RS-EDA, Hub Santé).

`SCHEMA` lists every field (`FieldSpec`: key, French label, list or single value, allowed codes with
their labels); `PRIORITIES` and `CARE_LEVELS` name the suggested priority (P0–P3) and care level
(R1–R4); `label` gives the French label of a value.
"""

from __future__ import annotations

from dataclasses import dataclass

from greffier.calls.numbers import format_phone

Scalar = str | int

DISCLAIMER = (
    "Priorité et niveau de soins suggérés à partir des propos de l'appel : le médecin régulateur décide."
)


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    multiple: bool = False
    choices: dict[str, str] | None = None
    """Allowed codes and their French labels; None for free values."""


RELATIONS = {
    "self": "lui-même / elle-même",
    "mother": "mère",
    "father": "père",
    "son": "fils",
    "daughter": "fille",
    "child": "enfant",
    "brother": "frère",
    "sister": "sœur",
    "grandmother": "grand-mère",
    "grandfather": "grand-père",
    "grandchild": "petit-enfant",
    "wife": "épouse",
    "husband": "mari",
    "partner": "conjoint(e)",
    "uncle": "oncle",
    "aunt": "tante",
    "cousin": "cousin(e)",
    "relative": "famille",
    "neighbour": "voisin(e)",
    "colleague": "collègue",
    "friend": "ami(e)",
    "employer": "employeur",
    "patient_of": "patient(e) suivi(e)",
    "stranger": "inconnu(e)",
}

SCHEMA: tuple[FieldSpec, ...] = (
    FieldSpec(
        "caller.type",
        "Type d'appelant",
        choices={
            "patient": "le patient lui-même",
            "family": "famille",
            "acquaintance": "proche (voisin, collègue, ami)",
            "bystander": "témoin / tiers",
            "professional": "professionnel (santé, secours, social)",
        },
    ),
    FieldSpec("caller.relation", "Le patient est, pour l'appelant", choices=RELATIONS),
    FieldSpec("caller.callback_number", "Numéro de rappel"),
    FieldSpec("caller.language", "Langue de l'appelant"),
    FieldSpec(
        "caller.communication",
        "Difficulté de communication",
        choices={
            "panic": "panique / angoisse",
            "hostile": "agressivité / hostilité",
            "confused": "incompréhension",
            "language": "barrière de la langue",
            "hearing": "surdité / malentendance",
        },
    ),
    FieldSpec("location.address", "Adresse"),
    FieldSpec("location.city", "Commune"),
    FieldSpec("location.floor", "Étage"),
    FieldSpec("location.door_code", "Code d'accès"),
    FieldSpec("location.intercom", "Interphone"),
    FieldSpec("location.access", "Accès", multiple=True),
    FieldSpec(
        "location.kind",
        "Type de lieu",
        choices={
            "home": "domicile",
            "street": "voie publique",
            "public_place": "lieu public",
            "workplace": "lieu de travail",
        },
    ),
    FieldSpec(
        "what_happened",
        "Ce qui s'est passé",
        choices={
            "road_accident": "accident de la circulation",
            "fall": "chute",
            "assault": "agression / violence",
            "burn": "brûlure",
            "poisoning": "intoxication",
            "fire": "incendie",
            "childbirth": "accouchement",
            "collapse": "malaise / perte de connaissance",
            "illness": "problème de santé (douleur, fièvre…)",
            "behaviour": "trouble du comportement",
            "hanging": "pendaison",
            "drowning": "noyade",
            "no_news": "personne injoignable",
        },
    ),
    FieldSpec(
        "health_motive",
        "Motif de recours",
        choices={
            "cardiac_arrest": "arrêt cardio-respiratoire",
            "altered_consciousness": "trouble de la conscience",
            "breathing_difficulty": "détresse respiratoire",
            "chest_pain": "douleur thoracique",
            "neuro_deficit": "déficit neurologique (AVC ?)",
            "haemorrhage": "hémorragie",
            "wound": "plaie",
            "trauma": "traumatisme",
            "burn": "brûlure",
            "poisoning": "intoxication",
            "obstetric": "obstétrique",
            "abdominal_pain": "douleur abdominale",
            "seizure": "convulsions",
            "fever": "fièvre / infection",
            "psychiatric": "trouble psychiatrique",
            "vertigo": "vertiges",
            "malaise": "malaise",
        },
    ),
    FieldSpec("patient.age", "Âge (ISO 8601 : P32Y, P9M)"),
    FieldSpec("patient.sex", "Sexe", choices={"F": "féminin", "M": "masculin"}),
    FieldSpec("patient.weight", "Poids (kg)"),
    FieldSpec("patient.history", "Antécédents", multiple=True),
    FieldSpec("patient.treatments", "Traitements", multiple=True),
    FieldSpec(
        "vitals.consciousness",
        "Conscience",
        choices={"conscious": "consciente", "altered": "altérée (répond mal)", "unconscious": "inconsciente"},
    ),
    FieldSpec(
        "vitals.breathing",
        "Respiration",
        choices={"normal": "normale", "difficult": "difficile", "absent": "absente"},
    ),
    FieldSpec(
        "vitals.bleeding",
        "Saignement",
        choices={"none": "aucun", "minor": "faible / contrôlé", "heavy": "abondant"},
    ),
    FieldSpec(
        "vitals.pain",
        "Douleur (siège)",
        multiple=True,
        choices={
            "chest": "thorax",
            "abdomen": "ventre",
            "head": "tête",
            "back": "dos",
            "arm": "bras",
            "leg": "jambe",
            "throat": "gorge",
            "neck": "cou / nuque",
            "jaw": "mâchoire",
            "hand": "main",
            "foot": "pied",
        },
    ),
    FieldSpec("vitals.pain_score", "Intensité de la douleur (/10)"),
    FieldSpec(
        "red_flags",
        "Signes de gravité",
        multiple=True,
        choices={
            "unconscious": "inconscient / ne répond pas",
            "not_breathing": "ne respire pas",
            "breathing_difficulty": "détresse respiratoire",
            "heavy_bleeding": "hémorragie importante",
            "chest_pain": "douleur thoracique",
            "stroke_signs": "signes d'AVC",
        },
    ),
    FieldSpec(
        "risks",
        "Risques",
        multiple=True,
        choices={
            "weapon": "arme",
            "violence": "violence",
            "fire": "incendie",
            "smoke": "fumées / gaz",
            "traffic": "circulation",
            "contagion": "contagion",
            "alone": "personne seule",
            "care_refusal": "refus de soins",
            "suicide": "risque suicidaire",
        },
    ),
)
SPECS: dict[str, FieldSpec] = {spec.key: spec for spec in SCHEMA}

PRIORITIES = {
    "P0": "urgence vitale immédiate : engagement réflexe des moyens",
    "P1": "urgence vitale potentielle : régulation médicale immédiate",
    "P2": "urgence sans détresse vitale : prise en charge dans l'heure",
    "P3": "soins non urgents ou conseil",
}
CARE_LEVELS = {
    "R1": "équipe médicale (SMUR)",
    "R2": "transport vers un service d'urgence (secours, ambulance ou moyen personnel)",
    "R3": "consultation médicale non programmée (médecin traitant, SOS Médecins, maison médicale)",
    "R4": "conseil médical, pas de moyen engagé",
}


def label(key: str, value: Scalar | None) -> str:
    """The French label of a coded value (the value itself for free fields)."""
    if value is None:
        return "—"
    if key == "patient.age" and isinstance(value, str) and value[1:-1].isdigit():
        unit = {"Y": "ans", "M": "mois", "W": "semaines", "D": "jours"}.get(value[-1], value[-1])
        return f"{value[1:-1]} {unit}"
    if key == "caller.callback_number" and isinstance(value, str) and value.isdigit():
        return format_phone(value)
    choices = SPECS[key].choices
    return choices.get(str(value), str(value)) if choices else str(value)
