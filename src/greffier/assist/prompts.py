"""What the model is told, in the meeting's language (French and English written out; other languages
get the English text and an instruction to write in theirs: a 1.5B model follows the language of
its instructions more than an instruction about language).

The instruction comes after the transcript (small models follow the last thing they read); the
quote of every claim comes after its text (asked first, the model mostly returned empty lists).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

LANGUAGE_NAMES = {
    "fr": "French", "en": "English", "de": "German", "es": "Spanish", "it": "Italian", "nl": "Dutch",
    "pt": "Portuguese", "ca": "Catalan", "br": "Breton", "oc": "Occitan", "ar": "Arabic", "pl": "Polish",
}  # fmt: skip


@dataclass(frozen=True)
class Prompts:
    system: str
    transcript: str
    """Label put before the transcript or passages."""
    piece: str
    """The minutes of one piece; `{part}` is empty or says which part of how many, `{lists}` is
    empty or `lists`, `{claims}` one of `claims`."""
    part: str
    lists: str
    """The action items and open questions, asked in the piece pass where the candidate rule of the
    focused pass does not know the transcript's language (`candidates.knows`)."""
    claims: tuple[str, str]
    """What needs a quote: without `lists`, with them."""
    overall: str
    """Title and summary of the whole from the pieces' summaries."""
    question: str
    answer: str
    commitment: str
    """The task and due date of one commitment (`{sentence}`, `{who}`): the focused pass."""
    someone: str
    """`{who}` of a commitment without a single owner ("nous", "we")."""
    open_question: str
    """One open question (`{sentence}`) in a sentence."""
    decision: str
    """One decision (`{sentence}`) in a sentence."""


FRENCH = Prompts(
    system="Tu rédiges le compte rendu de réunions et d'appels téléphoniques à partir de leur transcription. "
    "La transcription a un paragraphe par prise de parole : « locuteur: paroles ». Réponds en JSON, en français.",
    transcript="Transcription",
    piece="Rédige le compte rendu{part} en JSON : title (un titre qui dit de quoi parle la réunion ou "
    "l'appel), summary (2 à 4 phrases : le motif, ce qui a été dit, ce qui a été conclu), topics (les "
    "sujets abordés dans l'ordre, chacun avec comme quote la phrase où il commence), decisions (ce que les "
    "participants ont décidé ou convenu){lists}. Pour chaque {claims}, donne aussi comme quote la phrase de la "
    "transcription d'où elle vient, recopiée exactement. "
    "Ne rapporte que ce que dit la transcription ; laisse une liste vide s'il n'y a rien.",
    part=" de la partie {n} sur {total}",
    lists=", action_items (ce que quelqu'un doit faire : owner, la personne qui le fera, telle que nommée "
    "dans la transcription ; task ; due, l'échéance exactement comme dite, ou null), open_questions "
    "(questions posées restées sans réponse)",
    claims=("décision", "décision, action et question"),
    overall="Voici les résumés des parties successives d'une même réunion ou d'un même appel. Réponds en "
    "JSON : title (un titre qui dit de quoi il s'agit) et summary (3 à 6 phrases : le motif, les points "
    "principaux, ce qui a été conclu). N'utilise que ce que disent les résumés.",
    question="Question",
    answer="Réponds à la question en JSON avec seulement ce que disent ces passages : answer (une réponse "
    "courte, dans la langue de la question), quote (la phrase des passages qui répond, recopiée "
    "exactement), answered (false si les passages ne le disent pas : ne devine pas).",
    commitment="Dans la phrase « {sentence} », {who} s'engage à faire quelque chose. Réponds en JSON : "
    "task (ce que {who} fera, en quelques mots, en commençant par un verbe à l'infinitif), due (l'échéance "
    "exactement comme dite, ou null).",
    someone="le groupe",
    open_question="La question « {sentence} » reste sans réponse. Réponds en JSON : text (cette question "
    "en une phrase courte, qui finit par un point d'interrogation).",
    decision="Dans la phrase « {sentence} », les participants prennent une décision. Réponds en JSON : text "
    "(cette décision en une phrase courte).",
)

ENGLISH = Prompts(
    system="You write the minutes of meetings and phone calls from their transcripts. The transcript has "
    'one paragraph per speaker turn: "speaker: words". Answer in JSON, in English.',
    transcript="Transcript",
    piece="Write the minutes{part} in JSON: title (a title saying what the meeting or call is about), "
    "summary (2 to 4 sentences: its purpose, what was said, what was concluded), topics (the subjects "
    "discussed, in order, each with the sentence where it starts as quote), decisions (what the "
    "participants decided or agreed on){lists}. For every {claims}, also give as quote the sentence of the "
    "transcript it comes from, copied exactly. Only report what "
    "the transcript says; leave a list empty when there is nothing.",
    part=" of part {n} of {total}",
    lists=", action_items (what someone has to do: owner, the person who will do it, as named in the "
    "transcript; task; due, the deadline exactly as said, or null), open_questions (questions asked that "
    "got no answer)",
    claims=("decision", "decision, action item and question"),
    overall="Here are the summaries of the consecutive parts of one meeting or call. Answer in JSON: title "
    "(a title saying what it is about) and summary (3 to 6 sentences: its purpose, the main points, what "
    "was concluded). Use only what the summaries say.",
    question="Question",
    answer="Answer the question in JSON using only what these passages say: answer (short, in the "
    "language of the question), quote (the sentence of the passages that answers, copied exactly), "
    "answered (false if the passages do not say it: do not guess).",
    commitment='In the sentence "{sentence}", {who} commits to doing something. Answer in JSON: task (what '
    "{who} will do, in a few words, starting with a verb), due (the deadline exactly as said, or null).",
    someone="the group",
    open_question='The question "{sentence}" got no answer. Answer in JSON: text (that question in one '
    "short sentence ending with a question mark).",
    decision='In the sentence "{sentence}", the participants take a decision. Answer in JSON: text (that '
    "decision in one short sentence).",
)


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code.split("-")[0].lower(), code)


def prompts_for(language: str) -> Prompts:
    code = language.split("-")[0].lower()
    if code == "fr":
        return FRENCH
    if code == "en":
        return ENGLISH
    name = language_name(language) if code else "the language of the transcript"  # unknown: hand-made
    return replace(ENGLISH, system=ENGLISH.system.replace("in English", f"in {name}"))


def user_message(prompts: Prompts, script: str, task: str) -> str:
    return f"{prompts.transcript}:\n{script}\n\n{task}"
