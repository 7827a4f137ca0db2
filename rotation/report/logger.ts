import { redactSecrets } from "./redaction";
import type { EngineOutput } from "../model/engineRecord";

/** Anything text can be written to (`process.stdout`, a test buffer). */
export interface TextSink {
    write(text: string): unknown;
}

/** Engine output of one operation; `end()` flushes a last line that had no newline. */
export interface EngineStream extends EngineOutput {
    end(): void;
}

/** Progress messages about one stack, each line prefixed with `[stack] `. */
export interface StackLogger {
    info(message: string): void;
    warn(message: string): void;
    /** A stream for the engine's output of one update or preview. */
    engine(): EngineStream;
}

/** Human-readable progress of a run. Every message is passed through {@link redactSecrets} whole, then split into lines. */
export interface Logger {
    info(message: string): void;
    warn(message: string): void;
    forStack(stack: string): StackLogger;
}

/**
 * Engine output is held until a message is whole before it is redacted: a message ends at a blank
 * line (the engine separates its sections and diagnostics so), when the engine has been quiet for
 * {@link MESSAGE_IDLE_MS} (it writes a message at once, and a CI log stays live), or when
 * this much has gathered.
 */
export const MAX_MESSAGE_CHARS = 64 * 1024;
export const MESSAGE_IDLE_MS = 500;

/** The end of the last blank line in `text` (a line of only blanks), or -1. */
function endOfLastBlankLine(text: string): number {
    const blank = /\n[ \t\r]*\n/g;
    let end = -1;
    for (const match of text.matchAll(blank)) {
        end = (match.index ?? 0) + match[0].length;
    }
    return end;
}

/**
 * Gathers chunks into whole messages and writes each, redacted as a whole before it is split into
 * lines (so a token split over lines is still recognised), each line with `prefix`.
 */
function messageWriter(prefix: string, sink: TextSink): EngineOutput["stdout"] & { end(): void } {
    let pending = "";
    let idle: NodeJS.Timeout | undefined;
    const flush = (message: string): void => {
        if (message !== "") {
            writeLines(sink, prefix, message.replace(/\r?\n$/, ""));
        }
    };
    /** Writes the whole lines gathered so far. */
    const flushLines = (): void => {
        const end = pending.lastIndexOf("\n") + 1;
        flush(pending.slice(0, end));
        pending = pending.slice(end);
    };
    const write = (chunk: string): void => {
        pending += chunk;
        clearTimeout(idle);
        const end = endOfLastBlankLine(pending);
        if (end > 0) {
            flush(pending.slice(0, end));
            pending = pending.slice(end);
        } else if (pending.length > MAX_MESSAGE_CHARS) {
            flushLines();
        }
        if (pending.includes("\n")) {
            idle = setTimeout(flushLines, MESSAGE_IDLE_MS);
            idle.unref();
        }
    };
    write.end = (): void => {
        clearTimeout(idle);
        flush(pending);
        pending = "";
    };
    return write;
}

function writeLines(sink: TextSink, prefix: string, message: string): void {
    for (const line of redactSecrets(message).split(/\r?\n/)) {
        sink.write(`${prefix}${line}\n`);
    }
}

/**
 * A logger writing progress and the engine's stdout to `progress`, and the engine's stderr and
 * warnings to `problems` (with `--json` both are stderr, keeping stdout for the JSON report).
 */
export function createLogger(progress: TextSink, problems: TextSink): Logger {
    return {
        info: (message) => writeLines(progress, "", message),
        warn: (message) => writeLines(problems, "warning: ", message),
        forStack: (stack) => {
            const prefix = `[${stack}] `;
            return {
                info: (message) => writeLines(progress, prefix, message),
                warn: (message) => writeLines(problems, `${prefix}warning: `, message),
                engine: () => {
                    const stdout = messageWriter(prefix, progress);
                    const stderr = messageWriter(prefix, problems);
                    return {
                        stdout,
                        stderr,
                        end: () => {
                            stdout.end();
                            stderr.end();
                        },
                    };
                },
            };
        },
    };
}
