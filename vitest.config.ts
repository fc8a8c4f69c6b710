import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "workers/**/*.test.ts", "shared/**/*.test.ts", "cli/**/*.test.ts"],
    environment: "node",
    globalSetup: ["test/setup/database.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
