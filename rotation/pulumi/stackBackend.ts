/**
 * The narrow seam between the rotation and Pulumi: everything the runner needs from a backend,
 * and nothing more. The Automation API backend implements it; tests
 * implement it in memory.
 */
import type { EngineOutput, EngineRecord } from "../model/engineRecord";
import type { MaskedOutputs } from "../model/maskedOutputs";
import type { LockHolder } from "../policy/staleLock";
import type { TokenRecord } from "../model/tokenRecord";

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

/** The project's stacks in the ambient backend. */
export interface StackBackend {
    /** Names of every stack of the project. */
    listStacks(signal: AbortSignal): Promise<string[]>;
    /** The stack's outputs, secrets masked. Throws {@link StackMissingError}; never creates a stack. */
    readOutputs(stack: string, signal: AbortSignal): Promise<MaskedOutputs>;
    /**
     * The GatewayToken resources of the stack's state, as the token's own record (what ARM issued
     * each token for), secrets left encrypted. Throws {@link StackMissingError}; never creates a stack.
     */
    readTokenRecords(stack: string, signal: AbortSignal): Promise<readonly TokenRecord[]>;
    /** A targeted preview with detailed diffs; changes nothing. Throws {@link StackLockedError} when locked. */
    preview(stack: string, operation: TargetedOperation): Promise<EngineRecord>;
    /**
     * A targeted update. Resolves to what the engine did and the outputs after it; throws
     * {@link StackLockedError}, or {@link EngineOperationError} with what the engine reported.
     */
    up(stack: string, operation: TargetedOperation): Promise<{ readonly record: EngineRecord; readonly outputs: MaskedOutputs }>;
    /**
     * `pulumi cancel`: deletes every lock on the stack. Only for a lock proven stale: it would
     * also release the lock of an update that is still running.
     */
    releaseLock(stack: string): Promise<void>;
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

/** A preview or update failed; `record` holds the engine's account (failing URNs and messages). */
export class EngineOperationError extends Error {
    constructor(
        message: string,
        readonly record: EngineRecord,
    ) {
        super(message);
        this.name = "EngineOperationError";
    }
}
