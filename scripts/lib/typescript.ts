// How a child Node process runs the project's TypeScript. Node 22.18+ and 24 strip the types
// themselves (the code is erasable-only: tsconfig's erasableSyntaxOnly), so processes run the
// sources as the image does, with no compiler loaded; older Node (20, development only) needs tsx.
export const TYPESCRIPT_FLAGS: readonly string[] = (process.features as { typescript?: string | false }).typescript ? [] : ["--import", "tsx"];
