/** A child process of the suite with its output captured, its duration measured and its wait bounded. */
import { ChildProcess, spawn } from "node:child_process";
import { killAll, processTree } from "./processTree";
import { redactTokens } from "./transcript";

/** Lines of output a timed-out process's error ends with: where it was when it was killed. */
const TAIL_LINES = 20;

/** A finished process. */
export interface ProcessRun {
    readonly code: number | null;
    readonly stdout: string;
    readonly stderr: string;
    /** Wall-clock duration, start to exit, in milliseconds. */
    readonly ms: number;
}

/** A process still running. */
export interface StartedProcess {
    readonly child: ChildProcess;
    readonly done: Promise<ProcessRun>;
}

/** Where and how long to run. */
export interface ProcessOptions {
    readonly cwd: string;
    /** The whole environment (nothing is inherited). */
    readonly env: Record<string, string>;
    /** Still running after this long, it is killed and `done` rejects. */
    readonly timeoutMs: number;
}

export function startProcess(command: string, args: readonly string[], options: ProcessOptions): StartedProcess {
    const started = performance.now();
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const done = new Promise<ProcessRun>((resolve, reject) => {
        const timer = setTimeout(() => {
            // The whole tree: a rotation program killed alone would orphan its engine and plugins.
            const killed = child.pid === undefined ? Promise.resolve() : killAll(processTree(child.pid));
            const tail = (text: string) => redactTokens(text.split("\n").slice(-TAIL_LINES).join("\n"));
            const timedOut = new Error(
                `${command} ${args.slice(0, 3).join(" ")} did not finish within ${options.timeoutMs} ms\n` +
                    `--- stdout so far\n${tail(stdout)}\n--- stderr so far\n${tail(stderr)}`,
            );
            killed.then(
                () => reject(timedOut),
                (error: Error) => reject(new Error(`${timedOut.message}; ${error.message}`)),
            );
        }, options.timeoutMs);
        child.once("error", (error) => {
            clearTimeout(timer);
            reject(error);
        });
        child.once("close", (code) => {
            clearTimeout(timer);
            resolve({ code, stdout, stderr, ms: performance.now() - started });
        });
    });
    return { child, done };
}
