/** One stack however it is spelt (rotation/command/stackNames.ts). */
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { projectName, qualifiedStackName, uniqueStacks } from "../../../rotation/command/stackNames";

describe("stack names", () => {
    it("qualifies a name as org/project/stack", () => {
        const table: [string, string][] = [
            ["dev", "organization/p/dev"],
            ["organization/dev", "organization/p/dev"],
            ["organization/p/dev", "organization/p/dev"],
            ["acme/dev", "acme/p/dev"],
            ["acme/p/prod.west-1", "acme/p/prod.west-1"],
        ];
        for (const [name, qualified] of table) {
            assert.equal(qualifiedStackName(name, "p"), qualified, name);
        }
    });

    it("deduplicates by the qualified name, keeping the first spelling and the order", () => {
        assert.deepEqual(uniqueStacks(["dev", "prod", "organization/p/dev", "organization/dev", "acme/dev"], "p"), {
            names: ["dev", "prod", "acme/dev"],
        });
    });

    it("refuses a stack of another project, naming the fix", () => {
        const result = uniqueStacks(["dev", "organization/other/dev"], "p");
        assert.ok("error" in result);
        assert.match(
            result.error,
            new RegExp(
                String.raw`--stack organization\/other\/dev is a stack of project "other", but the ` +
                    'project in the work directory is "p": pass its directory with --work-dir',
            ),
        );
    });

    it("reads the project's name from Pulumi.yaml", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "stack-names-"));
        try {
            assert.equal(projectName(dir), undefined);
            writeFileSync(path.join(dir, "Pulumi.yaml"), "name: apim-gateway\nruntime: nodejs\n");
            assert.equal(projectName(dir), "apim-gateway");
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it("reads Pulumi.yml when Pulumi.yaml names no project, and no name from an empty, nameless or unnamed file", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "stack-names-"));
        try {
            for (const text of ["", "runtime: nodejs\n", 'name: ""\n', "name: 42\n", "- a list\n"]) {
                writeFileSync(path.join(dir, "Pulumi.yaml"), text);
                assert.equal(projectName(dir), undefined, JSON.stringify(text));
            }
            writeFileSync(path.join(dir, "Pulumi.yml"), "name: from-yml\n");
            assert.equal(projectName(dir), "from-yml");
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
