// Uploads with ingestion: each iteration uploads a new small text file, then polls the
// document until the stack has indexed it (`ingest_seconds`: upload answered → indexed).
//   k6 run -e SIFT_SEED=seed.json -e RATE=1 -e DURATION=1m bench/load/upload.js
import http from "k6/http";
import { sleep } from "k6";
import { Counter, Trend } from "k6/metrics";
import exec from "k6/execution";
import { call, commonOptions, duration, pick, query, rate, userFor } from "./lib.js";

const ingestSeconds = new Trend("ingest_seconds");
const ingestOutcome = new Counter("ingest_outcome");
const POLL_SECONDS = 1;
const INGEST_TIMEOUT_SECONDS = parseInt(__ENV.INGEST_TIMEOUT || "120", 10);

const target = rate(1);
export const options = Object.assign(commonOptions(["upload", "document_status"]), {
  scenarios: {
    upload: {
      executor: "constant-arrival-rate",
      rate: target,
      timeUnit: "1s",
      duration: duration("1m"),
      preAllocatedVUs: Math.max(5, target * 10),
      maxVUs: Math.max(20, target * (INGEST_TIMEOUT_SECONDS + 10)),
    },
  },
});

export default function () {
  const user = userFor(exec.scenario.iterationInTest);
  const unique = `${exec.vu.idInTest}-${exec.scenario.iterationInTest}-${Date.now()}`;
  let text = `Load upload ${unique}\n\n`;
  for (let i = 0; i < 40; i++) text += `${query()} ${query()}. `;
  const body = {
    file: http.file(text, `load-${unique}.txt`, "text/plain"),
    collection_id: pick(user.collection_ids),
  };
  const uploaded = call(user, "POST", "/api/documents", body, "upload");
  if (uploaded.status !== 201) return;
  const id = uploaded.json("id");
  const started = Date.now();
  while ((Date.now() - started) / 1000 < INGEST_TIMEOUT_SECONDS) {
    sleep(POLL_SECONDS);
    const status = call(user, "GET", `/api/documents/${id}`, null, "document_status").json("status");
    if (status === "indexed" || status === "failed") {
      ingestSeconds.add((Date.now() - started) / 1000);
      ingestOutcome.add(1, { outcome: status });
      return;
    }
  }
  ingestOutcome.add(1, { outcome: "timeout" });
}
