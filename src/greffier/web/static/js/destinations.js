// Destinations (admins only): where the organisation's minutes and transcripts are delivered — a
// Matrix room, a WebDAV folder, e-mail, a webhook — listed, added (the secret is sent once, never
// shown again) and removed.
import { request } from "./api.js";
import { h, setI18n, toast } from "./dom.js";
import { describeError } from "./errors.js";
import { listing } from "./listing.js";
import { MESSAGES } from "./messages.js";

Object.assign(MESSAGES.fr, {
  "nav.destinations": "Destinations",
  "destinations.title": "Destinations",
  "destinations.intro": "Où les comptes rendus et les transcriptions de l’organisation sont envoyés dès qu’ils sont prêts.",
  "destinations.none": "Aucune destination : rien n’est envoyé hors de Greffier.",
  "destinations.admins": "Seuls les administrateurs de l’organisation gèrent ses destinations.",
  "destinations.add": "Ajouter une destination",
  "destinations.name": "Nom",
  "destinations.kind": "Type",
  "destinations.kind.matrix": "Salon Matrix (Twake Chat, Element)",
  "destinations.kind.webdav": "Dossier WebDAV (Nextcloud…)",
  "destinations.kind.email": "E-mail (SMTP)",
  "destinations.kind.webhook": "Webhook",
  "destinations.field.homeserver": "Serveur Matrix (URL)",
  "destinations.field.room": "Salon (!id ou #alias:serveur)",
  "destinations.field.user": "Compte du robot (facultatif)",
  "destinations.field.url": "URL",
  "destinations.field.username": "Identifiant (facultatif)",
  "destinations.field.host": "Serveur SMTP",
  "destinations.field.port": "Port",
  "destinations.field.sender": "Expéditeur",
  "destinations.field.recipients": "Destinataires (séparés par des virgules)",
  "destinations.secret.matrix": "Jeton d’accès (ou mot de passe du robot)",
  "destinations.secret.webdav": "Mot de passe (facultatif)",
  "destinations.secret.email": "Mot de passe SMTP (facultatif)",
  "destinations.secret.webhook": "Clé de signature (HMAC)",
  "destinations.default": "Par défaut : reçoit toutes les réunions",
  "destinations.health": "Peut recevoir des données de santé (hébergeur HDS)",
  "destinations.save": "Ajouter",
  "destinations.added": "Destination « {name} » ajoutée",
  "destinations.secret.kept": "secret enregistré",
  "destinations.mark.default": "par défaut",
  "destinations.mark.health": "données de santé",
  "destinations.remove": "Retirer",
  "destinations.remove.label": "Retirer {name}",
  "destinations.remove.title": "Retirer cette destination ?",
  "destinations.remove.body": "« {name} » ne recevra plus rien ; ce qu’elle a déjà reçu y reste.",
  "destinations.removed": "Destination « {name} » retirée",
  "error.forbidden": "Seul un administrateur de l’organisation peut le faire.",
});
Object.assign(MESSAGES.en, {
  "nav.destinations": "Destinations",
  "destinations.title": "Destinations",
  "destinations.intro": "Where the organisation’s minutes and transcripts are sent as soon as they are ready.",
  "destinations.none": "No destination: nothing is sent outside Greffier.",
  "destinations.admins": "Only the organisation’s admins manage its destinations.",
  "destinations.add": "Add a destination",
  "destinations.name": "Name",
  "destinations.kind": "Kind",
  "destinations.kind.matrix": "Matrix room (Twake Chat, Element)",
  "destinations.kind.webdav": "WebDAV folder (Nextcloud…)",
  "destinations.kind.email": "E-mail (SMTP)",
  "destinations.kind.webhook": "Webhook",
  "destinations.field.homeserver": "Matrix homeserver (URL)",
  "destinations.field.room": "Room (!id or #alias:server)",
  "destinations.field.user": "Bot account (optional)",
  "destinations.field.url": "URL",
  "destinations.field.username": "User name (optional)",
  "destinations.field.host": "SMTP server",
  "destinations.field.port": "Port",
  "destinations.field.sender": "Sender",
  "destinations.field.recipients": "Recipients (comma-separated)",
  "destinations.secret.matrix": "Access token (or the bot’s password)",
  "destinations.secret.webdav": "Password (optional)",
  "destinations.secret.email": "SMTP password (optional)",
  "destinations.secret.webhook": "Signing key (HMAC)",
  "destinations.default": "Default: receives every meeting",
  "destinations.health": "May receive health data (an HDS host)",
  "destinations.save": "Add",
  "destinations.added": "Destination “{name}” added",
  "destinations.secret.kept": "secret stored",
  "destinations.mark.default": "default",
  "destinations.mark.health": "health data",
  "destinations.remove": "Remove",
  "destinations.remove.label": "Remove {name}",
  "destinations.remove.title": "Remove this destination?",
  "destinations.remove.body": "“{name}” will receive nothing more; what it already received stays there.",
  "destinations.removed": "Destination “{name}” removed",
  "error.forbidden": "Only an admin of the organisation can do this.",
});

/** Each kind's settings: [config key, input type]; "recipients" is a list. */
const FIELDS = {
  matrix: [["homeserver", "url"], ["room", "text"], ["user", "text"]],
  webdav: [["url", "url"], ["username", "text"]],
  email: [["host", "text"], ["port", "number"], ["sender", "email"], ["recipients", "text"], ["username", "text"]],
  webhook: [["url", "url"]],
};
const REQUIRED = new Set(["homeserver", "room", "url", "host", "sender"]);

const destinationsApi = {
  list: () => request("/api/destinations"),
  add: (body) => request("/api/destinations", { method: "POST", json: body }),
  remove: (id) => request(`/api/destinations/${encodeURIComponent(id)}`, { method: "DELETE" }),
};

function field(id, key, input) {
  return h("div", { class: "field" }, h("label", { for: id, i18n: key }), input);
}

export function renderDestinations(main, { session }) {
  const admin = session.role === "admin";
  const formError = h("p", { class: "error", role: "alert", hidden: true });
  const name = h("input", { id: "dest-name", type: "text", required: true, maxlength: 200 });
  const kind = h(
    "select",
    { id: "dest-kind", onchange: () => showFields() },
    Object.keys(FIELDS).map((k) => h("option", { value: k, i18n: `destinations.kind.${k}` })),
  );
  const settings = h("div", { class: "options" });
  const secret = h("input", { id: "dest-secret", type: "password", autocomplete: "new-password" });
  const secretLabel = h("label", { for: "dest-secret" });
  const isDefault = h("input", { id: "dest-default", type: "checkbox" });
  const health = h("input", { id: "dest-health", type: "checkbox" });
  let inputs = {};

  function showFields() {
    inputs = {};
    settings.replaceChildren(
      ...FIELDS[kind.value].map(([key, type]) => {
        const input = h("input", { id: `dest-${key}`, type, required: REQUIRED.has(key), placeholder: key === "port" ? "587" : null });
        inputs[key] = input;
        return field(`dest-${key}`, `destinations.field.${key}`, input);
      }),
    );
    setI18n(secretLabel, `destinations.secret.${kind.value}`);
    secret.required = kind.value === "matrix" || kind.value === "webhook";
  }

  function config() {
    const out = {};
    for (const [key, input] of Object.entries(inputs)) {
      const value = input.value.trim();
      if (!value) continue;
      if (key === "port") out[key] = Number(value);
      else if (key === "recipients") out[key] = value.split(",").map((r) => r.trim()).filter(Boolean);
      else out[key] = value;
    }
    return out;
  }

  const form = h(
    "form",
    {
      class: "card",
      "aria-labelledby": "dest-add-title",
      onsubmit: async (event) => {
        event.preventDefault();
        const button = form.querySelector("button[type=submit]");
        button.disabled = true;
        formError.hidden = true;
        const body = { name: name.value.trim(), kind: kind.value, config: config(), default: isDefault.checked, health_data: health.checked };
        if (secret.value) body.secret = secret.value;
        try {
          await destinationsApi.add(body);
          toast("destinations.added", { name: body.name });
          form.reset();
          showFields();
          await destinations.load();
        } catch (problem) {
          formError.replaceChildren(...describeError(problem, "save"));
          formError.hidden = false;
        } finally {
          button.disabled = false;
        }
      },
    },
    h("h2", { id: "dest-add-title", i18n: "destinations.add" }),
    h("div", { class: "options" }, field("dest-name", "destinations.name", name), field("dest-kind", "destinations.kind", kind)),
    settings,
    h("div", { class: "options" }, h("div", { class: "field" }, secretLabel, secret)),
    h(
      "div",
      { class: "options" },
      h("label", { class: "check", for: "dest-default" }, isDefault, h("span", { i18n: "destinations.default" })),
      h("label", { class: "check", for: "dest-health" }, health, h("span", { i18n: "destinations.health" })),
    ),
    formError,
    h("div", { class: "row end" }, h("button", { type: "submit", class: "button primary", i18n: "destinations.save" })),
  );

  function row(destination) {
    const marks = [
      destination.default && "destinations.mark.default",
      destination.health_data && "destinations.mark.health",
      destination.has_secret && "destinations.secret.kept",
    ].filter(Boolean);
    const where = destination.config.url || destination.config.room || destination.config.host || "";
    return h(
      "li",
      { dataset: { destination: destination.name } },
      h(
        "div",
        { class: "row" },
        h("strong", { class: "name", text: destination.name }),
        h("span", { class: "badge", i18n: `destinations.kind.${destination.kind}` }),
        ...marks.map((key) => h("span", { class: "hint", i18n: key })),
        h("span", { class: "spacer" }),
        admin &&
          h("button", {
            class: "button small danger",
            i18n: "destinations.remove",
            i18nAttrs: { "aria-label": "destinations.remove.label" },
            i18nVars: { name: destination.name },
            onclick: () => remove(destination),
          }),
      ),
      where && h("p", { class: "hint", text: where }),
    );
  }

  const remove = (destination) =>
    destinations.remove(destination, {
      title: "destinations.remove.title",
      body: "destinations.remove.body",
      confirm: "destinations.remove",
      done: "destinations.removed",
      request: (d) => destinationsApi.remove(d.id),
    });
  const destinations = listing({ fetch: destinationsApi.list, row, none: "destinations.none", className: "destinations" });

  main.append(
    h("h1", { i18n: "destinations.title" }),
    h("p", { class: "hint", i18n: admin ? "destinations.intro" : "destinations.admins" }),
    h("section", { class: "card", i18nAttrs: { "aria-label": "destinations.title" } }, destinations.list, destinations.error),
    admin && form,
  );
  showFields();
  destinations.load();
  return null;
}
