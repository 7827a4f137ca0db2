/**
 * Issue 4 §2 on the real Pulumi engine: the CLI, the Node.js language host and the Kubernetes
 * provider built from Go modules, the repository's stack program unchanged, a local file backend
 * with the passphrase secrets provider, the Kubernetes provider rendering to a directory, and the
 * HTTPS ARM/Entra emulator standing in for Azure. `apim-gateway-rotate` runs as its built program.
 *
 * The scenarios share one project and run in order: each starts from the state the previous one
 * left, which it states. Days passing are made by moving the tokens' stored instants back in the
 * exported state and the emulator's clock forward by the same amount (the provider reads the real
 * clock and judges the stored expiry; the emulator judges tokens by its own clock).
 */
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { hostname } from "node:os";
import * as path from "node:path";
import { ROTATION_OUTPUT } from "../../components/contract/rotationContract";
import { PROJECT_NAME } from "../../stacks/config";
import { holdStackLock, stackLocks } from "./harness/backendLocks";
import { startProcess } from "../../localenv/engine/childProcess";
import { killAll, processTree } from "../../localenv/engine/processTree";
import { diffRendered, renderedGateway, withTokenFieldsOf } from "../../localenv/engine/renderedManifests";
import { explain, jsonReport, stackReport } from "./harness/rotationReport";
import { GATEWAY_TOKEN_TYPE } from "../../components/token/typeToken";
import { pendingOperations, resourceOfType } from "../../localenv/engine/stackState";
import { TOOLCHAIN_BUILD_TIMEOUT_MS } from "../../localenv/engine/toolchain";
import { capturedFiles, sourcesWithTokens } from "./harness/tokenLeaks";
import { GatewayStack, World, createWorld } from "../../localenv/engine/world";
import { rawGatewayToken } from "../../components/token/authValue";

const DAY_MS = 86_400_000;
const REPOSITORY = path.resolve(__dirname, "..", "..");
const MINUTE_MS = 60_000;
/** A due token: 25 of its 30 days gone, inside the 10-day renewal window, 5 days left. */
const DUE_DAYS = 25;

/** The stack's one gateway unit in the rotation contract output. */
const unitOf = (outputs: Record<string, unknown>) => (outputs[ROTATION_OUTPUT] as Record<string, Record<string, unknown>>).gateway;

/** `GatewayKey <token>` → `<token>`. */

/** The expiry a token issued at `issuedAt` for `validityDays` gets: less 5 minutes' skew margin, whole minutes. */
function expectedExpiry(issuedAt: string, validityDays: number): string {
    const expiry = Date.parse(issuedAt) + validityDays * DAY_MS - 5 * MINUTE_MS;
    return new Date(Math.floor(expiry / MINUTE_MS) * MINUTE_MS).toISOString();
}

describe("end to end on the real Pulumi engine: deploy, rotate, recover", function () {
    this.timeout(5 * 60_000);
    let world: World;
    let alpha: GatewayStack;
    let bravo: GatewayStack;
    let charlie: GatewayStack;

    before(async function () {
        this.timeout(TOOLCHAIN_BUILD_TIMEOUT_MS + 5 * 60_000);
        world = await createWorld();
    });

    after(async () => {
        await world?.dispose();
    });

    // Each scenario moves the emulator's clock as far as it needs; none inherits another's.
    afterEach(() => world?.setDaysPassed(0));

    const emulators = () => world.azure.emulators;
    const armCalls = () =>
        emulators()
            .requests.arm()
            .map((request) => `${request.method} ${request.path.split("/").pop()} ${request.status}`);

    it("1. first `up`: one token issued, Secret and Deployment rendered, outputs set, no plaintext token in state or logs", async () => {
        emulators().requests.clear();
        const started = new Date();
        alpha = await world.deployGatewayStack("alpha", "gw1");
        const finished = new Date();

        assert.deepEqual(armCalls(), ["POST generateToken 200"], "exactly one ARM call: the token");
        assert.equal(emulators().arm.issuedTokens.length, 1);
        const token = emulators().arm.issuedTokens[0];
        assert.equal(emulators().arm.isTokenValid(token), true);
        assert.equal(emulators().arm.signingKeyType(token), "primary");

        const files = alpha.rendered();
        const kinds = [...files.values()].map((text) => /^kind: (\w+)$/m.exec(text)?.[1]).sort();
        assert.deepEqual(kinds, [
            "ConfigMap",
            "Deployment",
            "Namespace",
            "NetworkPolicy", // stacks/Pulumi.prod.yaml, which every stack of the suite starts from, enables it
            "PersistentVolumeClaim",
            "PodDisruptionBudget",
            "Secret",
            "Service",
            "Service",
            "ServiceAccount",
        ]);
        const gateway = renderedGateway(files);
        assert.equal(gateway.authValue, `GatewayKey ${token}`, "the Secret holds the token the emulator issued");
        assert.match(gateway.secretName, /^gw1-token-[0-9a-f]{10}$/);
        assert.equal(gateway.podSecretName, gateway.secretName, "the gateway container reads that Secret");
        assert.match(gateway.podTokenChecksum ?? "", /^[0-9a-f]{64}$/);
        assert.equal(gateway.podTokenChecksum?.slice(0, 10), gateway.secretName.slice(-10), "name and checksum come from the same hash");
        assert.notEqual(
            gateway.podTokenChecksum,
            createHash("sha256").update(gateway.authValue, "utf8").digest("hex"),
            "the pods' checksum is keyed, not a plain hash",
        );

        const outputs = await alpha.outputs();
        const issuedAt = String(unitOf(outputs).tokenIssuedAt);
        assert.ok(Date.parse(issuedAt) >= started.getTime() && Date.parse(issuedAt) <= finished.getTime(), issuedAt);
        const expiresAt = expectedExpiry(issuedAt, 30);
        const componentUrn = `urn:pulumi:alpha::${PROJECT_NAME}::${PROJECT_NAME}:index:SelfHostedGateway`;
        assert.deepEqual(outputs, {
            gatewayResourceId: emulators().gatewayResourceId,
            namespace: "apim-gateway",
            [ROTATION_OUTPUT]: {
                gateway: {
                    gatewayResourceId: emulators().gatewayResourceId,
                    authType: "token",
                    azureCloud: emulators().azureCloud,
                    tokenKeyType: "primary",
                    tokenIssuedAt: issuedAt,
                    tokenExpiresAt: expiresAt,
                    tokenRenewAfter: new Date(Date.parse(expiresAt) - 10 * DAY_MS).toISOString(),
                    // The plain digest of the Secret's value (the pods carry a keyed checksum instead).
                    tokenChecksum: createHash("sha256").update(gateway.authValue, "utf8").digest("hex"),
                    rotationTargets: {
                        token: `${componentUrn}$${GATEWAY_TOKEN_TYPE}::gateway-token`,
                        secret: `${componentUrn}$kubernetes:core/v1:Secret::gateway-token-secret`,
                        deployment: `${componentUrn}$kubernetes:apps/v1:Deployment::gateway-deployment`,
                    },
                },
            },
        });
        assert.equal(token.split("&")[1], expiresAt.slice(0, 16).replace(/[-T:]/g, ""), "the token carries that expiry");

        const state = await world.exportState("alpha");
        const stored = resourceOfType(state, GATEWAY_TOKEN_TYPE).outputs?.token as Record<string, unknown>;
        assert.equal(typeof stored.ciphertext, "string", "the token is stored encrypted");
        assert.deepEqual(
            sourcesWithTokens(
                [
                    { source: "exported state", text: JSON.stringify(state) },
                    ...world.transcript,
                    ...capturedFiles(world.project.backendDir),
                    ...capturedFiles(world.project.home),
                ],
                [token],
            ),
            [],
            "no form of the token in the exported state, the backend's files, Pulumi's logs or the engine output",
        );
    });

    it("2. second `up` with nothing due: no ARM call, no change", async () => {
        const before = alpha.rendered();
        emulators().requests.clear();
        const result = await alpha.up({ expectNoChanges: true });
        assert.deepEqual(emulators().requests.entries, [], "not even a sign-in");
        assert.deepEqual(Object.keys(result.summary.resourceChanges ?? {}), ["same"]);
        const diff = diffRendered(before, alpha.rendered());
        assert.deepEqual([diff.added, diff.removed, diff.changed], [[], [], []]);
    });

    it(
        "3. `--check`: exit 0 on a fresh token, 1 on a due and on an expired " +
            "one; the key's validity proven by a generateToken that changes nothing",
        async () => {
            emulators().requests.clear();
            const fresh = await world.rotate(["--stack", "alpha", "--check", "--json"]);
            assert.equal(fresh.code, 0, explain(fresh));
            assert.equal(stackReport(jsonReport(fresh), "alpha").result, "fresh");
            assert.equal(stackReport(jsonReport(fresh), "alpha").notes, undefined, "its key's validity was proven");

            const saved = await world.exportState("alpha");
            const liveToken = emulators().arm.issuedTokens[0];
            try {
                await alpha.age(DUE_DAYS);
                world.setDaysPassed(DUE_DAYS);
                const due = await world.rotate(["--stack", "alpha", "--check", "--json"]);
                assert.equal(due.code, 1, explain(due));
                const dueReport = stackReport(jsonReport(due), "alpha");
                assert.equal(dueReport.result, "due");
                assert.match(dueReport.message ?? "", /inside its renewal window since .*apim-gateway-rotate --stack alpha/);
                assert.match(due.stderr, /^alpha\s.*\scheck\s+due$/m, "the table says so too");
                assert.equal(emulators().arm.isTokenValid(liveToken), true, "a due token still works");

                await world.importState("alpha", saved);
                await alpha.age(31);
                world.setDaysPassed(31);
                const expired = await world.rotate(["--stack", "alpha", "--check", "--json"]);
                assert.equal(expired.code, 1, explain(expired));
                const expiredReport = stackReport(jsonReport(expired), "alpha");
                assert.equal(expiredReport.result, "expired");
                assert.match(expiredReport.message ?? "", /^expired at .*no longer receives configuration.*--force/);
                assert.equal(emulators().arm.isTokenValid(liveToken), false, "the service agrees: expired");
                // The due token's check reaches ARM too, but the emulator's clock runs 25 days ahead of
                // the CLI's (the suite's simulated time) and refuses an expiry it sees as past: the unit
                // is then judged by its dates, with a note. The expired token is not checked at all.
                assert.deepEqual(
                    armCalls(),
                    ["POST generateToken 200", "POST generateToken 400"],
                    "one validity check each for the fresh and the due token (the same token again), none for the expired one",
                );
                assert.match((dueReport.notes ?? []).join(), /validity not verified: the token's key could not be verified through ARM/);
                assert.equal(new Set(emulators().arm.issuedTokens).size, 1, "the checks regenerated the live token itself, nothing new");
            } finally {
                await world.importState("alpha", saved);
            }
        },
    );

    it("4a. rotation when due: a new token with the other key, a new Secret and pod template, nothing else touched", async () => {
        await alpha.age(DUE_DAYS);
        world.setDaysPassed(DUE_DAYS);
        const oldToken = emulators().arm.issuedTokens[0];
        const keysBefore = emulators().arm.keys(alpha.gatewayResourceId);
        const before = alpha.rendered();
        const oldGateway = renderedGateway(before);
        emulators().requests.clear();

        const run = await world.rotate(["--stack", "alpha", "--json"]);
        assert.equal(run.code, 0, explain(run));
        const report = stackReport(jsonReport(run), "alpha");
        assert.equal(report.result, "rotated");
        assert.equal(report.before?.keyType, "primary");
        assert.equal(report.after?.keyType, "secondary");
        assert.deepEqual(
            report.changes,
            ["GatewayToken updated", "Secret created", "Deployment updated", "old Secret deleted"],
            "from the engine's events",
        );
        assert.equal(report.pendingChanges, undefined, "the guard's preview showed the rotation's changes only (no probe noise)");
        assert.match(
            run.stderr,
            /^ {2}alpha\/gateway: changes: GatewayToken updated, Secret created, Deployment updated, old Secret deleted$/m,
        );

        // The validity check (refused by the emulator 25 days ahead, see scenario 3), then the new token.
        assert.deepEqual(armCalls(), ["POST generateToken 400", "POST generateToken 200"]);
        assert.equal(emulators().arm.tokenRequests.at(-1)?.keyType, "secondary");
        const newToken = emulators().arm.issuedTokens.at(-1) ?? "";
        assert.notEqual(newToken, oldToken);
        assert.equal(emulators().arm.signingKeyType(newToken), "secondary");
        assert.equal(emulators().arm.isTokenValid(oldToken), true, "without --regenerate-unused-key the old token keeps working");
        assert.deepEqual(emulators().arm.keys(alpha.gatewayResourceId), keysBefore, "no key regenerated");

        const after = alpha.rendered();
        const newGateway = renderedGateway(after);
        assert.equal(newGateway.authValue, `GatewayKey ${newToken}`);
        assert.notEqual(newGateway.secretName, oldGateway.secretName);
        assert.equal(newGateway.podSecretName, newGateway.secretName);
        assert.notEqual(newGateway.podTokenChecksum, oldGateway.podTokenChecksum);
        assert.deepEqual(
            withTokenFieldsOf(newGateway.deployment, oldGateway),
            oldGateway.deployment,
            "the Deployment changed in the pod template's Secret name and token checksum only",
        );
        const diff = diffRendered(before, after);
        assert.deepEqual(diff.added, [newGateway.secretFile]);
        assert.deepEqual(diff.removed, [oldGateway.secretFile]);
        assert.deepEqual(diff.changed, [oldGateway.deploymentFile]);
        assert.equal(diff.unchanged.length, before.size - 2, "every other rendered file is byte for byte the same");

        const outputs = unitOf(await alpha.outputs());
        assert.equal(outputs.tokenKeyType, "secondary");
        assert.equal(outputs.tokenExpiresAt, report.after?.expiresAt);
        assert.equal(outputs.tokenExpiresAt, expectedExpiry(String(outputs.tokenIssuedAt), 30));
    });

    it(
        "4b. `--regenerate-unused-key`: only the key the new token " + "does not use is regenerated; the old token is then rejected",
        async () => {
            await alpha.age(DUE_DAYS);
            world.setDaysPassed(DUE_DAYS);
            const oldToken = rawGatewayToken(renderedGateway(alpha.rendered()).authValue);
            assert.equal(emulators().arm.signingKeyType(oldToken), "secondary");
            const keysBefore = emulators().arm.keys(alpha.gatewayResourceId);
            emulators().requests.clear();

            const run = await world.rotate(["--stack", "alpha", "--regenerate-unused-key", "--json"]);
            assert.equal(run.code, 0, explain(run));
            const report = stackReport(jsonReport(run), "alpha");
            assert.equal(report.result, "rotated");
            assert.equal(report.after?.keyType, "primary");
            assert.deepEqual(report.keyRegeneration, { status: "regenerated", keyType: "secondary" });

            assert.deepEqual(armCalls(), ["POST generateToken 400", "POST generateToken 200", "POST regenerateKey 204"]);
            const keysAfter = emulators().arm.keys(alpha.gatewayResourceId);
            assert.equal(keysAfter.primary, keysBefore.primary, "the live key is untouched");
            assert.notEqual(keysAfter.secondary, keysBefore.secondary);
            const newToken = rawGatewayToken(renderedGateway(alpha.rendered()).authValue);
            assert.equal(emulators().arm.isTokenValid(newToken), true);
            assert.equal(emulators().arm.signingKeyType(newToken), "primary");
            assert.equal(emulators().arm.isTokenValid(oldToken), false, "the emulator rejects the old token");
            assert.equal(emulators().arm.signingKeyType(oldToken), undefined, "its key is gone");
        },
    );

    it(
        "4c. an image bump merged but not deployed blocks the rotation " +
            "(nothing changes, exit 1); --include-pending-changes applies both",
        async () => {
            await alpha.age(DUE_DAYS);
            world.setDaysPassed(DUE_DAYS);
            alpha.configure({ image: { tag: "2.11.2" } });
            const before = alpha.rendered();
            const image = (files: ReturnType<GatewayStack["rendered"]>) =>
                (renderedGateway(files).deployment.spec.template.spec as unknown as { containers: { image: string }[] }).containers[0]
                    .image;
            try {
                const blocked = await world.rotate(["--stack", "alpha", "--json"]);
                assert.equal(blocked.code, 1, explain(blocked));
                const report = stackReport(jsonReport(blocked), "alpha");
                assert.equal(report.result, "blocked");
                // The tag also sets the version label, on the Deployment, its pods and the token Secret.
                const version = 'metadata.labels["app.kubernetes.io/version"]';
                assert.deepEqual(
                    report.pendingChanges?.map((change) => [change.urn.split("::").pop(), change.op, change.paths]),
                    [
                        ["gateway-token-secret", "create-replacement", [version]],
                        ["gateway-token-secret", "replace", [version]],
                        ["gateway-deployment", "update", [version, `spec.template.${version}`, "spec.template.spec.containers[0].image"]],
                    ],
                );
                assert.match(
                    report.message ?? "",
                    new RegExp(
                        /^blocked: pending changes: .*Deployment gateway-deployment \(update\): /.source +
                            /.*spec\.template\.spec\.containers\[0\]\.image\. Nothing was changed/.source,
                    ),
                );
                assert.match(blocked.stderr, /^alpha\s+gateway\s.*\spreview\s+blocked$/m);
                const diff = diffRendered(before, alpha.rendered());
                assert.deepEqual([diff.added, diff.removed, diff.changed], [[], [], []], "nothing changed");

                const run = await world.rotate(["--stack", "alpha", "--include-pending-changes", "--json"]);
                assert.equal(run.code, 0, explain(run));
                const applied = stackReport(jsonReport(run), "alpha");
                assert.equal(applied.result, "rotated");
                assert.match(
                    (applied.notes ?? []).join(),
                    new RegExp(
                        /pending changes applied as well \(--include-pending-changes\): .*Deployment gateway-deployment /.source +
                            /\(update\): .*spec\.template\.spec\.containers\[0\]\.image/.source,
                    ),
                );
                assert.match(image(alpha.rendered()), /:2\.11\.2$/, "the image went out with the rotation, as asked");
            } finally {
                // Back to the suite's configuration, deployed, so no later scenario meets a pending change.
                alpha.configure({});
                await alpha.up();
            }
            assert.doesNotMatch(image(alpha.rendered()), /:2\.11\.2$/);
        },
    );

    it("5. several stacks with `--all`, one failing (403): the others rotate; summary and exit code say so", async () => {
        bravo = await world.deployGatewayStack("bravo", "gw-bravo");
        charlie = await world.deployGatewayStack("charlie", "gw-charlie");
        for (const stack of [alpha, bravo, charlie]) {
            await stack.age(DUE_DAYS);
        }
        world.setDaysPassed(DUE_DAYS);
        emulators().arm.denyAccess(charlie.gatewayResourceId);
        const charlieBefore = charlie.rendered();
        emulators().requests.clear();

        const run = await world.rotate(["--all", "--json"]);
        assert.equal(run.code, 1, explain(run));
        const report = jsonReport(run);
        assert.equal(report.exitCode, 1);
        assert.deepEqual(report.stacks.map((stack) => stack.stack).sort(), ["alpha", "bravo", "charlie"]);
        assert.equal(stackReport(report, "alpha").result, "rotated");
        assert.equal(stackReport(report, "bravo").result, "rotated");
        const failed = stackReport(report, "charlie");
        assert.equal(failed.result, "failed");
        // Pulumi's own words only: the GatewayToken's ArmOperationError reaches the engine without
        // its message (its closure-serialized class never sets it), so the 403's explanation is
        // checked at the emulator below, not in the report.
        assert.match(failed.message ?? "", /^pulumi failed on stack "charlie": urn:pulumi:charlie::.*GatewayToken::gateway-token: /);
        assert.ok(
            failed.failures?.some((failure) => failure.urn?.endsWith("GatewayToken::gateway-token")),
            JSON.stringify(failed.failures),
        );
        assert.match(run.stderr, /^Gateway token rotation: mode rotate, exit code 1$/m);
        assert.match(run.stderr, /^charlie\s.*\srotate\s+failed$/m);
        assert.match(run.stderr, /^bravo\s.*\srotate\s+rotated$/m);

        const byGateway = (gatewayId: string) =>
            emulators()
                .requests.arm("/generateToken")
                .filter((request) => request.path.includes(`/gateways/${gatewayId}/`))
                .map((request) => request.status);
        assert.deepEqual(
            [byGateway("gw1"), byGateway("gw-bravo"), byGateway("gw-charlie")],
            [
                [400, 200],
                [400, 200],
                [403, 403],
            ],
            "validity check (see scenario 3), then renewal",
        );
        const diff = diffRendered(charlieBefore, charlie.rendered());
        assert.deepEqual([diff.added, diff.removed, diff.changed], [[], [], []], "the failed stack's objects are untouched");
    });

    it(
        "5b. `--dry-run` previews through the Automation API: the rotation's " +
            "changes listed, nothing changed, the selected stack untouched",
        async () => {
            await world.pulumi(["stack", "select", "bravo"]);
            await alpha.age(DUE_DAYS);
            world.setDaysPassed(DUE_DAYS);
            const before = alpha.rendered();
            const outputsBefore = await alpha.outputs();
            emulators().requests.clear();

            const run = await world.rotate(["--stack", "alpha", "--dry-run", "--json"]);
            assert.equal(run.code, 0, explain(run));
            const report = stackReport(jsonReport(run), "alpha");
            assert.equal(report.result, "previewed");
            assert.equal(report.action, "preview");
            assert.deepEqual(report.changes, ["GatewayToken updated", "Secret created", "Deployment updated", "old Secret deleted"]);
            assert.equal(report.pendingChanges, undefined);
            assert.deepEqual(armCalls(), ["POST generateToken 400"], "the validity check only (see scenario 3): a preview issues no token");
            const diff = diffRendered(before, alpha.rendered());
            assert.deepEqual([diff.added, diff.removed, diff.changed], [[], [], []]);
            assert.deepEqual(await alpha.outputs(), outputsBefore);
            const current = await world.pulumi(["stack", "--show-name"]);
            assert.equal(current.stdout.trim(), "bravo", "the user's selected stack is still bravo");
        },
    );

    it("6. a stack locked by another update: retried, then reported; after the release it rotates", async () => {
        await bravo.age(DUE_DAYS);
        world.setDaysPassed(DUE_DAYS);
        // A lock as `pulumi up` takes it, held by a process that runs (this one): never released.
        const release = holdStackLock(world.project.backendDir, PROJECT_NAME, "bravo", process.pid);
        emulators().requests.clear();
        try {
            const locked = await world.rotate(["--stack", "bravo", "--lock-retries", "2", "--lock-retry-delay", "1", "--json"]);
            assert.equal(locked.code, 1, explain(locked));
            const report = stackReport(jsonReport(locked), "bravo");
            assert.equal(report.result, "failed");
            assert.match(
                report.message ?? "",
                new RegExp(
                    `locked by another update: .* Held by pid ${process.pid} on ${hostname()} since [^ ]+\\. Gave up after 3 attempts`,
                ),
            );
            assert.match(locked.stderr, /stack bravo is locked by another update; attempt 2 of 3 in 1s/);
            assert.match(locked.stderr, /stack bravo is locked by another update; attempt 3 of 3 in 2s/);
            assert.doesNotMatch(locked.stderr, /releasing it/, "a lock whose process runs is never released");
            assert.ok(locked.ms >= 3000, "it waited 1 s, then 2 s");
            assert.equal(stackLocks(world.project.backendDir, PROJECT_NAME, "bravo").length, 1, "the other update's lock is still there");
            assert.deepEqual(armCalls(), ["POST generateToken 400"], "only the validity check (see scenario 3): nothing ran while locked");
        } finally {
            release();
        }

        const run = await world.rotate(["--stack", "bravo", "--json"]);
        assert.equal(run.code, 0, explain(run));
        assert.equal(stackReport(jsonReport(run), "bravo").result, "rotated");
        assert.deepEqual(stackLocks(world.project.backendDir, PROJECT_NAME, "bravo"), []);
    });

    it("7. an expired token: recovered by one rotation run", async () => {
        // Deployed with four-day tokens (the shortest production allows: renewed 3 days ahead), then
        // configured for the default 30 days: only a token shorter-lived than its replacement can
        // be expired at the emulator while the emulator still accepts the replacement's expiry
        // (the provider issues against the real clock).
        const delta = await world.deployGatewayStack("delta", "gw-delta", { token: { validityDays: 4, renewBeforeDays: 3 } });
        const oldToken = rawGatewayToken(renderedGateway(delta.rendered()).authValue);
        delta.configure({});
        await delta.age(5);
        world.setDaysPassed(5);
        assert.equal(emulators().arm.isTokenValid(oldToken), false, "expired at the service");

        const check = await world.rotate(["--stack", "delta", "--check", "--json"]);
        assert.equal(check.code, 1, explain(check));
        assert.equal(stackReport(jsonReport(check), "delta").result, "expired");

        const run = await world.rotate(["--stack", "delta", "--json"]);
        assert.equal(run.code, 0, explain(run));
        const report = stackReport(jsonReport(run), "delta");
        assert.equal(report.result, "rotated");
        assert.ok(Date.parse(report.before?.expiresAt ?? "") < Date.now(), "it was expired");
        const newToken = rawGatewayToken(renderedGateway(delta.rendered()).authValue);
        assert.equal(emulators().arm.isTokenValid(newToken), true, "the gateway's new token works at the service");
        const outputs = await delta.outputs();
        assert.equal(unitOf(outputs).tokenExpiresAt, expectedExpiry(String(unitOf(outputs).tokenIssuedAt), 30));

        const fresh = await world.rotate(["--stack", "delta", "--check", "--json"]);
        assert.equal(fresh.code, 0, explain(fresh));
        assert.equal(stackReport(jsonReport(fresh), "delta").result, "fresh");
    });

    it(
        "8. the rotation killed mid-update: the next run releases the " + "stale lock, clears the pending operation, keeps the live token",
        async function () {
            this.timeout(8 * 60_000);
            await bravo.age(DUE_DAYS);
            world.setDaysPassed(DUE_DAYS);
            const liveAuth = renderedGateway(bravo.rendered()).authValue;
            assert.equal(emulators().arm.isTokenValid(rawGatewayToken(liveAuth)), true);

            // Hold the token request so the engine is mid-update (after the validity check and the
            // guard's preview), then kill the whole job.
            const started = world.startRotate(["--stack", "bravo"]);
            await new Promise<void>((resolve) => {
                started.child.stdout?.on("data", (chunk: Buffer) => {
                    if (chunk.toString().includes("renewing the token")) {
                        emulators().arm.injectDelay({ ms: 10 * 60_000, operation: "generateToken" });
                        resolve();
                    }
                });
            });
            const deadline = Date.now() + 2 * 60_000;
            while (emulators().arm.heldRequests === 0) {
                assert.ok(Date.now() < deadline, "the update reached generateToken");
                assert.equal(started.child.exitCode, null, "the rotation is still running");
                await new Promise((resolve) => setTimeout(resolve, 100));
            }
            const job = processTree(started.child.pid as number);
            assert.ok(job.length >= 4, `the program, the CLI, the language host and providers: ${job.length} processes`);
            await killAll(job);
            assert.equal((await started.done).code, null, "killed by a signal");

            const locks = stackLocks(world.project.backendDir, PROJECT_NAME, "bravo");
            assert.equal(locks.length, 1, "the killed update's lock is left behind");
            assert.ok(job.includes(locks[0].content.pid), "taken by the killed pulumi");
            assert.equal(locks[0].content.hostname, hostname());
            const interrupted = await world.exportState("bravo");
            assert.deepEqual(pendingOperations(interrupted), [`updating ${resourceOfType(interrupted, GATEWAY_TOKEN_TYPE).urn}`]);
            assert.equal(renderedGateway(bravo.rendered()).authValue, liveAuth, "the deployed Secret still holds the live token");
            assert.equal(emulators().arm.isTokenValid(rawGatewayToken(liveAuth)), true);

            const run = await world.rotate(["--stack", "bravo", "--lock-retries", "0", "--json"]);
            assert.equal(run.code, 0, explain(run));
            assert.match(
                run.stderr,
                new RegExp(
                    /stack bravo: its lock \(pid \d+ on .*\) was left by a Pulumi process that is no longer running; /.source +
                        /releasing it \(pulumi cancel\)/.source,
                ),
            );
            assert.match(run.stdout + run.stderr, /pending operations from previous deployment/, "the engine saw the interrupted update");
            const report = stackReport(jsonReport(run), "bravo");
            assert.equal(report.result, "rotated");
            assert.deepEqual(stackLocks(world.project.backendDir, PROJECT_NAME, "bravo"), []);
            assert.deepEqual(pendingOperations(await world.exportState("bravo")), [], "the successful update cleared it");
            const newAuth = renderedGateway(bravo.rendered()).authValue;
            assert.notEqual(newAuth, liveAuth);
            assert.equal(emulators().arm.isTokenValid(rawGatewayToken(newAuth)), true);
            assert.equal(
                emulators().arm.isTokenValid(rawGatewayToken(liveAuth)),
                true,
                "the token the pods ran with was never invalidated",
            );
        },
    );

    it(
        "9. two stacks, one gateway, one due: the scheduled command rotates " +
            "both and regenerates the old key; both clusters keep valid tokens",
        async () => {
            const echo = await world.deployGatewayStack("echo", "gw-shared");
            const foxtrot = await world.deployGatewayStack("foxtrot", "gw-shared");
            assert.equal(foxtrot.gatewayResourceId, echo.gatewayResourceId, "one gateway entity, two clusters");
            await echo.age(DUE_DAYS);
            world.setDaysPassed(DUE_DAYS);
            const oldEcho = rawGatewayToken(renderedGateway(echo.rendered()).authValue);
            const oldFoxtrot = rawGatewayToken(renderedGateway(foxtrot.rendered()).authValue);
            assert.equal(emulators().arm.signingKeyType(oldFoxtrot), "primary");

            const check = await world.rotate(["--stack", "echo", "--stack", "foxtrot", "--check", "--json"]);
            assert.deepEqual(
                jsonReport(check).stacks.map((entry) => [entry.stack, entry.result]),
                [
                    ["echo", "due"],
                    ["foxtrot", "fresh"],
                ],
            );

            const run = await world.rotate(["--stack", "echo", "--regenerate-unused-key", "--json"]);
            assert.equal(run.code, 0, explain(run));
            const report = jsonReport(run);
            assert.deepEqual(
                report.stacks.map((entry) => [entry.stack, entry.result, entry.after?.keyType, entry.keyRegeneration?.status]),
                [
                    ["echo", "rotated", "secondary", "regenerated"],
                    ["foxtrot", "rotated", "secondary", "regenerated"],
                ],
                "the fresh sibling was rotated in the same run",
            );
            const newEcho = rawGatewayToken(renderedGateway(echo.rendered()).authValue);
            const newFoxtrot = rawGatewayToken(renderedGateway(foxtrot.rendered()).authValue);
            for (const token of [newEcho, newFoxtrot]) {
                assert.equal(emulators().arm.isTokenValid(token), true, "both clusters hold valid tokens");
                assert.equal(emulators().arm.signingKeyType(token), "secondary");
            }
            assert.equal(emulators().arm.isTokenValid(oldEcho), false, "the regenerated primary key's tokens are gone");
            assert.equal(emulators().arm.isTokenValid(oldFoxtrot), false);

            const after = await world.rotate(["--stack", "echo", "--stack", "foxtrot", "--check", "--json"]);
            assert.equal(after.code, 0, explain(after));
            assert.deepEqual(
                jsonReport(after).stacks.map((entry) => entry.result),
                ["fresh", "fresh"],
            );
        },
    );

    it("9b. a token whose key was regenerated outside the rotation is reported invalidated by --check", async () => {
        const golf = await world.deployGatewayStack("golf", "gw-golf");
        const live = rawGatewayToken(renderedGateway(golf.rendered()).authValue);
        // An operator regenerates the primary key outside the rotation (portal, script): an ARM call.
        const regenerate =
            `require("./components/token/arm").regenerateGatewayKey(${JSON.stringify(golf.gatewayResourceId)}, ` +
            `"primary", ${JSON.stringify(emulators().azureCloud)})` +
            ".then(() => process.exit(0), (error) => { console.error(error.message); process.exit(1); })";
        const regenerated = await startProcess(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", regenerate], {
            cwd: REPOSITORY,
            env: { PATH: process.env.PATH ?? "", ...world.azure.env },
            timeoutMs: 60_000,
        }).done;
        assert.equal(regenerated.code, 0, regenerated.stderr);
        assert.equal(emulators().arm.isTokenValid(live), false);
        const check = await world.rotate(["--stack", "golf", "--check", "--json"]);
        assert.equal(check.code, 1, explain(check));
        const report = stackReport(jsonReport(check), "golf");
        assert.equal(report.result, "invalidated");
        assert.match(report.message ?? "", /primary key that signed the token was regenerated after it was issued/);

        const run = await world.rotate(["--stack", "golf", "--json"]);
        assert.equal(run.code, 0, explain(run));
        assert.equal(stackReport(jsonReport(run), "golf").result, "rotated");
        assert.equal(emulators().arm.isTokenValid(rawGatewayToken(renderedGateway(golf.rendered()).authValue)), true);
    });

    it("no token issued during the suite is in any state, log or output", () => {
        const tokens = emulators().arm.issuedTokens;
        assert.ok(tokens.length >= 10, `${tokens.length} tokens issued`);
        const captured = [...world.transcript, ...capturedFiles(world.project.backendDir), ...capturedFiles(world.project.home)];
        assert.ok(world.transcript.length >= 15, "every engine run and rotation was recorded");
        assert.deepEqual(sourcesWithTokens(captured, tokens), []);
    });
});
