import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { docBlock } from "../helpers/docBlocks";

const root = path.resolve(__dirname, "../..");

interface RenderResult {
    status: number | null;
    stdout: string;
    stderr: string;
    objects: Record<string, any>[];
}

/** Runs `npm run render`'s program as a user would, in its own process. */
function render(stackOrFile: string): RenderResult {
    const result = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "stacks/renderManifests.ts", stackOrFile], {
        cwd: root,
        encoding: "utf8",
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, objects: yamlObjects(result.stdout) };
}

/** The objects of a multi-document YAML text. */
function yamlObjects(text: string): Record<string, any>[] {
    return parseAllDocuments(text)
        .map((d) => d.toJS())
        .filter((o) => o !== null);
}

function find(objects: Record<string, any>[], kind: string): Record<string, any>[] {
    return objects.filter((o) => o.kind === kind);
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "apim-gw-render-"));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

function stackFile(config: Record<string, unknown>): string {
    const file = path.join(fs.mkdtempSync(path.join(scratch, "stack-")), "Pulumi.bad.yaml");
    const lines = Object.entries(config).map(([k, v]) => `  apim-gateway:${k}: ${JSON.stringify(v)}`);
    fs.writeFileSync(file, `config:\n${lines.join("\n")}\n`);
    return file;
}

describe("npm run render", function () {
    this.timeout(120_000);

    describe("the prod example stack, rendered by the README's command as written", () => {
        let result: RenderResult;
        before(() => {
            const block = docBlock("README.md", "npm run -s render -- prod");
            const run = spawnSync("bash", ["-euc", block.lines.join("\n")], { cwd: root, encoding: "utf8" });
            result = { status: run.status, stdout: run.stdout, stderr: run.stderr, objects: yamlObjects(run.stdout) };
        });

        it("prints the README quick start's sample output, line for line", () => {
            const quickStart = fs
                .readFileSync(path.join(root, "README.md"), "utf8")
                .split(/^## /m)
                .find((part) => part.startsWith("Quick start\n"));
            const sample = /^```text\n([\s\S]*?)^```$/m.exec(quickStart ?? "")?.[1];
            assert.ok(sample, "the README's Quick start has a ```text sample");
            const printed = result.stdout.split("\n");
            let at = 0;
            for (const line of sample.trimEnd().split("\n")) {
                at = printed.indexOf(line, at);
                assert.notEqual(at, -1, `printed, after the sample's earlier lines: ${line}`);
            }
        });

        it("renders every Kubernetes object with exit code 0", () => {
            assert.equal(result.status, 0, result.stderr);
            const kinds = new Set(result.objects.map((o) => o.kind));
            for (const kind of [
                "Namespace",
                "ServiceAccount",
                "ConfigMap",
                "Secret",
                "PersistentVolumeClaim",
                "Deployment",
                "Service",
                "PodDisruptionBudget",
                "NetworkPolicy",
            ]) {
                assert.ok(kinds.has(kind), `no ${kind} rendered`);
            }
            assert.equal(result.objects[0].kind, "Namespace", "the namespace comes first");
        });

        it("applies the stack's values on top of the production defaults", () => {
            const [deployment] = find(result.objects, "Deployment");
            assert.equal(deployment.metadata.namespace, "apim-gateway");
            assert.equal(deployment.spec.replicas, 3);
            assert.deepEqual(deployment.spec.strategy.rollingUpdate, { maxUnavailable: 0, maxSurge: 1 });
            assert.equal(deployment.spec.template.spec.containers[0].resources.limits.memory, "4Gi");
            const live = find(result.objects, "Service").find((s) => s.spec.type === "LoadBalancer");
            assert.ok(live, "no LoadBalancer Service");
            assert.equal(live.spec.externalTrafficPolicy, "Local");
            assert.equal(live.metadata.annotations["service.beta.kubernetes.io/azure-load-balancer-internal"], "true");
            assert.match(result.stdout, /# Azure resource \(not rendered\): azure-native:apimanagement:Gateway/);
        });

        it(
            "keeps the network and pod defaults of production: exposure as chosen, Pod Security " +
                "restricted, a NetworkPolicy that denies the instance metadata endpoint, no API token",
            () => {
                const [namespace] = find(result.objects, "Namespace");
                assert.equal(namespace.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
                const [policy] = find(result.objects, "NetworkPolicy");
                assert.deepEqual(policy.spec.policyTypes, ["Ingress", "Egress"]);
                assert.deepEqual(policy.spec.egress[0].to[0], { ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.169.254/32"] } });
                const udp = policy.spec.ingress.find((rule: any) => rule.ports.some((port: any) => port.protocol === "UDP"));
                assert.deepEqual(udp.from, [
                    { podSelector: { matchLabels: find(result.objects, "Deployment")[0].spec.selector.matchLabels } },
                ]);
                assert.equal(find(result.objects, "ServiceAccount")[0].automountServiceAccountToken, false);
                assert.equal(find(result.objects, "Deployment")[0].spec.template.spec.automountServiceAccountToken, false);
            },
        );

        it("never prints a secret value", () => {
            const [secret] = find(result.objects, "Secret");
            assert.deepEqual({ ...secret.data, ...secret.stringData }, { value: "[secret]" }, "keys kept, values redacted");
            assert.doesNotMatch(result.stdout, /GatewayKey|rendered-offline/);
        });
    });

    describe("the keyless example stack (issue 16 §1)", () => {
        let result: RenderResult;
        before(() => {
            result = render("keyless");
        });

        it("renders no Secret, the ServiceAccount for workload identity and pods that use it", () => {
            assert.equal(result.status, 0, result.stderr);
            assert.deepEqual(find(result.objects, "Secret"), [], "no token, no client secret");
            const [account] = find(result.objects, "ServiceAccount");
            assert.equal(account.metadata.annotations["azure.workload.identity/client-id"], "<assigned-by-azure>");
            assert.equal(account.automountServiceAccountToken, false, "the webhook projects its own token volume: no Kubernetes API token");
            assert.equal(account.metadata.labels["azure.workload.identity/use"], "true", "labelled as Microsoft's YAML and chart 1.15 do");
            const [deployment] = find(result.objects, "Deployment");
            assert.equal(deployment.spec.template.metadata.labels["azure.workload.identity/use"], "true");
            assert.equal(deployment.spec.selector.matchLabels["azure.workload.identity/use"], undefined, "never in the immutable selector");
            assert.equal(deployment.spec.template.spec.serviceAccountName, account.metadata.name);
            const [configMap] = find(result.objects, "ConfigMap");
            assert.equal(configMap.data["config.service.auth"], "workloadIdentity");
        });

        it("lists every Azure piece it would create, and says the instance check runs in preview and up, not offline", () => {
            for (const piece of [
                'azure-native:managedidentity:UserAssignedIdentity "gateway-identity"',
                'azure-native:managedidentity:FederatedIdentityCredential "gateway-federated-credential"',
                'azure-native:authorization:RoleDefinition "gateway-access-validator-role"',
                'azure-native:authorization:RoleDefinition "gateway-configuration-reader-role"',
                'azure-native:authorization:RoleAssignment "gateway-access-validator-assignment"',
                'azure-native:authorization:RoleAssignment "gateway-configuration-reader-assignment"',
            ]) {
                assert.ok(result.stdout.includes(`# Azure resource (not rendered): ${piece}`), `header lacks ${piece}`);
            }
            assert.match(result.stdout, /# Not checked offline: that the API Management instance has a system-assigned identity/);
        });
    });

    it("renders an Entra app signing in with a certificate from a Secret", () => {
        const file = stackFile({
            resourceGroupName: "rg",
            serviceName: "svc",
            gatewayId: "gw",
            location: { name: "DC" },
            service: { exposure: "internal" },
            auth: { type: "azureAdApp", tenantId: "t", clientId: "c", clientCertificate: { secretName: "gw-entra-cert-1" } },
        });
        const result = render(file);
        assert.equal(result.status, 0, result.stderr);
        const [deployment] = find(result.objects, "Deployment");
        const volume = deployment.spec.template.spec.volumes.find((v: { name: string }) => v.name === "entra-client-certificate");
        assert.equal(volume.secret.secretName, "gw-entra-cert-1");
        assert.equal(
            find(result.objects, "ConfigMap")[0].data["config.service.auth.azureAd.certificatePath"],
            "/apim/entra-client-certificate/certificate.pfx",
        );
        assert.doesNotMatch(result.stdout, /Not checked offline/, "no Azure set-up asked for, no instance check");
    });

    describe("the dev example stack", () => {
        it("renders with the development profile's relaxed values and warns about each", () => {
            const result = render("dev");
            assert.equal(result.status, 0, result.stderr);
            const [deployment] = find(result.objects, "Deployment");
            assert.equal(deployment.metadata.namespace, "apim-gateway-dev");
            assert.equal(deployment.spec.replicas, 1);
            assert.match(deployment.spec.template.spec.containers[0].image, /:v2$/);
            assert.equal(find(result.objects, "PersistentVolumeClaim").length, 0, "backup is off in dev");
            assert.match(result.stderr, /replicas/);
            assert.match(result.stderr, /v2/);
        });
    });

    describe("bad input", () => {
        const valid = {
            resourceGroupName: "rg",
            serviceName: "svc",
            gatewayId: "gw",
            location: { name: "DC" },
            service: { exposure: "internal" },
        };

        it("exits 1 on a production LoadBalancer without service.exposure, naming both choices", () => {
            const result = render(stackFile({ ...valid, service: { type: "LoadBalancer" } }));
            assert.equal(result.status, 1);
            assert.match(result.stderr, /service\.exposure/);
            assert.match(result.stderr, /"internal".*"public"/);
            assert.equal(result.objects.length, 0);
        });

        it("renders a public LoadBalancer when chosen, without the internal annotation", () => {
            const result = render(stackFile({ ...valid, service: { exposure: "public" } }));
            assert.equal(result.status, 0, result.stderr);
            const live = find(result.objects, "Service").find((service) => service.spec.type === "LoadBalancer");
            assert.equal(live?.metadata.annotations?.["service.beta.kubernetes.io/azure-load-balancer-internal"], undefined);
        });

        it("exits 1 naming a wrongly typed key, and prints no objects", () => {
            const result = render(stackFile({ ...valid, replicas: "three" }));
            assert.equal(result.status, 1);
            assert.match(result.stderr, /'apim-gateway:replicas'/);
            assert.equal(result.objects.length, 0);
        });

        it("exits 1 naming an unknown key", () => {
            const result = render(stackFile({ ...valid, replica: 3 }));
            assert.equal(result.status, 1);
            assert.match(result.stderr, /unknown key 'apim-gateway:replica'/);
            assert.match(result.stderr, /Fix the keys above in Pulumi\.bad\.yaml,/, "names the stack's own file");
        });

        it("exits 1 on a gatewayId over 80 characters, naming the argument", () => {
            const result = render(stackFile({ ...valid, gatewayId: "g".repeat(81) }));
            assert.equal(result.status, 1);
            assert.match(result.stderr, /gatewayId/);
            assert.match(result.stderr, /80/);
            assert.equal(result.objects.length, 0);
        });

        it("exits 1 on a production rule, naming the argument and the rule", () => {
            const result = render(stackFile({ ...valid, image: { tag: "latest" } }));
            assert.equal(result.status, 1);
            assert.match(result.stderr, /image\.tag/);
            assert.match(result.stderr, /latest/);
        });

        it(
            "renders a stack with secret structured values: nested `secure:` leaves " +
                "kept secret, a wholly encrypted structured key left out and named",
            () => {
                const result = render(
                    stackFile({
                        ...valid,
                        env: [{ name: "BACKEND_KEY", value: { secure: "v1:AAAA" } }],
                        tolerations: { secure: "v1:BBBB" },
                    }),
                );
                assert.equal(result.status, 0, result.stderr);
                assert.match(result.stdout, /# 'apim-gateway:tolerations' is a secret structured value .* rendered without it/);
                // A secret env value moves to a Secret read through secretKeyRef: the Deployment stays readable.
                const container = find(result.objects, "Deployment")[0].spec.template.spec.containers[0];
                const entry = container.env.find((e: { name: string }) => e.name === "BACKEND_KEY");
                const secret = find(result.objects, "Secret").find((o) => o.metadata.name === entry.valueFrom.secretKeyRef.name);
                assert.deepEqual(secret?.stringData, { BACKEND_KEY: "[secret]" });
                assert.doesNotMatch(result.stdout, /v1:AAAA|v1:BBBB/);
            },
        );

        it("exits 1 for a missing stack, and 2 for a usage error", () => {
            const missing = render("no-such-stack");
            assert.equal(missing.status, 1);
            assert.match(missing.stderr, /Pulumi\.no-such-stack\.yaml/);
            const usage = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "stacks/renderManifests.ts"], {
                cwd: root,
                encoding: "utf8",
            });
            assert.equal(usage.status, 2);
            assert.match(usage.stderr, /Usage: npm run render/);
        });
    });
});
