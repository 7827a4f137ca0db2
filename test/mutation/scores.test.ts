import * as assert from "node:assert/strict";
import { importersOf } from "./importers";
import { folderScore, meetsGoal, type MutantStatus, type ScoredMutant } from "./scores";

const mutants = (fileName: string, statuses: MutantStatus[]): ScoredMutant[] => statuses.map((status) => ({ fileName, status }));

describe("mutation scores", () => {
    const cases: { name: string; mutants: ScoredMutant[]; score: number | undefined; meets: boolean }[] = [
        { name: "all killed", mutants: mutants("rotation/policy/a.ts", ["Killed", "Timeout"]), score: 100, meets: true },
        {
            name: "no coverage counts as survived",
            mutants: mutants("rotation/policy/a.ts", [...Array<MutantStatus>(9).fill("Killed"), "NoCoverage"]),
            score: 90,
            meets: true,
        },
        {
            name: "one short of the goal",
            mutants: mutants("rotation/policy/a.ts", [...Array<MutantStatus>(8).fill("Killed"), "Survived", "NoCoverage"]),
            score: 80,
            meets: false,
        },
        {
            name: "compile and runtime errors and ignored mutants are not scored",
            mutants: mutants("rotation/policy/a.ts", ["Killed", "CompileError", "RuntimeError", "Ignored"]),
            score: 100,
            meets: true,
        },
        {
            name: "nothing scored fails the goal",
            mutants: mutants("rotation/policy/a.ts", ["CompileError"]),
            score: undefined,
            meets: false,
        },
        {
            name: "another folder's mutants, and a folder whose name extends this one's, are not counted",
            mutants: [
                ...mutants("rotation/report/a.ts", ["Survived"]),
                ...mutants("rotation/policyX/a.ts", ["Survived"]),
                ...mutants("rotation/policy/b.ts", ["Killed"]),
            ],
            score: 100,
            meets: true,
        },
        { name: "Windows separators", mutants: mutants("rotation\\policy\\a.ts", ["Survived"]), score: 0, meets: false },
    ];
    for (const c of cases) {
        it(c.name, () => {
            const score = folderScore("rotation/policy", c.mutants);
            assert.equal(score.score, c.score);
            assert.equal(meetsGoal(score, 90), c.meets);
        });
    }

    it("counts each status where it belongs", () => {
        const score = folderScore(
            "rotation/policy/",
            mutants("rotation/policy/a.ts", ["Killed", "Timeout", "Survived", "NoCoverage", "CompileError"]),
        );
        assert.deepEqual(score, { folder: "rotation/policy/", killed: 2, survived: 1, noCoverage: 1, invalid: 1, score: 50 });
    });
});

describe("the tests that judge a folder", () => {
    const tests = new Map([
        ["test/rotation/policy/decision.test.ts", 'import { decide } from "../../../rotation/policy/decision";'],
        ["test/rotation/run/fleet.test.ts", 'import type { X } from "../../../rotation/policy/shard";\nimport { y } from "../fakes";'],
        ["test/rotation/report/metrics.test.ts", 'export { z } from "../../../rotation/policyX/z";'],
        ["test/token/arm.test.ts", 'import { a } from "@pulumi/pulumi";\nimport { b } from "../../components/token/arm";'],
        ["test/component/contract.test.ts", 'import * as c from "../../components/contract";'],
    ]);
    it("are the test files whose relative imports resolve into it, and only those", () => {
        assert.deepEqual(importersOf("rotation/policy", tests), [
            "test/rotation/policy/decision.test.ts",
            "test/rotation/run/fleet.test.ts",
        ]);
        assert.deepEqual(importersOf("components/token/", tests), ["test/token/arm.test.ts"]);
    });
    it("include an import of the folder itself (its index)", () => {
        assert.deepEqual(importersOf("components/contract", tests), ["test/component/contract.test.ts"]);
    });
});
