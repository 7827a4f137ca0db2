/**
 * In-memory stand-ins for the rotation program's seams: a backend whose `up` behaves like the
 * stack program (renews a due or forced token with the other key), a controllable clock, a
 * recording key regenerator and a logger writing to strings.
 */
import type { AzureCloudSettings } from "../../components/token/cloud";
import type { GatewayKeyType } from "../../components/token/arm";
import { Clock } from "../../rotation/clock";
import { Logger, createLogger } from "../../rotation/logger";
import { KeyRegenerator, RotationPlan } from "../../rotation/orchestrator";
import {
    ChangeSummary,
    MaskedOutput,
    MaskedOutputs,
    StackBackend,
    StackHandle,
    StackLockedError,
    StackMissingError,
    TargetedOperation,
} from "../../rotation/stackBackend";
import { RENEWAL_TRIGGER_ENV } from "../../rotation/stackContract";
import { HolderEvidence, LockHolder, ProcessNamespace, ProcessProbe } from "../../rotation/staleLock";

export const DAY = 24 * 60 * 60 * 1000;
export const NOW = new Date("2025-06-15T12:00:00.000Z");
/** A value that must never appear in any output of the rotation program. */
export const PLANTED_TOKEN = "GatewayKey gw1&202507151200&c2VjcmV0LXNpZ25hdHVyZQ==";
export const PLANTED_RAW = "gw1&202507151200&c2VjcmV0LXNpZ25hdHVyZQ==";
export const GATEWAY_ID =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apim1/gateways/gw1";
export const TARGETS = [
    "urn:pulumi:dev::apim-gateway::apim-gateway:GatewayToken::gateway-token",
    "urn:pulumi:dev::apim-gateway::kubernetes:core/v1:Secret::gateway-token",
    "urn:pulumi:dev::apim-gateway::kubernetes:apps/v1:Deployment::gateway",
];

const plain = (value: unknown): MaskedOutput => ({ secret: false, value });

/** Outputs of a token stack whose token expires `expiresInDays` after {@link NOW}, renewable 10 days earlier. */
export function tokenOutputs(expiresInDays: number, keyType: GatewayKeyType = "primary", extra: Record<string, MaskedOutput> = {}) {
    const expiresAt = new Date(NOW.getTime() + expiresInDays * DAY);
    return {
        authType: plain("token"),
        gatewayResourceId: plain(GATEWAY_ID),
        namespace: plain("apim-gateway"),
        tokenExpiresAt: plain(expiresAt.toISOString()),
        tokenRenewAfter: plain(new Date(expiresAt.getTime() - 10 * DAY).toISOString()),
        tokenIssuedAt: plain(new Date(expiresAt.getTime() - 30 * DAY).toISOString()),
        tokenKeyType: plain(keyType),
        rotationTargets: plain(TARGETS),
        ...extra,
    };
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
    /** `up` throws this (after any lock failures). */
    upError?: Error;
    /** `up` succeeds without changing the outputs (a program that ignores the trigger). */
    upKeepsToken?: boolean;
    /** Engine output `up` and `preview` print. */
    engineLines?: string[];
    /** Called inside `up`, e.g. to cancel the run mid-update. */
    duringUp?: (operation: TargetedOperation) => Promise<void>;
    /** Reading outputs throws this. */
    outputsError?: Error;
}

export interface BackendCall {
    op: "list" | "select" | "outputs" | "up" | "preview" | "release";
    stack?: string;
    targets?: readonly string[];
    env?: Readonly<Record<string, string>>;
}

export class FakeBackend implements StackBackend {
    readonly calls: BackendCall[] = [];
    listError?: Error;

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

    async selectStack(name: string): Promise<StackHandle> {
        this.calls.push({ op: "select", stack: name });
        const spec = this.stacks[name];
        if (spec === undefined) {
            throw new StackMissingError(name);
        }
        return {
            name,
            outputs: async () => {
                this.calls.push({ op: "outputs", stack: name });
                if (spec.outputsError) {
                    throw spec.outputsError;
                }
                return { ...spec.outputs } as MaskedOutputs;
            },
            up: async (operation) => {
                this.calls.push({ op: "up", stack: name, targets: operation.targets, env: operation.env });
                this.lockCheck(name, spec);
                this.print(spec, operation);
                if (spec.duringUp) {
                    await spec.duringUp(operation);
                }
                operation.signal.throwIfAborted();
                if (spec.upError) {
                    throw spec.upError;
                }
                if (!spec.upKeepsToken && this.renews(spec, operation)) {
                    const current = spec.outputs.tokenKeyType as { value: GatewayKeyType };
                    const expiresAt = new Date(this.clock.now().getTime() + 30 * DAY);
                    spec.outputs = {
                        ...spec.outputs,
                        tokenExpiresAt: plain(expiresAt.toISOString()),
                        tokenRenewAfter: plain(new Date(expiresAt.getTime() - 10 * DAY).toISOString()),
                        tokenIssuedAt: plain(this.clock.now().toISOString()),
                        tokenKeyType: plain(current.value === "primary" ? "secondary" : "primary"),
                    };
                }
            },
            preview: async (operation): Promise<ChangeSummary> => {
                this.calls.push({ op: "preview", stack: name, targets: operation.targets, env: operation.env });
                this.lockCheck(name, spec);
                this.print(spec, operation);
                return this.renews(spec, operation) ? { replace: 1, update: 2, same: 5 } : { same: 8 };
            },
            releaseLock: async () => {
                this.calls.push({ op: "release", stack: name });
                spec.locked = 0;
            },
        };
    }

    private lockCheck(name: string, spec: FakeStackSpec): void {
        if ((spec.locked ?? 0) > 0) {
            spec.locked = (spec.locked ?? 0) - 1;
            throw new StackLockedError(name, "the stack is currently locked by 1 lock(s)", spec.lockHolders);
        }
    }

    private print(spec: FakeStackSpec, operation: TargetedOperation): void {
        for (const line of spec.engineLines ?? []) {
            operation.output.stdout(`${line}\n`);
        }
    }

    /** What the stack program does: renew when forced, due or expired. */
    private renews(spec: FakeStackSpec, operation: TargetedOperation): boolean {
        const renewAfter = (spec.outputs.tokenRenewAfter as { value: string }).value;
        return operation.env[RENEWAL_TRIGGER_ENV] !== undefined || this.clock.now().getTime() >= Date.parse(renewAfter);
    }
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
                ? { marker: { stack: "dev", pid: holder.pid, startTime: "100", host: HOST, bootId: HERE.bootId as string, pidNamespace: HERE.pidNamespace as string, recordedAt: "2025-06-15T11:58:01Z" } }
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
    cloud?: AzureCloudSettings;
}

/** A key regenerator recording its calls; `failWith` makes it throw. */
export function recordingRegenerator(failWith?: Error): KeyRegenerator & { calls: RegenerationCall[] } {
    const calls: RegenerationCall[] = [];
    const regenerate = async (gatewayResourceId: string, keyType: GatewayKeyType, cloud?: AzureCloudSettings) => {
        calls.push({ gatewayResourceId, keyType, ...(cloud ? { cloud } : {}) });
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

export function plan(overrides: Partial<RotationPlan> = {}): RotationPlan {
    return {
        mode: "rotate",
        stacks: { all: true },
        force: false,
        regenerateUnusedKey: false,
        lockRetry: { retries: 3, initialDelayMs: 1000, maxDelayMs: 60_000 },
        releaseStaleLocks: false,
        ...overrides,
    };
}
