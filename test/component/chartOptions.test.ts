import { strict as assert } from "node:assert";
import { isSecretWrapped, secretPaths } from "../helpers/pulumiMocks";
import { build, configData, expectRejected, gatewayContainer, K8S, object, podSpec } from "./support";

/** Every option of Microsoft's Helm chart 1.15.1 that the component now covers, rendered and checked. */
describe("SelfHostedGateway: the Helm chart's options, typed", () => {
    describe("proxy", () => {
        it("sets HTTP_PROXY, HTTPS_PROXY and NO_PROXY on the gateway", async () => {
            const { recorder } = await build({
                proxy: {
                    http: "http://proxy.contoso.local:3128",
                    https: "http://proxy.contoso.local:3129",
                    noProxy: [".svc", "10.0.0.0/8"],
                },
            });
            const env = gatewayContainer(recorder).env;
            assert.deepEqual(
                env.filter((e: { name: string }) => e.name.endsWith("PROXY")),
                [
                    { name: "HTTP_PROXY", value: "http://proxy.contoso.local:3128" },
                    { name: "HTTPS_PROXY", value: "http://proxy.contoso.local:3129" },
                    { name: "NO_PROXY", value: ".svc,10.0.0.0/8" },
                ],
            );
        });

        it("refuses the managed proxy names in env, in any case", async () => {
            await expectRejected({ env: [{ name: "https_proxy", value: "x" }] }, "`env[0].name`", "HTTPS_PROXY", "proxy.https");
        });

        it("refuses a proxy that is not a URL and a noProxy entry holding a list", async () => {
            await expectRejected(
                { proxy: { http: "proxy:3128", noProxy: [".svc,.local"] } },
                "`proxy.http`",
                "not a proxy URL",
                "`proxy.noProxy[0]`",
            );
        });
    });

    describe("hostAliases", () => {
        it("passes host aliases to the pods", async () => {
            const hostAliases = [{ ip: "10.1.2.4", hostnames: ["contoso-apim.configuration.azure-api.net"] }];
            const { recorder } = await build({ hostAliases });
            assert.deepEqual(podSpec(recorder).hostAliases, hostAliases);
        });

        it("checks them against the Kubernetes schema", async () => {
            await expectRejected(
                { hostAliases: [{ ip: "10.1.2.4", hostname: ["x"] } as never] },
                "`hostAliases[0].hostname` is not a field",
            );
            await expectRejected({ hostAliases: [{ hostnames: ["x"] } as never] }, '`hostAliases[0]` needs the field "ip"');
        });
    });

    describe("ServiceAccount", () => {
        it("adds annotations and labels to the created ServiceAccount", async () => {
            const { recorder } = await build({
                serviceAccount: { annotations: { "contoso.com/owner": "platform" }, labels: { tier: "edge" } },
            });
            const account = object(recorder, K8S.serviceAccount);
            assert.equal(account.metadata.annotations["contoso.com/owner"], "platform");
            assert.equal(account.metadata.labels.tier, "edge");
            assert.equal(account.metadata.labels["app.kubernetes.io/name"], "apim-selfhosted-gateway", "the component's labels stay");
        });

        it("uses an existing ServiceAccount without creating one", async () => {
            const { recorder } = await build({ serviceAccount: { existingName: "gateway-sa" } });
            assert.deepEqual(recorder.ofType(K8S.serviceAccount), []);
            assert.equal(podSpec(recorder).serviceAccountName, "gateway-sa");
        });

        it("refuses metadata for an existing ServiceAccount and reserved labels", async () => {
            await expectRejected(
                { serviceAccount: { existingName: "gateway-sa", labels: { tier: "edge" } } },
                "`serviceAccount.labels` has no effect with serviceAccount.existingName",
            );
            await expectRejected(
                { serviceAccount: { labels: { "app.kubernetes.io/name": "x" } } },
                '`serviceAccount.labels["app.kubernetes.io/name"]`',
                "set by the component",
            );
        });
    });

    it("takes requests and limits of ephemeral storage", async () => {
        const { recorder } = await build({
            resources: { requests: { cpu: "2", memory: "2Gi", "ephemeral-storage": "1Gi" }, limits: { "ephemeral-storage": "2Gi" } },
        });
        assert.deepEqual(gatewayContainer(recorder).resources, {
            requests: { cpu: "2", memory: "2Gi", "ephemeral-storage": "1Gi" },
            limits: { "ephemeral-storage": "2Gi" },
        });
        await expectRejected(
            { resources: { requests: { cpu: "2", memory: "2Gi", "ephemeral-storage": "lots" } } },
            "`resources.requests.ephemeral-storage`",
            "quantity",
        );
    });

    describe("metrics", () => {
        it("sends StatsD and OpenTelemetry metrics together", async () => {
            const { recorder } = await build({
                observability: {
                    metrics: {
                        statsd: { endpoint: "statsd:8125", tagFormat: "librato" },
                        openTelemetry: { collectorUri: "http://otel:4317/" },
                    },
                },
            });
            const data = configData(recorder);
            assert.equal(data["telemetry.metrics.local"], "statsd");
            assert.equal(data["telemetry.metrics.local.statsd.tag-format"], "librato");
            assert.equal(data["observability.opentelemetry.enabled"], "true");
            assert.equal(data["observability.opentelemetry.collector.uri"], "http://otel:4317/");
        });

        for (const tagFormat of ["librato", "dogStatsD", "influxDB", "none"] as const) {
            it(`accepts the documented StatsD tag format ${tagFormat}`, async () => {
                const { recorder } = await build({ observability: { metrics: { statsd: { endpoint: "statsd:8125", tagFormat } } } });
                assert.equal(configData(recorder)["telemetry.metrics.local.statsd.tag-format"], tagFormat);
            });
        }

        it("refuses the misspelt tag format ibrato", async () => {
            await expectRejected(
                { observability: { metrics: { statsd: { endpoint: "statsd:8125", tagFormat: "ibrato" as never } } } },
                "`observability.metrics.statsd.tagFormat`",
                '"librato"',
            );
        });
    });

    describe("TLS cipher suites", () => {
        it("writes the allowed suites for server and client connections", async () => {
            const { recorder } = await build({
                tls: {
                    serverCipherSuites: ["TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"],
                    clientCipherSuites: ["TLS_AES_128_GCM_SHA256"],
                },
            });
            const data = configData(recorder);
            assert.equal(data["net.server.tls.ciphers.allowed-suites"], "TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256");
            assert.equal(data["net.client.tls.ciphers.allowed-suites"], "TLS_AES_128_GCM_SHA256");
        });

        it("refuses an empty list and a name that is not a suite", async () => {
            await expectRejected({ tls: { serverCipherSuites: [] } }, "`tls.serverCipherSuites` is empty");
            await expectRejected(
                { tls: { clientCipherSuites: ["TLS_AES_256_GCM_SHA384,TLS_AES_128_GCM_SHA256"] } },
                "`tls.clientCipherSuites[0]`",
                "one per entry",
            );
        });
    });

    describe("instance discovery ports", () => {
        it("moves synchronisation and heartbeat to other ports everywhere they appear", async () => {
            const { recorder } = await build({
                instanceDiscovery: { synchronizationPort: 5290, heartbeatPort: 5291 },
                networkPolicy: { enabled: true },
            });
            const data = configData(recorder);
            assert.equal(data["policy.rate-limit.sync.port"], "5290");
            assert.equal(data["neighborhood.heartbeat.port"], "5291");
            const udp = (ports: { protocol: string; containerPort?: number; port?: number }[]) =>
                ports.filter((p) => p.protocol === "UDP").map((p) => p.containerPort ?? p.port);
            assert.deepEqual(udp(gatewayContainer(recorder).ports), [5290, 5291]);
            assert.deepEqual(udp(object(recorder, K8S.service, "contoso-gw-instance-discovery").spec.ports), [5290, 5291]);
            assert.deepEqual(udp(object(recorder, K8S.networkPolicy).spec.ingress[1].ports), [5290, 5291]);
        });

        it("refuses a port taken by the gateway's traffic or by the other discovery port", async () => {
            await expectRejected(
                { instanceDiscovery: { synchronizationPort: 8080 } },
                "`instanceDiscovery.synchronizationPort`",
                "http port",
            );
            await expectRejected(
                { instanceDiscovery: { synchronizationPort: 5000, heartbeatPort: 5000 } },
                "`instanceDiscovery.heartbeatPort`",
                "instanceDiscovery.synchronizationPort",
            );
        });

        it("refuses the ports as pass-through settings", async () => {
            await expectRejected(
                { configuration: { settings: { "neighborhood.heartbeat.port": "5291" } } },
                "instanceDiscovery.heartbeatPort",
            );
        });
    });

    describe("allocateLoadBalancerNodePorts", () => {
        it("is written on a LoadBalancer Service", async () => {
            const { recorder } = await build({ service: { exposure: "public", allocateLoadBalancerNodePorts: false } });
            assert.equal(object(recorder, K8S.service, "contoso-gw-live-traffic").spec.allocateLoadBalancerNodePorts, false);
        });

        it("is refused on another Service type", async () => {
            await expectRejected(
                { service: { type: "ClusterIP", allocateLoadBalancerNodePorts: false } },
                "`service.allocateLoadBalancerNodePorts`",
                "LoadBalancer",
            );
        });
    });

    describe("an external autoscaler (KEDA)", () => {
        it("leaves spec.replicas out and creates no HPA", async () => {
            const { recorder } = await build({ externalAutoscaler: true });
            assert.equal(object(recorder, K8S.deployment).spec.replicas, undefined);
            assert.deepEqual(recorder.ofType(K8S.hpa), []);
        });

        it("is refused together with replicas or autoscaling", async () => {
            await expectRejected({ externalAutoscaler: true, replicas: 3 }, "`replicas` cannot be combined with externalAutoscaler");
            await expectRejected(
                { externalAutoscaler: true, autoscaling: { minReplicas: 2, maxReplicas: 4 } },
                "`autoscaling` cannot be combined with externalAutoscaler",
            );
        });
    });

    describe("an existing token Secret", () => {
        it("reads the token from it, creates no token and leaves nothing for the rotation", async () => {
            const { recorder, gateway } = await build({ auth: { type: "existingTokenSecret", secretName: "gateway-token-7f3a9c" } });
            assert.deepEqual(recorder.ofType("pulumi-nodejs:dynamic/apim-gateway:GatewayToken"), []);
            assert.deepEqual(recorder.ofType(K8S.secret), []);
            assert.deepEqual(gatewayContainer(recorder).env[0], {
                name: "config.service.auth",
                valueFrom: { secretKeyRef: { name: "gateway-token-7f3a9c", key: "value" } },
            });
            const outputs = await new Promise<[string, string[]]>((resolve) =>
                gateway.authType.apply((t) => gateway.rotationTargets.apply((r) => resolve([t, r]))),
            );
            assert.deepEqual(outputs, ["existingTokenSecret", []]);
        });

        it("rolls the pods when the Secret's name changes (the name is in the pod template)", async () => {
            const a = await build({ auth: { type: "existingTokenSecret", secretName: "gateway-token-1" } });
            const b = await build({ auth: { type: "existingTokenSecret", secretName: "gateway-token-2" } });
            assert.notDeepEqual(object(a.recorder, K8S.deployment).spec.template, object(b.recorder, K8S.deployment).spec.template);
        });

        it("refuses token settings and a bad Secret name", async () => {
            await expectRejected(
                { auth: { type: "existingTokenSecret", secretName: "gateway-token" }, token: { validityDays: 10 } },
                "`token`",
                "only to token auth",
            );
            await expectRejected(
                { auth: { type: "existingTokenSecret", secretName: "Gateway_Token" } },
                "`auth.secretName`",
                "not a Secret name",
            );
        });
    });

    describe("managed settings in any case or separator", () => {
        for (const key of ["CONFIG.SERVICE.ENDPOINT", "config_service_endpoint", "Config__Service__Endpoint"]) {
            it(`refuses ${key} in configuration.settings`, async () => {
                await expectRejected(
                    { configuration: { settings: { [key]: "evil.example" } } },
                    `configuration.settings["${key}"]`,
                    "configuration.endpoint",
                    "ignore case",
                );
            });
        }

        it("refuses a variant of a managed setting in env", async () => {
            await expectRejected({ env: [{ name: "GATEWAY_NAME", value: "x" }] }, "`env[0].name`", "gateway.name", "gatewayId");
        });
    });
});

describe("SelfHostedGateway: secretEnv", () => {
    it("stores secret env values in a content-named Secret read through secretKeyRef; the Deployment holds none", async () => {
        const { recorder } = await build({ secretEnv: { BACKEND_API_KEY: "s3cr3t-value", "backend.token": "another" } });
        const secret = recorder.ofType(K8S.secret).find((r) => /^contoso-gw-secret-env-[0-9a-f]{10}$/.test(r.inputs.metadata.name))!;
        assert.ok(secret, "a contoso-gw-secret-env-<hash> Secret");
        assert.deepEqual(secret.inputs.stringData, { BACKEND_API_KEY: "s3cr3t-value", "backend.token": "another" });
        assert.equal(secret.inputs.immutable, true);
        assert.ok(isSecretWrapped(secret.rawInputs.stringData));
        const env = gatewayContainer(recorder).env.filter(
            (e: { valueFrom?: { secretKeyRef?: { name: string } } }) => e.valueFrom?.secretKeyRef?.name === secret.inputs.metadata.name,
        );
        assert.deepEqual(
            env.map((e: { name: string; valueFrom: { secretKeyRef: { key: string } } }) => [e.name, e.valueFrom.secretKeyRef.key]),
            [
                ["BACKEND_API_KEY", "BACKEND_API_KEY"],
                ["backend.token", "backend.token"],
            ],
        );
        const deployment = recorder.one(K8S.deployment);
        assert.deepEqual(secretPaths(deployment.rawInputs), []);
        assert.ok(!JSON.stringify(deployment.rawInputs).includes("s3cr3t-value"));
    });

    it("gives the Secret a new name when a value changes, so the pods roll", async () => {
        const name = async (value: string) =>
            (await build({ secretEnv: { KEY: value } })).recorder
                .ofType(K8S.secret)
                .find((r) => r.inputs.metadata.name.startsWith("contoso-gw-secret-env-"))!.inputs.metadata.name;
        assert.notEqual(await name("a"), await name("b"));
    });

    it("refuses a managed name, a name in env too, and a name unusable as a Secret key", async () => {
        await expectRejected({ secretEnv: { HTTPS_PROXY: "x" } }, '`secretEnv["HTTPS_PROXY"]`', "proxy.https");
        await expectRejected({ env: [{ name: "KEY", value: "a" }], secretEnv: { KEY: "b" } }, '`secretEnv["KEY"]`', "listed twice");
        await expectRejected({ secretEnv: { "MY KEY": "b" } }, '`secretEnv["MY KEY"]`', "Secret key");
    });
});
