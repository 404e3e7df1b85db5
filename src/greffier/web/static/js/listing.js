// A page's list of things (destinations, people): loaded from the server, one removed after a
// confirmation; what fails is said in the list's own alert.
import { confirmDialog, h, toast } from "./dom.js";
import { describeError } from "./errors.js";

/** {list, error, load, remove}: `fetch()` resolves to {data}, `row(item)` draws one, `none` is the
 * key said when there is nothing. */
export function listing({ fetch, row, none, className }) {
  const list = h("ul", { class: className });
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const fail = (problem, context) => {
    error.replaceChildren(...describeError(problem, context));
    error.hidden = false;
  };
  async function load() {
    try {
      const { data } = await fetch();
      error.hidden = true;
      list.replaceChildren(...(data.length ? data.map(row) : [h("li", { class: "hint", i18n: none })]));
    } catch (problem) {
      fail(problem, "load");
    }
  }
  /** Ask (`title`, `body`, `confirm`: keys, {name} their value), then `request(item)`, say `done`. */
  async function remove(item, { title, body, confirm, done, request }) {
    const vars = { name: item.name };
    if (!(await confirmDialog({ title, body, bodyVars: vars, confirm, danger: true }))) return;
    try {
      await request(item);
      toast(done, vars);
      await load();
    } catch (problem) {
      fail(problem, "save");
    }
  }
  return { list, error, load, remove };
}
