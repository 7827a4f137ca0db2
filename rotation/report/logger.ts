import { redactSecrets } from "./redaction";
import { MAX_LOG_LINE_CHARS, cutMarker, cutText } from "./textBounds";
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
 * this much has gathered in whole lines. A line longer than this is kept to its first this many
 * characters: what follows is counted, not held (the kept start is redacted as a whole, so no part
 * of a token in it is printed; see {@link cutText}).
 */
export const MAX_MESSAGE_CHARS = 64 * 1024;
export const MESSAGE_IDLE_MS = 500;

/**
 * Calls `flush` once `ms` have passed, unless cancelled first: how the engine's quiet is timed.
 * The default is a real timer that does not keep the process alive; a test passes one it fires itself.
 */
export type IdleTimer = (flush: () => void, ms: number) => { cancel(): void };

const realIdleTimer: IdleTimer = (flush, ms) => {
    const timer = setTimeout(flush, ms);
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
};

/** A blank (a line of only these characters is blank). */
const isBlank = (code: number): boolean => code === 0x20 || code === 0x09 || code === 0x0d;
const NEWLINE = 0x0a;

/**
 * Gathers chunks into whole messages and writes each, redacted as a whole before it is split into
 * lines (so a token split over lines is still recognised), each line with `prefix`. Each chunk is
 * scanned once: the cost is linear in the output, and what is held is bounded.
 */
function messageWriter(prefix: string, sink: TextSink, idleTimer: IdleTimer): EngineOutput["stdout"] & { end(): void } {
    /** The text held: whole lines, then the start of the current line. */
    let pending = "";
    /** Where the whole lines held end. */
    let wholeEnd = 0;
    /** Characters of the current line dropped beyond {@link MAX_MESSAGE_CHARS}. */
    let dropped = 0;
    /** Whether the current line, so far, follows a newline and holds only blanks (the regex `\n[ \t\r]*\n`). */
    let blankSoFar = false;
    let idle: { cancel(): void } | undefined;
    const flush = (message: string): void => {
        if (message !== "") {
            writeLines(sink, prefix, message.replace(/\r?\n$/, ""));
        }
    };
    /** Writes the whole lines gathered so far. */
    const flushLines = (): void => {
        flush(pending.slice(0, wholeEnd));
        pending = pending.slice(wholeEnd);
        wholeEnd = 0;
        // What is held now starts a message: a blank line needs a newline of its own first.
        blankSoFar = false;
    };
    /** Holds `text` (no newline in it), up to the bound of one line. */
    const hold = (text: string): void => {
        const room = MAX_MESSAGE_CHARS - (pending.length - wholeEnd);
        if (dropped === 0 && text.length <= room) {
            pending += text;
            return;
        }
        pending += text.slice(0, Math.max(0, room));
        dropped += text.length - Math.max(0, room);
    };
    /** Ends the current line. */
    const endLine = (): void => {
        if (dropped > 0) {
            pending += cutMarker(dropped);
            dropped = 0;
        }
        pending += "\n";
        wholeEnd = pending.length;
    };
    const write = (chunk: string): void => {
        idle?.cancel();
        let from = 0;
        for (let index = 0; index < chunk.length; index++) {
            const code = chunk.charCodeAt(index);
            if (code !== NEWLINE) {
                blankSoFar &&= isBlank(code);
                continue;
            }
            hold(chunk.slice(from, index));
            endLine();
            from = index + 1;
            if (blankSoFar) {
                // A message is whole: write it now.
                flushLines();
            } else {
                blankSoFar = true;
            }
        }
        hold(chunk.slice(from));
        if (wholeEnd > MAX_MESSAGE_CHARS) {
            flushLines();
        }
        if (wholeEnd > 0) {
            idle = idleTimer(flushLines, MESSAGE_IDLE_MS);
        }
    };
    write.end = (): void => {
        idle?.cancel();
        const rest = dropped > 0 ? `${pending}${cutMarker(dropped)}` : pending;
        flush(rest);
        pending = "";
        wholeEnd = 0;
        dropped = 0;
        blankSoFar = false;
    };
    return write;
}

/** Writes `message`, redacted as a whole, line by line, each line with `prefix` and cut to {@link MAX_LOG_LINE_CHARS}. */
function writeLines(sink: TextSink, prefix: string, message: string): void {
    for (const line of redactSecrets(message).split(/\r?\n/)) {
        sink.write(`${prefix}${cutText(line, MAX_LOG_LINE_CHARS)}\n`);
    }
}

/**
 * A logger writing progress and the engine's stdout to `progress`, and the engine's stderr and
 * warnings to `problems` (with `--json` both are stderr, keeping stdout for the JSON report).
 * `idleTimer` times the engine's quiet ({@link MESSAGE_IDLE_MS}); the default is a real timer.
 */
export function createLogger(progress: TextSink, problems: TextSink, idleTimer: IdleTimer = realIdleTimer): Logger {
    return {
        info: (message) => writeLines(progress, "", message),
        warn: (message) => writeLines(problems, "warning: ", message),
        forStack: (stack) => {
            const prefix = `[${stack}] `;
            return {
                info: (message) => writeLines(progress, prefix, message),
                warn: (message) => writeLines(problems, `${prefix}warning: `, message),
                engine: () => {
                    const stdout = messageWriter(prefix, progress, idleTimer);
                    const stderr = messageWriter(prefix, problems, idleTimer);
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
