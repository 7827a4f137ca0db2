/** The fleet's work pool and urgency order (rotation/run/scheduler.ts), table-driven. */
import { strict as assert } from "node:assert";
import { byUrgency, runPool } from "../../../rotation/run/scheduler";

describe("the fleet scheduler", () => {
    describe("byUrgency: lexicographic on the key tuple, ties in the given order", () => {
        const table: { what: string; items: [string, number[]][]; expected: string[] }[] = [
            {
                what: "the first element decides",
                items: [
                    ["b", [2, 0]],
                    ["a", [1, 9]],
                ],
                expected: ["a", "b"],
            },
            {
                what: "the second breaks a tie of the first",
                items: [
                    ["b", [1, 2]],
                    ["a", [1, 1]],
                ],
                expected: ["a", "b"],
            },
            {
                what: "a full tie keeps the given order",
                items: [
                    ["x", [1, 1]],
                    ["y", [1, 1]],
                    ["z", [0, 5]],
                ],
                expected: ["z", "x", "y"],
            },
            {
                what: "a missing element counts as 0",
                items: [
                    ["long", [1, 1]],
                    ["short", [1]],
                ],
                expected: ["short", "long"],
            },
            {
                what: "a missing element below a negative one",
                items: [
                    ["short", [1]],
                    ["negative", [1, -1]],
                ],
                expected: ["negative", "short"],
            },
            {
                what: "NaN compares equal and the next element decides",
                items: [
                    ["b", [Number.NaN, 2]],
                    ["a", [1, 1]],
                ],
                expected: ["a", "b"],
            },
            { what: "no items", items: [], expected: [] },
        ];
        for (const { what, items, expected } of table) {
            it(what, () => {
                assert.deepEqual(
                    byUrgency(items, ([, key]) => key).map(([name]) => name),
                    expected,
                );
            });
        }
    });

    describe("runPool", () => {
        /** Runs `count` tasks that each wait a tick, recording the most in flight at once. */
        async function pool(count: number, concurrency: number) {
            let inFlight = 0;
            let most = 0;
            const started: number[] = [];
            const results = await runPool(
                Array.from({ length: count }, (_, index) => index),
                concurrency,
                async (item) => {
                    started.push(item);
                    inFlight++;
                    most = Math.max(most, inFlight);
                    await new Promise((resolve) => setImmediate(resolve));
                    inFlight--;
                    return item * 10;
                },
                () => -1,
                new AbortController().signal,
            );
            return { results, most, started };
        }

        it("keeps at most N tasks in flight, starts them in order and returns results in input order", async () => {
            const { results, most, started } = await pool(5, 2);
            assert.deepEqual(results, [0, 10, 20, 30, 40]);
            assert.deepEqual(started, [0, 1, 2, 3, 4]);
            assert.equal(most, 2);
        });

        it("runs everything at once when N exceeds the items, and one at a time when N is below 1", async () => {
            assert.equal((await pool(3, 64)).most, 3);
            for (const concurrency of [0, -3]) {
                const { results, most } = await pool(3, concurrency);
                assert.deepEqual([results, most], [[0, 10, 20], 1], String(concurrency));
            }
        });

        it("gives an empty list no worker", async () => {
            assert.deepEqual(
                await runPool(
                    [],
                    4,
                    async () => assert.fail("no task"),
                    () => assert.fail("no skip"),
                    new AbortController().signal,
                ),
                [],
            );
        });

        it("once aborted, gives the items not yet started to skipped()", async () => {
            const controller = new AbortController();
            const results = await runPool(
                ["a", "b", "c"],
                1,
                async (item) => {
                    if (item === "a") {
                        controller.abort("SIGINT");
                    }
                    return `ran ${item}`;
                },
                (item) => `skipped ${item}`,
                controller.signal,
            );
            assert.deepEqual(results, ["ran a", "skipped b", "skipped c"]);
        });
    });
});
