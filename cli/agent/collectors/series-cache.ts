// A target's series between scrapes. Scrape after scrape an exporter prints the
// same lines with new values, so the built, validated label set of each series
// is kept against the line's series text (`name{labels}`, what comes before the
// value): an unchanged series costs one map lookup, not a parse, a label
// check, a sort and a protobuf encoding. The cache holds exactly the series of
// the last successful collection (and what could not be built from it, so a bad
// line is not re-checked either); whatever a scrape did not see is dropped at
// commit, after its staleness marker, so memory follows the exposition.
import type { EncodedLabels } from "../remote-write/series-bytes";

export interface SeriesEntry {
  /**
   * Encoded TimeSeries.labels fields (see remote-write/series-bytes.ts); also
   * the series' identity, since labels are sorted before encoding, so one
   * series has one encoding. "" for text that builds no valid series.
   */
  readonly labels: EncodedLabels;
  /** Generation of the collection that last saw it. */
  seen: number;
  /** Whether it gets a staleness marker when it vanishes (no explicit timestamp when last seen). */
  stalable: boolean;
}

/**
 * V8 keeps a slice of a string as a pointer into the whole: a key sliced from
 * a scrape body would keep the body alive. Concatenation then slicing makes a
 * flat copy of just the key.
 */
const detach = (s: string): string => (" " + s).slice(1);

export class SeriesCache {
  private readonly byText = new Map<string, SeriesEntry>();
  private readonly byKey = new Map<string, SeriesEntry>();
  /** Generation of the collection in progress. */
  gen = 1;

  get size(): number {
    return this.byKey.size;
  }

  /** The entry of a line's series text, if this text was seen in the last collection. */
  text(series: string): SeriesEntry | undefined {
    return this.byText.get(series);
  }

  /** Adds what `series` text builds: the entry of its labels (shared when two texts build one series), or an invalid mark (""). */
  add(series: string | undefined, labels: EncodedLabels): SeriesEntry {
    let e = labels === "" ? undefined : this.byKey.get(labels);
    if (!e) {
      e = { labels, seen: 0, stalable: false };
      if (labels !== "") this.byKey.set(labels, e);
    }
    if (series !== undefined) this.byText.set(detach(series), e);
    return e;
  }

  /**
   * Ends a successful collection: every series it did not see is handed to
   * `vanished` (when it can go stale) and dropped.
   */
  commit(vanished: (e: SeriesEntry) => void): void {
    const g = this.gen++;
    for (const [k, e] of this.byKey) {
      if (e.seen === g) continue;
      if (e.stalable) vanished(e);
      this.byKey.delete(k);
    }
    for (const [t, e] of this.byText) if (e.seen !== g) this.byText.delete(t);
  }

  /** A failed collection: every series goes stale, and the next scrape starts from nothing. */
  clear(vanished: (e: SeriesEntry) => void): void {
    for (const e of this.byKey.values()) if (e.stalable) vanished(e);
    this.byKey.clear();
    this.byText.clear();
    this.gen++;
  }
}
