"""The rule that picks the sentences the focused pass asks the model about (no model here)."""

from __future__ import annotations

import pytest

from bench._assist_data import elitr_actions, elitr_meetings, elitr_transcript
from bench.common.demo_meeting import read_script
from greffier.assist import candidates
from greffier.assist.focused import repeats
from greffier.assist.grounding import content_words, normalize
from greffier.assist.types import ActionItem, Point, Span
from greffier.transcript import Segment


def _segments(turns: list[tuple[str, str]]) -> list[Segment]:
    return [Segment(i, float(i), i + 0.9, text, speaker=speaker) for i, (speaker, text) in enumerate(turns)]


def _commitments(turns: list[tuple[str, str]]) -> list[tuple[str | None, str]]:
    return [(c.owner, c.sentence.text) for c in candidates.commitments(_segments(turns), {})]


@pytest.mark.parametrize(
    "turns",
    [
        [("Sophie", "Je prépare le communiqué de presse, et je l'envoie à la mairie avant le dix juillet.")],
        [("Claire", "Et moi, j'organise une visite du chantier avec les élus le trois juillet.")],
        [("Karim", "Je vais appeler le prestataire.")],
        [("Paul", "I'll send the slides to everyone by Friday.")],
        [("Paul", "I'm going to fix the installer.")],
        [("Anna", "Let me check the logs tomorrow.")],
    ],
)
def test_a_first_person_commitment_is_a_candidate_owned_by_its_speaker(turns):
    ((owner, _),) = _commitments(turns)
    assert owner == turns[-1][0]


@pytest.mark.parametrize(
    "turns",
    [
        [("Claire", "Julien, tu fais installer les postes ?"), ("Julien", "Oui, ils seront installés avant le 28 août.")],
        [("Claire", "Julien, tu fais installer les postes ?"), ("Julien", "Oui. Ils seront installés avant le 28 août.")],
        [("Anna", "Paul, can you update the wiki?"), ("Paul", "Yes, by Monday.")],
    ],
)  # fmt: skip
def test_a_yes_with_a_date_from_the_person_named_just_before_is_their_commitment(turns):
    found = _commitments(turns)
    assert [owner for owner, _ in found] == [turns[1][0]]


@pytest.mark.parametrize(
    "turns",
    [
        [("Claire", "Bonjour, je suis Claire Martin, je coordonne le projet.")],
        [("Karim", "Et moi, je suis Karim Haddad, je gère le budget et les achats.")],
        [("Karim", "Je n'ai pas encore les chiffres.")],
        [("Claire", "Je pense que c'est une bonne idée.")],
        [("Sophie", "Si nous gardons le premier septembre, nous ouvrons avec un étage vide.")],
        [("Julien", "Les postes publics ne seront pas prêts avant la fin du mois d'août.")],
        [("Claire", "Julien, tu as comparé les deux offres ?"), ("Julien", "Oui. Le logiciel libre est moins cher.")],
        [("Claire", "Julien, tu as comparé ?"), ("Sophie", "Oui, avant le 28 août.")],
        [("Paul", "I think we should wait.")],
        [("Paul", "I'm not sure, I won't be there on Friday.")],
        [("Paul", "I don't know what will happen next week.")],
        [("Paul", "I am the one who wrote the parser.")],
    ],
)  # fmt: skip
def test_opinions_introductions_negations_and_hypotheses_are_not_candidates(turns):
    assert _commitments(turns) == []


def test_a_future_with_a_date_said_by_nous_or_we_has_no_single_owner():
    assert _commitments([("Claire", "Nous trancherons à la prochaine réunion.")]) == [
        (None, "Nous trancherons à la prochaine réunion.")
    ]
    assert _commitments([("Paul", "We will release it next week.")]) == [
        (None, "We will release it next week.")
    ]
    assert _commitments([("Paul", "We will see.")]) == []


def test_the_demo_script_gives_its_four_action_items_two_decisions_and_its_open_question():
    script = read_script()
    segments = _segments([(line.speaker, line.text) for line in script])
    owners = [c.owner for c in candidates.commitments(segments, {})]
    assert owners == ["Julien Moreau", "Sophie Bernard", "Karim Haddad", "Claire Martin", None]
    assert len(candidates.decisions(segments, {})) == 2
    (question,) = candidates.open_questions(segments, {})
    assert "inauguration" in question.sentence.text and question.owner == "Sophie Bernard"


@pytest.mark.parametrize(
    ("turns", "is_open"),
    [
        ([("A", "Une question reste ouverte : faisons-nous une fête ?")], True),
        ([("A", "Which server do we use?"), ("B", "We do not know yet."), ("A", "Not yet, right.")], True),
        ([("A", "On garde la salle du bas ?"), ("B", "Pas encore décidé, on verra à la prochaine réunion.")], True),
        ([("A", "Chacun se présente rapidement ?"), ("B", "Bonjour, je suis Julien.")], False),
        ([("A", "Which server do we use?"), ("B", "The new one.")], False),
        ([("A", "J'ai une question sur le budget."), ("B", "Il est voté.")], False),
    ],
)  # fmt: skip
def test_a_question_is_open_when_it_says_so_or_someone_defers_it(turns, is_open):
    assert bool(candidates.open_questions(_segments(turns), {})) is is_open


@pytest.mark.parametrize(
    ("text", "is_decision"),
    [
        ("Alors c'est décidé : l'ouverture est reportée au samedi dix-neuf septembre.", True),
        ("Très bien. Nous choisissons le logiciel libre pour les prêts.", True),
        ("So we agreed to keep the old server.", True),
        ("Let's go with the second option.", True),
        ("Nous n'avons pas encore décidé.", False),
        ("We can decide that next week if we agreed on the metrics.", False),
        ("Have we decided?", False),
        ("We want to decide if we do that or not.", False),
    ],
)
def test_a_decision_candidate_says_something_was_decided(text, is_decision):
    assert bool(candidates.decisions(_segments([("A", "Bon."), ("B", text)]), {})) is is_decision


def test_a_question_is_answered_by_a_later_decision_that_states_it():
    (question,) = candidates.open_questions(
        _segments([("A", "Une question reste ouverte : quel logiciel de prêt choisir ?")]), {}
    )
    assert candidates.answered_by(question.sentence, ["Le logiciel de prêt choisi est le logiciel libre."])
    assert not candidates.answered_by(question.sentence, ["L'ouverture est reportée au 19 septembre."])


def test_a_decision_restating_an_action_item_or_a_decision_is_recognised():
    span = Span(segment_ids=(0,), start=0.0, end=1.0, speakers=("Julien",))
    item = ActionItem(
        "Installer les postes publics de l'étage", "Julien Moreau", "28 août",
        "Oui, les postes publics seront installés avant le 28 août.", (span,),
    )  # fmt: skip
    assert repeats(Point("Julien, tu fais installer les postes publics de l'étage", "", (span,)), [item])
    assert not repeats(Point("L'ouverture au public est reportée au 19 septembre", "", (span,)), [item])


def test_on_the_english_elitr_meetings_the_rule_stays_short_and_finds_some_reference_actions():
    """Measured on the 10 ELITR dev meetings: 5 to 26 candidates a meeting (130 in all, 149 to 834
    segments), 3 of the 13 reference "[PERSONx] will …" actions among them with their owner; at most
    3 open questions a meeting."""
    found = 0
    for meeting in elitr_meetings():
        transcript = elitr_transcript(meeting)
        names = {s.id: s.id for s in transcript.speakers}
        commitments = candidates.commitments(transcript.segments, names)
        assert len(commitments) <= 30
        assert len(candidates.open_questions(transcript.segments, names)) <= 5
        for ref in elitr_actions(meeting):
            wanted = content_words(ref.task)
            found += any(
                c.owner
                and ref.owner.lower() in normalize(c.owner).split()
                and len(wanted & content_words(" ".join(s.text for s in (*c.context, c.sentence))))
                >= max(1, len(wanted) // 4)
                for c in commitments
            )
    assert found >= 3
