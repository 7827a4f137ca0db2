/**
 * The gateway image version this package is tested with: the official Helm chart's appVersion.
 * Not 2.12.x: restoring the configuration backup is broken there (startup probe gets 503 and
 * pods crash-loop, Azure/api-management-self-hosted-gateway#418), which defeats the backup.
 */
export const GATEWAY_IMAGE_VERSION = "2.11.1";

/** Microsoft's registry path of the self-hosted gateway image. */
export const DEFAULT_IMAGE_REPOSITORY = "mcr.microsoft.com/azure-api-management/gateway";

/** Pulumi type token of the component. */
export const COMPONENT_TYPE = "apim-gateway:index:SelfHostedGateway";

/** Name of this npm package, also written as `runtime.deployment.artifact.source`. */
export const PACKAGE_NAME = "pulumi-apim-selfhosted-gateway";

/** Container ports of the gateway (fixed by the image). */
export const CONTAINER_PORTS = {
    http: 8080,
    https: 8081,
    rateLimitDiscovery: 4290,
    heartbeat: 4291,
} as const;

/** The gateway's proxy environment variables (also refused in `env`). */
export const PROXY_ENV = { http: "HTTP_PROXY", https: "HTTPS_PROXY", noProxy: "NO_PROXY" } as const;

/** Port names, shared by the container, the Services and the NetworkPolicy. */
export const PORT_NAMES = {
    http: "http",
    https: "https",
    rateLimitDiscovery: "rate-limit-dc",
    heartbeat: "dc-heartbeat",
} as const;

/** Health endpoint of gateway v2 (v0/v1 used `/internal-status-…`, retired in 2023). */
export const STATUS_PATH = "/status-0123456789abcdef";

/** UID and GID the gateway image expects (config backup and local CAs need them). */
export const GATEWAY_UID = 1001;

/** Where the gateway reads and writes its configuration backup; fixed by the image. */
export const CONFIG_BACKUP_MOUNT_PATH = "/apim/config";

/** Prefix of the pod-template annotations this component owns. */
export const ANNOTATION_PREFIX = "apim-gateway.pulumi.com/";

/** Pod-template annotations whose change rolls the pods. */
export const ANNOTATIONS = {
    tokenChecksum: `${ANNOTATION_PREFIX}token-checksum`,
    clientSecretChecksum: `${ANNOTATION_PREFIX}client-secret-checksum`,
    configChecksum: `${ANNOTATION_PREFIX}config-checksum`,
    customCaChecksum: `${ANNOTATION_PREFIX}custom-ca-checksum`,
} as const;

/**
 * The token Secret's annotations: the token's non-secret facts, for `kubectl get secret -o yaml`
 * and kube-state-metrics (`kube_secret_annotations`). On the Secret only, never the pod template:
 * they change with the token, which the Secret's content-addressed name already tracks.
 */
export const TOKEN_SECRET_ANNOTATIONS = {
    expiresAt: `${ANNOTATION_PREFIX}token-expires-at`,
    renewAfter: `${ANNOTATION_PREFIX}token-renew-after`,
    keyType: `${ANNOTATION_PREFIX}token-key-type`,
} as const;

/** Key of the single entry in the token and client-secret Secrets (the portal's convention). */
export const SECRET_VALUE_KEY = "value";

/** Environment variable that carries the gateway token or the auth mode. */
export const AUTH_ENV = "config.service.auth";

/** Environment variable that carries the Entra app's client secret. */
export const CLIENT_SECRET_ENV = "config.service.auth.azureAd.clientSecret";

/** The Entra app settings of the gateway (Microsoft's settings reference, "Configuration API", gateway 2.3+). */
export const ENTRA_SETTINGS = {
    tenantId: "config.service.auth.azureAd.tenantId",
    clientId: "config.service.auth.azureAd.clientId",
    authority: "config.service.auth.azureAd.authority",
    certificatePath: "config.service.auth.azureAd.certificatePath",
} as const;

/** Where the Entra app's certificate Secret is mounted (read-only) in the gateway container. */
export const CLIENT_CERTIFICATE_MOUNT_PATH = "/apim/entra-client-certificate";

/** OpenSSL (used by .NET on Linux) reads its trust bundle from this file when set. */
export const SSL_CERT_FILE_ENV = "SSL_CERT_FILE";

/** Custom CA trust: where the PEMs, the merged bundle and the image's own bundle live. */
export const CUSTOM_CA_PATHS = {
    sourceDir: "/custom-ca",
    bundleDir: "/ca-bundle",
    bundleFile: "/ca-bundle/ca-certificates.crt",
    systemBundle: "/etc/ssl/certs/ca-certificates.crt",
} as const;

/** Default labels used to select the gateway pods. */
export const LABEL_KEYS = {
    name: "app.kubernetes.io/name",
    instance: "app.kubernetes.io/instance",
    managedBy: "app.kubernetes.io/managed-by",
    version: "app.kubernetes.io/version",
    workloadIdentityUse: "azure.workload.identity/use",
} as const;

/** Value of `app.kubernetes.io/name` on every object. */
export const APP_NAME = "apim-selfhosted-gateway";

/** ServiceAccount annotations read by the Azure workload identity webhook. */
export const WORKLOAD_IDENTITY_ANNOTATIONS = {
    clientId: "azure.workload.identity/client-id",
    tenantId: "azure.workload.identity/tenant-id",
} as const;

/**
 * The ServiceAccount Kubernetes creates in every namespace, which every pod that names none runs
 * as; workload identity refuses it, since any such pod could sign in as the gateway.
 */
export const NAMESPACE_DEFAULT_SERVICE_ACCOUNT = "default";

/** First gateway version with workload identity auth. */
export const WORKLOAD_IDENTITY_MIN_VERSION: readonly [number, number, number] = [2, 11, 0];

/** Longest Kubernetes base name: 63 (DNS label) less `-instance-discovery`. */
export const MAX_KUBERNETES_NAME_LENGTH = 44;

/**
 * Namespaces of the cluster itself; a gateway there shares its fate (and its RBAC) with the
 * control plane's add-ons, so production refuses them as it refuses `default`.
 */
export const SYSTEM_NAMESPACES = ["kube-system", "kube-public", "kube-node-lease"] as const;

/** The Pod Security admission label that enforces a level on a namespace. */
export const POD_SECURITY_ENFORCE_LABEL = "pod-security.kubernetes.io/enforce";

/** The Pod Security level a namespace the component creates enforces by default. */
export const DEFAULT_POD_SECURITY_LEVEL = "restricted";

/** The AKS cloud-provider annotation that gives a LoadBalancer Service a private IP in the cluster's virtual network. */
export const AZURE_INTERNAL_LOAD_BALANCER_ANNOTATION = "service.beta.kubernetes.io/azure-load-balancer-internal";

/**
 * The Azure Instance Metadata Service (IMDS): it hands out managed-identity tokens of the node to
 * any pod that reaches it, so the NetworkPolicy denies the gateway's egress to it.
 */
export const INSTANCE_METADATA_CIDR = "169.254.169.254/32";
