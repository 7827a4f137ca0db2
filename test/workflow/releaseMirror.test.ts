/**
 * The release mirror behind the Azure pipeline's "Install the Pulumi CLI" step: the step runs as
 * written (curl of the archive and the checksums file, the pinned and published SHA-256 checked,
 * tar, prependpath) against a mirror of a stand-in CLI, and refuses an archive whose SHA-256 is
 * not the pinned one.
 */
import { strict as assert } from "node:assert";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { SCHEDULES_DIR } from "../helpers/scheduleScripts";
import { planAzurePipeline } from "./azurePipeline";
import { CiPlatform } from "./ciPlatform";
import { createJobDirectories, runJob } from "./jobRunner";
import { CLI_FILES, ReleaseMirror, startReleaseMirror } from "./releaseMirror";

const INSTALL = "Install the Pulumi CLI (pinned, checksum verified)";
const PIPELINE = readFileSync(path.join(SCHEDULES_DIR, "azure-pipelines-rotate-gateway-token.yml"), "utf8");
const VERSION = /- name: pulumiVersion\n\s+value: (\S+)/.exec(PIPELINE)?.[1] ?? "";

describe("workflow runner: the release mirror behind the Azure pipeline's CLI download", function () {
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
        const job = stage.jobs[0];
        const platform = {
            caFile: "/dev/null",
            npmCache: path.join(root, "npm"),
            curlrc: mirror.curlrc,
            runnerEnv: {},
        } as unknown as CiPlatform;
        const result = await runJob({ ...job, steps: job.steps.filter((step) => step.name === INSTALL) }, platform, dirs);
        return { step: result.steps[0], dirs };
    }

    it("downloads, verifies and unpacks the archive, and puts its pulumi/ on PATH", async () => {
        const { step, dirs } = await install(mirror.pulumiSha256);
        assert.equal(step.outcome, "success", step.output);
        assert.match(step.output, new RegExp(`^##vso\\[task\\.prependpath\\]${dirs.temp}/pulumi-cli/pulumi$`, "m"));
        assert.match(step.output, new RegExp(`pulumi v${VERSION.replace(/\./g, "\\.")}`));
    });

    it("refuses an archive whose SHA-256 is not the pinned one", async () => {
        const { step } = await install("0".repeat(64));
        assert.equal(step.outcome, "failure");
        assert.match(step.output, /differs from pulumiSha256/);
    });
});
