/** Reads the `--event` file, or stdin for `-`, refusing more than an Event Grid delivery can hold. */
import { open } from "node:fs/promises";
import { MAX_EVENT_FILE_BYTES } from "../azure/expiryEvents";

/** The file is missing, unreadable or too large; the message names it. */
export class EventInputError extends Error {}

async function readBounded(chunks: AsyncIterable<Buffer | string>, source: string): Promise<string> {
    const parts: Buffer[] = [];
    let size = 0;
    for await (const chunk of chunks) {
        const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
        size += buffer.length;
        if (size > MAX_EVENT_FILE_BYTES) {
            throw new EventInputError(
                `--event ${source} is larger than ${MAX_EVENT_FILE_BYTES} bytes, more than one Event Grid delivery holds`,
            );
        }
        parts.push(buffer);
    }
    return Buffer.concat(parts).toString("utf8");
}

/** The text of `file`, or of `stdin` when `file` is `-`. */
export async function readEventInput(file: string, stdin: AsyncIterable<Buffer | string>): Promise<string> {
    if (file === "-") {
        return readBounded(stdin, "- (stdin)");
    }
    let handle;
    try {
        handle = await open(file, "r");
    } catch (error) {
        throw new EventInputError(`--event ${file} cannot be read: ${(error as Error).message}`);
    }
    try {
        return await readBounded(handle.createReadStream({ autoClose: false }), file);
    } finally {
        await handle.close();
    }
}
