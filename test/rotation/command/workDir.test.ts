/** Finding the Pulumi project directory the rotation operates on (rotation/command/workDir.ts). */
import { strict as assert } from "node:assert";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { WorkDirError, resolveWorkDir } from "../../../rotation/command/workDir";

describe("work dir", () => {
    let root: string;
    beforeEach(() => {
        root = mkdtempSync(path.join(tmpdir(), "rotation-workdir-"));
        mkdirSync(path.join(root, "project", "sub"), { recursive: true });
        mkdirSync(path.join(root, "elsewhere"));
        writeFileSync(path.join(root, "project", "Pulumi.yaml"), "name: p\nruntime: nodejs\n");
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    it("finds the nearest Pulumi.yaml above the current directory", () => {
        const project = path.join(root, "project");
        assert.equal(resolveWorkDir(undefined, path.join(project, "sub"), [path.join(project, "sub")]), project);
    });

    it("falls back to the program's own location", () => {
        const project = path.join(root, "project");
        const elsewhere = path.join(root, "elsewhere");
        assert.equal(resolveWorkDir(undefined, elsewhere, [elsewhere, path.join(project, "sub")]), project);
    });

    it("resolves --work-dir relative to the current directory and checks it", () => {
        assert.equal(resolveWorkDir("project", root, []), path.join(root, "project"));
        assert.throws(() => resolveWorkDir("elsewhere", root, []), WorkDirError);
        assert.throws(() => resolveWorkDir("elsewhere", root, []), /--work-dir elsewhere: no Pulumi.yaml/);
    });

    it("stops at the repository's root: a Pulumi.yaml above it is never used", () => {
        const repo = path.join(root, "project", "sub", "repo");
        mkdirSync(path.join(repo, ".git"), { recursive: true });
        mkdirSync(path.join(repo, "deep"));
        assert.throws(() => resolveWorkDir(undefined, path.join(repo, "deep"), [path.join(repo, "deep")]), /stops at a repository's root/);
        writeFileSync(path.join(repo, "Pulumi.yaml"), "name: r\nruntime: nodejs\n");
        assert.equal(resolveWorkDir(undefined, path.join(repo, "deep"), [path.join(repo, "deep")]), repo, "the repository's own is found");
    });

    it("stops at the home directory", () => {
        const home = path.join(root, "project", "sub");
        mkdirSync(path.join(home, "work"));
        assert.throws(() => resolveWorkDir(undefined, path.join(home, "work"), [path.join(home, "work")], home), WorkDirError);
        assert.equal(
            resolveWorkDir(undefined, path.join(home, "work"), [path.join(home, "work")], path.join(root, "elsewhere")),
            path.join(root, "project"),
        );
    });

    it("never enters a directory others can write to (a Pulumi.yaml planted there is ignored)", () => {
        const shared = path.join(root, "shared");
        mkdirSync(path.join(shared, "mine"), { recursive: true });
        chmodSync(shared, 0o1777);
        writeFileSync(path.join(shared, "Pulumi.yaml"), "name: planted\nruntime: nodejs\n");
        assert.throws(() => resolveWorkDir(undefined, path.join(shared, "mine"), [path.join(shared, "mine")]), WorkDirError);
    });

    it("explains how to name the project when there is none, naming every directory searched", () => {
        const elsewhere = path.join(root, "elsewhere");
        assert.throws(() => resolveWorkDir(undefined, elsewhere, [elsewhere]), /pass --work-dir DIR/);
        assert.throws(
            () => resolveWorkDir(undefined, elsewhere, [elsewhere, root]),
            (error: Error) => error.message.startsWith(`no Pulumi.yaml found above ${elsewhere} or ${root} (the search stops`),
        );
    });

    it("stops at the file system's root", () => {
        assert.throws(() => resolveWorkDir(undefined, "/", ["/"], path.join(root, "elsewhere")), /no Pulumi.yaml found above \/ /);
    });

    it("takes a Pulumi.yml as the project file too", () => {
        const yml = path.join(root, "elsewhere");
        writeFileSync(path.join(yml, "Pulumi.yml"), "name: y\nruntime: nodejs\n");
        assert.equal(resolveWorkDir("elsewhere", root, []), yml);
        assert.equal(resolveWorkDir(undefined, yml, [yml]), yml);
    });
});
