// The page's start: sign in (a pasted token or a #token=... link, kept in sessionStorage and
// stripped from the address bar), then the landing page at / or Import/Export at /import-export.
import { api, token } from "./api.js";
import { setupExports } from "./exports.js";
import { setupHistory } from "./history.js";
import { setupImport } from "./imports.js";
import { showError } from "./ui.js";
import { setupWizard } from "./wizard.js";

const views = ["sign-in", "home", "import-export"];

function takeTokenFromLink() {
  const match = location.hash.match(/^#token=(tt_[A-Za-z0-9_-]+)$/);
  if (!match) return;
  token.set(match[1]);
  history.replaceState(null, "", location.pathname + location.search);  // out of the address bar and history
}

function show(id) {
  for (const view of views) document.getElementById(view).hidden = view !== id;
}

let started = false;

async function route() {
  if (!token.get()) {
    document.getElementById("who").hidden = true;
    show("sign-in");
    document.getElementById("token").focus();
    return;
  }
  let me;
  try {
    me = (await api("GET", "/api/v1/users/me")).user;
  } catch (e) {
    if (e.status === 401) {
      token.clear();
      await route();
      showError(document.getElementById("sign-in-error"), e);
      return;
    }
    me = null;  // a token without read:users still imports and exports
  }
  document.getElementById("who").hidden = false;
  document.getElementById("who-name").textContent = me ? `Signed in as ${me.username}` : "Signed in";
  if (location.pathname === "/import-export") {
    show("import-export");
    if (!started) {
      started = true;
      setupImport();
      setupWizard();
      setupExports(Boolean(me && me.role === "admin"));
      setupHistory();
    }
  } else {
    show("home");
    document.getElementById("home-greeting").textContent = me ? `Welcome, ${me.username}.` : "Welcome.";
  }
  document.getElementById("main").focus();
}

document.addEventListener("DOMContentLoaded", () => {
  takeTokenFromLink();
  document.getElementById("sign-in-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = document.getElementById("token").value.trim();
    const error = document.getElementById("sign-in-error");
    if (!/^tt_\S+$/.test(value)) {
      showError(error, "An API token starts with tt_");
      return;
    }
    token.set(value);
    document.getElementById("token").value = "";
    showError(error, null);
    await route();
  });
  document.getElementById("sign-out").addEventListener("click", () => {
    token.clear();
    location.assign("/");
  });
  for (const link of document.querySelectorAll("[data-nav]")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      history.pushState(null, "", link.getAttribute("href"));
      route();
    });
  }
  window.addEventListener("popstate", route);
  route();
});
