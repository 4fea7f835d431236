// Questions to the assistant (run.py starts the stack with the local extractive provider
// only, so no outside model is called), at a constant arrival rate.
//   k6 run -e SIFT_SEED=seed.json -e RATE=1 -e DURATION=1m bench/load/ask.js
import { call, commonOptions, duration, json, pick, rate, userFor, words } from "./lib.js";
import exec from "k6/execution";

const target = rate(1);
export const options = Object.assign(commonOptions(["ask"]), {
  scenarios: {
    ask: {
      executor: "constant-arrival-rate",
      rate: target,
      timeUnit: "1s",
      duration: duration("1m"),
      preAllocatedVUs: Math.max(5, target * 5),
      maxVUs: Math.max(20, target * 30),
    },
  },
});

export function ask(user) {
  const question = `What do our documents say about ${pick(words)} and ${pick(words)}?`;
  return call(user, "POST", "/api/assistant/ask", json({ question }), "ask", { timeout: "60s" });
}

export default function () {
  ask(userFor(exec.scenario.iterationInTest));
}
