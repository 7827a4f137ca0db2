import { strict as assert } from "node:assert";
import { SelfHostedGatewayArgs } from "../../components";
import { build, expectRejected, fixture, hashedConfigMap, K8S, object } from "./support";

interface RejectionCase {
    title: string;
    args: Partial<SelfHostedGatewayArgs>;
    /** Fragments the message must contain: the argument, the rule and the fix. */
    message: string[];
}

/** Rules that hold in every profile; each case also runs with profile "development". */
const ALWAYS_REJECTED: RejectionCase[] = [
    {
        title: "a gatewayId over 80 characters",
        args: { gatewayId: "g".repeat(81), kubernetesName: "gw" },
        message: ["`gatewayId`", "1 to 80 characters", "got 81", "Choose a shorter gateway id"],
    },

    {
        title: 'the reserved gatewayId "managed" in any case',
        args: { gatewayId: "Managed", kubernetesName: "gw" },
        message: ["`gatewayId`", '"managed"', "Choose another gateway id"],
    },
    {
        title: "a gatewayId unusable as Kubernetes name without kubernetesName",
        args: { gatewayId: "Contoso_GW" },
        message: ["`kubernetesName` is needed", '"Contoso_GW"', "DNS-1035", "Set kubernetesName"],
    },
    {
        title: "a gatewayId longer than 44 characters without kubernetesName",
        args: { gatewayId: "g".repeat(45) },
        message: ["`kubernetesName` is needed", "at most 44 characters"],
    },
    { title: "an invalid kubernetesName", args: { kubernetesName: "9gateway" }, message: ["`kubernetesName`", '"9gateway"', "DNS-1035"] },
    { title: "a missing serviceName", args: { serviceName: "" }, message: ["`serviceName` is required"] },
    {
        title: "token.validityDays above the API's 30",
        args: { token: { validityDays: 31 } },
        message: ["`token.validityDays`", "1 to 30", "longest token lifetime", "got 31", "Use 30 or less"],
    },
    {
        title: "token.validityDays of 0",
        args: { token: { validityDays: 0 } },
        message: ["`token.validityDays`", "got 0", "Use a whole number from 1 to 30"],
    },
    {
        title: "a negative token.validityDays, with a fix that fits",
        args: { token: { validityDays: -5 } },
        message: ["`token.validityDays`", "got -5", "Use a whole number from 1 to 30"],
    },
    { title: "fractional token.validityDays", args: { token: { validityDays: 1.5 } }, message: ["`token.validityDays`", "whole number"] },
    {
        title: "token.renewBeforeDays not below validityDays",
        args: { token: { validityDays: 7, renewBeforeDays: 7 } },
        message: ["`token.renewBeforeDays`", "(7) must be less than validityDays (7)", "Lower renewBeforeDays"],
    },
    {
        title: "token.renewBeforeDays not below the default validity",
        args: { token: { renewBeforeDays: 30 } },
        message: ["`token.renewBeforeDays`", "(30)"],
    },
    {
        title: "negative token.renewBeforeDays",
        args: { token: { renewBeforeDays: -1 } },
        message: ["`token.renewBeforeDays`", "at least 1"],
    },
    {
        title: "token.renewBeforeDays of 0 (a daily rotation could miss expiry)",
        args: { token: { renewBeforeDays: 0 } },
        message: ["`token.renewBeforeDays`", "at least 1", "got 0"],
    },
    {
        title: "token settings with non-token auth",
        args: { auth: { type: "workloadIdentity", clientId: "c" }, token: { validityDays: 10 } },
        message: ["`token`", "validityDays", "only to token auth"],
    },
    { title: "negative replicas", args: { replicas: -1 }, message: ["`replicas`", "whole number"] },
    {
        title: "replicas together with autoscaling",
        args: { replicas: 3, autoscaling: { minReplicas: 2, maxReplicas: 4 } },
        message: ["`replicas` cannot be combined with autoscaling", "Remove replicas"],
    },
    {
        title: "autoscaling.minReplicas of 0",
        args: { autoscaling: { minReplicas: 0, maxReplicas: 4 } },
        message: ["`autoscaling.minReplicas` must be a whole number of at least 1, got 0"],
    },
    {
        title: "autoscaling.maxReplicas of 0",
        args: { autoscaling: { minReplicas: 2, maxReplicas: 0 } },
        message: ["`autoscaling.maxReplicas` must be a whole number of at least 1, got 0"],
    },
    {
        title: "an autoscaler target of 0%",
        args: { autoscaling: { minReplicas: 2, maxReplicas: 4, targetCpuUtilizationPercentage: 0 }, resources: { requests: { cpu: "1" } } },
        message: ["`autoscaling.targetCpuUtilizationPercentage` must be a whole percentage of at least 1, got 0"],
    },
    {
        title: "a progress deadline of zero seconds",
        args: { rollingUpdate: { progressDeadlineSeconds: 0 } },
        message: ["`rollingUpdate.progressDeadlineSeconds` must be a whole number of seconds of at least 1, got 0"],
    },
    {
        title: "a negative probe delay and a zero failure threshold",
        args: { probes: { readiness: { initialDelaySeconds: -1 }, liveness: { failureThreshold: 0 } } },
        message: [
            "`probes.readiness.initialDelaySeconds` must be a whole number of at least 0, got -1",
            "`probes.liveness.failureThreshold` must be a whole number of at least 1, got 0",
        ],
    },
    {
        title: "autoscaling.maxReplicas below minReplicas",
        args: { autoscaling: { minReplicas: 4, maxReplicas: 3 } },
        message: ["`autoscaling.maxReplicas`", "(3) is below autoscaling.minReplicas (4)"],
    },
    {
        title: "an autoscaler memory target without a memory request",
        args: {
            autoscaling: { minReplicas: 2, maxReplicas: 4, targetMemoryUtilizationPercentage: 80 },
            resources: { requests: { cpu: "1" } },
            profile: "development",
        },
        message: ["`autoscaling.targetMemoryUtilizationPercentage`", "memory request", "Set resources.requests.memory"],
    },
    {
        title: "an invalid rolling-update value",
        args: { rollingUpdate: { maxSurge: "lots" } },
        message: ["`rollingUpdate.maxSurge`", '"lots"'],
    },
    { title: "a rolling update that cannot progress", args: { rollingUpdate: { maxSurge: 0 } }, message: ["`rollingUpdate`", "both 0"] },
    {
        title: "a rollout wait of zero seconds",
        args: { rollingUpdate: { timeoutSeconds: 0 } },
        message: ["`rollingUpdate.timeoutSeconds`", "at least 1"],
    },
    {
        title: "a malformed resource quantity",
        args: { resources: { requests: { cpu: "two", memory: "2Gi" } } },
        message: ["`resources.requests.cpu`", '"two"', "quantity"],
    },
    {
        title: "a request above its limit",
        args: { resources: { requests: { cpu: "2", memory: "4Gi" }, limits: { memory: "2Gi" } } },
        message: ["`resources.requests.memory`", "(4Gi) exceeds resources.limits.memory (2Gi)"],
    },
    { title: "a malformed digest", args: { image: { digest: "sha256:abc" } }, message: ["`image.digest`", "64 lower-case hex"] },
    {
        title: "a repository that carries a tag",
        args: { image: { repository: "myregistry.azurecr.io/apim/gateway:2.11.1" } },
        message: ["`image.repository`", "includes a tag or digest", "image.tag"],
    },
    { title: "an invalid tag", args: { image: { tag: "2.11.1 " } }, message: ["`image.tag`", "not a valid image tag"] },
    {
        title: "an invalid image pull secret name",
        args: { image: { pullSecrets: ["Registry_Creds"] } },
        message: ["`image.pullSecrets`", "Registry_Creds"],
    },
    {
        title: 'dns policy "None" without a config',
        args: { dns: { policy: "None" } },
        message: ["`dns.config`", 'policy "None"', "nameservers"],
    },
    {
        title: 'dns policy "None" with no nameserver',
        args: { dns: { policy: "None", config: { nameservers: [] } } },
        message: ['`dns.config` is required with dns.policy "None" and must list at least one nameserver'],
    },
    {
        title: 'dns policy "None" with searches only',
        args: { dns: { policy: "None", config: { searches: ["corp.contoso.com"] } } },
        message: ["`dns.config` is required", "Set dns.config.nameservers"],
    },
    {
        title: "an https proxy that is not a URL",
        args: { proxy: { https: "proxy:3129" } },
        message: ['`proxy.https` "proxy:3129" is not a proxy URL'],
    },
    {
        title: "an empty noProxy entry",
        args: { proxy: { noProxy: [".svc", ""] } },
        message: ['`proxy.noProxy[1]` "" is not a host, domain or CIDR'],
    },
    {
        title: "an instance discovery port above 65535",
        args: { instanceDiscovery: { heartbeatPort: 65536 } },
        message: ["`instanceDiscovery.heartbeatPort` must be a port number 1 to 65535, got 65536"],
    },
    {
        title: "an instance discovery port on the gateway's https port",
        args: { instanceDiscovery: { heartbeatPort: 8081 } },
        message: ["`instanceDiscovery.heartbeatPort` (8081) is already the gateway's https port"],
    },
    {
        title: "an internal exposure with the internal load balancer annotation off",
        args: { service: { exposure: "internal", annotations: { "service.beta.kubernetes.io/azure-load-balancer-internal": "false" } } },
        message: ['`service.exposure` is "internal" but service.annotations sets', ': "false"'],
    },
    {
        title: "externalTrafficPolicy on a ClusterIP Service",
        args: { service: { type: "ClusterIP", externalTrafficPolicy: "Local" } },
        message: ["`service.externalTrafficPolicy`", "only to LoadBalancer and NodePort", '"ClusterIP"'],
    },
    {
        title: "loadBalancerSourceRanges on a NodePort Service",
        args: { service: { type: "NodePort", loadBalancerSourceRanges: ["10.0.0.0/8"] } },
        message: ["`service.loadBalancerSourceRanges`", "LoadBalancer"],
    },
    {
        title: "loadBalancerIP on a NodePort Service",
        args: { service: { type: "NodePort", loadBalancerIP: "10.1.2.3" } },
        message: ['`service.loadBalancerIP` applies only to a LoadBalancer Service, not "NodePort"', "use service.type LoadBalancer"],
    },
    {
        title: "a rolling update of 0% unavailable and 0% surge",
        args: { rollingUpdate: { maxUnavailable: "0%", maxSurge: "0%" } },
        message: ["`rollingUpdate` has maxUnavailable and maxSurge both 0", "Keep maxSurge above 0"],
    },
    {
        title: "the same port for http and https",
        args: { service: { ports: { http: 8443, https: 8443 } } },
        message: ["`service.ports`", "8443 for both"],
    },
    {
        title: "a pass-through setting colliding with a managed one",
        args: { configuration: { settings: { "telemetry.logs.std.level": "debug" } } },
        message: ['`configuration.settings["telemetry.logs.std.level"]`', "collides", "observability.logs.std.level"],
    },
    {
        title: "a pass-through setting whose name the gateway cannot read",
        args: { configuration: { settings: { "net server": "x" } } },
        message: ['`configuration.settings["net server"]` is not a valid setting name', "Fix the key"],
    },
    {
        title: "a pass-through setting colliding with a managed one in another spelling",
        args: { configuration: { settings: { TELEMETRY__LOGS_STD_LEVEL: "debug" } } },
        message: [
            '`configuration.settings["TELEMETRY__LOGS_STD_LEVEL"]` collides with a setting the component manages (from observability.logs.std.level)',
            "(the gateway reads it as telemetry.logs.std.level: names ignore case, and '_' stands for '.')",
        ],
    },
    {
        title: "a pass-through setting overriding the auth",
        args: { configuration: { settings: { "config.service.auth": "x" } } },
        message: ['`configuration.settings["config.service.auth"]`', "collides", "use auth"],
    },
    {
        title: "an env var overriding config.service.auth",
        args: { env: [{ name: "config.service.auth", value: "GatewayKey x" }] },
        message: ["`env[0].name`", "must not set config.service.auth", "auth"],
    },
    {
        title: "an env var overriding a managed setting",
        args: { env: [{ name: "gateway.name", value: "x" }] },
        message: ["`env[0].name`", "gateway.name", "gatewayId"],
    },
    {
        title: "an env var overriding SSL_CERT_FILE with custom CAs",
        args: { customCaCertificates: [fixture("private-root-ca.pem")], env: [{ name: "SSL_CERT_FILE", value: "/x" }] },
        message: ["`env[0].name`", "SSL_CERT_FILE"],
    },
    {
        title: "a duplicated env var",
        args: {
            env: [
                { name: "FEATURE_FLAGS", value: "a" },
                { name: "FEATURE_FLAGS", value: "b" },
            ],
        },
        message: ["`env[1].name`", "listed twice"],
    },
    {
        title: "a custom CA that is a leaf certificate",
        args: { customCaCertificates: [fixture("private-root-ca.pem"), fixture("leaf-not-ca.pem")] },
        message: ["`customCaCertificates[1]`", "not a CA certificate", "config.contoso.test"],
    },
    {
        title: "a custom CA that is not PEM",
        args: { customCaCertificates: ["not a certificate"] },
        message: ["`customCaCertificates[0]`", "not a PEM certificate"],
    },
    {
        title: "a custom CA PEM that does not parse",
        args: { customCaCertificates: ["-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"] },
        message: ["`customCaCertificates[0]`", "cannot be parsed"],
    },
    {
        title: "a custom CA entry holding a bundle",
        args: { customCaCertificates: [fixture("private-root-ca.pem") + fixture("second-ca.pem")] },
        message: ["`customCaCertificates[0]`", "holds 2 certificates", "one certificate per entry"],
    },
    {
        title: "an existing claim with claim settings",
        args: { configBackup: { existingClaimName: "backup", size: "1Gi" } },
        message: ["`configBackup.size` has no effect with configBackup.existingClaimName"],
    },
    { title: "an invalid backup size", args: { configBackup: { size: "fifty" } }, message: ["`configBackup.size`", "quantity"] },
    {
        title: "both maxUnavailable and minAvailable on the disruption budget",
        args: { highAvailability: { disruptionBudget: { maxUnavailable: 1, minAvailable: 2 } } },
        message: ["`highAvailability.disruptionBudget`", "both maxUnavailable and minAvailable"],
    },
    {
        title: "podAntiAffinity together with affinity.podAntiAffinity",
        args: {
            highAvailability: { podAntiAffinity: "required" },
            affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } },
        },
        message: ["`highAvailability.podAntiAffinity`", "affinity.podAntiAffinity"],
    },
    {
        title: "empty topology keys",
        args: { highAvailability: { topologySpread: { topologyKeys: [] } } },
        message: ["`highAvailability.topologySpread.topologyKeys` is empty"],
    },
    {
        title: "a zero probe period",
        args: { probes: { startup: { periodSeconds: 0 } } },
        message: ["`probes.startup.periodSeconds`", "at least 1"],
    },
    { title: "a negative grace period", args: { terminationGracePeriodSeconds: -5 }, message: ["`terminationGracePeriodSeconds`"] },
    {
        title: "networkPolicy.trafficFrom without enabling the policy",
        args: { networkPolicy: { enabled: false, trafficFrom: [{ namespaceSelector: {} }] } },
        message: ["`networkPolicy.trafficFrom`", "networkPolicy.enabled"],
    },
    {
        title: "service.exposure on a ClusterIP Service",
        args: { service: { type: "ClusterIP", exposure: "internal" } },
        message: ["`service.exposure`", 'service.type is "ClusterIP"'],
    },
    {
        title: "service.exposure public with the internal load balancer annotation",
        args: { service: { exposure: "public", annotations: { "service.beta.kubernetes.io/azure-load-balancer-internal": "true" } } },
        message: ['`service.exposure` is "public"', "azure-load-balancer-internal"],
    },
    {
        title: "an empty networkPolicy.trafficFrom",
        args: { networkPolicy: { enabled: true, trafficFrom: [] } },
        message: ["`networkPolicy.trafficFrom` is empty", "from anywhere"],
    },
    {
        title: "a facility on a local log type without one",
        args: { observability: { logs: { local: { type: "json", facility: 3 } } } },
        message: ["`observability.logs.local.facility`", '"json"'],
    },
    {
        title: "a local log endpoint on a log type without one",
        args: { observability: { logs: { local: { type: "auto", endpoint: "127.0.0.1:514" } } } },
        message: ['`observability.logs.local.endpoint` does not apply to local log type "auto"', "localsyslog, rfc5424, journal or json"],
    },
    {
        title: "an empty local log endpoint",
        args: { observability: { logs: { local: { type: "json", endpoint: "" } } } },
        message: ["`observability.logs.local.endpoint` must be a non-empty host:port"],
    },
    {
        title: "a syslog facility above 23",
        args: { observability: { logs: { local: { type: "rfc5424", facility: 24 } } } },
        message: ["`observability.logs.local.facility` must be a syslog facility 0 to 23, got 24"],
    },
    {
        title: "a negative syslog facility",
        args: { observability: { logs: { local: { type: "localsyslog", facility: -1 } } } },
        message: ["`observability.logs.local.facility` must be a syslog facility 0 to 23, got -1"],
    },
    {
        title: "a statsd sampling rate of 0",
        args: { observability: { metrics: { statsd: { endpoint: "statsd:8125", sampling: 0 } } } },
        message: ["`observability.metrics.statsd.sampling` must be above 0 and at most 1, got 0"],
    },
    ...[
        ["no histogram buckets", []],
        ["a histogram bucket of 0", [0, 1]],
        ["a histogram bucket repeated", [0.5, 1, 1]],
    ].map(([what, histogramBuckets]) => ({
        title: what as string,
        args: {
            observability: {
                metrics: { openTelemetry: { collectorUri: "http://otel:4317", histogramBuckets: histogramBuckets as number[] } },
            },
        },
        message: ["`observability.metrics.openTelemetry.histogramBuckets` must be positive numbers in ascending order"],
    })),
    {
        title: "a statsd endpoint without a port",
        args: { observability: { metrics: { statsd: { endpoint: "statsd" } } } },
        message: ["`observability.metrics.statsd.endpoint`", "host:port"],
    },
    {
        title: "a statsd sampling rate above 1",
        args: { observability: { metrics: { statsd: { endpoint: "statsd:8125", sampling: 2 } } } },
        message: ["`observability.metrics.statsd.sampling`"],
    },
    {
        title: "an OpenTelemetry collector that is not a URL",
        args: { observability: { metrics: { openTelemetry: { collectorUri: "otel:4317" } } } },
        message: ["`observability.metrics.openTelemetry.collectorUri`", "http(s)"],
    },
    {
        title: "unordered histogram buckets",
        args: { observability: { metrics: { openTelemetry: { collectorUri: "http://otel:4317", histogramBuckets: [1, 0.5] } } } },
        message: ["`observability.metrics.openTelemetry.histogramBuckets`", "ascending"],
    },
    {
        title: "a user label that would change the selector",
        args: { labels: { "app.kubernetes.io/name": "mine" } },
        message: ['`labels["app.kubernetes.io/name"]`', "set by the component"],
    },
    {
        title: "a label value that Kubernetes refuses",
        args: { labels: { team: "platform team" } },
        message: ['`labels["team"]`', "not a valid label value"],
    },
    {
        title: "a label key Kubernetes refuses, in nodeSelector",
        args: { nodeSelector: { "bad key": "x" } },
        message: ['`nodeSelector["bad key"]` is not a valid label key', "[prefix/]name"],
    },
    {
        title: "a pod annotation key Kubernetes refuses",
        args: { podAnnotations: { "bad key": "x" } },
        message: ['`podAnnotations["bad key"]` is not a valid annotation key'],
    },
    {
        title: "a PriorityClass name Kubernetes refuses",
        args: { priorityClassName: "Gateway_Critical" },
        message: ['`priorityClassName` "Gateway_Critical" is not a valid PriorityClass name'],
    },
    {
        title: "an env var name holding '=' and an empty one",
        args: {
            env: [
                { name: "A=B", value: "x" },
                { name: "", value: "y" },
            ],
        },
        message: ['`env[0].name` "A=B" is not an environment variable name', '`env[1].name` "" is not an environment variable name'],
    },
    {
        title: "an env var setting the Entra client secret",
        args: { env: [{ name: "config.service.auth.azureAd.clientSecret", value: "x" }] },
        message: ["`env[0].name` must not set config.service.auth.azureAd.clientSecret: it comes from auth.clientSecret"],
    },
    {
        title: "a pod annotation in the component's checksum prefix",
        args: { podAnnotations: { "apim-gateway.pulumi.com/token-checksum": "x" } },
        message: ['`podAnnotations["apim-gateway.pulumi.com/token-checksum"]`', "checksums own"],
    },
    { title: "an unknown auth type", args: { auth: { type: "certificate" } as never }, message: ["`auth.type`", '"certificate"'] },
    {
        title: "workload identity without a client id",
        args: { auth: { type: "workloadIdentity", clientId: "" } },
        message: ["`auth.clientId` is required"],
    },
    {
        title: "workload identity on a gateway older than 2.11",
        args: { auth: { type: "workloadIdentity", clientId: "c" }, image: { tag: "2.10.0" } },
        message: ["`auth`", "2.11.0 or later", '"2.10.0"'],
    },
    {
        title: "an Entra app without its secret",
        args: { auth: { type: "azureAdApp", tenantId: "t", clientId: "c", clientSecret: "" } },
        message: ["`auth.clientSecret` is required"],
    },
    {
        title: "an unknown profile",
        args: { profile: "staging" as never },
        message: ["`profile`", '"staging"', '"production", "development"'],
    },
    { title: "a duplicated api id", args: { apiIds: ["echo", "echo"] }, message: ["`apiIds`", 'lists "echo" twice'] },
    { title: "an api id with forbidden characters", args: { apiIds: ["a:b"] }, message: ["`apiIds`", '"a:b"'] },
    { title: "an invalid namespace name", args: { namespace: { name: "Gateways" } }, message: ["`namespace.name`", '"Gateways"'] },
    {
        title: "a hostname configuration that is not a hostname",
        args: { hostnameConfigurations: [{ hostname: "api contoso.com", certificateId: "c" }] },
        message: ['`hostnameConfigurations[].hostname` entry "api contoso.com" is invalid: entries must be a hostname'],
    },
    {
        title: "a hostname configured twice",
        args: {
            hostnameConfigurations: [
                { hostname: "api.contoso.com", certificateId: "a" },
                { hostname: "api.contoso.com", certificateId: "b" },
            ],
        },
        message: ['`hostnameConfigurations[].hostname` lists "api.contoso.com" twice', "Keep one entry"],
    },
    {
        title: "a hostname configuration without its certificate",
        args: { hostnameConfigurations: [{ hostname: "api.contoso.com", certificateId: "" }] },
        message: ["`hostnameConfigurations[0].certificateId` is required"],
    },
    {
        title: "a certificate authority without a certificate id",
        args: { certificateAuthorities: [{ certificateId: "" }] },
        message: ['`certificateAuthorities[].certificateId` entry "" is invalid: entries must not be empty'],
    },
    {
        title: "namespace labels on a namespace the component does not create",
        args: { namespace: { name: "gateways", create: false, labels: { team: "platform" } } },
        message: ["`namespace.labels` has no effect with namespace.create: false", "Label the existing namespace yourself"],
    },
    {
        title: "an Entra authority that is not https",
        args: { auth: { type: "azureAdApp", tenantId: "t", clientId: "c", clientSecret: "s", authority: "http://login.test" } },
        message: ['`auth.authority` "http://login.test" is not an https URL', "https://login.microsoftonline.com"],
    },
    {
        title: "an existing token Secret that is not a Secret name",
        args: { auth: { type: "existingTokenSecret", secretName: "Gateway_Token" } },
        message: ['`auth.secretName` "Gateway_Token" is not a Secret name', "in the gateway's namespace"],
    },
    {
        title: "an existing token Secret without a name",
        args: { auth: { type: "existingTokenSecret", secretName: "" } },
        message: ["`auth.secretName` is required"],
    },
    {
        title: "an existing ServiceAccount that is not a ServiceAccount name",
        args: { serviceAccount: { existingName: "Gateway_SA" } },
        message: ['`serviceAccount.existingName` "Gateway_SA" is not a ServiceAccount name'],
    },
    {
        title: "labels and annotations for an existing ServiceAccount",
        args: { serviceAccount: { existingName: "gw-sa", labels: { team: "a" }, annotations: { note: "b" } } },
        message: [
            "`serviceAccount.labels` has no effect with serviceAccount.existingName",
            "`serviceAccount.annotations` has no effect with serviceAccount.existingName",
            "Set them on the existing ServiceAccount, or remove labels",
        ],
    },
    {
        title: "a federated credential issuer that is not https",
        args: {
            auth: {
                type: "workloadIdentity",
                clientId: "c",
                federatedCredential: { issuerUrl: "http://issuer.test", identity: { resourceGroupName: "rg", name: "id" } },
            },
        },
        message: ['`auth.federatedCredential.issuerUrl` "http://issuer.test" is not an https URL'],
    },
    {
        title: "a created identity without its location",
        args: { auth: { type: "workloadIdentity", managedIdentity: { location: "" } } },
        message: ["`auth.managedIdentity.location` is required"],
    },
    {
        title: "a client certificate Secret that is not a Secret name",
        args: { auth: { type: "azureAdApp", tenantId: "t", clientId: "c", clientCertificate: { secretName: "Gateway_Cert" } } },
        message: ['`auth.clientCertificate.secretName` "Gateway_Cert" is not a Secret name'],
    },
    {
        title: "Entra app roles without a principal",
        args: { auth: { type: "azureAdApp", tenantId: "t", clientId: "c", clientSecret: "s", roles: {} } },
        message: ["`auth.roles.principalId` is required"],
    },
    {
        title: "an existing token Secret key with a slash",
        args: { auth: { type: "existingTokenSecret", secretName: "gateway-token", key: "a/b" } },
        message: ['`auth.key` "a/b" is not a valid Secret key', '"GatewayKey <token>"'],
    },
    {
        title: "a client certificate Secret key with a slash",
        args: {
            auth: { type: "azureAdApp", tenantId: "t", clientId: "c", clientCertificate: { secretName: "gateway-cert", key: "a/b" } },
        },
        message: ['`auth.clientCertificate.key` "a/b" is not a valid Secret key', '"certificate.pfx"'],
    },
    {
        title: "an invalid backup StorageClass name",
        args: { configBackup: { storageClassName: "Fast_SSD" } },
        message: ['`configBackup.storageClassName` "Fast_SSD" is not a valid StorageClass name'],
    },
    {
        title: "an http port of 0",
        args: { service: { ports: { http: 0 } } },
        message: ["`service.ports.http` must be a port number 1 to 65535, got 0"],
    },
    {
        title: "an https port above 65535",
        args: { service: { ports: { https: 65536 } } },
        message: ["`service.ports.https` must be a port number 1 to 65535, got 65536"],
    },
    {
        title: "an autoscaler CPU target without a CPU request",
        args: {
            autoscaling: { minReplicas: 2, maxReplicas: 4, targetCpuUtilizationPercentage: 80 },
            resources: { requests: { memory: "1Gi" } },
            profile: "development",
        },
        message: ["`autoscaling.targetCpuUtilizationPercentage` needs a CPU request", "Set resources.requests.cpu"],
    },
    {
        title: "a disruption budget that is neither a number nor a percentage",
        args: { highAvailability: { disruptionBudget: { minAvailable: "most" } } },
        message: ['`highAvailability.disruptionBudget.minAvailable` must be a whole number or a percentage, got "most"'],
    },
    {
        title: "a negative disruption budget",
        args: { highAvailability: { disruptionBudget: { maxUnavailable: -1 } } },
        message: ["`highAvailability.disruptionBudget.maxUnavailable` must be a whole number or a percentage, got -1"],
    },
];

describe("SelfHostedGateway: validation (every profile)", () => {
    for (const c of ALWAYS_REJECTED) {
        it(`rejects ${c.title}`, async () => {
            await expectRejected(c.args, ...c.message);
            await expectRejected({ profile: "development", ...c.args }, ...c.message);
        });
    }

    it("lets SSL_CERT_FILE through without custom CA certificates", async () => {
        for (const customCaCertificates of [undefined, []]) {
            await build({
                env: [{ name: "SSL_CERT_FILE", value: "/etc/ssl/mine.pem" }],
                ...(customCaCertificates ? { customCaCertificates } : {}),
            });
        }
    });

    it("names no other spelling when a setting collides as written", async () => {
        const error = await expectRejected({ configuration: { settings: { "gateway.name": "x" } } }, "(from gatewayId)");
        assert.doesNotMatch(error.message, /reads it as/);
    });

    it("reports every problem at once", async () => {
        const error = await expectRejected(
            { gatewayId: "g".repeat(81), kubernetesName: "gw", replicas: -1, token: { validityDays: 45 } },
            "3 invalid arguments",
        );
        assert.deepEqual(error.problems.map((p) => p.argument).sort(), ["gatewayId", "replicas", "token.validityDays"].sort());
    });

    it("reports a rule on the raw arguments together with the production profile's problems", async () => {
        // A missing location used to hide the profile's problems until the next run.
        const error = await expectRejected({ location: undefined, replicas: 1, image: { tag: "latest" } }, "3 invalid arguments");
        assert.deepEqual(
            error.problems.map((p) => p.argument),
            ["location", "replicas", "image.tag"],
        );
    });

    it("reports wrongly shaped arguments first and alone, since no other rule can read them", async () => {
        const error = await expectRejected({ replicas: "3" as unknown as number, image: { tag: "latest" } }, "`replicas`");
        assert.deepEqual(
            error.problems.map((p) => p.argument),
            ["replicas"],
        );
    });

    it("accepts a long gatewayId with a kubernetesName, using the latter for object names only", async () => {
        const gatewayId = `Contoso.Gateway.West-Europe-${"x".repeat(40)}`;
        const { recorder } = await build({ gatewayId, kubernetesName: "contoso-west" });
        assert.equal(recorder.one("azure-native:apimanagement:Gateway").inputs.gatewayId, gatewayId);
        assert.equal(object(recorder, K8S.deployment).metadata.name, "contoso-west");
        assert.equal(hashedConfigMap(recorder, "contoso-west-env").data["gateway.name"], gatewayId);
        assert.equal(hashedConfigMap(recorder, "contoso-west-env").data["neighborhood.host"], "contoso-west-instance-discovery");
    });

    it("accepts a gatewayId of exactly 80 characters and a kubernetesName of exactly 44", async () => {
        const { recorder } = await build({ gatewayId: "g".repeat(80), kubernetesName: "k".repeat(44) });
        assert.equal(object(recorder, K8S.service, `${"k".repeat(44)}-instance-discovery`).metadata.name.length, 63);
    });

    it("accepts a renewal trigger with non-token auth (the rotation program's signal, not configuration)", async () => {
        const { recorder } = await build({ auth: { type: "workloadIdentity", clientId: "c" }, token: { renewalTrigger: "force-1" } });
        assert.deepEqual(recorder.ofType("pulumi-nodejs:dynamic/apim-gateway:GatewayToken"), []);
    });

    it("accepts the edges of the workload's ranges: equal replica bounds, a request at its limit, zero delays", async () => {
        const { recorder } = await build({
            autoscaling: { minReplicas: 3, maxReplicas: 3, targetCpuUtilizationPercentage: 1 },
            resources: { requests: { cpu: "1", memory: "2Gi" }, limits: { memory: "2Gi" } },
            probes: { readiness: { initialDelaySeconds: 0 } },
            terminationGracePeriodSeconds: 0,
            rollingUpdate: { progressDeadlineSeconds: 1, timeoutSeconds: 1 },
        });
        assert.equal(object(recorder, K8S.deployment).spec.template.spec.terminationGracePeriodSeconds, 0);
    });

    it("accepts the edges of each observability range: facility 0 and 23, sampling 1, one histogram bucket", async () => {
        for (const facility of [0, 23]) {
            await build({ observability: { logs: { local: { type: "rfc5424", endpoint: "127.0.0.1:514", facility } } } });
        }
        const { recorder } = await build({
            observability: {
                metrics: {
                    statsd: { endpoint: "statsd:8125", sampling: 1 },
                    openTelemetry: { collectorUri: "https://otel:4317", histogramBuckets: [0.001] },
                },
            },
        });
        assert.equal(hashedConfigMap(recorder, "contoso-gw-env").data["telemetry.metrics.local.statsd.sampling"], "1");
    });

    it("accepts workload identity on the default image and on a digest-pinned image", async () => {
        await build({ auth: { type: "workloadIdentity", clientId: "c" } });
        await build({ auth: { type: "workloadIdentity", clientId: "c" }, image: { digest: `sha256:${"a".repeat(64)}` } });
    });
});
