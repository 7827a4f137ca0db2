/** The evidence behind stale-lock decisions, recorded and read through this machine's procfs. */
import { strict as assert } from "node:assert";
import { ChildProcess, spawn } from "node:child_process";
import { chmodSync, chownSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import * as path from "node:path";
import { bootId, pidNamespace, processStartTime } from "../../../rotation/evidence/processIdentity";
import { LockHolder, UpdateMarker } from "../../../rotation/policy/staleLock";
import { createProcessProbe, isPulumiCommandOn, judgeLock, localProcessFacts, markerDir } from "../../../rotation/evidence/updateMarkers";

/** A child of this process whose command line reads `pulumi ... --stack <stack>`, as the Automation API starts it. */
function fakePulumi(stack: string): ChildProcess {
    return spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)", "--", "up", "--yes", "--stack", stack], {
        argv0: "pulumi",
        stdio: "ignore",
    });
}

/**
 * Whether `child`'s command line in procfs already reads `pulumi ... --stack <stack>` (spawn returns
 * before the exec): tracking started after that scans it at once, before trackUpdate returns.
 */
function started(child: ChildProcess, stack: string): boolean {
    try {
        return isPulumiCommandOn(readFileSync(`/proc/${child.pid}/cmdline`, "utf8").split("\0").filter(Boolean), stack);
    } catch {
        return false;
    }
}

async function until(condition: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!condition()) {
        assert.ok(Date.now() < deadline, what);
        await new Promise((resolve) => setTimeout(resolve, 20));
    }
}

function holderOf(pid: number): LockHolder {
    return {
        lock: `file:///state/.pulumi/locks/organization/p/dev/${pid}.json`,
        user: "runner",
        host: hostname(),
        pid,
        createdAt: "2026-01-01T10:00:00Z",
    };
}

const killed = (child: ChildProcess) =>
    new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGKILL");
    });

describe("update markers (procfs)", () => {
    let dir: string;
    const children: ChildProcess[] = [];
    beforeEach(() => {
        dir = mkdtempSync(path.join(tmpdir(), "update-markers-"));
    });
    afterEach(() => {
        children.splice(0).forEach((child) => child.kill("SIGKILL"));
        rmSync(dir, { recursive: true, force: true });
    });

    it("reads this boot and PID namespace", () => {
        assert.match(bootId() ?? "", /^[0-9a-f-]{36}$/);
        assert.match(pidNamespace() ?? "", /^pid:\[\d+\]$/);
        assert.match(processStartTime(process.pid) ?? "", /^\d+$/);
        assert.deepEqual(localProcessFacts().here, { hostname: hostname(), bootId: bootId(), pidNamespace: pidNamespace() });
    });

    it("recognises the Pulumi command of a stack", () => {
        assert.ok(isPulumiCommandOn(["/opt/pulumi/bin/pulumi", "up", "--stack", "dev"], "dev"));
        assert.ok(isPulumiCommandOn(["pulumi", "preview", "--stack=org/apim-gateway/dev"], "dev"));
        assert.ok(isPulumiCommandOn(["pulumi", "up", "-s", "dev"], "dev"));
        assert.ok(!isPulumiCommandOn(["pulumi", "up", "--stack", "dev2"], "dev"));
        assert.ok(!isPulumiCommandOn(["pulumi-language-nodejs", "--stack", "dev"], "dev"));
        assert.ok(!isPulumiCommandOn(["node", "x.js", "--stack", "dev"], "dev"));
        assert.ok(!isPulumiCommandOn(["pulumi", "up", "--stack"], "dev"));
    });

    it("a run killed mid-update leaves the evidence its successor in this namespace releases the lock by", async () => {
        const probe = createProcessProbe(dir);
        const other = fakePulumi("prod");
        const update = fakePulumi("dev");
        children.push(other, update);
        await until(() => started(other, "prod") && started(update, "dev"), "both Pulumi processes started");
        const tracking = probe.trackUpdate("dev");
        const files = readdirSync(dir);
        assert.equal(files.length, 1, "only the process working on dev");
        const marker = JSON.parse(readFileSync(path.join(dir, files[0]), "utf8")) as UpdateMarker;
        assert.deepEqual(
            { ...marker, recordedAt: "" },
            {
                stack: "dev",
                pid: update.pid,
                startTime: processStartTime(update.pid as number),
                host: hostname(),
                bootId: bootId(),
                pidNamespace: pidNamespace(),
                recordedAt: "",
            },
        );

        const holders = [holderOf(update.pid as number)];
        assert.deepEqual(judgeLock("dev", holders, probe, false), {
            release: false,
            reason: `pid ${update.pid} on ${hostname()} is still running`,
        });
        assert.equal(judgeLock("dev", holders, probe, true).release, false, "a live holder is never released");

        // The job is killed: the Pulumi process dies and nothing stops the tracking.
        await killed(update);
        assert.equal(judgeLock("dev", holders, probe, false).release, true);
        assert.equal(judgeLock("prod", holders, probe, false).release, false, "the marker is for dev only");
        tracking.stop();
        assert.deepEqual(readdirSync(dir), [], "an update that ends removes its markers");
        assert.equal(judgeLock("dev", holders, probe, false).release, false, "no evidence left");
        assert.equal(judgeLock("dev", holders, probe, true).release, true, "the operator's opt-in");
    });

    it("a container sharing the host name and the marker directory, in another PID namespace, never releases the lock", async () => {
        const facts = localProcessFacts();
        const sibling = createProcessProbe(dir, { ...facts, here: { ...facts.here, pidNamespace: "pid:[1]" } });
        const update = fakePulumi("dev");
        children.push(update);
        const tracking = sibling.trackUpdate("dev");
        await until(() => readdirSync(dir).length === 1, "recorded by the sibling");
        await killed(update);
        const holders = [holderOf(update.pid as number)];
        assert.equal(judgeLock("dev", holders, sibling, false).release, true, "the sibling itself may release it");
        const here = createProcessProbe(dir);
        assert.equal(here.evidence(holders)[0].marker, undefined, "another namespace's marker is not even read");
        assert.equal(judgeLock("dev", holders, here, false).release, false);
        tracking.stop();
    });

    it("believes a marker only when this user owns it, in a directory closed to others, read without following a link", async () => {
        const probe = createProcessProbe(dir);
        const update = fakePulumi("dev");
        children.push(update);
        const tracking = probe.trackUpdate("dev");
        await until(() => readdirSync(dir).length === 1, "recorded");
        await killed(update);
        const holders = [holderOf(update.pid as number)];
        const file = path.join(dir, readdirSync(dir)[0]);
        assert.equal(judgeLock("dev", holders, probe, false).release, true, "the genuine marker");

        const elsewhere = mkdtempSync(path.join(tmpdir(), "planted-"));
        try {
            renameSync(file, path.join(elsewhere, "marker.json"));
            symlinkSync(path.join(elsewhere, "marker.json"), file);
            assert.equal(judgeLock("dev", holders, probe, false).release, false, "a symbolic link in the marker's place");
            rmSync(file);
            renameSync(path.join(elsewhere, "marker.json"), file);

            chownSync(file, 4242, 4242);
            assert.equal(judgeLock("dev", holders, probe, false).release, false, "a marker another user owns");
            chownSync(file, process.getuid!(), process.getgid!());
            assert.equal(judgeLock("dev", holders, probe, false).release, true);

            chmodSync(dir, 0o777);
            assert.equal(judgeLock("dev", holders, probe, false).release, false, "a marker directory others can write to");
            chmodSync(dir, 0o700);

            // A link planted where a marker is about to be written is not written through.
            const next = fakePulumi("dev");
            children.push(next);
            const target = path.join(elsewhere, "victim");
            writeFileSync(target, "untouched");
            symlinkSync(target, file.replace(/-\d+\.json$/, `-${next.pid}.json`));
            await until(() => started(next, "dev"), "the next Pulumi process started");
            probe.trackUpdate("dev").stop();
            assert.equal(readFileSync(target, "utf8"), "untouched");
        } finally {
            tracking.stop();
            rmSync(elsewhere, { recursive: true, force: true });
        }
    });

    it("forgets the markers of a released lock", async () => {
        const probe = createProcessProbe(dir);
        const update = fakePulumi("dev");
        children.push(update);
        const tracking = probe.trackUpdate("dev");
        await until(() => readdirSync(dir).length === 1, "recorded");
        tracking.stop();
        assert.deepEqual(readdirSync(dir), []);
        const killedRun = probe.trackUpdate("dev");
        await until(() => readdirSync(dir).length === 1, "recorded again");
        probe.forget([holderOf(update.pid as number)]);
        assert.deepEqual(readdirSync(dir), []);
        killedRun.stop();
    });

    it("keeps markers under PULUMI_HOME", () => {
        assert.equal(markerDir({ PULUMI_HOME: "/p" }), "/p/apim-gateway-rotate/updates");
        assert.ok(markerDir({}).endsWith(path.join(".pulumi", "apim-gateway-rotate", "updates")));
    });
});
