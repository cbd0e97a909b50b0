// Runs site_builder's shipped search.js under Node over a built site, for the benchmarks.
//
//   node bench/search_node.js OUTPUT_DIR LANG QUERIES.json RESULTS.json
//
// QUERIES.json is a JSON list of query strings; RESULTS.json receives, for each query, the list
// of matching document numbers in rank order. Data files are run exactly as the browser runs
// them (they call __sbSearch.*), read from disk instead of loaded with <script src>.
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const [out, lang, queriesFile, resultsFile] = process.argv.slice(2);
const SiteSearch = require(path.join(out, "assets", "search.js"));
const html = fs.readFileSync(path.join(out, lang === "zh-Hans" ? "" : lang.toLowerCase(), "search", "index.html"), "utf8");
const config = JSON.parse(html.match(/<script type="application\/json" id="search-config">([\s\S]*?)<\/script>/)[1]);
const pageDir = path.dirname(path.join(out, lang === "zh-Hans" ? "" : lang.toLowerCase(), "search", "index.html"));

const engine = new SiteSearch.Engine(config, (url) => {
  vm.runInThisContext(fs.readFileSync(path.resolve(pageDir, url), "utf8"), { filename: url });
  return Promise.resolve();
});
globalThis.__sbSearch = engine;

(async () => {
  await engine.ready();
  const queries = JSON.parse(fs.readFileSync(queriesFile, "utf8"));
  const results = [];
  const started = process.hrtime.bigint();
  for (const q of queries) {
    const r = await engine.search(q);
    results.push(r.matches.map((m) => m.doc));
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  fs.writeFileSync(resultsFile, JSON.stringify(results));
  console.error(`node: ${queries.length} queries in ${ms.toFixed(0)} ms`);
})();
