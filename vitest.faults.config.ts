import { defineConfig } from "vitest/config";

// The fault suite (`npm run test:faults`): real stacks under load with crashes, slow or failing
// dependencies, NATS outages and rolling restarts; one file at a time, each bounded in time.
export default defineConfig({
  test: {
    include: ["test/faults/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 180_000,
    reporters: ["default"],
    globalSetup: ["test/faults/global-setup.ts"],
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? "warn" },
  },
});
