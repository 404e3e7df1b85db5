// Deliveries: where the meeting's minutes and transcript were sent (Matrix, WebDAV, e-mail, webhook),
// each pending, sent, or failed with the reason and the fix; a failed one can be sent again.
import { request } from "./api.js";
import { h, toast } from "./dom.js";
import { describeError } from "./errors.js";
import { MESSAGES } from "./messages.js";

Object.assign(MESSAGES.fr, {
  "delivery.title": "Diffusion",
  "delivery.none": "Rien n’a encore été envoyé : les destinations de l’organisation reçoivent la transcription et le compte rendu dès qu’ils sont prêts.",
  "delivery.state.pending": "En cours",
  "delivery.state.sent": "Envoyé",
  "delivery.state.failed": "Échec",
  "delivery.event.meeting.transcribed": "Transcription",
  "delivery.event.minutes.ready": "Compte rendu",
  "delivery.event.call.completed": "Fiche d’appel",
  "delivery.attempts": "{count} essai(s)",
  "delivery.fix": "Que faire : {fix}",
  "delivery.resend": "Renvoyer",
  "delivery.resend.label": "Renvoyer à {name}",
  "delivery.resent": "Nouvel envoi à {name} en cours",
});
Object.assign(MESSAGES.en, {
  "delivery.title": "Delivery",
  "delivery.none": "Nothing sent yet: the organisation’s destinations receive the transcript and the minutes as soon as they are ready.",
  "delivery.state.pending": "Pending",
  "delivery.state.sent": "Sent",
  "delivery.state.failed": "Failed",
  "delivery.event.meeting.transcribed": "Transcript",
  "delivery.event.minutes.ready": "Minutes",
  "delivery.event.call.completed": "Call form",
  "delivery.attempts": "{count} tries",
  "delivery.fix": "What to do: {fix}",
  "delivery.resend": "Send again",
  "delivery.resend.label": "Send again to {name}",
  "delivery.resent": "Sending to {name} again",
});

const BADGE = { pending: "running", sent: "done", failed: "failed" };
const POLL_MS = 2000;

const deliveryApi = {
  list: (id) => request(`/api/meetings/${id}/deliveries`),
  resend: (id, delivery) => request(`/api/meetings/${id}/deliveries/${delivery}/resend`, { method: "POST" }),
};

/** The panel; `load()` fills it, and polls while a delivery is pending; `stop()` ends the polling. */
export function createDeliveriesPanel(meetingId) {
  const el = h("section", { class: "card panel deliveries-panel", "aria-labelledby": "delivery-title", "aria-live": "polite" });
  const error = h("p", { class: "error", role: "alert", hidden: true });
  let timer = null;

  async function load() {
    clearTimeout(timer);
    try {
      const { data } = await deliveryApi.list(meetingId);
      render(data);
      if (data.some((d) => d.state === "pending")) timer = setTimeout(load, POLL_MS);
    } catch (problem) {
      el.replaceChildren(h("h2", { id: "delivery-title", i18n: "delivery.title" }), error);
      error.replaceChildren(...describeError(problem, "load"));
      error.hidden = false;
    }
  }

  function render(deliveries) {
    error.hidden = true;
    el.replaceChildren(
      h("h2", { id: "delivery-title", i18n: "delivery.title" }),
      deliveries.length
        ? h("ul", { class: "deliveries" }, deliveries.map(row))
        : h("p", { class: "hint", i18n: "delivery.none" }),
      error,
    );
  }

  function row(delivery) {
    const parts = [
      h(
        "div",
        { class: "row" },
        h("strong", { class: "name", text: delivery.destination }),
        h("span", { class: "hint", i18n: `delivery.event.${delivery.event}` }),
        h("span", { class: `badge ${BADGE[delivery.state]}`, i18n: `delivery.state.${delivery.state}` }),
      ),
      h(
        "p",
        { class: "hint" },
        h("time", { date: delivery.sent || delivery.created }),
        " · ",
        h("span", { i18n: "delivery.attempts", i18nVars: { count: delivery.attempts } }),
      ),
    ];
    if (delivery.error) parts.push(h("p", { class: delivery.state === "failed" ? "error" : "hint", text: delivery.error }));
    if (delivery.state === "failed") {
      if (delivery.fix) parts.push(h("p", { class: "hint", i18n: "delivery.fix", i18nVars: { fix: delivery.fix } }));
      parts.push(resendButton(delivery));
    }
    return h("li", { dataset: { delivery: delivery.id, state: delivery.state } }, ...parts);
  }

  function resendButton(delivery) {
    const button = h("button", {
      class: "button small",
      i18n: "delivery.resend",
      i18nAttrs: { "aria-label": "delivery.resend.label" },
      i18nVars: { name: delivery.destination },
      onclick: async () => {
        button.disabled = true;
        try {
          await deliveryApi.resend(meetingId, delivery.id);
          toast("delivery.resent", { name: delivery.destination });
          await load();
        } catch (problem) {
          button.disabled = false;
          error.replaceChildren(...describeError(problem, "save"));
          error.hidden = false;
        }
      },
    });
    return button;
  }

  return { el, load, stop: () => clearTimeout(timer) };
}
