// Building the page from data without innerHTML: text is always set as text, never parsed.
import { applyI18n } from "./i18n.js";

/**
 * h("button", {class: "x", i18n: "play", onclick: f, "aria-label": "…"}, child, "text", …)
 * - i18n: a key whose translation becomes the text (kept in sync when the language changes)
 * - i18nVars: values for {placeholders} in that translation
 * - i18nAttrs: {attribute: key} translated attributes (aria-label, title, placeholder)
 * - date: an ISO date shown in the current language (a <time> element)
 * - style: {property: value}, set through CSSOM (which the page's Content-Security-Policy allows)
 * - on<event>: listener; dataset: data-* values; other keys: attributes (false/null: left out)
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key === "i18n") el.dataset.i18n = value;
    else if (key === "i18nVars") el.dataset.i18nVars = JSON.stringify(value);
    else if (key === "i18nAttrs") el.dataset.i18nAttrs = Object.entries(value).map(([a, k]) => `${a}:${k}`).join(";");
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "date") {
      el.dataset.date = value;
      el.setAttribute("datetime", value);
    }
    else if (key === "style") for (const [name, v] of Object.entries(value)) el.style.setProperty(name, v);
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  if (attrs.i18n || attrs.i18nAttrs || attrs.date) applyI18n(el, false);
  return el;
}

/** Make `el` show the message `key` (and keep showing it in the current language). */
export function setI18n(el, key, vars = {}) {
  el.dataset.i18n = key;
  el.dataset.i18nVars = JSON.stringify(vars);
  applyI18n(el, false);
  return el;
}

/** Translated attributes: {"aria-label": key, title: key}. */
export function setI18nAttrs(el, attributes) {
  el.dataset.i18nAttrs = Object.entries(attributes).map(([a, k]) => `${a}:${k}`).join(";");
  applyI18n(el, false);
  return el;
}

export function append(el, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

/** 75.3 -> "1:15", 3725 -> "1:02:05" */
export function formatTime(seconds) {
  const s = Math.max(0, Math.floor(seconds || 0));
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return hh ? `${hh}:${String(mm).padStart(2, "0")}:${ss}` : `${mm}:${ss}`;
}

export function formatBytes(n, lang) {
  const units = lang === "fr" ? ["o", "Ko", "Mo", "Go"] : ["B", "KB", "MB", "GB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i += 1;
  }
  return `${n.toLocaleString(lang, { maximumFractionDigits: i ? 1 : 0 })} ${units[i]}`;
}

/** A live region for short confirmations ("Saved as version 3"). */
export function toast(key, vars = {}) {
  const box = document.getElementById("toast");
  clear(box).append(h("p", { i18n: key, i18nVars: vars }));
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (box.hidden = true), 4000);
}

/** A modal question; resolves true when confirmed. Focus stays inside and returns where it was. */
export function confirmDialog({ title, body, bodyVars = {}, confirm, danger = false }) {
  return new Promise((resolve) => {
    const dialog = h(
      "dialog",
      { class: "dialog", "aria-labelledby": "dialog-title" },
      h("h2", { id: "dialog-title", i18n: title }),
      h("p", { i18n: body, i18nVars: bodyVars }),
      h(
        "form",
        { method: "dialog", class: "row end" },
        h("button", { value: "cancel", class: "button", i18n: "cancel" }),
        h("button", { value: "ok", class: danger ? "button danger" : "button primary", i18n: confirm }),
      ),
    );
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "ok");
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}
