// History: imports (with their result and Undo) and exports (with download buttons), filtered.
import { api } from "./api.js";
import { exportRows } from "./exports.js";
import { watchImport } from "./imports.js";
import { el, showError, table } from "./ui.js";

export function setupHistory() {
  const importsNode = document.getElementById("imports-table");
  const exportsNode = document.getElementById("exports-table");
  const status = document.getElementById("imports-status");
  const type = document.getElementById("exports-type");
  const error = document.getElementById("page-error");
  const panel = document.getElementById("import-run");

  async function refresh() {
    try {
      const { imports } = await api("GET", "/api/v1/imports", { query: { status: status.value, per_page: 20 } });
      importsNode.replaceChildren(table("Imports", [
        ["#", (i) => i.id], ["Type", (i) => i.type], ["File", (i) => i.filename || ""], ["Status", (i) => i.status],
        ["Rows", (i) => `${i.successful} imported, ${i.failed} failed, ${i.skipped} skipped`],
        ["Created", (i) => new Date(i.created_at).toLocaleString()],
        ["", (i) => el("button", { type: "button", text: `Details of #${i.id}`,
          onclick: () => watchImport(panel, i.id).catch((e) => showError(error, e)) })],
      ], imports));
      const { exports } = await api("GET", "/api/export/history", { query: { per_page: 20 } });
      exportsNode.replaceChildren(exportRows(exports.filter((e) => !type.value || e.export_type === type.value), error));
    } catch (e) {
      showError(error, e);
    }
  }
  status.addEventListener("change", refresh);
  type.addEventListener("change", refresh);
  document.addEventListener("history-changed", refresh);
  return refresh();
}
