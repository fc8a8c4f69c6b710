// One regex compiles in at most ~0.5 s (regex.ts's MAX_PROGRAM), but a query
// may hold many distinct ones: a form POST with a hundred near the cap would
// cost ~50 s of CPU before evaluation starts. So the parser charges every
// distinct regex of a query (matchers and label_replace patterns) against one
// total, measured by the same cheap scan, before anything is compiled.
import { scanRegex } from "./regex-scan";

/** Instructions all the distinct regexes of one query may compile to (four at regex.ts's single cap). */
export const MAX_QUERY_REGEX_PROGRAM = 200_000;

export class RegexBudget {
  private left = MAX_QUERY_REGEX_PROGRAM;
  private readonly seen = new Set<string>();

  /** Counts `pattern` once; returns the error to report past the total, else null. */
  charge(pattern: string): string | null {
    if (this.seen.has(pattern)) return null;
    this.seen.add(pattern);
    this.left -= scanRegex(pattern).size;
    return this.left < 0
      ? `the regular expressions of this query are too large: about ${MAX_QUERY_REGEX_PROGRAM - this.left} instructions in all, the limit is ${MAX_QUERY_REGEX_PROGRAM}`
      : null;
  }
}
