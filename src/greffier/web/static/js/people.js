// People known by their voice: the People page (each person's consent, forget; admins enrol from a
// sample) and "remember this voice" on a meeting's speaker (admins). A voiceprint is biometric data:
// every enrolment records who gave the explicit consent; the server never sends a print.
import { ApiError, OfflineError, request } from "./api.js";
import { h, toast } from "./dom.js";
import { describeError } from "./errors.js";
import { listing } from "./listing.js";
import { MESSAGES } from "./messages.js";

Object.assign(MESSAGES.fr, {
  "nav.people": "Personnes",
  "people.title": "Personnes reconnues à leur voix",
  "people.intro": "Greffier nomme ces personnes dans les réunions transcrites avec « Reconnaître les personnes ». Une empreinte vocale est une donnée biométrique : elle n’est enregistrée qu’avec le consentement explicite de la personne.",
  "people.none": "Personne n’est enregistré.",
  "people.prints": "{count} empreinte(s) vocale(s)",
  "people.consent": "Consentement donné par {by} le {at}, enregistré par {recorder}",
  "people.forget": "Oublier",
  "people.forget.label": "Oublier {name}",
  "people.forget.title": "Oublier cette personne ?",
  "people.forget.body": "Toutes les empreintes vocales de « {name} » sont effacées ; elle ne sera plus reconnue.",
  "people.forgotten": "« {name} » oubliée : ses empreintes sont effacées",
  "people.add": "Enregistrer une personne à partir d’un extrait de sa voix",
  "people.admins": "Seuls les administrateurs enregistrent une voix ; chacun peut en retirer une.",
  "people.sample": "Extrait de sa voix seule (10 s de parole au moins)",
  "people.name": "Nom",
  "people.email": "E-mail (facultatif)",
  "people.consent.by": "Consentement explicite donné par (la personne, ou son DPO)",
  "people.consent.check": "Cette personne a donné son consentement explicite à être reconnue à sa voix.",
  "people.enrol": "Enregistrer",
  "people.enrolled": "Voix de « {name} » enregistrée",
  "people.remember": "Retenir cette voix",
  "people.remember.label": "Retenir la voix de {name}",
  "people.remember.name": "Nom de la personne",
  "people.known": "reconnu·e ({score})",
  "upload.identify": "Reconnaître les personnes enregistrées",
  "stage.identify": "Reconnaissance des personnes",
});
Object.assign(MESSAGES.en, {
  "nav.people": "People",
  "people.title": "People known by their voice",
  "people.intro": "Greffier names these people in meetings transcribed with “Recognise known people”. A voiceprint is biometric data: it is only kept with the person’s explicit consent.",
  "people.none": "Nobody is enrolled.",
  "people.prints": "{count} voiceprint(s)",
  "people.consent": "Consent given by {by} on {at}, recorded by {recorder}",
  "people.forget": "Forget",
  "people.forget.label": "Forget {name}",
  "people.forget.title": "Forget this person?",
  "people.forget.body": "Every voiceprint of “{name}” is erased; they will no longer be recognised.",
  "people.forgotten": "“{name}” forgotten: their prints are erased",
  "people.add": "Enrol a person from a sample of their voice",
  "people.admins": "Only admins enrol a voice; anyone can withdraw one.",
  "people.sample": "A sample of their voice alone (10 s of speech or more)",
  "people.name": "Name",
  "people.email": "E-mail (optional)",
  "people.consent.by": "Explicit consent given by (the person, or their DPO)",
  "people.consent.check": "This person gave their explicit consent to being recognised by their voice.",
  "people.enrol": "Enrol",
  "people.enrolled": "Voice of “{name}” enrolled",
  "people.remember": "Remember this voice",
  "people.remember.label": "Remember the voice of {name}",
  "people.remember.name": "The person’s name",
  "people.known": "recognised ({score})",
  "upload.identify": "Recognise known people",
  "stage.identify": "Recognising people",
});

const peopleApi = {
  list: () => request("/api/people"),
  forget: (id) => request(`/api/people/${encodeURIComponent(id)}`, { method: "DELETE" }),
  fromSpeaker: (meetingId, body) => request(`/api/meetings/${meetingId}/people`, { method: "POST", json: body }),
  async fromSample(form) {
    let response;
    try {
      response = await fetch("/api/people", { method: "POST", body: form, headers: { Accept: "application/json" }, credentials: "same-origin" });
    } catch {
      throw new OfflineError();
    }
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new ApiError(response.status, body.error || {});
    return body;
  },
};

function field(id, key, input) {
  return h("div", { class: "field" }, h("label", { for: id, i18n: key }), input);
}

/** The consent fields every enrolment needs: who gave it, and the box saying it was given. */
function consentFields(prefix) {
  const by = h("input", { id: `${prefix}-consent-by`, type: "text", required: true, maxlength: 320 });
  const check = h("input", { id: `${prefix}-consent-check`, type: "checkbox", required: true });
  return {
    by,
    nodes: [
      field(`${prefix}-consent-by`, "people.consent.by", by),
      h("label", { class: "check", for: `${prefix}-consent-check` }, check, h("span", { i18n: "people.consent.check" })),
    ],
  };
}

export function renderPeople(main, { session }) {
  const admin = session.role === "admin";
  const formError = h("p", { class: "error", role: "alert", hidden: true });
  const sample = h("input", { id: "person-sample", type: "file", accept: "audio/*,video/*", required: true });
  const name = h("input", { id: "person-name", type: "text", required: true, maxlength: 200 });
  const email = h("input", { id: "person-email", type: "email", maxlength: 320 });
  const consent = consentFields("person");

  const form = h(
    "form",
    {
      class: "card",
      "aria-labelledby": "person-add-title",
      onsubmit: async (event) => {
        event.preventDefault();
        const button = form.querySelector("button[type=submit]");
        button.disabled = true;
        formError.hidden = true;
        const body = new FormData();
        body.append("file", sample.files[0], sample.files[0].name);
        body.append("name", name.value.trim());
        body.append("consent_by", consent.by.value.trim());
        if (email.value.trim()) body.append("email", email.value.trim());
        try {
          const person = await peopleApi.fromSample(body);
          toast("people.enrolled", { name: person.name });
          form.reset();
          await people.load();
        } catch (problem) {
          formError.replaceChildren(...describeError(problem, "save"));
          formError.hidden = false;
        } finally {
          button.disabled = false;
        }
      },
    },
    h("h2", { id: "person-add-title", i18n: "people.add" }),
    h("div", { class: "options" }, field("person-name", "people.name", name), field("person-email", "people.email", email)),
    field("person-sample", "people.sample", sample),
    ...consent.nodes,
    formError,
    h("div", { class: "row end" }, h("button", { type: "submit", class: "button primary", i18n: "people.enrol" })),
  );

  function row(person) {
    const at = new Date(person.consent.given_at).toLocaleString(document.documentElement.lang || undefined);
    return h(
      "li",
      { dataset: { person: person.name } },
      h(
        "div",
        { class: "row" },
        h("strong", { class: "name", text: person.name }),
        person.email && h("span", { class: "hint", text: person.email }),
        h("span", { class: "badge", i18n: "people.prints", i18nVars: { count: person.prints } }),
        h("span", { class: "spacer" }),
        h("button", {
          class: "button small danger",
          i18n: "people.forget",
          i18nAttrs: { "aria-label": "people.forget.label" },
          i18nVars: { name: person.name },
          onclick: () => forget(person),
        }),
      ),
      h("p", {
        class: "hint consent",
        i18n: "people.consent",
        i18nVars: { by: person.consent.given_by, at, recorder: person.consent.recorded_by },
      }),
    );
  }

  const forget = (person) =>
    people.remove(person, {
      title: "people.forget.title",
      body: "people.forget.body",
      confirm: "people.forget",
      done: "people.forgotten",
      request: (p) => peopleApi.forget(p.id),
    });
  const people = listing({ fetch: peopleApi.list, row, none: "people.none", className: "destinations people" });

  main.append(
    h("h1", { i18n: "people.title" }),
    h("p", { class: "hint", i18n: "people.intro" }),
    !admin && h("p", { class: "hint", i18n: "people.admins" }),
    h("section", { class: "card", i18nAttrs: { "aria-label": "people.title" } }, people.list, people.error),
    admin && form,
  );
  people.load();
  return null;
}

/** A speaker row's extra: "recognised" for a speaker identified as a person; for admins, "remember
 * this voice" (a form: the name, who gave the consent, the consent box), enrolled from this meeting. */
export function speakerPerson(meetingId, speaker, { admin, onEnrolled }) {
  if (speaker.personId) {
    return h("span", { class: "badge known", i18n: "people.known", i18nVars: { score: speaker.score?.toFixed(2) ?? "" } });
  }
  if (!admin) return null;
  const box = h("span", { class: "remember" });
  const open = () => {
    const prefix = `remember-${speaker.id}`;
    const name = h("input", { id: `${prefix}-name`, type: "text", required: true, maxlength: 200, value: speaker.name === speaker.id ? "" : speaker.name });
    const consent = consentFields(prefix);
    const error = h("p", { class: "error", role: "alert", hidden: true });
    const form = h(
      "form",
      {
        class: "card remember-form",
        onsubmit: async (event) => {
          event.preventDefault();
          form.inert = true;
          try {
            const { data } = await peopleApi.fromSpeaker(meetingId, { speaker: speaker.id, name: name.value.trim(), consent_by: consent.by.value.trim() });
            toast("people.enrolled", { name: data.name });
            box.replaceChildren();
            onEnrolled?.(data);
          } catch (problem) {
            form.inert = false;
            error.replaceChildren(...describeError(problem, "save"));
            error.hidden = false;
          }
        },
      },
      field(`${prefix}-name`, "people.remember.name", name),
      ...consent.nodes,
      error,
      h(
        "div",
        { class: "row end" },
        h("button", { type: "button", class: "button small", i18n: "cancel", onclick: () => box.replaceChildren(button) }),
        h("button", { type: "submit", class: "button small primary", i18n: "people.enrol" }),
      ),
    );
    box.replaceChildren(form);
    name.focus();
  };
  const button = h("button", {
    class: "link remember-voice",
    i18n: "people.remember",
    i18nVars: { name: speaker.name },
    i18nAttrs: { "aria-label": "people.remember.label" },
    onclick: open,
  });
  box.append(button);
  return box;
}
