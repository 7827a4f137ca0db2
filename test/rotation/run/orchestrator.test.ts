import { strict as assert } from "node:assert";
import { EXIT_FAILED, EXIT_OK, EXIT_SIGINT, EXIT_SIGTERM, exitCodeFor } from "../../../rotation/command/exitCodes";
import type { ExpiryEvents } from "../../../rotation/azure/expiryEvents";
import { EVENT_RUN_KEEPS_KEYS, RotationPlan, runRotation } from "../../../rotation/run/orchestrator";
import { renderGithubSummary, renderJson, renderTable } from "../../../rotation/report/renderReport";
import { RunReport, StackReport } from "../../../rotation/model/runReport";
import { RENEWAL_TRIGGER_ENV } from "../../../components/contract/rotationContract";
import {
    DAY,
    contractOutputs,
    fakeVerifier,
    FakeBackend,
    FakeClock,
    FakeStackSpec,
    GATEWAY_ID,
    NOW,
    PLANTED_RAW,
    PLANTED_TOKEN,
    TARGETS,
    fakeProcesses,
    lockHolder,
    memoryLogger,
    plan,
    PUBLIC_CLOUD,
    recordingRegenerator,
    tokenOutputs,
    tokenUnit,
} from "../fakes";

interface Run {
    report: RunReport;
    backend: FakeBackend;
    clock: FakeClock;
    regenerator: ReturnType<typeof recordingRegenerator>;
    progress: string;
    problems: string;
    exitCode: number;
}

async function run(
    stacks: Record<string, FakeStackSpec>,
    overrides: Partial<RotationPlan> = {},
    options: {
        controller?: AbortController;
        regenerateError?: Error;
        listError?: Error;
        runningPids?: number[];
        markedPids?: number[];
        validity?: Parameters<typeof fakeVerifier>[0];
    } = {},
): Promise<Run> {
    const clock = new FakeClock();
    const backend = new FakeBackend(stacks, clock);
    if (options.listError) {
        backend.listError = options.listError;
    }
    const regenerator = recordingRegenerator(options.regenerateError);
    const { log, progress, problems } = memoryLogger();
    const controller = options.controller ?? new AbortController();
    const report = await runRotation(plan(overrides), {
        backend,
        clock,
        regenerateKey: regenerator,
        verifyToken: fakeVerifier(options.validity),
        log,
        signal: controller.signal,
        processes: fakeProcesses(options.runningPids, options.markedPids),
    });
    const reason: unknown = controller.signal.reason;
    return {
        report,
        backend,
        clock,
        regenerator,
        progress: progress.text,
        problems: problems.text,
        exitCode: exitCodeFor(report, typeof reason === "string" ? reason : undefined),
    };
}

function stackReport(report: RunReport, stack: string): StackReport {
    const found = report.stacks.find((entry) => entry.stack === stack);
    assert.ok(found, `no report for ${stack}`);
    return found;
}

const named = (...names: string[]): Partial<RotationPlan> => ({ stacks: { all: false, names } });

const US_GOVERNMENT = {
    resourceManagerEndpoint: "https://management.usgovcloudapi.net",
    authorityHost: "https://login.microsoftonline.us",
};

describe("rotation orchestrator", () => {
    describe("stack selection", () => {
        it("--all processes every stack the backend lists, in order", async () => {
            const { report, backend } = await run({ dev: { outputs: tokenOutputs(25) }, prod: { outputs: tokenOutputs(25) } });
            assert.deepEqual(
                report.stacks.map((stack) => stack.stack),
                ["dev", "prod"],
            );
            assert.equal(backend.callsOf("list").length, 1);
        });

        it("--stack selects only the named stacks, once each, without listing", async () => {
            const { report, backend } = await run(
                { dev: { outputs: tokenOutputs(25) }, test: { outputs: tokenOutputs(25) }, prod: { outputs: tokenOutputs(25) } },
                named("prod", "dev", "prod"),
            );
            assert.deepEqual(
                report.stacks.map((stack) => stack.stack),
                ["prod", "dev"],
            );
            assert.equal(backend.callsOf("list").length, 0);
            assert.equal(backend.callsOf("outputs", "test").length, 0);
        });

        it("reports an unknown stack as not found and carries on with the others", async () => {
            const { report, backend, exitCode } = await run({ dev: { outputs: tokenOutputs(5) } }, named("typo", "dev"));
            const typo = stackReport(report, "typo");
            assert.equal(typo.result, "not-found");
            assert.match(typo.message ?? "", /"typo" was not found/);
            assert.equal(stackReport(report, "dev").result, "rotated");
            assert.equal(backend.callsOf("up", "typo").length, 0);
            assert.equal(exitCode, EXIT_FAILED);
        });

        it("fails the run when the stacks cannot be listed", async () => {
            const { report, exitCode } = await run({}, {}, { listError: new Error("backend unreachable") });
            assert.deepEqual(report.stacks, []);
            assert.equal(report.errors.length, 1, "the listing's error only: not also an empty backend");
            assert.match(report.errors[0], /could not list the project's stacks: backend unreachable/);
            assert.equal(exitCode, EXIT_FAILED);
        });

        it("fails the run when --all finds no stack (likely the wrong backend)", async () => {
            const { report, exitCode } = await run({});
            assert.deepEqual(report.errors, [
                "the backend has no stacks of this project: check the logged-in backend (`pulumi whoami -v`) and --work-dir",
            ]);
            assert.equal(exitCode, EXIT_FAILED);
        });
    });

    describe("--check", () => {
        const stacks = (): Record<string, FakeStackSpec> => ({
            fresh: { outputs: tokenOutputs(25) },
            due: { outputs: tokenOutputs(5) },
            expired: { outputs: tokenOutputs(-1) },
            wi: { outputs: contractOutputs({ gateway: { gatewayResourceId: GATEWAY_ID, authType: "workloadIdentity" } }) },
            empty: { outputs: {} },
        });

        it("reports each token's status and changes nothing", async () => {
            const { report, backend } = await run(stacks(), { mode: "check" });
            assert.deepEqual(
                report.stacks.map((stack) => [stack.stack, stack.result, stack.action]),
                [
                    ["fresh", "fresh", "check"],
                    ["due", "due", "check"],
                    ["expired", "expired", "check"],
                    ["wi", "not-applicable", "check"],
                    ["empty", "not-applicable", "check"],
                ],
            );
            assert.equal(backend.callsOf("up").length + backend.callsOf("preview").length, 0);
            assert.equal(stackReport(report, "due").before?.expiresAt, new Date(NOW.getTime() + 5 * DAY).toISOString());
            assert.match(stackReport(report, "expired").message ?? "", /--stack expired --force/);
            assert.match(stackReport(report, "wi").message ?? "", /workloadIdentity, not a token/);
        });

        it("exits 1 when any token is due or expired, 0 when all are fresh or not applicable", async () => {
            assert.equal((await run(stacks(), { mode: "check" })).exitCode, EXIT_FAILED);
            const { due: _due, expired: _expired, ...healthy } = stacks();
            assert.equal((await run(healthy, { mode: "check" })).exitCode, EXIT_OK);
            assert.equal((await run({ due: stacks().due }, { mode: "check" })).exitCode, EXIT_FAILED);
            assert.equal((await run({ expired: stacks().expired }, { mode: "check" })).exitCode, EXIT_FAILED);
        });

        it("treats the renewal instant itself as due", async () => {
            const outputs = tokenOutputs(10);
            const { report } = await run({ edge: { outputs } }, { mode: "check" });
            assert.equal(report.stacks[0].result, "due");
        });

        it("fails a token stack whose token outputs are missing, naming the output", async () => {
            const { tokenExpiresAt: _gone, ...unit } = tokenUnit(25);
            const { report, exitCode } = await run({ dev: { outputs: contractOutputs({ gateway: unit }) } }, { mode: "check" });
            assert.equal(report.stacks[0].result, "failed");
            assert.equal(report.stacks[0].gateway, "gateway");
            assert.match(report.stacks[0].message ?? "", /apimGatewayRotation\["gateway"\]\.tokenExpiresAt is missing/);
            assert.equal(exitCode, EXIT_FAILED);
        });
    });

    describe("rotate", () => {
        it("leaves a stack that is not due alone: no update, no key regeneration", async () => {
            const { report, backend, regenerator, exitCode } = await run(
                { dev: { outputs: tokenOutputs(25) } },
                { regenerateUnusedKey: true },
            );
            const dev = report.stacks[0];
            assert.equal(dev.result, "not-due");
            assert.equal(dev.action, "none");
            assert.equal(backend.callsOf("up").length, 0);
            assert.equal(backend.callsOf("preview").length, 0);
            assert.deepEqual(regenerator.calls, []);
            assert.equal(dev.keyRegeneration?.status, "skipped");
            assert.match(dev.keyRegeneration?.reason ?? "", /nothing was rotated/);
            assert.equal(exitCode, EXIT_OK);
        });

        it("renews a due token with a targeted update, previewed with the same targets first, without a renewal trigger", async () => {
            const { report, backend, exitCode } = await run({ dev: { outputs: tokenOutputs(5, "primary") } });
            const [up] = backend.callsOf("up", "dev");
            const [preview] = backend.callsOf("preview", "dev");
            assert.deepEqual(up.targets, [TARGETS.token, TARGETS.secret, TARGETS.deployment]);
            assert.deepEqual(preview.targets, up.targets);
            assert.deepEqual(up.env, {});
            assert.deepEqual(
                backend.calls.filter((call) => call.op !== "outputs").map((call) => call.op),
                ["list", "preview", "up"],
            );
            const dev = report.stacks[0];
            assert.equal(dev.result, "rotated");
            assert.equal(dev.action, "rotate");
            assert.equal(dev.forced, false);
            assert.equal(dev.before?.keyType, "primary");
            assert.equal(dev.after?.keyType, "secondary");
            assert.equal(dev.after?.expiresAt, new Date(NOW.getTime() + 30 * DAY).toISOString());
            assert.deepEqual(dev.changes, ["GatewayToken updated", "Secret created", "Deployment updated", "old Secret deleted"]);
            assert.equal(exitCode, EXIT_OK);
        });

        it("renews an expired token", async () => {
            const { report } = await run({ dev: { outputs: tokenOutputs(-3) } });
            assert.equal(report.stacks[0].result, "rotated");
        });

        it("--force renews a fresh token by passing a new renewal trigger to the program", async () => {
            const { report, backend } = await run({ dev: { outputs: tokenOutputs(25) } }, { force: true });
            const [up] = backend.callsOf("up", "dev");
            assert.deepEqual(up.env, { [RENEWAL_TRIGGER_ENV]: NOW.toISOString() });
            assert.equal(report.stacks[0].result, "rotated");
            assert.equal(report.stacks[0].forced, true);
        });

        it("fails when the update succeeds but the token did not change, and touches no key", async () => {
            const { report, regenerator, exitCode } = await run(
                { dev: { outputs: tokenOutputs(5), upKeepsToken: true } },
                { regenerateUnusedKey: true },
            );
            const dev = report.stacks[0];
            assert.equal(dev.result, "failed");
            assert.match(dev.message ?? "", /token outputs did not change/);
            assert.deepEqual(regenerator.calls, []);
            assert.equal(dev.keyRegeneration?.status, "skipped");
            assert.equal(exitCode, EXIT_FAILED);
        });

        it("refuses to update without rotationTargets (never a full, untargeted update)", async () => {
            const { rotationTargets: _gone, ...unit } = tokenUnit(5);
            const { report, backend } = await run({ dev: { outputs: contractOutputs({ gateway: unit }) } });
            assert.equal(report.stacks[0].result, "failed");
            assert.match(report.stacks[0].message ?? "", /rotationTargets/);
            assert.equal(backend.callsOf("up").length, 0);
        });

        it("does not touch a stack whose gateway does not use a token, even with --force", async () => {
            const { report, backend, exitCode } = await run(
                { aad: { outputs: contractOutputs({ gateway: { gatewayResourceId: GATEWAY_ID, authType: "azureAdApp" } }) } },
                { force: true, regenerateUnusedKey: true },
            );
            assert.equal(report.stacks[0].result, "not-applicable");
            assert.equal(backend.callsOf("up").length, 0);
            assert.equal(report.stacks[0].keyRegeneration?.status, "skipped");
            assert.equal(exitCode, EXIT_OK);
        });

        it("a failing stack does not stop the others; the exit code is the worst outcome", async () => {
            const { report, exitCode } = await run({
                a: { outputs: tokenOutputs(5), upError: new Error("kubernetes: deployment did not become ready") },
                b: { outputs: tokenOutputs(5) },
                c: { outputs: tokenOutputs(25) },
            });
            assert.deepEqual(
                report.stacks.map((stack) => stack.result),
                ["failed", "rotated", "not-due"],
            );
            assert.match(report.stacks[0].message ?? "", /did not become ready/);
            assert.equal(exitCode, EXIT_FAILED);
        });

        it("reports a stack whose outputs cannot be read as failed", async () => {
            const { report } = await run({ dev: { outputs: tokenOutputs(5), outputsError: new Error("passphrase is wrong") } });
            assert.equal(report.stacks[0].result, "failed");
            assert.match(report.stacks[0].message ?? "", /passphrase is wrong/);
        });
    });

    describe("--dry-run", () => {
        it("previews the due stack with the same targets and changes nothing", async () => {
            const { report, backend, regenerator, exitCode } = await run(
                { due: { outputs: tokenOutputs(5) }, fresh: { outputs: tokenOutputs(25) } },
                { mode: "dry-run", regenerateUnusedKey: true },
            );
            assert.equal(backend.callsOf("up").length, 0);
            assert.deepEqual(backend.callsOf("preview", "due")[0].targets, [TARGETS.token, TARGETS.secret, TARGETS.deployment]);
            assert.equal(backend.callsOf("preview", "fresh").length, 0);
            const due = stackReport(report, "due");
            assert.equal(due.result, "previewed");
            assert.equal(due.action, "preview");
            assert.deepEqual(due.changes, ["GatewayToken updated", "Secret created", "Deployment updated", "old Secret deleted"]);
            assert.equal(due.after, undefined);
            assert.deepEqual(regenerator.calls, []);
            assert.equal(due.keyRegeneration?.status, "skipped");
            assert.match(due.keyRegeneration?.reason ?? "", /dry run/);
            assert.equal(stackReport(report, "fresh").result, "not-due");
            assert.equal(exitCode, EXIT_OK);
        });

        it("with --force previews a fresh stack with the renewal trigger", async () => {
            const { report, backend } = await run({ dev: { outputs: tokenOutputs(25) } }, { mode: "dry-run", force: true });
            assert.deepEqual(backend.callsOf("preview", "dev")[0].env, { [RENEWAL_TRIGGER_ENV]: NOW.toISOString() });
            assert.equal(report.stacks[0].result, "previewed");
            assert.deepEqual(report.stacks[0].changes, [
                "GatewayToken updated",
                "Secret created",
                "Deployment updated",
                "old Secret deleted",
            ]);
        });
    });

    describe("--regenerate-unused-key", () => {
        it(
            "after a verified rotation regenerates the key the new token " + "does not use, per gateway, at the operator's endpoints",
            async () => {
                const cloud = { name: "AzureUSGovernment" as const };
                const other = GATEWAY_ID.replace(/gw1$/, "gw2");
                const { report, regenerator, exitCode } = await run(
                    {
                        a: { outputs: tokenOutputs(5, "primary", { azureCloud: cloud }) },
                        b: { outputs: tokenOutputs(5, "secondary", { gatewayResourceId: other, azureCloud: cloud }) },
                    },
                    { regenerateUnusedKey: true, azure: US_GOVERNMENT },
                );
                assert.deepEqual(regenerator.calls, [
                    { gatewayResourceId: GATEWAY_ID, keyType: "primary", cloud: US_GOVERNMENT },
                    { gatewayResourceId: other, keyType: "secondary", cloud: US_GOVERNMENT },
                ]);
                for (const stack of report.stacks) {
                    assert.equal(stack.keyRegeneration?.status, "regenerated");
                    assert.notEqual(stack.keyRegeneration?.keyType, stack.after?.keyType, "never the live key");
                }
                assert.equal(exitCode, EXIT_OK);
            },
        );

        it("is skipped, with a reason, when the rollout failed", async () => {
            const { report, regenerator, exitCode } = await run(
                { dev: { outputs: tokenOutputs(5), upError: new Error("update failed") } },
                { regenerateUnusedKey: true },
            );
            assert.deepEqual(regenerator.calls, []);
            assert.equal(report.stacks[0].keyRegeneration?.status, "skipped");
            assert.match(report.stacks[0].keyRegeneration?.reason ?? "", /rollout failed/);
            assert.equal(exitCode, EXIT_FAILED);
        });

        it("reports a failed regeneration and fails the run, keeping the rotation", async () => {
            const { report, exitCode } = await run(
                { dev: { outputs: tokenOutputs(5) } },
                { regenerateUnusedKey: true },
                { regenerateError: new Error("403: grant Microsoft.ApiManagement/service/gateways/regenerateKey/action") },
            );
            const dev = report.stacks[0];
            assert.equal(dev.result, "rotated");
            assert.equal(dev.keyRegeneration?.status, "failed");
            assert.equal(dev.keyRegeneration?.keyType, "primary");
            assert.match(dev.keyRegeneration?.reason ?? "", /regenerateKey\/action/);
            assert.equal(exitCode, EXIT_FAILED);
        });

        it("says why a unit gets no regeneration: a stack not found, a gateway without a token", async () => {
            const { report } = await run(
                { aad: { outputs: contractOutputs({ gateway: { gatewayResourceId: GATEWAY_ID, authType: "azureAdApp" } }) } },
                { ...named("typo", "aad"), regenerateUnusedKey: true },
            );
            assert.deepEqual(stackReport(report, "typo").keyRegeneration, { status: "skipped", reason: "its gateway is not known" });
            assert.deepEqual(stackReport(report, "aad").keyRegeneration, { status: "skipped", reason: "the gateway does not use a token" });
        });

        it("logs the regeneration, and waits out ARM throttling it", async () => {
            const clock = new FakeClock();
            const calls: string[] = [];
            const { log, progress, problems } = memoryLogger();
            const report = await runRotation(plan({ regenerateUnusedKey: true }), {
                backend: new FakeBackend({ dev: { outputs: tokenOutputs(5) } }, clock),
                clock,
                regenerateKey: async (_id, keyType) => {
                    calls.push(keyType);
                    if (calls.length === 1) {
                        throw Object.assign(new Error("Too Many Requests"), { statusCode: 429 });
                    }
                },
                verifyToken: fakeVerifier(),
                log,
                signal: new AbortController().signal,
                processes: fakeProcesses(),
            });
            assert.deepEqual(calls, ["primary", "primary"]);
            assert.deepEqual(report.stacks[0].keyRegeneration, { status: "regenerated", keyType: "primary" });
            assert.match(
                progress.text,
                new RegExp(`regenerating the primary key of ${GATEWAY_ID}: no unit's live token is signed with it`),
            );
            assert.match(problems.text, new RegExp(`ARM is throttling the key regeneration of ${GATEWAY_ID}; attempt 2 in 30s`));
            assert.deepEqual(clock.sleeps, [30_000]);
        });

        it("is not attempted or reported unless asked for, and no stack's state is read", async () => {
            const { report, regenerator, backend } = await run({ dev: { outputs: tokenOutputs(5) } });
            assert.deepEqual(regenerator.calls, []);
            assert.equal(report.stacks[0].keyRegeneration, undefined);
            assert.deepEqual(backend.callsOf("state"), []);
        });
    });

    describe("--regenerate-unused-key trusts only the token's own record (issue 23 §4)", () => {
        /** Another team's gateway: what the edited output names. */
        const VICTIM = GATEWAY_ID.replace("/rg1/", "/rg-other-team/").replace(/gw1$/, "their-gateway");

        it(
            "a stack output edited to name another team's gateway: the unit is failed, not renewed, " +
                "and ARM gets no write (the proof of concept)",
            async () => {
                const { report, regenerator, backend, exitCode } = await run(
                    // Only the output was edited: the token's state still says what ARM issued it for.
                    {
                        dev: {
                            outputs: tokenOutputs(25, "primary", { gatewayResourceId: VICTIM }),
                            tokenState: { [TARGETS.token]: GATEWAY_ID },
                        },
                    },
                    { regenerateUnusedKey: true },
                    // Checked against the other gateway's keys, the real token looks invalidated.
                    {
                        validity: (_key, id) =>
                            id === VICTIM ? { state: "invalid", reason: "signed with another key" } : { state: "valid" },
                    },
                );
                assert.deepEqual(regenerator.calls, [], "no regenerateKey call, least of all on the other team's gateway");
                assert.deepEqual(backend.callsOf("up"), [], "no forced rotation either");
                assert.deepEqual(backend.callsOf("preview"), []);
                const dev = stackReport(report, "dev");
                assert.equal(dev.result, "failed");
                assert.match(
                    dev.message ?? "",
                    /its stack output names gateway .*\/rg-other-team\/.*their-gateway, but its token's state says .*\/gw1/,
                );
                assert.equal(dev.keyRegeneration?.status, "skipped");
                assert.equal(exitCode, EXIT_FAILED);
            },
        );

        it("a unit whose token's state the update moved to another gateway is failed, and no key is regenerated", async () => {
            const { report, regenerator, exitCode } = await run(
                { dev: { outputs: tokenOutputs(5), upMovesTokenTo: VICTIM } },
                { regenerateUnusedKey: true },
            );
            assert.deepEqual(regenerator.calls, []);
            const dev = stackReport(report, "dev");
            assert.equal(dev.result, "failed");
            assert.match(
                dev.message ?? "",
                /the update moved its token from gateway .*\/gw1 to .*their-gateway: no key of its gateway is regenerated/,
            );
            assert.ok(dev.after, "the renewal itself is reported");
            assert.equal(exitCode, EXIT_FAILED);
        });

        it("a unit whose state cannot be read after its update keeps its renewal, and its gateway's key is left alone", async () => {
            const { report, regenerator } = await run(
                { dev: { outputs: tokenOutputs(5), upBreaksState: new Error("the backend went away") } },
                { regenerateUnusedKey: true },
            );
            assert.deepEqual(regenerator.calls, []);
            const dev = stackReport(report, "dev");
            assert.equal(dev.result, "rotated");
            assert.match(dev.keyRegeneration?.reason ?? "", /its stack's state could not be read \(the backend went away\)/);
        });

        it("a sibling whose state names no token at its target is failed untouched, and blocks every key", async () => {
            const { report, regenerator, backend } = await run(
                { west: { outputs: tokenOutputs(5) }, north: { outputs: tokenOutputs(5), tokenState: {} } },
                { regenerateUnusedKey: true },
            );
            assert.deepEqual(regenerator.calls, []);
            assert.equal(stackReport(report, "west").result, "rotated");
            assert.match(stackReport(report, "west").keyRegeneration?.reason ?? "", /token records of north\/gateway name no gateway/);
            assert.equal(stackReport(report, "north").result, "failed");
            assert.match(stackReport(report, "north").message ?? "", /has no GatewayToken at its rotationTargets\.token/);
            assert.deepEqual(backend.callsOf("up", "north"), [], "a due token, but its outputs contradict its state");
        });

        it("a stack whose state cannot be read is renewed as any run would, but no key is touched", async () => {
            for (const names of [undefined, ["west"]]) {
                const { report, regenerator } = await run(
                    {
                        west: { outputs: tokenOutputs(5) },
                        north: { outputs: tokenOutputs(5), tokenStateError: new Error('could not read the state of stack "north"') },
                    },
                    { regenerateUnusedKey: true, ...(names ? { stacks: { all: false, names } } : {}) },
                );
                assert.deepEqual(regenerator.calls, [], String(names));
                assert.equal(stackReport(report, "west").result, "rotated");
                assert.match(
                    stackReport(report, "west").keyRegeneration?.reason ?? "",
                    /token records of north\/gateway name no gateway \(its stack's state could not be read \(could not read the state/,
                );
                if (names === undefined) {
                    assert.equal(stackReport(report, "north").result, "rotated", "selected and due: renewed");
                }
            }
        });

        it("regenerates at the gateway the token's state names, read once per stack before and once after the update", async () => {
            const respelt = GATEWAY_ID.toUpperCase();
            const { regenerator, backend } = await run(
                {
                    dev: {
                        outputs: tokenOutputs(5, "primary", { gatewayResourceId: respelt }),
                        tokenState: { [TARGETS.token]: GATEWAY_ID },
                    },
                },
                { regenerateUnusedKey: true },
            );
            assert.deepEqual(regenerator.calls, [{ gatewayResourceId: GATEWAY_ID, keyType: "primary" }]);
            assert.deepEqual(
                backend.callsOf("state").map((call) => call.stack),
                ["dev", "dev"],
            );
        });
    });

    describe("--event: only the units the events name", () => {
        const SERVICE = GATEWAY_ID.replace(/\/gateways\/gw1$/, "");
        const events = (gateway = "gw1"): ExpiryEvents => ({
            gateways: [
                {
                    serviceResourceId: SERVICE,
                    gateway,
                    eventTypes: ["Microsoft.ApiManagement.GatewayTokenNearExpiry"],
                    instances: ["a"],
                    expiresAt: tokenUnit(5).tokenExpiresAt ?? assert.fail("a token unit has an expiry"),
                },
            ],
            ignored: [],
        });
        const fleet = (): Record<string, FakeStackSpec> => ({
            dev: { outputs: tokenOutputs(5) },
            other: { outputs: tokenOutputs(5, "primary", { gatewayResourceId: GATEWAY_ID.replace(/gw1$/, "gw2") }) },
            broken: { outputs: {}, outputsError: new Error("passphrase is wrong") },
        });

        it("renews and reports the named units and the unreadable stacks, never another due unit", async () => {
            const { report, backend } = await run(fleet(), { events: events() });
            assert.deepEqual(
                report.stacks.map((entry) => [entry.stack, entry.result]),
                [
                    ["dev", "rotated"],
                    ["broken", "failed"],
                ],
            );
            assert.deepEqual(backend.callsOf("up", "other"), [], "due, but no event names its gateway");
            assert.deepEqual(
                report.events?.map((event) => [event.result, event.stacks]),
                [["matched", ["dev/gateway"]]],
            );
            assert.match(stackReport(report, "dev").notes?.join() ?? "", /renewed on Azure's GatewayTokenNearExpiry event from 1 instance/);
        });

        it("regenerates no key even when asked, says so, and reads no token state", async () => {
            const { report, backend, regenerator, problems } = await run(fleet(), { events: events(), regenerateUnusedKey: true });
            assert.deepEqual(regenerator.calls, []);
            assert.deepEqual(backend.callsOf("state"), []);
            assert.deepEqual(stackReport(report, "dev").keyRegeneration, { status: "skipped", reason: EVENT_RUN_KEEPS_KEYS });
            assert.match(problems, new RegExp(`--regenerate-unused-key ignored: ${EVENT_RUN_KEEPS_KEYS.replace(/[()]/g, "\\$&")}`));
            assert.doesNotMatch((await run(fleet(), { regenerateUnusedKey: true })).problems, /--regenerate-unused-key ignored/);
        });

        it("reports a named unit it does not renew with the reason, and a gateway no unit holds as not-found", async () => {
            const recent = tokenUnit(25, "primary", { tokenIssuedAt: new Date(NOW.getTime() - 3_600_000).toISOString() });
            const { report, backend } = await run({ dev: { outputs: contractOutputs({ gateway: recent }) } }, { events: events() });
            assert.deepEqual(backend.callsOf("up"), []);
            const dev = stackReport(report, "dev");
            assert.equal(dev.result, "not-due");
            assert.match(dev.notes?.join() ?? "", /^folded into the renewal issued at /);

            const missing = await run(fleet(), { events: events("gw9") });
            assert.deepEqual(
                missing.report.stacks.map((entry) => entry.stack),
                ["broken"],
            );
            assert.deepEqual(
                missing.report.events?.map((event) => event.result),
                ["not-found"],
            );
            assert.equal(missing.exitCode, EXIT_FAILED);
        });
    });

    describe("Azure endpoints come from the operator, never from the outputs", () => {
        const ATTACKER = { resourceManagerEndpoint: "https://127.0.0.1:9443", authorityHost: "https://127.0.0.1:9444" };

        async function runWith(stacks: Record<string, FakeStackSpec>, overrides: Partial<RotationPlan>) {
            const clock = new FakeClock();
            const backend = new FakeBackend(stacks, clock);
            const regenerator = recordingRegenerator();
            const verifier = fakeVerifier();
            const { log } = memoryLogger();
            const report = await runRotation(plan(overrides), {
                backend,
                clock,
                regenerateKey: regenerator,
                verifyToken: verifier,
                log,
                signal: new AbortController().signal,
                processes: fakeProcesses(),
            });
            return { report, backend, regenerator, verifier };
        }

        for (const mode of ["check", "rotate"] as const) {
            it(
                `${mode}: a unit whose outputs name another cloud is failed, naming ` +
                    `both endpoints; nothing is verified, rotated or regenerated for it`,
                async () => {
                    const { report, backend, regenerator, verifier } = await runWith(
                        {
                            forged: { outputs: tokenOutputs(5, "primary", { azureCloud: ATTACKER }) },
                            honest: { outputs: tokenOutputs(25, "primary", { gatewayResourceId: GATEWAY_ID.replace(/gw1$/, "gw2") }) },
                        },
                        { mode, regenerateUnusedKey: mode === "rotate" },
                    );
                    const forged = stackReport(report, "forged");
                    assert.equal(forged.result, "failed");
                    assert.equal(forged.gateway, "gateway");
                    assert.match(
                        forged.message ?? "",
                        new RegExp(
                            String.raw`outputs name the Azure cloud at ARM https:\/\/127\.0\.0\.1:9443, ` +
                                String.raw`Entra https:\/\/127\.0\.0\.1:9444, but this rotation uses ` +
                                String.raw`ARM https:\/\/management\.azure\.com, Entra https:\/\/login\.microsoftonline\.com`,
                        ),
                    );
                    assert.deepEqual(verifier.asked, ["gateway"], "only the honest stack's token is verified");
                    assert.deepEqual(verifier.endpoints, [PUBLIC_CLOUD]);
                    assert.deepEqual(backend.callsOf("preview", "forged"), []);
                    assert.deepEqual(backend.callsOf("up", "forged"), []);
                    assert.ok(
                        regenerator.calls.every((call) => call.gatewayResourceId !== GATEWAY_ID),
                        "the forged unit's gateway is never regenerated",
                    );
                    assert.equal(exitCodeFor(report), EXIT_FAILED);
                },
            );
        }

        it("a keyless unit is not applicable whatever cloud its outputs name: nothing is sent to Azure for it", async () => {
            const { report, verifier } = await runWith(
                {
                    wi: {
                        outputs: contractOutputs({
                            gateway: { gatewayResourceId: GATEWAY_ID, authType: "workloadIdentity", azureCloud: ATTACKER },
                        }),
                    },
                },
                { mode: "check" },
            );
            assert.equal(stackReport(report, "wi").result, "not-applicable");
            assert.deepEqual(verifier.asked, []);
            assert.equal(exitCodeFor(report), 0);
        });

        it("a unit naming the operator's cloud (by name or by the same URLs) is handled at the operator's endpoints", async () => {
            const { report, verifier } = await runWith(
                {
                    byName: { outputs: tokenOutputs(25, "primary", { azureCloud: { name: "AzureUSGovernment" } }) },
                    byUrl: {
                        outputs: tokenOutputs(25, "primary", {
                            azureCloud: {
                                resourceManagerEndpoint: "https://MANAGEMENT.usgovcloudapi.net/",
                                authorityHost: US_GOVERNMENT.authorityHost,
                            },
                        }),
                    },
                },
                { mode: "check", azure: US_GOVERNMENT },
            );
            assert.deepEqual(
                report.stacks.map((stack) => stack.result),
                ["fresh", "fresh"],
            );
            assert.deepEqual(verifier.endpoints, [US_GOVERNMENT, US_GOVERNMENT]);
        });

        it("a stack without azureCloud is the public cloud: failed when the operator chose another", async () => {
            const { report } = await runWith({ plainStack: { outputs: tokenOutputs(25) } }, { mode: "check", azure: US_GOVERNMENT });
            assert.equal(report.stacks[0].result, "failed");
            assert.match(
                report.stacks[0].message ?? "",
                /ARM https:\/\/management\.azure\.com.*but this rotation uses ARM https:\/\/management\.usgovcloudapi\.net/,
            );
        });
    });

    describe("locked stacks", () => {
        it("retries a locked stack with exponential backoff, then rotates it", async () => {
            const { report, backend, clock, problems } = await run({ dev: { outputs: tokenOutputs(5), locked: 2 } });
            assert.equal(backend.callsOf("preview", "dev").length, 3, "the preview meets the lock first");
            assert.equal(backend.callsOf("up", "dev").length, 1);
            assert.deepEqual(clock.sleeps, [1000, 2000]);
            assert.equal(report.stacks[0].result, "rotated");
            assert.match(problems, /\[dev\/gateway\] warning: stack dev is locked by another update; attempt 2 of 4 in 1s/);
        });

        it("gives up after the configured attempts, reports it, and goes on to the next stack", async () => {
            const { report, backend, clock, exitCode } = await run({
                dev: { outputs: tokenOutputs(5), locked: 99 },
                prod: { outputs: tokenOutputs(5) },
            });
            assert.equal(backend.callsOf("preview", "dev").length, 4);
            assert.equal(backend.callsOf("up", "dev").length, 0);
            assert.deepEqual(clock.sleeps, [1000, 2000, 4000]);
            const dev = stackReport(report, "dev");
            assert.equal(dev.result, "failed");
            assert.match(dev.message ?? "", /locked by another update.*Gave up after 4 attempts.*pulumi cancel --stack dev/);
            assert.equal(stackReport(report, "prod").result, "rotated");
            assert.equal(exitCode, EXIT_FAILED);
        });

        it(
            "releases a lock an earlier rotation in this namespace " + "recorded, whose process no longer runs, then rotates at once",
            async () => {
                const { report, backend, clock, problems, exitCode } = await run(
                    { dev: { outputs: tokenOutputs(5), locked: 99, lockHolders: [lockHolder(4242)] } },
                    {},
                    { markedPids: [4242] },
                );
                assert.equal(backend.callsOf("release", "dev").length, 1);
                assert.equal(
                    backend.callsOf("preview", "dev").length,
                    3,
                    "the failed attempt, the one re-reading the holders just before the release, and the one after it",
                );
                assert.equal(backend.callsOf("up", "dev").length, 1);
                assert.deepEqual(clock.sleeps, [], "no backoff for a lock proven stale");
                assert.equal(report.stacks[0].result, "rotated");
                assert.equal(exitCode, EXIT_OK);
                assert.match(
                    problems,
                    new RegExp(
                        String.raw`\[dev\/gateway\] warning: stack dev: its lock \(pid 4242 on runner-1 since 2025-06-15T11:58:00Z\) ` +
                            String.raw`was left by a Pulumi process that is no longer running; releasing it \(pulumi cancel\)`,
                    ),
                );
            },
        );

        it("releases under this host's mutex for the stack, only when the re-read holders are exactly the judged ones", async () => {
            const processes = fakeProcesses([], [4242, 4343]);
            const clock = new FakeClock();
            const changed = new FakeBackend(
                {
                    dev: {
                        outputs: tokenOutputs(5),
                        locked: 99,
                        lockHolders: [lockHolder(4242)],
                        lockHoldersLater: [lockHolder(4242), lockHolder(4343)],
                    },
                },
                clock,
            );
            const { log, problems } = memoryLogger();
            const deps = {
                clock,
                regenerateKey: recordingRegenerator(),
                verifyToken: fakeVerifier(),
                log,
                signal: new AbortController().signal,
                processes,
            };
            const report = await runRotation(plan({ lockRetry: { retries: 0, initialDelayMs: 1000, maxDelayMs: 1000 } }), {
                ...deps,
                backend: changed,
            });
            assert.equal(changed.callsOf("release").length, 0, "another lock appeared since the judgement: never released");
            assert.match(
                report.stacks[0].message ?? "",
                /Not released automatically: the lock changed since it was judged \(now pid 4242 on runner-1 .*; pid 4343 on runner-1/,
            );
            assert.deepEqual(processes.holds, ["hold dev", "free dev"]);
            assert.doesNotMatch(problems.text, /releasing it/);

            const same = new FakeBackend({ dev: { outputs: tokenOutputs(5), locked: 99, lockHolders: [lockHolder(4242)] } }, clock);
            processes.holds.splice(0);
            assert.equal((await runRotation(plan(), { ...deps, backend: same })).stacks[0].result, "rotated");
            assert.equal(same.callsOf("release").length, 1);
            assert.deepEqual(processes.holds, ["hold dev", "free dev"], "held from the re-read through the retry, then freed");
        });

        it("leaves the lock to the rotation on this host that holds the stack's mutex", async () => {
            const processes = fakeProcesses([], [4242]);
            processes.heldElsewhere.add("dev");
            const clock = new FakeClock();
            const backend = new FakeBackend({ dev: { outputs: tokenOutputs(5), locked: 99, lockHolders: [lockHolder(4242)] } }, clock);
            const { log } = memoryLogger();
            const report = await runRotation(plan({ lockRetry: { retries: 0, initialDelayMs: 1000, maxDelayMs: 1000 } }), {
                backend,
                clock,
                regenerateKey: recordingRegenerator(),
                verifyToken: fakeVerifier(),
                log,
                signal: new AbortController().signal,
                processes,
            });
            assert.equal(backend.callsOf("release").length, 0);
            assert.equal(report.stacks[0].result, "failed");
            assert.match(
                report.stacks[0].message ?? "",
                /Not released automatically: another rotation on this host is releasing this stack's lock right now/,
            );
        });

        it("never releases a lock whose holder still runs, runs on another host, or is not named", async () => {
            const cases: { holders: ReturnType<typeof lockHolder>[]; running: number[] }[] = [
                { holders: [lockHolder(4242)], running: [4242] },
                { holders: [lockHolder(4242, "runner-2")], running: [] },
                { holders: [lockHolder(4242), lockHolder(4343)], running: [4343] },
                { holders: [], running: [] },
            ];
            for (const { holders, running } of cases) {
                for (const releaseStaleLocks of [false, true]) {
                    const { report, backend, clock } = await run(
                        { dev: { outputs: tokenOutputs(5), locked: 99, lockHolders: holders } },
                        { releaseStaleLocks },
                        { runningPids: running, markedPids: [4242, 4343] },
                    );
                    assert.equal(backend.callsOf("release").length, 0, JSON.stringify(holders));
                    assert.equal(clock.sleeps.length, 3, "retried with backoff as for any lock");
                    assert.equal(report.stacks[0].result, "failed");
                }
            }
        });

        it(
            "without a marker from this namespace, releases a lock whose " + "process is not running here only on --release-stale-locks",
            async () => {
                const kept = await run({ dev: { outputs: tokenOutputs(5), locked: 99, lockHolders: [lockHolder(4242)] } });
                assert.equal(kept.backend.callsOf("release").length, 0);
                assert.equal(kept.report.stacks[0].result, "failed");
                assert.match(
                    kept.report.stacks[0].message ?? "",
                    new RegExp(
                        "Gave up after 4 attempts: .* Not released automatically: pid 4242 on runner-1 is not running here, " +
                            String.raw`but no marker shows .* pass --release-stale-locks or run \`pulumi cancel --stack dev\`\.$`,
                    ),
                );

                const released = await run(
                    { dev: { outputs: tokenOutputs(5), locked: 99, lockHolders: [lockHolder(4242)] } },
                    { releaseStaleLocks: true },
                );
                assert.equal(released.backend.callsOf("release", "dev").length, 1);
                assert.equal(released.report.stacks[0].result, "rotated");
                assert.match(
                    released.problems,
                    new RegExp(
                        String.raw`no longer running \(released on --release-stale-locks: no marker proves pid 4242` +
                            String.raw` ran in this PID namespace\); releasing it`,
                    ),
                );
            },
        );

        it("records which Pulumi process takes each update, and forgets the markers of a released lock", async () => {
            const clock = new FakeClock();
            const backend = new FakeBackend(
                { dev: { outputs: tokenOutputs(5), locked: 2, lockHolders: [lockHolder(4242)] }, prod: { outputs: tokenOutputs(5) } },
                clock,
            );
            const processes = fakeProcesses([], [4242]);
            await runRotation(plan(), {
                backend,
                clock,
                regenerateKey: recordingRegenerator(),
                verifyToken: fakeVerifier(),
                log: memoryLogger().log,
                signal: new AbortController().signal,
                processes,
            });
            // Every operation is tracked on its own: dev's preview meets the lock, meets it again re-reading the holders, is
            // repeated after the release, then the update; prod's preview and update.
            assert.deepEqual(processes.tracking, [
                "start dev",
                "stop dev",
                "start dev",
                "stop dev",
                "start dev",
                "stop dev",
                "start dev",
                "stop dev",
                "start prod",
                "stop prod",
                "start prod",
                "stop prod",
            ]);
            assert.deepEqual(processes.forgotten, [4242]);
        });

        it("releases a stale lock once per stack, then treats a new lock like any other", async () => {
            const stacks = { dev: { outputs: tokenOutputs(5), locked: 99, lockHolders: [lockHolder(4242)] } };
            const clock = new FakeClock();
            const backend = new FakeBackend(stacks, clock);
            const release = backend.releaseLock.bind(backend);
            backend.releaseLock = async (name) => {
                await release(name);
                stacks.dev.locked = 99; // another stale lock appears at once
            };
            const { log } = memoryLogger();
            const report = await runRotation(plan(), {
                backend,
                clock,
                regenerateKey: recordingRegenerator(),
                verifyToken: fakeVerifier(),
                log,
                signal: new AbortController().signal,
                processes: fakeProcesses([], [4242]),
            });
            assert.equal(backend.callsOf("release").length, 1);
            assert.equal(report.stacks[0].result, "failed");
            assert.match(report.stacks[0].message ?? "", /Gave up after 4 attempts/);
        });

        it("retries a locked preview too", async () => {
            const { report, backend } = await run({ dev: { outputs: tokenOutputs(5), locked: 1 } }, { mode: "dry-run" });
            assert.equal(backend.callsOf("preview", "dev").length, 2);
            assert.equal(report.stacks[0].result, "previewed");
        });
    });

    describe("cancellation", () => {
        it("cancels the running update, starts no further stack and exits 130 on SIGINT", async () => {
            const controller = new AbortController();
            const { report, backend, regenerator, exitCode } = await run(
                {
                    first: { outputs: tokenOutputs(5), duringUp: async () => controller.abort("SIGINT") },
                    second: { outputs: tokenOutputs(5) },
                },
                { regenerateUnusedKey: true },
                { controller },
            );
            assert.equal(report.cancelled, true);
            assert.equal(stackReport(report, "first").result, "cancelled");
            assert.equal(stackReport(report, "second").result, "cancelled");
            assert.match(stackReport(report, "second").message ?? "", /not started/);
            assert.equal(backend.callsOf("preview", "second").length, 0);
            assert.deepEqual(regenerator.calls, []);
            assert.equal(exitCode, EXIT_SIGINT);
        });

        it("starts no further gateway of the stack being renewed once cancelled", async () => {
            const controller = new AbortController();
            const north = tokenUnit(5, "secondary", { key: "north", gatewayResourceId: GATEWAY_ID.replace(/gw1$/, "gw2") });
            const { report, backend } = await run(
                {
                    dev: {
                        outputs: contractOutputs({ gateway: tokenUnit(3), north }),
                        duringUp: async () => controller.abort("SIGINT"),
                    },
                },
                {},
                { controller },
            );
            assert.equal(backend.callsOf("preview", "dev").length, 1, "the second gateway is never previewed");
            const second = report.stacks.find((entry) => entry.gateway === "north");
            assert.deepEqual(
                [second?.result, second?.action, second?.message],
                ["cancelled", "none", "not started: the run was cancelled"],
            );
            assert.deepEqual(second?.before, {
                expiresAt: north.tokenExpiresAt,
                renewAfter: north.tokenRenewAfter,
                keyType: "secondary",
                issuedAt: north.tokenIssuedAt,
                checksum: north.tokenChecksum,
            });
        });

        it("stops waiting for a locked stack when cancelled, and exits 143 on SIGTERM", async () => {
            const controller = new AbortController();
            const clock = new FakeClock();
            const backend = new FakeBackend({ dev: { outputs: tokenOutputs(5), locked: 99 } }, clock);
            const sleep = clock.sleep.bind(clock);
            clock.sleep = async (ms, signal) => {
                controller.abort("SIGTERM");
                return sleep(ms, signal);
            };
            const { log } = memoryLogger();
            const report = await runRotation(plan(), {
                backend,
                clock,
                regenerateKey: recordingRegenerator(),
                verifyToken: fakeVerifier(),
                log,
                signal: controller.signal,
                processes: fakeProcesses(),
            });
            assert.equal(backend.callsOf("preview").length, 1);
            assert.equal(report.stacks[0].result, "cancelled");
            assert.equal(exitCodeFor(report, "SIGTERM"), EXIT_SIGTERM);
        });
    });

    describe("output", () => {
        it("streams the engine's output with a [stack/gateway] prefix per line", async () => {
            const { progress } = await run({
                dev: { outputs: tokenOutputs(5), engineLines: ["Updating (dev)", "", "Resources: 2 updated"] },
            });
            assert.match(progress, /^\[dev\/gateway\] Updating \(dev\)$/m);
            assert.match(progress, /^\[dev\/gateway\] Resources: 2 updated$/m);
        });

        it("never prints a token or key: not from outputs, engine output or error messages", async () => {
            const secretOutputs = contractOutputs(
                { gateway: tokenUnit(5, "primary", { gatewayResourceId: PLANTED_RAW }) },
                { token: { secret: false, value: PLANTED_TOKEN } },
            );
            const { report, progress, problems, exitCode } = await run(
                {
                    leaky: { outputs: secretOutputs, engineLines: [`    config.service.auth: ${PLANTED_TOKEN}`, `token ${PLANTED_RAW}`] },
                    failing: {
                        outputs: tokenOutputs(5, "primary", { gatewayResourceId: GATEWAY_ID.replace(/gw1$/, "gw2") }),
                        upError: new Error(`provider error: bad token ${PLANTED_TOKEN}`),
                    },
                },
                { regenerateUnusedKey: true },
                { regenerateError: new Error(`ARM: no gateway ${PLANTED_RAW}`) },
            );
            const leaky = stackReport(report, "leaky");
            assert.equal(leaky.keyRegeneration?.status, "failed", "ARM refuses the planted id");
            const everything = [
                progress,
                problems,
                renderTable(report, exitCode),
                renderJson(report, exitCode),
                renderGithubSummary(report, exitCode),
            ].join("\n");
            assert.ok(!everything.includes("c2VjcmV0LXNpZ25hdHVyZQ"), "a planted secret leaked");
            assert.match(everything, /\[secret\]/);
        });
    });
});
