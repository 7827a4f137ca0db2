import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isRunning } from "../../../rotation/evidence/processIdentity";
import {
    HolderEvidence,
    LockHolder,
    PidState,
    UpdateMarker,
    decideStaleLock,
    describeLockHolders,
    parseLockHolders,
    sameHolders,
} from "../../../rotation/policy/staleLock";
import { HERE, HOST, lockHolder } from "../fakes";

/** The marker a rotation in {@link HERE} recorded for `holder` taking an update of `dev`. */
function markerFor(holder: LockHolder, overrides: Partial<UpdateMarker> = {}): UpdateMarker {
    return {
        stack: "dev",
        pid: holder.pid,
        startTime: "100",
        host: holder.host,
        bootId: HERE.bootId as string,
        pidNamespace: HERE.pidNamespace as string,
        recordedAt: "2025-06-15T11:58:01Z",
        ...overrides,
    };
}

const GONE: PidState = { running: false };
const SAME_PROCESS: PidState = { running: true, startTime: "100" };
const REUSED_PID: PidState = { running: true, startTime: "250" };

interface Row {
    name: string;
    evidence: HolderEvidence[];
    /** The decision without and with --release-stale-locks. */
    release: [boolean, boolean];
    reason: RegExp;
}

const holder = lockHolder(4242);
const sibling = lockHolder(4343);
const TABLE: Row[] = [
    {
        name: "marker from this boot and namespace, process exited",
        evidence: [{ holder, marker: markerFor(holder), now: GONE }],
        release: [true, true],
        reason: /^its lock \(pid 4242 on runner-1 since 2025-06-15T11:58:00Z\) was left by a Pulumi process that is no longer running$/,
    },
    {
        name: "marker, pid reused by a process started later",
        evidence: [{ holder, marker: markerFor(holder), now: REUSED_PID }],
        release: [true, true],
        reason: /no longer running \(pid 4242 now belongs to a process started later\)$/,
    },
    {
        name: "marker, the same process still runs",
        evidence: [{ holder, marker: markerFor(holder), now: SAME_PROCESS }],
        release: [false, false],
        reason: /^pid 4242 on runner-1 is still running$/,
    },
    {
        name: "marker, running, start time unreadable",
        evidence: [{ holder, marker: markerFor(holder), now: { running: true } }],
        release: [false, false],
        reason: /still running/,
    },
    {
        name: "marker from another PID namespace (a sibling container)",
        evidence: [{ holder, marker: markerFor(holder, { pidNamespace: "pid:[4026532999]" }), now: GONE }],
        release: [false, true],
        reason: /no marker shows .* --release-stale-locks/,
    },
    {
        name: "marker from an earlier boot",
        evidence: [{ holder, marker: markerFor(holder, { bootId: "older-boot" }), now: GONE }],
        release: [false, true],
        reason: /no marker shows/,
    },
    {
        name: "marker of another stack",
        evidence: [{ holder, marker: markerFor(holder, { stack: "prod" }), now: GONE }],
        release: [false, true],
        reason: /no marker shows/,
    },
    {
        name: "marker of another pid",
        evidence: [{ holder, marker: markerFor(holder, { pid: 17 }), now: GONE }],
        release: [false, true],
        reason: /no marker shows/,
    },
    {
        name: "no marker, pid not running here (a sibling container may hold it)",
        evidence: [{ holder, now: GONE }],
        release: [false, true],
        reason: new RegExp(
            "^pid 4242 on runner-1 is not running here, but no marker shows it was started by a rotation " +
                String.raw`in this PID namespace and boot .*pass --release-stale-locks or run \`pulumi cancel --stack dev\`$`,
        ),
    },
    {
        name: "no marker, some process has the pid",
        evidence: [{ holder, now: SAME_PROCESS }],
        release: [false, false],
        reason: /^pid 4242 on runner-1 is running$/,
    },
    {
        name: "marker recorded under another host name (same boot and PID namespace), process exited",
        evidence: [{ holder, marker: markerFor(holder, { host: "runner-2" }), now: GONE }],
        release: [false, true],
        reason: /^pid 4242 on runner-1 is not running here, but no marker shows/,
    },
    {
        name: "marker recorded under another host name, the pid now started at another time",
        evidence: [{ holder, marker: markerFor(holder, { host: "runner-2" }), now: REUSED_PID }],
        release: [false, false],
        reason: /^pid 4242 on runner-1 is running$/,
    },
    {
        name: "another host, with a marker this host recorded for its pid",
        evidence: [{ holder: lockHolder(4242, "runner-2"), marker: markerFor(holder), now: GONE }],
        release: [false, false],
        reason: /^pid 4242 on runner-2 ran on another host, whose processes cannot be checked from here$/,
    },
    {
        name: "another host, even with a matching marker",
        evidence: [{ holder: lockHolder(4242, "runner-2"), marker: markerFor(lockHolder(4242, "runner-2")), now: GONE }],
        release: [false, false],
        reason: /^pid 4242 on runner-2 ran on another host/,
    },
    {
        name: "two holders, both proven gone",
        evidence: [
            { holder, marker: markerFor(holder), now: GONE },
            { holder: sibling, marker: markerFor(sibling), now: REUSED_PID },
        ],
        release: [true, true],
        reason: /^its lock \(pid 4242 on runner-1 since .*; pid 4343 on runner-1 since .*\) was left/,
    },
    {
        name: "two holders, both pids reused: both notes",
        evidence: [
            { holder, marker: markerFor(holder), now: REUSED_PID },
            { holder: sibling, marker: markerFor(sibling), now: REUSED_PID },
        ],
        release: [true, true],
        reason: /no longer running \(pid 4242 now belongs to a process started later; pid 4343 now belongs to a process started later\)$/,
    },
    {
        name: "two holders, one still running",
        evidence: [
            { holder, marker: markerFor(holder), now: GONE },
            { holder: sibling, marker: markerFor(sibling), now: SAME_PROCESS },
        ],
        release: [false, false],
        reason: /^pid 4343 on runner-1 is still running$/,
    },
    {
        name: "no holder named (Pulumi Cloud)",
        evidence: [],
        release: [false, false],
        reason: /names no lock holder/,
    },
];

/** What the Pulumi CLI (diy backend) prints for a locked stack, copied from a real run. */
const DIY_LOCKED =
    "error: the stack is currently locked by 2 lock(s). Either wait for the other process(es) to end or delete the lock file " +
    "with `pulumi cancel`.\n" +
    "  file:///tmp/e2e/state/.pulumi/locks/organization/apim-gateway/s1/2a0bc532-3e70-49d6-8ed5-25885e00e037.json?no_tmp_dir=true: " +
    "created by root@vm (pid 31012) at 2026-11-26T15:26:37Z\n" +
    "  azblob://state/.pulumi/locks/organization/apim-gateway/s1/77a1.json: created by svc@build@agent-7 (pid 9) at 2026-11-26T15:27:00Z\n";

describe("stale stack locks", () => {
    it("parses every lock holder the DIY backends list", () => {
        assert.deepEqual(parseLockHolders(DIY_LOCKED), [
            {
                lock:
                    "file:///tmp/e2e/state/.pulumi/locks/organization/apim-gateway" +
                    "/s1/2a0bc532-3e70-49d6-8ed5-25885e00e037.json?no_tmp_dir=true",
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
        assert.equal(
            describeLockHolders(parseLockHolders(DIY_LOCKED)),
            "pid 31012 on vm since 2026-11-26T15:26:37Z; pid 9 on agent-7 since 2026-11-26T15:27:00Z",
        );
    });

    describe("sameHolders: the same locks, file, process, host, user and time, in any order", () => {
        const other = (overrides: Partial<LockHolder>): LockHolder => ({ ...holder, ...overrides });
        const cases: [string, LockHolder[], LockHolder[], boolean][] = [
            ["none and none", [], [], true],
            ["the same two, in another order", [holder, sibling], [sibling, holder], true],
            ["one more", [holder], [holder, sibling], false],
            ["one fewer", [holder, sibling], [holder], false],
            ["one listed twice against two", [holder, holder], [holder, sibling], false],
            ["two against one listed twice", [holder, sibling], [holder, holder], false],
            ["one listed twice against once", [holder, holder], [holder], false],
            ["two, one of them another", [holder, sibling], [holder, other({ pid: 17 })], false],
            ["another lock file", [holder], [other({ lock: `${holder.lock}.2` })], false],
            ["another pid", [holder], [other({ pid: 4243 })], false],
            ["another host", [holder], [other({ host: "runner-2" })], false],
            ["another user", [holder], [other({ user: "root" })], false],
            ["taken at another time", [holder], [other({ createdAt: "2025-06-15T11:59:00Z" })], false],
        ];
        for (const [what, a, b, same] of cases) {
            it(`${what} → ${same ? "same" : "different"}`, () => {
                assert.equal(sameHolders(a, b), same);
                assert.equal(sameHolders(b, a), same);
            });
        }
    });

    it("finds no holder in Pulumi Cloud's conflict message", () => {
        assert.deepEqual(parseLockHolders("error: [409] Conflict: Another update is currently in progress."), []);
    });

    describe("the decision, without and with --release-stale-locks", () => {
        for (const row of TABLE) {
            it(row.name, () => {
                const [without, withFlag] = [false, true].map((flag) => decideStaleLock("dev", row.evidence, HERE, flag));
                assert.equal(without.release, row.release[0], without.reason);
                assert.equal(withFlag.release, row.release[1], withFlag.reason);
                assert.match(without.reason, row.reason);
            });
        }

        it("names the opt-in when it is what released the lock", () => {
            const decision = decideStaleLock("dev", [{ holder, now: GONE }], HERE, true);
            assert.match(
                decision.reason,
                /no longer running \(released on --release-stale-locks: no marker proves pid 4242 ran in this PID namespace\)$/,
            );
        });

        it("proves nothing without procfs (no boot id or PID namespace here)", () => {
            const evidence = [{ holder, marker: markerFor(holder), now: GONE }];
            assert.equal(decideStaleLock("dev", evidence, { hostname: HOST }, false).release, false);
            assert.equal(decideStaleLock("dev", evidence, { hostname: HOST, bootId: HERE.bootId }, false).release, false);
            assert.equal(decideStaleLock("dev", evidence, { hostname: HOST }, true).release, true);
        });
    });

    describe("this machine's liveness check", () => {
        it("sees this process running and an exited, reaped one gone", async () => {
            assert.equal(isRunning(process.pid), true);
            const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
            const pid = child.pid as number;
            // Node emits "exit" once it has reaped the child.
            await new Promise((resolve) => child.once("exit", resolve));
            assert.equal(isRunning(pid), false);
        });

        it("does not count a zombie (exited, not reaped by its parent) as running where /proc says so", async () => {
            // The background job waits for a line on a FIFO that only `cat` writes, and cat runs only once sh has
            // exec'd it: the job exits after that, and cat never reaps it, so it is a zombie whatever the timing.
            const dir = mkdtempSync(join(tmpdir(), "zombie-"));
            const script = 'mkfifo "$1"; read _ < "$1" & echo $!; exec cat > "$1"';
            const parent = spawn("sh", ["-c", script, "sh", join(dir, "go")], { stdio: ["pipe", "pipe", "ignore"] });
            try {
                const zombie = Number(
                    await new Promise<string>((resolve) => parent.stdout.once("data", (chunk: Buffer) => resolve(chunk.toString()))),
                );
                parent.stdin.write("go\n");
                // It becomes a zombie (mocha's timeout guards a job that never does); undefined: no procfs here.
                while ((await isZombie(zombie)) === false) {
                    await new Promise((resolve) => setTimeout(resolve, 10));
                }
                assert.doesNotThrow(() => process.kill(zombie, 0), "signal 0 alone would take the zombie for a live process");
                assert.equal(isRunning(zombie), process.platform !== "linux");
            } finally {
                parent.kill("SIGKILL");
                rmSync(dir, { recursive: true, force: true });
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
