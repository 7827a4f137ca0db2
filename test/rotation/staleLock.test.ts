import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { hostname } from "node:os";
import { LockHolder, describeLockHolders, localProcessProbe, parseLockHolders, staleLockReason } from "../../rotation/staleLock";
import { HOST, fakeProcesses, lockHolder } from "./fakes";

/** What the Pulumi CLI (diy backend) prints for a locked stack, copied from a real run. */
const DIY_LOCKED =
    "error: the stack is currently locked by 2 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.\n" +
    "  file:///tmp/e2e/state/.pulumi/locks/organization/apim-gateway/s1/2a0bc532-3e70-49d6-8ed5-25885e00e037.json?no_tmp_dir=true: created by root@vm (pid 31012) at 2026-11-26T15:26:37Z\n" +
    "  azblob://state/.pulumi/locks/organization/apim-gateway/s1/77a1.json: created by svc@build@agent-7 (pid 9) at 2026-11-26T15:27:00Z\n";

describe("stale stack locks", () => {
    it("parses every lock holder the DIY backends list", () => {
        assert.deepEqual(parseLockHolders(DIY_LOCKED), [
            {
                lock: "file:///tmp/e2e/state/.pulumi/locks/organization/apim-gateway/s1/2a0bc532-3e70-49d6-8ed5-25885e00e037.json?no_tmp_dir=true",
                user: "root",
                host: "vm",
                pid: 31012,
                createdAt: "2026-11-26T15:26:37Z",
            },
            {
                lock: "azblob://state/.pulumi/locks/organization/apim-gateway/s1/77a1.json",
                user: "svc@build",
                host: "agent-7",
                pid: 9,
                createdAt: "2026-11-26T15:27:00Z",
            },
        ]);
        assert.equal(describeLockHolders(parseLockHolders(DIY_LOCKED)), "pid 31012 on vm since 2026-11-26T15:26:37Z; pid 9 on agent-7 since 2026-11-26T15:27:00Z");
    });

    it("finds no holder in Pulumi Cloud's conflict message", () => {
        assert.deepEqual(parseLockHolders("error: [409] Conflict: Another update is currently in progress."), []);
    });

    it("calls a lock stale only when every holder ran on this host and none still runs", () => {
        const dead: LockHolder = lockHolder(10);
        assert.match(staleLockReason([dead], fakeProcesses()) ?? "", /^its lock \(pid 10 on runner-1 since .*\) was left by a Pulumi process that is no longer running$/);
        assert.ok(staleLockReason([dead, lockHolder(11)], fakeProcesses()));
        assert.equal(staleLockReason([dead], fakeProcesses([10])), undefined, "the holder still runs");
        assert.equal(staleLockReason([lockHolder(10, "runner-2")], fakeProcesses()), undefined, "another host cannot be probed");
        assert.equal(staleLockReason([dead, lockHolder(11)], fakeProcesses([11])), undefined, "one live holder keeps the lock");
        assert.equal(staleLockReason([], fakeProcesses()), undefined, "no named holder proves nothing");
        assert.equal(HOST, fakeProcesses().hostname);
    });

    describe("this machine's process probe", () => {
        it("names the host as the Pulumi CLI records it", () => {
            assert.equal(localProcessProbe.hostname, hostname());
        });

        it("sees this process running and an exited, reaped one gone", async () => {
            assert.equal(localProcessProbe.isRunning(process.pid), true);
            const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
            const pid = child.pid as number;
            await new Promise((resolve) => child.once("exit", resolve));
            await new Promise((resolve) => setTimeout(resolve, 50));
            assert.equal(localProcessProbe.isRunning(pid), false);
        });

        it("does not count a zombie (exited, not reaped by its parent) as running where /proc says so", async () => {
            // The background job exits after sh has exec'd `sleep`, which never reaps it: a zombie.
            const parent = spawn("sh", ["-c", "sleep 0.3 & echo $!; exec sleep 10"], { stdio: ["ignore", "pipe", "ignore"] });
            try {
                const zombie = Number(await new Promise<string>((resolve) => parent.stdout.once("data", (chunk: Buffer) => resolve(chunk.toString()))));
                const deadline = Date.now() + 5000;
                while ((await isZombie(zombie)) === false) {
                    assert.ok(Date.now() < deadline, "the background job became a zombie");
                    await new Promise((resolve) => setTimeout(resolve, 20));
                }
                assert.doesNotThrow(() => process.kill(zombie, 0), "signal 0 alone would take the zombie for a live process");
                assert.equal(localProcessProbe.isRunning(zombie), process.platform !== "linux");
            } finally {
                parent.kill("SIGKILL");
            }
        });
    });
});

/** Whether procfs shows `pid` as a zombie; undefined without procfs. */
async function isZombie(pid: number): Promise<boolean | undefined> {
    const { readFile } = await import("node:fs/promises");
    try {
        const stat = await readFile(`/proc/${pid}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
    } catch {
        return undefined;
    }
}
