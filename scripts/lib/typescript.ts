// How a child Node process runs the project's TypeScript. Node 22.18+ and 24 strip the types
// themselves (the code is erasable-only: tsconfig's erasableSyntaxOnly), so processes run the
// sources as the image does, with no compiler loaded; older Node (20, development only) needs tsx.
export const TYPESCRIPT_FLAGS: readonly string[] = (process.features as { typescript?: string | false }).typescript ? [] : ["--import", "tsx"];

/**
 * V8's young generation, sized for a service rather than for the machine: on a machine with many
 * GiB, Node 22+ lets it grow to 128 MiB per process (64 MiB semi-spaces) and keeps it, which made
 * each of our processes hold 230–480 MiB under load with a live heap of 70 MiB (BENCHMARKS.md).
 * The image sets the same (Dockerfile, NODE_OPTIONS; test/deploy-files.test.ts checks they agree);
 * a NODE_OPTIONS of the caller's replaces it.
 */
export const NODE_MEMORY_OPTIONS = "--max-semi-space-size=16";
