// Composes supergraph.yaml (Rover's format) offline with @apollo/composition.
// `npm run compose` writes supergraph.graphql; the stack launcher calls writeSupergraph() itself.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parse, Source } from "graphql";
import { composeServices } from "@apollo/composition";
import YAML from "yaml";
import { repoRoot } from "@cinema/platform/config";

interface SupergraphConfig {
  federation_version?: string;
  subgraphs?: Record<string, { routing_url: string; schema: { file: string } }>;
}

export const supergraphConfigFile = path.join(repoRoot, "supergraph.yaml");
export const supergraphFile = path.join(repoRoot, "supergraph.graphql");

function compose(configFile: string): { sdl: string; subgraphs: number; hints: number } {
  const config = YAML.parse(readFileSync(configFile, "utf8")) as SupergraphConfig;
  const services = Object.entries(config.subgraphs ?? {}).map(([name, subgraph]) => {
    const file = path.resolve(path.dirname(configFile), subgraph.schema.file);
    if (!existsSync(file)) throw new Error(`subgraph ${name}: schema file ${subgraph.schema.file} does not exist`);
    // A Source named after the file makes syntax errors point at it.
    return { name, url: subgraph.routing_url, typeDefs: parse(new Source(readFileSync(file, "utf8"), file)) };
  });
  if (services.length === 0) throw new Error(`${configFile} lists no subgraphs`);
  const result = composeServices(services);
  if (result.errors) {
    throw new Error(`composition failed with ${result.errors.length} error(s):\n${result.errors.map((e) => `  - ${e.message}`).join("\n")}`);
  }
  return { sdl: result.supergraphSdl, subgraphs: services.length, hints: result.hints.length };
}

/** The supergraph SDL; throws listing every composition error. */
export function composeSupergraph(configFile = supergraphConfigFile): string {
  return compose(configFile).sdl;
}

/**
 * Composes and writes the supergraph. The write is atomic (temp file + rename): a gateway reading
 * the file, or a second launcher writing the same file, never sees half of it.
 */
export function writeSupergraph(file = supergraphFile, configFile = supergraphConfigFile): { file: string; subgraphs: number; hints: number } {
  const { sdl, subgraphs, hints } = compose(configFile);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, sdl);
  renameSync(temp, file);
  return { file, subgraphs, hints };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  try {
    const { subgraphs, hints } = writeSupergraph();
    console.log(`composed ${subgraphs} subgraphs → ${path.relative(process.cwd(), supergraphFile) || supergraphFile}${hints ? ` (${hints} composition hint${hints === 1 ? "" : "s"})` : ""}`);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
