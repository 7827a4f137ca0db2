import { z } from "zod";
import { DNS_POLICIES, EXTERNAL_TRAFFIC_POLICIES, IMAGE_PULL_POLICIES, LOCAL_LOG_TYPES, LOG_LEVELS, POD_ANTI_AFFINITY_MODES, PROFILES, SERVICE_TYPES, STATSD_TAG_FORMATS, STD_LOG_FORMATS, VOLUME_ACCESS_MODES, WHEN_UNSATISFIABLE } from "../components/enums";
import { AZURE_CLOUD_NAMES } from "../components/token/cloud";

/**
 * The stack configuration, one key per component argument (same names, same shapes) plus the
 * stack's own keys. Strict objects: a misspelt key is an error, never silently ignored.
 */

/** YAML reads `cpu: 2` as a number; Kubernetes quantities are strings. */
const quantity = z.union([z.string(), z.number().transform(String)]);
const intOrPercent = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+%$/, "expected a percentage such as 25%")]);
const stringMap = z.record(z.string(), z.string());
/** Kubernetes objects passed through as they are; the Kubernetes schema tests and the API server check them. */
const kubernetesObject = z.record(z.string(), z.unknown());

const probeTuning = z.strictObject({
    initialDelaySeconds: z.number().int().nonnegative().optional(),
    periodSeconds: z.number().int().positive().optional(),
    timeoutSeconds: z.number().int().positive().optional(),
    failureThreshold: z.number().int().positive().optional(),
});

const resourceQuantities = z.strictObject({ cpu: quantity.optional(), memory: quantity.optional(), "ephemeral-storage": quantity.optional() });

const auth = z.discriminatedUnion("type", [
    z.strictObject({ type: z.literal("token") }),
    z.strictObject({ type: z.literal("workloadIdentity"), clientId: z.string(), tenantId: z.string().optional() }),
    z.strictObject({
        type: z.literal("azureAdApp"),
        tenantId: z.string(),
        clientId: z.string(),
        authority: z.string().optional(),
    }),
]);

const metrics = z.discriminatedUnion("type", [
    z.strictObject({ type: z.literal("none") }),
    z.strictObject({
        type: z.literal("statsd"),
        endpoint: z.string(),
        sampling: z.number().min(0).max(1).optional(),
        tagFormat: z.enum(STATSD_TAG_FORMATS).optional(),
    }),
    z.strictObject({
        type: z.literal("openTelemetry"),
        collectorUri: z.string(),
        histogramBuckets: z.array(z.number()).optional(),
        systemMetrics: z.boolean().optional(),
    }),
]);

/** Keys of the component's arguments. */
export const componentConfigSchema = z.strictObject({
    resourceGroupName: z.string(),
    serviceName: z.string(),
    gatewayId: z.string(),
    location: z
        .strictObject({
            name: z.string(),
            city: z.string().optional(),
            district: z.string().optional(),
            countryOrRegion: z.string().optional(),
        })
        .optional(),
    description: z.string().optional(),
    existingGateway: z.boolean().optional(),
    subscriptionId: z.string().optional(),
    apiIds: z.array(z.string()).optional(),
    hostnameConfigurations: z
        .array(
            z.strictObject({
                hostname: z.string(),
                certificateId: z.string(),
                negotiateClientCertificate: z.boolean().optional(),
                tls10Enabled: z.boolean().optional(),
                tls11Enabled: z.boolean().optional(),
                http2Enabled: z.boolean().optional(),
            }),
        )
        .optional(),
    certificateAuthorities: z
        .array(z.strictObject({ certificateId: z.string(), isTrusted: z.boolean().optional() }))
        .optional(),
    profile: z.enum(PROFILES).optional(),
    kubernetesName: z.string().optional(),
    namespace: z
        .strictObject({ name: z.string().optional(), create: z.boolean().optional(), labels: stringMap.optional() })
        .optional(),
    replicas: z.number().int().nonnegative().optional(),
    autoscaling: z
        .strictObject({
            minReplicas: z.number().int().positive(),
            maxReplicas: z.number().int().positive(),
            targetCpuUtilizationPercentage: z.number().int().positive().optional(),
            targetMemoryUtilizationPercentage: z.number().int().positive().optional(),
        })
        .optional(),
    rollingUpdate: z
        .strictObject({
            maxUnavailable: intOrPercent.optional(),
            maxSurge: intOrPercent.optional(),
            progressDeadlineSeconds: z.number().int().positive().optional(),
            timeoutSeconds: z.number().int().positive().optional(),
        })
        .optional(),
    resources: z
        .strictObject({ requests: resourceQuantities.optional(), limits: resourceQuantities.optional() })
        .optional(),
    image: z
        .strictObject({
            repository: z.string().optional(),
            tag: z.string().optional(),
            digest: z.string().optional(),
            pullPolicy: z.enum(IMAGE_PULL_POLICIES).optional(),
            pullSecrets: z.array(z.string()).optional(),
        })
        .optional(),
    dns: z
        .strictObject({
            policy: z.enum(DNS_POLICIES).optional(),
            config: kubernetesObject.optional(),
        })
        .optional(),
    service: z
        .strictObject({
            type: z.enum(SERVICE_TYPES).optional(),
            externalTrafficPolicy: z.enum(EXTERNAL_TRAFFIC_POLICIES).optional(),
            loadBalancerIP: z.string().optional(),
            loadBalancerSourceRanges: z.array(z.string()).optional(),
            annotations: stringMap.optional(),
            ports: z
                .strictObject({
                    http: z.number().int().min(1).max(65535).optional(),
                    https: z.number().int().min(1).max(65535).optional(),
                })
                .optional(),
        })
        .optional(),
    configuration: z.strictObject({ endpoint: z.string().optional(), settings: stringMap.optional() }).optional(),
    customCaCertificates: z.array(z.string()).optional(),
    configBackup: z
        .strictObject({
            enabled: z.boolean().optional(),
            existingClaimName: z.string().optional(),
            storageClassName: z.string().optional(),
            accessMode: z.enum(VOLUME_ACCESS_MODES).optional(),
            size: z.string().optional(),
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
                            color: z.boolean().optional(),
                        })
                        .optional(),
                    local: z
                        .strictObject({
                            type: z.enum(LOCAL_LOG_TYPES),
                            endpoint: z.string().optional(),
                            facility: z.number().int().optional(),
                        })
                        .optional(),
                })
                .optional(),
            metrics: metrics.optional(),
            azureMonitor: z.boolean().optional(),
        })
        .optional(),
    highAvailability: z
        .strictObject({
            topologySpread: z
                .strictObject({
                    enabled: z.boolean().optional(),
                    whenUnsatisfiable: z.enum(WHEN_UNSATISFIABLE).optional(),
                    topologyKeys: z.array(z.string()).optional(),
                })
                .optional(),
            podAntiAffinity: z.enum(POD_ANTI_AFFINITY_MODES).optional(),
            disruptionBudget: z
                .strictObject({
                    enabled: z.boolean().optional(),
                    maxUnavailable: intOrPercent.optional(),
                    minAvailable: intOrPercent.optional(),
                })
                .optional(),
        })
        .optional(),
    probes: z
        .strictObject({
            startup: probeTuning.optional(),
            readiness: probeTuning.optional(),
            liveness: probeTuning.optional(),
        })
        .optional(),
    terminationGracePeriodSeconds: z.number().int().nonnegative().optional(),
    networkPolicy: z
        .strictObject({ enabled: z.boolean().optional(), trafficFrom: z.array(kubernetesObject).optional() })
        .optional(),
    auth: auth.optional(),
    token: z
        .strictObject({
            validityDays: z.number().int().optional(),
            renewBeforeDays: z.number().int().optional(),
        })
        .optional(),
    azureCloud: z
        .strictObject({
            name: z.enum(AZURE_CLOUD_NAMES).optional(),
            resourceManagerEndpoint: z.string().optional(),
            authorityHost: z.string().optional(),
        })
        .optional(),
    nodeSelector: stringMap.optional(),
    tolerations: z.array(kubernetesObject).optional(),
    affinity: kubernetesObject.optional(),
    priorityClassName: z.string().optional(),
    labels: stringMap.optional(),
    podAnnotations: stringMap.optional(),
    env: z.array(kubernetesObject).optional(),
});

/** Keys of the stack itself: how to reach the cluster, and secrets kept out of the component's objects. */
export const stackConfigSchema = componentConfigSchema.extend({
    /** Kubeconfig contents (a secret); default the ambient kubeconfig. */
    kubeconfig: z.string().optional(),
    /** Kubeconfig context; default the current context. */
    kubeContext: z.string().optional(),
    /** Write manifests to this directory instead of applying them (the provider's render mode). */
    renderYamlToDirectory: z.string().optional(),
    /** Client secret for `auth.type: azureAdApp` (a secret). */
    azureAdClientSecret: z.string().optional(),
});

export type StackConfig = z.infer<typeof stackConfigSchema>;

/** The component's part of the stack config. */
export type ComponentConfig = Omit<StackConfig, "kubeconfig" | "kubeContext" | "renderYamlToDirectory" | "azureAdClientSecret">;
