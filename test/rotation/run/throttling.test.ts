/** ARM throttling across a fleet (rotation/run/throttling.ts): what counts as throttling, and the backoff. */
import { strict as assert } from "node:assert";
import { ARM_THROTTLED } from "../../../components/token/errors";
import { EngineOperationError } from "../../../rotation/pulumi/stackBackend";
import { isThrottled, withThrottleRetries } from "../../../rotation/run/throttling";

const engineFailure = (...messages: string[]) =>
    new EngineOperationError("pulumi failed", { steps: [], failures: messages.map((message) => ({ urn: "urn:x", message })) });

describe("ARM throttling", () => {
    const table: [string, unknown, boolean][] = [
        ["an update whose GatewayToken ARM kept throttling", engineFailure("other", `${ARM_THROTTLED} generateToken (429)`), true],
        ["an update that failed otherwise", engineFailure("forbidden"), false],
        ["an update with no failure", engineFailure(), false],
        ["an update failure that carries a 429 status", Object.assign(engineFailure("forbidden"), { statusCode: 429 }), false],
        ["a direct ARM call answered 429", Object.assign(new Error("Too Many Requests"), { statusCode: 429 }), true],
        ["a direct ARM call answered 500", Object.assign(new Error("Internal"), { statusCode: 500 }), false],
        ["an error without a status", new Error(`${ARM_THROTTLED} as text only`), false],
        ["undefined", undefined, false],
    ];
    for (const [what, error, expected] of table) {
        it(`${expected ? "retries" : "does not retry"} ${what}`, () => assert.equal(isThrottled(error), expected));
    }

    it("waits 30 s, 60 s, 120 s and 240 s, announcing each retry, then gives up", async () => {
        const sleeps: number[] = [];
        const retries: [number, number][] = [];
        let calls = 0;
        const throttled = Object.assign(new Error("429"), { statusCode: 429 });
        await assert.rejects(
            withThrottleRetries(
                async () => {
                    calls++;
                    throw throttled;
                },
                async (ms) => void sleeps.push(ms),
                (ms, attempt) => retries.push([ms, attempt]),
            ),
            (error) => error === throttled,
        );
        assert.equal(calls, 5);
        assert.deepEqual(sleeps, [30_000, 60_000, 120_000, 240_000]);
        assert.deepEqual(retries, [
            [30_000, 2],
            [60_000, 3],
            [120_000, 4],
            [240_000, 5],
        ]);
    });
});
