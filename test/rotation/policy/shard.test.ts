/** `--shard K/N`, alone and with `--regenerate-unused-key`: the stacks of one gateway stay in one shard. */
import { strict as assert } from "node:assert";
import { MAX_SHARDS, StackGateways, gatewayGroups, inGroupedShard, parseShard, shardOf } from "../../../rotation/policy/shard";

const gw = (name: string) => `/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim/gateways/${name}`;
const stack = (name: string, ...gateways: string[]): StackGateways => ({ stack: name, gatewayResourceIds: gateways.map(gw) });

/**
 * A fleet: 40 sites with a gateway each, every fourth pair of sites sharing one; two platform
 * stacks running three gateways each, so they link otherwise unrelated sites; a stack with no gateway.
 */
function fleet(): StackGateways[] {
    const sites = Array.from({ length: 40 }, (_, index) =>
        stack(`site-${index}`, index % 4 === 0 ? `pair-${index}` : index % 4 === 1 ? `pair-${index - 1}` : `site-${index}`),
    );
    return [
        ...sites,
        stack("platform-a", "site-2", "site-7", "platform-a"),
        stack("platform-b", "platform-a", "site-11", "pair-20"),
        stack("empty"),
    ];
}

/** Every group of the fleet's stacks that share gateways (computed independently of gatewayGroups: by gateway id, then merged). */
function siblingsOf(stacks: readonly StackGateways[], name: string): Set<string> {
    const found = new Set([name]);
    let grew = true;
    while (grew) {
        grew = false;
        const ids = new Set(stacks.filter((entry) => found.has(entry.stack)).flatMap((entry) => entry.gatewayResourceIds));
        for (const entry of stacks) {
            if (!found.has(entry.stack) && entry.gatewayResourceIds.some((id) => ids.has(id))) {
                found.add(entry.stack);
                grew = true;
            }
        }
    }
    return found;
}

describe("--shard", () => {
    describe("parseShard: K/N, each from 1", () => {
        const shapeError = (text: string) => ({ error: `--shard must be K/N (e.g. 2/4), got "${text}"` });
        const countError = (text: string) => ({ error: `--shard ${text}: N must be from 1 to ${MAX_SHARDS}` });
        const indexError = (text: string, count: number) => ({
            error: `--shard ${text}: K must be from 1 to N (${count}); shards are numbered from 1`,
        });
        const cases: [string, ReturnType<typeof parseShard>][] = [
            ["2/4", { index: 2, count: 4 }],
            ["1/1", { index: 1, count: 1 }],
            ["4/4", { index: 4, count: 4 }],
            ["12/40", { index: 12, count: 40 }],
            [" 3/5\n", { index: 3, count: 5 }],
            [`1/${MAX_SHARDS}`, { index: 1, count: MAX_SHARDS }],
            ["", shapeError("")],
            ["x2/4", shapeError("x2/4")],
            ["2/4x", shapeError("2/4x")],
            ["2/", shapeError("2/")],
            ["-1/4", shapeError("-1/4")],
            ["1/0", countError("1/0")],
            [`1/${MAX_SHARDS + 1}`, countError(`1/${MAX_SHARDS + 1}`)],
            ["0/4", indexError("0/4", 4)],
            ["5/4", indexError("5/4", 4)],
        ];
        for (const [text, expected] of cases) {
            it(`${JSON.stringify(text)} → ${"error" in expected ? expected.error : `shard ${expected.index} of ${expected.count}`}`, () =>
                assert.deepEqual(parseShard(text), expected));
        }
    });

    describe("gatewayGroups: stacks linked by shared gateways", () => {
        const cases: { name: string; stacks: StackGateways[]; groups: string[][] }[] = [
            { name: "no stacks", stacks: [], groups: [] },
            { name: "no sharing", stacks: [stack("b", "1"), stack("a", "2")], groups: [["a"], ["b"]] },
            {
                name: "two stacks, one gateway",
                stacks: [stack("west", "g"), stack("north", "g"), stack("solo", "h")],
                groups: [["north", "west"], ["solo"]],
            },
            {
                name: "a platform stack links two gateways' stacks",
                stacks: [stack("x", "g1"), stack("platform", "g1", "g2"), stack("y", "g2"), stack("z", "g3")],
                groups: [["platform", "x", "y"], ["z"]],
            },
            {
                name: "a chain, listed in an order that only links at the end",
                stacks: [stack("a", "1"), stack("c", "2"), stack("e", "3"), stack("d", "2", "3"), stack("b", "1", "3")],
                groups: [["a", "b", "c", "d", "e"]],
            },
            {
                name: "a stack without gateways is its own group",
                stacks: [stack("empty"), stack("dev", "g")],
                groups: [["dev"], ["empty"]],
            },
            { name: "one gateway listed twice in a stack", stacks: [stack("p", "g", "g"), stack("q", "g")], groups: [["p", "q"]] },
            {
                name: "one gateway spelt in another case or with a trailing slash (ARM ids are case-insensitive)",
                stacks: [
                    { stack: "west", gatewayResourceIds: [gw("g")] },
                    {
                        stack: "north",
                        gatewayResourceIds: [
                            gw("g").replace("resourceGroups/rg/", "resourceGroups/RG/").replace("gateways/g", "Gateways/G"),
                        ],
                    },
                    { stack: "east", gatewayResourceIds: [`${gw("g")}/`] },
                ],
                groups: [["east", "north", "west"]],
            },
            {
                name: "names in code-unit order, not locale order",
                stacks: [stack("b", "g"), stack("B", "g"), stack("a", "g")],
                groups: [["B", "a", "b"]],
            },
        ];
        for (const { name, stacks, groups } of cases) {
            it(name, () => assert.deepEqual(gatewayGroups(stacks), groups));
        }

        it("matches a brute-force closure over the fleet, each stack in exactly one group", () => {
            const stacks = fleet();
            const groups = gatewayGroups(stacks);
            assert.deepEqual(groups.flat().sort(), stacks.map((entry) => entry.stack).sort());
            for (const group of groups) {
                assert.deepEqual(group, [...siblingsOf(stacks, group[0])].sort(), group.join());
            }
            assert.ok(
                groups.some((group) => group.length >= 6),
                "the platform stacks join several pairs into one group",
            );
        });
    });

    describe("inGroupedShard", () => {
        const stacks = fleet();
        const names = stacks.map((entry) => entry.stack);

        it("covers every stack exactly once for K = 1..N, N = 1..12", () => {
            for (let count = 1; count <= 12; count++) {
                const shards = Array.from({ length: count }, (_, index) => inGroupedShard(names, stacks, { index: index + 1, count }));
                assert.deepEqual(shards.flat().sort(), [...names].sort(), `N=${count}`);
            }
        });

        it("keeps every stack's siblings in its shard", () => {
            for (const count of [2, 3, 5, 8]) {
                for (let index = 1; index <= count; index++) {
                    const shard = new Set(inGroupedShard(names, stacks, { index, count }));
                    for (const name of shard) {
                        for (const sibling of siblingsOf(stacks, name)) {
                            assert.ok(
                                shard.has(sibling),
                                `N=${count}: ${sibling} shares a gateway with ${name} but is not in shard ${index}`,
                            );
                        }
                    }
                }
            }
        });

        it("puts a stack that shares no gateway where its name hashes, as without regeneration", () => {
            // Shards of N = 2, 4, 7 by the name's SHA-256 (first four bytes, big-endian, mod N, plus
            // one), worked out outside the code under test.
            const byName: Record<string, number[]> = { "site-3": [2, 4, 1], "site-6": [1, 1, 7], empty: [1, 3, 1] };
            for (const [name, expected] of Object.entries(byName)) {
                assert.equal(siblingsOf(stacks, name).size, 1);
                [2, 4, 7].forEach((count, i) => {
                    assert.deepEqual(inGroupedShard([name], stacks, { index: expected[i], count }), [name], `${name}, N=${count}`);
                    assert.equal(shardOf(name, count), expected[i], `${name}, N=${count}: as without regeneration`);
                });
            }
        });

        it("moves no stack when an unrelated stack is added, or one that joins an existing group by a larger name", () => {
            const before = (count: number) =>
                new Map(
                    names.map((name) => [
                        name,
                        Array.from({ length: count }, (_, i) => i + 1).find(
                            (index) => inGroupedShard([name], stacks, { index, count }).length === 1,
                        ),
                    ]),
                );
            for (const added of [stack("zz-new", "brand-new"), stack("zz-joins", "pair-8")]) {
                const grown = [...stacks, added];
                for (const count of [2, 3, 6]) {
                    const old = before(count);
                    for (const name of names) {
                        assert.deepEqual(
                            inGroupedShard([name], grown, { index: old.get(name)!, count }),
                            [name],
                            `N=${count}: ${name} stayed after adding ${added.stack}`,
                        );
                    }
                }
            }
        });

        it("is independent of the order the backend lists the stacks in, and keeps the given order", () => {
            const reversed = [...stacks].reverse();
            for (let index = 1; index <= 3; index++) {
                const shard = { index, count: 3 };
                assert.deepEqual(inGroupedShard(names, reversed, shard), inGroupedShard(names, stacks, shard));
                assert.deepEqual(inGroupedShard([...names].reverse(), stacks, shard), inGroupedShard(names, stacks, shard).reverse());
            }
        });

        it("places a stack it knows no gateways of (not found, unreadable) by its own name", () => {
            assert.deepEqual(
                inGroupedShard(["ghost"], stacks, { index: 1, count: 5 }),
                ["ghost"],
                'by its name: sha256("ghost") starts ead6ef03, shard 1 of 5',
            );
        });

        it("without a shard, keeps every stack", () => assert.deepEqual(inGroupedShard(names, stacks, undefined), names));
    });
});
