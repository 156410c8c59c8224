// The redis-halint playground: several named files, checked in the page by the engine
// compiled to WebAssembly (redis_halint_playground.wasm, built by build.sh). The state
// (files, target) lives in the URL's fragment, so a link reproduces what one sees; it
// only ever holds texts whose passwords the engine has replaced.
"use strict";

const EXAMPLE = {
  target: "",
  active: 0,
  files: [
    {
      name: "sentinel.conf",
      text: "port 26379\nsentinel monitor mymaster redis-master 6379 2\nsentinel down-after-milliseconds mymaster 5s\n",
    },
    {
      name: "docker-compose.yml",
      text:
        "services:\n  redis-master:\n    image: redis:7.2\n    command: redis-server --appendonly true\n" +
        "  sentinel:\n    image: redis:7.2\n    command: redis-sentinel /etc/redis/sentinel.conf\n" +
        "    volumes:\n      - ./sentinel.conf:/etc/redis/sentinel.conf\n",
    },
  ],
};

let state = structuredClone(EXAMPLE);
let engine = null;
let findings = [];
let timer = null;

const $ = (id) => document.getElementById(id);

// ---- the engine: JSON in, JSON out, through the module's memory -----------------------

async function loadEngine() {
  const response = await fetch("redis_halint_playground.wasm");
  if (!response.ok) throw new Error(`redis_halint_playground.wasm: HTTP ${response.status} (run playground/build.sh)`);
  const { instance } = await WebAssembly.instantiate(await response.arrayBuffer(), {});
  engine = instance.exports;
}

function callEngine(request) {
  const bytes = new TextEncoder().encode(JSON.stringify(request));
  const ptr = engine.alloc(bytes.length);
  new Uint8Array(engine.memory.buffer, ptr, bytes.length).set(bytes);
  const length = engine.check(ptr, bytes.length);
  engine.dealloc(ptr, bytes.length);
  const out = new Uint8Array(engine.memory.buffer, engine.result_ptr(), length);
  return JSON.parse(new TextDecoder().decode(out));
}

// ---- state in the URL: deflate-raw + base64url of the JSON ---------------------------

function toBase64Url(bytes) {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text) {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

async function pipe(bytes, stream) {
  const out = new Blob([bytes]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(out).arrayBuffer());
}

async function saveState() {
  const json = new TextEncoder().encode(JSON.stringify(state));
  const packed = await pipe(json, new CompressionStream("deflate-raw"));
  history.replaceState(null, "", "#s=" + toBase64Url(packed));
}

async function loadState() {
  const match = location.hash.match(/^#s=([A-Za-z0-9_-]+)$/);
  if (!match) return;
  try {
    const json = await pipe(fromBase64Url(match[1]), new DecompressionStream("deflate-raw"));
    const loaded = JSON.parse(new TextDecoder().decode(json));
    if (Array.isArray(loaded.files) && loaded.files.length > 0) {
      state = {
        target: String(loaded.target || ""),
        active: Math.min(Number(loaded.active) || 0, loaded.files.length - 1),
        files: loaded.files.map((f) => ({ name: String(f.name), text: String(f.text) })),
      };
    }
  } catch (e) {
    setStatus(`the link could not be read (${e.message}); showing the example`);
  }
}

// ---- checking -------------------------------------------------------------------------

function setStatus(text) {
  $("status").textContent = text;
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(run, 250);
}

async function run() {
  if (!engine) return;
  const answer = callEngine({ files: state.files, target: state.target });
  if (answer.error) {
    setStatus(answer.error);
    return;
  }
  // The engine's texts have their passwords replaced (same lengths): keep those only.
  answer.files.forEach((f, i) => {
    if (state.files[i] && state.files[i].text !== f.text) state.files[i].text = f.text;
  });
  const area = $("text");
  const active = state.files[state.active];
  if (area.value !== active.text) {
    const [start, end] = [area.selectionStart, area.selectionEnd];
    area.value = active.text;
    area.setSelectionRange(start, end);
  }
  findings = answer.findings;
  $("json").textContent = JSON.stringify(findings, null, 2);
  setStatus(`checked ${state.files.length} file(s)`);
  render();
  await saveState();
}

// ---- rendering ------------------------------------------------------------------------

function escapeHtml(text) {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

function renderTabs() {
  const tabs = $("tabs");
  tabs.replaceChildren();
  state.files.forEach((file, i) => {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = file.name;
    button.className = i === state.active ? "active" : "";
    const count = findings.filter((f) => f.file === file.name).length;
    if (count > 0) {
      const badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = String(count);
      button.append(badge);
    }
    button.addEventListener("click", () => select(i));
    tabs.append(button);
  });
  $("file-name").value = state.files[state.active].name;
  $("remove-file").disabled = state.files.length < 2;
}

// The backdrop holds the same text as the textarea, with each line that has a finding
// marked by severity and the finding's own range underlined.
function renderBackdrop() {
  const file = state.files[state.active];
  const lines = file.text.split("\n");
  const mine = findings.filter((f) => f.file === file.name);
  const rank = { error: 3, warning: 2, info: 1 };
  const html = lines.map((line, i) => {
    const here = mine.filter((f) => f.line === i + 1);
    if (here.length === 0) return escapeHtml(line);
    const worst = here.reduce((a, b) => (rank[b.severity] > rank[a.severity] ? b : a));
    const f = here[0];
    const start = Math.max(0, f.column - 1);
    const end = f.end_line === f.line ? Math.max(start + 1, f.end_column - 1) : line.length;
    const marked =
      escapeHtml(line.slice(0, start)) +
      `<span class="range">${escapeHtml(line.slice(start, end))}</span>` +
      escapeHtml(line.slice(end));
    return `<span class="line-${worst.severity}">${marked || " "}</span>`;
  });
  $("backdrop").innerHTML = html.join("\n") + "\n ";
  $("backdrop").scrollTop = $("text").scrollTop;
  $("backdrop").scrollLeft = $("text").scrollLeft;
}

function renderFindings() {
  const list = $("findings");
  list.replaceChildren();
  $("count").textContent = `(${findings.length})`;
  for (const f of findings) {
    const item = document.createElement("li");
    item.dataset.file = f.file;
    item.dataset.line = String(f.line);
    item.dataset.rule = f.rule;
    item.innerHTML =
      `<span class="pos">${escapeHtml(`${f.file}:${f.line}:${f.column}`)}</span> ` +
      `<code>${escapeHtml(f.code)}</code> <b>${escapeHtml(f.rule)}</b> ` +
      `<span class="sev-${f.severity}">${escapeHtml(f.severity)}${f.fatal ? " (fatal)" : ""}</span>: ` +
      escapeHtml(f.message);
    item.addEventListener("click", () => reveal(f));
    list.append(item);
  }
}

function render() {
  renderTabs();
  renderBackdrop();
  renderFindings();
}

// ---- interaction ----------------------------------------------------------------------

function select(i) {
  state.active = i;
  $("text").value = state.files[i].text;
  render();
  schedule(); // the link is written after a check, when the texts hold no password
}

// Show a finding in its file: switch to it and select the line.
function reveal(f) {
  const i = state.files.findIndex((file) => file.name === f.file);
  if (i < 0) return;
  if (i !== state.active) select(i);
  const area = $("text");
  const lines = area.value.split("\n");
  let offset = 0;
  for (let l = 0; l < f.line - 1 && l < lines.length; l++) offset += lines[l].length + 1;
  area.focus();
  area.setSelectionRange(offset, offset + (lines[f.line - 1] || "").length);
  const lineHeight = parseFloat(getComputedStyle(area).lineHeight) || 20;
  area.scrollTop = Math.max(0, (f.line - 5) * lineHeight);
  renderBackdrop();
}

function uniqueName(base) {
  const names = new Set(state.files.map((f) => f.name));
  if (!names.has(base)) return base;
  for (let n = 2; ; n++) {
    const name = base.replace(/(\.[^.]*)?$/, `-${n}$1`);
    if (!names.has(name)) return name;
  }
}

function wire() {
  const area = $("text");
  area.addEventListener("input", () => {
    state.files[state.active].text = area.value;
    renderBackdrop();
    schedule();
  });
  area.addEventListener("scroll", () => {
    $("backdrop").scrollTop = area.scrollTop;
    $("backdrop").scrollLeft = area.scrollLeft;
  });
  $("file-name").addEventListener("change", (e) => {
    const name = e.target.value.trim();
    const others = state.files.filter((_, i) => i !== state.active).map((f) => f.name);
    if (name && !others.includes(name)) state.files[state.active].name = name;
    renderTabs();
    schedule();
  });
  $("add-file").addEventListener("click", () => {
    state.files.push({ name: uniqueName("redis.yaml"), text: "" });
    select(state.files.length - 1);
    schedule();
  });
  $("remove-file").addEventListener("click", () => {
    if (state.files.length < 2) return;
    state.files.splice(state.active, 1);
    select(Math.max(0, state.active - 1));
    schedule();
  });
  $("target").addEventListener("change", (e) => {
    state.target = e.target.value.trim();
    schedule();
  });
  $("share").addEventListener("click", async () => {
    await saveState();
    try {
      await navigator.clipboard.writeText(location.href);
      setStatus("link copied");
    } catch {
      setStatus("copy the address bar: it holds the files");
    }
  });
}

async function main() {
  wire();
  await loadState();
  $("target").value = state.target;
  $("text").value = state.files[state.active].text;
  render();
  try {
    await loadEngine();
  } catch (e) {
    setStatus(`the engine did not load: ${e.message}`);
    return;
  }
  await run();
  document.body.dataset.ready = "true";
}

main();
