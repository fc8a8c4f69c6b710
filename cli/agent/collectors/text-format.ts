// Prometheus text exposition (0.0.4) and OpenMetrics 1.0 parser. Histograms and
// summaries come out as their classic sample series (_bucket, _sum, _count,
// quantiles); a syntax error fails the whole scrape, as it does in Prometheus,
// because a half-parsed exposition would silently drop series.
import type { RwMetricType } from "../../../shared/contracts/remote-write";

export interface ParsedSample {
  name: string;
  /** In exposition order; the caller validates and normalises. */
  labels: Array<[string, string]>;
  value: number;
  /** Unix ms, only when the exposition carried one. */
  timestampMs?: number;
}

export interface FamilyMeta {
  type: RwMetricType;
  help: string;
  unit: string;
}

export interface ParseResult {
  samples: ParsedSample[];
  /** Keyed by metric family name (histogram "foo" for foo_bucket/_sum/_count). */
  metadata: Map<string, FamilyMeta>;
}

export class TextFormatError extends Error {
  constructor(readonly line: number, reason: string) {
    super(`line ${line}: ${reason}`);
  }
}

const TYPES = new Set<RwMetricType>(["counter", "gauge", "histogram", "gaugehistogram", "summary", "info", "stateset", "unknown"]);
const NAME_START = /[a-zA-Z_:]/;
const NAME_CHAR = /[a-zA-Z0-9_:]/;
const FLOAT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Go's strconv.ParseFloat subset that exporters actually emit, +Inf/-Inf/NaN included. */
export function parseFloatValue(s: string): number | null {
  if (FLOAT_RE.test(s)) return Number(s);
  switch (s.toLowerCase()) {
    case "+inf": case "inf": case "+infinity": case "infinity": return Infinity;
    case "-inf": case "-infinity": return -Infinity;
    case "nan": case "+nan": case "-nan": return NaN;
  }
  return null;
}

export function isOpenMetrics(contentType: string | null | undefined): boolean {
  return !!contentType && contentType.toLowerCase().startsWith("application/openmetrics-text");
}

/**
 * Receives each sample of an exposition as scanTextFormat reads it. `series` is
 * the line's text before the value (`name{labels}`): a target loop keys its
 * label cache on it, and when known() says it has seen it, the labels are not
 * parsed again (`parsed` is then undefined) and the value is read in place.
 */
export interface SampleSink {
  known(series: string): boolean;
  sample(series: string, value: number, timestampMs: number | undefined, parsed: ParsedSample | undefined): void;
}

export function parseTextFormat(text: string, openMetrics = false): ParseResult {
  const samples: ParsedSample[] = [];
  const metadata = scanTextFormat(text, openMetrics, { known: () => false, sample: (_s, _v, _t, parsed) => samples.push(parsed!) });
  return { samples, metadata };
}

/** The one parser: metadata is returned, samples go to `sink` in exposition order; a syntax error throws. */
export function scanTextFormat(text: string, openMetrics: boolean, sink: SampleSink): Map<string, FamilyMeta> {
  const metadata = new Map<string, FamilyMeta>();
  const meta = (name: string): FamilyMeta => {
    let m = metadata.get(name);
    if (!m) metadata.set(name, (m = { type: "unknown", help: "", unit: "" }));
    return m;
  };
  let lineNo = 0;
  let pos = 0;
  const n = text.length;
  while (pos < n) {
    lineNo++;
    let end = text.indexOf("\n", pos);
    if (end === -1) end = n;
    const start = pos;
    pos = end + 1;
    if (end > start && text.charCodeAt(end - 1) === 13 /* \r */) end--;
    const c0 = text.charCodeAt(start);
    // The common line, a sample of a series seen in the last scrape: one map lookup, no label parsing.
    if (c0 !== 35 /* # */ && end > start && fastSample(text, start, end, openMetrics, sink)) continue;
    const line = text.slice(start, end);
    if (line.trim() === "") continue;
    if (c0 === 35 /* # */) {
      const m = /^#[ \t]*(HELP|TYPE|UNIT|EOF)(?:[ \t]+(\S+)(?:[ \t]*(.*))?)?$/.exec(line);
      if (!m) continue; // a plain comment
      const [, kw, rawName, rest = ""] = m;
      if (kw === "EOF") {
        if (openMetrics) break;
        continue;
      }
      if (rawName === undefined) {
        if (openMetrics) throw new TextFormatError(lineNo, `# ${kw} without a metric name`);
        continue;
      }
      const name = rawName.startsWith('"') ? unquote(rawName, lineNo) : rawName;
      if (kw === "HELP") meta(name).help = unescape(rest, lineNo, "HELP", openMetrics);
      else if (kw === "UNIT") meta(name).unit = rest.trim();
      else {
        const t = rest.trim().toLowerCase() as RwMetricType;
        if (!TYPES.has(t)) throw new TextFormatError(lineNo, `unknown metric type ${JSON.stringify(rest.trim())}`);
        meta(name).type = t;
      }
      continue;
    }
    const [parsed, seriesEnd] = parseSampleLine(line, lineNo, openMetrics);
    sink.sample(line.slice(0, seriesEnd), parsed.value, parsed.timestampMs, parsed);
  }
  return metadata;
}

const isBlank = (c: number) => c === 32 || c === 9;

/**
 * A sample line whose series text the sink already knows, read without slicing
 * the line: value and optional timestamp in place. Anything unusual (an
 * exemplar, a malformed value) returns false, and the full parser reads the
 * line and gives the precise error.
 */
function fastSample(text: string, start: number, end: number, openMetrics: boolean, sink: SampleSink): boolean {
  // Where the series text ends: after the last "}" (values and timestamps hold
  // none), or at the first blank when there are no labels. A wrong guess is
  // only a cache miss: the guessed text was never a valid series.
  let split = -1;
  const brace = text.indexOf("{", start);
  if (brace !== -1 && brace < end) {
    const close = text.lastIndexOf("}", end - 1);
    if (close < brace) return false;
    split = close + 1;
  } else {
    for (let i = start; i < end; i++) {
      if (isBlank(text.charCodeAt(i))) {
        split = i;
        break;
      }
    }
  }
  if (split <= start || split >= end || !isBlank(text.charCodeAt(split))) return false;
  const series = text.slice(start, split);
  if (!sink.known(series)) return false;
  let i = split;
  while (i < end && isBlank(text.charCodeAt(i))) i++;
  const v0 = i;
  while (i < end && !isBlank(text.charCodeAt(i))) i++;
  const value = parseFloatValue(text.slice(v0, i));
  if (value === null) return false;
  while (i < end && isBlank(text.charCodeAt(i))) i++;
  let timestampMs: number | undefined;
  if (i < end) {
    if (openMetrics) return false; // fractional-second timestamps and exemplars: the full parser
    const t0 = i;
    while (i < end && !isBlank(text.charCodeAt(i))) i++;
    const ts = text.slice(t0, i);
    if (!INT_RE.test(ts)) return false;
    timestampMs = Number(ts);
    while (i < end && isBlank(text.charCodeAt(i))) i++;
    if (i < end) return false;
  }
  sink.sample(series, value, timestampMs, undefined);
  return true;
}

const INT_RE = /^-?\d+$/;

function unquote(s: string, lineNo: number): string {
  if (s.length < 2 || !s.endsWith('"')) throw new TextFormatError(lineNo, `unterminated quoted name ${s}`);
  return unescapeLabel(s.slice(1, -1), lineNo);
}

/**
 * Escapes in label values (and OpenMetrics HELP): \\ \n \" and nothing else.
 * The 0.0.4 format's HELP knows only \\ and \n and passes other escapes through
 * (`strict` false).
 */
function unescape(s: string, lineNo: number, where: string, strict: boolean): string {
  if (!s.includes("\\")) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== "\\") { out += c; continue; }
    const e = s[++i];
    if (e === "\\") out += "\\";
    else if (e === "n") out += "\n";
    else if (e === '"' && strict) out += '"';
    else if (strict) throw new TextFormatError(lineNo, `invalid escape \\${e ?? ""} in ${where}`);
    else out += "\\" + (e ?? "");
  }
  return out;
}

const unescapeLabel = (s: string, lineNo: number) => unescape(s, lineNo, "label value", true);

/** Reads a quoted string starting at s[i] === '"'; returns the raw (escaped) body and the index after the closing quote. */
function readQuoted(s: string, i: number, lineNo: number): [string, number] {
  let j = i + 1;
  for (;;) {
    if (j >= s.length) throw new TextFormatError(lineNo, "unterminated quoted string");
    const c = s.charCodeAt(j);
    if (c === 92 /* \ */) { j += 2; continue; }
    if (c === 34 /* " */) break;
    j++;
  }
  return [s.slice(i + 1, j), j + 1];
}

function skipSpace(s: string, i: number): number {
  while (i < s.length && (s[i] === " " || s[i] === "\t")) i++;
  return i;
}

function readName(s: string, i: number): [string, number] {
  if (i >= s.length || !NAME_START.test(s[i])) return ["", i];
  let j = i + 1;
  while (j < s.length && NAME_CHAR.test(s[j])) j++;
  return [s.slice(i, j), j];
}

/** The sample of a line and where its series text (name and labels) ends. */
function parseSampleLine(line: string, lineNo: number, openMetrics: boolean): [ParsedSample, number] {
  let i = 0;
  let name: string;
  [name, i] = readName(line, i);
  const labels: Array<[string, string]> = [];
  const afterName = i;
  i = skipSpace(line, i); // the 0.0.4 format allows blanks before "{"
  if (line[i] !== "{") i = afterName;
  if (line[i] === "{") {
    i++;
    let first = true;
    for (;;) {
      i = skipSpace(line, i);
      if (line[i] === "}") { i++; break; }
      let lname: string;
      if (line[i] === '"') {
        // Prometheus 3 UTF-8 names: {"metric.name", "label.name"="v"}
        let raw: string;
        [raw, i] = readQuoted(line, i, lineNo);
        lname = unescapeLabel(raw, lineNo);
        i = skipSpace(line, i);
        if (first && name === "" && (line[i] === "," || line[i] === "}")) {
          name = lname;
          if (line[i] === ",") i++;
          first = false;
          continue;
        }
      } else {
        [lname, i] = readName(line, i);
        if (lname === "" || lname.includes(":")) throw new TextFormatError(lineNo, `invalid label name at column ${i + 1}`);
        i = skipSpace(line, i);
      }
      first = false;
      if (line[i] !== "=") throw new TextFormatError(lineNo, `expected "=" after label name ${JSON.stringify(lname)}`);
      i = skipSpace(line, i + 1);
      if (line[i] !== '"') throw new TextFormatError(lineNo, `expected quoted value for label ${JSON.stringify(lname)}`);
      let raw: string;
      [raw, i] = readQuoted(line, i, lineNo);
      labels.push([lname, unescapeLabel(raw, lineNo)]);
      i = skipSpace(line, i);
      if (line[i] === ",") { i++; continue; }
      if (line[i] === "}") { i++; break; }
      throw new TextFormatError(lineNo, `expected "," or "}" after value of label ${JSON.stringify(lname)}`);
    }
  }
  if (name === "") throw new TextFormatError(lineNo, "expected a metric name");
  const afterLabels = i;
  i = skipSpace(line, i);
  if (i === afterLabels && labels.length === 0 && line[i - 1] !== "}") throw new TextFormatError(lineNo, `expected whitespace after ${JSON.stringify(name)}`);
  // OpenMetrics exemplars follow " # "; they are not samples.
  let rest = line.slice(i);
  if (openMetrics) {
    const ex = rest.indexOf(" # ");
    if (ex !== -1) rest = rest.slice(0, ex);
  }
  const parts = rest.trim().split(/[ \t]+/);
  if (parts.length === 0 || parts[0] === "") throw new TextFormatError(lineNo, `missing value for ${JSON.stringify(name)}`);
  if (parts.length > 2) throw new TextFormatError(lineNo, `unexpected text after timestamp: ${JSON.stringify(parts.slice(2).join(" "))}`);
  const value = parseFloatValue(parts[0]);
  if (value === null) throw new TextFormatError(lineNo, `invalid value ${JSON.stringify(parts[0])}`);
  const sample: ParsedSample = { name, labels, value };
  if (parts.length === 2) {
    const ts = parts[1];
    if (openMetrics) {
      // OpenMetrics timestamps are seconds, possibly fractional.
      const sec = parseFloatValue(ts);
      if (sec === null || !Number.isFinite(sec)) throw new TextFormatError(lineNo, `invalid timestamp ${JSON.stringify(ts)}`);
      sample.timestampMs = Math.round(sec * 1000);
    } else {
      // The classic format uses integer milliseconds.
      if (!INT_RE.test(ts)) throw new TextFormatError(lineNo, `invalid timestamp ${JSON.stringify(ts)}`);
      sample.timestampMs = Number(ts);
    }
  }
  return [sample, afterLabels];
}

const SUFFIXES = ["_bucket", "_count", "_sum", "_total", "_created", "_gcount", "_gsum", "_info"];

/** The family a sample belongs to, so TYPE/HELP of "foo" apply to foo_bucket etc. */
export function familyOf(sampleName: string, metadata: Map<string, FamilyMeta>): string {
  if (metadata.has(sampleName)) return sampleName;
  for (const s of SUFFIXES) {
    if (sampleName.endsWith(s)) {
      const base = sampleName.slice(0, -s.length);
      if (metadata.has(base)) return base;
    }
  }
  return sampleName;
}
