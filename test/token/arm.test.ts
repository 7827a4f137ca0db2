import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
    ArmClientSource,
    RetryBudget,
    armClientPool,
    createApiManagementClient,
    generateGatewayToken,
    regenerateGatewayKey,
    retryBudgetTimeout,
} from "../../components/token/arm";
import { ARM_RETRY_BUDGET_ENV, ARM_TIMEOUT_ENV } from "../../components/token/armLimits";
import { ArmOperationError } from "../../components/token/errors";
import { AzureEmulators, NO_ANSWER } from "../../localenv/azure";
import { setEnv } from "../emulator/env";
import { useAzureEmulators } from "../emulator/suite";

const dayMs = 86_400_000;

/** Runs `fn`, expecting it to throw an ArmOperationError, and returns it. */
async function armError(fn: () => Promise<unknown>): Promise<ArmOperationError> {
    try {
        await fn();
    } catch (error) {
        assert.ok(error instanceof ArmOperationError, `expected an ArmOperationError, got ${String(error)}`);
        return error;
    }
    assert.fail("expected the call to fail");
}

describe("ARM gateway helpers against the ARM and Entra emulators", () => {
    let emu: AzureEmulators;
    const inDays = (days: number) => new Date(Date.now() + days * dayMs);

    useAzureEmulators((started) => (emu = started));

    afterEach(() => emu.arm.clearInjectedFailures());

    it("generates a raw token signed with the requested key, carrying the expiry minute", async () => {
        const expiry = new Date("2030-01-01T00:00:00Z");
        emu.clock.setOffset(expiry.getTime() - 20 * dayMs - Date.now());
        const token = await generateGatewayToken(emu.gatewayResourceId, "secondary", expiry, emu.azureCloud);

        assert.match(token, /^gw1&203001010000&[A-Za-z0-9+/]+=*$/);
        assert.equal(emu.arm.signingKeyType(token), "secondary");
        assert.ok(emu.arm.isTokenValid(token));
        assert.deepEqual(
            emu.requests.entries.map((r) => `${r.server} ${r.method} ${r.status}`),
            ["entra GET 200", "entra POST 200", "arm POST 200"],
            "one client-credentials sign-in at the emulated authority, then one ARM call",
        );
        assert.deepEqual(emu.arm.tokenRequests.at(-1)?.expiry, "2030-01-01T00:00:00.000Z");
    });

    it("a client pool signs in once for many calls; without one, every call signs in", async () => {
        const serverCalls = () => emu.requests.entries.map((r) => `${r.server} ${r.method}`);
        for (let call = 0; call < 3; call++) {
            await generateGatewayToken(emu.gatewayResourceId, "primary", inDays(5), emu.azureCloud);
        }
        assert.deepEqual(serverCalls(), Array(3).fill(["entra GET", "entra POST", "arm POST"]).flat());

        emu.requests.clear();
        const pool = armClientPool();
        for (let call = 0; call < 3; call++) {
            await generateGatewayToken(emu.gatewayResourceId, "primary", inDays(5), emu.azureCloud, pool);
        }
        await regenerateGatewayKey(emu.gatewayResourceId, "secondary", emu.azureCloud, pool);
        assert.deepEqual(serverCalls(), ["entra GET", "entra POST", "arm POST", "arm POST", "arm POST", "arm POST"]);
        assert.equal(
            pool(emu.subscriptionId, emu.azureCloud),
            pool(emu.subscriptionId, emu.azureCloud),
            "one client per subscription and cloud",
        );
        assert.notEqual(pool(emu.subscriptionId, emu.azureCloud), pool(randomUUID(), emu.azureCloud), "another subscription gets its own");
        assert.notEqual(pool(emu.subscriptionId, emu.azureCloud), pool(emu.subscriptionId), "another cloud gets its own");
        assert.equal(pool(emu.subscriptionId), pool(emu.subscriptionId, { name: "AzureCloud" }), "one cloud, however it is named");
    });

    it("regenerates a key, which invalidates the tokens it signed and only those", async () => {
        const primaryToken = await generateGatewayToken(emu.gatewayResourceId, "primary", inDays(5), emu.azureCloud);
        const secondaryToken = await generateGatewayToken(emu.gatewayResourceId, "secondary", inDays(5), emu.azureCloud);
        const before = emu.arm.keys(emu.gatewayResourceId);

        await regenerateGatewayKey(emu.gatewayResourceId, "primary", emu.azureCloud);

        const afterKeys = emu.arm.keys(emu.gatewayResourceId);
        assert.notEqual(afterKeys.primary, before.primary);
        assert.equal(afterKeys.secondary, before.secondary);
        assert.equal(emu.arm.isTokenValid(primaryToken), false);
        assert.equal(emu.arm.isTokenValid(secondaryToken), true);
        assert.deepEqual(
            emu.requests.arm("/regenerateKey").map((r) => r.status),
            [204],
        );
    });

    it("400: passes the service's validation message through for an expiry beyond 30 days", async () => {
        const error = await armError(() => generateGatewayToken(emu.gatewayResourceId, "primary", inDays(31), emu.azureCloud));
        assert.equal(error.statusCode, 400);
        assert.equal(error.code, "ValidationError");
        assert.match(error.message, /refused generateToken on gateway \/subscriptions\/.*\/gateways\/gw1 as invalid/);
        assert.match(error.message, /expiry: Token expiry must not be more than 30 days from now/);
    });

    it("400: rejects an expiry in the past", async () => {
        const error = await armError(() => generateGatewayToken(emu.gatewayResourceId, "primary", inDays(-1), emu.azureCloud));
        assert.equal(error.statusCode, 400);
        assert.match(error.message, /expiry: Token expiry must be in the future/);
    });

    it("401: a token from a tenant that does not own the subscription names the tenant fix", async () => {
        const restore = setEnv({ AZURE_TENANT_ID: emu.foreignTenantId });
        try {
            const error = await armError(() => generateGatewayToken(emu.gatewayResourceId, "primary", inDays(5), emu.azureCloud));
            assert.equal(error.statusCode, 401);
            assert.equal(error.code, "InvalidAuthenticationTokenTenant");
            assert.match(error.message, /rejected the access token for generateToken on gateway .*gw1/);
            assert.match(
                error.message,
                /Sign in to the tenant that owns subscription 00000000-0000-0000-0000-000000000000 \("az login --tenant/,
            );
        } finally {
            restore();
        }
    });

    it("403: names the missing action, the resource and the role to assign", async () => {
        const gateway = emu.arm.addGateway({
            subscriptionId: emu.subscriptionId,
            resourceGroupName: "rg1",
            serviceName: "apimService1",
            gatewayId: "gw-denied",
        });
        emu.arm.denyAccess(gateway);

        const generate = await armError(() => generateGatewayToken(gateway, "primary", inDays(5), emu.azureCloud));
        assert.equal(generate.statusCode, 403);
        assert.equal(generate.code, "AuthorizationFailed");
        assert.match(
            generate.message,
            new RegExp(
                /needs "Microsoft\.ApiManagement\/service\/gateways\/generateToken\/action" at the gateway's scope /.source +
                    /\(\/subscriptions\/.*\/gateways\/gw-denied\)/.source,
            ),
        );
        assert.match(
            generate.message,
            new RegExp(
                /built-in "API Management Service Contributor" role on /.source +
                    /\/subscriptions\/00000000-0000-0000-0000-000000000000\/resourceGroups\/rg1/.source +
                    /\/providers\/Microsoft\.ApiManagement\/service\/apimService1,/.source,
            ),
        );
        assert.match(
            generate.message,
            new RegExp(
                /or a custom role with Microsoft\.ApiManagement\/service\/gateways\/generateToken\/action and /.source +
                    /.*regenerateKey\/action on the gateway/.source,
            ),
        );
        assert.doesNotMatch(generate.message, /gateways\/read/, "nothing reads the gateway");
        assert.match(generate.message, /az role assignment create --assignee <principal-id>/);

        const regenerate = await armError(() => regenerateGatewayKey(gateway, "secondary", emu.azureCloud));
        assert.equal(regenerate.statusCode, 403);
        assert.match(regenerate.message, /needs "Microsoft\.ApiManagement\/service\/gateways\/regenerateKey\/action"/);
    });

    it("404: names the gateway that does not exist", async () => {
        const missing = emu.gatewayResourceId.replace("/gateways/gw1", "/gateways/gw9");
        const error = await armError(() => generateGatewayToken(missing, "primary", inDays(5), emu.azureCloud));
        assert.equal(error.statusCode, 404);
        assert.match(error.message, /No such gateway for generateToken: .*\/gateways\/gw9 \(404 ResourceNotFound: Gateway not found\.\)/);
        assert.match(error.message, /service "apimService1" exists in resource group "rg1" .* has a self-hosted gateway "gw9"/);
    });

    it("404: names the service that does not exist", async () => {
        const missing = emu.gatewayResourceId.replace("/service/apimService1/", "/service/nope/");
        const error = await armError(() => regenerateGatewayKey(missing, "primary", emu.azureCloud));
        assert.equal(error.statusCode, 404);
        assert.match(error.message, /The Resource 'Microsoft\.ApiManagement\/service\/nope' under resource group 'rg1' was not found/);
        assert.match(error.message, /service "nope" exists/);
    });

    it("429: waits as Retry-After asks, then succeeds", async () => {
        emu.arm.injectFailure({ status: 429, retryAfterSeconds: 1, operation: "generateToken" });
        const token = await generateGatewayToken(emu.gatewayResourceId, "primary", inDays(5), emu.azureCloud);

        assert.ok(emu.arm.isTokenValid(token));
        const calls = emu.requests.arm("/generateToken");
        assert.deepEqual(
            calls.map((r) => r.status),
            [429, 200],
        );
        const waited = calls[1].at - calls[0].at;
        assert.ok(waited >= 1000, `retried after ${waited} ms, before Retry-After's 1 s`);
        assert.ok(waited < 3000, `retried after ${waited} ms, far later than Retry-After's 1 s`);
    });

    it("429: reports throttling once the client's retries are used up", async () => {
        emu.arm.injectFailure({ status: 429, retryAfterSeconds: 0, times: 10 });
        const error = await armError(() => generateGatewayToken(emu.gatewayResourceId, "primary", inDays(5), emu.azureCloud));
        assert.equal(error.statusCode, 429);
        assert.match(
            error.message,
            new RegExp(`ARM kept throttling generateToken .* at ${emu.armEndpoint} over 4 attempts.* Try again later`),
        );
        assert.equal(emu.requests.arm("/generateToken").length, 4, "the first try and three retries");
    });

    it("500: a transient service error is retried", async () => {
        emu.arm.injectFailure({ status: 500, operation: "regenerateKey" });
        await regenerateGatewayKey(emu.gatewayResourceId, "secondary", emu.azureCloud);
        assert.deepEqual(
            emu.requests.arm("/regenerateKey").map((r) => r.status),
            [500, 204],
        );
    });

    it("500: a lasting service error says so after the retries", async function () {
        this.timeout(20_000);
        emu.arm.injectFailure({ status: 500, times: 10 });
        const error = await armError(() => generateGatewayToken(emu.gatewayResourceId, "primary", inDays(5), emu.azureCloud));
        assert.equal(error.statusCode, 500);
        assert.match(
            error.message,
            new RegExp(
                `ARM at ${emu.armEndpoint} failed generateToken on gateway .* with a service error ` +
                    `\\(500 InternalServerError: .*\\) on all 4 attempts\\. Nothing is wrong with the request`,
            ),
        );
        assert.equal(emu.requests.arm("/generateToken").length, 4);
    });

    it("503 with Retry-After is retried like throttling", async () => {
        emu.arm.injectFailure({ status: 503, retryAfterSeconds: 0, operation: "generateToken" });
        const token = await generateGatewayToken(emu.gatewayResourceId, "secondary", inDays(5), emu.azureCloud);
        assert.equal(emu.arm.signingKeyType(token), "secondary");
        assert.deepEqual(
            emu.requests.arm("/generateToken").map((r) => r.status),
            [503, 200],
        );
    });

    describe("bounded waits: request timeout and retry budget", () => {
        let restoreLimits: () => void;
        beforeEach(() => (restoreLimits = setEnv({ [ARM_TIMEOUT_ENV]: "1", [ARM_RETRY_BUDGET_ENV]: "3" })));
        afterEach(() => restoreLimits());

        /** Waits until no request is held, so the log has every request the client abandoned. */
        async function settled(): Promise<void> {
            while (emu.arm.heldRequests > 0) {
                await new Promise((resolve) => setTimeout(resolve, 20));
            }
        }

        /**
         * A retry budget the test spends itself once `spent()` holds, instead of after wall-clock
         * seconds, so how many requests fit in it does not depend on the machine's speed. Checked
         * every 5 ms: Node fires timers in order of expiry, so this check runs before any wait of
         * the client's (half a second or more between retries) that started after `spent()` became true.
         */
        function budgetSpentWhen(spent: () => boolean): RetryBudget {
            return () => {
                const budget = new AbortController();
                const check = setInterval(() => {
                    if (spent()) {
                        clearInterval(check);
                        budget.abort(new DOMException("the test spent the retry budget", "TimeoutError"));
                    }
                }, 5);
                check.unref();
                return budget.signal;
            };
        }

        it("an unanswered request is abandoned after the request timeout and sent again", async () => {
            emu.arm.injectHang({ operation: "generateToken" });
            // A budget never spent: the second request may take as long as a loaded machine needs.
            const unbounded: RetryBudget = () => new AbortController().signal;
            const token = await generateGatewayToken(
                emu.gatewayResourceId,
                "secondary",
                inDays(5),
                emu.azureCloud,
                createApiManagementClient,
                unbounded,
            );
            assert.ok(emu.arm.isTokenValid(token));
            assert.deepEqual(
                emu.requests.arm("/generateToken").map((r) => r.status),
                [NO_ANSWER, 200],
            );
        });

        it("ARM that stops answering: gives up when the budget is spent, naming the endpoint and both limits", async () => {
            emu.arm.injectHang({ times: 100 });
            const issued = emu.arm.issuedTokens.length;
            const keys = emu.arm.keys(emu.gatewayResourceId);

            // Spent while the third request waits: two were abandoned after the request timeout by then.
            const thirdHeld = budgetSpentWhen(() => emu.requests.arm("/generateToken").length === 2 && emu.arm.heldRequests > 0);
            const generate = await armError(() =>
                generateGatewayToken(emu.gatewayResourceId, "primary", inDays(5), emu.azureCloud, createApiManagementClient, thirdHeld),
            );
            assert.equal(generate.statusCode, undefined);
            assert.equal(generate.code, "RetryBudgetSpent");
            assert.match(
                generate.message,
                new RegExp(
                    `^ARM at ${emu.armEndpoint} did not complete generateToken on gateway ${emu.gatewayResourceId} ` +
                        `within the 3 s retry budget \\(APIM_GATEWAY_ARM_RETRY_BUDGET_SECONDS\\); gave up\\.`,
                ),
            );
            assert.match(
                generate.message,
                new RegExp(
                    /gave up\. 2 requests got no answer within the 1 s request timeout \(APIM_GATEWAY_ARM_TIMEOUT_SECONDS\)\. /.source +
                        /Check network access to that endpoint/.source,
                ),
            );
            await settled();
            assert.deepEqual(
                emu.requests.arm("/generateToken").map((r) => r.status),
                [NO_ANSWER, NO_ANSWER, NO_ANSWER],
                "every attempt unanswered, none after the budget was spent",
            );
            assert.equal(emu.arm.issuedTokens.length, issued, "no token issued");

            const firstHeld = budgetSpentWhen(() => emu.arm.heldRequests > 0);
            const regenerate = await armError(() =>
                regenerateGatewayKey(emu.gatewayResourceId, "secondary", emu.azureCloud, createApiManagementClient, firstHeld),
            );
            assert.equal(regenerate.code, "RetryBudgetSpent");
            assert.match(regenerate.message, new RegExp(`^ARM at ${emu.armEndpoint} did not complete regenerateKey on gateway`));
            await settled();
            assert.deepEqual(emu.arm.keys(emu.gatewayResourceId), keys, "no key regenerated");
        });

        it("ARM answering 500 for longer than the budget: the client's retries are cut off by the budget", async () => {
            restoreLimits();
            // A request timeout no answer from the local emulator reaches, however loaded the machine.
            restoreLimits = setEnv({ [ARM_TIMEOUT_ENV]: "30", [ARM_RETRY_BUDGET_ENV]: "30" });
            emu.arm.injectFailure({ status: 500, times: 100 });
            // Spent after the second 500, while the client waits (half a second or more) before its third attempt.
            const secondAnswered = budgetSpentWhen(() => emu.requests.arm("/generateToken").length === 2);
            const error = await armError(() =>
                generateGatewayToken(
                    emu.gatewayResourceId,
                    "primary",
                    inDays(5),
                    emu.azureCloud,
                    createApiManagementClient,
                    secondAnswered,
                ),
            );
            assert.equal(error.code, "RetryBudgetSpent");
            assert.match(
                error.message,
                new RegExp(
                    `^ARM at ${emu.armEndpoint} did not complete generateToken .* ` +
                        `within the 30 s retry budget .*; gave up\\. Check network access`,
                ),
            );
            assert.doesNotMatch(error.message, /got no answer/, "every request was answered (with 500)");
            assert.deepEqual(
                emu.requests.arm("/generateToken").map((r) => r.status),
                [500, 500],
                "the budget ended the client's retries: no attempt after it was spent",
            );
        });

        it("a malformed limit is refused before any request, naming the variable", async () => {
            restoreLimits();
            restoreLimits = setEnv({ [ARM_TIMEOUT_ENV]: "soon" });
            await assert.rejects(
                generateGatewayToken(emu.gatewayResourceId, "primary", inDays(5), emu.azureCloud),
                /APIM_GATEWAY_ARM_TIMEOUT_SECONDS must be a whole number of seconds from 1 to 3600; got "soon"/,
            );
            assert.deepEqual(emu.requests.entries, []);
        });
    });

    describe("Entra ID refusing the credential", () => {
        let dir: string;
        before(() => (dir = mkdtempSync(join(tmpdir(), "arm-test-federated-"))));
        after(() => rmSync(dir, { recursive: true, force: true }));

        /** Signs in with workload identity, presenting `token` from a file as the federated token. */
        function withFederatedToken(token: string): () => void {
            const file = join(dir, `token-${randomUUID()}`);
            writeFileSync(file, token);
            return setEnv({ AZURE_CLIENT_SECRET: undefined, ...emu.workloadIdentityEnv(file) });
        }

        it("a valid federated token (workload identity) signs in", async () => {
            const restore = withFederatedToken(emu.oidcIssuer.issue(emu.federatedSubject));
            try {
                const token = await generateGatewayToken(emu.gatewayResourceId, "primary", inDays(5), emu.azureCloud);
                assert.ok(emu.arm.isTokenValid(token));
            } finally {
                restore();
            }
        });

        it("an expired federated token: names Entra, AADSTS700024 and the fix; no ARM call", async () => {
            const expired = emu.oidcIssuer.issue(emu.federatedSubject, { issuedSecondsAgo: 7200, lifetimeSeconds: 3600 });
            const restore = withFederatedToken(expired);
            try {
                const error = await armError(() => generateGatewayToken(emu.gatewayResourceId, "primary", inDays(5), emu.azureCloud));
                assert.equal(error.statusCode, undefined);
                assert.match(
                    error.message,
                    new RegExp(`^Signing in to Entra ID at ${emu.authorityHost} failed for generateToken on gateway .*gw1`),
                );
                assert.match(error.message, /AADSTS700024: Client assertion is not within its valid time range/);
                assert.match(error.message, /The federated token presented \(AZURE_FEDERATED_TOKEN_FILE, .*\) is expired or not yet valid/);
                assert.ok(!error.message.includes(expired), "the federated token is not in the message");
                assert.deepEqual(emu.requests.arm(), []);
            } finally {
                restore();
            }
        });

        it("a federated token for another subject: AADSTS70021 names the issuer and subject", async () => {
            const restore = withFederatedToken(emu.oidcIssuer.issue("repo:contoso/gateways:ref:refs/heads/feature"));
            try {
                const error = await armError(() => generateGatewayToken(emu.gatewayResourceId, "primary", inDays(5), emu.azureCloud));
                assert.match(error.message, new RegExp(`^Signing in to Entra ID at ${emu.authorityHost} failed`));
                assert.match(
                    error.message,
                    new RegExp(
                        /AADSTS70021: No matching federated identity record found .* Assertion Subject: /.source +
                            /'repo:contoso\/gateways:ref:refs\/heads\/feature'/.source,
                    ),
                );
                assert.match(error.message, /No federated credential of the app registration trusts this token's issuer and subject/);
                assert.deepEqual(emu.requests.arm(), []);
            } finally {
                restore();
            }
        });

        it("a tenant that does not exist: names Entra and the tenant fix; no ARM call", async () => {
            const wrongTenant = randomUUID();
            const restore = setEnv({ AZURE_TENANT_ID: wrongTenant });
            try {
                const error = await armError(() => generateGatewayToken(emu.gatewayResourceId, "primary", inDays(5), emu.azureCloud));
                assert.equal(error.statusCode, undefined);
                assert.match(
                    error.message,
                    new RegExp(
                        `^Signing in to Entra ID at ${emu.authorityHost} failed for ` +
                            `generateToken on gateway .*gw1 \\(.*endpoints_resolution_error`,
                    ),
                );
                assert.match(
                    error.message,
                    /Entra ID does not know that tenant: check the tenant id \(AZURE_TENANT_ID, or "az login --tenant"\)/,
                );
                assert.ok(!error.message.includes(emu.clientSecret));
                assert.deepEqual(emu.requests.arm(), []);
            } finally {
                restore();
            }
        });
    });

    it("no credential: says how to sign in, and calls nothing", async () => {
        const restore = setEnv({ AZURE_CLIENT_ID: undefined, AZURE_CLIENT_SECRET: undefined, AZURE_TENANT_ID: undefined });
        try {
            const error = await armError(() => generateGatewayToken(emu.gatewayResourceId, "primary", inDays(5), emu.azureCloud));
            assert.equal(error.statusCode, undefined);
            assert.match(error.message, /No Azure credential is available for generateToken on gateway .*gw1\. Sign in with "az login"/);
            assert.match(error.message, /AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET/);
            assert.match(error.message, /workload identity/);
            assert.deepEqual(emu.requests.entries, []);
        } finally {
            restore();
        }
    });

    it("a rejected client secret names Entra and the fix, without the secret", async () => {
        const restore = setEnv({ AZURE_CLIENT_SECRET: "not-the-secret" });
        try {
            const error = await armError(() => generateGatewayToken(emu.gatewayResourceId, "primary", inDays(5), emu.azureCloud));
            assert.equal(error.statusCode, undefined);
            assert.match(error.message, new RegExp(`Signing in to Entra ID at ${emu.authorityHost} failed for generateToken`));
            assert.match(error.message, /AADSTS7000215: Invalid client secret/);
            assert.match(error.message, /Check the tenant id, the client id and its secret/);
            assert.ok(!error.message.includes("not-the-secret") && !error.message.includes(emu.clientSecret));
            assert.deepEqual(emu.requests.arm(), []);
        } finally {
            restore();
        }
    });

    it("refuses a subscription that is not a UUID before any call", () => {
        assert.throws(
            () => createApiManagementClient("my-subscription", emu.azureCloud),
            /subscription id "my-subscription" is not a UUID/,
        );
        assert.deepEqual(emu.requests.entries, []);
    });

    it("refuses an unknown key type", async () => {
        await assert.rejects(
            generateGatewayToken(emu.gatewayResourceId, "tertiary" as never, inDays(5), emu.azureCloud),
            /keyType must be "primary" or "secondary"; got "tertiary"/,
        );
    });
});

describe("the production retry budget (retryBudgetTimeout)", () => {
    it("is not spent when the call starts, and is spent as a timeout once its time has passed", async () => {
        const budget = retryBudgetTimeout(10);
        assert.equal(budget.aborted, false);
        await once(budget, "abort");
        assert.equal((budget.reason as Error).name, "TimeoutError");
    });
});

describe("ARM gateway helpers with a client that answers oddly (no emulator)", () => {
    const gatewayId =
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement" +
        "/service/apim1/gateways/gw1";
    const calls: string[] = [];
    /** A client source whose gateway operations answer as `answer` says, recording each call. */
    function fakeClients(answer: () => Promise<unknown>): ArmClientSource {
        const operation = (name: string) => () => {
            calls.push(name);
            return answer();
        };
        return () => ({ gateway: { generateToken: operation("generateToken"), regenerateKey: operation("regenerateKey") } }) as never;
    }
    /** generateToken for the primary key, through a client that answers as `answer` says. */
    const generate = (answer: () => Promise<unknown>) =>
        generateGatewayToken(gatewayId, "primary", new Date("2030-01-01T00:00:00Z"), undefined, fakeClients(answer));
    beforeEach(() => calls.splice(0));

    it("an ARM answer without a token is an error naming the call", async () => {
        await assert.rejects(
            generate(async () => ({})),
            (error: unknown) =>
                error instanceof ArmOperationError &&
                error.message === `ARM returned no token for generateToken on gateway ${gatewayId}.` &&
                error.statusCode === 200,
        );
    });

    it("whatever the client throws, even nothing, becomes an ArmOperationError naming the call", async () => {
        await assert.rejects(
            generate(() => Promise.reject(undefined)),
            (error: unknown) =>
                error instanceof ArmOperationError && error.message === `generateToken on gateway ${gatewayId} failed: undefined`,
        );
    });

    it("regenerateGatewayKey refuses an unknown key type before any call", async () => {
        await assert.rejects(
            regenerateGatewayKey(
                gatewayId,
                "tertiary" as never,
                undefined,
                fakeClients(async () => ({})),
            ),
            /keyType must be "primary" or "secondary"; got "tertiary"/,
        );
        assert.deepEqual(calls, []);
        await regenerateGatewayKey(
            gatewayId,
            "secondary",
            undefined,
            fakeClients(async () => ({})),
        );
        assert.deepEqual(calls, ["regenerateKey"]);
    });
});
