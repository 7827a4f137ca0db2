/**
 * Issue 11 §3, the fault matrix on the real Pulumi engine (render mode; the Kubernetes faults are
 * in test/cluster/faults.cluster.ts): a due token, a fault injected at ARM, Entra or the state
 * backend, or the job interrupted (SIGINT, issue 8 §4), and `apim-gateway-rotate
 * --regenerate-unused-key` run as the schedule runs it. Each
 * scenario checks what the operator is told (exit code, stack result, the endpoint or cause
 * named in the output), what is left (the deployed token still valid at the emulator, no key
 * regenerated, nothing in plain text), and that the next scheduled run, the fault gone,
 * converges. Assertions are on those facts, not on the report's sentences.
 *
 * The scenarios share one stack and run in order; each starts from a fresh token and ages it (scenario 5
 * deploys two stacks of its own, to run two updates at once).
 */
import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { ARM_RETRY_BUDGET_ENV, ARM_TIMEOUT_ENV } from "../../components/token/armLimits";
import { GatewayKeyType, otherKeyType } from "../../components/token/keyType";
import { PROJECT_NAME } from "../../stacks/config";
import { NO_ANSWER } from "../../localenv/azure";
import { stackLocks } from "./harness/backendLocks";
import { makeReadOnly, withoutPermissionOverride } from "./harness/readOnlyBackend";
import { renderedGateway } from "../../localenv/engine/renderedManifests";
import { ProcessRun } from "../../localenv/engine/childProcess";
import { explain, jsonReport, stackReport } from "./harness/rotationReport";
import { RotationVariant, rotateWith, startRotateWith } from "./harness/rotateWith";
import { TOOLCHAIN_BUILD_TIMEOUT_MS } from "../../localenv/engine/toolchain";
import { assertNoTokenLeaks } from "./harness/tokenLeaks";
import { GatewayStack, World, createWorld } from "../../localenv/engine/world";
import { rawGatewayToken } from "../../components/token/authValue";

/** A due token: 25 of its 30 days gone, inside the 10-day renewal window, 5 days left. */
const DUE_DAYS = 25;
const STACK = "faults";
/** The scheduled job's command line. */
const SCHEDULED = ["--stack", STACK, "--regenerate-unused-key", "--json"];

/** `GatewayKey <token>` → `<token>`. */

/** A port on 127.0.0.1 that nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
}

describe("the fault matrix on the real Pulumi engine: ARM, Entra and state backend faults during a scheduled rotation", function () {
    this.timeout(5 * 60_000);
    let world: World;
    let stack: GatewayStack;
    let secretsDir: string;
    /** Secrets other than gateway tokens that the scenarios hand the runner; none may be printed. */
    const credentials: string[] = [];
    const figures: string[] = [];

    before(async function () {
        this.timeout(TOOLCHAIN_BUILD_TIMEOUT_MS + 5 * 60_000);
        world = await createWorld();
        stack = await world.deployGatewayStack(STACK, "gw-faults");
        secretsDir = mkdtempSync(path.join(tmpdir(), "apim-gateway-faults-"));
        credentials.push(world.azure.emulators.clientSecret);
    });

    after(async () => {
        await world?.dispose();
        rmSync(secretsDir ?? "", { recursive: true, force: true });
        console.log(`\n      Figures (issue 11 §3):\n${figures.map((line) => `        ${line}`).join("\n")}`);
    });

    afterEach(() => {
        world?.azure.emulators.arm.clearInjectedFailures();
        world?.setDaysPassed(0);
    });

    const emulators = () => world.azure.emulators;

    /** What the deployment looks like before the fault: the live token (due) and the keys. */
    interface Live {
        readonly auth: string;
        readonly keys: { primary: string; secondary: string };
    }

    async function dueToken(): Promise<Live> {
        await stack.age(DUE_DAYS);
        world.setDaysPassed(DUE_DAYS);
        const auth = renderedGateway(stack.rendered()).authValue;
        assert.equal(emulators().arm.isTokenValid(rawGatewayToken(auth)), true, "the live token works before the fault");
        emulators().requests.clear();
        return { auth, keys: emulators().arm.keys(stack.gatewayResourceId) };
    }

    /**
     * The key the rotation's token requests name: the one the live token is not signed with. The
     * run's check of the live token's key (rotation/evidence/tokenValidity.ts) names the other, so a fault
     * injected for this key hits the rotation's own requests only.
     */
    function renewalKey(live: Live): GatewayKeyType {
        const keyType = emulators().arm.signingKeyType(rawGatewayToken(live.auth));
        assert.ok(keyType, "the live token is signed with a current key");
        return otherKeyType(keyType);
    }

    /**
     * The operator is told (exit 1, the stack failed, `causes` in the output) and the deployment
     * is left as it was: the same token deployed and valid, no key regenerated.
     */
    function assertFailedSafely(run: ProcessRun, live: Live, causes: readonly RegExp[]): void {
        assert.equal(run.code, 1, explain(run));
        const report = stackReport(jsonReport(run), STACK);
        assert.equal(report.result, "failed", explain(run));
        const output = `${run.stdout}\n${run.stderr}`;
        for (const cause of causes) {
            assert.match(output, cause, explain(run, 80));
        }
        assert.notEqual(report.keyRegeneration?.status, "regenerated");
        assert.deepEqual(emulators().arm.keys(stack.gatewayResourceId), live.keys, "no key regenerated");
        assert.equal(renderedGateway(stack.rendered()).authValue, live.auth, "the deployed Secret still holds the live token");
        assert.equal(emulators().arm.isTokenValid(rawGatewayToken(live.auth)), true, "the live token still works at the service");
    }

    /**
     * The next scheduled run, the fault gone: rotated, the new token deployed and valid, the old one still
     * valid until the key regeneration.
     */
    async function assertNextRunConverges(live: Live, variant: RotationVariant = {}): Promise<void> {
        const run = await rotateWith(world, SCHEDULED, variant);
        assert.equal(run.code, 0, explain(run));
        const report = stackReport(jsonReport(run), STACK);
        assert.equal(report.result, "rotated", explain(run));
        const deployed = renderedGateway(stack.rendered()).authValue;
        assert.notEqual(deployed, live.auth);
        assert.equal(emulators().arm.isTokenValid(rawGatewayToken(deployed)), true, "the new token works at the service");
        assert.equal(
            report.keyRegeneration?.status,
            "regenerated",
            "the key the old token used is regenerated now that the new one is live",
        );
        assert.equal(emulators().arm.signingKeyType(rawGatewayToken(deployed)), report.after?.keyType, "the live key is untouched");
        const check = await world.rotate(["--stack", STACK, "--check", "--json"]);
        assert.equal(check.code, 0, explain(check));
        assert.equal(stackReport(jsonReport(check), STACK).result, "fresh");
    }

    it(
        "1. ARM answers 500 for longer than the client's retries: 4 " +
            "attempts, then a failure naming ARM's endpoint; the next run rotates",
        async () => {
            const live = await dueToken();
            emulators().arm.injectFailure({ status: 500, times: 1000, operation: "generateToken", keyType: renewalKey(live) });

            const run = await rotateWith(world, SCHEDULED);

            assertFailedSafely(run, live, [
                new RegExp(`ARM at ${emulators().armEndpoint} failed generateToken`),
                /500 InternalServerError/,
            ]);
            assert.deepEqual(
                emulators()
                    .requests.arm()
                    .map((r) => r.status)
                    .filter((status) => status === 500),
                [500, 500, 500, 500],
                "the first try and three retries, nothing after",
            );
            assert.deepEqual(emulators().requests.arm("/regenerateKey"), [], "no key touched");
            figures.push(`ARM 500 throughout: the rotation failed after ${(run.ms / 1000).toFixed(1)} s`);

            emulators().arm.clearInjectedFailures();
            await assertNextRunConverges(live);
        },
    );

    it(
        "2. ARM stops answering (no refusal): each request abandoned after the request " +
            "timeout, the call after the retry budget, naming the endpoint; the next run rotates",
        async () => {
            const live = await dueToken();
            emulators().arm.injectHang({ times: 1000, operation: "generateToken", keyType: renewalKey(live) });
            const limits = { [ARM_TIMEOUT_ENV]: "3", [ARM_RETRY_BUDGET_ENV]: "10" };
            const answeredBefore = emulators().arm.tokenRequests.length;

            const run = await rotateWith(world, SCHEDULED, { env: limits });

            assertFailedSafely(run, live, [
                new RegExp(
                    `ARM at ${emulators().armEndpoint} did not complete generateToken ` +
                        `on gateway ${stack.gatewayResourceId} within the 10 s retry budget`,
                ),
                /got no answer within the 3 s request timeout/,
            ]);
            // The answered ones are the run's check of the live token's key, never a request for the renewal key.
            const answered = emulators().arm.tokenRequests.slice(answeredBefore);
            assert.ok(
                answered.every((request) => request.keyType !== renewalKey(live)),
                "no token request for the renewal key was answered",
            );
            const statuses = emulators()
                .requests.arm("/generateToken")
                .map((r) => r.status);
            const attempts = statuses.filter((status) => status === NO_ANSWER);
            assert.ok(
                attempts.length >= 3 && attempts.length === statuses.length - answered.length,
                `every token request unanswered: ${statuses.join(", ")}`,
            );
            assert.equal(emulators().arm.heldRequests, 0, "the runner gave up every request it sent");
            figures.push(
                `ARM not answering (timeout 3 s, budget 10 s): ${attempts.length} requests ` +
                    `abandoned, the rotation failed after ${(run.ms / 1000).toFixed(1)} s`,
            );

            emulators().arm.clearInjectedFailures();
            await assertNextRunConverges(live);
        },
    );

    it(
        "3a. Entra ID refuses an expired federated token: names the authority " +
            "and AADSTS700024, no ARM call; the next run with a fresh token rotates",
        async () => {
            const live = await dueToken();
            const tokenFile = path.join(secretsDir, "federated-token");
            const expired = emulators().oidcIssuer.issue(emulators().federatedSubject, { issuedSecondsAgo: 7200, lifetimeSeconds: 3600 });
            credentials.push(expired);
            writeFileSync(tokenFile, expired);
            const workloadIdentity = { env: { ...emulators().workloadIdentityEnv(tokenFile), AZURE_CLIENT_SECRET: "" } };

            const run = await rotateWith(world, SCHEDULED, workloadIdentity);

            assertFailedSafely(run, live, [
                new RegExp(`Signing in to Entra ID at ${emulators().authorityHost} failed for generateToken`),
                /AADSTS700024/,
            ]);
            assert.deepEqual(emulators().requests.arm(), [], "nothing reached ARM");

            const fresh = emulators().oidcIssuer.issue(emulators().federatedSubject);
            credentials.push(fresh);
            writeFileSync(tokenFile, fresh);
            await assertNextRunConverges(live, workloadIdentity);
        },
    );

    it(
        "3b. Entra ID refuses a tenant it does not know: names the " + "authority and the tenant fix, no ARM call; the next run rotates",
        async () => {
            const live = await dueToken();

            const run = await rotateWith(world, SCHEDULED, { env: { AZURE_TENANT_ID: randomUUID() } });

            assertFailedSafely(run, live, [
                new RegExp(`Signing in to Entra ID at ${emulators().authorityHost} failed for generateToken`),
                /does not know that tenant/,
            ]);
            assert.deepEqual(emulators().requests.arm(), [], "nothing reached ARM");
            await assertNextRunConverges(live);
        },
    );

    it("4a. the state backend is read-only: the update cannot start, nothing is issued; the next run rotates", async () => {
        const live = await dueToken();
        const issued = emulators().arm.issuedTokens.length;
        const restore = makeReadOnly(world.project.backendDir);
        let run: ProcessRun;
        try {
            run = await rotateWith(world, SCHEDULED, { wrapper: withoutPermissionOverride() });
        } finally {
            restore();
        }

        assertFailedSafely(run, live, [
            new RegExp(`${world.project.backendDir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}.*permission denied`, "i"),
        ]);
        assert.deepEqual(emulators().requests.arm("/regenerateKey"), [], "no key touched");
        assert.equal(emulators().arm.issuedTokens.length, issued, "no token issued");
        assert.deepEqual(stackLocks(world.project.backendDir, PROJECT_NAME, STACK), [], "not even a lock was written");
        await assertNextRunConverges(live);
    });

    it("4b. the state backend is unreachable: the stack cannot be read, nothing is issued; the next run rotates", async () => {
        const live = await dueToken();
        const port = await closedPort();
        // An Azure Blob state backend (the usual one next to APIM) whose endpoint refuses connections.
        const unreachable = {
            PULUMI_BACKEND_URL: `azblob://pulumi-state?localemu=true&domain=127.0.0.1:${port}&protocol=http`,
            AZURE_STORAGE_ACCOUNT: "devstoreaccount1",
            AZURE_STORAGE_KEY: Buffer.from("not-a-storage-key").toString("base64"),
        };

        const run = await rotateWith(world, SCHEDULED, { env: unreachable });

        assert.equal(run.code, 1, explain(run));
        const report = jsonReport(run);
        const failures = [...report.errors, ...report.stacks.map((entry) => `${entry.result}: ${entry.message ?? ""}`)].join("\n");
        assert.match(failures, /failed|not-found/, explain(run));
        assert.match(
            `${run.stdout}\n${run.stderr}`,
            new RegExp(`127\\.0\\.0\\.1:${port}`),
            `the output names the backend's endpoint:\n${explain(run, 80)}`,
        );
        assert.deepEqual(emulators().requests.arm(), [], "nothing reached ARM");
        assert.deepEqual(emulators().arm.keys(stack.gatewayResourceId), live.keys, "no key regenerated");
        assert.equal(renderedGateway(stack.rendered()).authValue, live.auth);
        assert.equal(emulators().arm.isTokenValid(rawGatewayToken(live.auth)), true);
        figures.push(`state backend unreachable: the rotation failed after ${(run.ms / 1000).toFixed(1)} s`);
        await assertNextRunConverges(live);
    });

    it(
        "5. SIGINT while two stacks update side by side (--concurrency 2): both engines cancel " +
            "and stop cleanly, exit 130, no lock left, no key touched; the next run rotates both",
        async function () {
            this.timeout(10 * 60_000);
            const pair = [
                await world.deployGatewayStack("sigint-a", "gw-sigint-a"),
                await world.deployGatewayStack("sigint-b", "gw-sigint-b"),
            ];
            const names = pair.map((entry) => entry.name);
            for (const entry of pair) {
                await entry.age(DUE_DAYS);
            }
            world.setDaysPassed(DUE_DAYS);
            const live = pair.map((entry) => ({
                auth: renderedGateway(entry.rendered()).authValue,
                keys: emulators().arm.keys(entry.gatewayResourceId),
            }));
            const liveKeys = live.map((entry) => emulators().arm.signingKeyType(rawGatewayToken(entry.auth)));
            assert.deepEqual(liveKeys, ["primary", "primary"], "both fresh deployments signed with the primary key");
            emulators().requests.clear();
            // Only the renewals' token requests (the secondary key) are held, not the checks of the live tokens.
            emulators().arm.injectDelay({ ms: 15_000, times: 2, operation: "generateToken", keyType: "secondary" });
            const args = [...names.flatMap((name) => ["--stack", name]), "--regenerate-unused-key", "--concurrency", "2", "--json"];

            const started = await startRotateWith(world, args);
            const deadline = Date.now() + 3 * 60_000;
            while (emulators().arm.heldRequests < 2) {
                assert.ok(Date.now() < deadline, "both updates reached generateToken");
                assert.equal(started.child.exitCode, null, "the rotation is still running");
                await new Promise((resolve) => setTimeout(resolve, 100));
            }
            started.child.kill("SIGINT");
            const run = await started.done;

            assert.equal(run.code, 130, explain(run, 80));
            const report = jsonReport(run);
            assert.equal(report.cancelled, true);
            assert.deepEqual(
                report.stacks.map((entry) => [entry.stack, entry.result]),
                names.map((name) => [name, "cancelled"]),
                explain(run, 80),
            );
            for (const name of names) {
                // The Pulumi CLI's own answer to the SIGINT the Automation API sends it on abort.
                assert.match(
                    run.stderr,
                    new RegExp(`^\\[${name}/gateway\\] .*received; cancelling\\.`, "m"),
                    `${name}'s engine was told to cancel:\n${explain(run, 80)}`,
                );
                assert.deepEqual(
                    stackLocks(world.project.backendDir, PROJECT_NAME, name),
                    [],
                    `${name}: the cancelled update released its lock`,
                );
            }
            assert.deepEqual(emulators().requests.arm("/regenerateKey"), [], "no key touched");
            pair.forEach((entry, index) => {
                assert.equal(
                    renderedGateway(entry.rendered()).authValue,
                    live[index].auth,
                    `${entry.name}: the deployed Secret still holds the live token`,
                );
                assert.equal(
                    emulators().arm.isTokenValid(rawGatewayToken(live[index].auth)),
                    true,
                    `${entry.name}: the live token still works`,
                );
            });
            figures.push(
                `SIGINT during two concurrent updates: the run stopped ` +
                    `${(run.ms / 1000).toFixed(1)} s after it started, exit 130, no lock left`,
            );

            const next = await rotateWith(world, args);
            assert.equal(next.code, 0, explain(next, 80));
            const after = jsonReport(next);
            assert.deepEqual(
                after.stacks.map((entry) => [entry.stack, entry.result]),
                names.map((name) => [name, "rotated"]),
                explain(next, 80),
            );
            pair.forEach((entry, index) => {
                const deployed = renderedGateway(entry.rendered()).authValue;
                assert.notEqual(deployed, live[index].auth, `${entry.name}: a new token is deployed`);
                assert.equal(
                    emulators().arm.isTokenValid(rawGatewayToken(deployed)),
                    true,
                    `${entry.name}: the new token works at the service`,
                );
                assert.equal(stackReport(after, entry.name).keyRegeneration?.status, "regenerated");
                assert.deepEqual(stackLocks(world.project.backendDir, PROJECT_NAME, entry.name), []);
            });
        },
    );

    it("nothing in plain: no gateway token, client secret or federated token in any output, state or log", () => {
        const captured = assertNoTokenLeaks(
            { transcript: world.transcript, backendDir: world.project.backendDir, home: world.project.home },
            emulators().arm.issuedTokens,
        );
        assert.ok(credentials.length >= 3, "the client secret and both federated tokens are looked for");
        const withCredentials = captured
            .filter(({ text }) => credentials.some((secret) => text.includes(secret)))
            .map(({ source }) => source);
        assert.deepEqual(withCredentials, []);
    });
});
