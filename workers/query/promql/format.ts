// Float spelling as Prometheus 2.42's JSON uses it (util/jsonutil.MarshalFloat):
// Go strconv.AppendFloat with the shortest round-trip digits, in 'f' form, but
// in 'e' form (two-digit exponent at least) when |v| < 1e-6 or |v| >= 1e21.

function goExponent(v: number): string {
  // toExponential() without an argument gives the shortest round-trip digits.
  const [mant, exp] = v.toExponential().split("e");
  const sign = exp[0];
  const digits = exp.slice(1);
  return `${mant}e${sign}${digits.length < 2 ? "0" + digits : digits}`;
}

function goFixed(v: number): string {
  const s = String(v);
  if (!s.includes("e")) return s;
  const [mant, expStr] = v.toExponential().split("e");
  const neg = mant.startsWith("-");
  const digits = mant.replace("-", "").replace(".", "");
  const exp = Number(expStr);
  const out =
    exp >= 0
      ? digits.length - 1 <= exp
        ? digits + "0".repeat(exp - (digits.length - 1))
        : digits.slice(0, exp + 1) + "." + digits.slice(exp + 1)
      : "0." + "0".repeat(-exp - 1) + digits;
  return neg ? "-" + out : out;
}

function special(v: number): string | null {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  if (v === 0) return Object.is(v, -0) ? "-0" : "0";
  return null;
}

/** A sample value in the API's JSON. */
export function formatValue(v: number): string {
  const abs = Math.abs(v);
  return special(v) ?? (abs < 1e-6 || abs >= 1e21 ? goExponent(v) : goFixed(v));
}

/** Go's strconv.FormatFloat(v, 'f', -1, 64), which count_values uses for its label. */
export function formatFixed(v: number): string {
  return special(v) ?? goFixed(v);
}

/** Timestamps in Prometheus JSON: unix seconds as a number (ms / 1000). */
export function formatTimestamp(ms: number): number {
  return ms / 1000;
}
