/**
 * The shape of every argument, checked at run time: JavaScript callers (and future multi-language
 * callers) are not held to the TypeScript types, so `namespace: "default"` or `image: "repo:tag"`
 * must fail with the argument's path and the expected shape instead of being silently ignored.
 * Objects are strict: a misspelt key is an error. Kubernetes pass-through objects are only
 * shaped here (object or list of objects); `kubernetesSchema.ts` checks their contents.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import {
    AuthType,
    DNS_POLICIES,
    EXTERNAL_TRAFFIC_POLICIES,
    IMAGE_PULL_POLICIES,
    LOCAL_LOG_TYPES,
    LOG_LEVELS,
    POD_ANTI_AFFINITY_MODES,
    PROFILES,
    SERVICE_EXPOSURES,
    SERVICE_TYPES,
    STATSD_TAG_FORMATS,
    STD_LOG_FORMATS,
    VOLUME_ACCESS_MODES,
    WHEN_UNSATISFIABLE,
} from "../enums";
import { Problems } from "./checks";
import { AZURE_CLOUD_NAMES } from "../token/cloud";

/** A value known only later: a Pulumi Output or a Promise (what `pulumi.Input` allows). */
const eventual = z.custom<pulumi.Output<unknown>>(
    (value) => pulumi.Output.isInstance(value) || value instanceof Promise,
    "expected a Pulumi Output",
);

/** `pulumi.Input<T>`: the plain value or an eventual one. */
function input<T extends z.ZodType>(schema: T) {
    return z.union([schema, eventual]);
}

const str = z.string();
const bool = z.boolean();
const num = z.number();
const stringMap = z.record(z.string(), z.string());
const intOrString = z.union([z.number(), z.string()]);
/** A Kubernetes object passed through; its contents are checked against the Kubernetes schema. */
const kubernetesObject = z.record(z.string(), z.unknown());

const quantities = z.strictObject({ cpu: str.optional(), memory: str.optional(), "ephemeral-storage": str.optional() });
const probeTuning = z.strictObject({
    initialDelaySeconds: num.optional(),
    periodSeconds: num.optional(),
    timeoutSeconds: num.optional(),
    failureThreshold: num.optional(),
});

/** The documented role set-up of the Entra modes (`GatewayRoleArgs`). */
const roles = z.strictObject({
    principalId: input(str).optional(),
    existingRoleDefinitionIds: z
        .strictObject({ accessValidator: input(str).optional(), configurationReader: input(str).optional() })
        .optional(),
    assignAccessValidator: bool.optional(),
});

/** The auth modes; the stack config takes the Entra client secret from a key of its own. */
export const authModes = {
    token: z.strictObject({ type: z.literal("token" satisfies AuthType) }),
    workloadIdentity: z.strictObject({
        type: z.literal("workloadIdentity" satisfies AuthType),
        clientId: input(str).optional(),
        tenantId: input(str).optional(),
        managedIdentity: z
            .strictObject({ location: input(str), resourceGroupName: input(str).optional(), name: input(str).optional() })
            .optional(),
        federatedCredential: z
            .strictObject({
                issuerUrl: input(str),
                name: input(str).optional(),
                identity: z.strictObject({ resourceGroupName: input(str), name: input(str) }).optional(),
            })
            .optional(),
        roles: roles.optional(),
    }),
    azureAdApp: z.strictObject({
        type: z.literal("azureAdApp" satisfies AuthType),
        tenantId: input(str),
        clientId: input(str),
        clientSecret: input(str).optional(),
        clientCertificate: z.strictObject({ secretName: input(str), key: str.optional() }).optional(),
        authority: input(str).optional(),
        roles: roles.optional(),
    }),
    existingTokenSecret: z.strictObject({
        type: z.literal("existingTokenSecret" satisfies AuthType),
        secretName: input(str),
        key: str.optional(),
    }),
} satisfies Record<AuthType, z.ZodType>;

const auth = z.discriminatedUnion("type", [
    authModes.token,
    authModes.workloadIdentity,
    authModes.azureAdApp,
    authModes.existingTokenSecret,
]);

const metrics = z.strictObject({
    statsd: z.strictObject({ endpoint: str, sampling: num.optional(), tagFormat: z.enum(STATSD_TAG_FORMATS).optional() }).optional(),
    openTelemetry: z
        .strictObject({ collectorUri: str, histogramBuckets: z.array(num).optional(), systemMetrics: bool.optional() })
        .optional(),
});

/** The shape of `SelfHostedGatewayArgs`. */
export const argumentShape = z.strictObject({
    resourceGroupName: input(str),
    serviceName: input(str),
    gatewayId: str,
    location: z
        .strictObject({
            name: input(str),
            city: input(str).optional(),
            district: input(str).optional(),
            countryOrRegion: input(str).optional(),
        })
        .optional(),
    description: input(str).optional(),
    existingGateway: bool.optional(),
    subscriptionId: input(str).optional(),
    apiIds: z.array(str).optional(),
    hostnameConfigurations: z
        .array(
            z.strictObject({
                hostname: str,
                certificateId: input(str),
                negotiateClientCertificate: input(bool).optional(),
                tls10Enabled: input(bool).optional(),
                tls11Enabled: input(bool).optional(),
                http2Enabled: input(bool).optional(),
            }),
        )
        .optional(),
    certificateAuthorities: z.array(z.strictObject({ certificateId: str, isTrusted: input(bool).optional() })).optional(),
    profile: z.enum(PROFILES).optional(),
    kubernetesName: str.optional(),
    namespace: z.strictObject({ name: str.optional(), create: bool.optional(), labels: stringMap.optional() }).optional(),
    replicas: num.optional(),
    externalAutoscaler: bool.optional(),
    autoscaling: z
        .strictObject({
            minReplicas: num,
            maxReplicas: num,
            targetCpuUtilizationPercentage: num.optional(),
            targetMemoryUtilizationPercentage: num.optional(),
        })
        .optional(),
    rollingUpdate: z
        .strictObject({
            maxUnavailable: intOrString.optional(),
            maxSurge: intOrString.optional(),
            progressDeadlineSeconds: num.optional(),
            timeoutSeconds: num.optional(),
        })
        .optional(),
    resources: z.strictObject({ requests: quantities.optional(), limits: quantities.optional() }).optional(),
    image: z
        .strictObject({
            repository: str.optional(),
            tag: str.optional(),
            digest: str.optional(),
            pullPolicy: z.enum(IMAGE_PULL_POLICIES).optional(),
            pullSecrets: z.array(str).optional(),
        })
        .optional(),
    dns: z.strictObject({ policy: z.enum(DNS_POLICIES).optional(), config: kubernetesObject.optional() }).optional(),
    service: z
        .strictObject({
            type: z.enum(SERVICE_TYPES).optional(),
            exposure: z.enum(SERVICE_EXPOSURES).optional(),
            externalTrafficPolicy: z.enum(EXTERNAL_TRAFFIC_POLICIES).optional(),
            loadBalancerIP: str.optional(),
            loadBalancerSourceRanges: z.array(str).optional(),
            annotations: stringMap.optional(),
            ports: z.strictObject({ http: num.optional(), https: num.optional() }).optional(),
            allocateLoadBalancerNodePorts: bool.optional(),
        })
        .optional(),
    configuration: z.strictObject({ endpoint: input(str).optional(), settings: z.record(z.string(), input(str)).optional() }).optional(),
    customCaCertificates: z.array(str).optional(),
    configBackup: z
        .strictObject({
            enabled: bool.optional(),
            existingClaimName: str.optional(),
            storageClassName: str.optional(),
            accessMode: z.enum(VOLUME_ACCESS_MODES).optional(),
            size: str.optional(),
        })
        .optional(),
    observability: z
        .strictObject({
            logs: z
                .strictObject({
                    std: z
                        .strictObject({
                            format: z.enum(STD_LOG_FORMATS).optional(),
                            level: z.enum(LOG_LEVELS).optional(),
                            color: bool.optional(),
                        })
                        .optional(),
                    local: z.strictObject({ type: z.enum(LOCAL_LOG_TYPES), endpoint: str.optional(), facility: num.optional() }).optional(),
                })
                .optional(),
            metrics: metrics.optional(),
            azureMonitor: bool.optional(),
        })
        .optional(),
    highAvailability: z
        .strictObject({
            topologySpread: z
                .strictObject({
                    enabled: bool.optional(),
                    whenUnsatisfiable: z.enum(WHEN_UNSATISFIABLE).optional(),
                    topologyKeys: z.array(str).optional(),
                })
                .optional(),
            podAntiAffinity: z.enum(POD_ANTI_AFFINITY_MODES).optional(),
            disruptionBudget: z
                .strictObject({ enabled: bool.optional(), maxUnavailable: intOrString.optional(), minAvailable: intOrString.optional() })
                .optional(),
        })
        .optional(),
    probes: z
        .strictObject({ startup: probeTuning.optional(), readiness: probeTuning.optional(), liveness: probeTuning.optional() })
        .optional(),
    terminationGracePeriodSeconds: num.optional(),
    networkPolicy: z.strictObject({ enabled: bool.optional(), trafficFrom: z.array(kubernetesObject).optional() }).optional(),
    auth: auth.optional(),
    token: z
        .strictObject({ validityDays: num.optional(), renewBeforeDays: num.optional(), renewalTrigger: input(str).optional() })
        .optional(),
    azureCloud: z
        .strictObject({
            name: z.enum(AZURE_CLOUD_NAMES).optional(),
            resourceManagerEndpoint: str.optional(),
            authorityHost: str.optional(),
        })
        .optional(),
    proxy: z.strictObject({ http: input(str).optional(), https: input(str).optional(), noProxy: z.array(str).optional() }).optional(),
    hostAliases: z.array(kubernetesObject).optional(),
    serviceAccount: z
        .strictObject({ existingName: str.optional(), annotations: stringMap.optional(), labels: stringMap.optional() })
        .optional(),
    tls: z.strictObject({ serverCipherSuites: z.array(str).optional(), clientCipherSuites: z.array(str).optional() }).optional(),
    instanceDiscovery: z.strictObject({ synchronizationPort: num.optional(), heartbeatPort: num.optional() }).optional(),
    nodeSelector: stringMap.optional(),
    tolerations: z.array(kubernetesObject).optional(),
    affinity: kubernetesObject.optional(),
    priorityClassName: str.optional(),
    labels: stringMap.optional(),
    podAnnotations: stringMap.optional(),
    env: z.array(kubernetesObject).optional(),
    secretEnv: z.record(z.string(), input(str)).optional(),
});

/** `env[0].name`, `configuration.settings["a.b"]`: how the messages name an argument. */
export function argumentPath(path: readonly PropertyKey[]): string {
    return path
        .map((key, index) => {
            if (typeof key === "number") {
                return `[${key}]`;
            }
            const text = String(key);
            if (/^[A-Za-z_$][\w$]*$/.test(text)) {
                return index === 0 ? text : `.${text}`;
            }
            return `[${JSON.stringify(text)}]`;
        })
        .join("");
}

/** What a value is, for "got …": `a string ("default")`, `a number (3)`, `a list`. */
function describeValue(value: unknown): string {
    if (value === null) {
        return "null";
    }
    if (Array.isArray(value)) {
        return "a list";
    }
    switch (typeof value) {
        case "string":
            return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`;
        case "number":
        case "boolean":
            return `a ${typeof value} (${String(value)})`;
        case "object":
            return "an object";
        default:
            return typeof value;
    }
}

const EXPECTED: Record<string, string> = {
    object: "an object",
    array: "a list",
    string: "a string",
    number: "a number",
    boolean: "a boolean (true or false)",
    record: "an object",
};

/** The expected shape of a failed issue, in words. */
function expectedShape(issue: z.core.$ZodIssue): string {
    if (issue.code === "invalid_type") {
        return EXPECTED[issue.expected] ?? issue.expected;
    }
    if (issue.code === "invalid_union") {
        const branches = issue.errors
            .map((errors) => errors[0])
            .filter((e): e is z.core.$ZodIssueInvalidType => e?.code === "invalid_type");
        const names = [...new Set(branches.map((e) => EXPECTED[e.expected] ?? e.expected))];
        return names.length > 0 ? names.join(" or ") : "another shape";
    }
    return "another shape";
}

/** One shape problem: the argument's path, what is wrong, and the fix. */
export interface ShapeProblem {
    path: readonly PropertyKey[];
    problem: string;
    fix: string;
}

/** Turns a zod issue into a problem that names the path, the expected shape and what was given. */
export function shapeProblem(issue: z.core.$ZodIssue): ShapeProblem {
    switch (issue.code) {
        case "unrecognized_keys":
            return {
                path: issue.path,
                problem: `has unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}`,
                fix: "Remove or correct it (see the option reference).",
            };
        case "invalid_value":
            return {
                path: issue.path,
                problem: `is ${JSON.stringify(issue.input)}, not one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`,
                fix: "Use one of the allowed values.",
            };
        case "invalid_union":
            if ("note" in issue && issue.note === "No matching discriminator") {
                const options = (issue as unknown as { options: unknown[] }).options ?? [];
                const given = (issue.input as Record<string, unknown> | undefined)?.type;
                return {
                    path: issue.path,
                    problem: `is ${JSON.stringify(given)}, not one of ${options.map((o) => JSON.stringify(o)).join(", ")}`,
                    fix: "Use one of the allowed values.",
                };
            }
            return {
                path: issue.path,
                problem: `must be ${expectedShape(issue)}, got ${describeValue(issue.input)}`,
                fix: "Fix the value's type.",
            };
        case "invalid_type":
            if (issue.input === undefined) {
                return { path: issue.path, problem: "is required", fix: `Set ${argumentPath(issue.path)}.` };
            }
            return {
                path: issue.path,
                problem: `must be ${expectedShape(issue)}, got ${describeValue(issue.input)}`,
                fix: "Fix the value's type.",
            };
        default:
            return { path: issue.path, problem: issue.message, fix: "Fix the value." };
    }
}

/** Checks the arguments' shapes; returns whether they are well-shaped (later rules rely on it). */
export function checkShape(args: unknown, p: Problems): boolean {
    const result = argumentShape.safeParse(args, { reportInput: true });
    if (result.success) {
        return true;
    }
    for (const issue of result.error.issues) {
        const { path, problem, fix } = shapeProblem(issue);
        p.add(path.length > 0 ? argumentPath(path) : "args", problem, fix);
    }
    return false;
}
