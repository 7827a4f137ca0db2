/** Patience with a locked stack (rotation/run/lockRetries.ts): what the operator is told when a lock is kept. */
import { strict as assert } from "node:assert";
import type { LockHolder } from "../../../rotation/policy/staleLock";
import { StackLockedError } from "../../../rotation/pulumi/stackBackend";
import { withLockRetries } from "../../../rotation/run/lockRetries";
import { FakeClock, FakeProcesses, lockHolder, memoryLogger } from "../fakes";

/** Runs `answers` in turn as the operation (an error is thrown, anything else returned) under the lock retries. */
async function locked(answers: unknown[], processes: FakeProcesses, retries = 1) {
    const { log, problems } = memoryLogger();
    const released: string[] = [];
    let calls = 0;
    const result = withLockRetries(
        {
            stack: "dev",
            policy: { retries, initialDelayMs: 1000, maxDelayMs: 1000 },
            clock: new FakeClock(),
            signal: new AbortController().signal,
            processes,
            releaseStaleLocks: false,
            log: log.forStack("dev/gateway"),
            releaseLock: async () => void released.push("dev"),
        },
        async () => {
            const answer = answers[Math.min(calls++, answers.length - 1)];
            if (answer instanceof Error) {
                throw answer;
            }
            return answer;
        },
    );
    return { result, released, problems, calls: () => calls };
}

const lockedBy = (...holders: LockHolder[]) => new StackLockedError("dev", "held", holders);
/** A probe on which pid 4242's lock is proven stale (a marker of this namespace, the process gone). */
const stale = () => new FakeProcesses([], [4242]);

describe("withLockRetries", () => {
    it("keeps a stale lock where no host-wide mutex exists, and says how to release it", async () => {
        const processes = stale();
        processes.holdStack = async () => "unsupported";
        const { result, released } = await locked([lockedBy(lockHolder(4242))], processes);
        await assert.rejects(result, (error: Error) => {
            assert.match(
                error.message,
                new RegExp(
                    '^stack "dev" is locked by another update: held Gave up after 2 attempts: wait for the other update to ' +
                        String.raw`finish, or, if none is running, release the lock with \`pulumi cancel --stack dev\`\. Not released ` +
                        String.raw`automatically: this platform has no host-wide mutex to release it safely under \(release it with ` +
                        String.raw`\`pulumi cancel\` once no update runs\)\.$`,
                ),
            );
            return true;
        });
        assert.deepEqual(released, []);
    });

    it("keeps a lock whose re-read holders are no longer named", async () => {
        const { result, released } = await locked([lockedBy(lockHolder(4242)), lockedBy()], stale(), 0);
        await assert.rejects(result, /Not released automatically: the lock changed since it was judged \(now held by unnamed holders\)\.$/);
        assert.deepEqual(released, []);
    });

    it("rethrows another failure met while re-reading the holders, unchanged, and frees the stack's mutex", async () => {
        const processes = stale();
        const failure = new Error("the backend went away");
        const { result, released } = await locked([lockedBy(lockHolder(4242)), failure], processes);
        await assert.rejects(result, (error) => error === failure);
        assert.deepEqual(released, []);
        assert.deepEqual(processes.holds, ["hold dev", "free dev"]);
    });

    it("after one release, gives up on a new lock without claiming to have kept the first", async () => {
        const { result, released, problems } = await locked(
            [lockedBy(lockHolder(4242)), lockedBy(lockHolder(4242)), lockedBy(lockHolder(4242))],
            stale(),
            1,
        );
        await assert.rejects(result, (error: Error) => {
            assert.match(error.message, /Gave up after 2 attempts: .*`pulumi cancel --stack dev`\.$/);
            assert.doesNotMatch(error.message, /Not released automatically/);
            return true;
        });
        assert.deepEqual(released, ["dev"]);
        assert.match(problems.text, /stack dev is locked by another update; attempt 2 of 2 in 1s/);
    });

    it("returns what the operation returns, and leaves an error that is not a lock alone", async () => {
        assert.equal(await (await locked(["done"], stale())).result, "done");
        const failure = new Error("forbidden");
        const run = await locked([failure], stale(), 3);
        await assert.rejects(run.result, (error) => error === failure);
        assert.equal(run.calls(), 1, "not retried");
    });
});
