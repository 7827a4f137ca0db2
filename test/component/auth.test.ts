import { strict as assert } from "node:assert";
import { createHash, createHmac } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { CHECKSUM_KEY_TYPE, isSecretWrapped, MOCK_CHECKSUM_KEY, promiseOf, RecordedResource, secretPaths } from "../helpers/pulumiMocks";
import { GATEWAY_TOKEN_TYPE } from "../../components/token/typeToken";
import { checksumKeyProvider } from "../../components/checksumKey";
import { build, Built, configData, gatewayContainer, K8S, object, podAnnotations, podSpec, resource } from "./support";

const TOKEN_CHECKSUM = "apim-gateway.pulumi.com/token-checksum";
const CLIENT_SECRET_CHECKSUM = "apim-gateway.pulumi.com/client-secret-checksum";

/**
 * The checksum the component writes for a Secret holding `value` under the key `value`:
 * HMAC-SHA256 of its data (stable JSON) under the stack's checksum key (the mocks' fixed one).
 */
function keyedChecksum(value: string): string {
    return createHmac("sha256", Buffer.from(MOCK_CHECKSUM_KEY, "base64")).update(JSON.stringify({ value })).digest("hex");
}

/** A plain hash, which anyone who can read pods could compare with a guessed secret. */
function sha256(value: string): string {
    return createHash("sha256").update(value).digest("hex");
}

function tokenOf(signature: string): string {
    return `GatewayKey contoso-gw&203001310000&${signature}`;
}

/** Every recorded input and every registered state except the listed resources, as one string. */
function everythingExcept(built: Built, excluded: RecordedResource[]): string {
    const excludedUrns = new Set(excluded.map((r) => r.urn));
    const inputs = built.recorder.resources.filter((r) => !excludedUrns.has(r.urn)).map((r) => ({ name: r.name, inputs: r.inputs }));
    const monitor = pulumi.runtime.getMonitor() as unknown as { getRegisteredResources(): Map<string, { urn: string; state: unknown }> };
    const states = [...monitor.getRegisteredResources().values()]
        .filter((r) => !excludedUrns.has(r.urn))
        .map((r) => ({
            urn: r.urn,
            state: typeof (r.state as any)?.toJavaScript === "function" ? (r.state as any).toJavaScript() : r.state,
        }));
    return JSON.stringify({ inputs, states });
}

describe("SelfHostedGateway: authentication", () => {
    describe("gateway token (default)", () => {
        it("creates a GatewayToken with the gateway id and the 30/10-day defaults", async () => {
            const { recorder } = await build();
            const token = recorder.one(GATEWAY_TOKEN_TYPE);
            assert.equal(token.name, "contoso-token");
            assert.equal(token.inputs.gatewayResourceId, recorder.one("azure-native:apimanagement:Gateway").id);
            assert.equal(token.inputs.validityDays, 30);
            assert.equal(token.inputs.renewBeforeDays, 10);
            assert.equal(token.inputs.renewalTrigger, undefined);
        });

        it("passes validity, renewal window, renewal trigger and Azure cloud to the token", async () => {
            const azureCloud = { name: "AzureUSGovernment" as const, resourceManagerEndpoint: "https://management.usgovcloudapi.net" };
            const { recorder, gateway } = await build({
                token: { validityDays: 14, renewBeforeDays: 4, renewalTrigger: "2030-01-05T10:00:00Z" },
                azureCloud,
            });
            const token = recorder.one(GATEWAY_TOKEN_TYPE).inputs;
            assert.equal(token.validityDays, 14);
            assert.equal(token.renewBeforeDays, 4);
            assert.equal(token.renewalTrigger, "2030-01-05T10:00:00Z");
            assert.deepEqual(token.azureCloud, azureCloud);
            assert.equal(await promiseOf(gateway.tokenExpiresAt), "2030-01-15T00:00:00.000Z");
            assert.equal(await promiseOf(gateway.tokenRenewAfter), "2030-01-11T00:00:00.000Z");
        });

        it("stores the token in a Secret named <base>-token-<10 hex of its sha256>, key value, kept a Pulumi secret", async () => {
            const { recorder, gateway } = await build({}, { tokenSignature: "sig-A" });
            const token = tokenOf("sig-A");
            const secret = resource(recorder, K8S.secret);
            assert.equal(secret.inputs.metadata.name, `contoso-gw-token-${keyedChecksum(token).slice(0, 10)}`);
            assert.equal(secret.inputs.type, "Opaque");
            assert.equal(secret.inputs.immutable, true);
            assert.deepEqual(secret.inputs.stringData, { value: token });
            assert.ok(isSecretWrapped(secret.rawInputs.stringData), "the Secret's data must reach the engine as a secret");
            assert.equal(secretPaths(secret.rawInputs.metadata).length, 0, "the name is not a secret (it is only a hash)");
            assert.equal(await promiseOf(gateway.tokenSecret!.metadata.name), secret.inputs.metadata.name);
        });

        it(
            "asks the engine to keep the issued token secret in the state " +
                "(additionalSecretOutputs), since its provider returns it plain",
            async () => {
                const { gateway } = await build({}, { tokenSignature: "sig-A" });
                assert.equal(await pulumi.isSecret(gateway.token!.token), true, "the GatewayToken's token output must be a secret");
                assert.equal(await promiseOf(gateway.token!.token), tokenOf("sig-A"));
                assert.equal(await pulumi.isSecret(gateway.token!.expiresAt), false, "its dates stay readable");
            },
        );

        it("reads config.service.auth from the Secret and annotates the pod template with the token's keyed checksum", async () => {
            const { recorder } = await build({}, { tokenSignature: "sig-A" });
            const secretName = object(recorder, K8S.secret).metadata.name;
            assert.deepEqual(gatewayContainer(recorder).env[0], {
                name: "config.service.auth",
                valueFrom: { secretKeyRef: { name: secretName, key: "value" } },
            });
            assert.equal(podAnnotations(recorder)[TOKEN_CHECKSUM], keyedChecksum(tokenOf("sig-A")));
            assert.ok(!("config.service.auth" in configData(recorder)));
            assert.deepEqual(
                secretPaths(resource(recorder, K8S.deployment).rawInputs),
                [],
                "only a hash reaches the Deployment, so it stays a plain (diffable) value",
            );
        });

        it("rolls over: a new token gives a new Secret name and checksum; the same token changes nothing", async () => {
            const a = await build({}, { tokenSignature: "sig-A" });
            const b = await build({}, { tokenSignature: "sig-B" });
            const aAgain = await build({}, { tokenSignature: "sig-A" });
            const name = (x: Built) => object(x.recorder, K8S.secret).metadata.name;
            const deployment = (x: Built) => object(x.recorder, K8S.deployment);

            assert.notEqual(name(b), name(a));
            assert.notEqual(podAnnotations(b.recorder)[TOKEN_CHECKSUM], podAnnotations(a.recorder)[TOKEN_CHECKSUM]);
            assert.equal(gatewayContainer(b.recorder).env[0].valueFrom.secretKeyRef.name, name(b));
            assert.equal(
                resource(b.recorder, K8S.secret).name,
                resource(a.recorder, K8S.secret).name,
                "same logical resource: Pulumi replaces it",
            );

            assert.equal(name(aAgain), name(a));
            assert.deepEqual(deployment(aAgain), deployment(a), "an unchanged token must not touch the Deployment");
            const { [TOKEN_CHECKSUM]: _a, ...restA } = podAnnotations(a.recorder);
            const { [TOKEN_CHECKSUM]: _b, ...restB } = podAnnotations(b.recorder);
            void _a;
            void _b;
            assert.deepEqual(restB, restA, "only the token's checksum differs between the two templates");
        });

        it(
            "annotates the token Secret with the token's expiry, renewal " + "instant and key type, in plain text, outside the checksum",
            async () => {
                const fixed = { tokenValue: () => tokenOf("sig-A") };
                const a = await build({}, fixed);
                const b = await build({ token: { validityDays: 14, renewBeforeDays: 4 } }, fixed);
                const secret = resource(a.recorder, K8S.secret);
                assert.deepEqual(secret.inputs.metadata.annotations, {
                    "apim-gateway.pulumi.com/token-expires-at": await promiseOf(a.gateway.tokenExpiresAt),
                    "apim-gateway.pulumi.com/token-renew-after": await promiseOf(a.gateway.tokenRenewAfter),
                    "apim-gateway.pulumi.com/token-key-type": "primary",
                });
                assert.deepEqual(secretPaths(secret.rawInputs.metadata), [], "the annotations are not secrets");
                assert.ok(!JSON.stringify(secret.inputs.metadata).includes("sig-A"), "no part of the token in the metadata");
                assert.notDeepEqual(
                    object(b.recorder, K8S.secret).metadata.annotations,
                    secret.inputs.metadata.annotations,
                    "control: other facts, other annotations",
                );
                assert.equal(
                    object(b.recorder, K8S.secret).metadata.name,
                    secret.inputs.metadata.name,
                    "an annotation change renames no Secret",
                );
                assert.deepEqual(
                    object(b.recorder, K8S.deployment),
                    object(a.recorder, K8S.deployment),
                    "an annotation change touches no pod template: no restart",
                );
                assert.ok(
                    !Object.keys(podAnnotations(a.recorder)).some(
                        (key) => key.startsWith("apim-gateway.pulumi.com/token-") && key !== TOKEN_CHECKSUM,
                    ),
                );
            },
        );

        it("never puts the token into any other object, name, annotation or output", async () => {
            const built = await build({}, { tokenSignature: "very-secret-signature" });
            const tokenResource = built.recorder.one(GATEWAY_TOKEN_TYPE);
            const secret = resource(built.recorder, K8S.secret);
            const everything = everythingExcept(built, [tokenResource, secret]);
            assert.ok(!everything.includes("very-secret-signature"), "token leaked outside its Secret");
            assert.ok(
                everythingExcept(built, [tokenResource]).includes("very-secret-signature"),
                "control: the search does see the Secret's content",
            );
            assert.ok(
                everything.includes(keyedChecksum(tokenOf("very-secret-signature"))),
                "the keyed checksum itself is expected to be visible",
            );
            // The rotation contract's tokenChecksum is the one plain digest, by design (authValueDigest:
            // an unguessable token's digest reveals nothing, and lets the CLI prove the key still signs it).
            const plain = sha256(tokenOf("very-secret-signature"));
            assert.ok(everything.includes(`"tokenChecksum":"${plain}"`), "control: the contract carries the digest");
            assert.ok(
                !everything.replaceAll(`"tokenChecksum":"${plain}"`, "").includes(plain),
                "no plain hash of the token anywhere else: a reader of pods could test guesses against it",
            );
        });

        it("keeps the pods off the ServiceAccount token and out of workload identity", async () => {
            const { recorder } = await build();
            assert.equal(podSpec(recorder).automountServiceAccountToken, false);
            assert.ok(!("azure.workload.identity/use" in object(recorder, K8S.deployment).spec.template.metadata.labels));
        });
    });

    describe("workload identity", () => {
        const auth = {
            type: "workloadIdentity" as const,
            clientId: "00000000-aaaa-bbbb-cccc-000000000001",
            tenantId: "00000000-aaaa-bbbb-cccc-000000000002",
        };

        it("creates no token and no Secret", async () => {
            const { recorder, gateway } = await build({ auth });
            assert.deepEqual(recorder.ofType(GATEWAY_TOKEN_TYPE), []);
            assert.deepEqual(recorder.ofType(K8S.secret), []);
            assert.equal(gateway.token, undefined);
            assert.equal(gateway.tokenSecret, undefined);
            assert.equal(await promiseOf(gateway.tokenExpiresAt), undefined);
            assert.equal(await promiseOf(gateway.tokenKeyType), undefined);
            assert.deepEqual(await promiseOf(gateway.rotationTargets), []);
            assert.equal(await promiseOf(gateway.authType), "workloadIdentity");
        });

        it("sets the auth mode and gateway name in the ConfigMap", async () => {
            const { recorder } = await build({ auth });
            assert.equal(configData(recorder)["config.service.auth"], "workloadIdentity");
            assert.equal(configData(recorder)["gateway.name"], "contoso-gw");
            assert.ok(!gatewayContainer(recorder).env.some((e: any) => e.name === "config.service.auth"));
        });

        it(
            "annotates the ServiceAccount, labels the pods (not the selector) " +
                "and mounts no Kubernetes API token (the webhook projects its own)",
            async () => {
                const { recorder } = await build({ auth });
                const sa = object(recorder, K8S.serviceAccount);
                assert.deepEqual(sa.metadata.annotations, {
                    "azure.workload.identity/client-id": auth.clientId,
                    "azure.workload.identity/tenant-id": auth.tenantId,
                });
                assert.equal(sa.automountServiceAccountToken, false);
                const deployment = object(recorder, K8S.deployment);
                assert.equal(deployment.spec.template.metadata.labels["azure.workload.identity/use"], "true");
                assert.ok(!("azure.workload.identity/use" in deployment.spec.selector.matchLabels));
                assert.equal(podSpec(recorder).automountServiceAccountToken, false);
            },
        );

        it("leaves the tenant annotation out when no tenant is given", async () => {
            const { recorder } = await build({ auth: { type: "workloadIdentity", clientId: "c" } });
            assert.deepEqual(object(recorder, K8S.serviceAccount).metadata.annotations, { "azure.workload.identity/client-id": "c" });
        });
    });

    describe("Entra app (azureAdApp)", () => {
        const auth = { type: "azureAdApp" as const, tenantId: "tenant-1", clientId: "client-1", clientSecret: "plain-client-secret" };

        it("creates no token; writes tenant, client and the default authority to the ConfigMap", async () => {
            const { recorder, gateway } = await build({ auth });
            assert.deepEqual(recorder.ofType(GATEWAY_TOKEN_TYPE), []);
            const data = configData(recorder);
            assert.equal(data["config.service.auth"], "azureAdApp");
            assert.equal(data["config.service.auth.azureAd.tenantId"], "tenant-1");
            assert.equal(data["config.service.auth.azureAd.clientId"], "client-1");
            assert.equal(data["config.service.auth.azureAd.authority"], "https://login.microsoftonline.com");
            assert.equal(data["gateway.name"], "contoso-gw");
            assert.equal(gateway.tokenSecret, undefined);
            assert.deepEqual(await promiseOf(gateway.rotationTargets), []);
            assert.equal(await promiseOf(gateway.authType), "azureAdApp");
        });

        it("keeps the client secret in a hash-named Secret, a Pulumi secret even when given as plain text", async () => {
            const { recorder } = await build({ auth });
            const secret = resource(recorder, K8S.secret);
            assert.equal(secret.inputs.metadata.name, `contoso-gw-azure-ad-${keyedChecksum("plain-client-secret").slice(0, 10)}`);
            assert.deepEqual(secret.inputs.stringData, { value: "plain-client-secret" });
            assert.ok(isSecretWrapped(secret.rawInputs.stringData));
            assert.deepEqual(gatewayContainer(recorder).env[0], {
                name: "config.service.auth.azureAd.clientSecret",
                valueFrom: { secretKeyRef: { name: secret.inputs.metadata.name, key: "value" } },
            });
            assert.equal(podAnnotations(recorder)[CLIENT_SECRET_CHECKSUM], keyedChecksum("plain-client-secret"));
            assert.notEqual(
                podAnnotations(recorder)[CLIENT_SECRET_CHECKSUM],
                sha256("plain-client-secret"),
                "not a plain hash of the client secret",
            );
            assert.equal(podSpec(recorder).automountServiceAccountToken, false);
        });

        it("rolls the pods when the client secret changes and never leaks it", async () => {
            const a = await build({ auth });
            const b = await build({ auth: { ...auth, clientSecret: "rotated-client-secret" } });
            assert.notEqual(object(b.recorder, K8S.secret).metadata.name, object(a.recorder, K8S.secret).metadata.name);
            assert.notEqual(podAnnotations(b.recorder)[CLIENT_SECRET_CHECKSUM], podAnnotations(a.recorder)[CLIENT_SECRET_CHECKSUM]);
            assert.ok(!everythingExcept(b, [resource(b.recorder, K8S.secret)]).includes("rotated-client-secret"));
        });

        it("takes another authority (sovereign clouds)", async () => {
            const { recorder } = await build({ auth: { ...auth, authority: "https://login.microsoftonline.us" } });
            assert.equal(configData(recorder)["config.service.auth.azureAd.authority"], "https://login.microsoftonline.us");
        });
    });

    describe("checksum key", () => {
        it("keys every checksum with one per-stack random key kept as a secret output in the state", async () => {
            const { recorder } = await build();
            const key = recorder.one(CHECKSUM_KEY_TYPE);
            assert.equal(key.name, "contoso-checksum-key");
            assert.ok(key.urn.includes("SelfHostedGateway$"), "a child of the component");
        });

        it("draws a fresh 32-byte key as a secret input, kept once stored (ignoreChanges), never diffed", async () => {
            const a = await build();
            const b = await build({}, { outputs: () => undefined });
            const keyA = a.recorder.one(CHECKSUM_KEY_TYPE);
            assert.ok(isSecretWrapped(keyA.rawInputs.key), "the key reaches the engine as a secret");
            assert.equal(Buffer.from(keyA.inputs.key, "base64").length, 32);
            assert.notEqual(keyA.inputs.key, b.recorder.one(CHECKSUM_KEY_TYPE).inputs.key, "each stack draws its own key");
            const created = await checksumKeyProvider.create!({ key: keyA.inputs.key });
            assert.deepEqual(created.outs, { key: keyA.inputs.key }, "the provider stores the drawn key");
            assert.deepEqual(await checksumKeyProvider.diff!(created.id, created.outs, { key: "another" }), { changes: false });
        });
    });
});
