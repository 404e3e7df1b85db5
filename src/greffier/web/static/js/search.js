// Search across meetings: the field in the header, and the results page (/search?q=…). Each hit shows
// its meeting, moment, speakers and snippet (the matched words in <mark>, every text set as text),
// linked to the meeting at that moment (#t=start,end).
import { api } from "./api.js";
import { formatTime, h, setI18n } from "./dom.js";
import { describeError } from "./errors.js";
import { MESSAGES } from "./messages.js";

const SEARCH_MESSAGES = {
  fr: {
    "find.label": "Rechercher dans toutes les réunions",
    "find.placeholder": "Rechercher dans les réunions…",
    "find.submit": "Rechercher",
    "find.title": "Recherche dans les réunions",
    "find.empty": "Tapez quelques mots, ou une question, dans le champ de recherche.",
    "find.none": "Rien trouvé pour « {q} ».",
    "find.count": "{count} passage(s) trouvé(s) pour « {q} ».",
    "find.more": "Plus de résultats",
    "find.kind.title": "titre",
    "find.kind.transcript": "transcription",
    "find.kind.minutes": "compte rendu",
  },
  en: {
    "find.label": "Search all meetings",
    "find.placeholder": "Search meetings…",
    "find.submit": "Search",
    "find.title": "Search across meetings",
    "find.empty": "Type a few words, or a question, in the search field.",
    "find.none": "Nothing found for “{q}”.",
    "find.count": "{count} passage(s) found for “{q}”.",
    "find.more": "More results",
    "find.kind.title": "title",
    "find.kind.transcript": "transcript",
    "find.kind.minutes": "minutes",
  },
};
for (const [code, messages] of Object.entries(SEARCH_MESSAGES)) Object.assign(MESSAGES[code], messages);

const PAGE = 20;

/** The header's search form: it opens the results page. */
export function searchField(navigate) {
  const current = location.pathname === "/search" ? new URLSearchParams(location.search).get("q") : "";
  const input = h("input", {
    type: "search",
    name: "q",
    maxlength: 500,
    value: current || "",
    i18nAttrs: { placeholder: "find.placeholder", "aria-label": "find.label" },
  });
  return h(
    "form",
    {
      class: "find",
      role: "search",
      onsubmit: (event) => {
        event.preventDefault();
        const q = input.value.trim();
        if (q) navigate(`/search?${new URLSearchParams({ q })}`);
      },
    },
    input,
    h("button", { class: "button small", type: "submit", i18n: "find.submit" }),
  );
}

/** The snippet with its matched words marked; the server counts offsets in code points. */
function marked(snippet, highlights) {
  const chars = Array.from(snippet);
  const parts = [];
  let last = 0;
  for (const [start, end] of highlights) {
    parts.push(chars.slice(last, start).join(""), h("mark", { text: chars.slice(start, end).join("") }));
    last = end;
  }
  parts.push(chars.slice(last).join(""));
  return parts;
}

function hitItem(hit) {
  const facts = [h("time", { date: hit.meeting_created }), h("span", { i18n: `find.kind.${hit.kind}` })];
  if (hit.kind !== "title") facts.push(h("span", { class: "num", text: `${formatTime(hit.start)}–${formatTime(hit.end)}` }));
  if (hit.speakers.length) facts.push(h("span", { text: hit.speakers.join(", ") }));
  return h(
    "li",
    { class: "hit" },
    h("a", { href: hit.link, "data-link": "", class: "hit-meeting", text: hit.meeting_title }),
    h("p", { class: "facts" }, facts.flatMap((fact, i) => (i ? [" · ", fact] : [fact]))),
    h("p", { class: "snippet" }, marked(hit.snippet, hit.highlights)),
  );
}

/** The results page of /search?q=… */
export function renderSearch(main) {
  const q = (new URLSearchParams(location.search).get("q") || "").trim();
  const status = h("p", { class: "hint", role: "status" });
  const list = h("ol", { class: "hits" });
  const more = h("button", { class: "button", type: "button", i18n: "find.more", hidden: true });
  main.append(h("section", { class: "card find-results" }, h("h1", { i18n: "find.title" }), status, list, more));
  let offset = 0;
  let stopped = false;

  async function load() {
    more.disabled = true;
    try {
      const { data } = await api.search({ q, limit: PAGE, offset });
      if (stopped) return;
      list.append(...data.items.map(hitItem));
      offset += data.items.length;
      more.hidden = !data.items.length || offset >= data.total;
      setI18n(status, data.total ? "find.count" : "find.none", { q, count: data.total });
    } catch (error) {
      if (!stopped) status.replaceChildren(...describeError(error, "load"));
    } finally {
      more.disabled = false;
    }
  }
  more.addEventListener("click", load);
  if (q) load();
  else setI18n(status, "find.empty");
  return () => {
    stopped = true;
  };
}
