/**
 * Issue 17 §2 on the real engine: two rotation processes started together on one stack that a
 * dead process's lock holds (this host's name, a pid no longer running, released on
 * `--release-stale-locks`), {@link ROUNDS} times (5 by default, as `.ci/run` runs it; `APIM_GW_LOCK_RACE_ROUNDS=20` for
 * the longer proof, docs/tests.md). Both judge the lock stale; the per-stack host mutex, the
 * re-read of the holders and the exact-holders rule let exactly one release it and update: the
 * other never deletes the winner's live lock. Each round: one rotated, one kept its hands off,
 * exactly one new update in the stack's history (every entry counted: the CLI's own listing, paging
 * off, agreeing with the backend's history files), one token issued, no lock and no pending
 * operation left, and the token the `rotated` run reports is the one the state and the deployed
 * Secret hold (no lost write).
 */
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { ROTATION_OUTPUT } from "../../components/contract/rotationContract";
import { authValueDigest, gatewayAuthValue, rawGatewayToken } from "../../components/token/authValue";
import { PROJECT_NAME } from "../../stacks/config";
import { holdStackLock, stackLocks } from "./harness/backendLocks";
import { renderedGateway } from "../../localenv/engine/renderedManifests";
import { explain, jsonReport, stackReport } from "./harness/rotationReport";
import { HistoryEntry, historyArgs, historyFiles } from "./harness/stackHistory";
import { STACK_TYPE, pendingOperations, resourceOfType } from "../../localenv/engine/stackState";
import { TOOLCHAIN_BUILD_TIMEOUT_MS } from "../../localenv/engine/toolchain";
import { ENGINE_TIMEOUT_MS, GatewayStack, World, createWorld } from "../../localenv/engine/world";

/** Rounds by default: enough to catch a race that loses one round in two, within the CI budget. */
const DEFAULT_ROUNDS = 5;
const MAX_ROUNDS = 100;

/** The rounds `APIM_GW_LOCK_RACE_ROUNDS` asks for, or {@link DEFAULT_ROUNDS}; anything else is a usage error. */
function lockRaceRounds(value: string | undefined): number {
    if (value === undefined || value === "") {
        return DEFAULT_ROUNDS;
    }
    const rounds = Number(value);
    if (!/^\d+$/.test(value) || rounds < 1 || rounds > MAX_ROUNDS) {
        throw new Error(
            `APIM_GW_LOCK_RACE_ROUNDS=${JSON.stringify(value)}: set a whole number of rounds from 1 to ${MAX_ROUNDS}, or unset it for ${DEFAULT_ROUNDS}`,
        );
    }
    return rounds;
}

const ROUNDS = lockRaceRounds(process.env.APIM_GW_LOCK_RACE_ROUNDS);
/** Two rotations at once, each a preview and an update, on a shared machine: twice one run's bound. */
const RACE_TIMEOUT_MS = 2 * ENGINE_TIMEOUT_MS;
const ROTATE = ["--stack", "raced", "--force", "--lock-retries", "0", "--release-stale-locks", "--json"];

/** The pid of a process that has exited and been reaped: not running here. */
async function deadPid(): Promise<number> {
    const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
    await new Promise((resolve) => child.once("exit", resolve));
    return child.pid as number;
}

describe("two rotations on one stack with a dead lock, started together: exactly one update", function () {
    this.timeout(ROUNDS * 3 * 60_000);
    let world: World;
    let stack: GatewayStack;

    before(async function () {
        this.timeout(TOOLCHAIN_BUILD_TIMEOUT_MS + 5 * 60_000);
        world = await createWorld();
        stack = await world.deployGatewayStack("raced", "gw1");
    });

    after(async () => {
        await world?.dispose();
    });

    it(`${ROUNDS} rounds: one rotation releases the dead lock and updates, the other leaves the live lock alone`, async () => {
        const history = async () => JSON.parse((await world.pulumi(historyArgs("raced"))).stdout) as HistoryEntry[];
        const files = () => historyFiles(world.project.backendDir, PROJECT_NAME, "raced");
        const locks = () => stackLocks(world.project.backendDir, PROJECT_NAME, "raced");
        /** The longer of each round's two runs, in seconds: the margin left under the harness's timeout. */
        const slowest: number[] = [];
        /** The raw token the deployed Secret holds. */
        const deployedToken = () => rawGatewayToken(renderedGateway(stack.rendered()).authValue);
        for (let round = 1; round <= ROUNDS; round++) {
            holdStackLock(world.project.backendDir, PROJECT_NAME, "raced", await deadPid());
            const updatesBefore = await history();
            const filesBefore = files();
            assert.equal(updatesBefore.length, filesBefore.length, `the CLI lists every history file: ${filesBefore.join(", ")}`);
            // History times are whole seconds.
            const startedAt = Math.floor(Date.now() / 1000) * 1000;
            // Token checks regenerate the live token itself (the same value), and a token repeats an
            // earlier round's when both have one key and one expiry minute (fast rounds): count the
            // distinct values this round issued other than the live one.
            const liveBefore = deployedToken();
            const issuedBefore = world.azure.emulators.arm.issuedTokens.length;
            const [first, second] = await Promise.all([
                world.startRotate(ROTATE, RACE_TIMEOUT_MS).done,
                world.startRotate(ROTATE, RACE_TIMEOUT_MS).done,
            ]).catch((error: Error) => {
                throw new Error(`round ${round}: ${error.message}`);
            });
            const runs = [first, second];
            slowest.push(Math.round(Math.max(first.ms, second.ms) / 1000));
            const reports = runs.map((run) => stackReport(jsonReport(run), "raced"));
            const results = reports.map((report) => report.result);
            const backend =
                `history files (${filesBefore.length} before): ${files().join(", ")}\n` +
                `locks: ${JSON.stringify(locks().map((lock) => lock.content))}`;
            const context = `round ${round}: ${results.join(", ")}\n${backend}\n${runs.map((run) => explain(run, 15)).join("\n---\n")}`;
            assert.deepEqual([...results].sort(), ["failed", "rotated"], context);
            const winner = reports[results.indexOf("rotated")];
            assert.match(reports[results.indexOf("failed")].message ?? "", /locked by another update/, context);
            assert.equal(runs.filter((run) => /releasing it \(pulumi cancel\)/.test(run.stderr)).length, 1, `one release only\n${context}`);

            const updatesAfter = await history();
            assert.equal(updatesAfter.length, updatesBefore.length + 1, `exactly one update\n${context}`);
            assert.equal(updatesAfter.length, files().length, `the CLI lists every history file\n${context}`);
            const [update] = updatesAfter;
            assert.equal(`${update.kind} ${update.result}`, "update succeeded", `the new entry is the update\n${context}`);
            assert.ok(Date.parse(update.startTime) >= startedAt, `the new entry started in this round\n${context}`);
            assert.ok((update.resourceChanges?.update ?? 0) > 0, `the update changed resources: ${JSON.stringify(update)}\n${context}`);

            const issued = [...new Set(world.azure.emulators.arm.issuedTokens.slice(issuedBefore))].filter((token) => token !== liveBefore);
            assert.equal(issued.length, 1, `exactly one token issued\n${context}`);
            assert.deepEqual(locks(), [], "no lock left");
            const state = await world.exportState("raced");
            assert.deepEqual(pendingOperations(state), [], "a valid state: no interrupted operation");
            const units = resourceOfType(state, STACK_TYPE).outputs?.[ROTATION_OUTPUT] as Record<string, { tokenChecksum?: string }>;
            const checksum = authValueDigest(gatewayAuthValue(issued[0]));
            assert.equal(winner.after?.checksum, checksum, `the rotated run reports the one token issued\n${context}`);
            assert.ok(winner.gateway !== undefined, `the rotated run names its gateway\n${context}`);
            assert.equal(units[winner.gateway]?.tokenChecksum, checksum, "the state holds the token the rotated run reports");
            const deployed = deployedToken();
            assert.equal(deployed, issued[0], "the deployed Secret holds the one token issued: no lost write");
            assert.equal(world.azure.emulators.arm.isTokenValid(deployed), true);
        }
        console.log(`      the slower run of each round, seconds: ${slowest.join(" ")}`);
    });
});
