// The meetings page: upload recordings (drag and drop, progress, then the job live), search, list.
import { ApiError, api, followJob, uploadRecording } from "./api.js";
import { clear, formatBytes, formatTime, h, setI18n } from "./dom.js";
import { describeError, describeJobFailure } from "./errors.js";
import { lang, t } from "./i18n.js";
import { jobProgress, statusBadge } from "./status.js";

const PAGE = 50;
export const LANGUAGE_CHOICES = ["", "fr", "en", "de", "es", "it", "nl", "pt"];

export function renderMeetings(main, { session }) {
  const stops = new Set(); // live job streams to close when leaving the page
  const rows = new Map(); // meeting id -> its list row (updated by job events)

  // -- upload --------------------------------------------------------------------------------------
  const fileInput = h("input", {
    id: "files",
    type: "file",
    multiple: true,
    accept: "audio/*,video/*,.opus,.m4a,.mkv,.webm",
    class: "visually-hidden",
    onchange: () => {
      addFiles(fileInput.files);
      fileInput.value = "";
    },
  });
  const language = h(
    "select",
    { id: "language" },
    LANGUAGE_CHOICES.map((code) => h("option", { value: code, i18n: code ? `language.${code}` : "language.auto" })),
  );
  language.value = lang();
  const diarize = h("input", { id: "diarize", type: "checkbox", checked: true });
  const speakers = h("input", { id: "speakers", type: "number", min: 1, max: 32, inputmode: "numeric" });
  const identify = h("input", { id: "identify", type: "checkbox" });
  const queue = h("ul", { class: "uploads", "aria-live": "polite" });
  const drop = h(
    "div",
    {
      class: "dropzone",
      tabindex: 0,
      role: "button",
      "aria-describedby": "drop-hint",
      i18nAttrs: { "aria-label": "upload.choose" },
      onclick: () => fileInput.click(),
      onkeydown: (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          fileInput.click();
        }
      },
      ondragover: (event) => {
        event.preventDefault();
        drop.classList.add("over");
      },
      ondragleave: () => drop.classList.remove("over"),
      ondrop: (event) => {
        event.preventDefault();
        drop.classList.remove("over");
        addFiles(event.dataTransfer.files);
      },
    },
    h("span", { class: "drop-icon", "aria-hidden": "true", text: "⇪" }),
    h("strong", { i18n: "upload.drop" }),
    h("span", { id: "drop-hint", class: "hint", i18n: "upload.hint", i18nVars: { mb: session.max_upload_mb } }),
  );
  const uploadSection = h(
    "section",
    { class: "card", "aria-labelledby": "upload-title" },
    h("h2", { id: "upload-title", i18n: "upload.title" }),
    fileInput,
    drop,
    h(
      "div",
      { class: "options" },
      h("label", { for: "language", i18n: "upload.language" }),
      language,
      h("label", { class: "check", for: "diarize" }, diarize, h("span", { i18n: "upload.diarize" })),
      h("label", { for: "speakers", i18n: "upload.speakers" }),
      speakers,
      h("label", { class: "check", for: "identify" }, identify, h("span", { i18n: "upload.identify" })),
    ),
    queue,
  );

  const pending = [];
  let uploading = false;

  function addFiles(files) {
    for (const file of files) {
      const item = uploadItem(file);
      queue.prepend(item.el);
      const tooLarge = file.size > session.max_upload_mb * 1024 * 1024;
      if (file.size === 0) item.fail(describeError(new ApiError(400, { type: "empty_file" })));
      else if (tooLarge) item.fail(describeError(new ApiError(413, {}), "upload", { mb: session.max_upload_mb }));
      else pending.push({ file, item });
    }
    pump();
  }

  async function pump() {
    if (uploading) return;
    uploading = true;
    while (pending.length) {
      const { file, item } = pending.shift();
      const fields = {
        language: language.value,
        diarize: diarize.checked,
        speakers: diarize.checked && speakers.value ? speakers.value : "",
        identify: identify.checked,
      };
      const upload = uploadRecording(file, fields, (fraction) => item.uploading(fraction));
      item.onCancel(upload.abort);
      try {
        const meeting = await upload.promise;
        item.uploaded(meeting);
        refresh();
        stops.add(
          followJob(meeting.job.id, (job) => {
            item.job(job);
            updateRow(meeting.id, job);
          }),
        );
      } catch (error) {
        if (error.type !== "aborted") item.fail(describeError(error, "upload", { mb: session.max_upload_mb }));
        else item.el.remove();
      }
    }
    uploading = false;
  }

  // -- search and list ------------------------------------------------------------------------------
  const q = h("input", { id: "q", type: "search", i18nAttrs: { placeholder: "search.placeholder" } });
  const from = h("input", { id: "from", type: "date" });
  const to = h("input", { id: "to", type: "date" });
  const list = h("tbody");
  const summary = h("p", { class: "hint", "aria-live": "polite" });
  const more = h("button", { class: "button", i18n: "list.more", hidden: true, onclick: () => load(true) });
  const listError = h("p", { class: "error", role: "alert", hidden: true });
  let offset = 0;
  let timer = null;
  let generation = 0;

  const searchForm = h(
    "form",
    {
      class: "search",
      role: "search",
      onsubmit: (event) => {
        event.preventDefault();
        refresh();
      },
      oninput: () => {
        clearTimeout(timer);
        timer = setTimeout(refresh, 300);
      },
    },
    h("div", { class: "field grow" }, h("label", { for: "q", i18n: "search.label" }), q),
    h("div", { class: "field" }, h("label", { for: "from", i18n: "search.from" }), from),
    h("div", { class: "field" }, h("label", { for: "to", i18n: "search.to" }), to),
  );

  function dayAfter(value) {
    const day = new Date(`${value}T00:00:00`);
    day.setDate(day.getDate() + 1);
    return day.toISOString();
  }

  function refresh() {
    offset = 0;
    load(false);
  }

  async function load(append) {
    const mine = ++generation;
    const params = { limit: PAGE, offset };
    if (q.value.trim()) params.q = q.value.trim();
    if (from.value) params.created_from = new Date(`${from.value}T00:00:00`).toISOString();
    if (to.value) params.created_to = dayAfter(to.value);
    let page;
    try {
      page = (await api.meetings(params)).data;
    } catch (error) {
      if (mine !== generation) return;
      listError.replaceChildren(...describeError(error, "load"));
      listError.hidden = false;
      return;
    }
    if (mine !== generation) return; // a newer search has been sent
    listError.hidden = true;
    if (!append) {
      clear(list);
      rows.clear();
    }
    for (const meeting of page.items) list.append(meetingRow(meeting));
    offset += page.items.length;
    more.hidden = offset >= page.total;
    setI18n(summary, page.total ? "list.count" : "list.empty", { count: page.total });
  }

  function meetingRow(meeting) {
    const status = h("td", {}, statusBadge(meeting.status, meeting.job));
    const row = h(
      "tr",
      { dataset: { id: meeting.id } },
      h("td", {}, h("a", { href: `/meetings/${meeting.id}`, "data-link": "", text: meeting.title })),
      h("td", {}, h("time", { date: meeting.created })),
      h("td", { class: "num", text: meeting.duration ? formatTime(meeting.duration) : "–" }),
      h("td", meeting.language ? { i18n: `language.${meeting.language}`, title: meeting.language } : { text: "–" }),
      status,
    );
    rows.set(meeting.id, { row, status, meeting });
    if (meeting.job && (meeting.status === "queued" || meeting.status === "running")) {
      stops.add(followJob(meeting.job.id, (job) => updateRow(meeting.id, job)));
    }
    return row;
  }

  function updateRow(id, job) {
    const entry = rows.get(id);
    if (!entry) return;
    const status = { queued: "queued", running: "running", succeeded: "done", failed: "failed" }[job.state];
    entry.status.replaceChildren(statusBadge(status, job));
  }

  main.append(
    h("h1", { i18n: "meetings.title" }),
    uploadSection,
    h(
      "section",
      { class: "card", "aria-labelledby": "list-title" },
      h("h2", { id: "list-title", i18n: "list.heading" }),
      searchForm,
      summary,
      listError,
      h(
        "div",
        { class: "table-wrap" },
        h(
          "table",
          { class: "meetings" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              ["list.title", "list.date", "list.duration", "list.language", "list.status"].map((key) =>
                h("th", { scope: "col", i18n: key }),
              ),
            ),
          ),
          list,
        ),
      ),
      more,
    ),
  );
  refresh();
  document.title = `${t("meetings.title")} – Greffier`;
  return () => {
    for (const stop of stops) stop();
    clearTimeout(timer);
  };
}

/** One file of the upload queue: its upload, then its job, then a link to the meeting. */
function uploadItem(file) {
  const bar = h("progress", { max: 1, value: 0 });
  const label = h("span", { class: "state", i18n: "upload.waiting" });
  const action = h("span", { class: "action" });
  const el = h(
    "li",
    { class: "upload" },
    h(
      "div",
      { class: "row" },
      h("strong", { class: "name", text: file.name }),
      h("span", { class: "hint", text: formatBytes(file.size, lang()) }),
      action,
    ),
    h("div", { class: "row" }, bar, label),
  );
  bar.setAttribute("aria-label", file.name);
  const set = (key, vars = {}) => setI18n(label, key, vars);
  return {
    el,
    onCancel(abort) {
      action.replaceChildren(h("button", { class: "link", i18n: "cancel", onclick: abort }));
    },
    uploading(fraction) {
      bar.value = fraction;
      set("upload.sending", { percent: Math.round(fraction * 100) });
    },
    uploaded(meeting) {
      el.dataset.meeting = meeting.id;
      bar.value = 0;
      bar.classList.add("job");
      action.replaceChildren(h("a", { href: `/meetings/${meeting.id}`, "data-link": "", i18n: "upload.open" }));
      set("status.queued");
    },
    job(job) {
      const view = jobProgress(job);
      bar.value = view.value;
      if (job.state === "failed") {
        el.classList.add("failed");
        label.replaceChildren(...describeJobFailure(job));
        label.setAttribute("role", "alert");
        return;
      }
      if (job.state === "succeeded") el.classList.add("done");
      set(view.key, view.vars);
    },
    fail(nodes) {
      el.classList.add("failed");
      bar.hidden = true;
      action.replaceChildren();
      label.replaceChildren(...nodes);
      label.setAttribute("role", "alert");
    },
  };
}
