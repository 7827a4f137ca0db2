import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { MUST_BE_SECRET, RawStackConfig, StackConfigError, StackSettings, stackSettings } from "../../stacks/config";
import { installMocks, promiseOf } from "../helpers/pulumiMocks";

const required = {
    resourceGroupName: "rg",
    serviceName: "svc",
    gatewayId: "gw",
    location: JSON.stringify({ name: "DC" }),
    service: JSON.stringify({ exposure: "internal" }),
};

/** Raw config as the runtime holds it: `apim-gateway:` keys unless a key names its namespace. */
function raw(values: Record<string, string>, secret: string[] = []): RawStackConfig {
    const full = (key: string) => (key.includes(":") ? key : `apim-gateway:${key}`);
    return {
        values: Object.fromEntries(Object.entries(values).map(([k, v]) => [full(k), v])),
        secretKeys: new Set(secret.map(full)),
    };
}

function settings(values: Record<string, string>, secret: string[] = []): StackSettings {
    return stackSettings(raw({ ...required, ...values }, secret));
}

function problems(values: Record<string, string>, secret: string[] = []): string {
    try {
        stackSettings(raw(values, secret));
    } catch (err) {
        assert.ok(err instanceof StackConfigError, `expected a StackConfigError, got ${String(err)}`);
        return err.message;
    }
    assert.fail("the configuration was accepted");
}

describe("stack config", () => {
    before(async () => {
        await installMocks({ project: "apim-gateway", stack: "test" });
    });

    it("takes strings as they are and structured values as JSON, the way the Pulumi CLI passes them", () => {
        const { args } = settings({
            gatewayId: "12345",
            kubernetesName: "gw",
            replicas: "3",
            image: JSON.stringify({ tag: "2.11.1" }),
            resources: JSON.stringify({ requests: { cpu: 2, memory: "2Gi", "ephemeral-storage": "1Gi" } }),
        });
        assert.equal(args.gatewayId, "12345");
        assert.equal(args.replicas, 3);
        assert.deepEqual(args.image, { tag: "2.11.1" });
        assert.equal(args.resources?.requests?.cpu, "2", "a YAML number becomes a Kubernetes quantity string");
        assert.equal(args.resources?.requests?.["ephemeral-storage"], "1Gi");
    });

    it("rejects a value of the wrong type, naming the key and the expected type", () => {
        const message = problems({ ...required, replicas: "three" });
        assert.match(message, /'apim-gateway:replicas'/);
        assert.match(message, /must be a number, got a string \("three"\)/);
    });

    it("rejects unknown keys at the top level and inside objects, naming each", () => {
        const message = problems({ ...required, replica: "3", image: JSON.stringify({ tagg: "2.11.1" }) });
        assert.match(message, /unknown key 'apim-gateway:replica'/);
        assert.match(message, /unknown key 'apim-gateway:image\.tagg'/);
    });

    it("reports every problem at once, including missing required keys", () => {
        const message = problems({ serviceName: "svc", profile: "staging", service: JSON.stringify({ type: "Ingress" }) });
        assert.match(message, /'apim-gateway:resourceGroupName'/);
        assert.match(message, /'apim-gateway:gatewayId'/);
        assert.match(message, /'apim-gateway:profile'/);
        assert.match(message, /'apim-gateway:service\.type'/);
        assert.match(message, /Fix the keys above in Pulumi\.<stack>\.yaml/, "the message says where to fix it");
    });

    it("names the stack's own settings file when it knows the stack", () => {
        assert.throws(
            () => stackSettings({ ...raw({ serviceName: "svc" }), stack: "prod" }),
            /Fix the keys above in Pulumi\.prod\.yaml, or with pulumi config set/,
        );
    });

    it("reports schema problems and the component's own rules in one pass", () => {
        const message = problems({
            ...required,
            replicas: "three",
            serviceName: "contoso_apim",
            configuration: JSON.stringify({ endpoint: "http://config.contoso.com" }),
            tolerations: JSON.stringify([{ key: "a", operator: "Exists", efect: "NoSchedule" }]),
            resources: JSON.stringify({ requests: { cpu: 2, memory: "2Gi" } }),
        });
        assert.match(message, /'apim-gateway:replicas'/, "schema");
        assert.match(message, /'apim-gateway:serviceName'.*not an API Management service name/, "component rule");
        assert.match(message, /'apim-gateway:configuration\.endpoint'.*unencrypted/, "component rule");
        assert.match(message, /'apim-gateway:tolerations\[0\]\.efect'.*not a field/, "Kubernetes schema");
        assert.doesNotMatch(message, /resources/, "a YAML number is still a valid quantity when other keys fail");
    });

    it("reports a missing location together with the production profile's problems, not on a second run", () => {
        const { location: _location, ...withoutLocation } = required;
        const message = problems({ ...withoutLocation, replicas: "1", image: JSON.stringify({ tag: "latest" }) });
        assert.match(message, /'apim-gateway:location'/);
        assert.match(message, /'apim-gateway:replicas'.*at least 2/);
        assert.match(message, /'apim-gateway:image\.tag'.*moving tag/);
    });

    it("checks the auth mode's own keys", () => {
        const message = problems({ ...required, auth: JSON.stringify({ type: "workloadIdentity" }) });
        assert.match(message, /'apim-gateway:auth\.clientId'/);
    });

    it("refuses keys under a misspelt project namespace, naming the near miss, and ignores other namespaces", () => {
        const message = problems({
            ...required,
            "apim-gatway:service": JSON.stringify({ annotations: { "service.beta.kubernetes.io/azure-load-balancer-internal": "true" } }),
            "apim_gateway:profile": "development",
            "kubernetes:context": "aks",
            "azure-native:location": "westeurope",
        });
        assert.match(message, /'apim-gatway:service'.*near miss of 'apim-gateway'.*'apim-gateway:service'/);
        assert.match(message, /'apim_gateway:profile'.*'apim-gateway:profile'/);
        assert.doesNotMatch(message, /kubernetes:context|azure-native/);
    });

    for (const [key, value] of [
        ["kubeconfig", "apiVersion: v1\nclusters: []\n"],
        ["azureAdClientSecret", "plain value"],
        ["secretEnv", JSON.stringify({ KEY: "v" })],
    ]) {
        it(`refuses ${key} in plain text with the command that stores it encrypted`, () => {
            assert.ok(key in MUST_BE_SECRET);
            const message = problems({ ...required, [key]: value });
            assert.ok(message.includes(`'apim-gateway:${key}' is stored in plain text`), message);
            assert.ok(message.includes(`'pulumi config set --secret `) && message.includes(key), message);
        });
    }

    it("takes a kubeconfig file path in plain text (the path holds no secret)", () => {
        assert.ok(settings({ kubeconfig: "/home/ops/.kube/aks-prod" }).kubeconfig !== undefined);
    });

    it("keeps a secret kubeconfig a Pulumi secret", async () => {
        const { kubeconfig } = settings({ kubeconfig: "apiVersion: v1" }, ["kubeconfig"]);
        assert.equal(await pulumi.isSecret(kubeconfig!), true);
        assert.equal(await promiseOf(kubeconfig!), "apiVersion: v1");
    });

    it("makes every value of a secret key a Pulumi secret in the component's arguments", async () => {
        const { args } = settings(
            {
                env: JSON.stringify([{ name: "BACKEND_KEY", value: "s3cr3t" }]),
                configuration: JSON.stringify({ endpoint: "config.contoso.com", settings: { "x.y": "hidden" } }),
                serviceName: "svc",
            },
            ["env", "configuration", "serviceName"],
        );
        assert.equal(args.env, undefined, "a plain env value moves to secretEnv");
        assert.deepEqual(Object.keys(args.secretEnv!), ["BACKEND_KEY"]);
        assert.equal(await pulumi.isSecret(pulumi.output(args.secretEnv!.BACKEND_KEY)), true);
        assert.equal(await pulumi.isSecret(pulumi.output(args.configuration!.endpoint!)), true);
        assert.equal(await pulumi.isSecret(pulumi.output(args.configuration!.settings!["x.y"])), true);
        assert.equal(await pulumi.isSecret(pulumi.output(args.serviceName)), true);
        assert.equal(args.replicas, undefined);
    });

    it("refuses a secret mark on a key whose values cannot stay secret", () => {
        const message = problems({ ...required, replicas: "3", labels: JSON.stringify({ team: "edge" }) }, ["replicas", "labels"]);
        assert.match(message, /'apim-gateway:replicas' is marked secret.*cannot be kept secret: set it without --secret/);
        assert.match(message, /'apim-gateway:labels' is marked secret/);
    });

    it("requires the Entra client secret with azureAdApp auth, naming the key and the command", () => {
        const message = problems({ ...required, auth: JSON.stringify({ type: "azureAdApp", tenantId: "t", clientId: "c" }) });
        assert.match(message, /'apim-gateway:azureAdClientSecret' is required.*pulumi config set --secret azureAdClientSecret/);
    });

    it("takes an Entra app's certificate Secret instead of the client secret, and refuses both", () => {
        const certificate = {
            type: "azureAdApp",
            tenantId: "t",
            clientId: "c",
            clientCertificate: { secretName: "gw-cert-1", key: "tls.pfx" },
        };
        const { args } = settings({ ...required, auth: JSON.stringify(certificate) });
        assert.deepEqual(args.auth, certificate);
        const message = problems({ ...required, auth: JSON.stringify(certificate), azureAdClientSecret: "s" }, ["azureAdClientSecret"]);
        assert.match(message, /'apim-gateway:azureAdClientSecret' and 'apim-gateway:auth.clientCertificate' are both set/);
    });

    it("takes the keyless set-up of workload identity, and names a misplaced piece by its key", () => {
        const keyless = {
            type: "workloadIdentity",
            managedIdentity: { location: "westeurope" },
            federatedCredential: { issuerUrl: "https://issuer.example/" },
            roles: { assignAccessValidator: false },
        };
        assert.deepEqual(settings({ ...required, auth: JSON.stringify(keyless) }).args.auth, keyless);
        const message = problems({ ...required, auth: JSON.stringify({ ...keyless, clientId: "c" }) });
        assert.match(message, /'apim-gateway:auth.clientId': .*auth.managedIdentity creates the identity/);
    });
});
