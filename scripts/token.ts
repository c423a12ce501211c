// Prints a bearer JWT for local use, signed with the secret `npm run up` uses (JWT_SECRET, else the
// generated .local/jwt-secret), so there is no login to build and no secret in the repository.
import { parseArgs } from "node:util";
import { signToken } from "@cinema/platform/auth";

const USAGE = `usage: npm run token -- [--admin] [--ttl <12h|seconds>] <userId>

Prints a JWT for <userId>: role "customer", or "admin" (cinema staff) with --admin.
  npm run token -- alice
  npm run token -- --admin staff
  curl -H "Authorization: Bearer $(npm run -s token -- alice)" …`;

let args;
try {
  args = parseArgs({
    allowPositionals: true,
    options: { admin: { type: "boolean" }, ttl: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
} catch (err) {
  console.error(`${(err as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
const { values, positionals } = args;
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (positionals.length !== 1 || !positionals[0]) {
  console.error(USAGE);
  process.exit(2);
}
const ttl = values.ttl && /^\d+$/.test(values.ttl) ? `${values.ttl}s` : values.ttl;
console.log(await signToken(positionals[0], values.admin ? "admin" : "customer", ttl));
