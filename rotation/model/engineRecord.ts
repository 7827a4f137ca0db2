/**
 * What the engine did in an update or preview, as the rotation keeps it: each resource step with
 * its property paths, each failure with its URN, the summary, and the engine's text output.
 * Only URNs, types, operations, property paths and diagnostic messages are kept, never the
 * states the engine's events carry. Pure: the URN helpers and the steps in words.
 */

/** One resource operation the engine planned or performed (never `same`). */
export interface ResourceStep {
    readonly urn: string;
    readonly op: string;
    /** Changed property paths: the provider's detailed diff, else its top-level diff keys. */
    readonly paths: readonly string[];
}

/** A resource (or the program, without URN) the engine reported an error for. */
export interface ResourceFailure {
    readonly urn?: string;
    readonly message: string;
}

/** The engine's text output of one operation, as it streams. */
export interface EngineOutput {
    /** A chunk of the engine's stdout (not necessarily whole lines). */
    stdout(chunk: string): void;
    /** A chunk of the engine's stderr (not necessarily whole lines). */
    stderr(chunk: string): void;
}

/** The engine's account of one operation. */
export interface EngineRecord {
    readonly steps: readonly ResourceStep[];
    readonly failures: readonly ResourceFailure[];
    /** Resource count by operation, from the summary event. */
    readonly summary?: Readonly<Record<string, number>>;
}

/**
 * A provider resource updated without a changed property: the engine refreshes a default
 * provider's record (seen after a stack's config file was rewritten) without changing any
 * resource. A provider update that changes a property is a real change.
 */
export function isNoOpProviderUpdate(step: ResourceStep): boolean {
    const type = step.urn.split("::").at(-2) ?? "";
    return type.startsWith("pulumi:providers:") && step.op === "update" && step.paths.length === 0;
}

/** `urn:pulumi:stack::project::a:b:Deployment$kubernetes:core/v1:Secret::name` → `Secret`. */
export function resourceKind(urn: string): string {
    const parts = urn.split("::");
    const type = parts.length >= 4 ? parts[parts.length - 2] : urn;
    const own = type.slice(type.lastIndexOf("$") + 1);
    return own.slice(own.lastIndexOf(":") + 1);
}

/** `urn:...::name` → `name`. */
export function resourceName(urn: string): string {
    return urn.slice(urn.lastIndexOf("::") + 2);
}

const VERBS: Readonly<Record<string, (kind: string) => string>> = {
    create: (kind) => `${kind} created`,
    update: (kind) => `${kind} updated`,
    delete: (kind) => `${kind} deleted`,
    replace: (kind) => `${kind} replaced`,
    "create-replacement": (kind) => `${kind} created`,
    "delete-replaced": (kind) => `old ${kind} deleted`,
};

/**
 * The steps in words, e.g. "GatewayToken updated, Secret created, old Secret deleted,
 * Deployment updated". A replacement's summary step (`replace`) is left out when its
 * create and delete steps say it already.
 */
export function describeSteps(steps: readonly ResourceStep[]): string[] {
    const replaced = new Set(steps.filter((step) => step.op === "create-replacement").map((step) => step.urn));
    return steps
        .filter((step) => !(step.op === "replace" && replaced.has(step.urn)) && !isNoOpProviderUpdate(step))
        .map((step) => (VERBS[step.op] ?? ((kind: string) => `${kind} ${step.op}`))(resourceKind(step.urn)));
}
