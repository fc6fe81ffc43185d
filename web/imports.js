// Importing: the form (drag and drop or picker, options, template), the preview, the start,
// live progress, the per-line errors and Undo. The wizard reuses preview and progress.
import { api, ApiError, saveFile, sleep } from "./api.js";
import { announce, el, fieldsText, focus, showError, table } from "./ui.js";

// What a request can carry (API Gateway hands a function at most 6 MB, base64 grows a file by a
// third); a bigger file goes to a presigned upload URL first.
export const DIRECT_BYTES = 4 * 1024 * 1024;
const PREVIEW_BYTES = 1024 * 1024;  // a big file is previewed from its first megabyte
const POLL_MS = 400;
const FINAL = new Set(["completed", "partial", "failed", "undone"]);

function options(form) {
  const data = new FormData(form);
  return {
    type: data.get("type") || "autodetect",
    date_format: data.get("date_format") || undefined,
    timezone: data.get("timezone") || undefined,
    create_projects: form.elements.create_projects.checked,
    skip_duplicates: form.elements.skip_duplicates.checked,
  };
}

function multipart(file, opts) {
  const data = new FormData();
  data.append("file", file, file.name);
  for (const [k, v] of Object.entries(opts)) if (v !== undefined) data.append(k, String(v));
  return data;
}

// The first part of a big file, cut at a line end, so the preview reads whole rows.
// The form may lower the threshold (data-upload-above, in bytes): a slow line, or a test.
const directBytes = () => Number(document.getElementById("import-form")?.dataset.uploadAbove) || DIRECT_BYTES;

async function head(file) {
  if (file.size <= directBytes()) return { part: file, partial: false };
  const text = await file.slice(0, PREVIEW_BYTES).text();
  const cut = text.lastIndexOf("\n");
  return { part: new File([text.slice(0, cut + 1)], file.name, { type: "text/csv" }), partial: true };
}

export async function previewFile(file, opts) {
  const { part, partial } = await head(file);
  const preview = await api("POST", "/api/v1/imports/preview", { body: multipart(part, opts) });
  return { ...preview, partial };
}

export async function startFile(file, opts) {
  if (file.size <= directBytes()) {
    return (await api("POST", "/api/v1/imports", { body: multipart(file, opts) })).import;
  }
  const upload = await api("POST", "/api/v1/imports/uploads");
  if (file.size > upload.max_bytes) {
    throw new ApiError(413, { message: `The file is ${file.size} bytes; uploads are limited to ${upload.max_bytes}` });
  }
  const put = await fetch(upload.url, { method: upload.method, body: file, headers: { "Content-Type": "text/csv" } });
  if (!put.ok) throw new ApiError(put.status, { message: `The upload failed (${put.status})` });
  return (await api("POST", "/api/v1/imports", { body: { upload_id: upload.upload_id, filename: file.name, ...opts } }))
    .import;
}

export function renderPreview(preview) {
  const range = preview.date_range ? `${preview.date_range.start} to ${preview.date_range.end}` : "none";
  const list = (items) => (items && items.length ? items.join(", ") : "none");
  return [
    el("h3", { text: "Preview" }),
    preview.partial ? el("p", { class: "hint", text: "Read from the first megabyte of the file." }) : null,
    preview.complete === false ? el("p", { class: "hint", text: "The source holds more than the preview read." }) : null,
    el("dl", { class: "facts" },
      el("dt", { text: "Format" }), el("dd", { "data-fact": "type", text: preview.type }),
      el("dt", { text: "Rows" }), el("dd", { "data-fact": "rows", text: String(preview.source_total ?? preview.rows) }),
      el("dt", { text: "Valid rows" }), el("dd", { "data-fact": "valid", text: String(preview.valid_rows) }),
      el("dt", { text: "Rows with problems" }), el("dd", { "data-fact": "invalid", text: String(preview.invalid_rows) }),
      el("dt", { text: "Dates" }), el("dd", { text: range }),
      el("dt", { text: "Projects to create" }), el("dd", { text: list(preview.projects_to_create) }),
      el("dt", { text: "Projects matched" }), el("dd", { text: list(preview.projects_matched) }),
      preview.users_not_found?.length ? [el("dt", { text: "Users not found" }),
        el("dd", { text: list(preview.users_not_found) })] : null),
    problems("First problems", preview.problems || []),
  ];
}

function problems(caption, rows) {
  return table(caption, [["Line", (p) => p.line], ["Fields", (p) => fieldsText(p.fields)], ["Message", (p) => p.message]],
    rows);
}

// Follows an import until it is final, drawing a bar with its counts, then its result.
export async function watchImport(panel, importId) {
  const bar = el("progress", { max: "100", value: "0", "aria-label": "Import progress" });
  const counts = el("p", { class: "counts", "aria-live": "off" });
  const result = el("div");
  panel.replaceChildren(el("h3", { text: `Import #${importId}` }), bar, counts, result);
  focus(panel);
  let last;
  for (;;) {
    const job = await api("GET", `/api/v1/imports/${importId}`);
    bar.value = job.status === "completed" || job.status === "partial" ? 100 : job.percentage;
    counts.textContent = `${job.status}: ${job.processed} of ${job.total} rows processed, ${job.successful} imported, ` +
      `${job.failed} failed, ${job.skipped} skipped (${Math.round(bar.value)} %)` +
      (job.resumes_at ? `; resumes at ${new Date(job.resumes_at).toLocaleTimeString()}` : "");
    last = job;
    if (FINAL.has(job.status)) break;
    await sleep(POLL_MS);
  }
  announce(`Import ${last.status}: ${last.successful} imported, ${last.failed} failed`);
  await renderResult(result, last);
  return last;
}

async function renderResult(node, job) {
  const details = await api("GET", `/api/v1/imports/${job.id}/details`);
  const undo = el("button", { type: "button", text: "Undo this import" });
  const error = el("p", { class: "error", role: "alert" });
  undo.addEventListener("click", async () => {
    undo.disabled = true;
    showError(error, null);
    try {
      await api("DELETE", `/api/v1/imports/${job.id}`);
      let status = "undoing";
      while (status === "undoing") {
        await sleep(POLL_MS);
        status = (await api("GET", `/api/v1/imports/${job.id}`)).status;
      }
      node.append(el("p", { class: "done", text: `Undone: the import's entries are removed (${status}).` }));
      announce("The import was undone");
      document.dispatchEvent(new Event("history-changed"));
    } catch (e) {
      showError(error, e);
      undo.disabled = false;
    }
  });
  node.replaceChildren(
    el("p", { class: "result", text: `${details.imported} imported, ${details.discarded} failed, ${details.skipped} skipped.` +
      (job.message ? ` ${job.message}` : "") }),
    details.projects_created.length ? el("p", { text: `Projects created: ${details.projects_created.join(", ")}` }) : null,
    problems("Lines not imported", details.errors),
    job.status === "undone" ? null : undo, error);
}

export function setupImport() {
  const form = document.getElementById("import-form");
  const file = document.getElementById("import-file");
  const drop = document.getElementById("drop");
  const error = form.querySelector("[data-error]");
  const previewPanel = document.getElementById("import-preview");
  const runPanel = document.getElementById("import-run");
  document.getElementById("import-timezone").value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  document.getElementById("template").addEventListener("click", async (event) => {
    event.preventDefault();
    try {
      await saveFile("/api/import/template/csv", "timetracker_import_template.csv");
    } catch (e) { showError(error, e); }
  });
  for (const name of ["dragenter", "dragover"]) {
    drop.addEventListener(name, (event) => { event.preventDefault(); drop.classList.add("over"); });
  }
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    if (event.dataTransfer.files.length) {
      file.files = event.dataTransfer.files;
      announce(`${file.files[0].name} chosen`);
    }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(error, null);
    runPanel.hidden = true;
    const chosen = file.files[0];
    if (!chosen) {
      showError(error, "Choose a CSV file first");
      file.focus();
      return;
    }
    const opts = options(form);
    try {
      const preview = await previewFile(chosen, opts);
      const confirm = el("button", { type: "button", text: `Import ${preview.valid_rows} rows` });
      previewPanel.replaceChildren(...renderPreview(preview).flat().filter(Boolean), confirm,
        el("button", { type: "button", text: "Cancel", onclick: () => { previewPanel.hidden = true; file.focus(); } }));
      focus(previewPanel);
      confirm.addEventListener("click", async () => {
        confirm.disabled = true;
        try {
          const job = await startFile(chosen, opts);
          previewPanel.hidden = true;
          await watchImport(runPanel, job.id);
          document.dispatchEvent(new Event("history-changed"));
        } catch (e) {
          showError(error, e);
          confirm.disabled = false;
        }
      });
    } catch (e) {
      showError(error, e);
    }
  });
}
