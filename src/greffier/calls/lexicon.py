"""What the rules look for: French patterns for each form field, written for transcribed speech.

Patterns run on a cleaned clause (lower case, fillers and stutters removed, numbers as digits; see
`rules.clean`). Each `Pattern` names the field, the value it gives, how it is used:

- `about`: "patient" facts are dropped when they are about the caller instead ("moi j'ai fait un
  infarctus" from a daughter calling for her mother); "scene" facts (risks, place) are kept.
- `negatable`: a negation before the match ("il a pas de diabète") cancels it. Patterns that carry
  their own polarity ("ne respire plus") are not negatable.
- `weight`: for category fields (what happened, motive, place, communication) the value with the
  highest summed weight wins; the opening of the call counts double (`rules.OPENING_SEGMENTS`).
- `flag`: a red flag raised with the value.
- `caller_only` / `regulator_ok`: who may state it (treatments are never taken from the
  regulator's advice, "donnez-lui un Doliprane").

One file past ~400 lines: it is a catalogue (patterns and word lists, no logic), read field by field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Pattern:
    key: str
    value: str | None
    """The code it states; None for a pattern only asked about ('il saigne ?'), read for its `if_no`."""
    regex: re.Pattern[str]
    about: str = "patient"
    negatable: bool = True
    weight: float = 1.0
    flag: str | None = None
    caller_only: bool = False
    regulator_ok: bool = True
    exclude: re.Pattern[str] | None = None
    """A clause matching this is not a statement of the value (e.g. a past AVC is history, not a sign)."""
    if_no: tuple[tuple[str, str], ...] = field(default=())
    """For a regulator's yes/no question matching this pattern: the (key, value) facts a 'non' gives."""
    weak: bool = False
    """A weak reading ('il respire') never replaces a more serious one ('il respire difficilement')."""


def _p(key: str, value: str | None, regex: str, **kw: object) -> Pattern:
    exclude = kw.pop("exclude", None)
    return Pattern(key, value, re.compile(regex), exclude=re.compile(exclude) if exclude else None, **kw)  # type: ignore[arg-type]


# -- vital signs and red flags ----------------------------------------------------------------------------------

_UNRESPONSIVE = (
    r"(?:ne |n')?(?:répond|réponds|réagit|réagis) (?:plus|pas)(?! au téléphone)(?! à mes appels)(?! à la porte)"
    r"|(?:ne )?se réveille (?:pas|plus)|(?:n')?ouvre pas les yeux"
)
VITALS: tuple[Pattern, ...] = (
    _p(
        "vitals.breathing",
        "absent",
        r"(?:ne |n')?respire (?:plus|pas)\b(?! (?:bien|normalement|correctement|très bien|fort))"
        r"|arrêt(?:é)? (?:de respirer|cardiaque|cardio|respiratoire)|(?:pas|plus) de respiration",
        negatable=False,
        flag="not_breathing",
        exclude=r"\bsi ça se trouve\b|peut-être|j'ai peur qu",
    ),
    _p(
        "vitals.breathing",
        "difficult",
        r"respire (?:un peu |très )?(?:mal|difficilement|avec difficulté|pas bien|bizarrement|très vite)"
        r"|(?:du |de )?mal à respirer|difficult\w* (?:à |pour )respirer|difficultés? respiratoires?|essouffl"
        r"|s'étouffe|\bétouffe|manque d'air|souffle court|bout de souffle|(?:lèvres|tout|toute) bleue?s?\b|cyanos",
        flag="breathing_difficulty",
        if_no=(("vitals.breathing", "normal"),),
    ),
    _p("vitals.breathing", "normal", r"respire (?:normalement|bien|correctement)|respiration normale"),
    _p(
        "vitals.breathing",
        "normal",
        r"\b(?:il|elle|ça|bébé|enfant) respire\b(?! (?:pas|plus|mal|difficilement|fort|un peu|très))",
        if_no=(("vitals.breathing", "absent"),),
        weak=True,
    ),
    _p(
        "vitals.consciousness",
        "unconscious",
        r"\binconscient|\b(?:dans le|en) coma\b|perdu connaissance|perd connaissance|perte de connaissance|\bévanoui"
        r"|tombée? dans les pommes",
        flag="unconscious",
        exclude=r"\bsi (?:il|elle)\b|\bs'il\b",
    ),
    _p("vitals.consciousness", "altered", _UNRESPONSIVE, negatable=False, flag="unconscious"),
    _p(
        "vitals.consciousness",
        "altered",
        r"\bgrogne|somnolent|\bconfuse?\b|bouge (?:un peu )?les paupières|on comprend rien à ce qu'(?:il|elle) dit"
        r"|(?:il|elle) (?:me |nous )?parle plus",
    ),
    _p(
        "vitals.consciousness",
        "conscious",
        r"(?<!in)\bconsciente?\b|\b(?:il|elle) (?:me |vous |nous )?(?:parle|répond)\b(?! (?:pas|plus|rien))"
        r"|(?:parle|répond) normalement",
        exclude=r"français|anglais|tamoul|arabe|espagnol|langue",
        if_no=(("vitals.consciousness", "altered"), ("red_flags", "unconscious")),
    ),
    _p(
        "vitals.bleeding",
        "heavy",
        r"saign\w* (?:très |trop )?(?:beaucoup|énormément|abondamment|fort|à flots?|activement|trop)"
        r"|(?:du |de )sang partout|beaucoup de sang|flaque de sang|\bhémorragie|pisse le sang|caillot|gros caillot"
        r"|(?:du )?sang qui (?:coule|gicle|sort)|perd (?:beaucoup )?(?:de )?sang",
        flag="heavy_bleeding",
        if_no=(("vitals.bleeding", "minor"),),
    ),
    _p(
        "vitals.bleeding",
        "minor",
        r"saign\w* (?:un peu|légèrement|pas beaucoup|plus beaucoup)|un peu de sang|(?:ne )?saigne plus\b"
        r"|arrêté de saigner",
    ),
    _p("vitals.bleeding", "none", r"(?:ne )?saigne pas|pas de saignement|pas de sang", negatable=False),
    _p(
        "vitals.bleeding",
        None,
        r"\b(?:il|elle|ça) saigne\b(?! (?:pas|plus))",
        if_no=(("vitals.bleeding", "none"),),
    ),
    _p(
        "red_flags",
        "chest_pain",
        r"(?:douleurs?|mal|serre|oppression|poids) (?:\w+ ){0,2}?(?:à|a|dans|sur|au niveau de) (?:la |sa |ma |votre )?poitrine"
        r"|douleurs? thoraciques?|mal (?:au|dans le) thorax|oppression thoracique",
        exclude=r"\bsi (?:il|elle|vous)\b",
    ),
    _p(
        "red_flags",
        "stroke_signs",
        r"\bavc\b|accident vasculaire|attaque cérébrale|(?:bouche|visage|figure) (?:tordue?|de travers|déformée?|paralysée?)"
        r"|(?:bras|main|jambe|côté)(?: gauche| droite?)? (?:ne )?(?:bouge|répond) (?:plus|pas)|paralys|hémiplég"
        r"|(?:n'arrive|arrive) (?:plus|pas) à (?:parler|bouger)|(?:parle|parole) (?:bizarrement|difficilement|de travers)"
        r"|trouble de la parole|bafouille",
        exclude=r"déjà|en \d{2,4}|il y a \d+|antécédent|\bsi (?:il|elle|vous)\b",
    ),
)

# -- pain sites ----------------------------------------------------------------------------------------------------

PAIN_SITES = {
    "chest": r"poitrine|thorax",
    "abdomen": r"ventre|estomac|abdomen|bas-ventre",
    "head": r"tête|crâne",
    "back": r"dos|lombaires",
    "arm": r"bras|épaule",
    "leg": r"jambes?|genou|cuisse|hanche",
    "throat": r"gorge",
    "neck": r"cou|nuque",
    "jaw": r"mâchoire",
    "hand": r"main|poignet|doigts?",
    "foot": r"pieds?|cheville",
}
PAIN: tuple[Pattern, ...] = tuple(
    _p(
        "vitals.pain",
        site,
        rf"(?:mal|douleurs?|souffre)\s+(?:\w+\s+){{0,3}}?(?:à|a|au|aux|dans|en|au niveau|de)\s+(?:\w+\s+){{0,3}}?(?:{words})\b"
        + (
            r"|douleurs? thoracique"
            if site == "chest"
            else r"|douleurs? abdominale"
            if site == "abdomen"
            else ""
        ),
        exclude=r"\bsi (?:il|elle|vous)\b|ailleurs que",
    )
    for site, words in PAIN_SITES.items()
)
PAIN_SITE_WORDS = {
    site: re.compile(rf"\b(?:au|à la|à l'|aux|dans le|dans la|en|le|la) (?:\w+ )?(?:{w})\b")
    for site, w in PAIN_SITES.items()
}
PAIN_QUESTION = re.compile(r"\bmal\b|douleur")

# -- what happened, motive, place, communication (scored categories) -----------------------------------------------

_ACCIDENT = (
    r"accident (?:de (?:la )?(?:route|voiture|moto|scooter|vélo|circulation))|\bavp\b|scooter|\bmoto\b"
    r"|percuté|renversée? par|s'est pris un (?:camion|bus|car|voiture)|collision|carambolage"
)
_ASSAULT = (
    r"\bfrapp|\btapée?\b|\bbattue?\b|agress|coups? de (?:couteau|poing|pied)|\bdes coups\b|poignard|bagarre"
    r"|\brixe|poussée?\b|tabass|pagaille"
)
_POISONING = (
    r"intoxi|overdose|(?:pris|avalé|prendre|donné) (?:\w+ ){0,2}(?:médicaments|cachets|cachetons|comprimés|pilules)"
    r"|trop de médicaments|beaucoup de médicaments|la dose|monoxyde"
)
_OBSTETRIC = r"accouch|contractions|perte des eaux|poche des eaux|enceinte|grossesse"
_BURNING_PAIN = r"ça (?:vous |lui |me |te )?(?:brûle|pique)|brûlures? d'estomac"
_PSY = (
    r"psychiatr|psychotique|délire|pète un plomb|pète les plombs|schizo|bipolaire|suicid|idées noires|hallucin"
    r"|parle tout seul"
)
WHAT_HAPPENED: tuple[Pattern, ...] = (
    _p("what_happened", "hanging", r"pendu|pendaison", weight=5),
    _p("what_happened", "drowning", r"\bnoy", weight=5),
    _p("what_happened", "fire", r"\bfeu\b(?! rouge)|incendie|flammes|fumée", about="scene", weight=3),
    _p("what_happened", "road_accident", _ACCIDENT, about="scene", weight=3),
    _p("what_happened", "assault", _ASSAULT, weight=3),
    _p("what_happened", "burn", r"brûl", weight=2, exclude=_BURNING_PAIN),
    _p("what_happened", "childbirth", _OBSTETRIC, weight=2),
    _p("what_happened", "poisoning", _POISONING, weight=2),
    _p("what_happened", "fall", r"\btombée?s?\b|\bchute\b|en tombant", weight=1, exclude=r"dans les pommes"),
    _p(
        "what_happened",
        "no_news",
        r"répond(?:ait)? (?:plus|pas) au téléphone|(?:plus|pas) de nouvelles|injoignable|répond(?:ait)? (?:plus|pas) à mes appels",
        weight=3,
        negatable=False,
    ),
    _p("what_happened", "behaviour", _PSY + r"|comportement|agité", weight=1),
    _p(
        "what_happened",
        "collapse",
        r"malaise|" + _UNRESPONSIVE + r"|inconscient|\bcoma\b|évanoui|perdu connaissance"
        r"|s'est effondrée?",
        weight=1,
        negatable=False,
    ),
    _p(
        "what_happened",
        "illness",
        r"mal (?:au|à|a) |douleur|fièvre|tousse|vomi|diarrhée|vertige|(?:se sent|sens) pas bien|du sang",
        weight=0.5,
    ),
)
HEALTH_MOTIVE: tuple[Pattern, ...] = (
    _p(
        "health_motive",
        "cardiac_arrest",
        r"(?:ne |n')?respire (?:plus|pas)\b(?! (?:bien|normalement))|arrêt cardiaque",
        weight=3,
        negatable=False,
        exclude=r"\bsi ça se trouve\b|peut-être|j'ai peur qu",
    ),
    _p(
        "health_motive",
        "altered_consciousness",
        _UNRESPONSIVE + r"|inconscient|\bcoma\b|perdu connaissance",
        weight=2,
        negatable=False,
    ),
    _p(
        "health_motive",
        "breathing_difficulty",
        r"(?:du |de )?mal à respirer|respire (?:un peu )?difficilement"
        r"|s'étouffe|essouffl|détresse respiratoire",
        weight=2,
    ),
    _p("health_motive", "chest_pain", r"poitrine|thoraci", weight=2),
    _p(
        "health_motive",
        "neuro_deficit",
        r"\bavc\b|paralys|bouche de travers|(?:bras|main|jambe) (?:ne )?bouge plus",
        weight=2,
        exclude=r"déjà|en \d{2,4}",
    ),
    _p(
        "health_motive",
        "haemorrhage",
        r"vomi\w* (?:du |de )sang|crach\w* (?:du )?sang|saigne du nez|hémorragie"
        r"|sang partout|beaucoup de sang",
        weight=2,
    ),
    _p(
        "health_motive",
        "wound",
        r"\bplaies?\b|coups? de couteau|poignard|entaille|coupure|\bcoupée?\b",
        weight=1,
    ),
    _p(
        "health_motive",
        "trauma",
        r"\btombée?\b|\bchute\b|fracture|cogné|percuté|renversée?|s'est pris un|traumatisme"
        r"|accident",
        weight=1,
    ),
    _p("health_motive", "burn", r"brûl", weight=2, exclude=_BURNING_PAIN),
    _p("health_motive", "poisoning", _POISONING + r"|cachetons", weight=1.5),
    _p("health_motive", "obstetric", _OBSTETRIC, weight=2),
    _p(
        "health_motive",
        "abdominal_pain",
        r"mal (?:au|à l') (?:ventre|estomac)|douleurs? abdominale|ventre",
        weight=1.5,
    ),
    _p("health_motive", "seizure", r"convuls|crise d'épilepsie|épileptique", weight=2),
    _p("health_motive", "fever", r"fièvre|covid|tousse|température", weight=1),
    _p("health_motive", "psychiatric", _PSY, weight=1.5),
    _p("health_motive", "vertigo", r"vertige|tête qui tourne", weight=1),
    _p("health_motive", "malaise", r"malaise", weight=1),
)
_MOVING = r"(?<!aille )(?<!aller )(?<!vais )(?<!rentrais )(?<!rentre )(?<!sortais )(?<!revenais )(?<!venais )"
LOCATION_KIND: tuple[Pattern, ...] = (
    _p(
        "location.kind",
        "home",
        _MOVING
        + r"(?:(?<!médecin )à la maison(?! médicale)|chez (?:lui|elle|moi|nous|eux)|(?<!à )domicile|appartement|\bappart\b"
        r"|dans (?:le |la |mon |son |sa |ma |notre )(?:salon|cuisine|chambre|salle de bain|lit|canapé|jardin))",
        about="scene",
        negatable=False,
    ),
    _p(
        "location.kind",
        "street",
        _MOVING + r"(?:dans la rue|sur la route|trottoir|voie publique|bord de la route|autoroute"
        r"|carrefour|sur le parking)",
        about="scene",
        negatable=False,
    ),
    _p(
        "location.kind",
        "public_place",
        _MOVING + r"(?:au |dans le |dans la |à la )(?:magasin|supermarché|centre commercial"
        r"|gare|métro|école|collège|lycée|restaurant|piscine|stade|cinéma|mairie|église|parc)",
        about="scene",
        negatable=False,
    ),
    _p(
        "location.kind",
        "workplace",
        _MOVING + r"(?:au travail|au bureau|sur le chantier|à l'usine|lieu de travail)",
        about="scene",
        negatable=False,
    ),
)
COMMUNICATION: tuple[Pattern, ...] = (
    _p(
        "caller.communication",
        "panic",
        r"je suis (?:\w+ )?(?:\w+ )?(?:inquiète?|paniquée?|angoissée?|stressée?|affolée?)|j'ai (?:\w+ )?peur|je panique"
        r"|dépêchez|faites vite|vite vite|au secours|tout de suite tout de suite",
        about="scene",
        caller_only=True,
    ),
    _p("caller.communication", "panic", r"calmez[- ]vous", about="scene"),
    _p(
        "caller.communication",
        "hostile",
        r"putain|\bmerde|\bchier\b|connard|connasse|ta gueule|abusé|vous (?:vous )?(?:foutez|moquez)"
        r"|vous rendez compte|porter plainte",
        about="scene",
        caller_only=True,
    ),
    _p(
        "caller.communication",
        "confused",
        r"je comprends (?:pas|rien|plus)|j'ai (?:pas|rien) compris",
        about="scene",
        caller_only=True,
        negatable=False,
    ),
    _p(
        "caller.communication",
        "language",
        r"je (?:ne )?parle (?:pas|pas bien|un peu) (?:le )?français|interprète"
        r"|traducteur|do you speak|i don't speak",
        about="scene",
        caller_only=True,
        negatable=False,
    ),
)

# -- risks, history, treatments (lists) -----------------------------------------------------------------------------

RISKS: tuple[Pattern, ...] = (
    _p(
        "risks",
        "weapon",
        r"couteau|\barmes?\b|pistolet|fusil|revolver|flingue|poignard|machette|cutter",
        about="scene",
    ),
    _p(
        "risks",
        "violence",
        _ASSAULT.replace(r"|pagaille", "").replace(
            r"coups? de (?:couteau|poing|pied)", r"coups? de (?:poing|pied)"
        )
        + r"|violent|menace",
        about="scene",
        exclude=r"\bsi (?:il|elle)\b",
    ),
    _p("risks", "fire", r"\bfeu\b(?! rouge)|incendie|flammes", about="scene"),
    _p("risks", "smoke", r"fumée|monoxyde|odeur de gaz|fuite de gaz", about="scene"),
    _p("risks", "contagion", r"covid|coronavirus|contagi|méningite|tuberculose", about="scene"),
    _p(
        "risks",
        "alone",
        r"\b(?:il|elle) (?:est|vit|habite) (?:tout |toute )?seule?\b|je suis (?:tout |toute )?seule?\b"
        r"(?! avec)|(?:vit|habite) (?:tout |toute )?seule?\b",
    ),
    _p(
        "risks",
        "care_refusal",
        r"(?:il|elle) (?:ne )?(?:veut|voulait|voudra) (?:\w+ )?pas (?:avoir |voir )?(?:les pompiers|aller à l'hôpital|que j'appelle"
        r"|les voir|de médecin|de secours)|(?:il|elle) refuse",
        about="scene",
        negatable=False,
    ),
    _p(
        "risks",
        "suicide",
        r"suicid|idées noires|se tuer|mettre fin à ses jours|intoxication volontaire|veut mourir"
        r"|foutre en l'air",
    ),
)
_HISTORY = {
    "diabète": r"diab[èé]t",
    "hypertension": r"hypertend|hypertens|de la tension|la tension\b|\bde tension\b|tension artérielle",
    "hypercholestérolémie": r"cholest[ée]rol",
    "asthme": r"asthm",
    "BPCO": r"\bbpco\b|emphysème",
    "insuffisance cardiaque": r"insuffisan\w+ cardiaque",
    "infarctus": r"(?:fait|eu) un infarctus|crise cardiaque",
    "AVC": r"(?:fait|eu) un avc",
    "AIT": r"(?:un|d') ait\b|accident ischémique transitoire",
    "stent": r"\bstent",
    "pacemaker": r"pace-?maker|pile cardiaque",
    "épilepsie": r"épilep",
    "cancer": r"cancer|tumeur",
    "insuffisance rénale": r"insuffisan\w+ rénale|dialys",
    "tabagisme": r"\bfume\b|fumeur|fumeuse|tabac|cigarette",
    "cannabis": r"cannabis|\bweed\b|\bshit\b|(?:un|des) joints?\b|\bbeuh\b",
    "alcoolisme": r"alcoolique|alcoolisme|problème d'alcool",
    "trouble psychiatrique": r"psychiatr|schizophr|bipolaire|psychotique|dépression|dépressi",
    "troubles cognitifs": r"alzheimer|démence|troubles? (?:de la mémoire|cognitifs?)|plus toute sa tête",
    "cataracte": r"cataracte",
    "fracture du col du fémur": r"col du fémur",
    "intoxication médicamenteuse volontaire": r"intoxication volontaire|tentative de suicide",
    "hypothyroïdie": r"hypothyr",
    "drépanocytose": r"drépanocyt",
    "VIH": r"\bvih\b|séropositi",
}
HISTORY: tuple[Pattern, ...] = tuple(
    _p("patient.history", name, rx, exclude=r"\bsi (?:il|elle|vous)\b") for name, rx in _HISTORY.items()
)
_TREATMENTS = {
    "insuline": r"insuline",
    "paracétamol": r"parac[ée]tamol|doliprane|dafalgan|efferalgan",
    "aspirine": r"aspirine|kard[ée]gic",
    "anticoagulant": r"anticoagul|xarelto|eliquis|apixaban|rivaroxaban|préviscan"
    r"|coumadine|sintrom|lovenox|pradaxa",
    "anxiolytique": r"anxiolyt|xanax|lexomil|valium|temesta|lysanxia",
    "antidépresseur": r"antidépress|deroxat|prozac|seroplex",
    "antihypertenseur": r"(?:pour|contre) la tension|antihypertens",
    "ventoline": r"ventoline|salbutamol",
    "metformine": r"metformine|glucophage",
    "lévothyroxine": r"l[ée]vothyro",
    "contraception": r"\bpilule|contracepti",
    "morphine": r"morphin",
    "oxygène": r"sous oxygène|oxygène à domicile",
    "chimiothérapie": r"chimio",
    "corticoïdes": r"cortison|corticoïd",
}
TREATMENTS: tuple[Pattern, ...] = tuple(
    _p("patient.treatments", name, rx, regulator_ok=False, exclude=r"\bsi (?:il|elle|vous)\b")
    for name, rx in _TREATMENTS.items()
)

STATEMENT_PATTERNS: tuple[Pattern, ...] = (*VITALS, *PAIN, *RISKS, *HISTORY, *TREATMENTS)
CATEGORY_PATTERNS: tuple[Pattern, ...] = (*WHAT_HAPPENED, *HEALTH_MOTIVE, *LOCATION_KIND, *COMMUNICATION)
CATEGORY_ORDER = {p.key: [q.value for q in CATEGORY_PATTERNS if q.key == p.key] for p in CATEGORY_PATTERNS}
"""Ties between category values go to the one listed first (the more serious)."""

# -- who the patient is ----------------------------------------------------------------------------------------------

RELATION_WORDS = {
    "grandmother": r"grand[- ]mère|mamie|grand[- ]maman",
    "grandfather": r"grand[- ]père|papi|papy",
    "mother": r"mère|maman",
    "father": r"père|papa",
    "son": r"fils",
    "daughter": r"fille",
    "grandchild": r"petite?[- ]fils|petite[- ]fille",
    "child": r"enfant|bébé|gamin|gamine|petit|petite|nourrisson",
    "brother": r"frère",
    "sister": r"s(?:oe|œ)ur",
    "wife": r"femme|épouse",
    "husband": r"mari|époux",
    "partner": r"copain|copine|conjointe?|compagnon|compagne",
    "uncle": r"oncle",
    "aunt": r"tante",
    "cousin": r"cousine?",
    "relative": r"neveu|nièce|beau-père|belle-mère",
    "neighbour": r"voisine?",
    "colleague": r"collègue",
    "friend": r"amie?|pote|copain",
    "employer": r"patron|patronne",
    "patient_of": r"patiente?|résidente?",
}
RELATION_SEX = {
    "mother": "F",
    "father": "M",
    "grandmother": "F",
    "grandfather": "M",
    "son": "M",
    "daughter": "F",
    "brother": "M",
    "sister": "F",
    "wife": "F",
    "husband": "M",
    "uncle": "M",
    "aunt": "F",
}
FEMININE_FORMS = re.compile(
    r"voisine|cousine|amie|copine|patiente|résidente|conjointe|compagne|patronne|petite"
)
FAMILY = {
    "mother",
    "father",
    "grandmother",
    "grandfather",
    "son",
    "daughter",
    "grandchild",
    "child",
    "brother",
    "sister",
    "wife",
    "husband",
    "partner",
    "uncle",
    "aunt",
    "cousin",
    "relative",
}
ACQUAINTANCE = {"neighbour", "colleague", "friend", "employer"}
_REL = "|".join(f"(?:{rx})" for rx in RELATION_WORDS.values())
RELATION_CALL = re.compile(
    rf"(?:appel\w*|suis là|téléphone) (?:pour|à propos de|au sujet de|concernant|par rapport à) (?:(?:votre|vos|mon|ma|mes) )+({_REL})\b"
)
RELATION_SAID = re.compile(
    rf"(?:c'est|pour) (?:mon|ma) ({_REL})\b(?! qui m'a)|\b(?:mon|ma) ({_REL}) (?:il|elle|qui(?! m'a)|a|est|s'est|vient)\b"
)
"""'c'est mon voisin': counts in the opening of the call only."""
RELATION_OPENING = re.compile(rf"\b(?:votre|vos) ({_REL})\b")
SELF_CALL = re.compile(
    r"vous (?:m'|nous )?appelez (?:parce que|car|pour) vous (?:avez|êtes|vous)|^(?:\w+ ){0,3}vous avez mal\b"
    r"|^(?:\w+ ){0,4}j'ai (?:mal|de la fièvre|du mal)|je (?:me sens|suis tombée?|me suis)\b"
)
BYSTANDER = re.compile(
    r"vous êtes témoin|vous avez trouvé|j'ai (?:vu|trouvé) (?:un|une|quelqu'un)|un (?:type|monsieur|passant|homme|sdf|jeune)"
    r"|une (?:dame|femme|passante|jeune)|quelqu'un (?:qui|par terre|dans la rue)"
)
PROFESSIONAL = re.compile(
    r"je suis (?:l'|le |la )?(?:infirmi|médecin|aide-soignant|auxiliaire|pompier|policier|ambulancier"
    r"|éducat|assistante? sociale)"
)
