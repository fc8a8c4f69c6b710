// Compile and match cost of matcher regexes: the engine's path (an exact fast
// path for literal shapes, else re2js), re2js alone, and V8's backtracking
// RegExp compiled from what the replaced RE2-to-JS translation produced for
// the same dashboard patterns. Prints a table.
// Run: npx tsx scripts/bench-regex.ts
import { compileAnchored, compileMatcherPattern } from "../workers/query/promql/regex";
import { fastMatcher } from "../workers/query/promql/regex-fastpath";

// Pattern -> the JS source the old translation (workers/query/promql/regex.ts before re2js) emitted.
const TYPICAL: Array<[string, string]> = [
  ["llama.*", "llama[^\\n]*"],
  ["a|b|c", "a|b|c"],
  [".*", "[^\\n]*"],
  [".+", "[^\\n]+"],
  ["api|web", "api|web"],
  ["host-[0-2]:9100", "host-[0-2]:9100"],
  ["(?i)llama.*", "[lL][lL][aA][mM][aA][^\\n]*"],
  ["5..", "5[^\\n][^\\n]"],
  ["llama.*|mistral.*", "llama[^\\n]*|mistral[^\\n]*"],
  [".*-3.*", "[^\\n]*-3[^\\n]*"],
];

/** Label values as dashboards meet them: model names, hosts, status codes, ids. */
function values(n: number): string[] {
  const models = ["llama-3-70b-instruct", "llama-3.1-8b", "mistral-7b-v0.3", "qwen2-72b", "gpt-oss-120b", "a", "b", "c"];
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: n }, (_, i) => {
    switch (i % 5) {
      case 0: return models[Math.floor(rnd() * models.length)];
      case 1: return `host-${Math.floor(rnd() * 40)}:9100`;
      case 2: return String(200 + Math.floor(rnd() * 4) * 100 + Math.floor(rnd() * 5));
      case 3: return ["api", "web", "worker"][Math.floor(rnd() * 3)];
      default: return Math.floor(rnd() * 2 ** 40).toString(36) + "-" + i;
    }
  });
}

function perOp(f: () => void, ops: number): number {
  f(); // warm up
  let rounds = 0;
  const started = performance.now();
  do {
    f();
    rounds++;
  } while (performance.now() - started < 200);
  return ((performance.now() - started) * 1e6) / (rounds * ops); // ns per op
}

const vals = values(2000);
const rows: string[][] = [["pattern", "path", "compile µs: engine", "re2js", "RegExp", "match ns: engine", "re2js", "RegExp"]];
for (const [p, js] of TYPICAL) {
  const engine = compileMatcherPattern(p);
  const re2 = compileAnchored(p);
  const native = new RegExp("^(?:" + js + ")$", "u");
  for (const v of vals) if (engine.test(v) !== native.test(v) || re2.test(v) !== native.test(v)) throw new Error(`${p} disagrees on ${JSON.stringify(v)}`);
  let hits = 0;
  const match = (re: { test(v: string): boolean }) =>
    perOp(() => {
      for (const v of vals) if (re.test(v)) hits++;
    }, vals.length).toFixed(0);
  // The best of three windows: a window right after the match loops pays for their garbage.
  const compile = (f: () => unknown) => (Math.min(perOp(f, 1), perOp(f, 1), perOp(f, 1)) / 1000).toFixed(1);
  rows.push([
    p,
    fastMatcher(p) ? "fast" : "re2js",
    compile(() => compileMatcherPattern(p)),
    compile(() => compileAnchored(p)),
    compile(() => new RegExp("^(?:" + js + ")$", "u")),
    match(engine),
    match(re2),
    match(native),
  ]);
}
const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
for (const r of rows) console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  "));
console.log(`(${vals.length} label values; engine = compileMatcherPattern, the matchers' path: fast path or re2js; RegExp = V8 on the replaced translation's output, compiled lazily by V8; node ${process.version})`);
