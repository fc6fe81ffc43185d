// Small DOM helpers: elements from data (never from HTML strings, so API text cannot inject
// markup), announcements for screen readers, tables, dates.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  node.append(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

export function announce(text) {
  const region = document.getElementById("announce");
  region.textContent = "";
  setTimeout(() => { region.textContent = text; }, 50);
}

// Errors appear where they happened (role=alert announces them) exactly as the API worded them.
export function showError(node, error) {
  node.textContent = error ? (error.message || String(error)) : "";
}

export function table(caption, columns, rows) {
  if (!rows.length) return el("p", { class: "empty", text: `${caption}: none.` });
  return el("div", { class: "scroll" }, el("table", {},
    el("caption", { text: caption }),
    el("thead", {}, el("tr", {}, columns.map(([label]) => el("th", { scope: "col", text: label })))),
    el("tbody", {}, rows.map((row) => el("tr", {}, columns.map(([, cell]) => {
      const value = cell(row);
      return el("td", {}, value instanceof Node ? value : String(value ?? ""));
    }))))));
}

export function focus(node) {
  node.hidden = false;
  node.focus();
}

export const when = (iso) => (iso ? new Date(iso).toLocaleString() : "");

export function expiresIn(iso) {
  if (!iso) return "";
  const ms = new Date(iso) - Date.now();
  if (ms <= 0) return "expired";
  const days = Math.floor(ms / 86400000);
  if (days >= 1) return `expires in ${days} day${days === 1 ? "" : "s"}`;
  const hours = Math.max(1, Math.floor(ms / 3600000));
  return `expires in ${hours} hour${hours === 1 ? "" : "s"}`;
}

export function bytes(n) {
  if (n === null || n === undefined) return "";
  if (n < 1024) return `${n} B`;
  if (n < 1048576) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1048576).toFixed(1)} MB`;
}

export function fieldsText(fields) {
  return Object.entries(fields || {}).map(([k, v]) => `${k}=${v}`).join(", ");
}
