import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The fault suite has its own config and command (npm run test:faults).
    exclude: [...configDefaults.exclude, "test/faults/**"],
    // Each file starts a whole stack; one at a time keeps ports, CPU and connections in check.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    reporters: ["default"],
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? "warn" },
  },
});
