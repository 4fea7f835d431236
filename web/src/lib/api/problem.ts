import type { components } from "./schema";

export type Problem = components["schemas"]["Problem"];

export interface FieldError {
  field: string;
  message: string;
}

/** An API failure as the UI shows it: a sentence, and messages for the fields they name. */
export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly type: string;
  readonly fieldErrors: FieldError[];

  constructor(
    status: number,
    title: string,
    detail: string,
    type = "about:blank",
    fieldErrors: FieldError[] = [],
  ) {
    super(detail || title);
    this.name = "ApiError";
    this.status = status;
    this.title = title;
    this.type = type;
    this.fieldErrors = fieldErrors;
  }
}

const FALLBACK_TITLES: Record<number, string> = {
  400: "The request was not valid.",
  401: "Your session has ended. Please sign in again.",
  403: "You do not have permission to do that.",
  404: "Not found.",
  409: "That conflicts with something that already exists.",
  413: "The file is too large.",
  415: "That file type is not supported.",
  422: "Some fields need attention.",
  429: "Too many attempts. Please wait a moment and try again.",
  502: "Sift is restarting. Please try again in a moment.",
  503: "Sift is temporarily unavailable. Please try again in a moment.",
};

function fieldName(loc: unknown): string {
  if (!Array.isArray(loc)) return "";
  const parts = loc.filter((part) => part !== "body" && part !== "query" && part !== "path");
  return parts.map(String).join(".");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** Turn any error body (problem+json, FastAPI's `{detail: [...]}`, or none) into an ApiError. */
export function toApiError(status: number, body: unknown): ApiError {
  const fallback = FALLBACK_TITLES[status] ?? `Something went wrong (HTTP ${status}).`;
  if (!isRecord(body)) return new ApiError(status, fallback, fallback);
  const rawErrors = Array.isArray(body.errors)
    ? body.errors
    : Array.isArray(body.detail)
      ? body.detail
      : [];
  const fieldErrors = rawErrors.filter(isRecord).map((error) => ({
    field: fieldName(error.loc),
    message: typeof error.msg === "string" ? error.msg : String(error.msg ?? ""),
  }));
  const title = typeof body.title === "string" ? body.title : fallback;
  const detail = typeof body.detail === "string" ? body.detail : (fieldErrors[0]?.message ?? title);
  const type = typeof body.type === "string" ? body.type : "about:blank";
  return new ApiError(status, title, detail, type, fieldErrors);
}

/** Read a failed Response's body, whatever its type, into an ApiError. */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  let body: unknown = null;
  const contentType = response.headers.get("content-type") ?? "";
  if (contentType.includes("json")) {
    try {
      body = await response.json();
    } catch {
      body = null;
    }
  }
  return toApiError(response.status, body);
}

export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return "Cannot reach Sift. Check your connection and try again.";
  return "Something went wrong. Please try again.";
}

/** A query's or mutation's error as a sentence; `null` when there is none. */
export function errorText(error: unknown): string | null {
  return error === null || error === undefined ? null : messageOf(error);
}
