/** Renewing one unit (rotation/run/unitRunner.ts): each outcome's report, and what the operator reads. */
import { strict as assert } from "node:assert";
import { parseRotationOutput } from "../../../components/contract/rotationContract";
import { EngineOperationError } from "../../../rotation/pulumi/stackBackend";
import { RunnerContext, runUnit } from "../../../rotation/run/unitRunner";
import { DAY, FakeBackend, FakeClock, FakeStackSpec, NOW, TARGETS, fakeProcesses, memoryLogger, tokenOutputs, tokenUnit } from "../fakes";

/** Runs the dev stack's one unit (due in 5 days) once; `tweak` may rewire the backend first. */
async function renew(
    spec: Partial<FakeStackSpec> = {},
    options: { forced?: boolean; dryRun?: boolean; tweak?: (backend: FakeBackend, controller: AbortController) => void } = {},
) {
    const clock = new FakeClock();
    const backend = new FakeBackend({ dev: { outputs: tokenOutputs(5), ...spec } }, clock);
    const controller = new AbortController();
    options.tweak?.(backend, controller);
    const { log, progress, problems } = memoryLogger();
    const context: RunnerContext = {
        backend,
        clock,
        signal: controller.signal,
        processes: fakeProcesses(),
        lockRetry: { retries: 0, initialDelayMs: 1000, maxDelayMs: 1000 },
        releaseStaleLocks: false,
        dryRun: options.dryRun ?? false,
        includePendingChanges: false,
    };
    const [entry] = parseRotationOutput({ gateway: tokenUnit(5) });
    assert.ok(!("error" in entry));
    const outcome = await runUnit(context, {
        stack: "dev",
        unit: entry.unit,
        forced: options.forced ?? false,
        log: log.forStack("dev/gateway"),
        notes: ["carried"],
    });
    return { outcome, progress: progress.text, problems: problems.text, before: entry.unit.token };
}

/** An engine failure with one step and one failure on the token. */
const engineFailure = () =>
    new EngineOperationError("update failed", {
        steps: [{ urn: TARGETS.token, op: "update", paths: [] }],
        failures: [{ urn: TARGETS.token, message: "403 Forbidden" }],
    });

describe("renewing one unit", () => {
    it("says when it runs with a renewal trigger, and what the renewal did", async () => {
        const { outcome, progress } = await renew({}, { forced: true });
        assert.match(
            progress,
            /^\[dev\/gateway\] previewing the renewal \(token, Secret, Deployment and their dependents\) with a renewal trigger$/m,
        );
        const expiresAt = new Date(NOW.getTime() + 30 * DAY).toISOString();
        assert.match(
            progress,
            new RegExp(
                String.raw`^\[dev\/gateway\] rotated: GatewayToken updated, Secret created, Deployment updated, old Secret deleted; ` +
                    `new token signed with the secondary key, expires ${expiresAt}$`,
                "m",
            ),
        );
        assert.deepEqual([outcome.rotated, outcome.keyType, outcome.uncertain], [true, "secondary", undefined]);
        assert.deepEqual(outcome.report.notes, ["carried"]);
        assert.equal(outcome.report.forced, true);
        const unforced = await renew();
        assert.match(unforced.progress, /dependents\)\n/, "no trigger named without one");
    });

    it("says so when the update reports no resource change", async () => {
        const { progress, outcome } = await renew(
            {},
            {
                tweak: (backend) => {
                    const up = backend.up.bind(backend);
                    backend.up = async (name, operation) => ({ ...(await up(name, operation)), record: { steps: [], failures: [] } });
                },
            },
        );
        assert.equal(outcome.report.result, "rotated");
        assert.deepEqual(outcome.report.changes, []);
        assert.match(progress, /rotated: no resource changes reported; new token signed with the secondary key/);
    });

    it("a failed preview: the engine's steps and failures, the live key unchanged", async () => {
        const { outcome, before } = await renew(
            {},
            {
                tweak: (backend) => {
                    backend.preview = async () => {
                        throw engineFailure();
                    };
                },
            },
        );
        assert.deepEqual([outcome.report.action, outcome.report.result, outcome.report.message], ["preview", "failed", "update failed"]);
        assert.deepEqual(outcome.report.changes, ["GatewayToken updated"]);
        assert.deepEqual(outcome.report.failures, [{ urn: TARGETS.token, message: "403 Forbidden" }]);
        assert.deepEqual(outcome.report.notes, ["carried"]);
        assert.deepEqual(outcome.report.before, before);
        assert.deepEqual([outcome.rotated, outcome.keyType, outcome.uncertain], [false, "primary", undefined]);
    });

    it("a failed update: the live key is no longer known; an error without an engine record has no steps", async () => {
        const { outcome } = await renew({ upError: new Error("rollout timed out") });
        assert.deepEqual(
            [outcome.report.action, outcome.report.result, outcome.report.message, outcome.report.changes, outcome.report.failures],
            ["rotate", "failed", "rollout timed out", undefined, undefined],
        );
        assert.deepEqual([outcome.rotated, outcome.keyType, outcome.uncertain], [false, undefined, "its rollout failed"]);
        const withRecord = await renew({ upError: engineFailure() });
        assert.deepEqual(withRecord.outcome.report.changes, ["GatewayToken updated"]);
        const noSteps = await renew({ upError: new EngineOperationError("failed", { steps: [], failures: [] }) });
        assert.deepEqual([noSteps.outcome.report.changes, noSteps.outcome.report.failures], [undefined, undefined]);
    });

    for (const [during, tweak] of [
        [
            "preview",
            (backend: FakeBackend, controller: AbortController) => {
                backend.preview = async () => {
                    controller.abort("SIGINT");
                    throw new Error("interrupted");
                };
            },
        ],
        [
            "update",
            (backend: FakeBackend, controller: AbortController) => {
                backend.stacks.dev.duringUp = async () => controller.abort("SIGTERM");
            },
        ],
    ] as const) {
        it(`cancelled during the ${during}: says the engine stopped cleanly`, async () => {
            const { outcome } = await renew({}, { tweak });
            assert.equal(outcome.report.result, "cancelled");
            assert.equal(outcome.report.message, `cancelled during the ${during}: the engine was interrupted and stopped cleanly`);
        });
    }

    it("a dry run previews only", async () => {
        const { outcome } = await renew({}, { dryRun: true });
        assert.deepEqual(
            [outcome.report.action, outcome.report.result, outcome.rotated, outcome.keyType],
            ["preview", "previewed", false, "primary"],
        );
        assert.deepEqual(outcome.report.notes, ["carried"]);
        assert.equal(outcome.report.pendingChanges, undefined, "no empty pending changes");
    });
});
