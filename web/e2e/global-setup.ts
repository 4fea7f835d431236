import { buildWebIfStale } from "./build";
import { startStack } from "./stack";

export default async function globalSetup() {
  if (process.env.SIFT_E2E_BASE_URL) return; // an already running stack
  buildWebIfStale();
  const stack = await startStack();
  process.env.SIFT_E2E_BASE_URL = stack.baseURL;
  process.env.SIFT_E2E_PID = String(stack.process.pid);
  process.env.SIFT_E2E_LOG = stack.log;
  process.env.SIFT_E2E_DATA_DIR = stack.dataDir; // removed by the teardown unless SIFT_E2E_KEEP=1
  console.log(`sift up ready at ${stack.baseURL} (log: ${stack.log})`);
}
