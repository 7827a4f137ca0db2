/**
 * {@link StackBackend} on the Pulumi Automation API: a `LocalWorkspace` over the project's
 * Pulumi.yaml with the ambient backend and secrets provider, and the Pulumi CLI from PATH or a
 * pinned root.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import {
    CommandError,
    ConcurrentUpdateError,
    LocalWorkspace,
    PulumiCommand,
    Stack,
    StackNotFoundError,
} from "@pulumi/pulumi/automation";
import {
    ChangeSummary,
    MaskedOutputs,
    StackBackend,
    StackHandle,
    StackLockedError,
    StackMissingError,
    TargetedOperation,
} from "./stackBackend";

const run = promisify(execFile);

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

/** Turns the Automation API's errors about `stack` (or about the project) into the seam's. */
function translate(error: unknown, stack?: string): Error {
    if (stack !== undefined && error instanceof ConcurrentUpdateError) {
        return new StackLockedError(stack, summarize(error.message));
    }
    if (stack !== undefined && error instanceof StackNotFoundError) {
        return new StackMissingError(stack);
    }
    if (error instanceof CommandError) {
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

/** A backend running the Pulumi CLI in `options.workDir`. */
export function createAutomationBackend(options: AutomationBackendOptions): StackBackend {
    const { workDir, pulumiRoot } = options;
    let command: Promise<PulumiCommand> | undefined;

    const pulumi = (): Promise<PulumiCommand> =>
        (command ??= PulumiCommand.get(pulumiRoot !== undefined ? { root: pulumiRoot } : {}).catch((error: unknown) => {
            throw new Error(
                `could not run the Pulumi CLI (${pulumiRoot !== undefined ? `${pulumiRoot}/bin/pulumi` : "pulumi on PATH"}): ` +
                    `${summarize(error instanceof Error ? error.message : String(error))}; install it, or pass --pulumi-root`,
            );
        }));

    /** A workspace per operation, so one stack's environment never leaks into another's. */
    async function select(stackName: string, env: Readonly<Record<string, string>>): Promise<Stack> {
        try {
            return await LocalWorkspace.selectStack(
                { stackName, workDir },
                { pulumiCommand: await pulumi(), envVars: { ...BASE_ENV, ...env } },
            );
        } catch (error) {
            throw translate(error, stackName);
        }
    }

    function operationOptions(operation: TargetedOperation) {
        return {
            target: [...operation.targets],
            targetDependents: true,
            onOutput: operation.output.stdout,
            onError: operation.output.stderr,
            // A dependent signal per operation: the SDK adds a listener it never removes.
            signal: AbortSignal.any([operation.signal]),
            color: "never" as const,
            suppressOutputs: true,
            suppressProgress: true,
        };
    }

    function handle(name: string): StackHandle {
        return {
            name,
            async outputs(signal) {
                const cli = await pulumi();
                try {
                    const { stdout } = await run(cli.command, ["stack", "output", "--json", "--stack", name], {
                        cwd: workDir,
                        env: { ...process.env, ...BASE_ENV },
                        signal,
                        maxBuffer: 16 * 1024 * 1024,
                    });
                    return parseMaskedOutputs(stdout);
                } catch (error) {
                    const stderr = (error as { stderr?: unknown }).stderr;
                    const detail = typeof stderr === "string" && stderr.trim() !== "" ? summarize(stderr) : summarize(String(error));
                    throw new Error(`could not read the outputs of stack "${name}": ${detail}`);
                }
            },
            async up(operation) {
                operation.signal.throwIfAborted();
                const stack = await select(name, operation.env);
                try {
                    // The result's outputs are discarded: callers re-read them masked.
                    await stack.up({ ...operationOptions(operation), message: "apim-gateway-rotate: renew the gateway token" });
                } catch (error) {
                    throw translate(error, name);
                }
            },
            async preview(operation): Promise<ChangeSummary> {
                operation.signal.throwIfAborted();
                const stack = await select(name, operation.env);
                try {
                    const result = await stack.preview(operationOptions(operation));
                    return result.changeSummary;
                } catch (error) {
                    throw translate(error, name);
                }
            },
        };
    }

    return {
        async listStacks() {
            try {
                const workspace = await LocalWorkspace.create({ workDir, pulumiCommand: await pulumi(), envVars: { ...BASE_ENV } });
                return (await workspace.listStacks()).map((stack) => stack.name);
            } catch (error) {
                throw translate(error);
            }
        },
        async selectStack(name) {
            await select(name, {});
            return handle(name);
        },
    };
}
