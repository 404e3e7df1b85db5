// One meeting: the recording, its transcript (synced, corrected in place), speakers, versions,
// downloads, and deletion. While the transcription runs, its progress, live.
import { api, audioUrl, exportUrl, followJob } from "./api.js";
import { createConsentPanel } from "./consent.js";
import { createDeliveriesPanel } from "./deliveries.js";
import { createDeliveryChoice } from "./delivery-choice.js";
import { confirmDialog, formatTime, h, toast } from "./dom.js";
import { describeError, describeJobFailure } from "./errors.js";
import { createMinutesPanel } from "./minutes.js";
import { createPlayer } from "./player.js";
import { speakerPerson } from "./people.js";
import { renderSpeakers, speakerInfo } from "./speakers.js";
import { jobProgress, statusBadge } from "./status.js";
import { createTimeline } from "./timeline.js";
import { createTranscriptView } from "./transcript.js";
import { renderVersions } from "./versions.js";

const versionOf = (etag) => Number(String(etag).replace(/\D/g, ""));

export function renderMeeting(main, id, { session, navigate }) {
  const stops = [];
  let meeting = null;
  let transcript = null;
  let etag = null;
  let player = null;

  const timeline = createTimeline((time) => player?.seek(time));
  const view = createTranscriptView({ onSeek: (time) => player?.seek(time), onCorrect: correct });
  const minutes = createMinutesPanel(id, {
    onEvidence: (span) => {
      player?.seek(span.start);
      view.highlightSpan(span.start, span.end);
    },
  });
  const speakersPanel = h("section", { class: "card panel speakers-panel", "aria-live": "polite" });
  const versionsPanel = h("section", { class: "card panel versions-panel" });
  const jobBox = h("section", { class: "card job", hidden: true, "aria-live": "polite" });
  const notice = h("p", { class: "error", role: "alert", hidden: true });
  const head = h("header", { class: "meeting-head" });
  const playerBar = h("div", { class: "player-bar" });
  const transcriptSection = h(
    "section",
    { class: "card transcript", "aria-labelledby": "transcript-title", hidden: true },
    h(
      "div",
      { class: "row" },
      h("h2", { id: "transcript-title", i18n: "transcript.title" }),
      h("span", { class: "spacer" }),
      followToggle(),
    ),
    view.el,
  );
  const consent = createConsentPanel(id);
  const deliveries = createDeliveriesPanel(id);
  const choice = createDeliveryChoice(id);
  choice.load();
  const aside = h("aside", { class: "side", hidden: true }, speakersPanel, versionsPanel, consent.el, deliveries.el, choice.el);
  main.append(
    h("article", { class: "meeting" }, head, notice, jobBox, playerBar, minutes.el, h("div", { class: "layout" }, transcriptSection, aside)),
  );

  function followToggle() {
    const box = h("input", { id: "follow", type: "checkbox", checked: true, onchange: () => view.setFollowing(box.checked) });
    return h("label", { class: "check hint", for: "follow" }, box, h("span", { i18n: "transcript.follow" }));
  }

  function showError(error, context = "load") {
    notice.replaceChildren(...describeError(error, context));
    notice.hidden = false;
  }

  // -- header: title, facts, downloads, delete -------------------------------------------------------
  function renderHead() {
    const facts = [
      h("time", { date: meeting.created }),
      meeting.duration ? h("span", { class: "num", text: formatTime(meeting.duration) }) : null,
      meeting.language ? h("span", { i18n: `language.${meeting.language}`, title: meeting.language }) : null,
      h("span", { class: "hint", text: meeting.filename }),
      statusBadge(meeting.status),
    ].filter(Boolean);
    head.replaceChildren(
      h("a", { href: "/", "data-link": "", class: "back", i18n: "meeting.back" }),
      h("h1", { text: meeting.title }),
      h("p", { class: "facts" }, facts.flatMap((fact, i) => (i ? [" · ", fact] : [fact]))),
      h("div", { class: "actions" }, transcript ? downloads() : null, deleteButton()),
    );
  }

  function downloads() {
    return h(
      "details",
      { class: "menu" },
      h("summary", { class: "button", i18n: "meeting.download" }),
      h(
        "ul",
        {},
        session.export_formats.map((format) =>
          h("li", {}, h("a", { href: exportUrl(id, format), download: "", dataset: { format }, i18n: `format.${format}` })),
        ),
      ),
    );
  }

  function deleteButton() {
    return h("button", {
      class: "button danger",
      i18n: "meeting.delete",
      onclick: async () => {
        const sure = await confirmDialog({
          title: "meeting.delete.title",
          body: "meeting.delete.body",
          bodyVars: { title: meeting.title },
          confirm: "meeting.delete.confirm",
          danger: true,
        });
        if (!sure) return;
        try {
          await api.deleteMeeting(id);
        } catch (error) {
          return showError(error, "delete");
        }
        toast("meeting.deleted", { title: meeting.title });
        navigate("/");
      },
    });
  }

  // -- the job, while it runs --------------------------------------------------------------------------
  function showJob(job) {
    const progress = jobProgress(job);
    const bar = h("progress", { max: 1, value: progress.value, "aria-labelledby": "job-label" });
    jobBox.hidden = false;
    if (job.state === "failed") {
      jobBox.replaceChildren(h("h2", { i18n: "job.failed" }), h("p", { class: "error", role: "alert" }, ...describeJobFailure(job)));
      return;
    }
    jobBox.replaceChildren(
      h("h2", { i18n: "job.title" }),
      bar,
      h("p", { id: "job-label", i18n: progress.key, i18nVars: progress.vars }),
      h("p", { class: "hint", i18n: "job.hint" }),
    );
  }

  // -- the transcript --------------------------------------------------------------------------------
  function show(data, tag) {
    transcript = data;
    etag = tag;
    const speakers = speakerInfo(transcript);
    timeline.render(transcript, speakers);
    view.render(transcript, speakers);
    const admin = session.role === "admin";
    renderSpeakers(speakersPanel, speakers, { onRename: rename, extra: (sp) => speakerPerson(id, sp, { admin }) });
    minutes.update(versionOf(tag), speakers);
    consent.load();
    deliveries.load();
    transcriptSection.hidden = aside.hidden = false;
    if (player) {
      view.setTime(player.audio.currentTime);
      timeline.setTime(player.audio.currentTime);
    }
  }

  async function loadTranscript() {
    const [{ data, etag: tag }, versions] = await Promise.all([api.transcript(id), api.versions(id)]);
    show(data, tag);
    renderVersions(versionsPanel, versions.data, { onRestore: restore });
    renderHead();
  }

  async function refreshVersions() {
    const versions = await api.versions(id);
    renderVersions(versionsPanel, versions.data, { onRestore: restore });
  }

  async function save(request) {
    try {
      const { data, etag: tag } = await request();
      show(data, tag);
      toast("saved", { version: versionOf(tag) });
      await refreshVersions();
    } catch (error) {
      if (error.type === "version_conflict") {
        toast("error.conflict");
        await loadTranscript();
      }
      throw error;
    }
  }

  async function correct(edit) {
    await save(() => api.correct(id, etag, { segments: [edit] }));
    view.focusSegment(edit.id);
  }

  async function rename(speakerId, name) {
    await save(() => api.correct(id, etag, { speakers: { [speakerId]: name } }));
    speakersPanel.querySelector(`[data-speaker="${CSS.escape(speakerId)}"] button`)?.focus();
  }

  async function restore(version) {
    const sure = await confirmDialog({
      title: "versions.restore.title",
      body: "versions.restore.body",
      bodyVars: { version },
      confirm: "versions.restore.confirm",
    });
    if (!sure) return;
    try {
      const old = (await api.transcript(id, version)).data;
      await api.replace(id, etag, old);
      await loadTranscript();
      toast("versions.restored", { version });
    } catch (error) {
      showError(error, "save");
    }
  }

  /** A link to a moment (#t=start,end, from a search hit): that passage marked, the player there. */
  function showMoment() {
    const moment = location.hash.match(/^#t=(\d+(?:\.\d+)?),(\d+(?:\.\d+)?)$/);
    if (!moment || !transcript) return;
    const [start, end] = [Number(moment[1]), Number(moment[2])];
    player?.seek(start);
    view.highlightSpan(start, end);
  }

  // -- start -----------------------------------------------------------------------------------------
  async function start() {
    try {
      meeting = (await api.meeting(id)).data;
    } catch (error) {
      showError(error);
      return;
    }
    renderHead();
    document.title = `${meeting.title} – Greffier`;
    player = createPlayer(audioUrl(id), meeting.duration);
    player.onTime((time) => {
      timeline.setTime(time);
      view.setTime(time);
    });
    playerBar.replaceChildren(player.el, timeline.el);
    if (meeting.status === "done") {
      await loadTranscript().catch(showError);
      showMoment();
      return;
    }
    if (meeting.job) showJob(meeting.job);
    if (meeting.status === "failed") return;
    stops.push(
      followJob(
        meeting.job.id,
        async (job) => {
          showJob(job);
          meeting.job = job;
          if (job.state === "succeeded") {
            jobBox.hidden = true;
            meeting = (await api.meeting(id)).data;
            await loadTranscript().catch(showError);
          } else {
            const status = { queued: "queued", running: "running", failed: "failed" }[job.state];
            if (status !== meeting.status) {
              meeting.status = status;
              renderHead();
            }
          }
        },
        () => navigate("/"),
      ),
    );
  }
  start();

  return () => {
    for (const stop of stops) stop();
    minutes.stop();
    deliveries.stop();
    player?.destroy();
  };
}
