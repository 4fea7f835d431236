import { describe, expect, it } from "vitest";
import { rangeFor } from "./analyticsRange";

// 14:30 UTC: a moment in the middle of a day, so that "today" is a whole UTC day around it.
const NOW = new Date("2026-12-05T14:30:00Z");

describe("rangeFor", () => {
  it("gives today by the hour, as whole UTC days with `to` exclusive", () => {
    expect(rangeFor({ preset: "today" }, NOW)).toEqual({
      range: { from: "2026-12-05T00:00:00.000Z", to: "2026-12-06T00:00:00.000Z", interval: "hour" },
    });
  });

  it("gives 7 and 30 days by the day, today included", () => {
    expect(rangeFor({ preset: "7d" }, NOW).range).toEqual({
      from: "2026-11-29T00:00:00.000Z",
      to: "2026-12-06T00:00:00.000Z",
      interval: "day",
    });
    expect(rangeFor({ preset: "30d" }, NOW).range).toEqual({
      from: "2026-11-06T00:00:00.000Z",
      to: "2026-12-06T00:00:00.000Z",
      interval: "day",
    });
  });

  it("takes a custom range's last day whole; up to two recent days go by the hour", () => {
    expect(rangeFor({ preset: "custom", from: "2026-12-04", to: "2026-12-05" }, NOW).range).toEqual(
      { from: "2026-12-04T00:00:00.000Z", to: "2026-12-06T00:00:00.000Z", interval: "hour" },
    );
    expect(rangeFor({ preset: "custom", from: "2026-12-03", to: "2026-12-05" }, NOW).range).toEqual(
      { from: "2026-12-03T00:00:00.000Z", to: "2026-12-06T00:00:00.000Z", interval: "day" },
    );
    expect(
      rangeFor({ preset: "custom", from: "2026-12-05", to: "2026-12-05" }, NOW).range?.interval,
    ).toBe("hour");
  });

  it("goes by the day for two days the API no longer keeps hours of (older than 48 h)", () => {
    expect(rangeFor({ preset: "custom", from: "2026-11-01", to: "2026-11-02" }, NOW).range).toEqual(
      { from: "2026-11-01T00:00:00.000Z", to: "2026-11-03T00:00:00.000Z", interval: "day" },
    );
  });

  it("refuses what the API would refuse instead of asking it", () => {
    expect(rangeFor({ preset: "custom", from: "2026-12-05", to: "2026-12-01" }, NOW)).toEqual({
      error: "The last day cannot be before the first.",
    });
    expect(rangeFor({ preset: "custom", from: "2025-01-01", to: "2026-12-05" }, NOW)).toEqual({
      error: "A range spans at most 400 days.",
    });
    expect(rangeFor({ preset: "custom", from: "", to: "2026-12-05" }, NOW).error).toBe(
      "Choose the first and the last day.",
    );
    expect(rangeFor({ preset: "custom", from: "2026-02-30", to: "2026-12-05" }, NOW).error).toBe(
      "Choose the first and the last day.",
    );
  });

  it("takes exactly 400 days", () => {
    const range = rangeFor({ preset: "custom", from: "2025-11-01", to: "2026-12-05" }, NOW).range;
    expect(range).toBeDefined();
    expect((Date.parse(range!.to) - Date.parse(range!.from)) / 86_400_000).toBe(400);
  });
});
