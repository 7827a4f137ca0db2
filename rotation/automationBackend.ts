/**
 * {@link StackBackend} on the Pulumi CLI: the project's Pulumi.yaml with the ambient backend and
 * secrets provider, and the CLI from PATH or a pinned root (found and version-checked by the
 * Automation API's `PulumiCommand`).
 *
 * The commands every run needs (`stack ls`, `stack output`, the targeted `up`) are run directly
 * ({@link runPulumi}); the Automation API's `LocalWorkspace`/`Stack` are loaded only for a preview
 * (which parses the change summary from the engine's events) and for releasing a stale lock. That
 * keeps a `--check` over many stacks close to the cost of the bare `pulumi stack output` calls,
 * and an update never reads the outputs with secrets in plain text, as `Stack.up()` does after it.
 */
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { PulumiCommand } from "@pulumi/pulumi/automation/cmd";
import { CommandError, ConcurrentUpdateError, StackNotFoundError } from "@pulumi/pulumi/automation/errors";
import { PulumiCommandError, isLockConflict, isStackNotFound, runPulumi } from "./pulumiCli";
import {
    ChangeSummary,
    EngineOutput,
    MaskedOutputs,
    StackBackend,
    StackHandle,
    StackLockedError,
    StackMissingError,
    TargetedOperation,
} from "./stackBackend";
import { describeLockHolders, parseLockHolders } from "./staleLock";

/** Options of {@link createAutomationBackend}. */
export interface AutomationBackendOptions {
    /** The directory of the project's Pulumi.yaml. */
    readonly workDir: string;
    /** A directory whose `bin/pulumi` to run (a pinned CLI). Default: `pulumi` on PATH. */
    readonly pulumiRoot?: string;
}

/** Set for every command: a scheduled job has no use for the CLI's update nag. */
const BASE_ENV = { PULUMI_SKIP_UPDATE_CHECK: "true" };

/** What `pulumi stack output --json` prints in place of a secret's value. */
const MASKED = "[secret]";

/** The `error:` lines of a failed command (what Pulumi says went wrong), else its last line. */
function summarize(text: string): string {
    const errors = text
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line.startsWith("error:"))
        .map((line) => line.slice("error:".length).trim());
    if (errors.length > 0) {
        // A CommandError's message quotes stderr twice (the output, and execa's error).
        return [...new Set(errors)].join("; ");
    }
    const lines = text
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== "");
    return lines.length > 0 ? lines[lines.length - 1] : "the Pulumi CLI failed without a message";
}

/** Turns a failed command about `stack` (or about the project) into the seam's errors. */
function translate(error: unknown, stack?: string): Error {
    if (stack !== undefined && (error instanceof ConcurrentUpdateError || isLockConflict(error))) {
        const message = (error as Error).message;
        const holders = parseLockHolders(message);
        const heldBy = holders.length > 0 ? ` Held by ${describeLockHolders(holders)}.` : "";
        return new StackLockedError(stack, `${summarize(message)}${heldBy}`, holders);
    }
    if (stack !== undefined && (error instanceof StackNotFoundError || isStackNotFound(error))) {
        return new StackMissingError(stack);
    }
    if (error instanceof CommandError || error instanceof PulumiCommandError) {
        return new Error(`pulumi failed${stack !== undefined ? ` on stack "${stack}"` : ""}: ${summarize(error.message)}`);
    }
    return error instanceof Error ? error : new Error(String(error));
}

/** `pulumi stack output --json` (without `--show-secrets`) parsed; secrets stay masked. */
export function parseMaskedOutputs(json: string): MaskedOutputs {
    const parsed: unknown = JSON.parse(json);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        throw new Error("`pulumi stack output --json` did not print a JSON object");
    }
    return Object.fromEntries(
        Object.entries(parsed).map(([name, value]) => [name, value === MASKED ? { secret: true } : { secret: false, value }]),
    );
}

/** `pulumi stack ls --json` parsed: the stack names. */
function parseStackNames(json: string): string[] {
    const parsed: unknown = JSON.parse(json);
    if (!Array.isArray(parsed)) {
        throw new Error("`pulumi stack ls --json` did not print a JSON array");
    }
    return parsed.map((entry: { name?: unknown }) => String(entry.name));
}

/** `--target` for each URN, and their dependents. */
function targetArgs(operation: TargetedOperation): string[] {
    return [...operation.targets.flatMap((urn) => ["--target", urn]), "--target-dependents"];
}

/** A backend running the Pulumi CLI in `options.workDir`. */
export function createAutomationBackend(options: AutomationBackendOptions): StackBackend {
    const { workDir, pulumiRoot } = options;
    // What PulumiCommand.get runs: the pinned root's binary, else `pulumi` from PATH.
    const executable = pulumiRoot !== undefined ? path.resolve(pulumiRoot, "bin", "pulumi") : "pulumi";
    let command: Promise<PulumiCommand> | undefined;

    /** The CLI, found and its version checked by the Automation API, once per run (`pulumi version`). */
    const pulumi = (): Promise<PulumiCommand> =>
        (command ??= PulumiCommand.get(pulumiRoot !== undefined ? { root: pulumiRoot } : {}).catch((error: unknown) => {
            throw new Error(
                `could not run the Pulumi CLI (${pulumiRoot !== undefined ? executable : "pulumi on PATH"}): ` +
                    `${summarize(error instanceof Error ? error.message : String(error))}; install it, or pass --pulumi-root`,
            );
        }));

    /** One CLI command in the project directory; rejects with {@link PulumiCommandError}. */
    function start(args: string[], env: Readonly<Record<string, string>> = {}, signal?: AbortSignal, output?: EngineOutput): Promise<string> {
        return runPulumi(executable, args, {
            cwd: workDir,
            env: { ...BASE_ENV, ...env },
            ...(signal !== undefined ? { signal } : {}),
            ...(output !== undefined ? { onStdout: output.stdout, onStderr: output.stderr } : {}),
        });
    }

    /**
     * A read-only command. It starts while the version check still runs, since it changes
     * nothing, and its result counts only once the check has passed (whose error comes first).
     */
    async function read(args: string[], signal?: AbortSignal): Promise<string> {
        const running = start(args, {}, signal);
        running.catch(() => undefined);
        await pulumi();
        return running;
    }

    async function readOutputs(name: string, signal?: AbortSignal): Promise<MaskedOutputs> {
        let json: string;
        try {
            json = await read(["stack", "output", "--json", "--stack", name], signal);
        } catch (error) {
            if (isStackNotFound(error)) {
                throw new StackMissingError(name);
            }
            if (!(error instanceof PulumiCommandError)) {
                throw error;
            }
            throw new Error(`could not read the outputs of stack "${name}": ${summarize(error.stderr)}`);
        }
        return parseMaskedOutputs(json);
    }

    /** The Automation API's `Stack`, loaded on first use: only previews and lock releases need it. */
    async function automationStack(name: string, env: Readonly<Record<string, string>>): Promise<Stack> {
        const { LocalWorkspace } = require("@pulumi/pulumi/automation") as typeof import("@pulumi/pulumi/automation");
        return LocalWorkspace.selectStack({ stackName: name, workDir }, { pulumiCommand: await pulumi(), envVars: { ...BASE_ENV, ...env } });
    }

    function handle(name: string, prefetched: MaskedOutputs): StackHandle {
        let unread: MaskedOutputs | undefined = prefetched;
        return {
            name,
            async outputs(signal) {
                const first = unread;
                unread = undefined;
                return first ?? readOutputs(name, signal);
            },
            async up(operation) {
                operation.signal.throwIfAborted();
                try {
                    await pulumi();
                    // The command rather than Stack.up(), which afterwards reads every output with
                    // secrets in plain text (and the history): callers re-read the outputs masked.
                    await start(
                        [
                            "up",
                            "--yes",
                            "--skip-preview",
                            "--stack",
                            name,
                            "--message",
                            "apim-gateway-rotate: renew the gateway token",
                            ...targetArgs(operation),
                            "--color",
                            "never",
                            "--suppress-outputs",
                            "--suppress-progress",
                        ],
                        operation.env,
                        operation.signal,
                        operation.output,
                    );
                } catch (error) {
                    throw translate(error, name);
                }
            },
            async preview(operation): Promise<ChangeSummary> {
                operation.signal.throwIfAborted();
                try {
                    const stack = await automationStack(name, operation.env);
                    const result = await stack.preview({
                        target: [...operation.targets],
                        targetDependents: true,
                        onOutput: operation.output.stdout,
                        onError: operation.output.stderr,
                        signal: AbortSignal.any([operation.signal]),
                        color: "never",
                        suppressOutputs: true,
                        suppressProgress: true,
                    });
                    return result.changeSummary;
                } catch (error) {
                    throw translate(error, name);
                }
            },
            async releaseLock() {
                try {
                    await (await automationStack(name, {})).cancel();
                } catch (error) {
                    throw translate(error, name);
                }
            },
        };
    }

    return {
        async listStacks() {
            try {
                return parseStackNames(await read(["stack", "ls", "--json"]));
            } catch (error) {
                throw translate(error);
            }
        },
        async selectStack(name) {
            // Reading the outputs proves the stack exists (a missing one is StackNotFoundError and
            // is never created) and costs one command instead of `stack select` plus the read;
            // the handle's first outputs() returns them.
            return handle(name, await readOutputs(name));
        },
    };
}
