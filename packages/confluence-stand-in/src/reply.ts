/** What a handler answers; the server turns it into an HTTP response. Keeps handlers free of I/O. */
export interface Reply {
  status: number;
  json?: unknown;
  text?: string;
  /** A binary body (attachment downloads). */
  bytes?: Uint8Array;
  headers?: Record<string, string>;
  /** Pages the request concerned, so permanent fault rules can match on them. */
  pageIds?: string[];
  /** For export answers: the ids of the pages whose Markdown the answer holds (logged). */
  exported?: string[];
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({
  status,
  json: body,
  headers,
});
