import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { AzureAdAppAuthArgs, GatewayAuthArgs, ProbeTuningArgs, SelfHostedGatewayArgs, WorkloadIdentityAuthArgs } from "./args";
import { serviceAccountSubject } from "./keyless/federation";
import {
    AZURE_INTERNAL_LOAD_BALANCER_ANNOTATION,
    CONTAINER_PORTS,
    DEFAULT_IMAGE_REPOSITORY,
    DEFAULT_POD_SECURITY_LEVEL,
    POD_SECURITY_ENFORCE_LABEL,
    GATEWAY_IMAGE_VERSION,
    PROXY_ENV,
    SECRET_VALUE_KEY,
} from "./constants";
import { isLabelValue } from "./formats";
import { imageReference } from "./imageReference";
import { gatewayLabels } from "./k8s/labels";
import { hostnameConfigurationId, kubernetesNames } from "./naming";
import { packageVersion } from "./packageVersion";
import { renewalTriggerFromEnvironment } from "./contract/rotationContract";
import { TOKEN_DEFAULTS } from "./token/policy";
import {
    AuthSettings,
    ConfigBackupSettings,
    EntraAzureSettings,
    HighAvailabilitySettings,
    ImageSettings,
    MetricsSettings,
    ResolvedProbeTuning,
    ResolvedSettings,
} from "./settings";

/** The production defaults, in one place (the args' TSDoc documents each one and why). */
export const GATEWAY_ARG_DEFAULTS = {
    profile: "production",
    namespace: "apim-gateway",
    replicas: 3,
    rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" },
    rollout: { progressDeadlineSeconds: 600, timeoutSeconds: 600 },
    requests: { cpu: "2", memory: "2Gi" },
    imagePullPolicy: "IfNotPresent",
    dnsPolicy: "ClusterFirst",
    serviceType: "LoadBalancer",
    /** The exposure of a LoadBalancer when development leaves it unchosen: the cloud's own default. */
    developmentExposure: "public",
    podSecurityLevel: DEFAULT_POD_SECURITY_LEVEL,
    externalTrafficPolicy: "Local",
    servicePorts: { http: 80, https: 443 },
    configBackup: { accessMode: "ReadWriteMany", size: "50Mi" },
    stdLogs: { format: "text", level: "info", color: false },
    localLogs: "auto",
    statsd: { sampling: 1, tagFormat: "dogStatsD" },
    instanceDiscovery: { synchronizationPort: CONTAINER_PORTS.rateLimitDiscovery, heartbeatPort: CONTAINER_PORTS.heartbeat },
    topologyKeys: ["topology.kubernetes.io/zone", "kubernetes.io/hostname"],
    whenUnsatisfiable: "ScheduleAnyway",
    disruptionBudgetMaxUnavailable: 1,
    probes: {
        startup: { initialDelaySeconds: 0, periodSeconds: 5, timeoutSeconds: 1, failureThreshold: 60 },
        readiness: { initialDelaySeconds: 0, periodSeconds: 5, timeoutSeconds: 1, failureThreshold: 3 },
        liveness: { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3 },
    },
    terminationGracePeriodSeconds: 60,
    autoscalingCpuPercent: 70,
    token: TOKEN_DEFAULTS,
    entraAuthority: "https://login.microsoftonline.com",
    clientCertificateKey: "certificate.pfx",
} as const;

/** Applies every default to validated arguments. */
export function resolveSettings(args: SelfHostedGatewayArgs): ResolvedSettings {
    const names = kubernetesNames(args.kubernetesName ?? args.gatewayId);
    const image = resolveImage(args);
    const namespace = args.namespace?.name ?? GATEWAY_ARG_DEFAULTS.namespace;
    const serviceAccount = args.serviceAccount?.existingName ?? names.serviceAccount;
    const auth = resolveAuth(args, { base: names.base, namespace, serviceAccount });
    return {
        profile: args.profile ?? GATEWAY_ARG_DEFAULTS.profile,
        names,
        labels: gatewayLabels(names.base, image.versionLabel, args.labels ?? {}, auth.type === "workloadIdentity"),
        apim: {
            resourceGroupName: args.resourceGroupName,
            serviceName: args.serviceName,
            gatewayId: args.gatewayId,
            existingGateway: args.existingGateway ?? false,
            subscriptionId: args.subscriptionId,
            location: args.location,
            description: args.description,
            apiIds: args.apiIds ?? [],
            hostnameConfigurations: (args.hostnameConfigurations ?? []).map((h) => ({
                hostname: h.hostname,
                hcId: hostnameConfigurationId(h.hostname),
                certificateId: h.certificateId,
                negotiateClientCertificate: h.negotiateClientCertificate ?? false,
                tls10Enabled: h.tls10Enabled ?? false,
                tls11Enabled: h.tls11Enabled ?? false,
                http2Enabled: h.http2Enabled ?? true,
            })),
            certificateAuthorities: (args.certificateAuthorities ?? []).map((ca) => ({
                certificateId: ca.certificateId,
                isTrusted: ca.isTrusted ?? true,
            })),
        },
        namespace: {
            name: namespace,
            create: args.namespace?.create ?? true,
            labels: { [POD_SECURITY_ENFORCE_LABEL]: GATEWAY_ARG_DEFAULTS.podSecurityLevel, ...args.namespace?.labels },
        },
        auth,
        image,
        workload: {
            replicas: args.autoscaling || args.externalAutoscaler ? undefined : (args.replicas ?? GATEWAY_ARG_DEFAULTS.replicas),
            autoscaling: args.autoscaling && {
                minReplicas: args.autoscaling.minReplicas,
                maxReplicas: args.autoscaling.maxReplicas,
                targetCpuUtilizationPercentage:
                    args.autoscaling.targetCpuUtilizationPercentage ??
                    (args.autoscaling.targetMemoryUtilizationPercentage === undefined
                        ? GATEWAY_ARG_DEFAULTS.autoscalingCpuPercent
                        : undefined),
                targetMemoryUtilizationPercentage: args.autoscaling.targetMemoryUtilizationPercentage,
            },
            rollingUpdate: {
                maxUnavailable: args.rollingUpdate?.maxUnavailable ?? GATEWAY_ARG_DEFAULTS.rollingUpdate.maxUnavailable,
                maxSurge: args.rollingUpdate?.maxSurge ?? GATEWAY_ARG_DEFAULTS.rollingUpdate.maxSurge,
            },
            rollout: {
                progressDeadlineSeconds:
                    args.rollingUpdate?.progressDeadlineSeconds ?? GATEWAY_ARG_DEFAULTS.rollout.progressDeadlineSeconds,
                timeoutSeconds: args.rollingUpdate?.timeoutSeconds ?? GATEWAY_ARG_DEFAULTS.rollout.timeoutSeconds,
            },
            resources: {
                requests: args.resources?.requests ? { ...args.resources.requests } : { ...GATEWAY_ARG_DEFAULTS.requests },
                limits: args.resources?.limits,
            },
            dns: { policy: args.dns?.policy ?? GATEWAY_ARG_DEFAULTS.dnsPolicy, config: args.dns?.config },
            probes: {
                startup: probe(args.probes?.startup, GATEWAY_ARG_DEFAULTS.probes.startup),
                readiness: probe(args.probes?.readiness, GATEWAY_ARG_DEFAULTS.probes.readiness),
                liveness: probe(args.probes?.liveness, GATEWAY_ARG_DEFAULTS.probes.liveness),
            },
            terminationGracePeriodSeconds: args.terminationGracePeriodSeconds ?? GATEWAY_ARG_DEFAULTS.terminationGracePeriodSeconds,
            nodeSelector: args.nodeSelector,
            tolerations: args.tolerations,
            affinity: args.affinity,
            priorityClassName: args.priorityClassName,
            podAnnotations: args.podAnnotations ?? {},
            env: args.env ?? [],
            secretEnv: args.secretEnv ?? {},
            proxyEnv: proxyEnv(args),
            hostAliases: args.hostAliases,
        },
        service: resolveService(args),
        configuration: {
            endpoint: args.configuration?.endpoint ?? pulumi.interpolate`${args.serviceName}.configuration.azure-api.net`,
            settings: args.configuration?.settings ?? {},
            packageVersion: packageVersion(),
        },
        customCaCertificates: args.customCaCertificates ?? [],
        configBackup: resolveConfigBackup(args, names.configBackupClaim),
        observability: {
            std: {
                format: args.observability?.logs?.std?.format ?? GATEWAY_ARG_DEFAULTS.stdLogs.format,
                level: args.observability?.logs?.std?.level ?? GATEWAY_ARG_DEFAULTS.stdLogs.level,
                color: args.observability?.logs?.std?.color ?? GATEWAY_ARG_DEFAULTS.stdLogs.color,
            },
            local: args.observability?.logs?.local ?? { type: GATEWAY_ARG_DEFAULTS.localLogs },
            metrics: resolveMetrics(args),
            azureMonitor: args.observability?.azureMonitor ?? true,
        },
        highAvailability: resolveHighAvailability(args),
        networkPolicy: resolveNetworkPolicy(args),
        serviceAccount: args.serviceAccount?.existingName
            ? { create: false, name: args.serviceAccount.existingName }
            : {
                  create: true,
                  name: names.serviceAccount,
                  annotations: args.serviceAccount?.annotations ?? {},
                  labels: args.serviceAccount?.labels ?? {},
              },
        instanceDiscovery: {
            synchronizationPort: args.instanceDiscovery?.synchronizationPort ?? GATEWAY_ARG_DEFAULTS.instanceDiscovery.synchronizationPort,
            heartbeatPort: args.instanceDiscovery?.heartbeatPort ?? GATEWAY_ARG_DEFAULTS.instanceDiscovery.heartbeatPort,
        },
        tls: { serverCipherSuites: args.tls?.serverCipherSuites?.join(","), clientCipherSuites: args.tls?.clientCipherSuites?.join(",") },
    };
}

function probe(tuning: ProbeTuningArgs | undefined, defaults: ResolvedProbeTuning): ResolvedProbeTuning {
    return { ...defaults, ...definedOnly(tuning ?? {}) };
}

function definedOnly<T extends object>(value: T): Partial<T> {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function resolveImage(args: SelfHostedGatewayArgs): ImageSettings {
    const repository = args.image?.repository ?? DEFAULT_IMAGE_REPOSITORY;
    const tag = args.image?.tag ?? GATEWAY_IMAGE_VERSION;
    const digest = args.image?.digest;
    const labelSource = args.image?.tag ?? (digest ? undefined : tag);
    return {
        repository,
        tag,
        digest,
        reference: imageReference(repository, tag, digest),
        pullPolicy: args.image?.pullPolicy ?? GATEWAY_ARG_DEFAULTS.imagePullPolicy,
        pullSecrets: args.image?.pullSecrets ?? [],
        versionLabel: labelSource !== undefined && isLabelValue(labelSource) ? labelSource : undefined,
    };
}

/** Where the gateway's pods run: what a federated credential names. */
interface PodIdentity {
    base: string;
    namespace: string;
    serviceAccount: string;
}

function resolveAuth(args: SelfHostedGatewayArgs, pods: PodIdentity): AuthSettings {
    const auth: GatewayAuthArgs = args.auth ?? { type: "token" };
    switch (auth.type) {
        case "token":
            return {
                type: "token",
                token: {
                    validityDays: args.token?.validityDays ?? GATEWAY_ARG_DEFAULTS.token.validityDays,
                    renewBeforeDays: args.token?.renewBeforeDays ?? GATEWAY_ARG_DEFAULTS.token.renewBeforeDays,
                    // Read here so any stack embedding the component honours the rotation CLI's --force.
                    renewalTrigger: args.token?.renewalTrigger ?? renewalTriggerFromEnvironment(),
                },
                azureCloud: args.azureCloud,
            };
        case "workloadIdentity":
            return {
                type: "workloadIdentity",
                clientId: auth.clientId,
                tenantId: auth.tenantId,
                azure: resolveEntraAzure(args, auth, pods),
            };
        case "existingTokenSecret":
            return { type: "existingTokenSecret", secretName: auth.secretName, key: auth.key ?? SECRET_VALUE_KEY };
        case "azureAdApp":
            return {
                type: "azureAdApp",
                tenantId: auth.tenantId,
                clientId: auth.clientId,
                credential: auth.clientCertificate
                    ? {
                          kind: "certificate",
                          secretName: auth.clientCertificate.secretName,
                          key: auth.clientCertificate.key ?? GATEWAY_ARG_DEFAULTS.clientCertificateKey,
                      }
                    : { kind: "secret", clientSecret: auth.clientSecret as pulumi.Input<string> },
                authority: auth.authority ?? GATEWAY_ARG_DEFAULTS.entraAuthority,
                azure: resolveEntraAzure(args, auth, pods),
            };
    }
}

/** The Azure pieces of Entra sign-in, with their defaults (names from the gateway, the instance's resource group). */
function resolveEntraAzure(
    args: SelfHostedGatewayArgs,
    auth: WorkloadIdentityAuthArgs | AzureAdAppAuthArgs,
    pods: PodIdentity,
): EntraAzureSettings {
    const identity = auth.type === "workloadIdentity" ? auth.managedIdentity : undefined;
    const federation = auth.type === "workloadIdentity" ? auth.federatedCredential : undefined;
    return {
        ...(identity
            ? {
                  managedIdentity: {
                      location: identity.location,
                      resourceGroupName: identity.resourceGroupName ?? args.resourceGroupName,
                      name: identity.name ?? `${args.gatewayId}-gateway`,
                  },
              }
            : {}),
        ...(federation
            ? {
                  federatedCredential: {
                      issuerUrl: federation.issuerUrl,
                      name: federation.name ?? `${pods.base}-${pods.namespace}`,
                      subject: serviceAccountSubject(pods.namespace, pods.serviceAccount),
                      identity: federation.identity,
                  },
              }
            : {}),
        ...(auth.roles
            ? {
                  roles: {
                      principalId: auth.roles.principalId,
                      existingRoleDefinitionIds: auth.roles.existingRoleDefinitionIds ?? {},
                      assignAccessValidator: auth.roles.assignAccessValidator ?? true,
                  },
              }
            : {}),
    };
}

function resolveService(args: SelfHostedGatewayArgs): ResolvedSettings["service"] {
    const type = args.service?.type ?? GATEWAY_ARG_DEFAULTS.serviceType;
    const external = type === "LoadBalancer" || type === "NodePort";
    const exposure = args.service?.exposure;
    const internal: Record<string, string> = exposure === "internal" ? { [AZURE_INTERNAL_LOAD_BALANCER_ANNOTATION]: "true" } : {};
    return {
        type,
        exposure,
        // Kept when given for another type, so validation can name it.
        externalTrafficPolicy: args.service?.externalTrafficPolicy ?? (external ? GATEWAY_ARG_DEFAULTS.externalTrafficPolicy : undefined),
        loadBalancerIP: args.service?.loadBalancerIP,
        loadBalancerSourceRanges: args.service?.loadBalancerSourceRanges,
        annotations: { ...args.service?.annotations, ...internal },
        httpPort: args.service?.ports?.http ?? GATEWAY_ARG_DEFAULTS.servicePorts.http,
        httpsPort: args.service?.ports?.https ?? GATEWAY_ARG_DEFAULTS.servicePorts.https,
        allocateLoadBalancerNodePorts: args.service?.allocateLoadBalancerNodePorts,
    };
}

function resolveConfigBackup(args: SelfHostedGatewayArgs, defaultClaimName: string): ConfigBackupSettings {
    const backup = args.configBackup;
    if (backup?.enabled === false) {
        return { enabled: false };
    }
    return {
        enabled: true,
        claimName: backup?.existingClaimName ?? defaultClaimName,
        createClaim: backup?.existingClaimName === undefined,
        storageClassName: backup?.storageClassName,
        accessMode: backup?.accessMode ?? GATEWAY_ARG_DEFAULTS.configBackup.accessMode,
        size: backup?.size ?? GATEWAY_ARG_DEFAULTS.configBackup.size,
    };
}

function resolveMetrics(args: SelfHostedGatewayArgs): MetricsSettings {
    const { statsd, openTelemetry } = args.observability?.metrics ?? {};
    return {
        statsd: statsd && {
            endpoint: statsd.endpoint,
            sampling: statsd.sampling ?? GATEWAY_ARG_DEFAULTS.statsd.sampling,
            tagFormat: statsd.tagFormat ?? GATEWAY_ARG_DEFAULTS.statsd.tagFormat,
        },
        openTelemetry: openTelemetry && {
            collectorUri: openTelemetry.collectorUri,
            histogramBuckets: openTelemetry.histogramBuckets,
            systemMetrics: openTelemetry.systemMetrics ?? false,
        },
    };
}

/** The proxy as the gateway's environment (.NET reads `HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY`). */
function proxyEnv(args: SelfHostedGatewayArgs): k8s.types.input.core.v1.EnvVar[] {
    const proxy = args.proxy;
    const env: k8s.types.input.core.v1.EnvVar[] = [];
    if (proxy?.http !== undefined) {
        env.push({ name: PROXY_ENV.http, value: proxy.http });
    }
    if (proxy?.https !== undefined) {
        env.push({ name: PROXY_ENV.https, value: proxy.https });
    }
    if (proxy?.noProxy !== undefined) {
        env.push({ name: PROXY_ENV.noProxy, value: proxy.noProxy.join(",") });
    }
    return env;
}

function resolveHighAvailability(args: SelfHostedGatewayArgs): HighAvailabilitySettings {
    const ha = args.highAvailability;
    const pdb = ha?.disruptionBudget;
    return {
        topologySpread: {
            enabled: ha?.topologySpread?.enabled ?? true,
            whenUnsatisfiable: ha?.topologySpread?.whenUnsatisfiable ?? GATEWAY_ARG_DEFAULTS.whenUnsatisfiable,
            topologyKeys: ha?.topologySpread?.topologyKeys ?? [...GATEWAY_ARG_DEFAULTS.topologyKeys],
        },
        podAntiAffinity: ha?.podAntiAffinity ?? "none",
        disruptionBudget:
            pdb?.enabled === false
                ? { enabled: false }
                : pdb?.minAvailable !== undefined
                  ? { enabled: true, minAvailable: pdb.minAvailable }
                  : { enabled: true, maxUnavailable: pdb?.maxUnavailable ?? GATEWAY_ARG_DEFAULTS.disruptionBudgetMaxUnavailable },
    };
}

/**
 * On in production. The traffic ports' default peers are the Service's clients as the pods see
 * them: with `externalTrafficPolicy: Local` a load balancer keeps the callers' IPs, so its
 * `loadBalancerSourceRanges` apply at the pods too; otherwise (callers' IPs replaced by a node's,
 * or no ranges) anyone.
 */
function resolveNetworkPolicy(args: SelfHostedGatewayArgs): ResolvedSettings["networkPolicy"] {
    const enabled = args.networkPolicy?.enabled ?? (args.profile ?? GATEWAY_ARG_DEFAULTS.profile) === "production";
    const service = args.service;
    const keepsCallerIps =
        (service?.type ?? GATEWAY_ARG_DEFAULTS.serviceType) === "LoadBalancer" &&
        (service?.externalTrafficPolicy ?? GATEWAY_ARG_DEFAULTS.externalTrafficPolicy) === "Local";
    const ranges = service?.loadBalancerSourceRanges ?? [];
    const fromRanges = keepsCallerIps && ranges.length > 0 ? ranges.map((cidr) => ({ ipBlock: { cidr } })) : undefined;
    // Derived peers only for a policy that exists; a trafficFrom given to a disabled one is refused (validation/resolved.ts).
    return { enabled, trafficFrom: args.networkPolicy?.trafficFrom ?? (enabled ? fromRanges : undefined) };
}
