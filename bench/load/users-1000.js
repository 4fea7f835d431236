// 1,000 users through the gateway, open model. Each user acts, then thinks 3-8 s (5.5 s
// on average) before acting again, so N users send N / 5.5 requests a second. Those
// arrivals leave on schedule whether or not earlier requests have answered (k6's
// arrival-rate executor): a slow stack cannot hide its queue by slowing its users.
// Each action is one request of the mixed-read mix (mixed.js).
//   k6 run -e SIFT_SEED=seed.json -e USERS=1000 -e DURATION=5m bench/load/users-1000.js
import exec from "k6/execution";
import { commonOptions, duration, userFor } from "./lib.js";
import { MIX, mixed } from "./mixed.js";

const USERS = parseInt(__ENV.USERS || "1000", 10);
const MEAN_THINK_SECONDS = (3 + 8) / 2;
const perMinute = Math.max(1, Math.round((USERS * 60) / MEAN_THINK_SECONDS));
const rampUp = __ENV.RAMP_UP || "1m";

export const options = Object.assign(commonOptions(MIX.map((m) => m[1])), {
  scenarios: {
    users: {
      executor: "ramping-arrival-rate",
      startRate: 0,
      timeUnit: "1m",
      stages: [
        { target: perMinute, duration: rampUp },
        { target: perMinute, duration: duration("5m") },
      ],
      preAllocatedVUs: Math.max(10, Math.ceil(perMinute / 60) * 2),
      maxVUs: Math.max(100, USERS),
    },
  },
});

export default function () {
  // Iterations cycle through the first USERS seeded accounts.
  mixed(userFor(exec.scenario.iterationInTest % USERS));
}
