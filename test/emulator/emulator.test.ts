import { strict as assert } from "node:assert";
import * as https from "node:https";
import * as tls from "node:tls";
import { ClientAssertionCredential, ClientSecretCredential } from "@azure/identity";
import { createApiManagementClient, generateGatewayToken } from "../../components/token/arm";
import generateTokenExample from "./fixtures/ApiManagementGatewayGenerateToken.json";
import listKeysExample from "./fixtures/ApiManagementGatewayListKeys.json";
import regenerateKeyExample from "./fixtures/ApiManagementGatewayRegenerateKey.json";
import getGatewayExample from "./fixtures/ApiManagementGetGateway.json";
import { AzureEmulators } from "../../localenv/azure";
import { useAzureEmulators } from "./suite";

const apiVersion = "api-version=2024-05-01";

describe("ARM and Entra emulators", () => {
    let emu: AzureEmulators;
    useAzureEmulators((started) => (emu = started));

    /** A real client-secret credential for the emulated authority. */
    function credential(tenantId = emu.tenantId): ClientSecretCredential {
        return new ClientSecretCredential(tenantId, emu.clientId, emu.clientSecret, {
            authorityHost: emu.authorityHost,
            disableInstanceDiscovery: true,
        });
    }

    async function armGet(path: string, bearer?: string): Promise<{ status: number; body: { error?: { code: string } } }> {
        const response = await fetch(`${emu.armEndpoint}${path}`, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
        return { status: response.status, body: (await response.json()) as { error?: { code: string } } };
    }

    const gatewayPath = () => `${emu.gatewayResourceId}?${apiVersion}`;

    async function armPost(action: string, body?: unknown): Promise<Response> {
        const token = (await credential().getToken(`${emu.armEndpoint}/.default`)).token;
        return fetch(`${emu.armEndpoint}${emu.gatewayResourceId}/${action}?${apiVersion}`, {
            method: "POST",
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
            body: body === undefined ? undefined : JSON.stringify(body),
        });
    }

    it("serves a certificate that only its own CA verifies (TLS verification stays on)", async () => {
        const port = Number(new URL(emu.armEndpoint).port);
        const error = await new Promise<NodeJS.ErrnoException>((resolve) => {
            const socket = tls.connect({ host: "127.0.0.1", port, ca: [...tls.rootCertificates] }, () =>
                resolve(new Error("connected") as NodeJS.ErrnoException),
            );
            socket.on("error", resolve);
        });
        assert.equal(error.code, "UNABLE_TO_VERIFY_LEAF_SIGNATURE");

        const status = await new Promise<number | undefined>((resolve, reject) => {
            https.get(`${emu.armEndpoint}/`, { ca: emu.caPem, agent: false }, (res) => resolve(res.statusCode)).on("error", reject);
        });
        assert.equal(status, 401, "trusted with the CA, the request reaches the emulator");
    });

    describe("Entra", () => {
        it("publishes the tenant's OpenID configuration MSAL needs", async () => {
            const response = await fetch(`${emu.authorityHost}/${emu.tenantId}/v2.0/.well-known/openid-configuration`);
            const config = (await response.json()) as Record<string, string>;
            const base = `${emu.authorityHost}/${emu.tenantId}`;
            assert.equal(config.issuer, `${base}/v2.0`);
            assert.equal(config.token_endpoint, `${base}/oauth2/v2.0/token`);
            assert.equal(config.authorization_endpoint, `${base}/oauth2/v2.0/authorize`);
            assert.equal(config.jwks_uri, `${base}/discovery/v2.0/keys`);
            assert.equal(config.end_session_endpoint, `${base}/oauth2/v2.0/logout`);
        });

        it("issues a token to a real ClientSecretCredential for the ARM scope", async () => {
            const token = await credential().getToken(`${emu.armEndpoint}/.default`);
            assert.ok(token.expiresOnTimestamp > Date.now() + 3000_000);
            const { status } = await armGet(gatewayPath(), token.token);
            assert.equal(status, 200);
        });

        it("refuses a scope for a resource it does not know", async () => {
            await assert.rejects(credential().getToken("https://management.azure.com/.default"), /AADSTS500011/);
        });

        it(
            "signs in a real workload-identity credential with a federated " +
                "token of its OIDC issuer, and refuses an expired or untrusted one",
            async () => {
                const assertion = (token: string) => async () => token;
                const credentialFor = (token: string) =>
                    new ClientAssertionCredential(emu.tenantId, emu.clientId, assertion(token), {
                        authorityHost: emu.authorityHost,
                        disableInstanceDiscovery: true,
                    });
                const scope = `${emu.armEndpoint}/.default`;
                const signedIn = await credentialFor(emu.oidcIssuer.issue(emu.federatedSubject)).getToken(scope);
                assert.equal((await armGet(gatewayPath(), signedIn.token)).status, 200);

                const expired = emu.oidcIssuer.issue(emu.federatedSubject, { issuedSecondsAgo: 600, lifetimeSeconds: 300 });
                await assert.rejects(
                    credentialFor(expired).getToken(scope),
                    /AADSTS700024: Client assertion is not within its valid time range/,
                );
                await assert.rejects(
                    credentialFor(emu.oidcIssuer.issue("system:serviceaccount:other:other")).getToken(scope),
                    /AADSTS70021/,
                );
                const forged = emu.oidcIssuer.issue(emu.federatedSubject);
                await assert.rejects(credentialFor(`${forged.slice(0, forged.lastIndexOf(".") + 1)}AAAA`).getToken(scope), /AADSTS50027/);
            },
        );

        it("refuses an unknown tenant", async () => {
            const response = await fetch(`${emu.authorityHost}/contoso/v2.0/.well-known/openid-configuration`);
            assert.equal(response.status, 400);
        });
    });

    describe("ARM authentication", () => {
        it("answers 401 without a bearer token", async () => {
            const { status, body } = await armGet(gatewayPath());
            assert.equal(status, 401);
            assert.equal(body.error?.code, "AuthenticationFailed");
        });

        it("answers 401 to a token it did not issue", async () => {
            const token = (await credential().getToken(`${emu.armEndpoint}/.default`)).token;
            const forged = `${token.slice(0, token.lastIndexOf(".") + 1)}AAAA`;
            assert.equal((await armGet(gatewayPath(), forged)).body.error?.code, "InvalidAuthenticationToken");
        });

        it("answers 401 to a token for another audience", async () => {
            emu.entra.addResource("https://graph.example");
            const token = (await credential().getToken("https://graph.example/.default")).token;
            const { status, body } = await armGet(gatewayPath(), token);
            assert.equal(status, 401);
            assert.equal(body.error?.code, "InvalidAuthenticationTokenAudience");
        });

        it("answers 401 to an expired token (emulator clock)", async () => {
            const token = (await credential().getToken(`${emu.armEndpoint}/.default`)).token;
            emu.clock.advance(2 * 3600_000);
            assert.equal((await armGet(gatewayPath(), token)).body.error?.code, "ExpiredAuthenticationToken");
        });

        it("answers 401 to a token from a tenant that does not own the subscription", async () => {
            const token = (await credential(emu.foreignTenantId).getToken(`${emu.armEndpoint}/.default`)).token;
            assert.equal((await armGet(gatewayPath(), token)).body.error?.code, "InvalidAuthenticationTokenTenant");
        });

        it("requires the api-version", async () => {
            const token = (await credential().getToken(`${emu.armEndpoint}/.default`)).token;
            const { status, body } = await armGet(emu.gatewayResourceId, token);
            assert.equal(status, 400);
            assert.equal(body.error?.code, "MissingApiVersionParameter");
        });
    });

    describe("wire format of the spec examples", () => {
        it("generateToken: takes the example's request and answers a token in the example's format", async () => {
            const tokenFormat = /^gw1&\d{12}&[A-Za-z0-9+/]+={0,2}$/;
            assert.match(generateTokenExample.responses["200"].body.value.replace(/x+/, "A"), tokenFormat);
            const { keyType } = generateTokenExample.parameters.parameters;
            const expiry = new Date(Date.now() + 86_400_000).toISOString();
            const response = await armPost("generateToken", { keyType, expiry });
            assert.equal(response.status, 200);
            const body = (await response.json()) as { value: string };
            assert.deepEqual(Object.keys(body), Object.keys(generateTokenExample.responses["200"].body));
            assert.match(body.value, tokenFormat);
            assert.equal(body.value.split("&")[1], expiry.slice(0, 16).replace(/[-T:]/g, ""));
        });

        it("generateToken: answers 400 ValidationError in the ErrorResponse shape beyond 30 days", async () => {
            const response = await armPost("generateToken", {
                keyType: "primary",
                expiry: new Date(Date.now() + 31 * 86_400_000).toISOString(),
            });
            assert.equal(response.status, 400);
            const body = (await response.json()) as {
                error: { code: string; message: string; details: { code: string; target: string }[] };
            };
            assert.equal(body.error.code, "ValidationError");
            assert.equal(body.error.message, "One or more fields contain incorrect values:");
            assert.deepEqual(
                body.error.details.map((d) => [d.code, d.target]),
                [["ValidationError", "expiry"]],
            );
        });

        it("listKeys: answers the example's fields with an ETag header", async () => {
            const response = await armPost("listKeys");
            assert.equal(response.status, 200);
            assert.deepEqual(Object.keys((await response.json()) as object), Object.keys(listKeysExample.responses["200"].body));
            assert.match(response.headers.get("etag") ?? "", /^".+"$/);
        });

        it("regenerateKey: takes the example's request and answers 204 without a body", async () => {
            const response = await armPost("regenerateKey", regenerateKeyExample.parameters.parameters);
            assert.deepEqual(Object.keys(regenerateKeyExample.responses), ["204"]);
            assert.equal(response.status, 204);
            assert.equal(await response.text(), "");
        });
    });

    describe("gateway operations through the real ARM client", () => {
        const client = () => createApiManagementClient(emu.subscriptionId, emu.azureCloud);

        it("gets the gateway in the spec example's shape, with an ETag", async () => {
            const gateway = await client().gateway.get("rg1", "apimService1", "gw1");
            const example = getGatewayExample.responses["200"].body;
            assert.equal(gateway.id, example.id);
            assert.equal(gateway.type, example.type);
            assert.equal(gateway.description, example.properties.description);
            assert.deepEqual(gateway.locationData, example.properties.locationData);
            assert.match(gateway.eTag ?? "", /^"[0-9a-f-]{36}"$/);
        });

        it("lists the keys with an ETag that regenerateKey changes along with that key only", async () => {
            const before = await client().gateway.listKeys("rg1", "apimService1", "gw1");
            assert.deepEqual({ primary: before.primary, secondary: before.secondary }, emu.arm.keys(emu.gatewayResourceId));

            await client().gateway.regenerateKey("rg1", "apimService1", "gw1", { keyType: "secondary" });

            const afterKeys = await client().gateway.listKeys("rg1", "apimService1", "gw1");
            assert.equal(afterKeys.primary, before.primary);
            assert.notEqual(afterKeys.secondary, before.secondary);
            assert.notEqual(afterKeys.eTag, before.eTag);
        });

        it("judges token validity by its embedded expiry on the emulator clock", async () => {
            const token = await generateGatewayToken(
                emu.gatewayResourceId,
                "primary",
                new Date(Date.now() + 2 * 86_400_000),
                emu.azureCloud,
            );
            assert.equal(emu.arm.isTokenValid(token), true);
            emu.clock.advance(3 * 86_400_000);
            assert.equal(emu.arm.isTokenValid(token), false);
            assert.equal(emu.arm.signingKeyType(token), "primary", "still signed with the current key, just expired");
            assert.equal(emu.arm.isTokenValid(token.replace(/&[^&]+$/, "&forged")), false);
        });

        it("holds the next matching requests for an injected delay, then answers them normally", async () => {
            emu.arm.injectDelay({ ms: 400, operation: "generateToken" });
            await client().gateway.get("rg1", "apimService1", "gw1");
            assert.equal(emu.arm.heldRequests, 0, "another operation is not held");

            const started = Date.now();
            const issuing = generateGatewayToken(emu.gatewayResourceId, "secondary", new Date(Date.now() + 86_400_000), emu.azureCloud);
            // Polled until it arrives, however long a loaded machine takes: mocha's timeout guards a request that never does.
            while (emu.arm.heldRequests === 0) {
                await new Promise((resolve) => setTimeout(resolve, 10));
            }
            assert.equal(emu.arm.heldRequests, 1, "the generateToken request is being held");
            const token = await issuing;
            assert.equal(emu.arm.issuedTokens.at(-1), token, "the issued value is recorded");
            assert.ok(Date.now() - started >= 400, "answered only after the delay");
            assert.equal(emu.arm.heldRequests, 0);
            assert.equal(emu.arm.isTokenValid(token), true);

            // The delay applied to one request only: the next is never held (a held one would be seen
            // for its 400 ms), however slowly a busy machine answers it.
            let answered = false;
            let held = 0;
            const next = generateGatewayToken(
                emu.gatewayResourceId,
                "secondary",
                new Date(Date.now() + 86_400_000),
                emu.azureCloud,
            ).finally(() => {
                answered = true;
            });
            while (!answered) {
                held = Math.max(held, emu.arm.heldRequests);
                await new Promise((resolve) => setTimeout(resolve, 5));
            }
            await next;
            assert.equal(held, 0, "the delay applied to one request only");
        });

        it("applies an injected failure keyed to a keyType only to requests naming that key", async () => {
            emu.arm.injectFailure({ status: 500, operation: "generateToken", keyType: "secondary" });
            const expiry = new Date(Date.now() + 86_400_000).toISOString();
            assert.equal(
                (await armPost("generateToken", { keyType: "primary", expiry })).status,
                200,
                "the other key's request is answered",
            );
            assert.equal((await armPost("generateToken", { keyType: "secondary", expiry })).status, 500);
            assert.equal((await armPost("generateToken", { keyType: "secondary", expiry })).status, 200, "used up");
        });

        it("answers 404 for an unknown resource group", async () => {
            await assert.rejects(
                client().gateway.get("rg-missing", "apimService1", "gw1"),
                (error: { statusCode?: number; code?: string }) => error.statusCode === 404 && error.code === "ResourceGroupNotFound",
            );
        });
    });
});
