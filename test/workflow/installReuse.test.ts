/**
 * The workflow runner's install reuse (./installReuse.ts): one real `npm ci` per command line,
 * manifest and lockfile; a changed one, or a failed first install, runs for real again.
 */
import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { InstallCache, isReusableInstall } from "./installReuse";

describe("workflow runner: one real npm ci per command, manifest and lockfile", () => {
    let root: string;
    beforeEach(() => {
        root = mkdtempSync(path.join(tmpdir(), "install-reuse-"));
        installs = [];
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    const env = { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin` };
    /** The jobs whose install ran for real, in order. */
    let installs: string[];
    /** A checkout with this lockfile, and a stand-in for the step that records that it ran and writes node_modules. */
    function job(name: string, lockfile: string, code = 0) {
        const workspace = path.join(root, name);
        mkdirSync(workspace);
        writeFileSync(path.join(workspace, "package.json"), '{"name":"site"}');
        writeFileSync(path.join(workspace, "package-lock.json"), lockfile);
        const install = async () => {
            installs.push(name);
            mkdirSync(path.join(workspace, "node_modules", "dep"), { recursive: true });
            writeFileSync(path.join(workspace, "node_modules", "dep", "index.js"), `// ${lockfile}`);
            return { code, output: "added 1 package\n" };
        };
        return { workspace, install };
    }

    it("a second job, same command and lockfile, gets the first one's node_modules (read-only); a changed lockfile installs", async () => {
        const cache = new InstallCache(path.join(root, "cache"));
        const script = "npm ci --ignore-scripts --no-audit --no-fund\n";
        const first = job("first", "v1");
        const second = job("second", "v1");
        const third = job("third", "v2");
        assert.equal((await cache.run(script, first.workspace, env, first.install)).code, 0);
        const reused = await cache.run(script, second.workspace, env, second.install);
        assert.equal(reused.code, 0);
        assert.match(reused.output, /install reused/);
        assert.equal(readFileSync(path.join(second.workspace, "node_modules", "dep", "index.js"), "utf8"), "// v1");
        assert.equal(statSync(path.join(second.workspace, "node_modules", "dep", "index.js")).mode & 0o222, 0, "no write bit");
        await cache.run(script, third.workspace, env, third.install);
        await cache.run("npm ci --no-audit\n", job("fourth", "v1").workspace, env, async () => {
            installs.push("fourth");
            return { code: 0, output: "" };
        });
        assert.deepEqual(installs, ["first", "third", "fourth"]);
    });

    it("a failed first install is not kept: the next job runs it for real", async () => {
        const cache = new InstallCache(path.join(root, "cache"));
        const script = "npm ci --ignore-scripts\n";
        const failing = job("first", "v1", 1);
        assert.equal((await cache.run(script, failing.workspace, env, failing.install)).code, 1);
        const next = job("second", "v1");
        await cache.run(script, next.workspace, env, next.install);
        assert.deepEqual(installs, ["first", "second"]);
    });

    it("only a single npm ci command line is reused", () => {
        assert.equal(isReusableInstall("npm ci --ignore-scripts --no-audit --no-fund\n"), true);
        assert.equal(isReusableInstall("npm ci && npm run build\n"), false);
        assert.equal(isReusableInstall("npm install\n"), false);
    });
});
