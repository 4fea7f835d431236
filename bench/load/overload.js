// Graceful overload: the mixed reads at RATE, then at BURST_FACTOR × RATE (default twice),
// then at RATE again, DURATION each. The stack should answer what it can at its normal
// latency and refuse the rest at once (503 or 429 with Retry-After), and be back to no
// refusals within seconds of the burst's end. Requests are tagged by phase
// (`mixed_baseline`, `mixed_burst`, `mixed_after`); run.py reports each and the time from
// the burst's end to the last refusal.
//   k6 run -e SIFT_SEED=seed.json -e RATE=50 -e DURATION=30s bench/load/overload.js
import exec from "k6/execution";
import { Counter, Trend } from "k6/metrics";
import { commonOptions, duration, rate, seconds, userFor, withWarmup } from "./lib.js";
import { MIX, mixed } from "./mixed.js";

const refusalMs = new Trend("refusal_ms", true);
const refusalsWithoutRetryAfter = new Counter("refusals_without_retry_after");

const target = rate(20);
const factor = parseFloat(__ENV.BURST_FACTOR || "2");
const phase = duration("30s");
const PHASES = ["baseline", "burst", "after"];

export const options = Object.assign(commonOptions(PHASES.map((p) => `mixed_${p}`)), {
  scenarios: withWarmup(
    {
      overload: {
        executor: "ramping-arrival-rate",
        startRate: target,
        timeUnit: "1s",
        // Steps, not ramps: 1 s to change rate, then hold for the phase.
        stages: [
          { target, duration: phase },
          { target: Math.round(target * factor), duration: "1s" },
          { target: Math.round(target * factor), duration: phase },
          { target, duration: "1s" },
          { target, duration: phase },
        ],
        preAllocatedVUs: Math.max(20, target * 4),
        maxVUs: Math.max(100, Math.round(target * factor * 20)),
      },
    },
    target,
    "warmup",
  ),
});

export function warmup() {
  mixed(userFor(exec.scenario.iterationInTest), "warmup");
}

function phaseAt(elapsedSeconds) {
  const length = seconds(phase) + 1;
  return PHASES[Math.min(2, Math.floor(elapsedSeconds / length))];
}

export default function () {
  const elapsed = (Date.now() - exec.scenario.startTime) / 1000;
  const name = `mixed_${phaseAt(elapsed)}`;
  let roll = Math.random() * 100;
  let request = MIX[0];
  for (const entry of MIX) {
    roll -= entry[0];
    if (roll < 0) {
      request = entry;
      break;
    }
  }
  // The mix's request, tagged with the phase instead of the endpoint.
  const response = request[2](userFor(exec.scenario.iterationInTest), name);
  if (response.status === 503 || response.status === 429) {
    refusalMs.add(response.timings.duration);
    if (!response.headers["Retry-After"]) refusalsWithoutRetryAfter.add(1);
  }
}
