import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { AzureCloudSettings } from "./token/cloud";
import {
    DnsPolicy,
    ExternalTrafficPolicy,
    ImagePullPolicy,
    LocalLogType,
    LogLevel,
    PodAntiAffinityMode,
    Profile,
    ServiceExposure,
    ServiceType,
    StatsdTagFormat,
    StdLogFormat,
    VolumeAccessMode,
    WhenUnsatisfiable,
} from "./enums";

export type { Profile };

/** Where the gateway runs, as shown in the Azure portal (`GatewayContract.locationData`). */
export interface GatewayLocationArgs {
    /** Display name of the location, required by the API (max 256 characters). */
    name: pulumi.Input<string>;
    /** City, optional (max 256 characters). */
    city?: pulumi.Input<string>;
    /** District, state or province, optional (max 256 characters). */
    district?: pulumi.Input<string>;
    /** Country or region, optional (max 256 characters). */
    countryOrRegion?: pulumi.Input<string>;
}

/** A hostname the gateway serves with a certificate from the API Management service. */
export interface GatewayHostnameConfigurationArgs {
    /** Hostname, e.g. `api.contoso.com`; also names the ARM hostname configuration. */
    hostname: string;
    /** Identifier of the API Management certificate for this hostname. */
    certificateId: pulumi.Input<string>;
    /** Ask clients for a certificate during the TLS handshake. Default `false`. */
    negotiateClientCertificate?: pulumi.Input<boolean>;
    /** Allow TLS 1.0. Default `false`: it is obsolete. */
    tls10Enabled?: pulumi.Input<boolean>;
    /** Allow TLS 1.1. Default `false`: it is obsolete. */
    tls11Enabled?: pulumi.Input<boolean>;
    /** Allow HTTP/2. Default `true`. */
    http2Enabled?: pulumi.Input<boolean>;
}

/** A certificate authority (already uploaded to API Management) that the gateway uses or trusts. */
export interface GatewayCertificateAuthorityArgs {
    /** Identifier of the API Management certificate holding the CA (also names the resource). */
    certificateId: string;
    /** Whether the CA is trusted (for client certificates and backends). Default `true`. */
    isTrusted?: pulumi.Input<boolean>;
}

/**
 * The access token the gateway presents to the configuration endpoint (`config.service.auth`).
 * Generated through ARM `Gateway_GenerateToken`, renewed inside the renewal window and signed
 * with the primary and secondary key in turn.
 */
export interface TokenArgs {
    /** How long a new token is valid, in whole days, 1 to 30. Default `30` (the API's maximum). */
    validityDays?: number;
    /**
     * How many days before expiry the token is renewed by `pulumi up` or the rotation program.
     * A whole number of at least 1 and less than `validityDays`; production requires at least 3.
     * Default `10`, so a failed rotation run has ten days of retries.
     */
    renewBeforeDays?: number;
    /**
     * Any new value renews the token on the next update even outside the renewal window
     * (the rotation program's `--force` sets it). An unchanged or removed value does nothing.
     */
    renewalTrigger?: pulumi.Input<string>;
}

/**
 * A token Secret managed elsewhere (e.g. synced from Key Vault by External Secrets): no token is
 * generated and the rotation program reports the stack as not applicable. Name the Secret by its
 * content (a new name for a new token) so the pods roll when it changes: the Secret's name is part
 * of the pod template.
 */
export interface ExistingTokenSecretAuthArgs {
    type: "existingTokenSecret";
    /** Name of the Secret in the gateway's namespace. */
    secretName: pulumi.Input<string>;
    /** Key holding `GatewayKey <token>`. Default `value` (the portal's convention). */
    key?: string;
}

/** Gateway access token auth (the default). The token is generated and rotated for you. */
export interface TokenAuthArgs {
    type: "token";
}

/**
 * The Azure role set-up Microsoft documents for Entra sign-in of the self-hosted gateway: the
 * custom "API Management Configuration API Access Validator Service Role" assigned to the API
 * Management instance's system-assigned identity (so the configuration API can read RBAC), and the
 * custom "API Management Gateway Configuration Reader Role" assigned to the gateway's identity.
 * Set it to have the component create both; leave it out when your platform team assigns them.
 * Before anything is created the component checks (an ARM read, in preview too) that the instance
 * has the system-assigned identity the configuration API needs (user-assigned ones are not supported).
 */
export interface GatewayRoleArgs {
    /**
     * Object (principal) id of the identity the gateway signs in as: the app's service principal,
     * or a managed identity. Default: the managed identity the component creates
     * (`auth.managedIdentity`); required otherwise.
     */
    principalId?: pulumi.Input<string>;
    /**
     * ARM ids of role definitions to assign instead of creating the two custom roles (e.g. defined
     * once per subscription by a platform team). Each is optional; a missing one is created. Default:
     * both created, assignable at the instance's resource group only and named after the instance
     * and gateway (custom role names are unique per tenant, so each gateway gets its own pair).
     */
    existingRoleDefinitionIds?: { accessValidator?: pulumi.Input<string>; configurationReader?: pulumi.Input<string> };
    /**
     * Assign the Access Validator role to the instance's system-assigned identity at the instance's
     * resource group (the narrowest scope the docs allow). Default `true`; `false` when that
     * identity already holds the role (one assignment per instance is enough).
     */
    assignAccessValidator?: boolean;
}

/** A user-assigned managed identity the component creates for the gateway to sign in as. */
export interface ManagedIdentityArgs {
    /** Azure region of the identity, e.g. `westeurope`. */
    location: pulumi.Input<string>;
    /** Resource group of the identity. Default: the API Management instance's. */
    resourceGroupName?: pulumi.Input<string>;
    /** Name of the identity. Default `<gatewayId>-gateway`. */
    name?: pulumi.Input<string>;
}

/**
 * A federated identity credential that trusts the cluster's tokens for the gateway's ServiceAccount:
 * issuer the cluster's OIDC issuer URL, subject `system:serviceaccount:<namespace>:<serviceAccount>`,
 * audience `api://AzureADTokenExchange`.
 */
export interface FederatedCredentialArgs {
    /** The cluster's OIDC issuer URL (AKS: `az aks show … --query oidcIssuerProfile.issuerUrl`), https. */
    issuerUrl: pulumi.Input<string>;
    /** Name of the credential. Default `<kubernetes name>-<namespace>`. */
    name?: pulumi.Input<string>;
    /**
     * An existing user-assigned identity to add the credential to. Default: the identity the
     * component creates (`auth.managedIdentity`); one of the two is required.
     */
    identity?: { resourceGroupName: pulumi.Input<string>; name: pulumi.Input<string> };
}

/**
 * Microsoft Entra workload identity (gateway 2.11+): no secret at all. The ServiceAccount gets the
 * `azure.workload.identity/client-id` annotation and the pods the `azure.workload.identity/use`
 * label. What Azure needs can be created too, each piece on its own: the identity
 * (`managedIdentity`), its trust of the cluster (`federatedCredential`) and the roles (`roles`).
 */
export interface WorkloadIdentityAuthArgs {
    type: "workloadIdentity";
    /**
     * Client id of the managed identity or app registration federated with the ServiceAccount.
     * Required unless `managedIdentity` creates the identity (then refused: it is the created one's).
     */
    clientId?: pulumi.Input<string>;
    /** Tenant id, when it differs from the cluster's default. Default with `managedIdentity`: the identity's tenant. */
    tenantId?: pulumi.Input<string>;
    /** Create a user-assigned managed identity for the gateway. Default: none (give `clientId`). */
    managedIdentity?: ManagedIdentityArgs;
    /** Create the federated identity credential. Default: none (federate the identity yourself). */
    federatedCredential?: FederatedCredentialArgs;
    /** Create and assign the documented custom roles. Default: none (assign them yourself). */
    roles?: GatewayRoleArgs;
}

/**
 * An Entra app's certificate from an existing Secret in the gateway's namespace (e.g. synced from
 * Key Vault), mounted read-only into the pods; the gateway reads the file named by
 * `config.service.auth.azureAd.certificatePath`. The private key never passes through Pulumi.
 */
export interface ClientCertificateArgs {
    /**
     * Name of the Secret. Name it by its content (a new name for a new certificate): the name is
     * part of the pod template, so the pods roll onto the new certificate.
     */
    secretName: pulumi.Input<string>;
    /** Key of the Secret holding the certificate file (with its private key). Default `certificate.pfx`. */
    key?: string;
}

/** Microsoft Entra app registration with a client secret or a certificate (gateway 2.3+). */
export interface AzureAdAppAuthArgs {
    type: "azureAdApp";
    /** Directory (tenant) id of the app registration. */
    tenantId: pulumi.Input<string>;
    /** Application (client) id. */
    clientId: pulumi.Input<string>;
    /**
     * Client secret; stored in a Kubernetes Secret and kept a Pulumi secret. Exclusive with
     * `clientCertificate`; one of them is required.
     */
    clientSecret?: pulumi.Input<string>;
    /** Client certificate mounted from a Secret (which the Helm chart does not offer). Exclusive with `clientSecret`. */
    clientCertificate?: ClientCertificateArgs;
    /** Entra authority. Default `https://login.microsoftonline.com`. */
    authority?: pulumi.Input<string>;
    /** Create and assign the documented custom roles (`principalId`: the app's service principal). Default: none. */
    roles?: GatewayRoleArgs;
}

/** How the gateway authenticates to the configuration endpoint. */
export type GatewayAuthArgs = TokenAuthArgs | WorkloadIdentityAuthArgs | AzureAdAppAuthArgs | ExistingTokenSecretAuthArgs;

/** Container image of the gateway. */
export interface ImageArgs {
    /**
     * Repository, for a mirror or private registry.
     * Default `mcr.microsoft.com/azure-api-management/gateway`.
     */
    repository?: string;
    /**
     * A specific version tag such as `2.11.1`. Default: the version this package is tested with
     * (`GATEWAY_IMAGE_VERSION`). Moving tags (`latest`, `v2`, `v2-preview`, …) are refused in production.
     */
    tag?: string;
    /** An image digest (`sha256:…`); when set it wins over `tag`, pinning the exact image. */
    digest?: string;
    /** Image pull policy. Default `IfNotPresent`: a pinned version never changes. */
    pullPolicy?: ImagePullPolicy;
    /** Names of existing `kubernetes.io/dockerconfigjson` Secrets in the namespace, for private registries. */
    pullSecrets?: string[];
}

/** The Kubernetes namespace that holds every namespaced object of the gateway. */
export interface NamespaceArgs {
    /** Name. Default `apim-gateway`. `default` is refused in production. */
    name?: string;
    /** Create the namespace. Default `true`; set `false` to use one that already exists. */
    create?: boolean;
    /**
     * Extra labels on a created namespace (refused with `create: false`). A created namespace is
     * labelled `pod-security.kubernetes.io/enforce: restricted` by default, so the API server
     * refuses any pod in it that could escalate (the gateway's pods meet `restricted`); give that
     * label another level here to override it. An adopted namespace is not labelled, with a warning.
     */
    labels?: Record<string, string>;
}

/** Horizontal pod autoscaling; when set, the Deployment leaves `spec.replicas` to the autoscaler. */
export interface AutoscalingArgs {
    /** Lowest replica count; at least 2 in production. */
    minReplicas: number;
    /** Highest replica count; at least `minReplicas`. */
    maxReplicas: number;
    /**
     * Target average CPU utilisation, percent of the CPU request. Default `70`, unless only a memory
     * target is set (then the autoscaler scales on memory alone).
     */
    targetCpuUtilizationPercentage?: number;
    /** Target average memory utilisation, percent of requests. Not set by default. */
    targetMemoryUtilizationPercentage?: number;
}

/** Deployment rolling-update settings, always written explicitly. */
export interface RollingUpdateArgs {
    /** Pods that may be unavailable during a rollout. Default `0`: never below the desired count. */
    maxUnavailable?: number | string;
    /** Extra pods a rollout may start. Default `25%`. */
    maxSurge?: number | string;
    /**
     * Seconds without progress before Kubernetes marks the rollout failed
     * (`progressDeadlineSeconds`). Default `600`.
     */
    progressDeadlineSeconds?: number;
    /**
     * Seconds `pulumi up` (and so a rotation) waits for the rollout before failing, set as the
     * Deployment's `pulumi.com/timeoutSeconds`. Default `600`: a rollout whose new pods never
     * become ready fails the update with the provider's message while the old pods keep serving,
     * instead of leaving the update waiting.
     */
    timeoutSeconds?: number;
}

/** CPU, memory and ephemeral storage, as Kubernetes quantities. */
export interface ResourceQuantities {
    cpu?: string;
    memory?: string;
    /** Local scratch space (container logs, emptyDir); the kubelet evicts a pod above its limit. */
    "ephemeral-storage"?: string;
}

/** Container resources. */
export interface ResourcesArgs {
    /**
     * Requests. Default cpu `2`, memory `2Gi`: the guidance's starting point; run a load test and
     * scale from there. Given, it replaces the default as a whole (`{ cpu: "1" }` has no memory
     * request). A missing cpu or memory request is refused in production.
     */
    requests?: ResourceQuantities;
    /** Limits. Not set by default (a CPU limit throttles latency-sensitive traffic). */
    limits?: ResourceQuantities;
}

/** Pod DNS settings; the policy is always written explicitly. */
export interface DnsArgs {
    /** `dnsPolicy`. Default `ClusterFirst`. */
    policy?: DnsPolicy;
    /** Extra `dnsConfig` (nameservers, search domains, options such as `ndots`). Required with policy `None`. */
    config?: k8s.types.input.core.v1.PodDNSConfig;
}

/** The Service that receives live API traffic. */
export interface ServiceArgs {
    /** Service type. Default `LoadBalancer`. */
    type?: ServiceType;
    /**
     * Who can reach a `LoadBalancer` Service (refused with another type). `internal`: a private IP
     * in the cluster's virtual network, through the AKS internal load balancer annotation
     * `service.beta.kubernetes.io/azure-load-balancer-internal: "true"`; `public`: an internet-facing
     * IP. Required in production, because the cloud's default (public) exposes every API of the
     * gateway to the internet, which must be a decision, not an accident; in development the
     * default stays `public`, with a warning.
     */
    exposure?: ServiceExposure;
    /**
     * `externalTrafficPolicy` for `LoadBalancer` and `NodePort` (refused with `ClusterIP`). Default `Local`: keeps the caller's
     * IP and avoids a second hop (traffic may be uneven with unequal pods per node).
     */
    externalTrafficPolicy?: ExternalTrafficPolicy;
    /** Fixed load-balancer IP, where the cloud supports it. */
    loadBalancerIP?: string;
    /** CIDR ranges allowed to reach the load balancer. */
    loadBalancerSourceRanges?: string[];
    /** Service annotations, e.g. `service.beta.kubernetes.io/azure-load-balancer-internal: "true"`. */
    annotations?: Record<string, string>;
    /** Service ports. Default http `80` and https `443` (to container ports 8080 and 8081). */
    ports?: { http?: number; https?: number };
    /**
     * `allocateLoadBalancerNodePorts` of a LoadBalancer Service. Default: Kubernetes' (`true`);
     * `false` for load balancers that route to pods directly and need no node ports.
     */
    allocateLoadBalancerNodePorts?: boolean;
}

/** The replicas' UDP ports for rate-limit synchronisation and heartbeats (instance discovery). */
export interface InstanceDiscoveryArgs {
    /** `policy.rate-limit.sync.port`. Default `4290`. */
    synchronizationPort?: number;
    /** `neighborhood.heartbeat.port`. Default `4291`. */
    heartbeatPort?: number;
}

/** An outbound HTTP proxy for the gateway (on-premises sites often sit behind one). */
export interface ProxyArgs {
    /** `HTTP_PROXY`, e.g. `http://proxy.contoso.local:3128`. */
    http?: pulumi.Input<string>;
    /** `HTTPS_PROXY`. */
    https?: pulumi.Input<string>;
    /** `NO_PROXY`: hosts, domains (`.svc`) and CIDRs reached directly. */
    noProxy?: string[];
}

/** TLS cipher suites the gateway allows (`net.{server,client}.tls.ciphers.allowed-suites`). */
export interface TlsArgs {
    /** Suites for connections from clients, e.g. `["TLS_AES_256_GCM_SHA384"]`. Default: the gateway's. */
    serverCipherSuites?: string[];
    /** Suites for connections to backends. Default: the gateway's. */
    clientCipherSuites?: string[];
}

/** The gateway's ServiceAccount. */
export interface ServiceAccountArgs {
    /**
     * Use this existing ServiceAccount instead of creating one (then `annotations` and `labels` are
     * refused). With workload identity, `"default"` is refused (every pod of the namespace runs as it,
     * so any of them could sign in as the gateway), any other name is warned about (every pod that
     * runs as it can), and you annotate it with `azure.workload.identity/client-id` yourself.
     */
    existingName?: string;
    /** Extra annotations of the created ServiceAccount. */
    annotations?: Record<string, string>;
    /** Extra labels of the created ServiceAccount. */
    labels?: Record<string, string>;
}

/** Gateway configuration (the ConfigMap read through `envFrom`). */
export interface ConfigurationArgs {
    /**
     * `config.service.endpoint`. Default `<serviceName>.configuration.azure-api.net`;
     * set it for a custom domain on the configuration endpoint.
     */
    endpoint?: pulumi.Input<string>;
    /**
     * Any other gateway setting, passed through as is (like the Helm chart's `configuration.additional`),
     * e.g. `net.server.http.forwarded.proto.enabled`. Keys the component manages through a typed
     * option (endpoint, auth, telemetry, …) are refused with a pointer to that option.
     */
    settings?: Record<string, pulumi.Input<string>>;
}

/** Local copy of the last downloaded configuration, so a pod can restart while Azure is unreachable. */
export interface ConfigBackupArgs {
    /** Default `true`. */
    enabled?: boolean;
    /** Use this existing PersistentVolumeClaim instead of creating one (then `storageClassName`, `accessMode` and `size` are refused). */
    existingClaimName?: string;
    /** Storage class of the created claim. Default: the cluster's default class. */
    storageClassName?: string;
    /** Access mode. Default `ReadWriteMany`, so every replica mounts the same backup. */
    accessMode?: VolumeAccessMode;
    /** Size. Default `50Mi`. */
    size?: string;
}

/** Logs written to the container's standard output. */
export interface StdLogsArgs {
    /** `telemetry.logs.std`. Default `text`. */
    format?: StdLogFormat;
    /** `telemetry.logs.std.level`. Default `info`. */
    level?: LogLevel;
    /** `telemetry.logs.std.color`. Default `false`: log collectors do not render ANSI colours. */
    color?: boolean;
}

/** Local request logs (`telemetry.logs.local`). */
export interface LocalLogsArgs {
    /** Default `auto`. */
    type: LocalLogType;
    /**
     * Endpoint for `localsyslog`, `rfc5424`, `journal` and `json` (e.g. a Fluent Bit sidecar at
     * `127.0.0.1:8888`). `localsyslog` without one writes to the node's `/dev/log`, mounted through
     * a hostPath volume (as the Helm chart does), which the `restricted` Pod Security level forbids.
     */
    endpoint?: string;
    /** Syslog facility for `localsyslog` and `rfc5424`, 0 to 23. */
    facility?: number;
}

/** StatsD metrics, e.g. to a `statsd_exporter` for Prometheus. */
export interface StatsdMetricsArgs {
    /** `host:port` of the StatsD server. */
    endpoint: string;
    /** Sampling rate, above 0 and at most 1. Default `1`. */
    sampling?: number;
    /** Tag format: `librato`, `dogStatsD`, `influxDB` or `none`. Default `dogStatsD`. */
    tagFormat?: StatsdTagFormat;
}

/** OpenTelemetry metrics to a collector. */
export interface OpenTelemetryMetricsArgs {
    /** Collector URI, e.g. `http://otel-collector.monitoring:4317/`. */
    collectorUri: string;
    /** Histogram buckets, in seconds. */
    histogramBuckets?: number[];
    /** Also export system metrics (CPU, memory). Default `false`. */
    systemMetrics?: boolean;
}

/** Local monitoring, so telemetry survives a loss of connectivity to Azure. */
export interface ObservabilityArgs {
    logs?: { std?: StdLogsArgs; local?: LocalLogsArgs };
    /**
     * Local metrics, StatsD and OpenTelemetry each on its own or both together. Default none. For
     * Prometheus, send StatsD to a `statsd_exporter` (or use an OpenTelemetry collector with a
     * Prometheus exporter) and scrape that.
     */
    metrics?: { statsd?: StatsdMetricsArgs; openTelemetry?: OpenTelemetryMetricsArgs };
    /** Send metrics to Azure Monitor (`telemetry.metrics.cloud`). Default `true`. */
    azureMonitor?: boolean;
}

/** High availability: spread, anti-affinity and the disruption budget. */
export interface HighAvailabilityArgs {
    /**
     * Topology spread across `topology.kubernetes.io/zone` and `kubernetes.io/hostname`.
     * Default enabled, `maxSkew` 1.
     */
    topologySpread?: {
        enabled?: boolean;
        /** Default `ScheduleAnyway`, so a cluster without zones still schedules. */
        whenUnsatisfiable?: WhenUnsatisfiable;
        /** Default `["topology.kubernetes.io/zone", "kubernetes.io/hostname"]`. */
        topologyKeys?: string[];
    };
    /** Pod anti-affinity on `kubernetes.io/hostname`. Default `none` (spread constraints cover it). */
    podAntiAffinity?: PodAntiAffinityMode;
    /** A `policy/v1` PodDisruptionBudget selecting exactly the gateway pods. */
    disruptionBudget?: {
        /** Default `true`. */
        enabled?: boolean;
        /** Default `1`. Exclusive with `minAvailable`. */
        maxUnavailable?: number | string;
        /** Exclusive with `maxUnavailable`. */
        minAvailable?: number | string;
    };
}

/** Thresholds of one probe; the path and port are the gateway's own. */
export interface ProbeTuningArgs {
    initialDelaySeconds?: number;
    periodSeconds?: number;
    timeoutSeconds?: number;
    failureThreshold?: number;
}

/** Startup, readiness and liveness probes on `/status-0123456789abcdef` (port 8080). */
export interface ProbesArgs {
    /** Default period 5 s, failure threshold 60: five minutes for a configuration restore. */
    startup?: ProbeTuningArgs;
    /** Default period 5 s, failure threshold 3. */
    readiness?: ProbeTuningArgs;
    /** Default period 10 s, failure threshold 3. */
    liveness?: ProbeTuningArgs;
}

/**
 * NetworkPolicy of the gateway pods. Enforced only where the cluster's network plugin implements
 * NetworkPolicy (on AKS: Azure Network Policy Manager, Calico or Cilium); elsewhere it is stored
 * and ignored.
 */
export interface NetworkPolicyArgs {
    /**
     * Default `true` in production, `false` in development. Ingress: the traffic ports from
     * `trafficFrom`, the instance-discovery UDP ports only from the gateway's own pods. Egress:
     * everything but the instance metadata endpoint 169.254.169.254 (its managed-identity tokens
     * are the node's, not the gateway's, which authenticates without them in every auth mode).
     */
    enabled?: boolean;
    /**
     * Who may reach the traffic ports 8080/8081 (needs `enabled: true`; an empty list is refused
     * because Kubernetes reads it as "anyone"). Default: where the Service's clients come from:
     * the `loadBalancerSourceRanges` of a `LoadBalancer` Service with `externalTrafficPolicy:
     * Local` (which keeps the callers' IPs), otherwise everyone (it is an API gateway, reached
     * through the load balancer, node ports, an ingress or an application gateway);
     * instance-discovery UDP 4290/4291 is always limited to the gateway's own pods.
     */
    trafficFrom?: k8s.types.input.networking.v1.NetworkPolicyPeer[];
}

/** Arguments of {@link SelfHostedGateway}. */
export interface SelfHostedGatewayArgs {
    /** Resource group of the API Management service. */
    resourceGroupName: pulumi.Input<string>;
    /** Name of the API Management service. */
    serviceName: pulumi.Input<string>;
    /** Gateway id in API Management: 1 to 80 characters, not `managed`. */
    gatewayId: string;
    /** Where the gateway runs, as shown in the portal. Required when the gateway is created. */
    location?: GatewayLocationArgs;
    /** Description of the gateway (max 1000 characters). */
    description?: pulumi.Input<string>;
    /**
     * Adopt a gateway entity that already exists instead of creating one; no azure-native
     * resource is created for it. Requires `subscriptionId`.
     */
    existingGateway?: boolean;
    /**
     * Subscription of the API Management service. Required with `existingGateway`;
     * otherwise taken from the created gateway's resource id.
     */
    subscriptionId?: pulumi.Input<string>;
    /** API ids to associate with the gateway (one `GatewayApiEntityTag` each). */
    apiIds?: string[];
    /** Hostname configurations of the gateway. */
    hostnameConfigurations?: GatewayHostnameConfigurationArgs[];
    /** Certificate authorities of the gateway. */
    certificateAuthorities?: GatewayCertificateAuthorityArgs[];

    /** Enforcement of the production guidance. Default `production`. */
    profile?: Profile;
    /**
     * Base name of the Kubernetes objects, a DNS-1035 label (lower-case, starting with a letter).
     * Required when `gatewayId` is not one. Default: `gatewayId` when it is a valid DNS label of
     * at most 44 characters (room for `-instance-discovery`).
     */
    kubernetesName?: string;
    /** Namespace. Default: a dedicated `apim-gateway` namespace, created. */
    namespace?: NamespaceArgs;
    /** Replica count. Default `3`; at least 2 in production. Refused together with `autoscaling`. */
    replicas?: number;
    /** Horizontal pod autoscaling. Off by default. */
    autoscaling?: AutoscalingArgs;
    /**
     * Leave `spec.replicas` to an autoscaler outside the component (e.g. KEDA), without an HPA of
     * ours. Default `false`; refused together with `replicas` or `autoscaling`.
     */
    externalAutoscaler?: boolean;
    /** Rolling-update settings. Default `maxUnavailable: 0`, `maxSurge: 25%`. */
    rollingUpdate?: RollingUpdateArgs;
    /** Container resources. Default requests cpu 2, memory 2Gi; no limits. */
    resources?: ResourcesArgs;
    /** Container image. Default the pinned `GATEWAY_IMAGE_VERSION` from Microsoft's registry. */
    image?: ImageArgs;
    /** DNS policy and configuration. Default `ClusterFirst`. */
    dns?: DnsArgs;
    /** Live-traffic Service. Default `LoadBalancer` with `externalTrafficPolicy: Local`. */
    service?: ServiceArgs;
    /** Gateway configuration endpoint and extra settings. */
    configuration?: ConfigurationArgs;
    /**
     * PEM CA certificates to trust for the configuration endpoint (a custom domain signed by a
     * private CA). One CA certificate per entry (leaf certificates and bundles are refused).
     * An init container merges them with the image's system bundle and the gateway gets
     * `SSL_CERT_FILE` pointing at the result (OpenSSL, which .NET uses on Linux, honours it).
     */
    customCaCertificates?: string[];
    /** Configuration backup on a PersistentVolumeClaim at `/apim/config`. Default on. */
    configBackup?: ConfigBackupArgs;
    /** Local logs and metrics. */
    observability?: ObservabilityArgs;
    /** Topology spread, anti-affinity and disruption budget. */
    highAvailability?: HighAvailabilityArgs;
    /** Probe thresholds. */
    probes?: ProbesArgs;
    /** Grace period for in-flight requests on shutdown. Default `60`. */
    terminationGracePeriodSeconds?: number;
    /** NetworkPolicy. Default on in production. */
    networkPolicy?: NetworkPolicyArgs;
    /** Authentication to the configuration endpoint. Default `{ type: "token" }`. */
    auth?: GatewayAuthArgs;
    /** Access token settings; `validityDays` and `renewBeforeDays` are refused with another auth type. */
    token?: TokenArgs;
    /** Azure cloud of the ARM endpoint used to generate tokens. Default the public cloud. */
    azureCloud?: AzureCloudSettings;

    /** Outbound HTTP proxy: the gateway's `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY`. */
    proxy?: ProxyArgs;
    /** Extra `/etc/hosts` entries of the pods (e.g. the configuration endpoint on a private IP). */
    hostAliases?: k8s.types.input.core.v1.HostAlias[];
    /** ServiceAccount annotations and labels, or an existing ServiceAccount. */
    serviceAccount?: ServiceAccountArgs;
    /** TLS cipher suites. */
    tls?: TlsArgs;
    /** Instance-discovery ports. */
    instanceDiscovery?: InstanceDiscoveryArgs;

    /** Node selector for the gateway pods. */
    nodeSelector?: Record<string, string>;
    /** Tolerations for the gateway pods. */
    tolerations?: k8s.types.input.core.v1.Toleration[];
    /** Affinity for the gateway pods; exclusive with `highAvailability.podAntiAffinity`. */
    affinity?: k8s.types.input.core.v1.Affinity;
    /** Priority class of the gateway pods. */
    priorityClassName?: string;
    /**
     * Extra labels on every Kubernetes object and the pods (never part of a selector). The
     * `app.kubernetes.io/{name,instance,managed-by,version}` and `azure.workload.identity/use` keys
     * are the component's and refused.
     */
    labels?: Record<string, string>;
    /** Extra pod-template annotations; the `apim-gateway.pulumi.com/` prefix is reserved for the checksums. */
    podAnnotations?: Record<string, string>;
    /**
     * Extra environment variables of the gateway container, after the managed ones. Names the
     * component manages (`config.service.auth`, the ConfigMap's settings, `SSL_CERT_FILE` with
     * custom CAs) are refused: env would silently override them.
     */
    env?: k8s.types.input.core.v1.EnvVar[];
    /**
     * Environment variables whose values are secrets (backend keys, connection strings): stored in
     * a content-named Secret and read through `secretKeyRef`, so neither the Deployment nor the
     * state shows them and a new value rolls the pods. Names follow the same rules as `env`.
     */
    secretEnv?: Record<string, pulumi.Input<string>>;
}
