// French and English. Elements carry their message key (data-i18n…), so switching the language
// rewrites the page in place: nothing is reloaded, the player keeps playing.
import { MESSAGES } from "./messages.js";

export const LANGUAGES = ["fr", "en"];
const STORAGE_KEY = "greffier.lang";

function initialLanguage() {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (LANGUAGES.includes(stored)) return stored;
  const browser = (navigator.language || "fr").slice(0, 2);
  return LANGUAGES.includes(browser) ? browser : "fr";
}

let current = initialLanguage();

export function lang() {
  return current;
}

/**
 * The message `key` in the current language, {name} placeholders filled from `vars`; a value
 * written "@other.key" is itself a message (translated too).
 */
export function t(key, vars = {}) {
  if (key.startsWith("language.") && !(key in MESSAGES[current])) return languageName(key.slice(9));
  const text = MESSAGES[current][key] ?? MESSAGES.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => {
    if (!(name in vars)) return `{${name}}`;
    const value = String(vars[name]);
    return value.startsWith("@") ? t(value.slice(1)) : value;
  });
}

/** "fr" -> "Français" / "French" (the browser knows every language's name). */
export function languageName(code) {
  try {
    const name = new Intl.DisplayNames([current], { type: "language" }).of(code);
    return name.charAt(0).toLocaleUpperCase(current) + name.slice(1);
  } catch {
    return code;
  }
}

/** Fill the texts and attributes of every element under `root` that names a message. */
export function applyI18n(root = document, descend = true) {
  const selector = "[data-i18n],[data-i18n-attrs],[data-date]";
  const elements = descend ? [root, ...root.querySelectorAll(selector)] : [root];
  for (const el of elements) {
    if (!el.dataset) continue;
    if (el.dataset.date) {
      el.textContent = new Date(el.dataset.date).toLocaleString(current, {
        dateStyle: "medium",
        timeStyle: "short",
      });
    }
    const vars = el.dataset.i18nVars ? JSON.parse(el.dataset.i18nVars) : {};
    if (el.dataset.i18n) el.textContent = t(el.dataset.i18n, vars);
    if (el.dataset.i18nAttrs) {
      for (const pair of el.dataset.i18nAttrs.split(";")) {
        const [attribute, key] = pair.split(":");
        el.setAttribute(attribute, t(key, vars));
      }
    }
  }
}

export function setLanguage(code) {
  if (!LANGUAGES.includes(code)) return;
  current = code;
  localStorage.setItem(STORAGE_KEY, code);
  document.documentElement.lang = code;
  applyI18n(document);
  document.dispatchEvent(new CustomEvent("languagechange", { detail: code }));
}

document.documentElement.lang = current;
