/** Key regeneration for gateways shared by several units (rotation/policy/sharedGateways.ts). */
import { strict as assert } from "node:assert";
import { regenerationVerdict, siblingsToAlign, targetKey } from "../../../rotation/policy/sharedGateways";

describe("shared gateways", () => {
    const member = (label: string, keyType: "primary" | "secondary", rotated = false, uncertain?: string) => ({
        label,
        keyType,
        rotated,
        ...(uncertain ? { uncertain } : {}),
    });

    it("regenerates the other key when every unit holds the key this run moved to", () => {
        assert.deepEqual(regenerationVerdict([member("a/gw", "secondary", true), member("b/gw", "secondary")]), {
            regenerate: "primary",
        });
    });

    it("names the siblings to rotate first: those still on the key to regenerate", () => {
        const members = [member("a/gw", "secondary", true), member("b/gw", "primary"), member("c/gw", "secondary")];
        assert.equal(targetKey(members), "secondary");
        assert.deepEqual(
            siblingsToAlign(members, "secondary").map((m) => m.label),
            ["b/gw"],
        );
    });

    it("sets its target by the rotated units whose key is known", () => {
        const unknownKey = { label: "c/gw", rotated: true, uncertain: "its outputs are unreadable" };
        assert.equal(targetKey([member("a/gw", "secondary", true), unknownKey]), "secondary");
        assert.equal(targetKey([member("a/gw", "secondary", true), member("b/gw", "primary", true)]), undefined);
        assert.equal(targetKey([member("a/gw", "secondary")]), undefined);
    });

    it("does not align a sibling whose live key is uncertain", () => {
        const members = [
            member("a/gw", "secondary", true),
            member("b/gw", "primary", false, "its preview failed"),
            member("c/gw", "primary"),
        ];
        assert.deepEqual(
            siblingsToAlign(members, "secondary").map((m) => m.label),
            ["c/gw"],
        );
    });

    it("names every unit that blocks the regeneration", () => {
        assert.deepEqual(regenerationVerdict([member("a/gw", "secondary", true), member("b/gw", "primary"), member("c/gw", "primary")]), {
            skip: "b/gw, c/gw still hold a token signed with the primary key",
        });
        assert.deepEqual(
            regenerationVerdict([
                member("a/gw", "secondary", true),
                member("b/gw", "primary", false, "its rollout failed"),
                member("c/gw", "primary", false, "its outputs are unreadable"),
            ]),
            {
                skip:
                    "the live key of b/gw (its rollout failed), c/gw (its outputs are unreadable) is not known, " + "so no key was touched",
            },
        );
    });

    it("skips, with the reason, when a sibling still holds the other key, a unit's key is uncertain, or nothing rotated", () => {
        assert.deepEqual(regenerationVerdict([member("a/gw", "secondary", true), member("b/gw", "primary")]), {
            skip: "b/gw still holds a token signed with the primary key",
        });
        assert.match(
            ("skip" in regenerationVerdict([member("a/gw", "secondary", true), member("b/gw", "primary", false, "its rollout failed")]) &&
                (
                    regenerationVerdict([member("a/gw", "secondary", true), member("b/gw", "primary", false, "its rollout failed")]) as {
                        skip: string;
                    }
                ).skip) ||
                "",
            /live key of b\/gw \(its rollout failed\) is not known/,
        );
        assert.match((regenerationVerdict([member("a/gw", "primary")]) as { skip: string }).skip, /nothing was rotated/);
        assert.match(
            (regenerationVerdict([member("a/gw", "secondary", true), member("b/gw", "primary", true)]) as { skip: string }).skip,
            /ended on different keys/,
        );
    });
});
