/**
 * {@link StackBackend} on the Pulumi Automation API: `LocalWorkspace` for the project's stacks,
 * `Stack` for preview, update and cancel (`onEvent` for what the engine did, `onOutput`/`onError`
 * for streaming, `signal` for cancellation, the SDK's error classes for locks and missing stacks),
 * with the project's Pulumi.yaml, the ambient backend and secrets provider, and the CLI from PATH
 * or a pinned root (found and version-checked once by `PulumiCommand`).
 *
 * No global side effect: every command names its stack (`--stack`), and the `Stack` objects come
 * from a workspace view whose `selectStack` does not run `pulumi stack select`, so the user's
 * current stack never changes. Each operation gets its own workspace, so concurrent stacks can
 * run with different environments (the renewal trigger).
 *
 * The commands run outside the workspace and stack classes are `pulumi stack output --json` and
 * `pulumi stack export` (through the SDK's own `PulumiCommand.run`): the SDK's `outputs()` also
 * runs `--show-secrets`, and the fresh/due decision needs the masked outputs only; its
 * `exportStack()` needs a workspace and a selected stack, and the token records need no secret. The workspace
 * view answers the SDK's own read after `up` (`Workspace.stackOutputs`) with that same masked read,
 * so no secret output is ever decrypted into this process, and an update costs one read less.
 */
import * as path from "node:path";
import { LocalWorkspace, OutputMap, Stack } from "@pulumi/pulumi/automation";
import { PulumiCommand } from "@pulumi/pulumi/automation/cmd";
import { CommandError, ConcurrentUpdateError, StackNotFoundError } from "@pulumi/pulumi/automation/errors";
import type { EngineRecord } from "../model/engineRecord";
import { EngineRecorder } from "./engineEvents";
import { redactSecrets } from "../report/redaction";
import type { MaskedOutputs } from "../model/maskedOutputs";
import { EngineOperationError, StackBackend, StackLockedError, StackMissingError, TargetedOperation } from "./stackBackend";
import { describeLockHolders, parseLockHolders } from "../policy/staleLock";
import { tokenRecordsFromState } from "./tokenState";

/** Options of {@link createAutomationBackend}. */
export interface AutomationBackendOptions {
    /** The directory of the project's Pulumi.yaml. */
    readonly workDir: string;
    /** A directory whose `bin/pulumi` to run (a pinned CLI). Default: `pulumi` on PATH. */
    readonly pulumiRoot?: string;
    /**
     * Node's compile cache for the engine's Node.js processes (the stack program, the token's
     * dynamic provider): a private directory, passed as `NODE_COMPILE_CACHE` unless the caller's
     * environment sets its own. Default: none. Why: a rotation runs the program twice and the
     * provider once or twice, each loading the same SDKs from source.
     */
    readonly nodeCompileCache?: string;
}

/** Set for every command: a scheduled job has no use for the CLI's update nag. */
const BASE_ENV = { PULUMI_SKIP_UPDATE_CHECK: "true" };

/**
 * `NODE_COMPILE_CACHE` for the engine's Node.js processes: `dir`, unless the environment already
 * names a cache (the user's choice wins) or none is given.
 */
export function compileCacheEnv(dir: string | undefined, env: NodeJS.ProcessEnv): Record<string, string> {
    return dir === undefined || env.NODE_COMPILE_CACHE !== undefined ? {} : { NODE_COMPILE_CACHE: dir };
}

/** What `pulumi stack output --json` prints in place of a secret's value. */
const MASKED = "[secret]";

/** The message of an update that the rotation records in the stack's history. */
const UPDATE_MESSAGE = "apim-gateway-rotate: renew the gateway token";

/**
 * The lines of a failed command that say what went wrong (`error:` lines, and the numbered causes
 * that follow an `error: N errors occurred:`), else its last line.
 */
export function commandMessage(text: string): string {
    const lines = text
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== "");
    const said = lines.filter(
        (line, index) =>
            line.startsWith("error:") || (/^\d+\) /.test(line) && lines.slice(0, index).some((earlier) => earlier.startsWith("error:"))),
    );
    const errors = [...new Set(said.map((line) => line.replace(/^error:/, "").trim()))];
    return redactSecrets(errors.length > 0 ? errors.join("; ") : (lines.at(-1) ?? "the Pulumi CLI failed without a message"));
}

/** What a rotation's preview and update share: the same targets, the engine's events and output, cancellation. */
function targetedOptions(operation: TargetedOperation, recorder: EngineRecorder) {
    return {
        target: [...operation.targets],
        targetDependents: true,
        onEvent: recorder.onEvent,
        onOutput: operation.output.stdout,
        onError: operation.output.stderr,
        signal: operation.signal,
        color: "never" as const,
        suppressOutputs: true,
        suppressProgress: true,
    };
}

/** The engine's failures as `URN: message`, else what the command said. */
function failureMessage(record: EngineRecord, error: CommandError): string {
    if (record.failures.length > 0) {
        return record.failures.map((failure) => (failure.urn ? `${failure.urn}: ${failure.message}` : failure.message)).join("; ");
    }
    return commandMessage(error.message);
}

/** Turns an SDK error about `stack` into the seam's errors. */
function translate(error: unknown, stack: string, record: EngineRecord = { steps: [], failures: [] }): Error {
    if (error instanceof ConcurrentUpdateError) {
        const holders = parseLockHolders(error.message);
        const heldBy = holders.length > 0 ? ` Held by ${describeLockHolders(holders)}.` : "";
        return new StackLockedError(stack, `${commandMessage(error.message)}${heldBy}`, holders);
    }
    if (error instanceof StackNotFoundError) {
        return new StackMissingError(stack);
    }
    if (error instanceof CommandError) {
        return new EngineOperationError(`pulumi failed on stack "${stack}": ${failureMessage(record, error)}`, record);
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

/**
 * `PulumiCommand.run`: the SDK's own command runner (non-interactive, the CLI's directory first on
 * PATH, SIGINT on abort, failures as the SDK's error classes). It is public in the SDK's code but
 * marked internal in its typings, hence this narrow view; the one command outside the workspace
 * classes runs through it, so no error text of the CLI is matched here.
 */
interface CommandRunner {
    run(
        args: string[],
        cwd: string,
        env: Record<string, string>,
        onOutput: undefined,
        onError: undefined,
        signal?: AbortSignal,
    ): Promise<{ readonly stdout: string }>;
}

/** The SDK's outputs with every secret's value dropped. */
function masked(outputs: OutputMap): MaskedOutputs {
    return Object.fromEntries(
        Object.entries(outputs).map(([name, output]) => [name, output.secret ? { secret: true } : { secret: false, value: output.value }]),
    );
}

/** Masked outputs in the SDK's shape; a secret's value stays unread (undefined). */
function asOutputMap(outputs: MaskedOutputs): OutputMap {
    return Object.fromEntries(
        Object.entries(outputs).map(([name, output]) => [name, output.secret ? { value: undefined, secret: true } : output]),
    );
}

/**
 * `workspace` as a `Stack` sees it, with two of its `Workspace` methods answered here:
 * - `selectStack` does nothing: the Stack passes `--stack NAME` to every command, so selecting
 *   would only change the user's current stack. Whether the stack exists is proven by reading its
 *   outputs first.
 * - `stackOutputs` (which `Stack.up()` calls after the update) is the masked read: the SDK's own
 *   runs `stack output` twice, once with `--show-secrets`.
 */
function rotationView(workspace: LocalWorkspace, readMasked: (stack: string) => Promise<MaskedOutputs>): LocalWorkspace {
    return Object.create(workspace, {
        selectStack: { value: async () => undefined },
        stackOutputs: { value: async (stack: string) => asOutputMap(await readMasked(stack)) },
    }) as LocalWorkspace;
}

/** A backend running the Pulumi CLI in `options.workDir`. */
export function createAutomationBackend(options: AutomationBackendOptions): StackBackend {
    const { workDir, pulumiRoot } = options;
    const engineEnv = { ...BASE_ENV, ...compileCacheEnv(options.nodeCompileCache, process.env) };
    let command: Promise<PulumiCommand> | undefined;

    /** The CLI, found and its version checked by the Automation API, once per run (`pulumi version`). */
    const pulumi = (): Promise<PulumiCommand> =>
        (command ??= PulumiCommand.get(pulumiRoot !== undefined ? { root: pulumiRoot } : {}).catch((error: unknown) => {
            const where = pulumiRoot !== undefined ? path.resolve(pulumiRoot, "bin", "pulumi") : "pulumi on PATH";
            throw new Error(
                `could not run the Pulumi CLI (${where}): ${commandMessage(error instanceof Error ? error.message : String(error))}; ` +
                    `install it, or pass --pulumi-root`,
            );
        }));

    /** A workspace of the project with `env` added for the commands it runs. */
    async function workspace(env: Readonly<Record<string, string>> = {}): Promise<LocalWorkspace> {
        return LocalWorkspace.create({ workDir, pulumiCommand: await pulumi(), envVars: { ...engineEnv, ...env } });
    }

    /** A read-only `pulumi stack ...` command of stack `name`, outside the workspace classes (see the module comment). */
    async function readStack(args: readonly string[], name: string, what: string, signal?: AbortSignal): Promise<string> {
        try {
            const runner = (await pulumi()) as unknown as CommandRunner;
            const result = await runner.run(["stack", ...args, "--stack", name], workDir, { ...BASE_ENV }, undefined, undefined, signal);
            return result.stdout;
        } catch (error) {
            if (error instanceof StackNotFoundError) {
                throw new StackMissingError(name);
            }
            if (error instanceof CommandError) {
                throw new Error(`could not read the ${what} of stack "${name}": ${commandMessage(error.message)}`);
            }
            throw error;
        }
    }

    async function readOutputs(name: string, signal?: AbortSignal): Promise<MaskedOutputs> {
        return parseMaskedOutputs(await readStack(["output", "--json"], name, "outputs", signal));
    }

    async function stackOf(name: string, env: Readonly<Record<string, string>>): Promise<Stack> {
        // The read after an update is not cancellable: the update is done, and its outputs say how.
        return Stack.select(
            name,
            rotationView(await workspace(env), (stack) => readOutputs(stack)),
        );
    }

    return {
        async listStacks() {
            const stacks = await (await workspace()).listStacks();
            return stacks.map((stack) => stack.name);
        },

        readOutputs,

        // `stack export` without --show-secrets: the token stays ciphertext, nothing is decrypted.
        async readTokenRecords(name, signal) {
            return tokenRecordsFromState(await readStack(["export"], name, "state", signal), name);
        },

        async preview(name, operation: TargetedOperation) {
            operation.signal.throwIfAborted();
            const recorder = new EngineRecorder();
            try {
                const stack = await stackOf(name, operation.env);
                await stack.preview({ ...targetedOptions(operation, recorder), diff: true });
                return recorder.record();
            } catch (error) {
                throw translate(error, name, recorder.record());
            }
        },

        async up(name, operation: TargetedOperation) {
            operation.signal.throwIfAborted();
            const recorder = new EngineRecorder();
            try {
                const stack = await stackOf(name, operation.env);
                // Stack.up() re-reads the outputs afterwards through the view's masked read.
                const result = await stack.up({ ...targetedOptions(operation, recorder), message: UPDATE_MESSAGE });
                return { record: recorder.record(), outputs: masked(result.outputs) };
            } catch (error) {
                throw translate(error, name, recorder.record());
            }
        },

        async releaseLock(name) {
            try {
                await (await stackOf(name, {})).cancel();
            } catch (error) {
                throw translate(error, name);
            }
        },
    };
}
