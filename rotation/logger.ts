import { redactSecrets } from "./redact";
import { EngineOutput } from "./stackBackend";

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

/** Human-readable progress of a run. Everything written is passed through {@link redactSecrets}. */
export interface Logger {
    info(message: string): void;
    warn(message: string): void;
    forStack(stack: string): StackLogger;
}

/** Splits chunks into lines and writes each complete line with `prefix`. */
function linePrefixer(prefix: string, sink: TextSink): EngineOutput["stdout"] & { end(): void } {
    let pending = "";
    const write = (chunk: string): void => {
        const lines = (pending + chunk).split(/\r?\n/);
        pending = lines.pop() ?? "";
        for (const line of lines) {
            sink.write(`${prefix}${redactSecrets(line)}\n`);
        }
    };
    write.end = (): void => {
        if (pending !== "") {
            sink.write(`${prefix}${redactSecrets(pending)}\n`);
            pending = "";
        }
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
                    const stdout = linePrefixer(prefix, progress);
                    const stderr = linePrefixer(prefix, problems);
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
