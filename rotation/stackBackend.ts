/**
 * The narrow seam between the rotation orchestration and Pulumi: everything the orchestrator needs
 * from a backend, and nothing more. `automationBackend.ts` implements it with the Automation API;
 * tests implement it in memory.
 */
import type { LockHolder } from "./staleLock";

/**
 * One stack output as read with secrets masked. A secret's value is never handed out, so no code
 * above the seam can print it by accident.
 */
export type MaskedOutput = { readonly secret: false; readonly value: unknown } | { readonly secret: true };

/** A stack's outputs by name, secrets masked. */
export type MaskedOutputs = Readonly<Record<string, MaskedOutput>>;

/** Where the engine's console output goes while an update or preview runs. */
export interface EngineOutput {
    /** A chunk of the engine's stdout (not necessarily whole lines). */
    stdout(chunk: string): void;
    /** A chunk of the engine's stderr (not necessarily whole lines). */
    stderr(chunk: string): void;
}

/** A targeted update or preview of one stack. */
export interface TargetedOperation {
    /** URNs to operate on; their dependents are included too. */
    readonly targets: readonly string[];
    /** Extra environment variables for this run of the stack's program. */
    readonly env: Readonly<Record<string, string>>;
    /** Receives the engine's console output as it is produced. */
    readonly output: EngineOutput;
    /** Aborting it cancels the running operation (the engine gets SIGINT and stops cleanly). */
    readonly signal: AbortSignal;
}

/** What a preview would change, by operation (`same`, `update`, `replace`, ...). */
export type ChangeSummary = Readonly<Record<string, number>>;

/** A stack that exists in the backend. */
export interface StackHandle {
    readonly name: string;
    /** The outputs of the last update, secrets masked. */
    outputs(signal: AbortSignal): Promise<MaskedOutputs>;
    /** A targeted `pulumi up`. Throws {@link StackLockedError} when another update holds the stack. */
    up(operation: TargetedOperation): Promise<void>;
    /** A targeted `pulumi preview`; changes nothing. Throws {@link StackLockedError} like {@link up}. */
    preview(operation: TargetedOperation): Promise<ChangeSummary>;
    /**
     * `pulumi cancel`: deletes every lock on the stack. Only for a lock proven stale: it would
     * also release the lock of an update that is still running.
     */
    releaseLock(): Promise<void>;
}

/** The project's stacks in the ambient backend. */
export interface StackBackend {
    /** Names of every stack of the project. */
    listStacks(): Promise<string[]>;
    /** Selects an existing stack; never creates one. Throws {@link StackMissingError} when there is none. */
    selectStack(name: string): Promise<StackHandle>;
}

/** The stack does not exist in the backend (a typo, or the wrong backend is logged in). */
export class StackMissingError extends Error {
    constructor(readonly stackName: string) {
        super(
            `stack "${stackName}" was not found in the backend: check the name (\`pulumi stack ls\`) ` +
                `and that the right backend is logged in (\`pulumi whoami -v\`)`,
        );
        this.name = "StackMissingError";
    }
}

/** Another update holds the stack's lock (Pulumi's `ConcurrentUpdateError`). */
export class StackLockedError extends Error {
    constructor(
        readonly stackName: string,
        detail: string,
        /** Who holds the lock, when the backend says (the DIY backends do; Pulumi Cloud does not). */
        readonly holders: readonly LockHolder[] = [],
    ) {
        super(`stack "${stackName}" is locked by another update: ${detail}`);
        this.name = "StackLockedError";
    }
}
