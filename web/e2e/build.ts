import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const INPUTS = ["package.json", "package-lock.json", "next.config.ts", "tailwind.config.ts"];

function newest(directory: string): number {
  let latest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

/**
 * Build the app before `sift up` starts, with no readiness clock running: on a busy
 * machine a build alone can take minutes. `sift up` then finds it fresh and skips it.
 */
export function buildWebIfStale(): void {
  const buildId = path.join(WEB, ".next", "BUILD_ID");
  const inputs = Math.max(
    newest(path.join(WEB, "src")),
    ...INPUTS.map((name) => statSync(path.join(WEB, name)).mtimeMs),
  );
  if (existsSync(buildId) && statSync(buildId).mtimeMs > inputs) return;
  console.log("building the web app (next build)…");
  const result = spawnSync("npm", ["run", "build"], {
    cwd: WEB,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (result.status !== 0) throw new Error(`next build failed (exit ${result.status})`);
}
