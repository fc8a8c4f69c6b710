// Which price entry a log's model is priced by. Names are compared in lower
// case, trying in turn: the model as sent, provider/model, the model without
// its provider prefix, then without a date or version suffix
// (gpt-4o-mini-2024-07-18 -> gpt-4o-mini, claude-3-5-sonnet@20240620 ->
// claude-3-5-sonnet, bedrock's anthropic.claude-...-20240620-v1:0); then the
// same for the requested model (LiteLLM's model group).

// One trailing date or version: -2024-07-18, -20241022, @20240620, -0613, -001,
// -05-06, -v1:0, -latest, -preview, -exp. Stripped repeatedly.
const VERSION_SUFFIX = /[-@](?:\d{4}-\d{2}-\d{2}|\d{8}|\d{4}|\d{3}|\d{2}-\d{2}|v\d+(?::\d+)?|latest|preview|exp(?:erimental)?)$/;
// Bedrock's cross-region inference profiles: us.anthropic.claude-...
const REGION_PREFIX = /^(?:us|eu|apac|jp|au|ca|us-gov|global)\./;

function withoutVersion(name: string): string {
  let n = name;
  for (let m = n.match(VERSION_SUFFIX); m && m.index! > 0; m = n.match(VERSION_SUFFIX)) n = n.slice(0, m.index);
  return n;
}

/** The names to try for one model, in order. */
function namesOf(model: string, provider: string): string[] {
  const m = model.trim().toLowerCase();
  if (m === "") return [];
  const p = provider.trim().toLowerCase();
  const withProvider = (n: string) => (p && !n.startsWith(`${p}/`) ? [`${p}/${n}`] : []);
  const bare = m.slice(m.lastIndexOf("/") + 1).replace(REGION_PREFIX, "");
  const undated = withoutVersion(bare);
  return [m, ...withProvider(m), bare, ...withProvider(bare), undated, ...withProvider(undated)];
}

/** Every name a log may be priced by, most specific first. */
export function priceNames(model: string, requestedModel: string, provider: string): string[] {
  return [...new Set([...namesOf(model, provider), ...namesOf(requestedModel, provider)])];
}

/** The first of names found in the table, with the name it was found by. */
export function findPrice<T>(table: ReadonlyMap<string, T>, names: readonly string[]): { name: string; price: T } | null {
  for (const name of names) {
    const price = table.get(name);
    if (price !== undefined) return { name, price };
  }
  return null;
}
