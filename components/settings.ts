import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { GatewayLocationArgs, LocalLogsArgs, NetworkPolicyArgs, Profile, ResourceQuantities } from "./args";
import { AzureCloudSettings } from "./token/cloud";
import {
    DnsPolicy,
    ExternalTrafficPolicy,
    ImagePullPolicy,
    LogLevel,
    PodAntiAffinityMode,
    ServiceExposure,
    ServiceType,
    StatsdTagFormat,
    StdLogFormat,
    VolumeAccessMode,
    WhenUnsatisfiable,
} from "./enums";

/**
 * The component's arguments with every default applied (by `resolveSettings`, the only place
 * defaults live). Builders read only this, never the raw arguments.
 */
export interface ResolvedSettings {
    profile: Profile;
    names: KubernetesNames;
    labels: LabelSet;
    apim: ApimSettings;
    namespace: NamespaceSettings;
    auth: AuthSettings;
    image: ImageSettings;
    workload: WorkloadSettings;
    service: LiveTrafficServiceSettings;
    configuration: ConfigurationSettings;
    customCaCertificates: string[];
    configBackup: ConfigBackupSettings;
    observability: ObservabilitySettings;
    highAvailability: HighAvailabilitySettings;
    /** `trafficFrom` undefined: the traffic ports are open to everyone. */
    networkPolicy: Required<Pick<NetworkPolicyArgs, "enabled">> & Pick<NetworkPolicyArgs, "trafficFrom">;
    serviceAccount: ServiceAccountSettings;
    /** UDP ports of rate-limit synchronisation and heartbeats (container, Services, settings, NetworkPolicy). */
    instanceDiscovery: { synchronizationPort: number; heartbeatPort: number };
    /** Allowed TLS cipher suites, comma-separated as the gateway reads them. */
    tls: { serverCipherSuites?: string; clientCipherSuites?: string };
}

/** The created ServiceAccount with its extra metadata, or an existing one by name. */
export type ServiceAccountSettings =
    | { create: true; name: string; annotations: Record<string, string>; labels: Record<string, string> }
    | { create: false; name: string };

/** Names of the Kubernetes objects, all derived from one base name. */
export interface KubernetesNames {
    base: string;
    deployment: string;
    serviceAccount: string;
    /** Prefix of the settings ConfigMap; the content hash is appended. */
    configMapPrefix: string;
    liveTrafficService: string;
    instanceDiscoveryService: string;
    configBackupClaim: string;
    /** Prefix of the custom CA ConfigMap; the content hash is appended. */
    customCaConfigMapPrefix: string;
    disruptionBudget: string;
    autoscaler: string;
    networkPolicy: string;
    /** Prefix of the token Secret; the content hash is appended. */
    tokenSecretPrefix: string;
    /** Prefix of the Secret of `secretEnv`; the content hash is appended. */
    secretEnvPrefix: string;
    /** Prefix of the Entra client-secret Secret; the content hash is appended. */
    clientSecretPrefix: string;
}

/**
 * Labels: `selector` selects the pods; `common` goes on every object; `pod` on the pod template;
 * `serviceAccount` on the ServiceAccount the component creates.
 */
export interface LabelSet {
    selector: Record<string, string>;
    common: Record<string, string>;
    pod: Record<string, string>;
    serviceAccount: Record<string, string>;
}

export interface ResolvedHostnameConfiguration {
    hostname: string;
    /** ARM id of the hostname configuration, derived from the hostname. */
    hcId: string;
    certificateId: pulumi.Input<string>;
    negotiateClientCertificate: pulumi.Input<boolean>;
    tls10Enabled: pulumi.Input<boolean>;
    tls11Enabled: pulumi.Input<boolean>;
    http2Enabled: pulumi.Input<boolean>;
}

export interface ResolvedCertificateAuthority {
    certificateId: string;
    isTrusted: pulumi.Input<boolean>;
}

export interface ApimSettings {
    resourceGroupName: pulumi.Input<string>;
    serviceName: pulumi.Input<string>;
    gatewayId: string;
    existingGateway: boolean;
    subscriptionId?: pulumi.Input<string>;
    location?: GatewayLocationArgs;
    description?: pulumi.Input<string>;
    apiIds: string[];
    hostnameConfigurations: ResolvedHostnameConfiguration[];
    certificateAuthorities: ResolvedCertificateAuthority[];
}

export interface NamespaceSettings {
    name: string;
    create: boolean;
    labels: Record<string, string>;
}

export interface TokenSettings {
    validityDays: number;
    renewBeforeDays: number;
    renewalTrigger?: pulumi.Input<string>;
}

/**
 * What the component creates in Azure for Entra sign-in; every piece optional. Empty: nothing is
 * created and no ARM read is made.
 */
export interface EntraAzureSettings {
    managedIdentity?: { location: pulumi.Input<string>; resourceGroupName: pulumi.Input<string>; name: pulumi.Input<string> };
    /** `identity` undefined: the created managed identity. */
    federatedCredential?: {
        issuerUrl: pulumi.Input<string>;
        name: pulumi.Input<string>;
        subject: string;
        identity?: { resourceGroupName: pulumi.Input<string>; name: pulumi.Input<string> };
    };
    roles?: {
        /** Undefined: the created managed identity's. */
        principalId?: pulumi.Input<string>;
        existingRoleDefinitionIds: { accessValidator?: pulumi.Input<string>; configurationReader?: pulumi.Input<string> };
        assignAccessValidator: boolean;
    };
}

/** The Entra app's credential: a client secret (stored in a Secret) or a certificate mounted from one. */
export type EntraAppCredential =
    | { kind: "secret"; clientSecret: pulumi.Input<string> }
    | { kind: "certificate"; secretName: pulumi.Input<string>; key: string };

export type AuthSettings =
    | { type: "token"; token: TokenSettings; azureCloud?: AzureCloudSettings }
    | { type: "workloadIdentity"; clientId?: pulumi.Input<string>; tenantId?: pulumi.Input<string>; azure: EntraAzureSettings }
    | {
          type: "azureAdApp";
          tenantId: pulumi.Input<string>;
          clientId: pulumi.Input<string>;
          credential: EntraAppCredential;
          authority: pulumi.Input<string>;
          azure: EntraAzureSettings;
      }
    | { type: "existingTokenSecret"; secretName: pulumi.Input<string>; key: string };

export interface ImageSettings {
    repository: string;
    tag: string;
    digest?: string;
    /** `repo@sha256:…` or `repo:tag`. */
    reference: string;
    pullPolicy: ImagePullPolicy;
    pullSecrets: string[];
    /** Value of `app.kubernetes.io/version`, when the tag is a valid label value. */
    versionLabel?: string;
}

export interface ResolvedProbeTuning {
    initialDelaySeconds: number;
    periodSeconds: number;
    timeoutSeconds: number;
    failureThreshold: number;
}

export interface AutoscalingSettings {
    minReplicas: number;
    maxReplicas: number;
    targetCpuUtilizationPercentage?: number;
    targetMemoryUtilizationPercentage?: number;
}

/** Everything about the pods and the Deployment. */
export interface WorkloadSettings {
    /** `undefined` when the autoscaler owns the replica count. */
    replicas?: number;
    autoscaling?: AutoscalingSettings;
    rollingUpdate: { maxUnavailable: number | string; maxSurge: number | string };
    rollout: { progressDeadlineSeconds: number; timeoutSeconds: number };
    resources: { requests: ResourceQuantities; limits?: ResourceQuantities };
    dns: { policy: DnsPolicy; config?: k8s.types.input.core.v1.PodDNSConfig };
    probes: { startup: ResolvedProbeTuning; readiness: ResolvedProbeTuning; liveness: ResolvedProbeTuning };
    terminationGracePeriodSeconds: number;
    nodeSelector?: Record<string, string>;
    tolerations?: k8s.types.input.core.v1.Toleration[];
    affinity?: k8s.types.input.core.v1.Affinity;
    priorityClassName?: string;
    podAnnotations: Record<string, string>;
    env: k8s.types.input.core.v1.EnvVar[];
    /** Secret environment variables (name → value), stored in a Secret. */
    secretEnv: Record<string, pulumi.Input<string>>;
    /** The proxy settings as environment variables, empty without a proxy. */
    proxyEnv: k8s.types.input.core.v1.EnvVar[];
    hostAliases?: k8s.types.input.core.v1.HostAlias[];
}

export interface LiveTrafficServiceSettings {
    type: ServiceType;
    /** The exposure chosen for a LoadBalancer; undefined when none was (production refuses that). */
    exposure?: ServiceExposure;
    externalTrafficPolicy?: ExternalTrafficPolicy;
    loadBalancerIP?: string;
    loadBalancerSourceRanges?: string[];
    annotations: Record<string, string>;
    httpPort: number;
    httpsPort: number;
    allocateLoadBalancerNodePorts?: boolean;
}

export interface ConfigurationSettings {
    endpoint: pulumi.Input<string>;
    settings: Record<string, pulumi.Input<string>>;
    /** `runtime.deployment.artifact.version`: this package's version. */
    packageVersion: string;
}

export type ConfigBackupSettings =
    | { enabled: false }
    | {
          enabled: true;
          claimName: string;
          /** `false` when an existing claim is used. */
          createClaim: boolean;
          storageClassName?: string;
          accessMode: VolumeAccessMode;
          size: string;
      };

export interface MetricsSettings {
    statsd?: { endpoint: string; sampling: number; tagFormat: StatsdTagFormat };
    openTelemetry?: { collectorUri: string; histogramBuckets?: number[]; systemMetrics: boolean };
}

export interface ObservabilitySettings {
    std: { format: StdLogFormat; level: LogLevel; color: boolean };
    local: LocalLogsArgs;
    metrics: MetricsSettings;
    azureMonitor: boolean;
}

export interface HighAvailabilitySettings {
    topologySpread: { enabled: boolean; whenUnsatisfiable: WhenUnsatisfiable; topologyKeys: string[] };
    podAntiAffinity: PodAntiAffinityMode;
    disruptionBudget:
        | { enabled: false }
        | { enabled: true; maxUnavailable: number | string; minAvailable?: undefined }
        | { enabled: true; minAvailable: number | string; maxUnavailable?: undefined };
}
