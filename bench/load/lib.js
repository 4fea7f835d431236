// Shared by the scenarios: the seeded accounts, the gateway's address, tagged requests.
// Every request carries an `endpoint` tag; run.py reports percentiles and statuses per tag.
import http from "k6/http";
import { SharedArray } from "k6/data";

export const BASE = __ENV.SIFT_BASE_URL || "https://127.0.0.1:8443";

// Written by `sift seed load --out ...`; users carry their organization's collections.
export const users = new SharedArray("users", () => {
  const seed = JSON.parse(open(__ENV.SIFT_SEED || "./seed.json"));
  const collections = {};
  for (const org of seed.orgs) collections[org.org_id] = org.collection_ids;
  return seed.users.map((u) => Object.assign({}, u, { collection_ids: collections[u.org_id] }));
});

export const words = new SharedArray("words", () => {
  return JSON.parse(open(__ENV.SIFT_SEED || "./seed.json")).queries;
});

export function pick(list) {
  return list[Math.floor(Math.random() * list.length)];
}

export function query() {
  return `${pick(words)} ${pick(words)}`;
}

// The user an iteration acts as: spread over every seeded account.
export function userFor(iteration) {
  return users[iteration % users.length];
}

export function call(user, method, path, body, endpoint, extra) {
  const params = Object.assign({}, extra || {});
  params.headers = Object.assign(
    { Authorization: `Bearer ${user.access_token}` },
    body && typeof body === "string" ? { "Content-Type": "application/json" } : {},
    params.headers || {},
  );
  params.tags = Object.assign({ endpoint }, params.tags || {});
  return http.request(method, `${BASE}${path}`, body, params);
}

export function json(value) {
  return JSON.stringify(value);
}

// Percentiles run.py and --summary-export report; thresholds that always pass make k6
// keep one sub-metric per endpoint in the summary.
export function commonOptions(endpoints) {
  const thresholds = {};
  for (const name of endpoints) thresholds[`http_req_duration{endpoint:${name}}`] = ["max>=0"];
  return {
    insecureSkipTLSVerify: true, // the local stack's self-signed certificate
    summaryTrendStats: ["avg", "min", "med", "max", "p(50)", "p(95)", "p(99)", "count"],
    discardResponseBodies: false,
    thresholds,
  };
}

export function rate(defaultValue) {
  return parseInt(__ENV.RATE || `${defaultValue}`, 10);
}

export function duration(defaultValue) {
  return __ENV.DURATION || defaultValue;
}

// Seconds in a k6 duration ("90s", "5m", "1m30s", "1h").
export function seconds(text) {
  const units = { h: 3600, m: 60, s: 1 };
  let total = 0;
  for (const [, value, unit] of text.matchAll(/(\d+(?:\.\d+)?)(h|m|s)/g)) {
    total += parseFloat(value) * units[unit];
  }
  return total;
}

// A ramp from 1 request a second to the scenario's rate before it starts (WARMUP, default
// 15s; "0s": none), tagged `warmup` and left out of the report: a stack that just started,
// and a k6 opening hundreds of TLS connections at once, are not the steady state a rate
// describes (the first seconds of a cold run refused ~1 % of requests at 167/s, the
// rest none). The ramp's VUs carry their connections into the measured scenario.
export const WARMUP = __ENV.WARMUP || "15s";

export function withWarmup(scenarios, target, fn) {
  if (seconds(WARMUP) <= 0) return scenarios;
  const warmed = {
    warmup: {
      executor: "ramping-arrival-rate",
      exec: fn,
      startRate: 1,
      timeUnit: "1s",
      stages: [{ target, duration: WARMUP }],
      preAllocatedVUs: Math.max(10, target * 2),
      maxVUs: Math.max(50, target * 10),
    },
  };
  for (const [name, scenario] of Object.entries(scenarios)) {
    warmed[name] = Object.assign({}, scenario, { startTime: WARMUP });
  }
  return warmed;
}
