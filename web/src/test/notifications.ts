import type { NotificationRead } from "@/hooks/notifications/keys";

const encoder = new TextEncoder();

/** A notification as the API lists it. */
export const notification = (
  id: string,
  overrides: Partial<NotificationRead> = {},
): NotificationRead => ({
  id,
  type: "document_indexed",
  title: `Document ${id} ready`,
  body: `“${id}.md” is indexed and can be searched.`,
  link: `/documents/${id}`,
  priority: "normal",
  created_at: new Date(Date.now() - 60_000).toISOString(),
  read_at: null,
  ...overrides,
});

/** The live feed's body, written by the test an event at a time. */
export function feed() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  return {
    response: () => new Response(body, { headers: { "content-type": "text/event-stream" } }),
    send: (event: "notification" | "unread_count", data: unknown, id = "") =>
      controller.enqueue(
        encoder.encode(`event: ${event}\nid: ${id}\ndata: ${JSON.stringify(data)}\n\n`),
      ),
  };
}

export const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

/** "GET /api/notifications?unread=true" for each call of a fetch mock. */
export const requests = (calls: unknown[][]) =>
  calls.map(([input]) => {
    const request = input as Request;
    const url = new URL(request.url);
    return `${request.method} ${url.pathname}${url.search}`;
  });
