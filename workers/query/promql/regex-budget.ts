// One regex compiles in at most ~0.5 s (regex.ts's MAX_PROGRAM), but a query
// may hold many distinct ones: a form POST with a hundred near the cap would
// cost ~50 s of CPU before evaluation starts. So the parser charges every
// distinct regex of a query (matchers as it compiles them, label_replace
// patterns by the same scan regex.ts sizes them with) against one total.
import { MAX_PROGRAM } from "./regex";
import { scanRegex } from "./regex-scan";

/** Instructions all the distinct regexes of one query may compile to (four at regex.ts's single cap). */
export const MAX_QUERY_REGEX_PROGRAM = 200_000;

export class RegexBudget {
  private left = MAX_QUERY_REGEX_PROGRAM;
  private readonly seen = new Set<string>();

  /**
   * Counts `pattern` once, at `size` instructions (its scan's estimate when not
   * given); returns the error to report past the total, else null. A pattern
   * that will not compile is not counted: its own error is the one to report.
   */
  charge(pattern: string, size?: number): string | null {
    if (this.seen.has(pattern)) return null;
    this.seen.add(pattern);
    if (size === undefined) {
      const scan = scanRegex(pattern);
      if (scan.repeatTooLarge || scan.size > MAX_PROGRAM) return null;
      size = scan.size;
    }
    this.left -= size;
    return this.left < 0
      ? `the regular expressions of this query are too large: about ${MAX_QUERY_REGEX_PROGRAM - this.left} instructions in all, the limit is ${MAX_QUERY_REGEX_PROGRAM}`
      : null;
  }
}
