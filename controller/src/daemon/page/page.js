// afu9-posture status page: keeps the server-rendered tables current by polling /status and
// /changes every two seconds, and filters the resources as the selects change. Text only
// ever goes into the page through textContent.
"use strict";

const POLL_MS = 2000;
const CONDITIONS = ["Synced", "Ready", "Drifted", "Terminal"];
const GOOD_WHEN = { Synced: "True", Ready: "True", Drifted: "False", Terminal: "False" };
const FILTERS = {
  error: (r) => !is(r, "Synced"),
  drifted: (r) => is(r, "Drifted"),
  terminal: (r) => is(r, "Terminal"),
  notready: (r) => !is(r, "Ready"),
  ready: (r) => is(r, "Ready"),
};

let resources = null;
let lastAnnounced = null;

function is(resource, type) {
  return resource.conditions.some((c) => c.type === type && c.status === "True");
}

// The same order as the server: errors, drift that remains, not ready, in sync.
function state(resource) {
  if (!is(resource, "Synced") || is(resource, "Terminal")) return [0, "error", "Error"];
  if (is(resource, "Drifted")) return [1, "blocked", "Drift remains"];
  if (!is(resource, "Ready")) return [2, "waiting", "Not ready"];
  return [3, "ok", "In sync"];
}

function cell(row, text, tag, className) {
  const element = document.createElement(tag || "td");
  element.textContent = text;
  if (tag === "th") element.scope = "row";
  if (className) element.className = className;
  row.appendChild(element);
  return element;
}

function timeCell(row, text) {
  const td = cell(row, "");
  const time = document.createElement("time");
  time.textContent = text;
  td.appendChild(time);
}

function selected() {
  return {
    kind: document.getElementById("kind").value,
    condition: document.getElementById("condition").value,
  };
}

function renderResources() {
  if (!resources) return;
  const { kind, condition } = selected();
  const sorted = resources.slice().sort((a, b) => {
    const ra = state(a)[0];
    const rb = state(b)[0];
    if (ra !== rb) return ra - rb;
    if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
  const shown = sorted.filter(
    (r) => (!kind || r.kind === kind) && (!condition || !FILTERS[condition] || FILTERS[condition](r)),
  );
  const body = document.createElement("tbody");
  for (const resource of shown) {
    const [, className, label] = state(resource);
    const row = document.createElement("tr");
    row.className = className;
    cell(row, label);
    cell(row, resource.kind);
    cell(row, resource.name, "th");
    for (const type of CONDITIONS) {
      const found = resource.conditions.find((c) => c.type === type);
      const status = found ? found.status : "-";
      cell(row, status, "td", status === GOOD_WHEN[type] ? "good" : "bad");
    }
    const first = resource.conditions[0] || {};
    cell(row, first.reason || "");
    const times = resource.conditions.map((c) => c.lastTransitionTime).sort();
    timeCell(row, times.length ? times[times.length - 1] : "-");
    const message = cell(row, resource.lastError || first.message || "", "td", "message");
    if (resource.lastDrift) {
      const drift = document.createElement("small");
      drift.textContent = "drift: " + resource.lastDrift.description;
      message.append(document.createElement("br"), drift);
    }
    body.appendChild(row);
  }
  const table = document.getElementById("resources");
  table.replaceChild(body, table.tBodies[0]);
  table.caption.textContent =
    shown.length + " of " + resources.length + " resources, errors and blocked first";
  updateKinds();
}

// New kinds appear in the kind filter as the desired state grows.
function updateKinds() {
  const select = document.getElementById("kind");
  const known = new Set(Array.from(select.options, (o) => o.value));
  const kinds = Array.from(new Set(resources.map((r) => r.kind))).sort();
  for (const kind of kinds) {
    if (!known.has(kind)) select.add(new Option(kind, kind));
  }
}

function renderPass(status) {
  const pass = status.lastPass;
  const set = (id, text) => {
    document.getElementById("pass-" + id).textContent = text;
  };
  set("revision", status.revision || "-");
  set("ready", status.ready ? "yes" : "no");
  set(
    "role",
    !status.role
      ? "single writer (no lease)"
      : status.leaseHolder
        ? status.role + " (lease held by " + status.leaseHolder + ")"
        : status.role,
  );
  set("passes", String(status.passes));
  if (pass) {
    set("finished", pass.finishedAt);
    set(
      "duration",
      pass.seconds < 1 ? Math.round(pass.seconds * 1000) + " ms" : pass.seconds.toFixed(1) + " s",
    );
    set("calls", String(pass.calls));
    set(
      "tally",
      pass.resources + " in total: " + pass.errors + " errors, " + pass.blocked + " blocked, " +
        pass.drifted + " drifted, " + pass.changed + " changed",
    );
  }
  const invalid = document.getElementById("invalid");
  invalid.hidden = !status.desiredStateErrors;
  document.getElementById("invalid-errors").textContent = status.desiredStateErrors || "";
}

function renderChanges(changes) {
  const body = document.createElement("tbody");
  if (changes.length === 0) {
    const row = document.createElement("tr");
    cell(row, "No change written since the controller started.").colSpan = 6;
    body.appendChild(row);
  }
  const value = (row, change, text) => {
    const td = cell(row, change.sensitive ? "(sensitive, not shown)" : text, "td", "value");
    if (!change.sensitive && text == null) {
      td.textContent = "";
      cell(td, "(absent)", "span", "absent");
    }
  };
  for (const change of changes) {
    const row = document.createElement("tr");
    row.className = change.outcome === "applied" ? "ok" : "error";
    timeCell(row, change.time);
    cell(row, change.kind + " " + change.name, "th");
    cell(row, change.field);
    value(row, change, change.before);
    value(row, change, change.after);
    cell(row, change.outcome);
    body.appendChild(row);
  }
  const table = document.getElementById("changes");
  table.replaceChild(body, table.tBodies[0]);
  table.caption.textContent = "The last " + changes.length + " fields written, newest first";
}

// Tells screen readers what changed, only when the counts change.
function announce(status, changes) {
  const errors = status.resources.filter((r) => state(r)[0] === 0).length;
  const blocked = status.resources.filter((r) => state(r)[0] === 1).length;
  const text =
    status.resources.length + " resources: " + errors + " with errors, " + blocked +
    " with drift remaining; " + changes.length + " recent changes.";
  if (text !== lastAnnounced) {
    if (lastAnnounced !== null) document.getElementById("live").textContent = "Updated: " + text;
    lastAnnounced = text;
  }
}

async function getJson(path) {
  const response = await fetch(path, { cache: "no-store", credentials: "same-origin" });
  if (!response.ok) throw new Error(path + " answered " + response.status);
  return response.json();
}

async function poll() {
  try {
    const [status, recent] = await Promise.all([getJson("/status"), getJson("/changes")]);
    resources = status.resources;
    renderPass(status);
    renderResources();
    renderChanges(recent.changes);
    announce(status, recent.changes);
    document.body.dataset.updated = String(Date.now());
  } catch (error) {
    document.getElementById("live").textContent = "Cannot update: " + error.message;
  }
  setTimeout(poll, POLL_MS);
}

function filtersChanged() {
  const { kind, condition } = selected();
  const query = new URLSearchParams();
  if (kind) query.set("kind", kind);
  if (condition) query.set("condition", condition);
  const search = query.toString();
  history.replaceState(null, "", search ? "?" + search : location.pathname);
  renderResources();
}

document.addEventListener("DOMContentLoaded", () => {
  for (const id of ["kind", "condition"]) {
    document.getElementById(id).addEventListener("change", filtersChanged);
  }
  // The selects filter as they change; the submit button is only needed without script.
  document.querySelector("#filters button").hidden = true;
  poll();
});
