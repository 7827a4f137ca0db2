import * as pulumi from "@pulumi/pulumi";
import { GATEWAY_TOKEN_TYPE } from "../../components/token/typeToken";

/**
 * Pulumi unit-test mocks that record every resource. Use `installMocks()` in a `before`/`beforeEach`
 * of your own suite (mocha runs all test files in one process), construct resources, then
 * `await recorder.settled()` before asserting on `recorder.resources`.
 */

/** Marker key of a secret value as mocks receive it (`{ [SECRET_SIG]: SECRET_SIG_VALUE, value }`). */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";

/** Type token of the dynamic ChecksumKey resource. */
export const CHECKSUM_KEY_TYPE = "pulumi-nodejs:dynamic/apim-gateway:ChecksumKey";

/** The key the fake ChecksumKey returns (base64), so tests can compute the expected checksums. */
export const MOCK_CHECKSUM_KEY = Buffer.from("mock checksum key of 32 bytes!!!").toString("base64");

/** Fixed clock of the fake GatewayToken, so expiry outputs are deterministic. */
export const FAKE_TOKEN_ISSUED_AT = "2030-01-01T00:00:00.000Z";

const DAY_MS = 24 * 60 * 60 * 1000;

/** One resource registration as the mocks saw it. */
export interface RecordedResource {
    type: string;
    name: string;
    /** Full URN, including the parent chain (`Parent$Child`); filled in by `settled()`. */
    urn: string;
    id: string;
    custom: boolean;
    /** Provider reference (`<provider urn>::<id>`) when one applies. */
    provider?: string;
    /** Inputs with secrets unwrapped and the dynamic `__provider` blob removed. */
    inputs: Record<string, any>;
    /** Inputs as received: secrets are still `{ [SECRET_SIG]: …, value }` objects. */
    rawInputs: Record<string, any>;
}

/** What the fake GatewayToken returns. */
export interface FakeTokenInputs {
    gatewayResourceId: string;
    validityDays?: number;
    renewBeforeDays?: number;
    renewalTrigger?: string;
}

export interface MockOptions {
    project?: string;
    stack?: string;
    /**
     * The full `config.service.auth` value the fake GatewayToken returns. Default
     * `GatewayKey <gatewayId>&<expiry yyyyMMddHHmm>&<signature>` with `tokenSignature`.
     */
    tokenValue?: (inputs: FakeTokenInputs) => string;
    /** Signature part of the default fake token. Default `fake-signature`. */
    tokenSignature?: string;
    /** Extra computed outputs for a resource, merged over the inputs. */
    outputs?: (args: pulumi.runtime.MockResourceArgs) => Record<string, unknown> | undefined;
    /** Invoke results; by default every invoke fails the test. */
    call?: (args: pulumi.runtime.MockCallArgs) => Record<string, unknown>;
    /** Run as a preview (`pulumi preview`): invokes still run, unknown outputs stay unknown. Default `false`. */
    preview?: boolean;
    /** Milliseconds a resource's creation takes (default 0), to prove what waits for what. */
    creationDelayMs?: (args: pulumi.runtime.MockResourceArgs) => number;
}

/** The recorded resources and invokes of one `installMocks()`. */
export class ResourceRecorder {
    readonly resources: RecordedResource[] = [];
    readonly calls: pulumi.runtime.MockCallArgs[] = [];
    /** `type::name` of each resource, in the order their creation completed. */
    readonly completed: string[] = [];

    /** Waits until every pending registration has completed, then fills in URNs. */
    async settled(): Promise<void> {
        await waitForRpcs();
        const monitor = pulumi.runtime.getMonitor() as unknown as { getRegisteredResources?: () => Map<string, unknown> };
        if (typeof monitor?.getRegisteredResources !== "function") {
            throw new Error("pulumiMocks: the mock monitor is not installed; call installMocks() first");
        }
        const byKey = new Map<string, string>();
        for (const urn of monitor.getRegisteredResources().keys()) {
            const [, , qualifiedType, name] = urn.split("::");
            byKey.set(`${qualifiedType.split("$").pop()}::${name}`, urn);
        }
        for (const resource of this.resources) {
            resource.urn = byKey.get(`${resource.type}::${resource.name}`) ?? "";
        }
    }

    ofType(type: string): RecordedResource[] {
        return this.resources.filter((r) => r.type === type);
    }

    /** The single resource of a type (optionally with a given logical name); throws otherwise. */
    one(type: string, name?: string): RecordedResource {
        const matches = this.ofType(type).filter((r) => name === undefined || r.name === name);
        if (matches.length !== 1) {
            throw new Error(
                `expected exactly one ${type}${name ? ` named ${name}` : ""}, found ` +
                    `${matches.length}: ${this.resources.map((r) => `${r.type} ${r.name}`).join(", ")}`,
            );
        }
        return matches[0];
    }

    /** Kubernetes objects (custom resources of the `kubernetes` package), inputs unwrapped. */
    kubernetesObjects(): RecordedResource[] {
        return this.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
    }
}

/** Installs fresh mocks and returns their recorder. */
export async function installMocks(options: MockOptions = {}): Promise<ResourceRecorder> {
    const recorder = new ResourceRecorder();
    await pulumi.runtime.setMocks(
        {
            newResource(
                args: pulumi.runtime.MockResourceArgs,
            ): pulumi.runtime.MockResourceResult | Promise<pulumi.runtime.MockResourceResult> {
                const { __provider, ...rawInputs } = args.inputs as Record<string, unknown>;
                void __provider;
                const computed = computedOutputs(args.type, rawInputs, options) ?? {};
                const extra = options.outputs?.(args) ?? {};
                const id = (extra.id as string | undefined) ?? (computed.id as string | undefined) ?? `${args.name}-id`;
                recorder.resources.push({
                    type: args.type,
                    name: args.name,
                    urn: "",
                    id,
                    custom: args.custom ?? true,
                    provider: args.provider || undefined,
                    inputs: unwrapSecrets(rawInputs),
                    rawInputs,
                });
                const result = { id, state: { ...rawInputs, ...computed, ...extra } };
                const delayMs = options.creationDelayMs?.(args) ?? 0;
                const complete = () => {
                    recorder.completed.push(`${args.type}::${args.name}`);
                    return result;
                };
                return delayMs > 0 ? new Promise((resolve) => setTimeout(() => resolve(complete()), delayMs)) : complete();
            },
            call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
                recorder.calls.push(args);
                if (options.call) {
                    return options.call(args);
                }
                throw new Error(`pulumiMocks: unexpected invoke ${args.token}`);
            },
        },
        options.project ?? "project",
        options.stack ?? "stack",
        options.preview ?? false,
    );
    markAdditionalSecretOutputs();
    return recorder;
}

/** The parts of a RegisterResource request and response that the engine's secret marking uses. */
interface RegisterRequest {
    getAdditionalsecretoutputsList(): string[];
}
interface ResourceStruct {
    toJavaScript(): Record<string, unknown>;
}
interface RegisterResponse {
    getObject(): ResourceStruct | undefined;
    setObject(value: ResourceStruct): void;
}
type RegisterCallback = (error: unknown, response?: RegisterResponse) => void;

/**
 * Does what the engine does with a resource's `additionalSecretOutputs` and Pulumi's mock monitor
 * does not: marks those outputs secret. The component's own option decides, never these mocks, so
 * a component that stops asking for it is caught.
 */
function markAdditionalSecretOutputs(): void {
    const monitor = pulumi.runtime.getMonitor() as unknown as {
        registerResource(req: RegisterRequest, callback: RegisterCallback): unknown;
    };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) =>
        register(req, (error, response) => {
            const secret = req.getAdditionalsecretoutputsList();
            const object = response?.getObject();
            if (response && object && secret.length > 0) {
                const state = object.toJavaScript();
                for (const key of secret.filter((name) => name in state && !isSecretWrapped(state[name]))) {
                    state[key] = { [SECRET_SIG]: SECRET_SIG_VALUE, value: state[key] };
                }
                response.setObject(
                    (object.constructor as unknown as { fromJavaScript(value: unknown): ResourceStruct }).fromJavaScript(state),
                );
            }
            callback(error, response);
        });
}

function computedOutputs(type: string, inputs: Record<string, any>, options: MockOptions): Record<string, unknown> | undefined {
    switch (type) {
        case GATEWAY_TOKEN_TYPE:
            return fakeGatewayToken(unwrapSecrets(inputs) as FakeTokenInputs, options);
        case CHECKSUM_KEY_TYPE:
            return { key: MOCK_CHECKSUM_KEY };
        case "azure-native:apimanagement:Gateway":
            return {
                id:
                    `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/${inputs.resourceGroupName}` +
                    `/providers/Microsoft.ApiManagement/service/${inputs.serviceName}/gateways/${inputs.gatewayId}`,
                name: inputs.gatewayId,
                type: "Microsoft.ApiManagement/service/gateways",
            };
        default:
            return undefined;
    }
}

/** The fake GatewayToken outputs, all plain: the engine, not the provider, makes `token` secret (additionalSecretOutputs). */
function fakeGatewayToken(inputs: FakeTokenInputs, options: MockOptions): Record<string, unknown> {
    const validityDays = inputs.validityDays ?? 30;
    const renewBeforeDays = inputs.renewBeforeDays ?? 10;
    const issued = Date.parse(FAKE_TOKEN_ISSUED_AT);
    const expiresAt = new Date(issued + validityDays * DAY_MS);
    const gatewayId = inputs.gatewayResourceId.split("/").pop();
    const stamp = expiresAt.toISOString().replace(/[-:T]/g, "").slice(0, 12);
    const token = options.tokenValue?.(inputs) ?? `GatewayKey ${gatewayId}&${stamp}&${options.tokenSignature ?? "fake-signature"}`;
    return {
        token,
        expiresAt: expiresAt.toISOString(),
        issuedAt: FAKE_TOKEN_ISSUED_AT,
        renewAfter: new Date(expiresAt.getTime() - renewBeforeDays * DAY_MS).toISOString(),
        keyType: "primary",
    };
}

/** Whether a received value is a secret-wrapped value. */
export function isSecretWrapped(value: unknown): value is { value: unknown } {
    return value !== null && typeof value === "object" && (value as Record<string, unknown>)[SECRET_SIG] === SECRET_SIG_VALUE;
}

/** A deep copy with every secret wrapper replaced by its value. */
export function unwrapSecrets(value: any): any {
    if (isSecretWrapped(value)) {
        return unwrapSecrets(value.value);
    }
    if (Array.isArray(value)) {
        return value.map(unwrapSecrets);
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
    }
    return value;
}

/** JSON-pointer-like paths of every secret-wrapped value inside `value`. */
export function secretPaths(value: any, path = ""): string[] {
    if (isSecretWrapped(value)) {
        return [path || "/"];
    }
    if (value !== null && typeof value === "object") {
        return Object.entries(value).flatMap(([k, v]) => secretPaths(v, `${path}/${k}`));
    }
    return [];
}

/** Resolves an Output's value (under mocks every output becomes known). */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((value) => resolve(value)));
}

/** Waits for the runtime's queue of pending resource RPCs to drain (@pulumi/pulumi 3.x internals). */
async function waitForRpcs(): Promise<void> {
    const runtime = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
    if (typeof runtime.waitForRPCs !== "function") {
        throw new Error("pulumiMocks: @pulumi/pulumi no longer exposes runtime.waitForRPCs; update settled()");
    }
    await runtime.waitForRPCs();
}
