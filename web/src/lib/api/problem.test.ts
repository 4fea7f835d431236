import { describe, expect, it } from "vitest";
import { ApiError, errorFromResponse, messageOf, toApiError } from "./problem";

describe("toApiError", () => {
  it("reads an RFC 9457 problem with field errors", () => {
    const error = toApiError(422, {
      type: "https://sift.dev/problems/weak-password",
      title: "Password too weak",
      status: 422,
      detail: "Use at least 10 characters.",
      errors: [{ loc: ["body", "password"], msg: "Use at least 10 characters." }],
    });
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(422);
    expect(error.title).toBe("Password too weak");
    expect(error.message).toBe("Use at least 10 characters.");
    expect(error.type).toBe("https://sift.dev/problems/weak-password");
    expect(error.fieldErrors).toEqual([
      { field: "password", message: "Use at least 10 characters." },
    ]);
  });

  it("reads FastAPI's default validation body", () => {
    const error = toApiError(422, {
      detail: [{ loc: ["body", "email"], msg: "value is not a valid email" }],
    });
    expect(error.fieldErrors).toEqual([{ field: "email", message: "value is not a valid email" }]);
    expect(error.message).toBe("value is not a valid email");
  });

  it.each([
    [413, "The file is too large."],
    [415, "That file type is not supported."],
    [429, "Too many attempts. Please wait a moment and try again."],
    [599, "Something went wrong (HTTP 599)."],
  ])("falls back to a readable sentence for %i without a body", (status, message) => {
    expect(toApiError(status, null).message).toBe(message);
    expect(toApiError(status, "<html>bad gateway</html>").message).toBe(message);
  });
});

describe("errorFromResponse", () => {
  it("parses application/problem+json", async () => {
    const response = new Response(
      JSON.stringify({ title: "Conflict", status: 409, detail: "Already there." }),
      {
        status: 409,
        headers: { "content-type": "application/problem+json" },
      },
    );
    const error = await errorFromResponse(response);
    expect(error.status).toBe(409);
    expect(error.message).toBe("Already there.");
  });

  it("never shows an HTML error page", async () => {
    const response = new Response("<html>502</html>", {
      status: 502,
      headers: { "content-type": "text/html" },
    });
    expect((await errorFromResponse(response)).message).toBe(
      "Sift is restarting. Please try again in a moment.",
    );
  });
});

describe("messageOf", () => {
  it("explains network failures", () => {
    expect(messageOf(new TypeError("Failed to fetch"))).toMatch(/Cannot reach Sift/);
  });
});
