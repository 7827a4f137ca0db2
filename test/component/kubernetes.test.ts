import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { build, configData, fixture, gatewayContainer, hashedConfigMap, K8S, object, podAnnotations, podSpec } from "./support";

const SELECTOR = { "app.kubernetes.io/name": "apim-selfhosted-gateway", "app.kubernetes.io/instance": "contoso-gw" };
const COMMON_LABELS = { ...SELECTOR, "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/version": "2.11.1" };
const CONFIG_CHECKSUM = "apim-gateway.pulumi.com/config-checksum";
const CA_CHECKSUM = "apim-gateway.pulumi.com/custom-ca-checksum";

describe("SelfHostedGateway: Kubernetes workload (production guidance)", () => {
    describe("namespace", () => {
        it("creates a dedicated apim-gateway namespace holding every namespaced object", async () => {
            const { recorder } = await build();
            assert.equal(object(recorder, K8S.namespace).metadata.name, "apim-gateway");
            const namespaced = recorder.kubernetesObjects().filter((r) => r.type !== K8S.namespace);
            assert.ok(namespaced.length >= 8);
            for (const r of namespaced) {
                assert.equal(r.inputs.metadata.namespace, "apim-gateway", `${r.type} ${r.name}`);
            }
        });

        it("takes a custom name and labels (e.g. Pod Security admission)", async () => {
            const { recorder } = await build({
                namespace: { name: "edge", labels: { "pod-security.kubernetes.io/enforce": "restricted" } },
            });
            const ns = object(recorder, K8S.namespace);
            assert.equal(ns.metadata.name, "edge");
            assert.equal(ns.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
            assert.equal(object(recorder, K8S.deployment).metadata.namespace, "edge");
        });

        it("uses an existing namespace without creating it", async () => {
            const { recorder } = await build({ namespace: { name: "shared-gateways", create: false } });
            assert.deepEqual(recorder.ofType(K8S.namespace), []);
            assert.equal(object(recorder, K8S.deployment).metadata.namespace, "shared-gateways");
            assert.equal(object(recorder, K8S.secret).metadata.namespace, "shared-gateways");
        });
    });

    describe("replicas and autoscaling", () => {
        it("runs 3 replicas by default", async () => {
            const { recorder } = await build();
            assert.equal(object(recorder, K8S.deployment).spec.replicas, 3);
            assert.deepEqual(recorder.ofType(K8S.hpa), []);
        });

        it("takes a replica count", async () => {
            const { recorder } = await build({ replicas: 5 });
            assert.equal(object(recorder, K8S.deployment).spec.replicas, 5);
        });

        it("hands the replica count to an autoscaling/v2 HorizontalPodAutoscaler (CPU 70% by default)", async () => {
            const { recorder } = await build({ autoscaling: { minReplicas: 3, maxReplicas: 10 } });
            assert.ok(!("replicas" in object(recorder, K8S.deployment).spec), "spec.replicas must be left to the autoscaler");
            const hpa = object(recorder, K8S.hpa);
            assert.equal(hpa.apiVersion, "autoscaling/v2");
            assert.deepEqual(hpa.spec, {
                scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "contoso-gw" },
                minReplicas: 3,
                maxReplicas: 10,
                metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
            });
        });

        it("scales on memory too, or on memory alone", async () => {
            const both = await build({
                autoscaling: { minReplicas: 2, maxReplicas: 6, targetCpuUtilizationPercentage: 60, targetMemoryUtilizationPercentage: 80 },
            });
            assert.deepEqual(
                object(both.recorder, K8S.hpa).spec.metrics.map((m: any) => [m.resource.name, m.resource.target.averageUtilization]),
                [
                    ["cpu", 60],
                    ["memory", 80],
                ],
            );
            const memoryOnly = await build({ autoscaling: { minReplicas: 2, maxReplicas: 6, targetMemoryUtilizationPercentage: 75 } });
            assert.deepEqual(
                object(memoryOnly.recorder, K8S.hpa).spec.metrics.map((m: any) => m.resource.name),
                ["memory"],
            );
        });
    });

    describe("rolling update", () => {
        it("is always explicit: maxUnavailable 0, maxSurge 25%", async () => {
            const { recorder } = await build();
            assert.deepEqual(object(recorder, K8S.deployment).spec.strategy, {
                type: "RollingUpdate",
                rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" },
            });
        });

        it("takes other values", async () => {
            const { recorder } = await build({ replicas: 10, rollingUpdate: { maxUnavailable: "10%", maxSurge: 2 } });
            assert.deepEqual(object(recorder, K8S.deployment).spec.strategy.rollingUpdate, { maxUnavailable: "10%", maxSurge: 2 });
        });

        it("bounds the rollout: a 600 s progress deadline and a 600 s wait in `pulumi up`, both configurable", async () => {
            const defaults = object((await build()).recorder, K8S.deployment);
            assert.equal(defaults.spec.progressDeadlineSeconds, 600);
            assert.equal(defaults.metadata.annotations["pulumi.com/timeoutSeconds"], "600");
            const tuned = object(
                (await build({ rollingUpdate: { progressDeadlineSeconds: 30, timeoutSeconds: 90 } })).recorder,
                K8S.deployment,
            );
            assert.equal(tuned.spec.progressDeadlineSeconds, 30);
            assert.equal(tuned.metadata.annotations["pulumi.com/timeoutSeconds"], "90");
            assert.deepEqual(tuned.spec.strategy.rollingUpdate, { maxUnavailable: 0, maxSurge: "25%" }, "not mixed into the strategy");
        });
    });

    describe("container resources", () => {
        it("requests 2 CPU and 2Gi by default, without limits", async () => {
            const { recorder } = await build();
            assert.deepEqual(gatewayContainer(recorder).resources, { requests: { cpu: "2", memory: "2Gi" } });
        });

        it("takes requests and limits", async () => {
            const { recorder } = await build({ resources: { requests: { cpu: "4", memory: "4Gi" }, limits: { memory: "6Gi" } } });
            assert.deepEqual(gatewayContainer(recorder).resources, { requests: { cpu: "4", memory: "4Gi" }, limits: { memory: "6Gi" } });
        });
    });

    describe("container image", () => {
        it("pins Microsoft's image to GATEWAY_IMAGE_VERSION with IfNotPresent", async () => {
            const { recorder } = await build();
            const c = gatewayContainer(recorder);
            assert.equal(c.image, "mcr.microsoft.com/azure-api-management/gateway:2.11.1");
            assert.equal(c.imagePullPolicy, "IfNotPresent");
            assert.equal(podSpec(recorder).imagePullSecrets, undefined);
        });

        it("takes a mirror, a version, pull secrets and a pull policy", async () => {
            const { recorder } = await build({
                image: { repository: "myregistry.azurecr.io/apim/gateway", tag: "2.10.1", pullSecrets: ["acr-pull"], pullPolicy: "Always" },
            });
            const c = gatewayContainer(recorder);
            assert.equal(c.image, "myregistry.azurecr.io/apim/gateway:2.10.1");
            assert.equal(c.imagePullPolicy, "Always");
            assert.deepEqual(podSpec(recorder).imagePullSecrets, [{ name: "acr-pull" }]);
            assert.equal(object(recorder, K8S.deployment).metadata.labels["app.kubernetes.io/version"], "2.10.1");
        });

        it("pins by digest as repo@sha256 and leaves the version label out", async () => {
            const digest = `sha256:${"ab".repeat(32)}`;
            const { recorder } = await build({ image: { repository: "registry.local:5000/gateway", digest } });
            assert.equal(gatewayContainer(recorder).image, `registry.local:5000/gateway@${digest}`);
            assert.ok(!("app.kubernetes.io/version" in object(recorder, K8S.deployment).metadata.labels));
        });
    });

    describe("DNS policy", () => {
        it("always writes dnsPolicy explicitly (ClusterFirst by default)", async () => {
            const { recorder } = await build();
            assert.equal(podSpec(recorder).dnsPolicy, "ClusterFirst");
            assert.equal(podSpec(recorder).dnsConfig, undefined);
        });

        it("takes a policy and a dnsConfig (nameservers, searches, ndots)", async () => {
            const dnsConfig = { nameservers: ["10.0.0.10"], searches: ["corp.contoso.com"], options: [{ name: "ndots", value: "2" }] };
            const { recorder } = await build({ dns: { policy: "None", config: dnsConfig } });
            assert.equal(podSpec(recorder).dnsPolicy, "None");
            assert.deepEqual(podSpec(recorder).dnsConfig, dnsConfig);
        });
    });

    describe("live-traffic and instance-discovery Services", () => {
        it("exposes a LoadBalancer with externalTrafficPolicy Local, 80 to http and 443 to https", async () => {
            const { recorder } = await build();
            const svc = object(recorder, K8S.service, "contoso-gw-live-traffic");
            assert.deepEqual(svc.spec, {
                type: "LoadBalancer",
                externalTrafficPolicy: "Local",
                selector: SELECTOR,
                ports: [
                    { name: "http", port: 80, targetPort: "http", protocol: "TCP" },
                    { name: "https", port: 443, targetPort: "https", protocol: "TCP" },
                ],
            });
            const ports = gatewayContainer(recorder).ports;
            assert.deepEqual(ports.slice(0, 2), [
                { name: "http", containerPort: 8080, protocol: "TCP" },
                { name: "https", containerPort: 8081, protocol: "TCP" },
            ]);
        });

        it("takes an internal load balancer, a fixed IP, source ranges, the Cluster policy and other ports", async () => {
            const { recorder } = await build({
                service: {
                    exposure: "internal",
                    loadBalancerIP: "10.1.2.3",
                    loadBalancerSourceRanges: ["10.0.0.0/8"],
                    externalTrafficPolicy: "Cluster",
                    ports: { http: 8080, https: 8443 },
                },
            });
            const svc = object(recorder, K8S.service, "contoso-gw-live-traffic");
            assert.deepEqual(svc.metadata.annotations, { "service.beta.kubernetes.io/azure-load-balancer-internal": "true" });
            assert.equal(svc.spec.loadBalancerIP, "10.1.2.3");
            assert.deepEqual(svc.spec.loadBalancerSourceRanges, ["10.0.0.0/8"]);
            assert.equal(svc.spec.externalTrafficPolicy, "Cluster");
            assert.deepEqual(
                svc.spec.ports.map((p: any) => [p.port, p.targetPort]),
                [
                    [8080, "http"],
                    [8443, "https"],
                ],
            );
        });

        it("keeps Local for NodePort and leaves the policy out for ClusterIP", async () => {
            const nodePort = await build({ service: { type: "NodePort" } });
            assert.equal(object(nodePort.recorder, K8S.service, "contoso-gw-live-traffic").spec.externalTrafficPolicy, "Local");
            const clusterIp = await build({ service: { type: "ClusterIP" } });
            const spec = object(clusterIp.recorder, K8S.service, "contoso-gw-live-traffic").spec;
            assert.equal(spec.type, "ClusterIP");
            assert.ok(!("externalTrafficPolicy" in spec));
        });

        it("adds the headless instance-discovery Service on UDP 4290/4291 and points neighborhood.host at it", async () => {
            const { recorder } = await build();
            const svc = object(recorder, K8S.service, "contoso-gw-instance-discovery");
            assert.deepEqual(svc.spec, {
                type: "ClusterIP",
                clusterIP: "None",
                selector: SELECTOR,
                ports: [
                    { name: "rate-limit-dc", port: 4290, targetPort: "rate-limit-dc", protocol: "UDP" },
                    { name: "dc-heartbeat", port: 4291, targetPort: "dc-heartbeat", protocol: "UDP" },
                ],
            });
            assert.deepEqual(gatewayContainer(recorder).ports.slice(2), [
                { name: "rate-limit-dc", containerPort: 4290, protocol: "UDP" },
                { name: "dc-heartbeat", containerPort: 4291, protocol: "UDP" },
            ]);
            assert.equal(configData(recorder)["neighborhood.host"], "contoso-gw-instance-discovery");
        });
    });

    describe("configuration", () => {
        const packageVersion = JSON.parse(readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")).version;

        it("writes endpoint, gateway name, discovery, provenance and telemetry defaults into <base>-env", async () => {
            const { recorder } = await build();
            assert.deepEqual(configData(recorder), {
                "config.service.endpoint": "contoso-apim.configuration.azure-api.net",
                "gateway.name": "contoso-gw",
                "neighborhood.host": "contoso-gw-instance-discovery",
                "runtime.deployment.mechanism": "Pulumi",
                "runtime.deployment.orchestrator.type": "Kubernetes",
                "runtime.deployment.artifact.source": "pulumi-apim-selfhosted-gateway",
                "runtime.deployment.artifact.version": packageVersion,
                "runtime.deployment.highAvailability.enabled": "true",
                "telemetry.logs.std": "text",
                "telemetry.logs.std.level": "info",
                "telemetry.logs.std.color": "false",
                "telemetry.logs.local": "auto",
                "telemetry.metrics.local": "none",
                "observability.opentelemetry.enabled": "false",
                "telemetry.metrics.cloud": "true",
                "policy.rate-limit.sync.port": "4290",
                "neighborhood.heartbeat.port": "4291",
            });
            assert.deepEqual(gatewayContainer(recorder).envFrom, [
                { configMapRef: { name: hashedConfigMap(recorder, "contoso-gw-env").metadata.name } },
            ]);
        });

        it("takes a custom configuration endpoint and passes other settings through", async () => {
            const { recorder } = await build({
                configuration: {
                    endpoint: "config.contoso.com",
                    settings: { "net.server.http.forwarded.proto.enabled": "true", "config.service.integration.timeout": "00:02:00" },
                },
            });
            const data = configData(recorder);
            assert.equal(data["config.service.endpoint"], "config.contoso.com");
            assert.equal(data["net.server.http.forwarded.proto.enabled"], "true");
            assert.equal(data["config.service.integration.timeout"], "00:02:00");
        });

        it("rolls the pods when the configuration changes (config-checksum annotation)", async () => {
            const first = podAnnotations((await build()).recorder)[CONFIG_CHECKSUM];
            const same = podAnnotations((await build()).recorder)[CONFIG_CHECKSUM];
            const changed = podAnnotations((await build({ observability: { logs: { std: { level: "debug" } } } })).recorder)[
                CONFIG_CHECKSUM
            ];
            assert.match(first, /^[0-9a-f]{64}$/);
            assert.equal(same, first);
            assert.notEqual(changed, first);
        });
    });

    describe("custom CA trust", () => {
        const root = fixture("private-root-ca.pem");
        const second = fixture("second-ca.pem");

        it("adds nothing by default", async () => {
            const { recorder } = await build();
            assert.equal(podSpec(recorder).initContainers, undefined);
            assert.ok(!gatewayContainer(recorder).env.some((e: any) => e.name === "SSL_CERT_FILE"));
            assert.ok(!(CA_CHECKSUM in podAnnotations(recorder)));
            assert.equal(recorder.ofType(K8S.configMap).length, 1);
        });

        it("stores the PEMs in <base>-custom-ca-<hash> and merges them with the system bundle in an init container", async () => {
            const { recorder } = await build({ customCaCertificates: [root, `\n${second}\n\n`] });
            const cm = hashedConfigMap(recorder, "contoso-gw-custom-ca");
            assert.equal(cm.immutable, true);
            assert.deepEqual(cm.data, { "ca-0.pem": `${root.trim()}\n`, "ca-1.pem": `${second.trim()}\n` });

            const spec = podSpec(recorder);
            const gateway = gatewayContainer(recorder);
            assert.equal(spec.initContainers.length, 1);
            const init = spec.initContainers[0];
            assert.equal(init.image, gateway.image, "the init container runs the gateway image itself");
            assert.deepEqual(init.command, [
                "/bin/sh",
                "-c",
                "cat /etc/ssl/certs/ca-certificates.crt /custom-ca/*.pem > /ca-bundle/ca-certificates.crt",
            ]);
            assert.deepEqual(init.securityContext, gateway.securityContext);
            assert.deepEqual(init.resources, { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } });
            assert.deepEqual(init.volumeMounts, [
                { name: "custom-ca", mountPath: "/custom-ca", readOnly: true },
                { name: "ca-bundle", mountPath: "/ca-bundle" },
            ]);
            assert.deepEqual(
                spec.volumes.filter((v: any) => v.name !== "config-backup"),
                [
                    { name: "custom-ca", configMap: { name: cm.metadata.name } },
                    { name: "ca-bundle", emptyDir: { sizeLimit: "4Mi" } },
                ],
            );
            assert.deepEqual(
                gateway.volumeMounts.find((m: any) => m.name === "ca-bundle"),
                { name: "ca-bundle", mountPath: "/ca-bundle", readOnly: true },
            );
            assert.deepEqual(
                gateway.env.find((e: any) => e.name === "SSL_CERT_FILE"),
                { name: "SSL_CERT_FILE", value: "/ca-bundle/ca-certificates.crt" },
            );
        });

        it("rolls the pods when the CA set changes", async () => {
            const one = podAnnotations((await build({ customCaCertificates: [root] })).recorder)[CA_CHECKSUM];
            const again = podAnnotations((await build({ customCaCertificates: [root] })).recorder)[CA_CHECKSUM];
            const two = podAnnotations((await build({ customCaCertificates: [root, second] })).recorder)[CA_CHECKSUM];
            assert.match(one, /^[0-9a-f]{64}$/);
            assert.equal(again, one);
            assert.notEqual(two, one);
        });
    });

    describe("configuration backup", () => {
        it("claims 50Mi ReadWriteMany and mounts it at /apim/config, writable through fsGroup 1001", async () => {
            const { recorder } = await build();
            const pvc = object(recorder, K8S.pvc);
            assert.equal(pvc.metadata.name, "contoso-gw-config-backup");
            assert.deepEqual(pvc.spec, { accessModes: ["ReadWriteMany"], resources: { requests: { storage: "50Mi" } } });
            assert.equal(pvc.metadata.annotations["pulumi.com/skipAwait"], "true");
            assert.deepEqual(podSpec(recorder).volumes, [
                { name: "config-backup", persistentVolumeClaim: { claimName: "contoso-gw-config-backup" } },
            ]);
            assert.deepEqual(gatewayContainer(recorder).volumeMounts, [{ name: "config-backup", mountPath: "/apim/config" }]);
            assert.equal(podSpec(recorder).securityContext.fsGroup, 1001);
        });

        it("takes a storage class, size and access mode", async () => {
            const { recorder } = await build({
                configBackup: { storageClassName: "azurefile-csi", size: "100Mi", accessMode: "ReadWriteOnce" },
            });
            assert.deepEqual(object(recorder, K8S.pvc).spec, {
                accessModes: ["ReadWriteOnce"],
                storageClassName: "azurefile-csi",
                resources: { requests: { storage: "100Mi" } },
            });
        });

        it("mounts an existing claim without creating one", async () => {
            const { recorder } = await build({ configBackup: { existingClaimName: "gateway-backup" } });
            assert.deepEqual(recorder.ofType(K8S.pvc), []);
            assert.deepEqual(podSpec(recorder).volumes, [
                { name: "config-backup", persistentVolumeClaim: { claimName: "gateway-backup" } },
            ]);
        });

        it("can be turned off", async () => {
            const { recorder } = await build({ configBackup: { enabled: false } });
            assert.deepEqual(recorder.ofType(K8S.pvc), []);
            assert.equal(podSpec(recorder).volumes, undefined);
            assert.equal(gatewayContainer(recorder).volumeMounts, undefined);
        });
    });

    describe("local logs and metrics", () => {
        it("maps std and local logs and StatsD metrics to gateway settings", async () => {
            const { recorder } = await build({
                observability: {
                    logs: {
                        std: { format: "json", level: "warn", color: true },
                        local: { type: "rfc5424", endpoint: "127.0.0.1:514", facility: 7 },
                    },
                    metrics: { statsd: { endpoint: "statsd-exporter.monitoring:8125", sampling: 0.5, tagFormat: "influxDB" } },
                    azureMonitor: false,
                },
            });
            const data = configData(recorder);
            assert.deepEqual(
                Object.fromEntries(Object.entries(data).filter(([k]) => k.startsWith("telemetry.") || k.startsWith("observability."))),
                {
                    "telemetry.logs.std": "json",
                    "telemetry.logs.std.level": "warn",
                    "telemetry.logs.std.color": "true",
                    "telemetry.logs.local": "rfc5424",
                    "telemetry.logs.local.rfc5424.endpoint": "127.0.0.1:514",
                    "telemetry.logs.local.rfc5424.facility": "7",
                    "telemetry.metrics.local": "statsd",
                    "telemetry.metrics.local.statsd.endpoint": "statsd-exporter.monitoring:8125",
                    "telemetry.metrics.local.statsd.sampling": "0.5",
                    "telemetry.metrics.local.statsd.tag-format": "influxDB",
                    "observability.opentelemetry.enabled": "false",
                    "telemetry.metrics.cloud": "false",
                },
            );
        });

        it("defaults StatsD sampling to 1 and the tag format to dogStatsD", async () => {
            const { recorder } = await build({ observability: { metrics: { statsd: { endpoint: "statsd:8125" } } } });
            assert.equal(configData(recorder)["telemetry.metrics.local.statsd.sampling"], "1");
            assert.equal(configData(recorder)["telemetry.metrics.local.statsd.tag-format"], "dogStatsD");
        });

        it("maps OpenTelemetry metrics", async () => {
            const { recorder } = await build({
                observability: {
                    metrics: {
                        openTelemetry: {
                            collectorUri: "http://otel-collector.monitoring:4317/",
                            histogramBuckets: [0.1, 0.5, 1, 5],
                            systemMetrics: true,
                        },
                    },
                },
            });
            const data = configData(recorder);
            assert.equal(data["observability.opentelemetry.enabled"], "true");
            assert.equal(data["observability.opentelemetry.collector.uri"], "http://otel-collector.monitoring:4317/");
            assert.equal(data["observability.opentelemetry.histogram.buckets"], "0.1,0.5,1,5");
            assert.equal(data["observability.opentelemetry.system-metrics.enabled"], "true");
            assert.equal(data["telemetry.metrics.local"], "none");
        });

        it("mounts the node's syslog socket for localsyslog without an endpoint", async () => {
            const { recorder } = await build({
                // hostPath is refused by the default `restricted` level (profile.test.ts); a namespace can choose `privileged`.
                namespace: { labels: { "pod-security.kubernetes.io/enforce": "privileged" } },
                observability: { logs: { local: { type: "localsyslog", facility: 1 } } },
            });
            assert.equal(configData(recorder)["telemetry.logs.local.localsyslog.facility"], "1");
            assert.deepEqual(
                podSpec(recorder).volumes.find((v: any) => v.name === "syslog-socket"),
                { name: "syslog-socket", hostPath: { path: "/dev/log", type: "Socket" } },
            );
            assert.deepEqual(
                gatewayContainer(recorder).volumeMounts.find((m: any) => m.name === "syslog-socket"),
                { name: "syslog-socket", mountPath: "/dev/log" },
            );
        });
    });

    describe("high availability", () => {
        it("spreads each revision's pods over zones and nodes (maxSkew 1, ScheduleAnyway) selecting the gateway pods", async () => {
            const { recorder } = await build();
            const revision = ["pod-template-hash"];
            assert.deepEqual(podSpec(recorder).topologySpreadConstraints, [
                {
                    maxSkew: 1,
                    topologyKey: "topology.kubernetes.io/zone",
                    whenUnsatisfiable: "ScheduleAnyway",
                    labelSelector: { matchLabels: SELECTOR },
                    matchLabelKeys: revision,
                },
                {
                    maxSkew: 1,
                    topologyKey: "kubernetes.io/hostname",
                    whenUnsatisfiable: "ScheduleAnyway",
                    labelSelector: { matchLabels: SELECTOR },
                    matchLabelKeys: revision,
                },
            ]);
            assert.equal(podSpec(recorder).affinity, undefined);
        });

        it("takes whenUnsatisfiable and topology keys, or no spread at all", async () => {
            const strict = await build({
                highAvailability: { topologySpread: { whenUnsatisfiable: "DoNotSchedule", topologyKeys: ["topology.kubernetes.io/zone"] } },
            });
            assert.deepEqual(
                podSpec(strict.recorder).topologySpreadConstraints.map((t: any) => [t.topologyKey, t.whenUnsatisfiable]),
                [["topology.kubernetes.io/zone", "DoNotSchedule"]],
            );
            const none = await build({ highAvailability: { topologySpread: { enabled: false } } });
            assert.equal(podSpec(none.recorder).topologySpreadConstraints, undefined);
        });

        it("adds preferred or required pod anti-affinity on hostname, keeping the user's node affinity", async () => {
            const nodeAffinity = {
                requiredDuringSchedulingIgnoredDuringExecution: {
                    nodeSelectorTerms: [{ matchExpressions: [{ key: "agentpool", operator: "In", values: ["gateway"] }] }],
                },
            };
            const preferred = await build({ highAvailability: { podAntiAffinity: "preferred" }, affinity: { nodeAffinity } });
            assert.deepEqual(podSpec(preferred.recorder).affinity, {
                nodeAffinity,
                podAntiAffinity: {
                    preferredDuringSchedulingIgnoredDuringExecution: [
                        {
                            weight: 100,
                            podAffinityTerm: { labelSelector: { matchLabels: SELECTOR }, topologyKey: "kubernetes.io/hostname" },
                        },
                    ],
                },
            });
            const required = await build({ highAvailability: { podAntiAffinity: "required" } });
            assert.deepEqual(podSpec(required.recorder).affinity, {
                podAntiAffinity: {
                    requiredDuringSchedulingIgnoredDuringExecution: [
                        { labelSelector: { matchLabels: SELECTOR }, topologyKey: "kubernetes.io/hostname" },
                    ],
                },
            });
        });

        it("adds a policy/v1 PodDisruptionBudget with maxUnavailable 1 selecting exactly the gateway pods", async () => {
            const { recorder } = await build();
            const pdb = object(recorder, K8S.pdb);
            assert.equal(pdb.apiVersion, "policy/v1");
            assert.deepEqual(pdb.spec, { selector: { matchLabels: SELECTOR }, maxUnavailable: 1 });
            assert.deepEqual(pdb.spec.selector.matchLabels, object(recorder, K8S.deployment).spec.selector.matchLabels);
        });

        it("takes minAvailable instead, or no budget", async () => {
            const min = await build({ highAvailability: { disruptionBudget: { minAvailable: "50%" } } });
            assert.deepEqual(object(min.recorder, K8S.pdb).spec, { selector: { matchLabels: SELECTOR }, minAvailable: "50%" });
            const none = await build({ highAvailability: { disruptionBudget: { enabled: false }, topologySpread: { enabled: false } } });
            assert.deepEqual(none.recorder.ofType(K8S.pdb), []);
            assert.equal(configData(none.recorder)["runtime.deployment.highAvailability.enabled"], "false");
        });
    });

    describe("probes and shutdown", () => {
        it("probes /status-0123456789abcdef on the http port, with a generous startup budget for a config restore", async () => {
            const c = gatewayContainer(await build().then((b) => b.recorder));
            const httpGet = { path: "/status-0123456789abcdef", port: "http", scheme: "HTTP" };
            // No initialDelaySeconds: 0 is Kubernetes' default, which the stored state drops (a diff would show it as added).
            assert.deepEqual(c.startupProbe, { httpGet, periodSeconds: 5, timeoutSeconds: 1, failureThreshold: 60 });
            assert.deepEqual(c.readinessProbe, { httpGet, periodSeconds: 5, timeoutSeconds: 1, failureThreshold: 3 });
            assert.deepEqual(c.livenessProbe, { httpGet, periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3 });
        });

        it("sends a non-default initialDelaySeconds", async () => {
            const c = gatewayContainer((await build({ probes: { readiness: { initialDelaySeconds: 7 } } })).recorder);
            assert.equal(c.readinessProbe.initialDelaySeconds, 7);
            assert.ok(!("initialDelaySeconds" in c.livenessProbe));
        });

        it("takes probe thresholds", async () => {
            const { recorder } = await build({
                probes: { startup: { failureThreshold: 120 }, liveness: { periodSeconds: 20, timeoutSeconds: 3 } },
            });
            const c = gatewayContainer(recorder);
            assert.equal(c.startupProbe.failureThreshold, 120);
            assert.equal(c.startupProbe.periodSeconds, 5);
            assert.equal(c.livenessProbe.periodSeconds, 20);
            assert.equal(c.livenessProbe.timeoutSeconds, 3);
        });

        it("gives in-flight requests 60 seconds on shutdown, configurable", async () => {
            assert.equal(podSpec((await build()).recorder).terminationGracePeriodSeconds, 60);
            assert.equal(podSpec((await build({ terminationGracePeriodSeconds: 120 })).recorder).terminationGracePeriodSeconds, 120);
        });
    });

    describe("security", () => {
        it("runs as non-root UID/GID 1001 with RuntimeDefault seccomp, no escalation and no capabilities", async () => {
            const { recorder } = await build();
            assert.deepEqual(podSpec(recorder).securityContext, {
                runAsNonRoot: true,
                runAsUser: 1001,
                runAsGroup: 1001,
                fsGroup: 1001,
                seccompProfile: { type: "RuntimeDefault" },
            });
            const sc = gatewayContainer(recorder).securityContext;
            assert.deepEqual(sc, { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
            assert.ok(!("readOnlyRootFilesystem" in sc), "the gateway does not support a read-only root filesystem");
        });

        it("uses its own ServiceAccount without mounting its token", async () => {
            const { recorder } = await build();
            const sa = object(recorder, K8S.serviceAccount);
            assert.equal(sa.metadata.name, "contoso-gw");
            assert.equal(sa.automountServiceAccountToken, false);
            assert.equal(podSpec(recorder).serviceAccountName, "contoso-gw");
            assert.equal(podSpec(recorder).automountServiceAccountToken, false);
        });

        const EGRESS_BUT_IMDS = [
            {
                to: [
                    { ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.169.254/32"] } },
                    { ipBlock: { cidr: "::/0" } },
                    { namespaceSelector: {} },
                ],
            },
        ];

        it(
            "has a NetworkPolicy by default in production: traffic ports from anyone, " +
                "discovery UDP only from gateway pods, egress all but the instance metadata endpoint",
            async () => {
                const { recorder } = await build();
                const np = object(recorder, K8S.networkPolicy);
                assert.deepEqual(np.spec, {
                    podSelector: { matchLabels: SELECTOR },
                    policyTypes: ["Ingress", "Egress"],
                    ingress: [
                        {
                            ports: [
                                { protocol: "TCP", port: 8080 },
                                { protocol: "TCP", port: 8081 },
                            ],
                        },
                        {
                            from: [{ podSelector: { matchLabels: SELECTOR } }],
                            ports: [
                                { protocol: "UDP", port: 4290 },
                                { protocol: "UDP", port: 4291 },
                            ],
                        },
                    ],
                    egress: EGRESS_BUT_IMDS,
                });
            },
        );

        it("has none by default in development, or when disabled", async () => {
            assert.deepEqual((await build({ profile: "development" })).recorder.ofType(K8S.networkPolicy), []);
            assert.deepEqual((await build({ networkPolicy: { enabled: false } })).recorder.ofType(K8S.networkPolicy), []);
        });

        it(
            "opens the traffic ports to the load balancer's source ranges " +
                "when the pods see the callers' IPs (Local), to anyone otherwise",
            async () => {
                const ranges = ["10.0.0.0/8", "192.168.1.0/24"];
                const local = await build({ service: { exposure: "internal", loadBalancerSourceRanges: ranges } });
                assert.deepEqual(object(local.recorder, K8S.networkPolicy).spec.ingress[0].from, [
                    { ipBlock: { cidr: "10.0.0.0/8" } },
                    { ipBlock: { cidr: "192.168.1.0/24" } },
                ]);
                const cluster = await build({
                    service: { exposure: "internal", loadBalancerSourceRanges: ranges, externalTrafficPolicy: "Cluster" },
                });
                assert.equal(object(cluster.recorder, K8S.networkPolicy).spec.ingress[0].from, undefined);
                const clusterIp = await build({ service: { type: "ClusterIP" } });
                assert.equal(object(clusterIp.recorder, K8S.networkPolicy).spec.ingress[0].from, undefined);
            },
        );

        it("uses the instance-discovery ports as configured", async () => {
            const { recorder } = await build({ instanceDiscovery: { synchronizationPort: 5290, heartbeatPort: 5291 } });
            assert.deepEqual(object(recorder, K8S.networkPolicy).spec.ingress[1].ports, [
                { protocol: "UDP", port: 5290 },
                { protocol: "UDP", port: 5291 },
            ]);
        });

        it("limits the traffic ports to trafficFrom", async () => {
            const trafficFrom = [
                { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress" } } },
                { ipBlock: { cidr: "10.0.0.0/8" } },
            ];
            const { recorder } = await build({ networkPolicy: { enabled: true, trafficFrom } });
            assert.deepEqual(object(recorder, K8S.networkPolicy).spec.ingress[0].from, trafficFrom);
        });
    });

    describe("labels", () => {
        it("selects pods by name and instance only, and labels every object with managed-by and version", async () => {
            const { recorder } = await build();
            const deployment = object(recorder, K8S.deployment);
            assert.deepEqual(deployment.spec.selector.matchLabels, SELECTOR);
            assert.deepEqual(deployment.spec.template.metadata.labels, COMMON_LABELS);
            for (const r of recorder.kubernetesObjects()) {
                const expected =
                    r.type === K8S.namespace ? { ...COMMON_LABELS, "pod-security.kubernetes.io/enforce": "restricted" } : COMMON_LABELS;
                assert.deepEqual(r.inputs.metadata.labels, expected, `${r.type} ${r.name}`);
            }
        });
    });

    describe("pass-through", () => {
        it("passes nodeSelector, tolerations, affinity, priorityClassName, labels, pod annotations and extra env", async () => {
            const tolerations = [{ key: "dedicated", operator: "Equal", value: "gateway", effect: "NoSchedule" }];
            const affinity = {
                nodeAffinity: {
                    preferredDuringSchedulingIgnoredDuringExecution: [
                        { weight: 1, preference: { matchExpressions: [{ key: "sku", operator: "In", values: ["d4"] }] } },
                    ],
                },
            };
            const { recorder } = await build({
                nodeSelector: { "kubernetes.io/os": "linux" },
                tolerations,
                affinity,
                priorityClassName: "gateway-critical",
                labels: { team: "platform", "contoso.com/cost-center": "1234" },
                podAnnotations: { "prometheus.io/scrape": "false" },
                env: [
                    { name: "DOTNET_gcServer", value: "1" },
                    { name: "FEATURE_FLAGS", value: "a,b" },
                ],
            });
            const spec = podSpec(recorder);
            assert.deepEqual(spec.nodeSelector, { "kubernetes.io/os": "linux" });
            assert.deepEqual(spec.tolerations, tolerations);
            assert.deepEqual(spec.affinity, affinity);
            assert.equal(spec.priorityClassName, "gateway-critical");
            assert.equal(podAnnotations(recorder)["prometheus.io/scrape"], "false");
            assert.ok(CONFIG_CHECKSUM in podAnnotations(recorder));
            const env = gatewayContainer(recorder).env;
            assert.deepEqual(
                env.map((e: any) => e.name),
                ["config.service.auth", "DOTNET_gcServer", "FEATURE_FLAGS"],
                "extra env comes after the managed env",
            );
            for (const r of recorder.kubernetesObjects()) {
                assert.equal(r.inputs.metadata.labels.team, "platform", `${r.type} ${r.name}`);
                assert.equal(r.inputs.metadata.labels["contoso.com/cost-center"], "1234");
            }
            const deployment = object(recorder, K8S.deployment);
            assert.equal(deployment.spec.template.metadata.labels.team, "platform");
            assert.deepEqual(deployment.spec.selector.matchLabels, SELECTOR, "user labels never enter selectors");
            assert.deepEqual(object(recorder, K8S.pdb).spec.selector.matchLabels, SELECTOR);
            assert.deepEqual(object(recorder, K8S.service, "contoso-gw-live-traffic").spec.selector, SELECTOR);
            assert.deepEqual(spec.topologySpreadConstraints[0].labelSelector.matchLabels, SELECTOR);
        });
    });
});
