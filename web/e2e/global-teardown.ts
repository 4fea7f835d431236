import { rmSync } from "node:fs";

export default async function globalTeardown() {
  const pid = Number(process.env.SIFT_E2E_PID);
  if (!pid) return;
  process.kill(pid, "SIGTERM");
  // `sift up` stops its children in order; wait for it so no port or database lingers.
  for (let waited = 0; !stopped(pid); waited += 250) {
    if (waited >= 30_000) {
      process.kill(pid, "SIGKILL");
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const dataDir = process.env.SIFT_E2E_DATA_DIR;
  if (dataDir && !process.env.SIFT_E2E_KEEP) rmSync(dataDir, { recursive: true, force: true });
}

function stopped(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}
