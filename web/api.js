// The API as the page uses it: the token (this tab's sessionStorage only), JSON in and out,
// and the API's own error messages passed on unchanged.
const KEY = "tt_token";

export const token = {
  get: () => sessionStorage.getItem(KEY),
  set: (value) => sessionStorage.setItem(KEY, value),
  clear: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(status, body) {
    super(messageOf(status, body));
    this.status = status;
    this.body = body;
  }
}

function messageOf(status, body) {
  if (body && typeof body === "object") {
    const fields = body.errors && typeof body.errors === "object"
      ? Object.entries(body.errors).map(([f, m]) => `${f}: ${[].concat(m).join(", ")}`).join("; ") : "";
    const text = body.message || body.error || `HTTP ${status}`;
    return fields && !text.includes(fields) ? `${text} (${fields})` : text;
  }
  return `The server answered ${status}`;
}

// body: a plain object (sent as JSON) or FormData (multipart). query: skips empty values.
export async function api(method, path, { body, query } = {}) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, v);
  }
  const headers = { Accept: "application/json" };
  const current = token.get();
  if (current) headers.Authorization = `Bearer ${current}`;
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, { method, headers, body: payload });
  } catch (e) {
    throw new ApiError(0, { message: "The server cannot be reached. Is it running?" });
  }
  const type = response.headers.get("Content-Type") || "";
  const data = type.includes("json") ? await response.json().catch(() => null) : await response.text();
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

// A file the API answers (the CSV template): saved through a temporary object URL.
export async function saveFile(path, filename) {
  const response = await fetch(new URL(path, location.origin), {
    headers: { Authorization: `Bearer ${token.get()}` },
  });
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
  const link = follow(URL.createObjectURL(await response.blob()), filename);
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

// An export's file: the API hands out a presigned URL (JSON, not a redirect a page cannot
// read), which the browser downloads itself, so the file never passes through script memory.
export async function downloadExport(exportId) {
  const { url } = await api("GET", `/api/export/download/${exportId}`, { query: { redirect: "false" } });
  follow(url);
}

// A download started as a click on a link would start it (an object URL, or the presigned URL).
function follow(href, filename) {
  const link = Object.assign(document.createElement("a"), { href, rel: "noopener" });
  if (filename) link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  return link;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
