"""The form's codes in the Hub Santé code lists (SAMU-Hub `nomenclature/`, Apache-2.0), label included.

Each table maps a Greffier code (`catalogue.SCHEMA`) to the Hub code and its label as the code list
writes it (the deepest level's label); `tests/test_calls_rs_eda.py` checks every pair against the CSVs.
"""

from __future__ import annotations

# HubSante.fait.csv
WHATS_HAPPEN: dict[str, tuple[str, str]] = {
    "road_accident": ("C01.01.00", "Accident routier"),
    "fall": ("C02.11.00", "Chute"),
    "assault": ("C02.15.00", "Agression ou violence"),
    "burn": ("C02.07.00", "Personne exposée (à)"),
    "poisoning": ("C02.07.00", "Personne exposée (à)"),
    "fire": ("C04.02.00", "Incendie d'un bâtiment / local"),
    "childbirth": ("C02.05.02", "Obstétrique"),
    "collapse": ("C02.05.01", "Médicale"),
    "illness": ("C02.05.01", "Médicale"),
    "behaviour": ("C02.05.03", "Psychiatrique"),
    "hanging": ("C02.13.00", "Tentative de suicide avec risque imminent"),
    "drowning": ("C02.10.00", "Noyade"),
    "no_news": ("C02.16.00", "Autre atteinte aux personnes"),
}

# HubSante.motif.csv
HEALTH_MOTIVE: dict[str, tuple[str, str]] = {
    "cardiac_arrest": ("M01.01", "Suspicion d’arrêt cardiaque, mort subite"),
    "altered_consciousness": ("M01.02", "Altération de la conscience"),
    "breathing_difficulty": ("M01.03", "Détresse respiratoire"),
    "chest_pain": ("M03.06", "Douleur thoracique"),
    "neuro_deficit": ("M03.08", "Signes d’AVC"),
    "haemorrhage": ("M03.19", "Hémorragie sévère"),
    "wound": ("M02.07", "Traumatisme sérieux, plaie intermédiaire"),
    "trauma": ("M02.07", "Traumatisme sérieux, plaie intermédiaire"),
    "burn": ("M02.04", "Brûlure grave"),
    "poisoning": ("M04.02", "Intoxication involontaire ou accidentelle à des produits toxiques"),
    "obstetric": ("M03.01", "Accouchement imminent ou en cours"),
    "abdominal_pain": ("M03.20", "Douleur abdominale isolée"),
    "seizure": ("M03.07", "Problème neurologique hors AVC, épilepsie"),
    "fever": ("M03.14", "Fièvre, problème infectieux"),
    "psychiatric": ("M03.16", "Problème psychiatrique"),
    "vertigo": ("M03.09", "Malaise sans perte de connaissance initiale"),
    "malaise": ("M03.09", "Malaise sans perte de connaissance initiale"),
}

# HubSante.lieu.csv
LOCATION_KIND: dict[str, tuple[str, str]] = {
    "home": ("L01.00.00", "Domicile"),
    "street": ("L02.01.00", "Voie publique hors voie rapide"),
    "public_place": ("L04.00.00", "Lieu accueillant du public"),
    "workplace": ("L03.00.00", "Local d’activité professionnelle"),
}

# HubSante.risque.csv
RISK: dict[str, tuple[str, str]] = {
    "weapon": ("R04", "Présence d’individu(s) muni(s) d’une arme blanche"),
    "violence": ("R03", "Présence d’individu(s) ou public menaçant"),
    "fire": ("R14", "Risque lié à l'incendie"),
    "smoke": ("R12", "Présence de matière chimique"),
    "traffic": ("R22", "Gêne à la circulation"),
    "contagion": ("R35", "Patient/Victime contagieux"),
    "alone": ("R34", "Patient/Victime vulnérable"),
    "care_refusal": ("R37", "Situation instable/indéterminée"),
    "suicide": ("R37", "Situation instable/indéterminée"),
}

# HubSante.typeAppelant.csv and HubSante.communication.csv (codes only in the message)
CALLER_TYPE = {
    "patient": "SUJET",
    "family": "FAMILLE",
    "acquaintance": "FAMILLE",
    "bystander": "TIERS",
    "professional": "SANTE",
}
COMMUNICATION = {
    "panic": "PANIQUE",
    "hostile": "HOSTILE",
    "confused": "AGITE",
    "language": "LANGUE",
    "hearing": "MUET",
}
TABLES = {
    "HubSante.fait.csv": WHATS_HAPPEN,
    "HubSante.motif.csv": HEALTH_MOTIVE,
    "HubSante.lieu.csv": LOCATION_KIND,
    "HubSante.risque.csv": RISK,
}
