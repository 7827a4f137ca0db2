/**
 * Issue 17 §2 on the real engine: two rotation processes started together on one stack that a
 * dead process's lock holds (this host's name, a pid no longer running, released on
 * `--release-stale-locks`), 20 times. Both judge the lock stale; the per-stack host mutex, the
 * re-read of the holders and the exact-holders rule let exactly one release it and update: the
 * other never deletes the winner's live lock. Each round: one rotated, one kept its hands off,
 * one update in the stack's history, one token issued, no lock and no pending operation left,
 * and the deployed Secret holds the token the state says (no lost write).
 */
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { PROJECT_NAME } from "../../stacks/config";
import { holdStackLock, stackLocks } from "./harness/backendLocks";
import { renderedGateway } from "../../localenv/engine/renderedManifests";
import { explain, jsonReport, stackReport } from "./harness/rotationReport";
import { pendingOperations } from "../../localenv/engine/stackState";
import { TOOLCHAIN_BUILD_TIMEOUT_MS } from "../../localenv/engine/toolchain";
import { GatewayStack, World, createWorld } from "../../localenv/engine/world";

const ROUNDS = 20;
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
        const history = async () =>
            (JSON.parse((await world.pulumi(["stack", "history", "--stack", "raced", "--json"])).stdout) as unknown[]).length;
        for (let round = 1; round <= ROUNDS; round++) {
            holdStackLock(world.project.backendDir, PROJECT_NAME, "raced", await deadPid());
            const updatesBefore = await history();
            // Token checks regenerate the live token itself (the same value): count distinct values.
            const tokensBefore = new Set(world.azure.emulators.arm.issuedTokens);
            const [first, second] = await Promise.all([world.startRotate(ROTATE).done, world.startRotate(ROTATE).done]);
            const runs = [first, second];
            const results = runs.map((run) => stackReport(jsonReport(run), "raced").result);
            const context = `round ${round}: ${results.join(", ")}\n${runs.map((run) => explain(run, 15)).join("\n---\n")}`;
            assert.deepEqual([...results].sort(), ["failed", "rotated"], context);
            const loser = runs[results.indexOf("failed")];
            assert.match(stackReport(jsonReport(loser), "raced").message ?? "", /locked by another update/, context);
            assert.equal(runs.filter((run) => /releasing it \(pulumi cancel\)/.test(run.stderr)).length, 1, `one release only\n${context}`);
            assert.equal(await history(), updatesBefore + 1, `exactly one update\n${context}`);
            const issued = [...new Set(world.azure.emulators.arm.issuedTokens)].filter((token) => !tokensBefore.has(token));
            assert.equal(issued.length, 1, `exactly one token issued\n${context}`);
            assert.deepEqual(stackLocks(world.project.backendDir, PROJECT_NAME, "raced"), [], "no lock left");
            const state = await world.exportState("raced");
            assert.deepEqual(pendingOperations(state), [], "a valid state: no interrupted operation");
            const deployed = renderedGateway(stack.rendered()).authValue.replace(/^GatewayKey /, "");
            assert.equal(deployed, issued[0], "the deployed Secret holds the one token issued: no lost write");
            assert.equal(world.azure.emulators.arm.isTokenValid(deployed), true);
        }
    });
});
