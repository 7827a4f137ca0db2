import type { IncomingMessage, ServerResponse } from "node:http";

/** Reads a request body as text. */
export async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
        chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString("utf8");
}

/** Sends a JSON body with extra headers. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), ...headers });
    res.end(text);
}

/** Sends an ARM `ErrorResponse` (common-types v5). */
export function sendArmError(
    res: ServerResponse,
    status: number,
    code: string,
    message: string,
    options: { details?: { code: string; target?: string; message: string }[]; headers?: Record<string, string> } = {},
): void {
    sendJson(res, status, { error: { code, message, ...(options.details ? { details: options.details } : {}) } }, options.headers);
}
