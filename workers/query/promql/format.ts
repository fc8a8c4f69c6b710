// Float spelling as Prometheus's JSON uses it: Go strconv.FormatFloat(v, 'f', -1, 64),
// i.e. the shortest digits that round-trip, never in exponent form.

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  if (v === 0) return Object.is(v, -0) ? "-0" : "0";
  const s = String(v);
  if (!s.includes("e")) return s;
  // toExponential() without an argument gives the shortest round-trip digits.
  const [mant, expStr] = v.toExponential().split("e");
  const neg = mant.startsWith("-");
  const digits = mant.replace("-", "").replace(".", "");
  const exp = Number(expStr);
  let out: string;
  if (exp >= 0) {
    out = digits.length - 1 <= exp ? digits + "0".repeat(exp - (digits.length - 1)) : digits.slice(0, exp + 1) + "." + digits.slice(exp + 1);
  } else {
    out = "0." + "0".repeat(-exp - 1) + digits;
  }
  return neg ? "-" + out : out;
}

/** Timestamps in Prometheus JSON: unix seconds as a number (ms / 1000). */
export function formatTimestamp(ms: number): number {
  return ms / 1000;
}
