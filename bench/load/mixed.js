// Mixed reads at a constant arrival rate (open model: requests leave on schedule whether
// or not earlier ones have answered). The mix of issue 21: 25 % profile, 20 % collections,
// 20 % document list, 15 % conversations, 20 % full-text search.
//   k6 run -e SIFT_SEED=seed.json -e RATE=20 -e DURATION=1m bench/load/mixed.js
import { call, commonOptions, duration, json, query, rate, userFor, withWarmup } from "./lib.js";
import exec from "k6/execution";

// [weight, endpoint tag, request(user, tag)]
export const MIX = [
  [25, "users_me", (u, tag) => call(u, "GET", "/api/users/me", null, tag || "users_me")],
  [
    20,
    "collections",
    (u, tag) => call(u, "GET", "/api/collections?limit=20", null, tag || "collections"),
  ],
  [
    20,
    "documents",
    (u, tag) => call(u, "GET", "/api/documents?limit=20", null, tag || "documents"),
  ],
  [
    15,
    "conversations",
    (u, tag) =>
      call(u, "GET", "/api/assistant/conversations?limit=20", null, tag || "conversations"),
  ],
  [
    20,
    "search_fulltext",
    (u, tag) => {
      const body = json({ query: query(), mode: "fulltext", limit: 20 });
      return call(u, "POST", "/api/search", body, tag || "search_fulltext");
    },
  ],
];

export function mixed(user, tag) {
  let roll = Math.random() * 100;
  for (const [weight, , request] of MIX) {
    roll -= weight;
    if (roll < 0) return request(user, tag);
  }
  return MIX[0][2](user, tag);
}

const target = rate(20);
export const options = Object.assign(commonOptions(MIX.map((m) => m[1])), {
  scenarios: withWarmup(
    {
      mixed: {
        executor: "constant-arrival-rate",
        rate: target,
        timeUnit: "1s",
        duration: duration("1m"),
        preAllocatedVUs: Math.max(10, target * 2),
        maxVUs: Math.max(50, target * 10),
      },
    },
    target,
    "warmup",
  ),
});

export default function () {
  mixed(userFor(exec.scenario.iterationInTest));
}

export function warmup() {
  mixed(userFor(exec.scenario.iterationInTest), "warmup");
}
