// Exports (GDPR, filtered, backups) followed until their file is ready, and restores with the
// dry run's differences shown before a confirm step that names what will be replaced.
import { api, downloadExport, sleep } from "./api.js";
import { announce, bytes, el, expiresIn, focus, showError, table } from "./ui.js";

const POLL_MS = 400;

export function downloadButton(job, error) {
  return el("button", { type: "button", "data-download": job.id, text: `Download ${job.filename}`,
    onclick: async () => {
      showError(error, null);
      try { await downloadExport(job.id); } catch (e) { showError(error, explainDownload(e)); }
    } });
}

// A 410 is an export past its 7 days: say what to do, not only that it is gone.
function explainDownload(e) {
  if (e.status === 410) return `${e.message}. Exports are kept for 7 days; request a new one.`;
  return e;
}

async function follow(panel, started) {
  const status = el("p", { text: "Preparing the file..." });
  const error = el("p", { class: "error", role: "alert" });
  panel.replaceChildren(el("h3", { text: `Export #${started.export_id}` }), status, error);
  focus(panel);
  let job = started.export;
  while (job.status !== "completed" && job.status !== "failed") {
    await sleep(POLL_MS);
    job = await api("GET", `/api/export/status/${job.id}`);
    status.textContent = `${job.status}...`;
  }
  if (job.status === "failed") {
    status.textContent = `The export failed: ${job.error_message}`;
    announce("The export failed");
  } else {
    status.textContent = `Ready: ${job.record_count} records, ${bytes(job.file_size)}, ${expiresIn(job.expires_at)}.`;
    panel.insertBefore(downloadButton(job, error), error);
    announce("The export is ready to download");
  }
  document.dispatchEvent(new Event("history-changed"));
  return job;
}

function submitter(form, panel, request) {
  const error = form.querySelector("[data-error]");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(error, null);
    const button = form.querySelector("[type=submit]");
    button.disabled = true;
    try {
      await follow(panel, await request(new FormData(form)));
    } catch (e) {
      showError(error, e);
    } finally {
      button.disabled = false;
    }
  });
}

export function setupExports(isAdmin) {
  const panel = document.getElementById("export-run");
  submitter(document.getElementById("gdpr-form"), panel,
    (data) => api("POST", "/api/export/gdpr", { body: { format: data.get("format") } }));
  submitter(document.getElementById("filtered-form"), panel, (data) => api("POST", "/api/export/filtered", { body: {
    format: data.get("format"),
    filters: {
      start_date: data.get("start_date") || null, end_date: data.get("end_date") || null,
      project_id: data.get("project_id") ? Number(data.get("project_id")) : null,
      billable_only: data.has("billable_only"), include_time_entries: data.has("include_time_entries"),
      include_projects: data.has("include_projects"),
    },
  } }));
  api("GET", "/api/v1/projects", { query: { per_page: 100 } }).then(({ projects }) => {
    const select = document.getElementById("filtered-project");
    for (const p of projects) select.append(el("option", { value: p.id, text: p.name }));
  }).catch(() => {});  // a token without read:projects exports all projects
  if (isAdmin) setupBackups();
}

function setupBackups() {
  document.getElementById("backups").hidden = false;
  const panel = document.getElementById("restore-run");
  const create = document.getElementById("backup-create");
  create.addEventListener("click", async () => {
    create.disabled = true;
    try {
      await follow(document.getElementById("export-run"), await api("POST", "/api/export/backup"));
    } catch (e) {
      showError(document.querySelector("#restore-form [data-error]"), e);
    } finally {
      create.disabled = false;
    }
  });
  const form = document.getElementById("restore-form");
  const error = form.querySelector("[data-error]");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(error, null);
    const file = form.elements.file.files[0];
    if (!file) {
      showError(error, "Choose a backup file first");
      return;
    }
    try {
      const dry = await runRestore(file, true);
      showDryRun(panel, file, dry, error);
    } catch (e) {
      showError(error, e);
    }
  });
}

async function runRestore(file, dryRun) {
  const data = new FormData();
  data.append("file", file, file.name);
  data.append("dry_run", String(dryRun));
  let job = (await api("POST", "/api/backup/restore", { body: data })).restore;
  while (!["completed", "failed"].includes(job.status)) {
    await sleep(POLL_MS);
    job = await api("GET", `/api/backup/restore/${job.id}`);
  }
  return job;
}

const COUNT_COLUMNS = [["Table", ([name]) => name], ["In the backup", ([, c]) => c.in_backup],
  ["Here now", ([, c]) => c.existing], ["To create", ([, c]) => c.to_create], ["To replace", ([, c]) => c.to_replace],
  ["To delete", ([, c]) => c.to_delete]];

function showDryRun(panel, file, dry, error) {
  if (dry.status === "failed") {
    panel.replaceChildren(el("h3", { text: "The backup cannot be restored" }),
      el("p", { text: dry.error_message || "" }),
      table("Problems", [["Line", (p) => p.line ?? ""], ["Message", (p) => p.message]], dry.problems || []));
    focus(panel);
    return;
  }
  const counts = Object.entries(dry.counts || {});
  const replaced = counts.filter(([, c]) => c.to_replace || c.to_delete)
    .map(([name, c]) => `${c.to_replace || 0} ${name} replaced, ${c.to_delete || 0} deleted`);
  const confirm = el("button", { type: "button", class: "danger", text: "Replace the data with this backup" });
  panel.replaceChildren(
    el("h3", { text: `Dry run of ${file.name}: nothing has changed yet` }),
    table("What a restore would do", COUNT_COLUMNS, counts),
    el("p", { class: "warning", text: replaced.length ? `Restoring replaces: ${replaced.join("; ")}.`
      : "Restoring replaces nothing that exists; it only adds." }),
    confirm,
    el("button", { type: "button", text: "Cancel", onclick: () => { panel.hidden = true; } }));
  focus(panel);
  confirm.addEventListener("click", async () => {
    confirm.disabled = true;
    try {
      const done = await runRestore(file, false);
      panel.append(el("p", { class: done.status === "completed" ? "done" : "error",
        text: done.status === "completed" ? `Restored. The data as it was is kept as export #${done.safety_export_id}.`
          : `The restore failed: ${done.error_message}` }));
      announce(`Restore ${done.status}`);
    } catch (e) {
      showError(error, e);
      confirm.disabled = false;
    }
  });
}

export function exportRows(jobs, error) {
  return table("Exports", [
    ["#", (j) => j.id], ["Type", (j) => j.export_type], ["Format", (j) => j.export_format],
    ["Status", (j) => (j.expired ? "expired" : j.status)], ["Records", (j) => j.record_count ?? ""],
    ["Size", (j) => bytes(j.file_size)], ["Created", (j) => new Date(j.created_at).toLocaleString()],
    ["Expires", (j) => (j.status === "completed" ? expiresIn(j.expires_at) : "")],
    ["", (j) => (j.download_url ? downloadButton(j, error)
      : j.expired ? "Expired after 7 days: request a new one" : (j.error_message || ""))],
  ], jobs);
}
