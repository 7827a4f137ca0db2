import { strict as assert } from "node:assert";
import { SelfHostedGatewayArgs } from "../../components";
import { RecordedResource } from "../helpers/pulumiMocks";
import { build, fixture } from "./support";

interface ValidatableModel {
    validate(): void;
}
type ModelClass = new (data: Record<string, unknown>) => ValidatableModel;

/**
 * Loads the kubernetes-models class of an object by apiVersion and kind (e.g.
 * `kubernetes-models/apps/v1/Deployment`); the package is ESM-only, hence the dynamic import.
 */
async function modelFor(apiVersion: string, kind: string): Promise<ModelClass> {
    const module = (await import(`kubernetes-models/${apiVersion}/${kind}`)) as Record<string, ModelClass>;
    const model = module[kind];
    assert.equal(typeof model, "function", `kubernetes-models has no ${apiVersion}/${kind}`);
    return model;
}

/** Validates every Kubernetes object against the official OpenAPI schema; returns the kinds seen. */
async function validateAll(objects: RecordedResource[]): Promise<string[]> {
    assert.ok(objects.length > 0);
    const kinds: string[] = [];
    for (const { inputs, name } of objects) {
        const Model = await modelFor(inputs.apiVersion, inputs.kind);
        try {
            new Model(inputs).validate();
        } catch (error) {
            assert.fail(`${inputs.apiVersion}/${inputs.kind} ${name} fails the Kubernetes schema: ${(error as Error).message}`);
        }
        kinds.push(`${inputs.apiVersion}/${inputs.kind}`);
    }
    return kinds.sort();
}

const FULLY_OPTIONED: Partial<SelfHostedGatewayArgs> = {
    apiIds: ["echo-api"],
    hostnameConfigurations: [{ hostname: "api.contoso.com", certificateId: "contoso-cert" }],
    certificateAuthorities: [{ certificateId: "root-ca" }],
    namespace: { name: "edge-gateway", labels: { "pod-security.kubernetes.io/enforce": "restricted" } },
    autoscaling: { minReplicas: 3, maxReplicas: 12, targetCpuUtilizationPercentage: 65, targetMemoryUtilizationPercentage: 80 },
    rollingUpdate: { maxUnavailable: 1, maxSurge: "50%" },
    resources: { requests: { cpu: "2", memory: "2Gi" }, limits: { cpu: "4", memory: "3Gi" } },
    image: { repository: "myregistry.azurecr.io/apim/gateway", tag: "2.11.1", pullPolicy: "Always", pullSecrets: ["acr-pull"] },
    dns: {
        policy: "None",
        config: { nameservers: ["10.0.0.10"], searches: ["corp.contoso.com"], options: [{ name: "ndots", value: "2" }] },
    },
    service: {
        allocateLoadBalancerNodePorts: false,
        type: "LoadBalancer",
        externalTrafficPolicy: "Local",
        loadBalancerIP: "10.1.2.3",
        loadBalancerSourceRanges: ["10.0.0.0/8"],
        exposure: "internal",
        ports: { http: 8080, https: 8443 },
    },
    configuration: { endpoint: "config.contoso.com", settings: { "net.server.http.forwarded.proto.enabled": "true" } },
    customCaCertificates: [fixture("private-root-ca.pem"), fixture("second-ca.pem")],
    configBackup: { storageClassName: "azurefile-csi", size: "100Mi", accessMode: "ReadWriteMany" },
    observability: {
        logs: { std: { format: "json", level: "warn", color: false }, local: { type: "json", endpoint: "127.0.0.1:8888" } },
        metrics: {
            statsd: { endpoint: "statsd-exporter.monitoring:8125", sampling: 0.5, tagFormat: "dogStatsD" },
            openTelemetry: { collectorUri: "http://otel:4317/" },
        },
        azureMonitor: true,
    },
    highAvailability: {
        topologySpread: { whenUnsatisfiable: "DoNotSchedule" },
        podAntiAffinity: "preferred",
        disruptionBudget: { maxUnavailable: "25%" },
    },
    probes: { startup: { failureThreshold: 90 }, readiness: { timeoutSeconds: 2 }, liveness: { periodSeconds: 15 } },
    terminationGracePeriodSeconds: 90,
    networkPolicy: {
        enabled: true,
        trafficFrom: [
            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress" } } },
            { ipBlock: { cidr: "10.0.0.0/8" } },
        ],
    },
    token: { validityDays: 21, renewBeforeDays: 7, renewalTrigger: "manual-1" },
    nodeSelector: { "kubernetes.io/os": "linux" },
    tolerations: [{ key: "dedicated", operator: "Equal", value: "gateway", effect: "NoSchedule" }],
    affinity: {
        nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [{ matchExpressions: [{ key: "agentpool", operator: "In", values: ["gateway"] }] }],
            },
        },
    },
    priorityClassName: "gateway-critical",
    labels: { team: "platform" },
    podAnnotations: { "prometheus.io/scrape": "false" },
    env: [{ name: "DOTNET_gcServer", value: "1" }],
    proxy: { https: "http://proxy:3128", noProxy: [".svc", "10.0.0.0/8"] },
    hostAliases: [{ ip: "10.1.2.4", hostnames: ["contoso-apim.configuration.azure-api.net"] }],
    serviceAccount: { annotations: { "contoso.com/owner": "platform" }, labels: { tier: "edge" } },
    tls: { serverCipherSuites: ["TLS_AES_256_GCM_SHA384"] },
    instanceDiscovery: { synchronizationPort: 5290, heartbeatPort: 5291 },
};

describe("SelfHostedGateway: every rendered object passes the Kubernetes OpenAPI schema (kubernetes-models)", () => {
    it("the default configuration", async () => {
        const kinds = await validateAll((await build()).recorder.kubernetesObjects());
        assert.deepEqual(kinds, [
            "apps/v1/Deployment",
            "networking.k8s.io/v1/NetworkPolicy",
            "policy/v1/PodDisruptionBudget",
            "v1/ConfigMap",
            "v1/Namespace",
            "v1/PersistentVolumeClaim",
            "v1/Secret",
            "v1/Service",
            "v1/Service",
            "v1/ServiceAccount",
        ]);
    });

    it("a fully optioned configuration (HPA, NetworkPolicy, custom CA, dnsConfig, anti-affinity, statsd, …)", async () => {
        const kinds = await validateAll((await build(FULLY_OPTIONED)).recorder.kubernetesObjects());
        assert.deepEqual(kinds, [
            "apps/v1/Deployment",
            "autoscaling/v2/HorizontalPodAutoscaler",
            "networking.k8s.io/v1/NetworkPolicy",
            "policy/v1/PodDisruptionBudget",
            "v1/ConfigMap",
            "v1/ConfigMap",
            "v1/Namespace",
            "v1/PersistentVolumeClaim",
            "v1/Secret",
            "v1/Service",
            "v1/Service",
            "v1/ServiceAccount",
        ]);
    });

    it("the Entra app variant with OpenTelemetry, required anti-affinity and minAvailable", async () => {
        const kinds = await validateAll(
            (
                await build({
                    auth: {
                        type: "azureAdApp",
                        tenantId: "t",
                        clientId: "c",
                        clientSecret: "s",
                        authority: "https://login.microsoftonline.us",
                    },
                    observability: {
                        metrics: { openTelemetry: { collectorUri: "http://otel:4317/", histogramBuckets: [0.1, 1], systemMetrics: true } },
                    },
                    highAvailability: { podAntiAffinity: "required", disruptionBudget: { minAvailable: 2 } },
                })
            ).recorder.kubernetesObjects(),
        );
        assert.ok(kinds.includes("v1/Secret"));
    });

    it("the workload identity variant with an existing claim, a ClusterIP Service and an existing namespace", async () => {
        const kinds = await validateAll(
            (
                await build({
                    auth: { type: "workloadIdentity", clientId: "c", tenantId: "t" },
                    configBackup: { existingClaimName: "gateway-backup" },
                    service: { type: "ClusterIP" },
                    namespace: { name: "shared", create: false },
                    image: { digest: `sha256:${"f".repeat(64)}` },
                })
            ).recorder.kubernetesObjects(),
        );
        assert.ok(!kinds.includes("v1/Secret") && !kinds.includes("v1/PersistentVolumeClaim") && !kinds.includes("v1/Namespace"));
    });

    it("a development configuration without backup, spread, budget or requests, with localsyslog and a NodePort", async () => {
        await validateAll(
            (
                await build({
                    profile: "development",
                    replicas: 1,
                    resources: { requests: {} },
                    configBackup: { enabled: false },
                    highAvailability: { topologySpread: { enabled: false }, disruptionBudget: { enabled: false } },
                    observability: { logs: { local: { type: "localsyslog", facility: 4 } } },
                    service: { type: "NodePort", externalTrafficPolicy: "Cluster" },
                })
            ).recorder.kubernetesObjects(),
        );
    });

    it("fails on a schema violation (control: the validator is live)", async () => {
        const Deployment = await modelFor("apps/v1", "Deployment");
        assert.throws(
            () => new Deployment({ metadata: { name: "x" }, spec: { replicas: "3", selector: {}, template: {} } }).validate(),
            /replicas must be integer/,
        );
    });
});
