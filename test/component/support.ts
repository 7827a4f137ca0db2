import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { GatewayArgumentError, SelfHostedGateway, SelfHostedGatewayArgs } from "../../components";
import { installMocks, MockOptions, RecordedResource, ResourceRecorder } from "../helpers/pulumiMocks";

/** The issue's example: the smallest valid arguments. */
export const BASE_ARGS: SelfHostedGatewayArgs = {
    resourceGroupName: "rg-apim",
    serviceName: "contoso-apim",
    gatewayId: "contoso-gw",
    location: { name: "Contoso DC West" },
    service: { exposure: "internal" },
};

export const K8S = {
    namespace: "kubernetes:core/v1:Namespace",
    serviceAccount: "kubernetes:core/v1:ServiceAccount",
    configMap: "kubernetes:core/v1:ConfigMap",
    secret: "kubernetes:core/v1:Secret",
    pvc: "kubernetes:core/v1:PersistentVolumeClaim",
    service: "kubernetes:core/v1:Service",
    deployment: "kubernetes:apps/v1:Deployment",
    pdb: "kubernetes:policy/v1:PodDisruptionBudget",
    hpa: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
} as const;

export function fixture(name: string): string {
    return readFileSync(path.join(__dirname, "fixtures", name), "utf8");
}

export interface Built {
    gateway: SelfHostedGateway;
    recorder: ResourceRecorder;
    /** Messages passed to `pulumi.log.warn` during construction. */
    warnings: string[];
}

/** Installs fresh mocks, constructs the component with BASE_ARGS plus overrides, waits for every registration. */
export async function build(
    overrides: Partial<SelfHostedGatewayArgs> = {},
    mockOptions: MockOptions = {},
    opts?: pulumi.ComponentResourceOptions,
): Promise<Built> {
    const recorder = await installMocks(mockOptions);
    const { result: gateway, warnings } = captureWarnings(() => new SelfHostedGateway("contoso", { ...BASE_ARGS, ...overrides }, opts));
    await recorder.settled();
    return { gateway, recorder, warnings };
}

/**
 * Asserts that construction throws a GatewayArgumentError whose message contains every fragment,
 * and that nothing at all (not even the component) was registered.
 */
export async function expectRejected(overrides: Partial<SelfHostedGatewayArgs>, ...fragments: string[]): Promise<GatewayArgumentError> {
    const recorder = await installMocks();
    let caught: unknown;
    try {
        new SelfHostedGateway("contoso", { ...BASE_ARGS, ...overrides });
    } catch (error) {
        caught = error;
    }
    assert.ok(caught instanceof GatewayArgumentError, `expected a GatewayArgumentError, got ${String(caught)}`);
    for (const fragment of fragments) {
        assert.ok(caught.message.includes(fragment), `message ${JSON.stringify(caught.message)} lacks ${JSON.stringify(fragment)}`);
    }
    await recorder.settled();
    assert.deepEqual(recorder.resources, [], "a rejected component must not register anything");
    return caught;
}

/** Runs `fn`, capturing what `pulumi.log.warn` prints without an engine (mocks have none). */
export function captureWarnings<T>(fn: () => T): { result: T; warnings: string[] } {
    const warnings: string[] = [];
    const original = console.warn;
    const prefix = "warning: [runtime] ";
    console.warn = (message?: unknown, ...rest: unknown[]) => {
        if (typeof message === "string" && message.startsWith(prefix)) {
            warnings.push(message.slice(prefix.length));
        } else {
            original(message, ...rest);
        }
    };
    try {
        return { result: fn(), warnings };
    } finally {
        console.warn = original;
    }
}

/** The single recorded Kubernetes object of a type (optionally by Kubernetes `metadata.name`). */
export function object(recorder: ResourceRecorder, type: string, metadataName?: string): Record<string, any> {
    return resource(recorder, type, metadataName).inputs;
}

export function resource(recorder: ResourceRecorder, type: string, metadataName?: string): RecordedResource {
    const matches = recorder.ofType(type).filter((r) => metadataName === undefined || r.inputs.metadata?.name === metadataName);
    assert.equal(matches.length, 1, `expected one ${type}${metadataName ? ` named ${metadataName}` : ""}, found ${matches.length}`);
    return matches[0];
}

export function podSpec(recorder: ResourceRecorder): Record<string, any> {
    return object(recorder, K8S.deployment).spec.template.spec;
}

export function gatewayContainer(recorder: ResourceRecorder): Record<string, any> {
    const containers = podSpec(recorder).containers;
    assert.equal(containers.length, 1);
    return containers[0];
}

/** The one ConfigMap whose name is `<prefix>-<10 hex>` (named by its content). */
export function hashedConfigMap(recorder: ResourceRecorder, prefix: string): Record<string, any> {
    const pattern = new RegExp(`^${prefix}-[0-9a-f]{10}$`);
    const matches = recorder.ofType(K8S.configMap).filter((r) => pattern.test(r.inputs.metadata?.name ?? ""));
    assert.equal(matches.length, 1, `expected one ConfigMap named ${prefix}-<hash>, found ${matches.length}`);
    return matches[0].inputs;
}

export function configData(recorder: ResourceRecorder): Record<string, string> {
    return hashedConfigMap(recorder, "contoso-gw-env").data;
}

export function podAnnotations(recorder: ResourceRecorder): Record<string, string> {
    return object(recorder, K8S.deployment).spec.template.metadata.annotations;
}
