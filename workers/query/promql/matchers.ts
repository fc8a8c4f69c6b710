// Label matchers with Prometheus semantics: a missing label matches as "",
// regexes are Go RE2 syntax, fully anchored. Exported for storage
// implementations (the in-memory test store, and as a post-filter for any
// store whose own regex dialect is only an approximation).
import type { Labels } from "../../../shared/labels";
import type { LabelMatcher } from "../../../shared/storage/types";
import { compileMatcherPattern, type AnchoredRegex } from "./regex";

export type MatchFn = (value: string) => boolean;

// Compiled regexes are reused across queries (dashboards repeat them). Bounded by count and by
// program size, so that many large distinct regexes cannot pile up in an isolate's memory.
const cache = new Map<string, AnchoredRegex>();
const CACHE_ENTRIES = 1000;
const CACHE_INSTRUCTIONS = 200_000;
let cachedInstructions = 0;

/** Compiled, anchored (linear-time) regex for a Prometheus regex matcher value. Throws RegexSyntaxError. */
export function matcherRegex(pattern: string): AnchoredRegex {
  let re = cache.get(pattern);
  if (!re) {
    re = compileMatcherPattern(pattern);
    if (cache.size >= CACHE_ENTRIES || cachedInstructions + re.size > CACHE_INSTRUCTIONS) {
      cache.clear();
      cachedInstructions = 0;
    }
    cache.set(pattern, re);
    cachedInstructions += re.size;
  }
  return re;
}

export function compileMatcher(m: LabelMatcher): MatchFn {
  switch (m.type) {
    case "=":
      return (v) => v === m.value;
    case "!=":
      return (v) => v !== m.value;
    case "=~": {
      const re = matcherRegex(m.value);
      return (v) => re.test(v);
    }
    case "!~": {
      const re = matcherRegex(m.value);
      return (v) => !re.test(v);
    }
  }
}

/** True when the label set (missing labels read as "") satisfies every matcher. */
export function matchesAll(labels: Labels, matchers: LabelMatcher[]): boolean {
  for (const m of matchers) if (!compileMatcher(m)(labels[m.name] ?? "")) return false;
  return true;
}

/** Builds a predicate over label sets for a matcher list, compiling regexes once. */
export function labelsPredicate(matchers: LabelMatcher[]): (labels: Labels) => boolean {
  const fns = matchers.map((m) => [m.name, compileMatcher(m)] as const);
  return (labels) => fns.every(([name, fn]) => fn(labels[name] ?? ""));
}
