/**
 * The user's repository in the two shapes the schedules support, as a git repository the
 * workflow runner's checkout clones: (a) a clone of this repository with the user's stack config
 * committed; (b) a project that depends on the packed package (committed as a tarball under
 * vendor/, with its lockfile). Both get the schedule files copied where their headers say, and
 * deploy their stacks from this working tree with the real engine, as the user did before the
 * first scheduled run.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { Deployment } from "@pulumi/pulumi/automation";
import { ROTATION_OUTPUT, RotationUnitOutput } from "../../components/contract/rotationContract";
import { ProcessRun, startProcess } from "../../localenv/engine/childProcess";
import { explain } from "../e2e/harness/rotationReport";
import { ageState } from "../../localenv/engine/stackState";
import { PACKAGE, pinnedVersion, REPOSITORY } from "../helpers/packedPackage";

/** Where the user copies each shipped schedule (their headers say so). */
export const GITHUB_WORKFLOW_PATH = ".github/workflows/rotate-gateway-token.yml";
export const AZURE_PIPELINE_PATH = "azure-pipelines-rotate-gateway-token.yml";
export const SHIPPED_GITHUB_WORKFLOW = "github-actions-rotate-gateway-token.yml";
export const SHIPPED_AZURE_PIPELINE = "azure-pipelines-rotate-gateway-token.yml";

/** A bound for one engine or npm command of the set-up (2 shared cores). */
const COMMAND_TIMEOUT_MS = 5 * 60_000;

export class UserRepository {
    constructor(
        /** The working tree (also the URL the checkout clones). */
        readonly dir: string,
        /** The environment of the user's shell that deploys: CLI on PATH, backend, passphrase, cloud. */
        private readonly env: Record<string, string>,
    ) {}

    async run(command: string, args: readonly string[], extraEnv: Record<string, string> = {}): Promise<ProcessRun> {
        const run = await startProcess(command, args, { cwd: this.dir, env: { ...this.env, ...extraEnv }, timeoutMs: COMMAND_TIMEOUT_MS })
            .done;
        if (run.code !== 0) {
            throw new Error(`${command} ${args.slice(0, 3).join(" ")} failed in ${this.dir}\n${explain(run)}`);
        }
        return run;
    }

    pulumi(args: readonly string[], extraEnv: Record<string, string> = {}): Promise<ProcessRun> {
        return this.run("pulumi", [...args, "--non-interactive"], extraEnv);
    }

    git(...args: string[]): string {
        return execFileSync("git", ["-c", "user.name=Platform Team", "-c", "user.email=platform@example.com", ...args], {
            cwd: this.dir,
            encoding: "utf8",
        }).trim();
    }

    write(file: string, content: string): void {
        mkdirSync(path.dirname(path.join(this.dir, file)), { recursive: true });
        writeFileSync(path.join(this.dir, file), content);
    }

    /** Commits everything and returns the commit. */
    commit(message: string): string {
        this.git("add", "-A");
        this.git("commit", "--quiet", "--allow-empty", "-m", message);
        return this.git("rev-parse", "HEAD");
    }

    /** Creates the stack and sets its config (`pulumi config set-all`; undefined removes a key). */
    async configureStack(
        stack: string,
        namespace: string,
        settings: Record<string, unknown>,
        secrets: ReadonlySet<string> = new Set(),
    ): Promise<void> {
        await this.pulumi(["stack", "init", stack]);
        const removed = Object.keys(settings).filter((key) => settings[key] === undefined);
        if (removed.length > 0) {
            await this.pulumi(["config", "rm-all", "--stack", stack, ...removed.map((key) => `${namespace}:${key}`)]);
        }
        const values = Object.fromEntries(
            Object.entries(settings)
                .filter(([, value]) => value !== undefined)
                .map(([key, value]) => [
                    `${namespace}:${key}`,
                    typeof value === "string"
                        ? { value, secret: secrets.has(key) }
                        : { value: JSON.stringify(value), objectValue: value, secret: secrets.has(key) },
                ]),
        );
        await this.pulumi(["config", "set-all", "--stack", stack, "--json", JSON.stringify(values)]);
    }

    async up(stack: string, extraEnv: Record<string, string> = {}): Promise<void> {
        await this.pulumi(["up", "--stack", stack, "--yes", "--skip-preview"], extraEnv);
    }

    /** The stack's rotation units (plain outputs), by gateway key. */
    async rotationUnits(stack: string): Promise<Record<string, RotationUnitOutput>> {
        const outputs = JSON.parse((await this.pulumi(["stack", "output", "--stack", stack, "--json"])).stdout) as Record<string, unknown>;
        return outputs[ROTATION_OUTPUT] as Record<string, RotationUnitOutput>;
    }

    /** Moves the stack's token instants `days` back, as if issued that long ago (export, edit, import). */
    async age(stack: string, days: number): Promise<void> {
        const state = JSON.parse((await this.pulumi(["stack", "export", "--stack", stack])).stdout) as Deployment;
        const file = path.join(this.dir, "..", `aged-${stack}.json`);
        writeFileSync(file, JSON.stringify(ageState(state, days)));
        await this.pulumi(["stack", "import", "--stack", stack, "--file", file]);
    }

    /** Copies the shipped schedules from `sourceDir` to where their headers say, with the user's `edit` (what the files ask to fill in). */
    copySchedules(sourceDir: string, edit: (text: string) => string): void {
        for (const [shipped, destination] of [
            [SHIPPED_GITHUB_WORKFLOW, GITHUB_WORKFLOW_PATH],
            [SHIPPED_AZURE_PIPELINE, AZURE_PIPELINE_PATH],
        ]) {
            this.write(destination, edit(readFileSync(path.join(sourceDir, shipped), "utf8")));
        }
    }
}

/**
 * Shape (a): `git clone` of this repository at its HEAD, branch main. `dir` must be inside the
 * repository's test/.tmp so the deploying engine finds the installed node_modules upwards, as in
 * the e2e suite (the CI job installs its own with `npm ci`).
 */
export function cloneThisRepository(dir: string, env: Record<string, string>): UserRepository {
    const head = execFileSync("git", ["rev-parse", "HEAD"], { cwd: REPOSITORY, encoding: "utf8" }).trim();
    execFileSync("git", ["clone", "--quiet", "--no-checkout", REPOSITORY, dir]);
    const repository = new UserRepository(dir, env);
    repository.git("checkout", "--quiet", "-B", "main", head);
    return repository;
}

/**
 * Shape (b): the fixture project in `dir`, depending on the tarball committed under vendor/ and on
 * the Pulumi peers at our pinned versions, installed with `npm install` (which writes the lockfile
 * the CI job's `npm ci` reads).
 */
export async function siteProject(dir: string, tarball: string, env: Record<string, string>): Promise<UserRepository> {
    cpSync(path.join(__dirname, "fixtures", "site-project"), dir, { recursive: true });
    mkdirSync(path.join(dir, "vendor"));
    const vendored = path.join("vendor", path.basename(tarball));
    copyFileSync(tarball, path.join(dir, vendored));
    const peers = Object.fromEntries(Object.keys(PACKAGE.peerDependencies).map((name) => [name, pinnedVersion(name)]));
    const manifest = {
        name: "site-gateways",
        private: true,
        main: "index.ts",
        dependencies: { [PACKAGE.name]: `file:${vendored}`, ...peers },
        devDependencies: { "@types/node": pinnedVersion("@types/node"), typescript: pinnedVersion("typescript") },
    };
    writeFileSync(path.join(dir, "package.json"), `${JSON.stringify(manifest, undefined, 2)}\n`);
    writeFileSync(path.join(dir, ".gitignore"), "node_modules/\n");
    const repository = new UserRepository(dir, env);
    await repository.run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"]);
    execFileSync("git", ["init", "--quiet", "-b", "main"], { cwd: dir });
    return repository;
}
