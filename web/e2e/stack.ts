import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));

export const REPO = path.resolve(HERE, "..", "..");
const SERVICES = ["identity", "documents", "search", "assistant", "notifications", "audit"];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(),
      );
    });
  });
}

export interface Stack {
  process: ChildProcess;
  baseURL: string;
  dataDir: string;
  log: string;
}

/** `sift up` on free ports with a throw-away data directory; resolves once it is ready. */
export async function startStack(timeoutMs = 300_000): Promise<Stack> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "sift-web-e2e-"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SIFT_DATA_DIR: dataDir,
    SIFT_REDIS_PREFIX: `e2e${process.pid}`,
    SIFT_GATEWAY_HTTPS_PORT: String(await freePort()),
    SIFT_GATEWAY_HTTP_PORT: String(await freePort()),
    SIFT_EMBEDDED_PG_PORT: String(await freePort()),
    SIFT_WEB_PORT: String(await freePort()),
    // The development mail capture `sift up` runs (read back at /api/dev/mail).
    SIFT_NOTIFICATIONS_EMAIL_CAPTURE_PORT: String(await freePort()),
  };
  for (const service of SERVICES)
    env[`SIFT_${service.toUpperCase()}_PORT`] = String(await freePort());
  // Every test signs up its own users, from one address: identity's limit and the
  // gateway's on the sign-in paths (30 a minute in production) would refuse the suite.
  env.SIFT_IDENTITY_SIGNUP_LIMIT = "100/minute";
  env.SIFT_GATEWAY_AUTH_RATE = "600r/m";
  env.SIFT_GATEWAY_AUTH_BURST = "200";
  // ...and renews its session from it on every page load: a test repeated 20 times in a row
  // passes the production 60 a minute, and a 429 makes the app wait out Retry-After.
  env.SIFT_IDENTITY_REFRESH_LIMIT = "1000/minute";
  // The shortest access-token lifetime Sift allows, so that a test can see one expire.
  env.SIFT_AUTH_ACCESS_TOKEN_SECONDS = "60";
  // A CI machine under load can take seconds to search; the assistant's default (3 s) is for
  // an interactive deployment, and the tests are about what it does with the passages.
  env.SIFT_ASSISTANT_SEARCH_TIMEOUT = "20";
  // `sift up` does not derive the JWKS URL from identity's port (it defaults to 8101).
  env.SIFT_AUTH_JWKS_URL = `http://127.0.0.1:${env.SIFT_IDENTITY_PORT}/.well-known/jwks.json`;
  const log = path.join(dataDir, "sift-up.log");
  const output = createWriteStream(log);
  const child = spawn(path.join(REPO, ".venv/bin/sift"), ["up", "--ready-timeout", "240"], {
    cwd: REPO,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.pipe(output);
  child.stderr?.pipe(output);
  const baseURL = `https://localhost:${env.SIFT_GATEWAY_HTTPS_PORT}`;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGTERM"); // leave no stack behind
      reject(new Error(`sift up not ready after ${timeoutMs} ms; see ${log}`));
    }, timeoutMs);
    const watch = (chunk: Buffer) => {
      const text = chunk.toString();
      if (text.includes("Sift is up")) {
        clearTimeout(timer);
        resolve();
      } else if (text.includes("Sift is not ready")) {
        clearTimeout(timer);
        reject(new Error(`sift up is not ready; see ${log}`));
      }
    };
    child.stdout?.on("data", watch);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`sift up exited with ${code}; see ${log}`));
    });
  });
  return { process: child, baseURL, dataDir, log };
}
