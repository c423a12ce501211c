// The container health check (Dockerfile HEALTHCHECK, compose.yaml): exits 0 when this container's
// process answers GET /health/ready with 200 (for a subgraph: its database and NATS are reachable),
// 1 otherwise. Plain JavaScript with Node's own fetch: no tsx start-up, and the slim image has no curl.
const url = `http://127.0.0.1:${process.env.PORT || "4000"}/health/ready`;
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
  console.log(`${url} ${res.status}`);
  process.exit(res.status === 200 ? 0 : 1);
} catch (err) {
  console.log(`${url} ${err instanceof Error ? err.message : err}`);
  process.exit(1);
}
