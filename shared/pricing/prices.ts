// The shipped price table: list prices of common hosted models, USD per 1M
// tokens (input, output, and cached input: OpenAI's cached input, Anthropic's
// cache reads, Gemini's context cache). Tiered models are listed at their
// base tier (Gemini Pro up to 200k prompt tokens; no batch or priority rates).
// Providers change prices: a tenant's own entries (`inferscope prices set`)
// win over these, and a reported cost always wins over both.

/** When this table was taken, from the providers' published list prices. */
export const PRICES_TAKEN = "2026-12-01";

export interface TokenPrice {
  inputPerMtok: number;
  outputPerMtok: number;
  /** Cached input; absent: cached tokens cost the input price. */
  cachedPerMtok?: number;
}

export interface ShippedPrice extends TokenPrice {
  /** Canonical name, lower case. */
  model: string;
  provider: string;
  /** Every lower-case name the lookup finds this entry by. */
  keys: string[];
}

type Row = [model: string, input: number, output: number, cached?: number, aliases?: string[]];

// Providers (LiteLLM's names) under whose prefix each family's models are also found.
const FAMILIES: Array<{ provider: string; prefixes: string[]; rows: Row[] }> = [
  {
    provider: "openai",
    prefixes: ["openai", "azure"],
    rows: [
      ["gpt-4o", 2.5, 10, 1.25, ["chatgpt-4o-latest"]],
      ["gpt-4o-mini", 0.15, 0.6, 0.075],
      ["gpt-4.1", 2, 8, 0.5],
      ["gpt-4.1-mini", 0.4, 1.6, 0.1],
      ["gpt-4.1-nano", 0.1, 0.4, 0.025],
      ["gpt-5", 1.25, 10, 0.125, ["gpt-5-chat"]],
      ["gpt-5-mini", 0.25, 2, 0.025],
      ["gpt-5-nano", 0.05, 0.4, 0.005],
      ["gpt-5.1", 1.25, 10, 0.125],
      ["gpt-5.2", 1.75, 14, 0.175],
      ["o1", 15, 60, 7.5],
      ["o1-mini", 1.1, 4.4, 0.55],
      ["o3", 2, 8, 0.5],
      ["o3-mini", 1.1, 4.4, 0.55],
      ["o4-mini", 1.1, 4.4, 0.275],
      ["gpt-4-turbo", 10, 30],
      ["gpt-3.5-turbo", 0.5, 1.5],
    ],
  },
  {
    provider: "anthropic",
    // Bedrock names them anthropic.<model>-<date>-v1:0 (region prefixes are stripped by the lookup).
    prefixes: ["anthropic", "bedrock", "vertex_ai"],
    rows: [
      ["claude-3-haiku", 0.25, 1.25, 0.03],
      ["claude-3-5-haiku", 0.8, 4, 0.08, ["claude-3.5-haiku"]],
      ["claude-haiku-4-5", 1, 5, 0.1, ["claude-haiku-4.5"]],
      ["claude-3-5-sonnet", 3, 15, 0.3, ["claude-3.5-sonnet"]],
      ["claude-3-7-sonnet", 3, 15, 0.3, ["claude-3.7-sonnet"]],
      ["claude-sonnet-4", 3, 15, 0.3],
      ["claude-sonnet-4-5", 3, 15, 0.3, ["claude-sonnet-4.5"]],
      ["claude-3-opus", 15, 75, 1.5],
      ["claude-opus-4", 15, 75, 1.5],
      ["claude-opus-4-1", 15, 75, 1.5, ["claude-opus-4.1"]],
      ["claude-opus-4-5", 5, 25, 0.5, ["claude-opus-4.5"]],
    ],
  },
  {
    provider: "gemini",
    prefixes: ["gemini", "vertex_ai", "google"],
    rows: [
      ["gemini-1.5-flash", 0.075, 0.3, 0.01875],
      ["gemini-1.5-flash-8b", 0.0375, 0.15, 0.01],
      ["gemini-1.5-pro", 1.25, 5, 0.3125],
      ["gemini-2.0-flash", 0.1, 0.4, 0.025],
      ["gemini-2.0-flash-lite", 0.075, 0.3],
      ["gemini-2.5-flash", 0.3, 2.5, 0.03],
      ["gemini-2.5-flash-lite", 0.1, 0.4, 0.01],
      ["gemini-2.5-pro", 1.25, 10, 0.125],
    ],
  },
  {
    provider: "mistral",
    prefixes: ["mistral"],
    rows: [
      ["mistral-large", 2, 6],
      ["mistral-medium", 0.4, 2, undefined, ["mistral-medium-3"]],
      ["mistral-small", 0.1, 0.3],
      ["codestral", 0.3, 0.9],
      ["open-mistral-nemo", 0.15, 0.15, undefined, ["mistral-nemo"]],
      ["ministral-8b", 0.1, 0.1],
      ["pixtral-large", 2, 6],
    ],
  },
  {
    provider: "deepseek",
    prefixes: ["deepseek"],
    rows: [
      ["deepseek-chat", 0.28, 0.42, 0.028, ["deepseek-v3.2"]],
      ["deepseek-reasoner", 0.28, 0.42, 0.028],
    ],
  },
  {
    provider: "groq",
    prefixes: ["groq"],
    rows: [
      ["llama-3.3-70b-versatile", 0.59, 0.79],
      ["llama-3.1-8b-instant", 0.05, 0.08],
      ["meta-llama/llama-4-scout-17b-16e-instruct", 0.11, 0.34],
      ["meta-llama/llama-4-maverick-17b-128e-instruct", 0.2, 0.6],
    ],
  },
  {
    provider: "together_ai",
    prefixes: ["together_ai", "together"],
    rows: [
      ["meta-llama/llama-3.3-70b-instruct-turbo", 0.88, 0.88],
      ["meta-llama/meta-llama-3.1-8b-instruct-turbo", 0.18, 0.18],
      ["meta-llama/meta-llama-3.1-70b-instruct-turbo", 0.88, 0.88],
      ["meta-llama/meta-llama-3.1-405b-instruct-turbo", 3.5, 3.5],
    ],
  },
];

function build(): ShippedPrice[] {
  return FAMILIES.flatMap(({ provider, prefixes, rows }) =>
    rows.map(([model, inputPerMtok, outputPerMtok, cachedPerMtok, aliases = []]) => {
      const names = [model, ...aliases];
      // A bare name of a family hosted under one vendor path (meta-llama/...) is also its last segment.
      const bare = names.map((n) => n.slice(n.lastIndexOf("/") + 1));
      const bedrock = provider === "anthropic" ? names.map((n) => `anthropic.${n}`) : [];
      const keys = [...new Set([...names, ...bare, ...bedrock, ...prefixes.flatMap((p) => [...names, ...bedrock].map((n) => `${p}/${n}`))])];
      return { model, provider, inputPerMtok, outputPerMtok, ...(cachedPerMtok === undefined ? {} : { cachedPerMtok }), keys };
    }),
  );
}

export const SHIPPED_PRICES: readonly ShippedPrice[] = build();

/** Every key of the shipped table -> its entry. */
export const SHIPPED_BY_KEY: ReadonlyMap<string, ShippedPrice> = (() => {
  const m = new Map<string, ShippedPrice>();
  for (const p of SHIPPED_PRICES)
    for (const k of p.keys) {
      const other = m.get(k);
      if (other && other !== p) throw new Error(`shipped prices: ${JSON.stringify(k)} names both ${other.model} and ${p.model}`);
      m.set(k, p);
    }
  return m;
})();
