// Browser test of the playground (playground/): a local static server, Debian's chromium
// driven headless by playwright-core, the seed guide's sentinel.conf pasted into the
// page. The two invented Sentinel options must be reported at their lines, no password
// of the seed may appear anywhere in the page or its link, and the link must reproduce
// the result in a fresh page. A screenshot goes to target/artifacts/playground.png.
//
// With REDIS_HALINT_BINARY, the page's JSON is compared with what that binary prints for
// the same file.
//
// Usage: node playground.test.mjs SEED_SENTINEL_CONF [REDIS_HALINT_BINARY]
import { chromium } from "playwright-core";
import { spawnSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { readFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
// Beside the other CI artefacts (scripts/svg-screenshot.sh), whatever CARGO_TARGET_DIR is.
const artifacts = path.resolve(root, "..", "target", "artifacts");
const seedPath = process.argv[2];
assert.ok(seedPath, "usage: node playground.test.mjs SEED_SENTINEL_CONF");
const seed = await readFile(seedPath, "utf8");

// What the seed says, found independently of redis-halint: the lines of the two invented
// options, and every literal password.
const lineOf = (re) => seed.split("\n").findIndex((l) => re.test(l)) + 1;
const invented = {
  "replica-validity-time": lineOf(/^sentinel replica-validity-time\b/),
  "script-max-execution-time": lineOf(/^sentinel script-max-execution-time\b/),
};
for (const [option, line] of Object.entries(invented)) assert.ok(line > 0, `${option} is not in the seed`);
// Commented-out directives count too: `# requirepass "…"` is still someone's password.
const passwords = [
  ...seed.matchAll(/^\s*(?:#\s*)?(?:requirepass|masterauth|sentinel auth-pass \S+|sentinel sentinel-pass)\s+"?([^\s"#]+)/gm),
].map((m) => m[1]);
assert.ok(passwords.length > 0, "no password in the seed: the check would prove nothing");

// A static file server for playground/ (the page needs nothing else).
const types = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm" };
const server = createServer(async (req, res) => {
  const file = path.join(root, decodeURIComponent(new URL(req.url, "http://x").pathname));
  if (!file.startsWith(root)) return res.writeHead(403).end();
  try {
    const body = await readFile(file.endsWith("/") ? path.join(file, "index.html") : file);
    res.writeHead(200, { "content-type": types[path.extname(file) || ".html"] || "application/octet-stream" });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const base = `http://127.0.0.1:${server.address().port}/index.html`;

const profile = await mkdtemp(path.join(tmpdir(), "playground-chromium-"));
// A new profile directory (playwright passes it as --user-data-dir).
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1400, height: 900 },
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
  ],
});
const requests = [];
let failed = false;
try {
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(base);
  await page.waitForSelector("body[data-ready=true]", { timeout: 30000 });

  // Paste the seed into the first file (sentinel.conf).
  await page.locator("#tabs button").first().click();
  assert.equal(await page.inputValue("#file-name"), "sentinel.conf");
  await page.locator("#text").focus();
  await page.keyboard.press("Control+A");
  await page.evaluate((text) => {
    const area = document.getElementById("text");
    const data = new DataTransfer();
    data.setData("text/plain", text);
    // A paste as the browser delivers it: the textarea takes the text, then `input`.
    area.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true }));
    area.setRangeText(text, area.selectionStart, area.selectionEnd, "end");
    area.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "insertFromPaste" }));
  }, seed);

  for (const [option, line] of Object.entries(invented)) {
    const item = page.locator(`#findings li[data-file="sentinel.conf"][data-line="${line}"][data-rule="unknown-sentinel-directive"]`);
    await item.first().waitFor({ timeout: 15000 });
    const text = await item.first().innerText();
    assert.ok(text.includes(`sentinel ${option}`), `line ${line}: ${text}`);
    console.log(`ok: sentinel ${option} reported at sentinel.conf:${line}`);
  }
  // The same findings in the JSON, as the CLI prints them.
  const json = JSON.parse(await page.locator("#json").textContent());
  for (const [option, line] of Object.entries(invented)) {
    assert.ok(json.some((f) => f.rule === "unknown-sentinel-directive" && f.line === line && f.message.includes(option)), option);
  }
  if (process.argv[3]) {
    // The CLI on the files the page holds (the seed and the example's compose file)
    // gives the same JSON.
    const dir = await mkdtemp(path.join(tmpdir(), "playground-cli-"));
    const files = await page.evaluate(() => state.files);
    for (const f of files) await writeFile(path.join(dir, f.name), f.text);
    const names = files.map((f) => f.name);
    const cli = spawnSync(path.resolve(process.argv[3]), ["check", "--output-format", "json", ...names], { cwd: dir, encoding: "utf8" });
    await rm(dir, { recursive: true, force: true });
    assert.deepEqual(json, JSON.parse(cli.stdout), "the page's JSON differs from the CLI's");
    console.log(`ok: the page's JSON is the CLI's (${json.length} finding(s))`);
  }
  // The line is marked in the editor.
  const marked = await page.locator("#backdrop .line-error").count();
  assert.ok(marked >= 2, `${marked} marked line(s)`);

  // No password anywhere: the document, the editor's value, the JSON, the link.
  await page.waitForFunction(() => location.hash.startsWith("#s="));
  const everything = [
    await page.content(),
    await page.inputValue("#text"),
    await page.evaluate(() => document.body.innerText),
    page.url(),
    decodeURIComponent(page.url()),
  ].join("\n");
  for (const pw of passwords) assert.ok(!everything.includes(pw), "a password of the seed appears in the page");
  console.log(`ok: none of the seed's ${passwords.length} password(s) in the page, its editor or its link`);

  await mkdir(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, "playground.png"), fullPage: true });
  console.log(`ok: screenshot ${path.join(artifacts, "playground.png")}`);

  // The link reproduces the state in a fresh page.
  const link = page.url();
  const second = await context.newPage();
  await second.goto(link);
  await second.waitForSelector("body[data-ready=true]", { timeout: 30000 });
  const again = JSON.parse(await second.locator("#json").textContent());
  assert.deepEqual(again, json, "the link does not reproduce the findings");
  console.log(`ok: the link reproduces ${again.length} finding(s)`);

  // Everything came from the local server: no download from anywhere else.
  const foreign = requests.filter((u) => !u.startsWith(`http://127.0.0.1:${server.address().port}/`));
  assert.deepEqual(foreign, [], "requests outside the page's own server");
  assert.deepEqual(errors, [], "page errors");
  console.log("playground test passed");
} catch (e) {
  failed = true;
  console.error(e);
} finally {
  await context.close();
  server.close();
  await rm(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
