/** This host's per-stack mutex for releasing stale locks (rotation/evidence/hostMutex.ts), on the real kernel. */
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mutexName, tryHoldHostMutex } from "../../../rotation/evidence/hostMutex";
import type { HostHold } from "../../../rotation/policy/staleLock";

const held = (hold: HostHold | string): HostHold => {
    assert.equal(typeof hold, "object", `expected to hold the mutex, got ${String(hold)}`);
    return hold as HostHold;
};

describe("host mutex per stack", () => {
    it("is held by one holder at a time, and free again once released", async () => {
        const key = `dev-${randomUUID()}`;
        const first = held(await tryHoldHostMutex(key));
        assert.equal(await tryHoldHostMutex(key), "held");
        assert.equal(typeof (await tryHoldHostMutex(`${key}-other`)), "object", "another stack's is separate");
        await first.release();
        await held(await tryHoldHostMutex(key)).release();
    });

    it("is freed by the kernel when its holder is killed: a killed rotation never leaves it held", async () => {
        const key = `dev-${randomUUID()}`;
        const child = spawn(
            process.execPath,
            ["-e", `require("node:net").createServer().listen({ path: ${JSON.stringify(mutexName(key))} }, () => console.log("held"))`],
            { stdio: ["ignore", "pipe", "inherit"] },
        );
        await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
        assert.equal(await tryHoldHostMutex(key), "held", "another process holds it");
        await new Promise<void>((resolve) => {
            child.once("exit", () => resolve());
            child.kill("SIGKILL");
        });
        await held(await tryHoldHostMutex(key)).release();
    });

    it("is unsupported without abstract sockets (not Linux): nothing is released automatically there", async () => {
        assert.equal(await tryHoldHostMutex("dev", "darwin"), "unsupported");
    });
});
