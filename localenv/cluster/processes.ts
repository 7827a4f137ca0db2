/**
 * The control plane's long-running processes: output to a log file each, stopped by pid (SIGTERM,
 * then SIGKILL), and killed when this Node.js process exits, so no component outlives a test run.
 */
import { ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { FatalWaitError } from "./wait";

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function killRunningOnExit(): void {
    if (exitHookInstalled) {
        return;
    }
    exitHookInstalled = true;
    process.once("exit", () => {
        for (const child of running) {
            child.kill("SIGKILL");
        }
    });
}

/** How a component exited. */
export interface Exit {
    readonly code: number | null;
    readonly signal: NodeJS.Signals | null;
}

export class ComponentProcess {
    private exit: Exit | undefined;
    private spawnError: Error | undefined;
    readonly exited: Promise<Exit>;

    private constructor(
        readonly name: string,
        readonly logFile: string,
        private readonly child: ChildProcess,
    ) {
        running.add(child);
        this.exited = new Promise((resolve) => {
            child.once("exit", (code, signal) => {
                running.delete(child);
                this.exit = { code, signal };
                resolve(this.exit);
            });
            child.once("error", (error) => {
                running.delete(child);
                this.exit = { code: null, signal: null };
                this.spawnError = error;
                resolve(this.exit);
            });
        });
    }

    /** Starts `command`; stdout and stderr go to `logFile`. */
    static start(name: string, command: string, args: readonly string[], logFile: string, env?: NodeJS.ProcessEnv): ComponentProcess {
        killRunningOnExit();
        const fd = openSync(logFile, "a");
        try {
            const child = spawn(command, args, { stdio: ["ignore", fd, fd], env: env ?? process.env });
            return new ComponentProcess(name, logFile, child);
        } finally {
            closeSync(fd);
        }
    }

    get pid(): number | undefined {
        return this.child.pid;
    }

    /** The last `lines` lines of the component's log. */
    logTail(lines = 30): string {
        try {
            return readFileSync(this.logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
        } catch (error) {
            return `(no log: ${(error as Error).message})`;
        }
    }

    /** Throws a FatalWaitError, with the log's tail, if the process has exited. */
    assertRunning(): void {
        if (this.exit !== undefined) {
            const how = this.spawnError?.message ?? (this.exit.signal ? `signal ${this.exit.signal}` : `exit code ${this.exit.code}`);
            throw new FatalWaitError(`${this.name} exited (${how}); ${this.logFile} ends:\n${this.logTail()}`);
        }
    }

    /** SIGTERM, then SIGKILL if it still runs after `graceMs`; resolves once it has exited. */
    async stop(graceMs = 5_000): Promise<Exit> {
        if (this.exit !== undefined) {
            return this.exit;
        }
        this.child.kill("SIGTERM");
        const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
        try {
            return await this.exited;
        } finally {
            clearTimeout(timer);
        }
    }
}
