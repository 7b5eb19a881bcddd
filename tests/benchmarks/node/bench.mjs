// Times the reference JavaScript JSONata on one mapping over one page of records.
//
//   node bench.mjs [INSTALL_DIR] < job.json
//
// job.json: {"expression": "...", "data": [record, ...], "bindings": {...}, "iterations": N}
// Compiles the expression once, warms up, then times N evaluations of the whole page
// (`await expr.evaluate(record, bindings)` for every record) and prints one JSON line:
// {"median_ms": ..., "min_ms": ..., "iterations": N, "records": n, "jsonata": "<version>", "node": "<version>"}.
// INSTALL_DIR is the `npm install --prefix` directory holding node_modules/jsonata
// (default: resolve `jsonata` from this file's directory).
import { createRequire } from "node:module";
import path from "node:path";
import { readFileSync } from "node:fs";

const installDir = process.argv[2] ? path.resolve(process.argv[2]) : path.dirname(new URL(import.meta.url).pathname);
const require = createRequire(path.join(installDir, "package.json"));
const jsonata = require("jsonata");
const version = JSON.parse(readFileSync(require.resolve("jsonata/package.json"), "utf8")).version;

const job = JSON.parse(readFileSync(0, "utf8"));
const records = job.data;
const bindings = job.bindings || {};
const iterations = Math.max(1, job.iterations || 20);
const expr = jsonata(job.expression);

async function page() {
  const out = new Array(records.length);
  for (let i = 0; i < records.length; i++) {
    out[i] = await expr.evaluate(records[i], bindings);
  }
  return out;
}

// Warm up until the JIT has settled a little: at least 5 pages and 300 ms.
const warmStart = performance.now();
for (let i = 0; i < 5 || performance.now() - warmStart < 300; i++) {
  await page();
}

const samples = [];
for (let i = 0; i < iterations; i++) {
  const started = performance.now();
  await page();
  samples.push(performance.now() - started);
}
samples.sort((a, b) => a - b);
const mid = samples.length >> 1;
const median = samples.length % 2 ? samples[mid] : (samples[mid - 1] + samples[mid]) / 2;
console.log(JSON.stringify({
  median_ms: median, min_ms: samples[0], iterations, records: records.length,
  jsonata: version, node: process.version,
}));
