import { describe, expect, it } from "vitest";
import {
  bucketLabel,
  bucketTitle,
  formatMs,
  formatPercent,
  formatUsd,
  isEmpty,
  measuredOnly,
  mergeSeries,
  ratio,
  total,
} from "./analyticsSeries";

const p = (t: string, value: number) => ({ t, value });

describe("mergeSeries", () => {
  it("makes one row per bucket, in time order, with 0 where a series has no point", () => {
    const rows = mergeSeries({
      searches: [p("2026-12-05T00:00:00Z", 3), p("2026-12-04T00:00:00Z", 1)],
      clicks: [p("2026-12-04T00:00:00+00:00", 2), p("2026-12-06T00:00:00Z", 5)],
    });
    expect(rows).toEqual([
      { t: "2026-12-04T00:00:00.000Z", searches: 1, clicks: 2 },
      { t: "2026-12-05T00:00:00.000Z", searches: 3, clicks: 0 },
      { t: "2026-12-06T00:00:00.000Z", searches: 0, clicks: 5 },
    ]);
  });

  it("gives no rows for empty series", () => {
    expect(mergeSeries({ searches: [], clicks: [] })).toEqual([]);
  });
});

describe("measuredOnly", () => {
  it("leaves a gap where nothing was measured, which mergeSeries keeps", () => {
    const searches = [p("2026-12-04T00:00:00Z", 0), p("2026-12-05T00:00:00Z", 4)];
    const rate = [p("2026-12-04T00:00:00Z", 0), p("2026-12-05T00:00:00+00:00", 0.25)];
    const measured = measuredOnly(rate, searches);
    expect(measured.map((point) => point.value)).toEqual([null, 0.25]);
    expect(mergeSeries({ rate: measured, searches })).toEqual([
      { t: "2026-12-04T00:00:00.000Z", rate: null, searches: 0 },
      { t: "2026-12-05T00:00:00.000Z", rate: 0.25, searches: 4 },
    ]);
  });
});

describe("range numbers", () => {
  it("adds up a series and divides safely", () => {
    expect(total([p("2026-12-04T00:00:00Z", 1), p("2026-12-05T00:00:00Z", 2.5)])).toBe(3.5);
    expect(total([])).toBe(0);
    expect(ratio(1, 4)).toBe(0.25);
    expect(ratio(0, 0)).toBeNull();
  });

  it("calls a range empty only when no series has a point", () => {
    expect(isEmpty({ a: [], b: [] })).toBe(true);
    expect(isEmpty({ a: [], b: [p("2026-12-04T00:00:00Z", 0)] })).toBe(false);
  });
});

describe("labels", () => {
  it("names buckets in UTC, by the day or the hour", () => {
    expect(bucketLabel("2026-12-04T00:00:00Z", "day")).toBe("Dec 4");
    expect(bucketLabel("2026-12-04T14:00:00Z", "hour")).toBe("14:00");
    expect(bucketLabel("2026-12-04T00:00:00Z", "hour")).toBe("00:00");
    expect(bucketTitle("2026-12-04T14:00:00Z", "hour")).toBe("Dec 4, 2026, 14:00 UTC");
    expect(bucketTitle("2026-12-04T00:00:00Z", "day")).toBe("Dec 4, 2026");
  });

  it("formats rates, times and dollars", () => {
    expect(formatPercent(1 / 3)).toBe("33.3%");
    expect(formatPercent(null)).toBe("–");
    expect(formatMs(250)).toBe("250 ms");
    expect(formatMs(2500)).toBe("2.5 s");
    expect(formatMs(null)).toBe("–");
    expect(formatUsd(0.00125)).toBe("$0.0013");
    expect(formatUsd(3)).toBe("$3.00");
  });
});
