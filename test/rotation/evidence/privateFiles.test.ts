/**
 * Host files the rotation trusts: its own, closed to others, never through a link
 * (rotation/evidence/privateFiles.ts, rotation/command/compileCache.ts).
 */
import { strict as assert } from "node:assert";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import * as path from "node:path";
import { compileCacheDir } from "../../../rotation/command/compileCache";
import { privateDirectory, readOwnFile } from "../../../rotation/evidence/privateFiles";

describe("private host files", () => {
    let root: string;
    beforeEach(() => {
        root = mkdtempSync(path.join(tmpdir(), "private-files-"));
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    it("creates a missing directory with mode 0700 and uses it", () => {
        const dir = path.join(root, "a", "cache");
        assert.equal(privateDirectory(dir), dir);
        assert.equal(statSync(dir).mode & 0o777, 0o700);
    });

    it("refuses a directory others can write to, one another user owns, and a link to a directory", () => {
        const open = path.join(root, "open");
        mkdirSync(open, { mode: 0o777 });
        chmodSync(open, 0o777);
        assert.equal(privateDirectory(open), undefined);
        const foreign = path.join(root, "foreign");
        mkdirSync(foreign, { mode: 0o700 });
        chownSync(foreign, 4242, 4242);
        assert.equal(privateDirectory(foreign), undefined);
        const mine = path.join(root, "mine");
        mkdirSync(mine, { mode: 0o700 });
        symlinkSync(mine, path.join(root, "link"));
        assert.equal(privateDirectory(path.join(root, "link")), undefined);
        assert.equal(privateDirectory(mine), mine);
    });

    it("reads a file only when this user owns it and it is not a link", () => {
        const file = path.join(root, "f");
        writeFileSync(file, "mine");
        assert.equal(readOwnFile(file), "mine");
        symlinkSync(file, path.join(root, "l"));
        assert.equal(readOwnFile(path.join(root, "l")), undefined);
        chownSync(file, 4242, 4242);
        assert.equal(readOwnFile(file), undefined);
    });

    it("keeps Node's compile cache under the user's cache directory, never the shared temporary one", () => {
        assert.equal(compileCacheDir({ XDG_CACHE_HOME: "/home/u/.cache" }), "/home/u/.cache/apim-gateway-rotate/node-compile-cache");
        assert.equal(compileCacheDir({}), path.join(homedir(), ".cache", "apim-gateway-rotate", "node-compile-cache"));
        assert.equal(
            compileCacheDir({ XDG_CACHE_HOME: "relative" }),
            path.join(homedir(), ".cache", "apim-gateway-rotate", "node-compile-cache"),
            "a relative XDG_CACHE_HOME is ignored, as the spec says",
        );
    });
});
