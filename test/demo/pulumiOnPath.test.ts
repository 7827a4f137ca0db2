import * as assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { DemoUsageError } from "../../demo/options";
import { findOnPath, requirePulumiOnPath } from "../../demo/pulumiOnPath";

describe("npm run demo --kube-context: the pulumi on PATH", () => {
    let root: string;
    const dir = (name: string) => path.join(root, name);

    before(() => {
        root = mkdtempSync(path.join(tmpdir(), "apim-demo-path-"));
        for (const name of ["empty", "plain", "installed", "later", "folder"]) {
            mkdirSync(dir(name));
        }
        writeFileSync(path.join(dir("plain"), "pulumi"), "not executable");
        for (const name of ["installed", "later"]) {
            writeFileSync(path.join(dir(name), "pulumi"), "#!/bin/sh\n");
            chmodSync(path.join(dir(name), "pulumi"), 0o755);
        }
        mkdirSync(path.join(dir("folder"), "pulumi"));
    });

    after(() => rmSync(root, { recursive: true, force: true }));

    const cases: { what: string; entries: string[]; expected?: string }[] = [
        { what: "the first executable file, as a shell finds it", entries: ["empty", "installed", "later"], expected: "installed" },
        { what: "a file that is not executable is passed over", entries: ["plain", "later"], expected: "later" },
        { what: "a directory named pulumi is passed over", entries: ["folder", "later"], expected: "later" },
        { what: "none", entries: ["empty", "plain", "folder", "does-not-exist"] },
        { what: "an empty PATH", entries: [] },
    ];
    for (const { what, entries, expected } of cases) {
        it(what, () => {
            const found = findOnPath("pulumi", entries.map(dir).join(path.delimiter));
            assert.equal(found, expected === undefined ? undefined : path.join(dir(expected), "pulumi"));
        });
    }

    it("is required with --kube-context: refused in one line saying how to install one or do without", () => {
        assert.throws(
            () => requirePulumiOnPath(dir("empty")),
            (error: Error) =>
                error instanceof DemoUsageError &&
                /there is none: install it \(.*\) or drop --kube-context/.test(error.message) &&
                !error.message.includes("\n"),
        );
        assert.equal(requirePulumiOnPath(dir("installed")), path.join(dir("installed"), "pulumi"));
    });
});
