// The meeting's own delivery settings: marked as health data (then only destinations allowed to
// receive it get it), the organisation's default destinations or a choice of its own, and the
// participants whose addresses the e-mail destinations write to.
import { request } from "./api.js";
import { h, toast } from "./dom.js";
import { describeError } from "./errors.js";
import { MESSAGES } from "./messages.js";

Object.assign(MESSAGES.fr, {
  "choice.title": "Envoi de cette réunion",
  "choice.health": "Données de santé : seulement aux destinations habilitées",
  "choice.defaults": "Destinations par défaut de l’organisation",
  "choice.own": "Seulement celles-ci :",
  "choice.none": "L’organisation n’a aucune destination.",
  "choice.participants": "Participants (un par ligne : Prénom Nom <adresse>)",
  "choice.save": "Enregistrer",
  "choice.saved": "Réglages d’envoi enregistrés",
});
Object.assign(MESSAGES.en, {
  "choice.title": "Sending this meeting",
  "choice.health": "Health data: only to destinations allowed to receive it",
  "choice.defaults": "The organisation’s default destinations",
  "choice.own": "Only these:",
  "choice.none": "The organisation has no destination.",
  "choice.participants": "Participants (one per line: First Last <address>)",
  "choice.save": "Save",
  "choice.saved": "Sending settings saved",
});

const choiceApi = {
  get: (id) => request(`/api/meetings/${id}/delivery`),
  put: (id, body) => request(`/api/meetings/${id}/delivery`, { method: "PUT", json: body }),
  destinations: () => request("/api/destinations"),
};

/** The form; `load()` fills it from the meeting's settings and the organisation's destinations. */
export function createDeliveryChoice(meetingId) {
  const health = h("input", { id: "choice-health", type: "checkbox" });
  const defaults = h("input", { id: "choice-defaults", type: "radio", name: "choice-scope", value: "defaults" });
  const own = h("input", { id: "choice-own", type: "radio", name: "choice-scope", value: "own" });
  const list = h("div", { class: "options choice-destinations" });
  const participants = h("textarea", { id: "choice-participants", rows: 3, spellcheck: false });
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const save = h("button", { type: "submit", class: "button small", i18n: "choice.save" });
  const el = h(
    "form",
    { class: "card panel delivery-choice", "aria-labelledby": "choice-title", onsubmit: submit },
    h("h2", { id: "choice-title", i18n: "choice.title" }),
    h("label", { class: "check", for: "choice-health" }, health, h("span", { i18n: "choice.health" })),
    h("label", { class: "check", for: "choice-defaults" }, defaults, h("span", { i18n: "choice.defaults" })),
    h("label", { class: "check", for: "choice-own" }, own, h("span", { i18n: "choice.own" })),
    list,
    h("label", { for: "choice-participants", i18n: "choice.participants" }),
    participants,
    error,
    h("div", { class: "row end" }, save),
  );

  function fill(settings, destinations) {
    health.checked = settings.health_data;
    defaults.checked = settings.destinations === null;
    own.checked = !defaults.checked;
    const chosen = new Set(settings.destinations || []);
    list.replaceChildren(
      ...(destinations.length
        ? destinations.map((d) => {
            const box = h("input", { id: `choice-${d.id}`, type: "checkbox", value: d.id, checked: chosen.has(d.id) });
            return h("label", { class: "check", for: box.id }, box, h("span", { text: d.name }));
          })
        : [h("p", { class: "hint", i18n: "choice.none" })]),
    );
    participants.value = settings.participants.join("\n");
  }

  function shown(problem, context) {
    error.replaceChildren(...describeError(problem, context));
    error.hidden = false;
  }

  async function load() {
    try {
      const [{ data: settings }, { data: destinations }] = await Promise.all([
        choiceApi.get(meetingId),
        choiceApi.destinations(),
      ]);
      error.hidden = true;
      fill(settings, destinations);
    } catch (problem) {
      shown(problem, "load");
    }
  }

  async function submit(event) {
    event.preventDefault();
    save.disabled = true;
    error.hidden = true;
    const body = {
      health_data: health.checked,
      participants: participants.value.split("\n").map((line) => line.trim()).filter(Boolean),
    };
    if (defaults.checked) body.defaults = true;
    else body.destinations = [...list.querySelectorAll("input:checked")].map((box) => box.value);
    try {
      const { data } = await choiceApi.put(meetingId, body);
      participants.value = data.participants.join("\n");
      toast("choice.saved");
    } catch (problem) {
      shown(problem, "save");
    } finally {
      save.disabled = false;
    }
  }

  return { el, load };
}
