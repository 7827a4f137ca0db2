/**
 * The release mirror behind both schedules' "Install the Pulumi CLI" step: the step runs as
 * written (curl of the archive and the checksums file, the pinned and published SHA-256 checked,
 * tar, prependpath / $GITHUB_PATH) against a mirror of a stand-in CLI, and refuses an archive
 * whose SHA-256 is not the pinned one, or no pinned SHA-256 at all.
 */
import { strict as assert } from "node:assert";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { SCHEDULES_DIR } from "../helpers/scheduleScripts";
import { planAzurePipeline } from "./azurePipeline";
import { CiPlatform } from "./ciPlatform";
import { planGithubWorkflow } from "./githubWorkflow";
import { createJobDirectories, JobDirectories, runJob } from "./jobRunner";
import { JobPlan, StepPlan } from "./plan";
import { CLI_FILES, ReleaseMirror, startReleaseMirror } from "./releaseMirror";

const INSTALL = "Install the Pulumi CLI (pinned, checksum verified)";
const PIPELINE = readFileSync(path.join(SCHEDULES_DIR, "azure-pipelines-rotate-gateway-token.yml"), "utf8");
const WORKFLOW = readFileSync(path.join(SCHEDULES_DIR, "github-actions-rotate-gateway-token.yml"), "utf8");
const VERSION = /- name: pulumiVersion\n\s+value: (\S+)/.exec(PIPELINE)?.[1] ?? "";

/** A step after the install that runs the `pulumi` the job's PATH now finds. */
const whichPulumi = (shell: readonly string[]): StepPlan => ({
    name: "which pulumi",
    runs: (failed) => !failed,
    env: {},
    action: { kind: "script", script: "command -v pulumi\npulumi\n", shell },
});

describe("workflow runner: the release mirror behind both schedules' CLI download", function () {
    this.timeout(60_000);
    let root: string;
    let mirror: ReleaseMirror;

    before(async () => {
        root = mkdtempSync(path.join(tmpdir(), "release-mirror-"));
        const binDir = path.join(root, "bin");
        mkdirSync(binDir);
        for (const file of [...CLI_FILES, "pulumi-resource-kubernetes"]) {
            writeFileSync(path.join(binDir, file), `#!/bin/sh\necho "${file} v${VERSION}"\n`);
            chmodSync(path.join(binDir, file), 0o755);
        }
        mirror = await startReleaseMirror(path.join(root, "mirror"), binDir, { pulumi: VERSION, kubernetes: "4.32.0" });
    });

    after(async () => {
        await mirror?.close();
        rmSync(root, { recursive: true, force: true });
    });

    const platform = () =>
        ({
            caFile: "/dev/null",
            npmCache: path.join(root, "npm"),
            curlrc: mirror.curlrc,
            runnerEnv: {},
        }) as unknown as CiPlatform;

    /** Runs the job's install step, then a step that looks `pulumi` up on PATH. */
    async function runInstall(job: JobPlan, dirs: JobDirectories, shell: readonly string[]) {
        const steps = [...job.steps.filter((step) => step.name === INSTALL), whichPulumi(shell)];
        assert.equal(steps.length, 2, `${job.name} has the step "${INSTALL}"`);
        const result = await runJob({ ...job, steps }, platform(), dirs);
        return { step: result.steps[0], next: result.steps[1], dirs };
    }

    async function install(pulumiSha256: string) {
        const pipeline = PIPELINE.replace(/(- name: pulumiSha256\n\s+value: )""/, `$1"${pulumiSha256}"`);
        const groups = {
            "apim-gateway-rotation": {
                PULUMI_BACKEND_URL: { value: "file:///state" },
                PULUMI_CONFIG_PASSPHRASE: { value: "p", secret: true },
                AKS_RESOURCE_GROUP: { value: "rg" },
                AKS_CLUSTER_NAME: { value: "aks" },
            },
        };
        const dirs = createJobDirectories(mkdtempSync(path.join(root, "job-")));
        const [stage] = planAzurePipeline("pipeline.yml", pipeline, {
            trigger: { event: "schedule" },
            variableGroups: groups,
            agent: () => dirs,
        });
        return runInstall(stage.jobs[0], dirs, ["bash", "--noprofile", "--norc"]);
    }

    /** The GitHub workflow's job with `pulumiSha256` as its PULUMI_SHA256, planned for a schedule. */
    async function installOnGithub(pulumiSha256: string) {
        const shipped = /^(\s+PULUMI_SHA256: )""$/m;
        assert.match(WORKFLOW, shipped, 'the workflow ships PULUMI_SHA256: ""');
        const workflow = WORKFLOW.replace(shipped, `$1"${pulumiSha256}"`);
        const [job] = await planGithubWorkflow("rotate.yml", workflow, {
            trigger: { event: "schedule" },
            repository: "contoso/gateways",
            sha: "0".repeat(40),
            secrets: {},
            vars: {},
        });
        return runInstall(job, createJobDirectories(mkdtempSync(path.join(root, "job-"))), ["bash", "-e"]);
    }

    const cliRan = new RegExp(`pulumi v${VERSION.replace(/\./g, "\\.")}`);

    it("Azure: downloads, verifies and unpacks the archive, and puts its pulumi/ on PATH", async () => {
        const { step, next, dirs } = await install(mirror.pulumiSha256);
        assert.equal(step.outcome, "success", step.output);
        assert.match(step.output, new RegExp(`^##vso\\[task\\.prependpath\\]${dirs.temp}/pulumi-cli/pulumi$`, "m"));
        assert.match(step.output, cliRan);
        assert.equal(next.outcome, "success", next.output);
        assert.equal(next.output.split("\n")[0], `${dirs.temp}/pulumi-cli/pulumi/pulumi`);
    });

    it("Azure: refuses an archive whose SHA-256 is not the pinned one", async () => {
        const { step, next } = await install("0".repeat(64));
        assert.equal(step.outcome, "failure");
        assert.match(step.output, /differs from pulumiSha256/);
        assert.equal(next.outcome, "skipped");
    });

    it("GitHub: downloads, verifies and unpacks the archive, and puts its pulumi/ on PATH through $GITHUB_PATH", async () => {
        const { step, next, dirs } = await installOnGithub(mirror.pulumiSha256);
        assert.equal(step.outcome, "success", step.output);
        assert.match(step.output, new RegExp(`pulumi-v${VERSION.replace(/\./g, "\\.")}-linux-x64\\.tar\\.gz: OK`));
        assert.match(step.output, cliRan);
        assert.equal(next.outcome, "success", next.output);
        assert.equal(next.output.split("\n")[0], `${dirs.temp}/pulumi-cli/pulumi/pulumi`, "the verified CLI, first on PATH");
        assert.match(next.output, cliRan);
    });

    it("GitHub: refuses a checksum other than the mirror's, and the file as shipped (no PULUMI_SHA256), before later steps", async () => {
        const other = await installOnGithub("0".repeat(64));
        assert.equal(other.step.outcome, "failure");
        assert.match(other.step.output, /^::error::the release's checksum of \S+ differs from PULUMI_SHA256$/m);
        const shipped = await installOnGithub("");
        assert.equal(shipped.step.outcome, "failure");
        assert.match(shipped.step.output, /^::error::set PULUMI_SHA256 in the job's env to the SHA-256 of pulumi-v\S+-linux-x64\.tar\.gz/m);
        for (const run of [other, shipped]) {
            assert.equal(run.next.outcome, "skipped");
            assert.ok(!existsSync(path.join(run.dirs.temp, "pulumi-cli", "pulumi")), "nothing unpacked");
        }
    });
});
