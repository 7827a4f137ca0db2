/**
 * One real `npm ci` per install in a suite run. The schedules' install step is a single `npm ci`
 * command line, and `npm ci` is a pure function of its command line, the project's package.json
 * and package-lock.json, and the npm/Node.js that run it: it deletes any node_modules first and
 * writes nothing but node_modules (the download cache is the machine's either way). So the first
 * job that runs a given command on a given manifest and lockfile runs it for real, and a later job
 * whose step has the same key gets that install's node_modules, hard-linked, instead of a second
 * identical download and extraction (2 minutes each here).
 *
 * What that cannot hide: the command line, package.json and package-lock.json are read from the
 * job's own checkout, so a changed command, dependency or lockfile (a mutation of the schedule, a
 * shape with other dependencies) makes a new key and a real install. The snapshot's files are made
 * read-only (hard links share them), so no job can change what a later job runs; a step that wrote
 * into node_modules would fail here, never pass. A first install that fails is not kept: the next
 * job runs it for real again. docs/workflow-runner.md has this in the substitutions table.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

/** A script that is exactly one `npm ci` command line with plain flags (the schedules' install step). */
const NPM_CI = /^npm ci(?: --[a-z-]+)*\n?$/;

export const isReusableInstall = (script: string): boolean => NPM_CI.test(script);

/** The installs of one suite run, by key. */
export class InstallCache {
    private readonly made = new Map<string, Promise<boolean>>();

    constructor(
        /** Where the snapshots live (the suite's temporary root). */
        private readonly dir: string,
    ) {}

    /**
     * Runs `install` (the step, verbatim) in `workspace`, or gives the workspace the node_modules of
     * an earlier real run with the same key. Concurrent jobs with one key wait for the first.
     */
    async run(
        script: string,
        workspace: string,
        env: Readonly<Record<string, string>>,
        install: () => Promise<{ code: number | null; output: string }>,
    ): Promise<{ code: number | null; output: string }> {
        const key = installKey(script, workspace, env);
        const snapshot = path.join(this.dir, key);
        const earlier = this.made.get(key);
        if (earlier !== undefined && (await earlier)) {
            execFileSync("cp", ["-al", snapshot, path.join(workspace, "node_modules")]);
            return {
                code: 0,
                output:
                    "install reused (test/workflow/installReuse.ts): " +
                    `the node_modules of the first \`${script.trim()}\` with key ${key}\n`,
            };
        }
        let result: { code: number | null; output: string } | undefined;
        const made = (async () => {
            result = await install();
            if (result.code !== 0 || !existsSync(path.join(workspace, "node_modules"))) {
                return false;
            }
            mkdirSync(this.dir, { recursive: true });
            execFileSync("cp", ["-al", path.join(workspace, "node_modules"), snapshot]);
            execFileSync("find", [snapshot, "-type", "f", "-exec", "chmod", "a-w", "{}", "+"]);
            return true;
        })();
        this.made.set(key, made);
        if (!(await made)) {
            this.made.delete(key);
        }
        return result as { code: number | null; output: string };
    }
}

/** The command line, manifest and lockfile of the checkout, the Node.js and npm on PATH and the npm settings in the environment. */
function installKey(script: string, workspace: string, env: Readonly<Record<string, string>>): string {
    const hash = createHash("sha256");
    hash.update(script);
    for (const file of ["package.json", "package-lock.json"]) {
        const full = path.join(workspace, file);
        hash.update(`\0${file}\0${existsSync(full) ? readFileSync(full, "utf8") : "(absent)"}`);
    }
    hash.update(`\0${execFileSync("bash", ["-c", "node --version && npm --version"], { env, encoding: "utf8" })}`);
    const npmSettings = Object.entries(env)
        .filter(([name]) => /^npm_config_/i.test(name))
        .sort(([a], [b]) => a.localeCompare(b));
    hash.update(`\0${JSON.stringify(npmSettings)}`);
    return hash.digest("hex").slice(0, 16);
}
