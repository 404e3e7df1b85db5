// The shell: header, language switch, offline banner, and which view fills <main> for each address.
import { api } from "./api.js";
import { callRoute, renderCallPage } from "./call.js";
import { renderDestinations } from "./destinations.js";
import { append, clear, h } from "./dom.js";
import { LANGUAGES, applyI18n, lang, setLanguage } from "./i18n.js";
import { renderLive } from "./live.js";
import { renderMeeting } from "./meeting.js";
import { renderMeetings } from "./meetings.js";
import { renderSearch, searchField } from "./search.js";
import { renderPeople } from "./people.js";
import { renderSignIn } from "./signin.js";

const main = document.getElementById("main");
const state = { session: null, cleanup: null };
const OWN_NAMES = { fr: "Français", en: "English" }; // each language named in itself

export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  route();
}

function header() {
  const bar = clear(document.getElementById("top"));
  const switcher = h(
    "div",
    { class: "languages", role: "group", i18nAttrs: { "aria-label": "language" } },
    LANGUAGES.map((code) =>
      h("button", {
        class: "link",
        lang: code,
        "aria-pressed": String(code === lang()),
        text: code.toUpperCase(),
        "aria-label": OWN_NAMES[code],
        onclick: () => {
          setLanguage(code);
          for (const b of switcher.querySelectorAll("button")) b.setAttribute("aria-pressed", String(b.lang === code));
        },
      }),
    ),
  );
  append(bar, [
    h("a", { href: "/", class: "brand", "data-link": "" }, h("span", { class: "logo", "aria-hidden": "true" }), "Greffier"),
    h(
      "nav",
      { i18nAttrs: { "aria-label": "nav.main" } },
      state.session && h("a", { href: "/", "data-link": "", i18n: "nav.meetings" }),
      state.session && h("a", { href: "/live", "data-link": "", i18n: "nav.live" }),
      state.session && h("a", { href: "/calls", "data-link": "", i18n: "nav.calls" }),
      state.session?.role === "admin" && h("a", { href: "/destinations", "data-link": "", i18n: "nav.destinations" }),
      state.session && h("a", { href: "/people", "data-link": "", i18n: "nav.people" }),
    ),
    h("div", { class: "spacer" }),
    state.session && searchField(navigate),
    state.session && h("span", { class: "who", text: state.session.email, title: state.session.organisation }),
    switcher,
    state.session &&
      h("button", {
        class: "button small",
        i18n: "nav.signout",
        onclick: async () => {
          try {
            await api.signOut();
          } finally {
            state.session = null;
            navigate("/sign-in");
          }
        },
      }),
  ]);
}

async function ensureSession() {
  if (state.session) return state.session;
  try {
    state.session = (await api.session()).data;
  } catch (error) {
    if (error.status === 401) return null;
    throw error;
  }
  return state.session;
}

export async function route() {
  if (state.cleanup) state.cleanup();
  state.cleanup = null;
  clear(main);
  const path = location.pathname;
  let session;
  try {
    session = await ensureSession();
  } catch (error) {
    header();
    main.append(h("p", { class: "error", role: "alert", i18n: "error.offline" }));
    return;
  }
  if (!session && path !== "/sign-in") {
    navigate(`/sign-in?next=${encodeURIComponent(path)}`, { replace: true });
    return;
  }
  header();
  if (path === "/sign-in") {
    state.cleanup = renderSignIn(main, async (newSession) => {
      state.session = newSession;
      const next = new URLSearchParams(location.search).get("next");
      navigate(next && next.startsWith("/") && !next.startsWith("//") ? next : "/", { replace: true });
    });
    return;
  }
  const match = path.match(/^\/meetings\/([0-9a-f-]{36})$/);
  const context = { session, navigate };
  const call = callRoute(path);
  if (path === "/live") state.cleanup = renderLive(main, context);
  else if (path === "/destinations") state.cleanup = renderDestinations(main, context);
  else if (path === "/search") state.cleanup = renderSearch(main);
  else if (path === "/people") state.cleanup = renderPeople(main, context);
  else if (call) state.cleanup = renderCallPage(main, call);
  else state.cleanup = match ? renderMeeting(main, match[1], context) : renderMeetings(main, context);
  main.focus({ preventScroll: true });
}

// -- the server unreachable: say so, check again every few seconds ------------------------------------
let probe = null;
function offline() {
  document.getElementById("offline").hidden = false;
  if (probe) return;
  probe = setInterval(async () => {
    try {
      await api.health();
    } catch {
      return;
    }
  }, 5000);
}
function online() {
  document.getElementById("offline").hidden = true;
  clearInterval(probe);
  probe = null;
}
document.addEventListener("greffier:offline", offline);
document.addEventListener("greffier:online", online);
window.addEventListener("offline", offline);
window.addEventListener("online", () => api.health().catch(() => {}));
document.addEventListener("greffier:signedout", () => {
  if (!state.session) return;
  state.session = null;
  navigate(`/sign-in?next=${encodeURIComponent(location.pathname)}`, { replace: true });
});

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-link]");
  if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
  event.preventDefault();
  navigate(link.getAttribute("href"));
});
// open menus (<details class="menu">) close on Escape, on a click elsewhere, and once a choice is made
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const menu of document.querySelectorAll("details.menu[open]")) {
    menu.open = false;
    menu.querySelector("summary").focus();
  }
});
document.addEventListener("click", (event) => {
  for (const menu of document.querySelectorAll("details.menu[open]")) {
    if (!menu.contains(event.target) || event.target.closest("a")) menu.open = false;
  }
});
window.addEventListener("popstate", route);
applyI18n(document);
route();
