import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

// Two pages, built once to web/dist and served by the gateway (gateway/src/web.ts, ide.ts):
// the app at / and the offline GraphiQL IDE at /ide. Nothing is loaded from a CDN.
export default defineConfig({
  root: here("."),
  base: "/",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // GraphiQL 5 brings the Monaco editor (a few MB); it only loads on /ide.
    chunkSizeWarningLimit: 5000,
    rolldownOptions: {
      input: { app: here("index.html"), ide: here("ide/index.html") },
      // GraphiQL's modules start with "use no memo" (a React Compiler hint, meaningless in a bundle).
      onwarn(warning, warn) {
        if (warning.code !== "MODULE_LEVEL_DIRECTIVE") warn(warning);
      },
    },
  },
  // Monaco's language workers are split into chunks of their own: ES module workers allow that.
  worker: { format: "es" },
  // `npm run dev -w web` (optional): the UI with hot reload against a gateway on :4000.
  server: { proxy: { "/graphql": { target: "http://127.0.0.1:4000", ws: true }, "/auth": "http://127.0.0.1:4000" } },
});
