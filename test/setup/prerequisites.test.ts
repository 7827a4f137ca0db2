import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { prerequisiteProblem } from "../helpers/prerequisites";

describe("test prerequisites", () => {
    const cases: { nodeVersion: string; opensslOnPath: boolean; expected: RegExp | undefined }[] = [
        { nodeVersion: "22.23.3", opensslOnPath: true, expected: undefined },
        { nodeVersion: "24.1.0", opensslOnPath: true, expected: undefined },
        { nodeVersion: "20.20.2", opensslOnPath: true, expected: /Node\.js 20\.20\.2 is too old.*npm test/ },
        { nodeVersion: "20.20.2", opensslOnPath: false, expected: /too old/ },
        { nodeVersion: "22.23.3", opensslOnPath: false, expected: /openssl CLI.*install it/ },
    ];
    for (const { nodeVersion, opensslOnPath, expected } of cases) {
        it(`Node.js ${nodeVersion}, openssl ${opensslOnPath ? "present" : "missing"}: ${expected ? "refused" : "runs"}`, () => {
            const problem = prerequisiteProblem({ nodeVersion, opensslOnPath });
            if (expected === undefined) {
                assert.equal(problem, undefined);
            } else {
                assert.match(problem ?? "", expected);
                assert.doesNotMatch(problem ?? "", /\n/, "one line");
            }
        });
    }

    it("stops mocha with one line when openssl is not on PATH", () => {
        const bin = mkdtempSync(path.join(tmpdir(), "apim-prereq-"));
        try {
            // A PATH with only this node: no openssl.
            symlinkSync(process.execPath, path.join(bin, "node"));
            const run = spawnSync(
                process.execPath,
                ["-r", "ts-node/register/transpile-only", path.join(__dirname, "..", "helpers", "checkPrerequisites.ts")],
                {
                    env: { ...process.env, PATH: bin },
                    encoding: "utf8",
                },
            );
            assert.equal(run.status, 1);
            assert.match(run.stderr, /^error: the test emulators make their TLS certificates with the openssl CLI.*\n$/);
        } finally {
            rmSync(bin, { recursive: true, force: true });
        }
    });
});
