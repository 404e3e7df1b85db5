// The audio player: play/pause, ±5 s, a position slider, speed 0.5–2x, keyboard shortcuts, and a
// steady stream of the current time for whoever follows it (transcript, timeline).
import { formatTime, h, setI18nAttrs } from "./dom.js";

export const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 1.75, 2];
export const SKIP_SECONDS = 5;
const SPEED_KEY = "greffier.speed";
const ICONS = {
  play: "M8 5v14l11-7z",
  pause: "M6 5h4v14H6zM14 5h4v14h-4z",
  back: "M11 18V6l-8.5 6zm.5-6 8.5 6V6z",
  forward: "M4 18l8.5-6L4 6zm9-12v12l8.5-6z",
};

function icon(name) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", ICONS[name]);
  svg.append(path);
  return svg;
}

function isTyping(target) {
  return target.closest("input, textarea, select, [contenteditable=''], [contenteditable='true'], dialog");
}

export function createPlayer(src, knownDuration) {
  const listeners = new Set();
  const audio = h("audio", { src, preload: "auto" });
  const playButton = h("button", { class: "button icon primary", i18nAttrs: { "aria-label": "player.play" } });
  const setPlayIcon = () => {
    playButton.replaceChildren(icon(audio.paused ? "play" : "pause"));
    setI18nAttrs(playButton, { "aria-label": audio.paused ? "player.play" : "player.pause" });
  };
  const current = h("span", { class: "num", text: "0:00" });
  const total = h("span", { class: "num", text: formatTime(knownDuration) });
  const seek = h("input", {
    type: "range",
    class: "seek",
    min: 0,
    max: knownDuration || 0,
    step: 0.05,
    value: 0,
    i18nAttrs: { "aria-label": "player.position" },
  });
  const speed = h(
    "select",
    { id: "speed", class: "speed" },
    SPEEDS.map((rate) => h("option", { value: rate, text: `${rate.toLocaleString()}×` })),
  );
  const error = h("p", { class: "error", role: "alert", hidden: true, i18n: "error.audio" });
  const el = h(
    "div",
    { class: "player", role: "group", i18nAttrs: { "aria-label": "player.label" } },
    audio,
    h(
      "div",
      { class: "controls" },
      h("button", {
        class: "button icon",
        i18nAttrs: { "aria-label": "player.back", title: "player.back" },
        onclick: () => skip(-SKIP_SECONDS),
      }, icon("back")),
      playButton,
      h("button", {
        class: "button icon",
        i18nAttrs: { "aria-label": "player.forward", title: "player.forward" },
        onclick: () => skip(SKIP_SECONDS),
      }, icon("forward")),
      h("span", { class: "time" }, current, " / ", total),
      seek,
      h("label", { for: "speed", class: "hint", i18n: "player.speed" }),
      speed,
    ),
    h("p", { class: "hint shortcuts", i18n: "player.shortcuts" }),
    error,
  );

  function duration() {
    return Number.isFinite(audio.duration) ? audio.duration : knownDuration || 0;
  }
  function emit() {
    const time = audio.currentTime;
    current.textContent = formatTime(time);
    if (document.activeElement !== seek) seek.value = String(time);
    seek.setAttribute("aria-valuetext", `${formatTime(time)} / ${formatTime(duration())}`);
    for (const listener of listeners) listener(time);
  }
  function seekTo(time) {
    audio.currentTime = Math.min(Math.max(0, time), duration() || time);
    emit();
  }
  function skip(delta) {
    seekTo(audio.currentTime + delta);
  }
  function toggle() {
    if (audio.paused) audio.play().catch(() => {});
    else audio.pause();
  }

  let frame = null;
  const tick = () => {
    emit();
    frame = audio.paused ? null : requestAnimationFrame(tick);
  };
  playButton.addEventListener("click", toggle);
  audio.addEventListener("play", () => {
    setPlayIcon();
    if (!frame) frame = requestAnimationFrame(tick);
  });
  audio.addEventListener("pause", setPlayIcon);
  audio.addEventListener("seeked", emit);
  audio.addEventListener("timeupdate", () => frame || emit());
  audio.addEventListener("loadedmetadata", () => {
    seek.max = String(duration());
    total.textContent = formatTime(duration());
  });
  audio.addEventListener("error", () => (error.hidden = false));
  seek.addEventListener("input", () => seekTo(Number(seek.value)));
  speed.addEventListener("change", () => {
    audio.playbackRate = Number(speed.value);
    localStorage.setItem(SPEED_KEY, speed.value);
  });
  const savedSpeed = Number(localStorage.getItem(SPEED_KEY));
  speed.value = String(SPEEDS.includes(savedSpeed) ? savedSpeed : 1);
  audio.playbackRate = Number(speed.value);
  audio.defaultPlaybackRate = audio.playbackRate;
  setPlayIcon();

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
    const onButton = event.target.closest("button, a, summary");
    if ((event.key === " " && !onButton) || event.key === "k") toggle();
    else if (event.key === "ArrowLeft" || event.key === "j") skip(-SKIP_SECONDS);
    else if (event.key === "ArrowRight" || event.key === "l") skip(SKIP_SECONDS);
    else return;
    event.preventDefault();
  }
  document.addEventListener("keydown", onKey);

  return {
    el,
    audio,
    seek: seekTo,
    toggle,
    onTime(listener) {
      listeners.add(listener);
    },
    destroy() {
      document.removeEventListener("keydown", onKey);
      cancelAnimationFrame(frame);
      audio.pause();
      audio.removeAttribute("src");
      audio.load();
    },
  };
}
