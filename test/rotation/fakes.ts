/**
 * In-memory stand-ins for the rotation program's seams: a backend whose `up` behaves like the
 * stack program (renews a due or forced token with the other key), a controllable clock, a
 * recording key regenerator and a logger writing to strings.
 */
import { RENEWAL_TRIGGER_ENV, ROTATION_OUTPUT, RotationTargets, RotationUnitOutput } from "../../components/contract/rotationContract";
import type { AzureCloudSettings } from "../../components/token/cloud";
import type { GatewayKeyType } from "../../components/token/keyType";
import { AzureEndpoints } from "../../rotation/azure/endpoints";
import { Clock } from "../../rotation/run/clock";
import type { TokenValidity } from "../../rotation/policy/tokenRules";
import { EngineRecord, ResourceStep } from "../../rotation/model/engineRecord";
import { Logger, createLogger } from "../../rotation/report/logger";
import { KeyRegenerator, RotationPlan } from "../../rotation/run/orchestrator";
import { StackBackend, StackLockedError, StackMissingError, TargetedOperation } from "../../rotation/pulumi/stackBackend";
import type { MaskedOutput, MaskedOutputs } from "../../rotation/model/maskedOutputs";
import type { TokenRecord } from "../../rotation/model/tokenRecord";
import type { HostHold, HostMutexRefusal } from "../../rotation/policy/staleLock";
import { HolderEvidence, LockHolder, ProcessNamespace, ProcessProbe } from "../../rotation/policy/staleLock";
import { TokenVerifier } from "../../rotation/evidence/tokenValidity";

export const DAY = 24 * 60 * 60 * 1000;
export const NOW = new Date("2025-06-15T12:00:00.000Z");
/** A value that must never appear in any output of the rotation program. */
export const PLANTED_TOKEN = "GatewayKey gw1&202507151200&c2VjcmV0LXNpZ25hdHVyZQ==";
export const PLANTED_RAW = "gw1&202507151200&c2VjcmV0LXNpZ25hdHVyZQ==";
export const GATEWAY_ID =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apim1/gateways/gw1";

/** The rotation targets of gateway `key` of a stack. */
export function targetsOf(key = "gateway", stack = "dev"): RotationTargets {
    return {
        token: `urn:pulumi:${stack}::apim-gateway::apim-gateway:index:SelfHostedGateway$apim-gateway:index:GatewayToken::${key}-token`,
        secret: `urn:pulumi:${stack}::apim-gateway::apim-gateway:index:SelfHostedGateway$kubernetes:core/v1:Secret::${key}-token-secret`,
        deployment: `urn:pulumi:${stack}::apim-gateway::apim-gateway:index:SelfHostedGateway$kubernetes:apps/v1:Deployment::${key}`,
    };
}
export const TARGETS = targetsOf();

export const plain = (value: unknown): MaskedOutput => ({ secret: false, value });

/** One token unit whose token expires `expiresInDays` after {@link NOW}, renewable 10 days earlier. */
export function tokenUnit(
    expiresInDays: number,
    keyType: GatewayKeyType = "primary",
    overrides: Partial<RotationUnitOutput> & { key?: string } = {},
): RotationUnitOutput {
    const { key = "gateway", ...rest } = overrides;
    const expiresAt = new Date(NOW.getTime() + expiresInDays * DAY);
    return {
        gatewayResourceId: GATEWAY_ID,
        authType: "token",
        tokenExpiresAt: expiresAt.toISOString(),
        tokenRenewAfter: new Date(expiresAt.getTime() - 10 * DAY).toISOString(),
        tokenIssuedAt: new Date(expiresAt.getTime() - 30 * DAY).toISOString(),
        tokenKeyType: keyType,
        tokenChecksum: "0".repeat(64),
        rotationTargets: targetsOf(key),
        ...rest,
    };
}

/** Stack outputs with the contract output holding `units`, and a secret token output. */
export function contractOutputs(
    units: Record<string, RotationUnitOutput>,
    extra: Record<string, MaskedOutput> = {},
): Record<string, MaskedOutput> {
    return { [ROTATION_OUTPUT]: plain(units), namespace: plain("apim-gateway"), token: { secret: true }, ...extra };
}

/** Outputs of a one-gateway token stack (gateway key `gateway`). */
export function tokenOutputs(expiresInDays: number, keyType: GatewayKeyType = "primary", overrides: Partial<RotationUnitOutput> = {}) {
    return contractOutputs({ gateway: tokenUnit(expiresInDays, keyType, overrides) });
}

export class FakeClock implements Clock {
    readonly sleeps: number[] = [];
    constructor(public current: Date = NOW) {}
    now(): Date {
        return new Date(this.current.getTime());
    }
    async sleep(ms: number, signal: AbortSignal): Promise<void> {
        signal.throwIfAborted();
        this.sleeps.push(ms);
        this.current = new Date(this.current.getTime() + ms);
    }
}

/** How one fake stack behaves. */
export interface FakeStackSpec {
    outputs: Record<string, MaskedOutput>;
    /** `up`/`preview` throw StackLockedError this many times first, or until the lock is released. */
    locked?: number;
    /** Who holds that lock, as the backend reports it. */
    lockHolders?: LockHolder[];
    /** Who the backend reports from the second lock failure on (another process's lock replaced the first). */
    lockHoldersLater?: LockHolder[];
    /** `up` throws this (after any lock failures). */
    upError?: Error;
    /** `up` throws these first, one per call (after any lock failures). */
    upErrors?: Error[];
    /** `up` succeeds without changing the outputs (a program that ignores the trigger). */
    upKeepsToken?: boolean;
    /** Engine output `up` and `preview` print. */
    engineLines?: string[];
    /** Engine error output `up` and `preview` print. */
    engineErrors?: string[];
    /** Called inside `up`, e.g. to cancel the run mid-update. */
    duringUp?: (operation: TargetedOperation) => Promise<void>;
    /** Reading outputs throws this. */
    outputsError?: Error;
    /** Steps beyond the rotation's that a preview and an update of this stack show (pending changes). */
    extraSteps?: ResourceStep[];
    /**
     * The token records of the stack's state (GatewayToken URN to the gateway its state names);
     * default: each token unit's own, as its outputs say. Set it to make the outputs lie.
     */
    tokenState?: Record<string, string>;
    /** Reading the state throws this. */
    tokenStateError?: Error;
    /** An update leaves the token's state naming this gateway (a program that moved the token). */
    upMovesTokenTo?: string;
    /** After an update, reading the state throws this. */
    upBreaksState?: Error;
}

export interface BackendCall {
    op: "list" | "outputs" | "state" | "up" | "preview" | "release";
    stack?: string;
    targets?: readonly string[];
    env?: Readonly<Record<string, string>>;
}

type Units = Record<string, RotationUnitOutput>;

/** The steps of renewing the unit whose targets these are, as the engine reports them. */
export function rotationSteps(targets: RotationTargets): ResourceStep[] {
    return [
        { urn: targets.token, op: "update", paths: [] },
        { urn: targets.secret, op: "create-replacement", paths: ["metadata.name", "stringData"] },
        { urn: targets.secret, op: "replace", paths: ["metadata.name", "stringData"] },
        {
            urn: targets.deployment,
            op: "update",
            paths: [
                'spec.template.metadata.annotations["apim-gateway.pulumi.com/token-checksum"]',
                "spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name",
            ],
        },
        { urn: targets.secret, op: "delete-replaced", paths: [] },
    ];
}

export class FakeBackend implements StackBackend {
    readonly calls: BackendCall[] = [];
    listError?: Error;
    /** Operations running at once, and the most seen. */
    inFlight = 0;
    maxInFlight = 0;
    /** Lock failures thrown so far (the first reports `lockHolders`, later ones `lockHoldersLater`). */
    private lockFailures = 0;

    constructor(
        readonly stacks: Record<string, FakeStackSpec>,
        private readonly clock: FakeClock,
    ) {}

    callsOf(op: BackendCall["op"], stack?: string): BackendCall[] {
        return this.calls.filter((call) => call.op === op && (stack === undefined || call.stack === stack));
    }

    async listStacks(): Promise<string[]> {
        this.calls.push({ op: "list" });
        if (this.listError) {
            throw this.listError;
        }
        return Object.keys(this.stacks);
    }

    private spec(name: string): FakeStackSpec {
        const spec = this.stacks[name];
        if (spec === undefined) {
            throw new StackMissingError(name);
        }
        return spec;
    }

    async readOutputs(name: string): Promise<MaskedOutputs> {
        this.calls.push({ op: "outputs", stack: name });
        const spec = this.spec(name);
        return this.tracked(async () => {
            if (spec.outputsError) {
                throw spec.outputsError;
            }
            return { ...spec.outputs } as MaskedOutputs;
        });
    }

    async readTokenRecords(name: string): Promise<readonly TokenRecord[]> {
        this.calls.push({ op: "state", stack: name });
        const spec = this.spec(name);
        return this.tracked(async () => {
            if (spec.tokenStateError) {
                throw spec.tokenStateError;
            }
            const state =
                spec.tokenState ??
                Object.fromEntries(
                    Object.values(this.units(spec))
                        .filter((unit) => unit.rotationTargets !== undefined)
                        .map((unit) => [unit.rotationTargets!.token, unit.gatewayResourceId]),
                );
            return Object.entries(state).map(([urn, gatewayResourceId]) => ({ urn, gatewayResourceId }));
        });
    }

    async preview(name: string, operation: TargetedOperation): Promise<EngineRecord> {
        this.calls.push({ op: "preview", stack: name, targets: operation.targets, env: operation.env });
        const spec = this.spec(name);
        return this.tracked(async () => {
            this.lockCheck(name, spec);
            this.print(spec, operation);
            return {
                steps: [
                    ...this.renewing(spec, operation).flatMap(([, units]) => rotationSteps(units.rotationTargets!)),
                    ...(spec.extraSteps ?? []),
                ],
                failures: [],
            };
        });
    }

    async up(name: string, operation: TargetedOperation): Promise<{ record: EngineRecord; outputs: MaskedOutputs }> {
        this.calls.push({ op: "up", stack: name, targets: operation.targets, env: operation.env });
        const spec = this.spec(name);
        return this.tracked(async () => {
            this.lockCheck(name, spec);
            this.print(spec, operation);
            if (spec.duringUp) {
                await spec.duringUp(operation);
            }
            operation.signal.throwIfAborted();
            const queued = spec.upErrors?.shift();
            if (queued) {
                throw queued;
            }
            if (spec.upError) {
                throw spec.upError;
            }
            const renewing = spec.upKeepsToken ? [] : this.renewing(spec, operation);
            const units = { ...this.units(spec) };
            for (const [key, unit] of renewing) {
                const expiresAt = new Date(this.clock.now().getTime() + 30 * DAY);
                units[key] = {
                    ...unit,
                    tokenExpiresAt: expiresAt.toISOString(),
                    tokenRenewAfter: new Date(expiresAt.getTime() - 10 * DAY).toISOString(),
                    tokenIssuedAt: this.clock.now().toISOString(),
                    tokenKeyType: unit.tokenKeyType === "primary" ? "secondary" : "primary",
                };
            }
            spec.outputs = { ...spec.outputs, [ROTATION_OUTPUT]: plain(units) };
            if (spec.upBreaksState !== undefined) {
                spec.tokenStateError = spec.upBreaksState;
            }
            if (spec.upMovesTokenTo !== undefined) {
                const moved = spec.upMovesTokenTo;
                spec.tokenState = Object.fromEntries(renewing.map(([, unit]) => [unit.rotationTargets!.token, moved]));
            }
            const steps = [...renewing.flatMap(([, unit]) => rotationSteps(unit.rotationTargets!)), ...(spec.extraSteps ?? [])];
            return { record: { steps, failures: [] }, outputs: { ...spec.outputs } as MaskedOutputs };
        });
    }

    async releaseLock(name: string): Promise<void> {
        this.calls.push({ op: "release", stack: name });
        this.spec(name).locked = 0;
    }

    private async tracked<T>(operation: () => Promise<T>): Promise<T> {
        this.inFlight++;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        try {
            // Let other tasks start, as a real command would.
            await new Promise((resolve) => setImmediate(resolve));
            return await operation();
        } finally {
            this.inFlight--;
        }
    }

    private units(spec: FakeStackSpec): Units {
        const output = spec.outputs[ROTATION_OUTPUT];
        return output && !output.secret ? (output.value as Units) : {};
    }

    private lockCheck(name: string, spec: FakeStackSpec): void {
        if ((spec.locked ?? 0) > 0) {
            spec.locked = (spec.locked ?? 0) - 1;
            const holders = this.lockFailures++ > 0 && spec.lockHoldersLater !== undefined ? spec.lockHoldersLater : spec.lockHolders;
            throw new StackLockedError(name, "the stack is currently locked by 1 lock(s)", holders);
        }
    }

    private print(spec: FakeStackSpec, operation: TargetedOperation): void {
        for (const line of spec.engineLines ?? []) {
            operation.output.stdout(`${line}\n`);
        }
        for (const line of spec.engineErrors ?? []) {
            operation.output.stderr(`${line}\n`);
        }
    }

    /** What the component does: renew the targeted units' tokens when forced, due or expired ({@link componentRenews}). */
    private renewing(spec: FakeStackSpec, operation: TargetedOperation): [string, RotationUnitOutput][] {
        return Object.entries(this.units(spec)).filter(
            ([, unit]) =>
                unit.rotationTargets !== undefined &&
                operation.targets.includes(unit.rotationTargets.token) &&
                componentRenews(this.clock.now(), unit, operation.env[RENEWAL_TRIGGER_ENV]),
        );
    }
}

/**
 * Whether the fake stack's component renews `unit`'s token in an update at `now`, with the stack
 * program passing `trigger` as `renewalTrigger`. The rule as docs/rotation.md states it, restated
 * here on purpose instead of calling the component's code (components/token/renewal.ts, tested on
 * its own in test/token): a bug there must not move this fake with it. A non-empty trigger forces
 * the renewal (the CLI sets a fresh one per run, so it is always new); otherwise the token is
 * renewed from its recorded renewal instant on, which an expired token has passed too.
 */
export function componentRenews(now: Date, unit: RotationUnitOutput, trigger: string | undefined): boolean {
    if (unit.tokenRenewAfter === undefined) {
        return false;
    }
    return (trigger !== undefined && trigger !== "") || now.getTime() >= Date.parse(unit.tokenRenewAfter);
}

/** A verifier answering `validity` for every token (default: valid), recording the units asked about and where. */
export function fakeVerifier(
    validity: (key: string, gatewayResourceId: string) => TokenValidity = () => ({ state: "valid" }),
): TokenVerifier & { asked: string[]; endpoints: AzureEndpoints[] } {
    const asked: string[] = [];
    const endpoints: AzureEndpoints[] = [];
    const verify: TokenVerifier = async (unit, azure) => {
        asked.push(unit.key);
        endpoints.push(azure);
        return validity(unit.key, unit.gatewayResourceId);
    };
    return Object.assign(verify, { asked, endpoints });
}

/** The host the fake lock holders run on. */
export const HOST = "runner-1";

/** {@link HOST}'s boot and PID namespace, as the fake probe sees them. */
export const HERE: ProcessNamespace = { hostname: HOST, bootId: "8a6d1c3e-boot", pidNamespace: "pid:[4026532201]" };

/**
 * A process probe for {@link HOST} on which only `running` pids exist (each started at tick 100),
 * and on which a rotation in this namespace recorded markers (started at tick 100) for `marked`.
 */
export class FakeProcesses implements ProcessProbe {
    readonly here = HERE;
    /** Stacks whose host mutex another process holds. */
    readonly heldElsewhere = new Set<string>();
    /** Each hold and release of a stack's host mutex, in order. */
    readonly holds: string[] = [];
    /** Stacks whose updates were tracked, in order; and each stop. */
    readonly tracking: string[] = [];
    readonly forgotten: number[] = [];
    constructor(
        private readonly running: number[] = [],
        private readonly marked: number[] = [],
    ) {}
    evidence(holders: readonly LockHolder[]): HolderEvidence[] {
        return holders.map((holder) => ({
            holder,
            now: this.running.includes(holder.pid) ? { running: true, startTime: "100" } : { running: false },
            ...(this.marked.includes(holder.pid)
                ? {
                      marker: {
                          stack: "dev",
                          pid: holder.pid,
                          startTime: "100",
                          host: HOST,
                          bootId: HERE.bootId as string,
                          pidNamespace: HERE.pidNamespace as string,
                          recordedAt: "2025-06-15T11:58:01Z",
                      },
                  }
                : {}),
        }));
    }
    trackUpdate(stack: string): { stop(): void } {
        this.tracking.push(`start ${stack}`);
        return { stop: () => this.tracking.push(`stop ${stack}`) };
    }
    forget(holders: readonly LockHolder[]): void {
        this.forgotten.push(...holders.map((holder) => holder.pid));
    }
    async holdStack(stack: string): Promise<HostHold | HostMutexRefusal> {
        if (this.heldElsewhere.has(stack)) {
            return "held";
        }
        this.holds.push(`hold ${stack}`);
        return { release: async () => void this.holds.push(`free ${stack}`) };
    }
}

export function fakeProcesses(running: number[] = [], marked: number[] = []): FakeProcesses {
    return new FakeProcesses(running, marked);
}

/** A lock holder as the DIY backends report it. */
export function lockHolder(pid: number, host = HOST): LockHolder {
    return {
        lock: `file:///state/.pulumi/locks/organization/apim-gateway/dev/${pid}.json`,
        user: "runner",
        host,
        pid,
        createdAt: "2025-06-15T11:58:00Z",
    };
}

export interface RegenerationCall {
    gatewayResourceId: string;
    keyType: GatewayKeyType;
    /** Absent at the public cloud. */
    cloud?: AzureCloudSettings;
}

/** A key regenerator recording its calls (`cloud` only when not the public cloud); `failWith` makes it throw. */
export function recordingRegenerator(failWith?: Error): KeyRegenerator & { calls: RegenerationCall[] } {
    const calls: RegenerationCall[] = [];
    const regenerate = async (gatewayResourceId: string, keyType: GatewayKeyType, cloud: AzureCloudSettings) => {
        // Calls at the public cloud (the default) are recorded without it, so most tests need not spell it out.
        const atPublicCloud =
            cloud.resourceManagerEndpoint === PUBLIC_CLOUD.resourceManagerEndpoint && cloud.authorityHost === PUBLIC_CLOUD.authorityHost;
        calls.push({ gatewayResourceId, keyType, ...(atPublicCloud ? {} : { cloud }) });
        if (failWith) {
            throw failWith;
        }
    };
    return Object.assign(regenerate, { calls });
}

/** A sink collecting everything written. */
export class StringSink {
    text = "";
    write(chunk: string): boolean {
        this.text += chunk;
        return true;
    }
}

export function memoryLogger(): { log: Logger; progress: StringSink; problems: StringSink } {
    const progress = new StringSink();
    const problems = new StringSink();
    return { log: createLogger(progress, problems), progress, problems };
}

/** The public cloud's endpoints: what the CLI uses without Azure flags. */
export const PUBLIC_CLOUD: AzureEndpoints = {
    resourceManagerEndpoint: "https://management.azure.com",
    authorityHost: "https://login.microsoftonline.com",
};

export function plan(overrides: Partial<RotationPlan> = {}): RotationPlan {
    return {
        mode: "rotate",
        stacks: { all: true },
        force: false,
        regenerateUnusedKey: false,
        includePendingChanges: false,
        concurrency: 1,
        lockRetry: { retries: 3, initialDelayMs: 1000, maxDelayMs: 60_000 },
        releaseStaleLocks: false,
        azure: PUBLIC_CLOUD,
        ...overrides,
    };
}

/**
 * What .NET's `TrimStart()` removes from the start of a line: every character `char.IsWhiteSpace`
 * holds, written out from the .NET reference page of `Char.IsWhiteSpace` (SpaceSeparator,
 * LineSeparator, ParagraphSeparator, U+0009 to U+000D, U+0085), apart from the product's own table.
 */
const DOTNET_LEADING_WHITE_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*/;
/** A line a GitHub Actions runner would execute: `::` after `TrimStart()` (actions/runner `ActionCommand.TryParseV2`). */
const githubCommand = (line: string) => line.replace(DOTNET_LEADING_WHITE_SPACE, "").startsWith("::");
/** A line an Azure Pipelines agent would execute or format (or GitHub's `TryParse` read): `##vso[` or `##[` anywhere. */
const azureCommand = (line: string) => /##(vso)?\[/i.test(line);

/** Whether any line of `text`, split as both runners split (.NET `StreamReader.ReadLine`: `\r\n`, `\r`, `\n`), is a command. */
export function holdsCiCommand(text: string): boolean {
    return text.split(/\r\n|\r|\n/).some((line) => githubCommand(line) || azureCommand(line));
}
