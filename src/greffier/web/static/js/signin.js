// Sign in with an e-mail and a password, or with an API token.
import { api } from "./api.js";
import { h, setI18n } from "./dom.js";
import { describeError } from "./errors.js";
import { t } from "./i18n.js";

export function renderSignIn(main, onSignedIn) {
  let withToken = false;
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const email = h("input", { id: "email", name: "email", type: "email", autocomplete: "username", required: true });
  const password = h("input", {
    id: "password",
    name: "password",
    type: "password",
    autocomplete: "current-password",
    required: true,
  });
  const token = h("input", { id: "token", name: "token", type: "password", autocomplete: "off", spellcheck: "false" });
  const passwordFields = h(
    "div",
    {},
    h("label", { for: "email", i18n: "signin.email" }),
    email,
    h("label", { for: "password", i18n: "signin.password" }),
    password,
  );
  const tokenFields = h(
    "div",
    { hidden: true },
    h("label", { for: "token", i18n: "signin.token" }),
    token,
    h("p", { class: "hint", i18n: "signin.token.hint" }),
  );
  const toggle = h("button", {
    type: "button",
    class: "link",
    i18n: "signin.usetoken",
    onclick: () => {
      withToken = !withToken;
      passwordFields.hidden = withToken;
      tokenFields.hidden = !withToken;
      email.required = password.required = !withToken;
      token.required = withToken;
      setI18n(toggle, withToken ? "signin.usepassword" : "signin.usetoken");
      (withToken ? token : email).focus();
    },
  });
  const submit = h("button", { type: "submit", class: "button primary wide", i18n: "signin.submit" });
  const form = h(
    "form",
    {
      class: "card signin",
      novalidate: false,
      onsubmit: async (event) => {
        event.preventDefault();
        error.hidden = true;
        submit.disabled = true;
        try {
          const credentials = withToken
            ? { token: token.value.trim() }
            : { email: email.value.trim(), password: password.value };
          const { data } = await api.signIn(credentials);
          onSignedIn(data);
        } catch (problem) {
          error.replaceChildren(...describeError(problem, "signin"));
          error.hidden = false;
          (withToken ? token : password).select();
        } finally {
          submit.disabled = false;
        }
      },
    },
    h("h1", { i18n: "signin.title" }),
    h("p", { class: "hint", i18n: "signin.intro" }),
    passwordFields,
    tokenFields,
    error,
    submit,
    toggle,
  );
  main.append(h("div", { class: "center" }, form));
  email.focus();
  document.title = `${t("signin.title")} – Greffier`;
  return null;
}
