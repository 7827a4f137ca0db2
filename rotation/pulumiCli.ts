/**
 * Runs one Pulumi CLI command the way the Automation API's command runner does: non-interactive,
 * the CLI's own directory first on PATH (so a pinned CLI's plugins are found), output streamed,
 * and SIGINT on cancellation so the engine stops cleanly. Used for the commands the rotation runs
 * on every stack, because loading the Automation API's workspace classes costs more than a
 * `pulumi stack output` itself.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";

/**
 * A Pulumi command that exited with a non-zero code. The message holds all it printed: the
 * engine reports a failed update's errors on stdout, the CLI its own on stderr.
 */
export class PulumiCommandError extends Error {
    constructor(
        readonly args: readonly string[],
        readonly exitCode: number | null,
        readonly stdout: string,
        readonly stderr: string,
    ) {
        super(`pulumi ${args.slice(0, 2).join(" ")} exited with ${exitCode ?? "a signal"}:\n${stdout}\n${stderr}`);
        this.name = "PulumiCommandError";
    }
}

/** Options of {@link runPulumi}. */
export interface PulumiRunOptions {
    readonly cwd: string;
    /** Added to this process's environment. */
    readonly env: Readonly<Record<string, string>>;
    /** Aborting it sends the command SIGINT. */
    readonly signal?: AbortSignal;
    readonly onStdout?: (chunk: string) => void;
    readonly onStderr?: (chunk: string) => void;
}

/** The Pulumi CLI's wording for the failures callers act on (as the Automation API matches them). */
const STACK_NOT_FOUND = /no stack named.*found/;
const LOCK_CONFLICTS = ["[409] Conflict: Another update is currently in progress.", "the stack is currently locked by"];

/** The command failed because the stack does not exist. */
export function isStackNotFound(error: unknown): boolean {
    return error instanceof PulumiCommandError && STACK_NOT_FOUND.test(error.stderr);
}

/** The command failed because another update holds the stack's lock. */
export function isLockConflict(error: unknown): boolean {
    return error instanceof PulumiCommandError && LOCK_CONFLICTS.some((text) => error.stderr.includes(text));
}

/** Runs `command args... --non-interactive`; resolves to its stdout, rejects with {@link PulumiCommandError}. */
export function runPulumi(command: string, args: readonly string[], options: PulumiRunOptions): Promise<string> {
    return new Promise((resolve, reject) => {
        if (options.signal?.aborted) {
            reject(options.signal.reason);
            return;
        }
        const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
        if (path.isAbsolute(command)) {
            env.PATH = `${path.dirname(command)}${path.delimiter}${env.PATH ?? ""}`;
        }
        const child = spawn(command, [...args, "--non-interactive"], { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
            stdout += chunk;
            options.onStdout?.(chunk);
        });
        child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
            stderr += chunk;
            options.onStderr?.(chunk);
        });
        const interrupt = () => child.kill("SIGINT");
        options.signal?.addEventListener("abort", interrupt, { once: true });
        child.once("error", (error) => {
            options.signal?.removeEventListener("abort", interrupt);
            reject(error);
        });
        child.once("close", (code) => {
            options.signal?.removeEventListener("abort", interrupt);
            if (code === 0) {
                resolve(stdout);
            } else {
                reject(new PulumiCommandError(args, code, stdout, stderr));
            }
        });
    });
}
