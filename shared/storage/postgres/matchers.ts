// Label matchers as SQL over the series table. Prometheus semantics: a missing
// label equals "", and regexes are fully anchored.
import { sql, type SQL } from "drizzle-orm";
import { NAME_LABEL } from "../../labels";
import type { LabelMatcher } from "../types";

function column(name: string): SQL {
  return name === NAME_LABEL ? sql`s.metric_name` : sql`coalesce(s.labels ->> ${name}, '')`;
}

export function matcherSql(m: LabelMatcher): SQL {
  const col = column(m.name);
  switch (m.type) {
    case "=":
      // Equality on a present label can use the jsonb containment index.
      return m.name !== NAME_LABEL && m.value !== "" ? sql`s.labels @> ${JSON.stringify({ [m.name]: m.value })}::jsonb` : sql`${col} = ${m.value}`;
    case "!=":
      return sql`${col} <> ${m.value}`;
    case "=~":
      return sql`${col} ~ ${`^(?:${m.value})$`}`;
    case "!~":
      return sql`${col} !~ ${`^(?:${m.value})$`}`;
  }
}

export function matchersSql(matchers: LabelMatcher[]): SQL {
  if (matchers.length === 0) return sql`true`;
  return sql.join(matchers.map(matcherSql), sql` AND `);
}

/** Any of several matcher sets (the match[] parameter); all series when there are none. */
export function matcherSetsSql(sets: LabelMatcher[][]): SQL {
  if (sets.length === 0) return sql`true`;
  return sql`(${sql.join(sets.map((s) => sql`(${matchersSql(s)})`), sql` OR `)})`;
}
