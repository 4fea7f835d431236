// Two identity replicas behind the Compose gateway; one is killed mid-run
// (scripts/replica-kill.sh). Every request is idempotent (GET), so nginx retries one that
// hit the dead replica on the survivor (proxy_next_upstream): none may fail.
//   SIFT_BASE_URL=https://localhost:18443 SIFT_TOKEN=... k6 run bench/load/replica-kill.js
import http from "k6/http";
import { check } from "k6";

const BASE = __ENV.SIFT_BASE_URL || "https://localhost:18443";
const TOKEN = __ENV.SIFT_TOKEN;

export const options = {
  insecureSkipTLSVerify: true, // the stack's self-signed certificate
  scenarios: {
    steady: {
      executor: "constant-arrival-rate",
      rate: parseInt(__ENV.RATE || "20", 10),
      timeUnit: "1s",
      duration: __ENV.DURATION || "60s",
      preAllocatedVUs: 20,
      maxVUs: 100,
    },
  },
  thresholds: {
    http_req_failed: ["rate==0"],
    checks: ["rate==1"],
  },
};

export default function () {
  const profile = http.get(`${BASE}/api/users/me`, {
    headers: { Authorization: `Bearer ${TOKEN}` },
    tags: { endpoint: "users_me" },
  });
  const health = http.get(`${BASE}/api/identity/healthz`, { tags: { endpoint: "healthz" } });
  check(profile, { "profile 200": (r) => r.status === 200 });
  check(health, { "healthz 200": (r) => r.status === 200 });
}
