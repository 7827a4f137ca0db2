/**
 * The package in the repository shapes a schedule runs in, installed the way users install it
 * before a registry release, and its bin found the way the schedules find it
 * (`npm exec --offline --no -- apim-gateway-rotate`):
 *   - a clone of this repository after the schedules' `npm ci --ignore-scripts` (no build);
 *   - a consumer project depending on a git URL (`git+file://` of a bare clone at this commit:
 *     npm clones it, runs its `prepare` build and packs it);
 * And the bin's own guards: an older Node.js, a copy without its build.
 */
import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PACKAGE, REPOSITORY, pinnedVersion } from "../helpers/packedPackage";

const BIN = "apim-gateway-rotate";

function run(command: string, args: readonly string[], cwd: string): string {
    return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** The bin as the schedules call it, with `--help`: status and output. */
function execBin(cwd: string, node?: string) {
    const result =
        node === undefined
            ? spawnSync("npm", ["exec", "--offline", "--no", "--", BIN, "--help"], { cwd, encoding: "utf8" })
            : spawnSync(node, [path.join(cwd, "node_modules", ".bin", BIN), "--help"], { cwd, encoding: "utf8" });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The consumer loads the component from the package, and the schedules' bin command runs. */
function assertComponentAndBinWork(dir: string): void {
    const loaded = run(
        process.execPath,
        ["-e", `process.stdout.write(typeof require(${JSON.stringify(PACKAGE.name)}).SelfHostedGateway)`],
        dir,
    );
    assert.equal(loaded, "function");
    const result = execBin(dir);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^Usage: apim-gateway-rotate /);
}

/** A `node` on PATH older than the package's minimum (the system's Node.js 20 on this project's machines). */
function olderNode(): string {
    const required = Number(/^>=\s*(\d+)/.exec((PACKAGE as unknown as { engines: { node: string } }).engines.node)?.[1]);
    for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
        const candidate = path.join(dir, "node");
        if (fs.existsSync(candidate)) {
            const major = Number(run(candidate, ["-p", "process.versions.node.split('.')[0]"], os.tmpdir()).trim());
            if (major < required) {
                return candidate;
            }
        }
    }
    throw new Error(`no node older than ${required} on PATH: this test needs the system's older Node.js (see README, "system Node.js")`);
}

/** A consumer project depending on `spec`, with the Pulumi peers at our pinned versions. */
function consumer(dir: string, spec: string): void {
    fs.mkdirSync(dir, { recursive: true });
    const peers = Object.fromEntries(Object.keys(PACKAGE.peerDependencies).map((name) => [name, pinnedVersion(name)]));
    fs.writeFileSync(
        path.join(dir, "package.json"),
        `${JSON.stringify({ name: "platform-consumer", private: true, dependencies: { [PACKAGE.name]: spec, ...peers } }, undefined, 2)}\n`,
    );
    run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], dir);
}

describe("install paths and the bin in every repository shape", function () {
    this.timeout(900_000);
    let work: string;
    let clone: string;
    let commit: string;

    before(() => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "apim-gw-shapes-"));
        commit = run("git", ["rev-parse", "HEAD"], REPOSITORY).trim();
        // The committed tree, as a user's clone has it (nothing uncommitted, nothing ignored).
        run("git", ["clone", "--bare", "--quiet", REPOSITORY, path.join(work, "origin.git")], work);
        run("git", ["clone", "--quiet", path.join(work, "origin.git"), "clone"], work);
        clone = path.join(work, "clone");
        run("git", ["checkout", "--quiet", commit], clone);
        run("npm", ["ci", "--ignore-scripts", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], clone);
    });

    after(() => fs.rmSync(work, { recursive: true, force: true }));

    it("a clone after the schedules' `npm ci --ignore-scripts`: no dist/, and the bin runs the sources", () => {
        assert.equal(fs.existsSync(path.join(clone, "dist")), false, "nothing was built");
        const result = execBin(clone);
        assert.equal(result.status, 0, result.stderr);
        assert.match(result.stdout, /^Usage: apim-gateway-rotate /);
        const inSubdir = execBin(path.join(clone, "stacks"));
        assert.equal(inSubdir.status, 0, "found from a subdirectory of the project too");
    });

    it("on an older Node.js: one line naming the version it needs, exit 2, before anything else loads", () => {
        const node = olderNode();
        const result = spawnSync(node, [path.join(clone, "bin", `${BIN}.js`), "--help"], { encoding: "utf8" });
        assert.equal(result.status, 2);
        assert.equal(result.stdout, "");
        assert.match(result.stderr, /^apim-gateway-rotate: needs Node\.js 22 or later; this is Node\.js \d+\.\d+\.\d+ \(.*\)\n$/);
    });

    it(
        "a consumer depending on a git URL (git+file:// of a bare clone): " +
            "npm builds dist/ with prepare; the component and the bin work",
        () => {
            const dir = path.join(work, "git-consumer");
            consumer(dir, `git+file://${path.join(work, "origin.git")}#${commit}`);
            const installed = path.join(dir, "node_modules", PACKAGE.name);
            for (const file of [
                "dist/components/index.js",
                "dist/components/index.d.ts",
                "dist/rotation/cli.js",
                "bin/apim-gateway-rotate.js",
                "LICENSE",
            ]) {
                assert.ok(fs.existsSync(path.join(installed, file)), `${file} installed`);
            }
            assert.equal(fs.existsSync(path.join(installed, "rotation", "cli.ts")), false, "the packed files only, no sources");
            assertComponentAndBinWork(dir);
            const older = execBin(dir, olderNode());
            assert.equal(older.status, 2);
            assert.match(older.stderr, /needs Node\.js 22 or later/);
        },
    );

    it("a copy with neither sources nor dist/ (a git URL installed with --ignore-scripts): the bin says why and what to do, exit 2", () => {
        const copy = path.join(work, "unbuilt");
        fs.mkdirSync(path.join(copy, "bin"), { recursive: true });
        fs.copyFileSync(path.join(clone, "package.json"), path.join(copy, "package.json"));
        fs.copyFileSync(path.join(clone, "bin", `${BIN}.js`), path.join(copy, "bin", `${BIN}.js`));
        const result = spawnSync(process.execPath, [path.join(copy, "bin", `${BIN}.js`), "--help"], { encoding: "utf8" });
        assert.equal(result.status, 2);
        assert.match(
            result.stderr,
            new RegExp(
                /has no dist\/: a package installed from a git URL is built by its prepare script, which --ignore-scripts /.source +
                    /skips; install it from the registry or a tarball/.source,
            ),
        );
    });
});
