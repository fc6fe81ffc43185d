// The migration wizard: the guide's five steps (choose source, credentials, preview, confirm,
// progress) for Toggl, Harvest and CSV, on the same preview and start endpoints as the API.
import { api } from "./api.js";
import { previewFile, renderPreview, startFile, watchImport } from "./imports.js";
import { el, showError } from "./ui.js";

const SOURCES = {
  toggl: { label: "Toggl Track", type: "toggl_api", account: ["workspace_id", "Workspace ID (optional: every workspace)"],
    token: "Toggl API token (Profile settings, API Token)" },
  harvest: { label: "Harvest", type: "harvest_api", account: ["account_id", "Account ID (optional: every account)"],
    token: "Harvest Personal Access Token (Developers, Personal Access Tokens)" },
  csv: { label: "A CSV file (Clockify, Noko, Toggl or Harvest exports, TimeTracker's template, others)" },
};

export function setupWizard() {
  const body = document.getElementById("wizard-body");
  const steps = [...document.querySelectorAll("#wizard-steps li")];
  const state = { source: "toggl", fields: {}, file: null, preview: null };

  function show(index, ...content) {
    steps.forEach((li, i) => (i === index ? li.setAttribute("aria-current", "step") : li.removeAttribute("aria-current")));
    const title = el("h3", { tabindex: "-1", text: `Step ${index + 1} of 5: ${steps[index].textContent}` });
    body.replaceChildren(title, ...content.flat(Infinity).filter(Boolean));
    title.focus();
  }

  function nav(back, next, nextLabel = "Next") {
    return el("div", { class: "actions" },
      back ? el("button", { type: "button", text: "Back", onclick: back }) : null,
      next ? el("button", { type: "submit", text: nextLabel }) : null);
  }

  function chooseSource() {
    const form = el("form", { novalidate: true },
      el("fieldset", {}, el("legend", { text: "Where is your data now?" }),
        Object.entries(SOURCES).map(([key, s]) => el("label", { class: "check" },
          el("input", { type: "radio", name: "source", value: key, checked: key === state.source }), ` ${s.label}`))),
      nav(null, true));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      state.source = new FormData(form).get("source");
      credentials();
    });
    show(0, form);
  }

  function credentials() {
    const source = SOURCES[state.source];
    const error = el("p", { class: "error", role: "alert" });
    const input = (name, label, attrs = {}) => [el("label", { for: `wz-${name}`, text: label }),
      el("input", { id: `wz-${name}`, name, value: state.fields[name] || "", ...attrs })];
    const fields = state.source === "csv"
      ? [el("label", { for: "wz-file", text: "CSV file" }), el("input", { id: "wz-file", name: "file", type: "file",
        accept: ".csv,text/csv", required: true })]
      : [input("api_token", source.token, { type: "password", autocomplete: "off", required: true }),
        input(source.account[0], source.account[1], { inputmode: "numeric" }),
        input("start_date", "From (first day to import)", { type: "date", required: true }),
        input("end_date", "To (default: today)", { type: "date" })];
    const form = el("form", { novalidate: true },
      state.source === "csv" ? null
        : el("p", { class: "hint", text: "The token is sent to this server only, used for this import, and never shown again." }),
      fields, nav(chooseSource, true, "Preview"), error);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      showError(error, null);
      try {
        if (state.source === "csv") {
          state.file = form.elements.file.files[0] || state.file;
          if (!state.file) throw new Error("Choose a CSV file first");
          state.preview = await previewFile(state.file, { type: "autodetect" });
        } else {
          state.fields = Object.fromEntries([...new FormData(form)].filter(([, v]) => v !== ""));
          state.preview = await api("POST", "/api/v1/imports/preview", { body: sourceBody() });
        }
        preview();
      } catch (e) {
        showError(error, e);
      }
    });
    show(1, form);
  }

  function sourceBody() {
    const body = { type: SOURCES[state.source].type, ...state.fields };
    const account = SOURCES[state.source].account[0];
    if (body[account]) body[account] = Number(body[account]);
    return body;
  }

  function preview() {
    const form = el("form", { novalidate: true }, renderPreview(state.preview), nav(credentials, true));
    form.addEventListener("submit", (event) => { event.preventDefault(); confirmStep(); });
    show(2, form);
  }

  function confirmStep() {
    const error = el("p", { class: "error", role: "alert" });
    const what = state.source === "csv" ? state.file.name : `${SOURCES[state.source].label} from ${state.fields.start_date}`;
    const form = el("form", { novalidate: true },
      el("p", { text: `Import ${state.preview.source_total ?? state.preview.valid_rows} entries from ${what}. ` +
        "Entries imported before are recognised and not doubled; you can undo the import afterwards." }),
      nav(preview, true, "Start import"), error);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      form.querySelector("[type=submit]").disabled = true;
      try {
        const job = state.source === "csv" ? await startFile(state.file, { type: "autodetect" })
          : (await api("POST", "/api/v1/imports", { body: sourceBody() })).import;
        state.fields.api_token = "";  // not kept once the import has it
        progress(job.id);
      } catch (e) {
        showError(error, e);
        form.querySelector("[type=submit]").disabled = false;
      }
    });
    show(3, form);
  }

  async function progress(importId) {
    const panel = el("div", { tabindex: "-1" });
    show(4, panel, el("button", { type: "button", text: "Start another import", onclick: chooseSource }));
    await watchImport(panel, importId);
    document.dispatchEvent(new Event("history-changed"));
  }

  chooseSource();
}
