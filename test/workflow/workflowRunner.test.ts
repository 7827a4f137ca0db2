/**
 * The workflow runner's planning of the shipped schedules (GitHub: @actions/workflow-parser and
 * @actions/expressions; Azure Pipelines: the documented mapping) and its job execution rules, on
 * small inputs. The cluster suite (test/cluster/workflows.cluster.ts) runs the plans for real.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { SCHEDULES_DIR } from "../helpers/scheduleScripts";
import { planAzurePipeline, VariableGroups } from "./azurePipeline";
import { CiPlatform } from "./ciPlatform";
import { GithubRunSettings, planGithubWorkflow } from "./githubWorkflow";
import { createJobDirectories, JobDirectories, parseEnvFile, runJob } from "./jobRunner";
import { JobPlan, StepPlan, SubstitutedAction, WorkflowError } from "./plan";
import { summaryRows, summaryText } from "./runWorkflow";
import { RunReport } from "../../rotation/model/runReport";
import { renderGithubSummary } from "../../rotation/report/renderReport";

const GITHUB = readFileSync(path.join(SCHEDULES_DIR, "github-actions-rotate-gateway-token.yml"), "utf8");
const AZURE = readFileSync(path.join(SCHEDULES_DIR, "azure-pipelines-rotate-gateway-token.yml"), "utf8");

const settings = (trigger: GithubRunSettings["trigger"]): GithubRunSettings => ({
    trigger,
    repository: "contoso/gateways",
    sha: "0".repeat(40),
    secrets: {
        AZURE_CLIENT_ID: "client",
        AZURE_TENANT_ID: "tenant",
        AZURE_SUBSCRIPTION_ID: "subscription",
        PULUMI_BACKEND_URL: "file:///state",
        PULUMI_CONFIG_PASSPHRASE: "pass",
    },
    vars: { AKS_RESOURCE_GROUP: "rg-aks", AKS_CLUSTER_NAME: "aks-west" },
});

const step = (job: JobPlan, name: string): StepPlan => {
    const found = job.steps.find((entry) => entry.name === name);
    assert.ok(found, `step ${name}`);
    return found;
};
const uses = (job: JobPlan) => job.steps.filter((entry) => entry.action.kind === "uses").map((entry) => entry.action as SubstitutedAction);

describe("workflow runner: the GitHub workflow as GitHub's parser and expression evaluator read it", () => {
    it("a scheduled run: one job in apim-gateway-rotation, shard 0 of 1, inputs empty, the monitor runs after a failure", async () => {
        const [job, ...more] = await planGithubWorkflow("rotate.yml", GITHUB, settings({ event: "schedule" }));
        assert.equal(more.length, 0);
        assert.equal(job.environment, "apim-gateway-rotation");
        assert.equal(job.env.SHARD_INDEX, "0");
        assert.equal(job.env.SHARD_COUNT, "1");
        assert.deepEqual(
            uses(job).map((action) => action.uses),
            ["actions/checkout", "actions/setup-node", "azure/login", "azure/aks-set-context"],
        );
        const install = step(job, "Install the Pulumi CLI (pinned, checksum verified)");
        assert.equal(install.action.kind, "script", "the CLI install runs as written: no action to substitute");
        assert.deepEqual([job.env.PULUMI_VERSION, job.env.PULUMI_SHA256], ["3.274.1", ""], "the file ships the version, not a checksum");
        assert.deepEqual(uses(job)[3].with, { "resource-group": "rg-aks", "cluster-name": "aks-west" });
        assert.deepEqual(uses(job)[2].with, { "client-id": "client", "tenant-id": "tenant", "subscription-id": "subscription" });
        const rotate = step(job, "Rotate due tokens");
        assert.deepEqual(
            [rotate.env.STACK, rotate.env.FORCE, rotate.env.REGENERATE_UNUSED_KEY, rotate.env.PULUMI_CONFIG_PASSPHRASE],
            ["", "", "false", "pass"],
        );
        assert.equal(rotate.runs(false), true);
        assert.equal(rotate.runs(true), false);
        assert.equal(step(job, "Check token expiry").runs(true), true, "if: always()");
        assert.deepEqual(rotate.action.kind === "script" && rotate.action.shell, ["bash", "-e"]);
    });

    it("the AKS context step runs when a variable names a cluster, and not when neither is set", async () => {
        const aks = (vars: Record<string, string>) =>
            planGithubWorkflow("rotate.yml", GITHUB, { ...settings({ event: "schedule" }), vars }).then(([job]) =>
                job.steps.find((entry) => entry.action.kind === "uses" && entry.action.uses === "azure/aks-set-context")?.runs(false),
            );
        assert.equal(await aks({ AKS_RESOURCE_GROUP: "rg-aks", AKS_CLUSTER_NAME: "aks-west" }), true);
        assert.equal(await aks({ AKS_CLUSTER_NAME: "aks-west" }), true, "one alone runs the step, which fails naming the other");
        assert.equal(await aks({}), false, "stacks that bring their own kubeconfig need neither");
    });

    it("workflow_dispatch with force: the force environment, FORCE true; an undeclared input is refused", async () => {
        const [job] = await planGithubWorkflow(
            "rotate.yml",
            GITHUB,
            settings({ event: "workflow_dispatch", inputs: { stack: "prod", force: true } }),
        );
        assert.equal(job.environment, "apim-gateway-rotation-force");
        const rotate = step(job, "Rotate due tokens").env;
        assert.deepEqual([rotate.STACK, rotate.FORCE, rotate.REGENERATE_UNUSED_KEY], ["prod", "true", "false"]);
        await assert.rejects(
            planGithubWorkflow("rotate.yml", GITHUB, settings({ event: "workflow_dispatch", inputs: { stacks: "prod" } })),
            WorkflowError,
        );
    });

    it("repository_dispatch of the declared type: TRIGGER and the relayed events as JSON in EVENTS; another type refused", async () => {
        const events = [{ eventType: "Microsoft.ApiManagement.GatewayTokenNearExpiry", subject: "/gateways/gw/instance-1" }];
        const [job, ...more] = await planGithubWorkflow(
            "rotate.yml",
            GITHUB,
            settings({ event: "repository_dispatch", eventType: "apim-gateway-token-expiry", clientPayload: { events } }),
        );
        assert.equal(more.length, 0);
        assert.equal(job.environment, "apim-gateway-rotation");
        const rotate = step(job, "Rotate due tokens").env;
        assert.equal(rotate.TRIGGER, "repository_dispatch");
        assert.equal(rotate.STACK, "");
        assert.deepEqual(JSON.parse(rotate.EVENTS), events);
        assert.equal(rotate.FORCE, "", "a dispatch that does not ask for force is not forced");
        await assert.rejects(
            planGithubWorkflow(
                "rotate.yml",
                GITHUB,
                settings({ event: "repository_dispatch", eventType: "something-else", clientPayload: { events } }),
            ),
            /repository_dispatch of type something-else does not start it/,
        );
    });

    it("repository_dispatch asking for force: the force environment, as a forced workflow_dispatch; only true forces", async () => {
        const dispatch = async (force: unknown) => {
            const clientPayload = { events: [], force };
            const [job] = await planGithubWorkflow(
                "rotate.yml",
                GITHUB,
                settings({ event: "repository_dispatch", eventType: "apim-gateway-token-expiry", clientPayload }),
            );
            return [job.environment, step(job, "Rotate due tokens").env.FORCE];
        };
        assert.deepEqual(await dispatch(true), ["apim-gateway-rotation-force", "true"]);
        assert.deepEqual(await dispatch("true"), ["apim-gateway-rotation-force", "true"]);
        // Any other truthy value still waits for approval; the script forces only on "true".
        assert.deepEqual(await dispatch("yes"), ["apim-gateway-rotation-force", "yes"]);
        assert.deepEqual(await dispatch({ nested: true }), ["apim-gateway-rotation-force", "Object"]);
        assert.deepEqual(await dispatch(false), ["apim-gateway-rotation", "false"]);
    });

    it("a matrix of two shards: two jobs, strategy.job-index 0 and 1 of 2", async () => {
        const jobs = await planGithubWorkflow(
            "rotate.yml",
            GITHUB.replace(/shard: \[1\]/, "shard: [1, 2]"),
            settings({ event: "schedule" }),
        );
        assert.deepEqual(
            jobs.map((job) => [job.name, job.env.SHARD_INDEX, job.env.SHARD_COUNT]),
            [
                ["rotate (1)", "0", "2"],
                ["rotate (2)", "1", "2"],
            ],
        );
    });

    it("refuses a broken expression, an event the file does not declare and an invalid workflow", async () => {
        await assert.rejects(
            planGithubWorkflow(
                "rotate.yml",
                GITHUB.replace("secrets.PULUMI_BACKEND_URL", "secret.PULUMI_BACKEND_URL"),
                settings({ event: "schedule" }),
            ),
            WorkflowError,
        );
        await assert.rejects(
            planGithubWorkflow(
                "rotate.yml",
                GITHUB.replace("  schedule:\n", "  push:\n").replace(/\n\s+- cron: .*\n/, "\n"),
                settings({ event: "schedule" }),
            ),
            WorkflowError,
        );
        await assert.rejects(
            planGithubWorkflow(
                "rotate.yml",
                GITHUB.replace("runs-on: ubuntu-latest", "runs-on: [ubuntu-latest"),
                settings({ event: "schedule" }),
            ),
            WorkflowError,
        );
    });
});

describe("workflow runner: the Azure pipeline by the documented mapping", () => {
    let root: string;
    let dirs: JobDirectories[];
    beforeEach(() => {
        root = mkdtempSync(path.join(tmpdir(), "azure-plan-"));
        dirs = [];
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));
    const agent = (index: number) => (dirs[index] ??= createJobDirectories(path.join(root, String(index))));
    const groups = {
        "apim-gateway-rotation": {
            PULUMI_BACKEND_URL: { value: "file:///state" },
            PULUMI_CONFIG_PASSPHRASE: { value: "pass", secret: true },
            AKS_RESOURCE_GROUP: { value: "rg-aks" },
            AKS_CLUSTER_NAME: { value: "aks-west" },
        },
    };

    const plan = (content: string, trigger: Parameters<typeof planAzurePipeline>[2]["trigger"], variableGroups: VariableGroups = groups) =>
        planAzurePipeline("pipeline.yml", content, { trigger, variableGroups, agent: () => agent(dirs.length) });

    it("a scheduled run: one stage, parameters at defaults (a boolean renders False), shard 1 of 1, a secret only where mapped", () => {
        const stages = plan(AZURE, { event: "schedule" });
        assert.deepEqual(
            stages.map((stage) => [stage.name, stage.dependsOn]),
            [["rotate", []]],
        );
        const [job] = stages[0].jobs;
        const rotate = step(job, "Rotate due tokens");
        assert.deepEqual(
            [
                rotate.env.STACK,
                rotate.env.FORCE,
                rotate.env.REGENERATE_UNUSED_KEY,
                rotate.env.SHARD_INDEX,
                rotate.env.PULUMI_CONFIG_PASSPHRASE,
            ],
            [" ", "False", "False", "1", "pass"],
        );
        assert.equal(rotate.env.GITHUB_STEP_SUMMARY, path.join(dirs[0].temp, "rotation-summary.md"));
        assert.equal(job.env.PULUMI_CONFIG_PASSPHRASE, undefined, "a secret variable is not in every step's environment");
        assert.equal(job.env.PULUMI_BACKEND_URL, "file:///state");
        assert.equal(step(job, "Install the Pulumi CLI (pinned, checksum verified)").env.PULUMI_VERSION, job.env.PULUMIVERSION);
        assert.equal(step(job, "Check token expiry").runs(true), true);
        assert.equal((rotate.action as SubstitutedAction).with.azureSubscription, "apim-gateway-rotation");
        assert.equal(rotate.loggingCommands, "restricted");
    });

    it("a manual run with force: the approval stage first (its environment), then the rotation with FORCE True", () => {
        const stages = plan(AZURE, { event: "manual", parameters: { stack: "prod", force: true } });
        assert.deepEqual(
            stages.map((stage) => [stage.name, stage.dependsOn]),
            [
                ["approve_force", []],
                ["rotate", ["approve_force"]],
            ],
        );
        assert.equal(stages[0].jobs[0].environment, "apim-gateway-rotation-force");
        const rotate = step(stages[1].jobs[0], "Rotate due tokens");
        assert.deepEqual([rotate.env.STACK, rotate.env.FORCE], ["prod", "True"]);
    });

    it("parallel 2 gives jobs 1 and 2 of 2; unmodelled expressions, functions and a missing variable group are refused", () => {
        const [stage] = plan(AZURE.replace("parallel: 1", "parallel: 2"), { event: "schedule" });
        assert.deepEqual(
            stage.jobs.map((entry) => [
                step(entry, "Check token expiry").env.SHARD_INDEX,
                step(entry, "Check token expiry").env.SHARD_COUNT,
            ]),
            [
                ["1", "2"],
                ["2", "2"],
            ],
        );
        assert.throws(
            () => plan(AZURE.replace("${{ parameters.force }}", "${{ parameters.forced }}"), { event: "schedule" }),
            WorkflowError,
        );
        assert.throws(
            () => plan(AZURE.replace("${{ parameters.force }}", "${{ coalesce(parameters.force, true) }}"), { event: "schedule" }),
            /function coalesce is not modelled/,
        );
        assert.throws(() => plan(AZURE, { event: "schedule" }, {}), /variable group apim-gateway-rotation does not exist/);
    });
});

describe("workflow runner: the rotation's job summary read as it renders", () => {
    it("gives each row's stack and result, and the event lines, unescaped", () => {
        const report: RunReport = {
            mode: "rotate",
            force: false,
            regenerateUnusedKey: false,
            includePendingChanges: false,
            startedAt: "2025-06-15T12:00:00.000Z",
            finishedAt: "2025-06-15T12:05:00.000Z",
            stacks: [
                { stack: "site-prod", gateway: "<img src=x>", action: "rotate", forced: true, result: "rotated" },
                { stack: "a|b_&amp;*", action: "none", forced: false, result: "not-due", message: "x | y" },
            ],
            events: [{ eventTypes: ["GatewayTokenNearExpiry"], result: "matched", stacks: ["site-prod/gateway"], message: "m" }],
            errors: [],
            cancelled: false,
        };
        const markdown = renderGithubSummary(report, 0);
        assert.doesNotMatch(markdown, /\| site-prod \|/, "the summary escapes what it renders");
        assert.deepEqual(summaryRows(markdown), [
            { stack: "site-prod", result: "rotated" },
            { stack: "a|b_&amp;*", result: "not-due" },
        ]);
        assert.match(summaryText(markdown), /^\*\*Event:\*\* .*site-prod\/gateway/m);
    });
});

describe("workflow runner: a job's steps in order, with what each exports", () => {
    it("applies $GITHUB_ENV and $GITHUB_PATH to later steps, skips after a failure unless always(), and fails the job", async () => {
        const root = mkdtempSync(path.join(tmpdir(), "job-run-"));
        try {
            const script = (name: string, body: string, runs: StepPlan["runs"] = (failed) => !failed): StepPlan => ({
                name,
                runs,
                env: {},
                action: { kind: "script", script: body, shell: ["bash", "-e"] },
            });
            const job: JobPlan = {
                name: "t",
                system: "github",
                env: { FROM_JOB: "job" },
                steps: [
                    script(
                        "export",
                        'echo "GREETING=hello" >> "$GITHUB_ENV"\nmkdir -p "$HOME/tools"\n' +
                            'printf "#!/bin/sh\\necho tool\\n" > "$HOME/tools/mytool"\nchmod +x "$HOME/tools/mytool"\n' +
                            'echo "$HOME/tools" >> "$GITHUB_PATH"',
                    ),
                    script(
                        "use",
                        'test "$GREETING $FROM_JOB" = "hello job"\ntest "$(mytool)" = tool\necho "## done" >> "$GITHUB_STEP_SUMMARY"',
                    ),
                    script("fail", "false\necho unreachable"),
                    script("skipped", "true"),
                    script("always", "true", () => true),
                ],
            };
            const result = await runJob(
                job,
                { caFile: "/dev/null", npmCache: path.join(root, "npm"), curlrc: "", runnerEnv: {} } as unknown as CiPlatform,
                createJobDirectories(root),
            );
            assert.deepEqual(
                result.steps.map((entry) => [entry.name, entry.outcome]),
                [
                    ["export", "success"],
                    ["use", "success"],
                    ["fail", "failure"],
                    ["skipped", "skipped"],
                    ["always", "success"],
                ],
                JSON.stringify(result.steps),
            );
            assert.equal(result.steps[1].summary, "## done\n");
            assert.doesNotMatch(result.steps[2].output, /unreachable/, "bash -e stops at the first failure");
            assert.equal(result.conclusion, "failure");
        } finally {
            rmSync(root, { recursive: true, force: true });
        }
    });

    it("reads $GITHUB_ENV's NAME=value lines and NAME<<DELIMITER blocks", () => {
        assert.deepEqual(parseEnvFile("A=1\nB<<EOF\nline 1\nline 2\nEOF\nC=x=y\n"), { A: "1", B: "line 1\nline 2", C: "x=y" });
    });
});
