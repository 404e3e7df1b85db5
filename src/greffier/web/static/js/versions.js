// Every version of the transcript (the recogniser's, then each correction); an older one can be restored
// (it becomes the newest version: nothing is ever lost).
import { h } from "./dom.js";

export function renderVersions(container, versions, { onRestore }) {
  const latest = versions.length ? versions[versions.length - 1].version : null;
  container.replaceChildren(h("h2", { i18n: "versions.title" }));
  const list = h("ol", { class: "versions", reversed: true });
  for (const version of [...versions].reverse()) {
    const automatic = !version.author.includes("@");
    list.append(
      h(
        "li",
        { dataset: { version: version.version }, class: version.version === latest ? "latest" : "" },
        h("strong", { i18n: "versions.number", i18nVars: { version: version.version } }),
        " ",
        h("span", automatic ? { i18n: "versions.automatic" } : { text: version.author }),
        " · ",
        h("time", { date: version.created, class: "hint" }),
        version.version === latest
          ? h("span", { class: "badge done", i18n: "versions.current" })
          : h("button", {
              class: "link restore",
              i18n: "versions.restore",
              i18nAttrs: { "aria-label": "versions.restore.label" },
              i18nVars: { version: version.version },
              onclick: () => onRestore(version.version),
            }),
      ),
    );
  }
  container.append(list);
}
