// The mixed reads at RATE (default the seed's 10,000 a minute) and, in the same run,
// questions to the assistant at ASK_PER_MINUTE (default 100; the local extractive
// provider): issue 21 asks for both targets side by side, each reported as its own
// endpoints (`ask` and the mix's).
//   k6 run -e SIFT_SEED=seed.json -e RATE=167 -e ASK_PER_MINUTE=100 -e DURATION=2m bench/load/mixed-ask.js
import exec from "k6/execution";
import { ask } from "./ask.js";
import { commonOptions, duration, rate, userFor, withWarmup } from "./lib.js";
import { MIX, mixed } from "./mixed.js";

const target = rate(167);
const asksPerMinute = parseInt(__ENV.ASK_PER_MINUTE || "100", 10);

export const options = Object.assign(commonOptions([...MIX.map((m) => m[1]), "ask"]), {
  scenarios: withWarmup(
    {
      mixed: {
        executor: "constant-arrival-rate",
        exec: "reads",
        rate: target,
        timeUnit: "1s",
        duration: duration("1m"),
        preAllocatedVUs: Math.max(10, target * 2),
        maxVUs: Math.max(50, target * 10),
      },
      ask: {
        executor: "constant-arrival-rate",
        exec: "questions",
        rate: asksPerMinute,
        timeUnit: "1m",
        duration: duration("1m"),
        preAllocatedVUs: 10,
        maxVUs: 100,
      },
    },
    target,
    "warmup",
  ),
});

export function reads() {
  mixed(userFor(exec.scenario.iterationInTest));
}

export function questions() {
  ask(userFor(exec.scenario.iterationInTest));
}

export function warmup() {
  mixed(userFor(exec.scenario.iterationInTest), "warmup");
}
