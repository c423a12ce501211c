#!/bin/sh
# The image's entrypoint: SERVICE picks the process — gateway, a subgraph (subgraphs/<name>/server.ts)
# or a worker (workers/<name>/worker.ts). `exec` makes node PID 1, so the orchestrator's SIGTERM
# reaches the process's own graceful shutdown.
set -eu
cd "$(dirname "$0")/.."
service="${SERVICE:-}"
case "$service" in
  gateway) entry=gateway/src/main.ts ;;
  "" | *[!a-z0-9-]*) entry= ;;
  *)
    entry="subgraphs/$service/server.ts"
    [ -f "$entry" ] || entry="workers/$service/worker.ts"
    ;;
esac
if [ -z "$entry" ] || [ ! -f "$entry" ]; then
  known=gateway
  for f in subgraphs/*/server.ts workers/*/worker.ts; do
    [ -f "$f" ] && known="$known, $(basename "$(dirname "$f")")"
  done
  echo "start.sh: SERVICE must be one of: $known (got '$service')" >&2
  exit 64
fi
export SERVICE_NAME="${SERVICE_NAME:-$service}"
# tracing.ts: OpenTelemetry, off (and free) unless OTEL_EXPORTER_OTLP_ENDPOINT is set.
# Node strips the types itself (the sources are erasable-only TypeScript): no compiler at run time.
exec node --import ./packages/platform/src/tracing.ts "$entry"
