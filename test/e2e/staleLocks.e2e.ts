/**
 * Issue 8 §5 on the real engine: a lock whose holder names this host and a pid that is not
 * running here, but that no rotation in this PID namespace recorded (as a sibling container's
 * update would leave it), is not released automatically; `--release-stale-locks` releases it.
 * (Scenario 8 of rotation.e2e.ts covers the other side: a rotation killed mid-update, whose
 * marker lets the next run release its lock at once.)
 */
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { hostname } from "node:os";
import { PROJECT_NAME } from "../../stacks/config";
import { holdStackLock, stackLocks } from "./harness/backendLocks";
import { explain, jsonReport, stackReport } from "./harness/rotationReport";
import { TOOLCHAIN_BUILD_TIMEOUT_MS } from "../../localenv/engine/toolchain";
import { World, createWorld } from "../../localenv/engine/world";

/** The pid of a process that has exited and been reaped: not running here. */
async function deadPid(): Promise<number> {
    const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
    await new Promise((resolve) => child.once("exit", resolve));
    return child.pid as number;
}

describe("stale locks on the real engine: released only on evidence or on --release-stale-locks", function () {
    this.timeout(5 * 60_000);
    let world: World;

    before(async function () {
        this.timeout(TOOLCHAIN_BUILD_TIMEOUT_MS + 5 * 60_000);
        world = await createWorld();
        await world.deployGatewayStack("locked", "gw1");
    });

    after(async () => {
        await world?.dispose();
    });

    it("a lock of this host's name and a dead pid, no marker from this namespace: kept without the flag, released with it", async () => {
        const pid = await deadPid();
        const release = holdStackLock(world.project.backendDir, PROJECT_NAME, "locked", pid);
        try {
            const kept = await world.rotate(["--stack", "locked", "--force", "--lock-retries", "0", "--json"]);
            assert.equal(kept.code, 1, explain(kept));
            const report = stackReport(jsonReport(kept), "locked");
            assert.equal(report.result, "failed");
            assert.match(
                report.message ?? "",
                new RegExp(
                    `Held by pid ${pid} on ${hostname()} since .* Not released ` +
                        `automatically: pid ${pid} on ${hostname()} is not running here, ` +
                        "but no marker shows it was started by a rotation in this PID namespace and boot .* pass --release-stale-locks",
                ),
            );
            assert.doesNotMatch(kept.stderr, /releasing it/);
            assert.equal(stackLocks(world.project.backendDir, PROJECT_NAME, "locked").length, 1, "the lock is still there");
        } catch (error) {
            release();
            throw error;
        }

        const released = await world.rotate(["--stack", "locked", "--force", "--lock-retries", "0", "--release-stale-locks", "--json"]);
        assert.equal(released.code, 0, explain(released));
        assert.match(
            released.stderr,
            new RegExp(
                `its lock \\(pid ${pid} on .*\\) was left by a Pulumi process that is no longer ` +
                    `running \\(released on --release-stale-locks: .*\\); releasing it \\(pulumi cancel\\)`,
            ),
        );
        assert.equal(stackReport(jsonReport(released), "locked").result, "rotated");
        assert.deepEqual(stackLocks(world.project.backendDir, PROJECT_NAME, "locked"), []);
    });
});
