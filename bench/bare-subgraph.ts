// The floor a subgraph hop is measured against (npm run bench): the least a Federation subgraph can
// be — Apollo Server's own HTTP server, @apollo/subgraph and `pg` — answering the bench's trivial
// query with one primary-key lookup on the movie subgraph's database. Nothing of the platform.
// Started by the bench as its own process: DATABASE_URL (movie's) and PORT.
import pg from "pg";
import { parse } from "graphql";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { buildSubgraphSchema } from "@apollo/subgraph";

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Query { screening(id: ID!): Screening }
  type Screening @key(fields: "id") { id: ID! priceCents: Int! }
`);
const resolvers = {
  Query: {
    async screening(_: unknown, { id }: { id: string }) {
      const { rows } = await pool.query({ name: "screening", text: `SELECT id, price_cents FROM screening WHERE id = $1`, values: [id] });
      return rows[0] ? { id: rows[0].id, priceCents: rows[0].price_cents } : null;
    },
  },
};
const server = new ApolloServer({ schema: buildSubgraphSchema({ typeDefs, resolvers }), plugins: [ApolloServerPluginInlineTraceDisabled()] });
const { url } = await startStandaloneServer(server, { listen: { port: Number(process.env.PORT ?? 0), host: "127.0.0.1" } });
console.log(`bare subgraph ready at ${url}`);
