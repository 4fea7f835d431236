// Search in each mode, one after the other, each at the same constant arrival rate.
//   k6 run -e SIFT_SEED=seed.json -e RATE=5 -e DURATION=30s bench/load/search.js
import { call, commonOptions, duration, json, query, rate, seconds, userFor } from "./lib.js";
import exec from "k6/execution";

const MODES = ["fulltext", "hybrid", "semantic"];
const target = rate(5);
const length = duration("30s");
const lengthSeconds = seconds(length);

const scenarios = {};
MODES.forEach((mode, index) => {
  scenarios[`search_${mode}`] = {
    executor: "constant-arrival-rate",
    rate: target,
    timeUnit: "1s",
    duration: length,
    startTime: `${index * (lengthSeconds + 5)}s`, // 5 s apart, so one mode's tail is not the next's
    preAllocatedVUs: Math.max(10, target * 2),
    maxVUs: Math.max(50, target * 20),
    env: { MODE: mode },
    exec: "search",
  };
});

export const options = Object.assign(commonOptions(MODES.map((m) => `search_${m}`)), {
  scenarios,
});

export function search() {
  const mode = __ENV.MODE;
  const body = json({ query: query(), mode, limit: 20 });
  call(userFor(exec.scenario.iterationInTest), "POST", "/api/search", body, `search_${mode}`);
}
