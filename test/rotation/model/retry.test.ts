/** Retrying a transiently failing operation with capped exponential backoff (rotation/model/retry.ts). */
import { strict as assert } from "node:assert";
import { RetryNotice, backoffDelay, withRetries } from "../../../rotation/model/retry";

class Transient extends Error {}

describe("retry", () => {
    const policy = { retries: 3, initialDelayMs: 100, maxDelayMs: 250 };

    it("doubles the delay and caps it", () => {
        assert.deepEqual(
            [1, 2, 3, 4].map((retry) => backoffDelay(policy, retry)),
            [100, 200, 250, 250],
        );
    });

    it("retries retryable errors until success", async () => {
        const sleeps: number[] = [];
        const notices: RetryNotice[] = [];
        let attempts = 0;
        const value = await withRetries(
            async () => {
                attempts++;
                if (attempts < 3) {
                    throw new Transient("busy");
                }
                return "done";
            },
            (error) => error instanceof Transient,
            policy,
            async (ms) => {
                sleeps.push(ms);
            },
            (notice) => notices.push(notice),
        );
        assert.equal(value, "done");
        assert.deepEqual(sleeps, [100, 200]);
        assert.deepEqual(
            notices.map((notice) => [notice.nextAttempt, notice.totalAttempts]),
            [
                [2, 4],
                [3, 4],
            ],
        );
    });

    it("rethrows the last error when the retries are used up", async () => {
        let attempts = 0;
        await assert.rejects(
            withRetries(
                async () => {
                    attempts++;
                    throw new Transient(`busy ${attempts}`);
                },
                () => true,
                policy,
                async () => undefined,
                () => undefined,
            ),
            /busy 4/,
        );
        assert.equal(attempts, 4);
    });

    it("does not retry other errors", async () => {
        let attempts = 0;
        await assert.rejects(
            withRetries(
                async () => {
                    attempts++;
                    throw new Error("fatal");
                },
                (error) => error instanceof Transient,
                policy,
                async () => undefined,
                () => undefined,
            ),
            /fatal/,
        );
        assert.equal(attempts, 1);
    });
});
