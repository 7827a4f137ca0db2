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
];

describe("SelfHostedGateway: validation (every profile)", () => {
    for (const c of ALWAYS_REJECTED) {
        it(`rejects ${c.title}`, async () => {
            await expectRejected(c.args, ...c.message);
            await expectRejected({ profile: "development", ...c.args }, ...c.message);
        });
    }

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

    it("accepts workload identity on the default image and on a digest-pinned image", async () => {
        await build({ auth: { type: "workloadIdentity", clientId: "c" } });
        await build({ auth: { type: "workloadIdentity", clientId: "c" }, image: { digest: `sha256:${"a".repeat(64)}` } });
    });
});
