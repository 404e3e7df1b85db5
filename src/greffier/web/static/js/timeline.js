// Who spoke when: one lane per speaker, a block per turn, a line at the current time. A click seeks.
import { formatTime, h } from "./dom.js";

export function createTimeline(onSeek) {
  const lanes = h("div", { class: "lanes" });
  const el = h("figure", { class: "timeline" }, h("figcaption", { class: "visually-hidden", i18n: "timeline.label" }), lanes);
  let duration = 0;
  let playheads = [];

  lanes.addEventListener("click", (event) => {
    const track = event.target.closest(".track");
    if (!track || !duration) return;
    const box = track.getBoundingClientRect();
    onSeek(Math.max(0, Math.min(1, (event.clientX - box.left) / box.width)) * duration);
  });

  return {
    el,
    render(transcript, speakers) {
      duration = transcript.duration || 0;
      const ids = speakers.size ? [...speakers.keys()] : [null];
      playheads = [];
      lanes.replaceChildren(
        ...ids.map((id) => {
          const speaker = id ? speakers.get(id) : null;
          const playhead = h("span", { class: "playhead", "aria-hidden": "true" });
          playheads.push(playhead);
          const track = h("div", { class: "track" }, playhead);
          for (const segment of transcript.segments) {
            if (id !== null && segment.speaker !== id) continue;
            const name = speaker ? `${speaker.name} · ` : "";
            track.append(
              h("span", {
                class: "turn",
                title: `${name}${formatTime(segment.start)}–${formatTime(segment.end)}`,
                style: {
                  left: `${(100 * segment.start) / duration}%`,
                  width: `${Math.max(0.3, (100 * (segment.end - segment.start)) / duration)}%`,
                  background: speaker ? speaker.colour : "var(--accent)",
                },
              }),
            );
          }
          return speaker
            ? h("div", { class: "lane" }, h("span", { class: "lane-name", text: speaker.name }), track)
            : h("div", { class: "lane anonymous" }, track);
        }),
      );
    },
    setTime(time) {
      if (!duration) return;
      const left = `${(100 * Math.min(1, time / duration)).toFixed(3)}%`;
      for (const playhead of playheads) playhead.style.left = left;
    },
  };
}
