/** The run over fleets and shared gateways: concurrency, urgency, shards, the guard, invalidated tokens, several gateways per stack. */
import { strict as assert } from "node:assert";
import { RENEWAL_TRIGGER_ENV } from "../../../components/contract/rotationContract";
import { ARM_THROTTLED } from "../../../components/token/errors";
import { EngineOperationError } from "../../../rotation/pulumi/stackBackend";
import type { TokenValidity } from "../../../rotation/policy/tokenRules";
import { exitCodeFor, EXIT_FAILED, EXIT_OK } from "../../../rotation/command/exitCodes";
import { RotationPlan, runRotation } from "../../../rotation/run/orchestrator";
import { RunReport } from "../../../rotation/model/runReport";
import { inShard, shardOf } from "../../../rotation/policy/shard";
import {
    DAY,
    FakeBackend,
    FakeClock,
    FakeStackSpec,
    GATEWAY_ID,
    NOW,
    contractOutputs,
    fakeProcesses,
    fakeVerifier,
    memoryLogger,
    plan,
    recordingRegenerator,
    targetsOf,
    tokenOutputs,
    tokenUnit,
} from "../fakes";

async function run(
    stacks: Record<string, FakeStackSpec>,
    overrides: Partial<RotationPlan> = {},
    validity?: (key: string, gatewayResourceId: string) => TokenValidity,
) {
    const clock = new FakeClock();
    const backend = new FakeBackend(stacks, clock);
    const regenerator = recordingRegenerator();
    const { log, progress } = memoryLogger();
    const report: RunReport = await runRotation(plan(overrides), {
        backend,
        clock,
        regenerateKey: regenerator,
        verifyToken: fakeVerifier(validity),
        log,
        signal: new AbortController().signal,
        processes: fakeProcesses(),
    });
    return { report, backend, regenerator, progress: progress.text, exitCode: exitCodeFor(report) };
}

const results = (report: RunReport) =>
    report.stacks.map((entry) => [entry.gateway ? `${entry.stack}/${entry.gateway}` : entry.stack, entry.result]);
const other = GATEWAY_ID.replace(/gw1$/, "gw2");
const image = (stack: string) => ({
    urn: targetsOf("gateway", stack).deployment,
    op: "update",
    paths: ["spec.template.spec.containers[0].image"],
});

describe("rotation over fleets and shared gateways", () => {
    describe("concurrency and order", () => {
        const fleet = (): Record<string, FakeStackSpec> =>
            Object.fromEntries(
                Array.from({ length: 8 }, (_, index) => [
                    `site-${index}`,
                    { outputs: tokenOutputs(index % 2 === 0 ? 5 : 3, "primary", { gatewayResourceId: `${GATEWAY_ID}-${index}` }) },
                ]),
            );

        it("keeps up to --concurrency stacks in flight, never more", async () => {
            const four = await run(fleet(), { concurrency: 4 });
            assert.equal(four.backend.maxInFlight, 4);
            assert.ok(four.report.stacks.every((entry) => entry.result === "rotated"));
            const one = await run(fleet(), { concurrency: 1 });
            assert.equal(one.backend.maxInFlight, 1);
        });

        it("renews the most urgent first (expired, then earliest renewAfter), and reports in selection order", async () => {
            const stacks: Record<string, FakeStackSpec> = {
                later: { outputs: tokenOutputs(8, "primary", { gatewayResourceId: `${GATEWAY_ID}-a` }) },
                expired: { outputs: tokenOutputs(-1, "primary", { gatewayResourceId: `${GATEWAY_ID}-b` }) },
                sooner: { outputs: tokenOutputs(2, "primary", { gatewayResourceId: `${GATEWAY_ID}-c` }) },
                fresh: { outputs: tokenOutputs(25, "primary", { gatewayResourceId: `${GATEWAY_ID}-d` }) },
            };
            const { report, backend } = await run(stacks, { concurrency: 1 });
            assert.deepEqual(
                backend.callsOf("up").map((call) => call.stack),
                ["expired", "sooner", "later"],
            );
            assert.deepEqual(results(report), [
                ["later/gateway", "rotated"],
                ["expired/gateway", "rotated"],
                ["sooner/gateway", "rotated"],
                ["fresh/gateway", "not-due"],
            ]);
        });

        it("agrees with the component at the window's edge: due an hour ago is renewed, due in an hour is left alone", async () => {
            const edge = (hours: number) => {
                const renewAfter = new Date(NOW.getTime() + hours * 3_600_000);
                return {
                    tokenRenewAfter: renewAfter.toISOString(),
                    tokenExpiresAt: new Date(renewAfter.getTime() + 10 * DAY).toISOString(),
                };
            };
            const { report, backend } = await run({
                justDue: { outputs: tokenOutputs(10, "primary", { gatewayResourceId: `${GATEWAY_ID}-a`, ...edge(-1) }) },
                almostDue: { outputs: tokenOutputs(10, "primary", { gatewayResourceId: `${GATEWAY_ID}-b`, ...edge(1) }) },
            });
            assert.deepEqual(results(report), [
                ["justDue/gateway", "rotated"],
                ["almostDue/gateway", "not-due"],
            ]);
            assert.deepEqual(
                backend.callsOf("up").map((call) => call.stack),
                ["justDue"],
            );
        });

        it("orders due tokens by when they became due, not by when they expire (renewal windows differ)", async () => {
            const renewedBefore = (expiresInDays: number, windowDays: number) => {
                const expiresAt = new Date(NOW.getTime() + expiresInDays * DAY);
                return {
                    tokenExpiresAt: expiresAt.toISOString(),
                    tokenRenewAfter: new Date(expiresAt.getTime() - windowDays * DAY).toISOString(),
                };
            };
            const stacks: Record<string, FakeStackSpec> = {
                // Expires first, but became due only a day ago (a 5-day window).
                narrow: { outputs: tokenOutputs(4, "primary", { gatewayResourceId: `${GATEWAY_ID}-a`, ...renewedBefore(4, 5) }) },
                // Expires later, but has been due for 12 days (a 20-day window).
                wide: { outputs: tokenOutputs(8, "primary", { gatewayResourceId: `${GATEWAY_ID}-b`, ...renewedBefore(8, 20) }) },
            };
            const { backend } = await run(stacks, { concurrency: 1 });
            assert.deepEqual(
                backend.callsOf("up").map((call) => call.stack),
                ["wide", "narrow"],
            );
        });

        it("a stack's gateways run one at a time, each with its own targets", async () => {
            const west = tokenUnit(5, "primary", { key: "west" });
            const north = tokenUnit(3, "secondary", { key: "north", gatewayResourceId: other });
            const { report, backend } = await run({ platform: { outputs: contractOutputs({ west, north }) } }, { concurrency: 4 });
            assert.equal(backend.maxInFlight, 1, "one operation at a time on one stack");
            assert.deepEqual(
                backend.callsOf("up").map((call) => call.targets?.[0]),
                [targetsOf("north").token, targetsOf("west").token],
                "north expires sooner",
            );
            assert.deepEqual(results(report), [
                ["platform/north", "rotated"],
                ["platform/west", "rotated"],
            ]);
            assert.equal(report.stacks[0].after?.keyType, "primary");
            assert.equal(report.stacks[1].after?.keyType, "secondary");
        });
    });

    describe("ARM throttling", () => {
        const throttled = () =>
            new EngineOperationError("pulumi failed", {
                steps: [],
                failures: [
                    {
                        urn: targetsOf().token,
                        message: `${ARM_THROTTLED} generateToken on gateway gw1 (429 TooManyRequests) after the client's retries`,
                    },
                ],
            });

        it("repeats a unit whose token request ARM kept throttling, after a backoff, instead of failing it", async () => {
            const clock = new FakeClock();
            const backend = new FakeBackend({ dev: { outputs: tokenOutputs(5), upErrors: [throttled(), throttled()] } }, clock);
            const { log, problems } = memoryLogger();
            const report = await runRotation(plan(), {
                backend,
                clock,
                regenerateKey: recordingRegenerator(),
                verifyToken: fakeVerifier(),
                log,
                signal: new AbortController().signal,
                processes: fakeProcesses(),
            });
            assert.equal(report.stacks[0].result, "rotated");
            assert.equal(backend.callsOf("up").length, 3);
            assert.deepEqual(clock.sleeps, [30_000, 60_000]);
            assert.match(problems.text, /ARM is throttling the token requests; attempt 2 in 30s/);
        });

        it("does not repeat other failures", async () => {
            const { report, backend } = await run({ dev: { outputs: tokenOutputs(5), upErrors: [new Error("forbidden")] } });
            assert.equal(report.stacks[0].result, "failed");
            assert.equal(backend.callsOf("up").length, 1);
        });
    });

    describe("--shard K/N", () => {
        const names = Array.from({ length: 60 }, (_, index) => `site-${index}`);

        it("covers every stack exactly once across the N shards, stably", () => {
            for (const count of [1, 2, 3, 7]) {
                const shards = Array.from({ length: count }, (_, index) => inShard(names, { index: index + 1, count }));
                assert.deepEqual(shards.flat().sort(), [...names].sort(), `N=${count}`);
                assert.ok(count === 1 || shards.every((shard) => shard.length > 0), `N=${count}: no empty shard for 60 stacks`);
            }
            // The partition is a contract between the N jobs of a matrix, across versions: the first four
            // bytes of the name's SHA-256, big-endian, modulo N, plus one. Expected values worked out
            // outside the code under test (e.g. site-7: c0d01eaf = 3234864815).
            const known: [string, number, number][] = [
                ["site-7", 4, 4],
                ["site-7", 7, 1],
                ["site-7", 1000, 816],
                ["west", 3, 3],
                ["north", 7, 7],
                ["site-42", 3, 1],
                ["prod", 1000, 223],
            ];
            assert.deepEqual(
                known.map(([name, count]) => shardOf(name, count)),
                known.map(([, , shard]) => shard),
            );
            assert.deepEqual(
                inShard([...names].reverse(), { index: 2, count: 3 }),
                inShard(names, { index: 2, count: 3 }).reverse(),
                "independent of list order",
            );
        });

        it("processes only its shard of --all", async () => {
            const stacks = Object.fromEntries(names.slice(0, 10).map((name) => [name, { outputs: tokenOutputs(25) }]));
            const { report } = await run(stacks, { mode: "check", shard: { index: 1, count: 2 } });
            assert.deepEqual(
                report.stacks.map((entry) => entry.stack),
                ["site-0", "site-2", "site-4", "site-6", "site-8", "site-9"],
            );
        });
    });

    describe("--shard K/N with --regenerate-unused-key", () => {
        // By name, west falls in shard 1 of 2 and north in shard 2; as siblings both go where
        // "north" (the smaller name) hashes: shard 2.
        const id = (name: string) => GATEWAY_ID.replace(/gw1$/, name);
        const fleet = (extra: Record<string, FakeStackSpec> = {}): Record<string, FakeStackSpec> => ({
            west: { outputs: tokenOutputs(5) },
            north: { outputs: tokenOutputs(25) },
            solo: { outputs: tokenOutputs(5, "primary", { gatewayResourceId: id("solo") }) },
            east: { outputs: tokenOutputs(5, "primary", { gatewayResourceId: id("east") }) },
            ...extra,
        });
        const shards = (stacks: () => Record<string, FakeStackSpec>, overrides: Partial<RotationPlan> = {}) =>
            Promise.all([1, 2].map((index) => run(stacks(), { regenerateUnusedKey: true, shard: { index, count: 2 }, ...overrides })));

        it(
            "puts a gateway's stacks in one shard, which aligns the sibling " +
                "and regenerates; together the shards rotate each stack once",
            async () => {
                assert.deepEqual(
                    [shardOf("west", 2), shardOf("north", 2), shardOf("solo", 2), shardOf("east", 2)],
                    [1, 2, 1, 2],
                    "the names hash as this test assumes",
                );
                const [first, second] = await shards(fleet);
                assert.deepEqual(results(first.report), [["solo/gateway", "rotated"]]);
                assert.deepEqual(results(second.report), [
                    ["west/gateway", "rotated"],
                    ["north/gateway", "rotated"],
                    ["east/gateway", "rotated"],
                ]);
                assert.deepEqual(first.regenerator.calls, [{ gatewayResourceId: id("solo"), keyType: "primary" }]);
                assert.deepEqual(
                    [...second.regenerator.calls].sort((a, b) => a.gatewayResourceId.localeCompare(b.gatewayResourceId)),
                    [
                        { gatewayResourceId: id("east"), keyType: "primary" },
                        { gatewayResourceId: GATEWAY_ID, keyType: "primary" },
                    ],
                );
                assert.match((second.report.stacks[1].notes ?? []).join(), /so the primary key of the shared gateway can be regenerated/);
                for (const shard of [first, second]) {
                    assert.deepEqual(
                        shard.backend
                            .callsOf("outputs")
                            .map((call) => call.stack)
                            .sort(),
                        ["east", "north", "solo", "west"],
                        "each shard reads every stack's outputs",
                    );
                    assert.equal(shard.exitCode, EXIT_OK);
                }
                assert.deepEqual([...first.backend.callsOf("up"), ...second.backend.callsOf("up")].map((call) => call.stack).sort(), [
                    "east",
                    "north",
                    "solo",
                    "west",
                ]);
                assert.match(second.progress, /shard 2\/2: 3 of 4 stacks, the stacks of each gateway kept together/);
            },
        );

        it("with named stacks, groups them by every stack of the backend and aligns an unnamed sibling in the same shard", async () => {
            const [first, second] = await shards(fleet, { stacks: { all: false, names: ["west", "solo"] } });
            assert.deepEqual(results(first.report), [["solo/gateway", "rotated"]]);
            assert.deepEqual(results(second.report), [
                ["west/gateway", "rotated"],
                ["north/gateway", "rotated"],
            ]);
            assert.deepEqual(second.regenerator.calls, [{ gatewayResourceId: GATEWAY_ID, keyType: "primary" }]);
            assert.equal(first.backend.callsOf("up", "north").length + first.backend.callsOf("up", "west").length, 0);
        });

        it("touches no key in any shard while a stack of the backend cannot be read", async () => {
            const withBroken = () => fleet({ broken: { outputs: tokenOutputs(25), outputsError: new Error("passphrase is wrong") } });
            for (const shard of await shards(withBroken)) {
                assert.deepEqual(shard.regenerator.calls, []);
                const rotated = shard.report.stacks.filter((entry) => entry.result === "rotated");
                assert.ok(rotated.length > 0);
                for (const entry of rotated) {
                    assert.match(entry.keyRegeneration?.reason ?? "", /gateways of broken are unknown \(passphrase is wrong\)/);
                }
            }
        });

        it("touches no key when the backend's stacks cannot be listed, sharded or not", async () => {
            for (const shard of [{ shard: { index: 1, count: 2 } }, {}]) {
                const clock = new FakeClock();
                const backend = new FakeBackend(fleet(), clock);
                backend.listError = new Error("backend unreachable");
                const regenerator = recordingRegenerator();
                const report = await runRotation(plan({ stacks: { all: false, names: ["solo"] }, regenerateUnusedKey: true, ...shard }), {
                    backend,
                    clock,
                    regenerateKey: regenerator,
                    verifyToken: fakeVerifier(),
                    log: memoryLogger().log,
                    signal: new AbortController().signal,
                    processes: fakeProcesses(),
                });
                assert.deepEqual(results(report), [["solo/gateway", "rotated"]]);
                assert.deepEqual(regenerator.calls, [], JSON.stringify(shard));
                assert.match(report.stacks[0].keyRegeneration?.reason ?? "", /stacks could not be listed/);
                assert.match(report.errors.join(), /could not list the project's stacks: backend unreachable/);
            }
        });

        it("without regeneration a shard reads only its own stacks, by name", async () => {
            const { report, backend } = await run(fleet(), { shard: { index: 1, count: 2 } });
            assert.deepEqual(results(report), [
                ["west/gateway", "rotated"],
                ["solo/gateway", "rotated"],
            ]);
            assert.deepEqual(
                backend.callsOf("outputs").map((call) => call.stack),
                ["west", "solo"],
            );
        });
    });

    describe("the pending-changes guard in a run", () => {
        it("blocks a rotation whose preview shows an image change: nothing updated, exit 1", async () => {
            const { report, backend, exitCode } = await run({ dev: { outputs: tokenOutputs(5), extraSteps: [image("dev")] } });
            assert.equal(backend.callsOf("up").length, 0);
            const [dev] = report.stacks;
            assert.equal(dev.result, "blocked");
            assert.deepEqual(dev.pendingChanges, [image("dev")]);
            assert.match(
                dev.message ?? "",
                /^blocked: pending changes: Deployment gateway \(update\): spec\.template\.spec\.containers\[0\]\.image/,
            );
            assert.equal(exitCode, EXIT_FAILED);
        });

        it("lets it through with --include-pending-changes and says so", async () => {
            const { report, backend, exitCode } = await run(
                { dev: { outputs: tokenOutputs(5), extraSteps: [image("dev")] } },
                { includePendingChanges: true },
            );
            assert.equal(backend.callsOf("up").length, 1);
            const [dev] = report.stacks;
            assert.equal(dev.result, "rotated");
            assert.deepEqual(dev.pendingChanges, [image("dev")]);
            assert.match((dev.notes ?? []).join(), /pending changes applied as well \(--include-pending-changes\)/);
            assert.equal(exitCode, EXIT_OK);
        });

        it("a dry run reports the block too", async () => {
            const { report, backend } = await run({ dev: { outputs: tokenOutputs(5), extraSteps: [image("dev")] } }, { mode: "dry-run" });
            assert.equal(backend.callsOf("up").length, 0);
            assert.equal(report.stacks[0].result, "blocked");
        });
    });

    describe("invalidated tokens", () => {
        const regenerated = (key: string): TokenValidity =>
            key === "gateway"
                ? { state: "invalid", reason: "the primary key that signed the token was regenerated after it was issued" }
                : { state: "valid" };

        it("--check reports a fresh token whose key was regenerated as invalidated, exit 1", async () => {
            const { report, exitCode } = await run({ dev: { outputs: tokenOutputs(25) } }, { mode: "check" }, regenerated);
            assert.equal(report.stacks[0].result, "invalidated");
            assert.match(report.stacks[0].message ?? "", /regenerated after it was issued.*--force/);
            assert.equal(exitCode, EXIT_FAILED);
        });

        it("a rotation renews it at once, with a renewal trigger", async () => {
            const { report, backend } = await run({ dev: { outputs: tokenOutputs(25) } }, {}, regenerated);
            assert.equal(report.stacks[0].result, "rotated");
            assert.ok(backend.callsOf("up")[0].env?.[RENEWAL_TRIGGER_ENV]);
        });

        it("notes a token whose validity could not be verified, without failing it", async () => {
            const { report, exitCode } = await run({ dev: { outputs: tokenOutputs(25) } }, { mode: "check" }, () => ({
                state: "unknown",
                reason: "no Azure credential",
            }));
            assert.equal(report.stacks[0].result, "fresh");
            assert.deepEqual(report.stacks[0].notes, ["validity not verified: no Azure credential"]);
            assert.equal(exitCode, EXIT_OK);
        });
    });

    describe("shared gateways (--regenerate-unused-key)", () => {
        it("rotates the sibling still on the old key in the same run, then regenerates it: both units valid", async () => {
            const { report, regenerator, backend, exitCode } = await run(
                {
                    west: { outputs: contractOutputs({ gateway: tokenUnit(5, "primary", { key: "gateway" }) }) },
                    north: { outputs: contractOutputs({ gateway: tokenUnit(25, "primary") }) },
                },
                { stacks: { all: false, names: ["west"] }, regenerateUnusedKey: true },
            );
            assert.deepEqual(
                backend.callsOf("up").map((call) => call.stack),
                ["west", "north"],
            );
            assert.ok(backend.callsOf("up", "north")[0].env?.[RENEWAL_TRIGGER_ENV], "the fresh sibling is renewed with a trigger");
            assert.deepEqual(regenerator.calls, [{ gatewayResourceId: GATEWAY_ID, keyType: "primary" }]);
            assert.deepEqual(results(report), [
                ["west/gateway", "rotated"],
                ["north/gateway", "rotated"],
            ]);
            assert.match((report.stacks[1].notes ?? []).join(), /so the primary key of the shared gateway can be regenerated/);
            for (const entry of report.stacks) {
                assert.equal(entry.after?.keyType, "secondary");
                assert.deepEqual(entry.keyRegeneration, { status: "regenerated", keyType: "primary" });
            }
            assert.equal(exitCode, EXIT_OK);
        });

        it("aligns a sibling on the secondary key too, naming the key it regenerates", async () => {
            const { report, regenerator } = await run(
                {
                    west: { outputs: contractOutputs({ gateway: tokenUnit(5, "secondary") }) },
                    north: { outputs: contractOutputs({ gateway: tokenUnit(25, "secondary") }) },
                },
                { regenerateUnusedKey: true },
            );
            assert.deepEqual(regenerator.calls, [{ gatewayResourceId: GATEWAY_ID, keyType: "secondary" }]);
            assert.deepEqual(report.stacks[1].notes, [
                "rotated so the secondary key of the shared gateway can be regenerated: every unit of it must hold a token " +
                    "signed with the primary key",
            ]);
        });

        it(
            "one gateway however the stacks spell its id (resource group and provider in another case, a trailing slash): the " +
                "sibling is aligned and the key regenerated once",
            async () => {
                const respelt = `${GATEWAY_ID.replace("/resourceGroups/rg1/", "/resourceGroups/RG1/").replace(
                    "Microsoft.ApiManagement",
                    "microsoft.apimanagement",
                )}/`;
                const { report, regenerator, backend, exitCode } = await run(
                    {
                        west: { outputs: contractOutputs({ gateway: tokenUnit(5, "primary", { key: "gateway" }) }) },
                        north: { outputs: contractOutputs({ gateway: tokenUnit(25, "primary", { gatewayResourceId: respelt }) }) },
                    },
                    { regenerateUnusedKey: true },
                );
                assert.deepEqual(
                    backend
                        .callsOf("up")
                        .map((call) => call.stack)
                        .sort(),
                    ["north", "west"],
                );
                assert.deepEqual(regenerator.calls, [{ gatewayResourceId: GATEWAY_ID, keyType: "primary" }]);
                for (const entry of report.stacks) {
                    assert.equal(entry.after?.keyType, "secondary", entry.stack);
                    assert.deepEqual(entry.keyRegeneration, { status: "regenerated", keyType: "primary" }, entry.stack);
                }
                assert.equal(exitCode, EXIT_OK);
            },
        );

        it("skips the regeneration, naming the sibling, when the sibling's rotation is blocked", async () => {
            const { report, regenerator, exitCode } = await run(
                {
                    west: { outputs: tokenOutputs(5) },
                    north: { outputs: tokenOutputs(25), extraSteps: [image("north")] },
                },
                { regenerateUnusedKey: true },
            );
            assert.deepEqual(regenerator.calls, []);
            assert.deepEqual(results(report), [
                ["west/gateway", "rotated"],
                ["north/gateway", "blocked"],
            ]);
            assert.deepEqual(report.stacks[0].keyRegeneration, {
                status: "skipped",
                reason: "north/gateway still holds a token signed with the primary key",
            });
            assert.equal(exitCode, EXIT_FAILED);
        });

        it("touches no key while a stack of the backend cannot be read", async () => {
            const { report, regenerator } = await run(
                {
                    west: { outputs: tokenOutputs(5) },
                    broken: { outputs: tokenOutputs(25), outputsError: new Error("passphrase is wrong") },
                },
                { stacks: { all: false, names: ["west"] }, regenerateUnusedKey: true },
            );
            assert.deepEqual(regenerator.calls, []);
            assert.match(report.stacks[0].keyRegeneration?.reason ?? "", /gateways of broken are unknown/);
        });
    });
});
