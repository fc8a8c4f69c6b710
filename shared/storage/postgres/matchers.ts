// Label matchers as SQL over the series table. Prometheus semantics: a missing
// label equals "", regexes are RE2 and fully anchored. Postgres's regex dialect
// is not RE2, so a regex goes to SQL only where the SQL answer is exact (a list
// of literals) or a superset (a simple =~ pattern, re-checked by the caller
// with the engine's exact matcher); everything else is left to that check.
import { sql, type SQL } from "drizzle-orm";
import { NAME_LABEL, textProblem } from "../../labels";
import type { LabelMatcher } from "../types";

function column(name: string): SQL {
  return name === NAME_LABEL ? sql`s.metric_name` : sql`coalesce(s.labels ->> ${name}, '')`;
}

// Literals only (RE2 escapes of punctuation allowed): "a|b|c".
const LITERAL_ALTERNATION = /^(?:[A-Za-z0-9_:\-/ ]|\\[.\-/+*?()[\]{}|^$\\])*(?:\|(?:[A-Za-z0-9_:\-/ ]|\\[.\-/+*?()[\]{}|^$\\])*)*$/;
// Constructs that mean the same in RE2 and Postgres AREs, except that "." also
// matches a newline in Postgres: the SQL match is then a superset, never less.
const SIMPLE_PATTERN = /^(?:[A-Za-z0-9_:\-/ ,=]|\\[.\-/+*?()[\]{}|^$\\]|\.|[*+?|()]|\[\^?(?:[A-Za-z0-9_\-]|\\[\]\\-])+\])*$/;

/** The alternatives of a LITERAL_ALTERNATION pattern, unescaped; an escaped "|" is a literal bar. */
function literals(pattern: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === "\\") cur += pattern[++i];
    else if (ch === "|") {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

export interface MatcherPlan {
  where: SQL;
  /** Matchers the SQL does not decide exactly: the caller must re-check these. */
  residual: LabelMatcher[];
}

// ".*" and ".+" (Grafana's "All" and "any value"): RE2's "." stops at a
// newline, so these are exact as "no newline" and "not empty, no newline".
const noNewline = (col: SQL) => sql`strpos(${col}, chr(10)) = 0`;
function anyValueSql(col: SQL, pattern: string): SQL | null {
  if (pattern === ".*") return noNewline(col);
  if (pattern === ".+") return sql`(${col} <> '' AND ${noNewline(col)})`;
  return null;
}

/**
 * Postgres text cannot hold U+0000 or a lone surrogate, so no stored value
 * contains one: "=" such a value matches nothing, "!=" everything. (Sending
 * one as a parameter is an error, the 500 of probe D6.) Regexes never reach
 * SQL with one: neither pattern class above admits it.
 */
export const isUnstorable = (v: string): boolean => textProblem(v) !== null;

export function planMatchers(matchers: LabelMatcher[]): MatcherPlan {
  const parts: SQL[] = [];
  const residual: LabelMatcher[] = [];
  for (const m of matchers) {
    const col = column(m.name);
    switch (m.type) {
      case "=":
        if (isUnstorable(m.value)) {
          parts.push(sql`false`);
          break;
        }
        // Equality on a present label can use the jsonb containment index.
        parts.push(m.name !== NAME_LABEL && m.value !== "" ? sql`s.labels @> ${JSON.stringify({ [m.name]: m.value })}::jsonb` : sql`${col} = ${m.value}`);
        break;
      case "!=":
        if (!isUnstorable(m.value)) parts.push(sql`${col} <> ${m.value}`);
        break;
      case "=~": {
        const any = anyValueSql(col, m.value);
        if (any) parts.push(any);
        else if (LITERAL_ALTERNATION.test(m.value)) {
          parts.push(sql`${col} = ANY(${sql.param(literals(m.value))}::text[])`);
        } else {
          if (SIMPLE_PATTERN.test(m.value) && !m.value.includes("(?")) parts.push(sql`${col} ~ ${`^(?:${m.value})$`}`);
          residual.push(m);
        }
        break;
      }
      case "!~": {
        const any = anyValueSql(col, m.value);
        if (any) parts.push(sql`NOT ${any}`);
        else if (LITERAL_ALTERNATION.test(m.value)) parts.push(sql`${col} <> ALL(${sql.param(literals(m.value))}::text[])`);
        else residual.push(m);
        break;
      }
    }
  }
  return { where: parts.length ? sql.join(parts, sql` AND `) : sql`true`, residual };
}

/** Any of several matcher sets (the match[] parameter); all series when there are none. */
export function planMatcherSets(sets: LabelMatcher[][]): { where: SQL; residual: boolean } {
  if (sets.length === 0) return { where: sql`true`, residual: false };
  const plans = sets.map(planMatchers);
  return {
    where: sql`(${sql.join(plans.map((p) => sql`(${p.where})`), sql` OR `)})`,
    residual: plans.some((p) => p.residual.length > 0),
  };
}
