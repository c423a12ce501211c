// nginx as a local load balancer for the rolling-restart case (found or installed by tools.ts), run
// in the foreground as our own child with a generated config.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { isRunning, killOnExit, remember, stopChild } from "../../scripts/lib/infra.ts";
import { nginx } from "../../scripts/lib/tools.ts";

export interface Nginx {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** The access log: one line per request with the upstream(s) tried and their statuses. */
  accessLog(): string;
  errorLog(): string;
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });

/**
 * A reverse proxy on 127.0.0.1:`port` in front of `upstreams` (ports on 127.0.0.1), with upstream
 * keepalive, and retries on the next replica for connection errors, timeouts, 502 and 503.
 * `max_fails=0`: a replica is never taken out of rotation on its own; a refused connection (a
 * replica restarting) is simply retried on the other one. With passive marking (max_fails=1) a
 * replica refused while it was still starting stayed out of rotation past its fail_timeout, and
 * stopping the other one then answered "no live upstreams" (502).
 */
export async function startNginx(opts: { port: number; upstreams: number[]; dir: string }): Promise<Nginx> {
  const { port, upstreams, dir } = opts;
  mkdirSync(dir, { recursive: true });
  const file = (name: string) => path.join(dir, name);
  const conf = `
daemon off;
master_process on;
worker_processes 1;
${process.getuid?.() === 0 ? "user root;" : ""}
pid ${file("nginx.pid")};
error_log ${file("error.log")} warn;
events { worker_connections 1024; }
http {
  log_format upstreams '$msec $status "$request" upstream=$upstream_addr upstream_status=$upstream_status time=$request_time';
  access_log ${file("access.log")} upstreams;
  client_body_temp_path ${file("body")};
  proxy_temp_path ${file("proxy")};
  fastcgi_temp_path ${file("fastcgi")};
  uwsgi_temp_path ${file("uwsgi")};
  scgi_temp_path ${file("scgi")};
  upstream seat {
${upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=0;`).join("\n")}
    keepalive 32;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://seat;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      # A draining replica may close a kept-alive connection just as nginx sends on it (a 502 after
      # the POST left). Seat's mutations are idempotent per reservation (hold, confirm, release),
      # so passing such a request to the other replica is safe: non_idempotent.
      proxy_next_upstream error timeout http_502 http_503 non_idempotent;
      proxy_next_upstream_tries 3;
      proxy_connect_timeout 1s;
      proxy_read_timeout 15s;
    }
  }
}
`;
  writeFileSync(file("nginx.conf"), conf);
  const child = spawn(nginx(), ["-p", dir, "-c", file("nginx.conf"), "-e", file("error.log")], { stdio: ["ignore", "pipe", "pipe"] });
  killOnExit(child);
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr]) stream.on("data", (chunk: Buffer) => remember(output, chunk.toString(), 50));
  const stop = () => stopChild(child, "SIGQUIT"); // graceful: finish in-flight requests
  for (const deadline = Date.now() + 10_000; !(await accepts(port)); await sleep(100)) {
    if (!isRunning(child) || Date.now() > deadline) {
      await stopChild(child);
      const log = existsSync(file("error.log")) ? readFileSync(file("error.log"), "utf8") : "";
      throw new Error(`nginx did not start on port ${port}:\n${output.join("")}\n${log}`);
    }
  }
  const read = (name: string) => (existsSync(file(name)) ? readFileSync(file(name), "utf8") : "");
  return { url: `http://127.0.0.1:${port}/graphql`, port, stop, accessLog: () => read("access.log"), errorLog: () => read("error.log") };
}
