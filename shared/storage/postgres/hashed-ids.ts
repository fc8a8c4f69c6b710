// Resolves keys of a hash-identified dictionary table (series, log_dims) to
// their ids: an in-isolate cache first, so a hot key costs no round trip; one
// set-based upsert for the misses, sorted by hash so concurrent writers take
// the unique index's locks in the same order; a second look for rows another
// writer inserted after this statement's snapshot.

export interface HashedIds<T> {
  /** Cache of one table: tenant-qualified key -> id. */
  cache: Map<string, number>;
  maxCache: number;
  /** The cache key (tenant included), also named in errors. */
  keyOf(item: T): string;
  hashOf(item: T): Promise<string>;
  /**
   * Inserts the missing items (one per hash, in hash order) and returns the id
   * of every one that exists after it, new or old, as hash -> id.
   */
  upsert(items: T[], hashes: string[]): Promise<Map<string, number>>;
}

export async function resolveHashedIds<T>(items: readonly T[], t: HashedIds<T>): Promise<number[]> {
  const keys = items.map((x) => t.keyOf(x));
  const ids = new Array<number>(items.length);
  const misses: number[] = [];
  keys.forEach((k, i) => {
    const id = t.cache.get(k);
    if (id !== undefined) ids[i] = id;
    else misses.push(i);
  });
  if (misses.length === 0) return ids;
  const hashOf = new Map<number, string>();
  await Promise.all(misses.map(async (i) => hashOf.set(i, await t.hashOf(items[i]))));
  const missing = new Map<string, number>(); // hash -> index of the first item with it
  for (const i of misses) if (!missing.has(hashOf.get(i)!)) missing.set(hashOf.get(i)!, i);
  const todo = [...missing.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const hashes = todo.map(([h]) => h);
  const todoItems = todo.map(([, i]) => items[i]);
  let found = await t.upsert(todoItems, hashes);
  if (hashes.some((h) => !found.has(h))) found = await t.upsert(todoItems, hashes);
  if (t.cache.size + misses.length > t.maxCache) t.cache.clear();
  for (const i of misses) {
    const id = found.get(hashOf.get(i)!);
    if (id === undefined) throw new Error(`id not resolved for ${keys[i]}`);
    ids[i] = id;
    t.cache.set(keys[i], id);
  }
  return ids;
}
