// Sharing / consent: the meeting's licence, each speaker's latest consent (who recorded it, when) and
// the whole history. The open-dataset export only takes licensed meetings and speakers who gave it.
import { request } from "./api.js";
import { h, toast } from "./dom.js";
import { describeError } from "./errors.js";
import { MESSAGES } from "./messages.js";

Object.assign(MESSAGES.fr, {
  "consent.title": "Partage / consentement",
  "consent.intro": "Seules les réunions sous licence et les intervenants qui ont donné leur accord entrent dans le jeu de données ouvert.",
  "consent.license": "Licence",
  "consent.license.none": "Non partagée",
  "consent.license.by": "Choisie par {who}",
  "consent.license.saved": "Licence enregistrée : {license}",
  "consent.speaker.status": "Consentement de {name}",
  "consent.speaker.person": "Identifiant de la personne (pseudonyme) pour {name}",
  "consent.person": "Identifiant (pseudonyme)",
  "consent.by": "par {who}",
  "consent.save": "Enregistrer",
  "consent.saved": "Consentement de {name} enregistré",
  "consent.status.none": "Pas de consentement",
  "consent.status.given": "Accord donné",
  "consent.status.refused": "Refus",
  "consent.status.withdrawn": "Retiré",
  "consent.history": "Historique ({count})",
  "consent.history.entry": "{name} : {status}",
  "consent.nospeakers": "Pas d’intervenants : rien à partager sans leur accord.",
});
Object.assign(MESSAGES.en, {
  "consent.title": "Sharing / consent",
  "consent.intro": "Only licensed meetings and speakers who gave their consent go into the open dataset.",
  "consent.license": "Licence",
  "consent.license.none": "Not shared",
  "consent.license.by": "Chosen by {who}",
  "consent.license.saved": "Licence saved: {license}",
  "consent.speaker.status": "Consent of {name}",
  "consent.speaker.person": "Person id (pseudonym) for {name}",
  "consent.person": "Person id (pseudonym)",
  "consent.by": "by {who}",
  "consent.save": "Save",
  "consent.saved": "Consent of {name} saved",
  "consent.status.none": "No consent",
  "consent.status.given": "Given",
  "consent.status.refused": "Refused",
  "consent.status.withdrawn": "Withdrawn",
  "consent.history": "History ({count})",
  "consent.history.entry": "{name}: {status}",
  "consent.nospeakers": "No speakers: nothing can be shared without their consent.",
});

const STATUSES = ["given", "refused", "withdrawn"];
const BADGE = { given: "done", refused: "failed", withdrawn: "queued" };

const consentApi = {
  licence: (id) => request(`/api/meetings/${id}/license`),
  setLicence: (id, license) => request(`/api/meetings/${id}/license`, { method: "PUT", json: { license } }),
  consents: (id) => request(`/api/meetings/${id}/consents`),
  record: (id, consent) => request(`/api/meetings/${id}/consents`, { method: "POST", json: consent }),
};

/** The panel; `load()` (again after each transcript change: speaker names) fills it from the server. */
export function createConsentPanel(meetingId) {
  const el = h("section", { class: "card panel consent-panel", "aria-labelledby": "consent-title", "aria-live": "polite" });
  const error = h("p", { class: "error", role: "alert", hidden: true });

  function fail(problem) {
    error.replaceChildren(...describeError(problem, "save"));
    error.hidden = false;
  }

  async function load() {
    try {
      const [{ data: licence }, { data: consents }] = await Promise.all([
        consentApi.licence(meetingId),
        consentApi.consents(meetingId),
      ]);
      render(licence, consents);
    } catch (problem) {
      el.replaceChildren(h("h2", { id: "consent-title", i18n: "consent.title" }), error);
      fail(problem);
    }
  }

  function render(licence, consents) {
    error.hidden = true;
    const names = new Map(consents.speakers.map((s) => [s.speaker, s.name]));
    const parts = [
      h("h2", { id: "consent-title", i18n: "consent.title" }),
      h("p", { class: "hint", i18n: "consent.intro" }),
      licenceField(licence),
      consents.speakers.length
        ? h("ul", { class: "consents" }, consents.speakers.map(speakerRow))
        : h("p", { class: "hint", i18n: "consent.nospeakers" }),
      history(consents.history, names),
      error,
    ];
    el.replaceChildren(...parts.filter(Boolean)); // replaceChildren would write "null" for a missing part
  }

  function licenceField(licence) {
    const select = h(
      "select",
      {
        id: "consent-license",
        onchange: async () => {
          select.disabled = true;
          try {
            const { data } = await consentApi.setLicence(meetingId, select.value);
            toast("consent.license.saved", { license: data.choices.find((c) => c.id === data.license)?.name || data.license });
            await load();
          } catch (problem) {
            select.disabled = false;
            fail(problem);
          }
        },
      },
      licence.choices.map((choice) =>
        h("option", choice.id === "none" ? { value: choice.id, i18n: "consent.license.none" } : { value: choice.id, text: choice.name }),
      ),
    );
    select.value = licence.license;
    return h(
      "div",
      { class: "field" },
      h("label", { for: "consent-license", i18n: "consent.license" }),
      select,
      licence.recorded_by
        ? h("p", { class: "hint" }, h("span", { i18n: "consent.license.by", i18nVars: { who: licence.recorded_by } }), " · ", h("time", { date: licence.recorded_at }))
        : null,
    );
  }

  function statusBadge(status) {
    return h("span", { class: `badge ${BADGE[status] || ""}`, i18n: `consent.status.${status || "none"}` });
  }

  function speakerRow(speaker) {
    const status = h(
      "select",
      { name: "status", i18nAttrs: { "aria-label": "consent.speaker.status" }, i18nVars: { name: speaker.name } },
      STATUSES.map((value) => h("option", { value, i18n: `consent.status.${value}` })),
    );
    status.value = speaker.status || "given";
    const person = h("input", {
      name: "person",
      type: "text",
      maxlength: 200,
      value: speaker.person || "",
      i18nAttrs: { "aria-label": "consent.speaker.person", placeholder: "consent.person" },
      i18nVars: { name: speaker.name },
    });
    const form = h(
      "form",
      {
        class: "row consent-form",
        onsubmit: async (event) => {
          event.preventDefault();
          form.inert = true;
          try {
            const label = person.value.trim();
            await consentApi.record(meetingId, { speaker: speaker.speaker, status: status.value, person: label || null });
            toast("consent.saved", { name: speaker.name });
            await load();
          } catch (problem) {
            form.inert = false;
            fail(problem);
          }
        },
      },
      status,
      person,
      h("button", { class: "button small primary", i18n: "consent.save" }),
    );
    return h(
      "li",
      { dataset: { speaker: speaker.speaker } },
      h("div", { class: "row" }, h("strong", { class: "name", text: speaker.name }), statusBadge(speaker.status)),
      speaker.recorded_by
        ? h("p", { class: "hint" }, h("span", { i18n: "consent.by", i18nVars: { who: speaker.recorded_by } }), " · ", h("time", { date: speaker.recorded_at }))
        : null,
      form,
    );
  }

  function history(entries, names) {
    if (!entries.length) return null;
    return h(
      "details",
      { class: "consent-history" },
      h("summary", { i18n: "consent.history", i18nVars: { count: entries.length } }),
      h(
        "ol",
        { reversed: true },
        [...entries].reverse().map((entry) =>
          h(
            "li",
            {},
            h("span", { i18n: "consent.history.entry", i18nVars: { name: names.get(entry.speaker) || entry.speaker, status: `@consent.status.${entry.status}` } }),
            " · ",
            h("span", { class: "hint", i18n: "consent.by", i18nVars: { who: entry.recorded_by } }),
            " · ",
            h("time", { date: entry.recorded_at, class: "hint" }),
          ),
        ),
      ),
    );
  }

  return { el, load };
}
