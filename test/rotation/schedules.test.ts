/** The ready-to-copy schedules and RBAC files parse, pass their own scripts' tests and say what the README promises. */
import { strict as assert } from "node:assert";
import { execFile, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { requiredActions } from "../../components/token/errors";
import { parseCommandLine } from "../../rotation/command/options";
import { inShard } from "../../rotation/policy/shard";
import { AZURE_PIPELINE, GITHUB_WORKFLOW, pipelineSteps, SCHEDULES_DIR, ScheduleScript, scheduleScripts } from "../helpers/scheduleScripts";

const dir = SCHEDULES_DIR;
const read = (file: string): string => readFileSync(path.join(dir, file), "utf8");

/** The Pulumi CLI version the project is tested with: the e2e toolchain's pin. */
const TESTED_PULUMI_VERSION = /^PULUMI_VERSION=(\S+)$/m.exec(
    readFileSync(path.resolve(__dirname, "..", "..", "localenv", "engine", "toolchain", "build.sh"), "utf8"),
)?.[1];

interface Step {
    uses?: string;
    run?: string;
    if?: string;
    with?: Record<string, unknown>;
    task?: string;
    condition?: string;
    inputs?: Record<string, string>;
    env?: Record<string, string>;
    bash?: string;
    script?: string;
    displayName?: string;
    name?: string;
    target?: { commands?: string; settableVariables?: string };
}

/** The step that installs the Pulumi CLI, in both files. */
const CLI_INSTALL = "Install the Pulumi CLI (pinned, checksum verified)";

/** Writes an executable file. */
function executable(file: string, text: string): void {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    chmodSync(file, 0o755);
}

/**
 * Runs one schedule script with bash in a scratch directory, with stand-ins for `az`, `pulumi`,
 * `kubelogin` and the installed `node_modules/.bin/apim-gateway-rotate` that record their
 * arguments (one JSON array per call) and succeed. `npm` runs `npm exec --offline --no -- BIN`
 * as the installed bin (the real npm's resolution in both repository shapes is run by
 * test/package/installShapes.test.ts; here it would cost seconds per call) and refuses anything else.
 */
function runScript(entry: ScheduleScript, env: Record<string, string>): { status: number | null; stderr: string; calls: string[][] } {
    const work = mkdtempSync(path.join(tmpdir(), "schedule-script-"));
    try {
        const calls = path.join(work, "calls.jsonl");
        const recorder =
            `#!/usr/bin/env bash\nnode -e 'require("fs").appendFileSync(process.argv[1], ` +
            `JSON.stringify(process.argv.slice(2)) + "\\n")' "${calls}" "$(basename "$0")" "$@"\n`;
        for (const tool of ["az", "pulumi", "kubelogin"]) {
            executable(path.join(work, "bin", tool), recorder);
        }
        executable(path.join(work, "node_modules", ".bin", "apim-gateway-rotate"), recorder);
        executable(
            path.join(work, "bin", "npm"),
            '#!/usr/bin/env bash\n[ "$1 $2 $3 $4" = "exec --offline --no --" ] || { echo "unexpected npm $*" >&2; exit 90; ' +
                '}\nshift 4\nbin="node_modules/.bin/$1"; shift\nexec "$bin" "$@"\n',
        );
        writeFileSync(calls, "");
        const run = spawnSync("bash", ["-e", "-c", entry.script], {
            cwd: work,
            env: { PATH: `${path.join(work, "bin")}:${process.env.PATH}`, HOME: work, AGENT_TEMPDIRECTORY: work, ...env },
            encoding: "utf8",
        });
        const recorded = readFileSync(calls, "utf8")
            .split("\n")
            .filter(Boolean)
            .map((line) => JSON.parse(line) as string[]);
        return { status: run.status, stderr: run.stderr, calls: recorded };
    } finally {
        rmSync(work, { recursive: true, force: true });
    }
}

function scriptOf(file: string, step: string): ScheduleScript {
    const found = scheduleScripts().find((entry) => entry.file === file && entry.step === step);
    assert.ok(found, `${file}: step "${step}"`);
    return found;
}

/** Stack names an operator could type that shell quoting or flag parsing gets wrong. */
const AWKWARD_NAMES = ["-n", "-e", "--all", "it's", 'a"b', "$(id)", "dev prod", "*"];

/** The rotation's arguments for one awkward name; the name stays one value, never a flag. */
function assertStackArgument(calls: string[][], name: string): void {
    const rotation = calls.filter((call) => call[0] === "apim-gateway-rotate");
    assert.equal(rotation.length, 1, JSON.stringify(calls));
    assert.deepEqual(rotation[0].slice(1), [`--stack=${name}`]);
    const parsed = parseCommandLine(rotation[0].slice(1), {});
    if (parsed.kind === "help") {
        assert.fail(`${name} was taken for --help`);
    } else if (parsed.kind === "run") {
        assert.deepEqual(parsed.options.plan.stacks, { all: false, names: [name.trim()] }, "the name is a value, not a flag");
    } else {
        assert.match(parsed.message, /stack/, "refused as a stack name");
    }
}

/** The rotation's calls of a script run. */
const rotations = (calls: string[][]): string[][] => calls.filter((call) => call[0] === "apim-gateway-rotate").map((call) => call.slice(1));

/**
 * Runs `entry` as each of `count` parallel jobs, with the job's place as the platform sets it
 * (`place(i)`, i from 0), and returns each job's rotation arguments; checks that together the jobs
 * cover every stack of a fleet exactly once, as the CLI parses their arguments.
 */
function asParallelJobs(
    entry: ScheduleScript,
    count: number,
    place: (index: number) => Record<string, string>,
    env: Record<string, string> = {},
): string[][] {
    const jobs = Array.from({ length: count }, (_, index) => {
        const run = runScript(entry, { ...env, ...place(index) });
        assert.equal(run.status, 0, run.stderr);
        const [args, ...more] = rotations(run.calls);
        assert.equal(more.length, 0);
        return args;
    });
    const fleet = Array.from({ length: 50 }, (_, index) => `site-${index}`);
    const covered = jobs.flatMap((args) => {
        const parsed = parseCommandLine(args, {});
        assert.equal(parsed.kind, "run", `${args.join(" ")}: ${parsed.kind === "usage-error" ? parsed.message : ""}`);
        return parsed.kind === "run" ? inShard(fleet, parsed.options.plan.shard) : [];
    });
    assert.deepEqual(covered.sort(), [...fleet].sort(), `${count} jobs cover every stack exactly once`);
    return jobs;
}

/** The `--shard` value of each job's arguments, or "none". */
const shardArguments = (jobs: string[][]): string[] =>
    jobs.map((args) => args.find((arg) => arg.startsWith("--shard="))?.slice("--shard=".length) ?? "none");

/** What N jobs must pass: nothing for one job, else 1/N .. N/N. */
const expectedShards = (count: number): string[] =>
    count === 1 ? ["none"] : Array.from({ length: count }, (_, index) => `${index + 1}/${count}`);

describe("rotation schedules", function () {
    // Each case runs the schedules' scripts with bash, dozens of processes: seconds on a busy machine.
    this.timeout(180_000);
    describe("GitHub Actions", () => {
        const text = read(GITHUB_WORKFLOW);
        const workflow = parse(text);
        const job = workflow.jobs.rotate;
        const steps: Step[] = job.steps;
        const uses = (name: string) => steps.find((step) => step.uses?.startsWith(`${name}@`));

        it("daily cron, manual inputs, one run at a time, rotation then a monitor", () => {
            assert.match(workflow.on.schedule[0].cron, /^\d+ \d+ \* \* \*$/);
            assert.deepEqual(Object.keys(workflow.on.workflow_dispatch.inputs), ["stack", "force", "regenerate_unused_key"]);
            assert.equal(workflow.concurrency["cancel-in-progress"], false);
            assert.equal(uses("actions/setup-node")?.with?.["node-version"], 22);
            assert.deepEqual(Object.keys(uses("azure/login")?.with ?? {}), ["client-id", "tenant-id", "subscription-id"]);
            assert.ok(uses("azure/aks-set-context"));
            assert.ok(steps.some((step) => step.run?.includes('pulumi login "$PULUMI_BACKEND_URL"')));
            const rotate = steps.find((step) => step.name === "Rotate due tokens");
            assert.ok(rotate?.run?.includes("args+=(--all)") && rotate.run.includes("args+=(--force)"));
            const monitor = steps[steps.length - 1];
            assert.equal(monitor.if, "always()");
            assert.deepEqual(rotations(runScript(scriptOf(GITHUB_WORKFLOW, "Check token expiry"), {}).calls), [["--all", "--check"]]);
            assert.equal(parseCommandLine(["--all", "--check"], {}).kind, "run");
            assert.equal(parseCommandLine(["--regenerate-unused-key", "--all", "--force"], {}).kind, "run");
        });

        it("fetches an AKS kubeconfig only when a variable names a cluster, as the header says they are optional", () => {
            assert.equal(uses("azure/aks-set-context")?.if, "vars.AKS_RESOURCE_GROUP != '' || vars.AKS_CLUSTER_NAME != ''");
            assert.match(text, /AKS_RESOURCE_GROUP and AKS_CLUSTER_NAME, only when stacks use the ambient kubeconfig/);
        });

        it("pins every action by full commit SHA, with its release in a comment", () => {
            const lines = text.split("\n").filter((line) => /^\s*-?\s*uses:/.test(line));
            assert.equal(lines.length, 4);
            for (const line of lines) {
                assert.match(line, /uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/, line);
            }
        });

        it("OIDC only in the job, secrets only in the steps that use them, no persisted credentials, no install scripts", () => {
            assert.deepEqual(workflow.permissions, { contents: "read" });
            assert.deepEqual(job.permissions, { contents: "read", "id-token": "write" });
            for (const env of [workflow.env ?? {}, job.env ?? {}]) {
                assert.ok(!JSON.stringify(env).includes("secrets."), "no secret job-wide");
            }
            assert.ok(!("PULUMI_CONFIG_PASSPHRASE" in (job.env ?? {})));
            const withPassphrase = steps.filter((step) => step.env?.PULUMI_CONFIG_PASSPHRASE !== undefined);
            assert.deepEqual(
                withPassphrase.map((step) => step.run?.includes("apim-gateway-rotate")),
                [true, true],
                "only the rotation and the monitor decrypt stack secrets",
            );
            for (const step of steps) {
                const secrets = JSON.stringify(step).match(/secrets\.\w+/g) ?? [];
                const expected = step.uses?.startsWith("azure/login@")
                    ? ["secrets.AZURE_CLIENT_ID", "secrets.AZURE_TENANT_ID", "secrets.AZURE_SUBSCRIPTION_ID"]
                    : step.run?.startsWith("pulumi login")
                      ? ["secrets.PULUMI_BACKEND_URL"]
                      : step.run?.includes("apim-gateway-rotate")
                        ? ["secrets.PULUMI_CONFIG_PASSPHRASE"]
                        : [];
                assert.deepEqual(secrets, expected, JSON.stringify(step));
            }
            assert.equal(uses("actions/checkout")?.with?.["persist-credentials"], false);
            assert.deepEqual(
                steps.filter((step) => step.run?.startsWith("npm ")).map((step) => step.run),
                ["npm ci --ignore-scripts --no-audit --no-fund"],
            );
        });

        it("a forced run, manual or dispatched, needs the protected environment; scheduled runs use the plain one", () => {
            // The same operands choose the environment and FORCE (test/workflow/workflowRunner.test.ts evaluates both).
            const forced = "inputs.force || github.event.client_payload.force";
            assert.equal(job.environment, `\${{ (${forced}) && 'apim-gateway-rotation-force' || 'apim-gateway-rotation' }}`);
            assert.equal(steps.find((step) => step.name === "Rotate due tokens")?.env?.FORCE, `\${{ ${forced} }}`);
            for (const name of ["apim-gateway-rotation", "apim-gateway-rotation-force"]) {
                assert.ok(
                    text.includes(`repo:<owner>/<repo>:environment:${name}`),
                    `the federated credential subject for ${name} is documented`,
                );
            }
        });

        it("no dependency cache, provider plugins checksum-pinned before any credential, no plugin download while rotating", () => {
            assert.equal(uses("actions/setup-node")?.with?.cache, undefined, "no cache: npm in the job that holds credentials");
            const plugins = steps.findIndex((step) => step.name === "Install the provider plugins (pinned, checksum verified)");
            const login = steps.findIndex((step) => step.uses?.startsWith("azure/login@"));
            assert.ok(plugins >= 0 && plugins < login, "plugins installed before azure/login");
            assert.ok(
                steps.slice(0, login).every((step) => !JSON.stringify(step).includes("secrets.")),
                "no secret before the sign-in",
            );
            for (const name of ["Rotate due tokens", "Check token expiry"]) {
                assert.equal(steps.find((step) => step.name === name)?.env?.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION, "true", name);
            }
            assert.match(text, /environment secrets, in both environments \(never repository secrets/);
        });

        it("regenerates unused keys only when asked: the dispatch input or the variable, off by default", () => {
            const input = workflow.on.workflow_dispatch.inputs.regenerate_unused_key;
            assert.deepEqual([input.type, input.default], ["boolean", false]);
            const rotate = steps.find((step) => step.name === "Rotate due tokens");
            assert.equal(
                rotate?.env?.REGENERATE_UNUSED_KEY,
                "${{ inputs.regenerate_unused_key || vars.APIM_GATEWAY_REGENERATE_UNUSED_KEY == 'true' }}",
            );
            const entry = scriptOf(GITHUB_WORKFLOW, "Rotate due tokens");
            for (const [value, expected] of [
                ["false", ["--all"]],
                ["", ["--all"]],
                ["true", ["--regenerate-unused-key", "--all"]],
            ] as const) {
                assert.deepEqual(
                    rotations(runScript(entry, { STACK: "", FORCE: "false", REGENERATE_UNUSED_KEY: value }).calls),
                    [expected],
                    `REGENERATE_UNUSED_KEY=${value}`,
                );
            }
        });

        it("installs the Pulumi CLI the project is tested with, pinned, before any credential or downloaded code is used", () => {
            assert.ok(TESTED_PULUMI_VERSION);
            assert.equal(job.env.PULUMI_VERSION, TESTED_PULUMI_VERSION);
            assert.equal(job.env.PULUMI_SHA256, "", "a required input the user fills in, never a value this repository cannot verify");
            const install = steps.findIndex((step) => step.name === CLI_INSTALL);
            const firstPulumi = steps.findIndex((step) => /(^|\s)pulumi /m.test(step.run ?? ""));
            const credential = steps.findIndex(
                (step) => step.uses?.startsWith("azure/login@") || JSON.stringify(step).includes("secrets."),
            );
            assert.ok(install >= 0, "the install step is there");
            assert.ok(install < credential, "before azure/login and every step given a secret");
            assert.ok(firstPulumi > install, "no step runs a `pulumi` from PATH before the verified one is on it");
            assert.deepEqual(
                steps.slice(0, install).map((step) => step.uses?.replace(/@.*/, "") ?? step.run),
                ["actions/checkout", "actions/setup-node", "npm ci --ignore-scripts --no-audit --no-fund"],
                "before it: pinned actions and an install that runs no script",
            );
            assert.ok(!steps.some((step) => step.uses?.startsWith("pulumi/")), "no action downloads a CLI unverified");
        });

        describe("Azure's expiry events, relayed as repository_dispatch", () => {
            const entry = scriptOf(GITHUB_WORKFLOW, "Rotate due tokens");
            /** A payload that would run commands if it were ever pasted into the script. */
            const events = JSON.stringify([
                { id: "$(touch pwned)", topic: "'; touch pwned; '", subject: "`touch pwned`", data: { note: '"\\n' } },
            ]);
            const base = { STACK: "", FORCE: "false", REGENERATE_UNUSED_KEY: "false", TRIGGER: "repository_dispatch", EVENTS: events };

            it("is triggered by the relay's event type; the payload reaches the step through the environment only", () => {
                assert.deepEqual(workflow.on.repository_dispatch, { types: ["apim-gateway-token-expiry"] });
                assert.equal(entry.env.EVENTS, "${{ toJSON(github.event.client_payload.events) }}");
                assert.equal(entry.env.TRIGGER, "${{ github.event_name }}");
                const scripts = steps.map((step) => step.run ?? "").join("\n");
                assert.ok(!scripts.includes("github.event"), "no run: script interpolates the event");
            });

            it("writes the events to a file, byte for byte, and runs --all --event FILE once, in the first job only", () => {
                const scratch = mkdtempSync(path.join(tmpdir(), "dispatch-"));
                try {
                    for (const [index, expected] of [
                        ["0", 1],
                        ["1", 0],
                    ] as const) {
                        const run = runScript(entry, { ...base, RUNNER_TEMP: scratch, SHARD_INDEX: index, SHARD_COUNT: "2" });
                        assert.equal(run.status, 0, run.stderr);
                        const calls = rotations(run.calls);
                        assert.equal(calls.length, expected, `job ${index}`);
                        if (expected === 1) {
                            const file = path.join(scratch, "apim-gateway-token-events.json");
                            assert.deepEqual(calls[0], ["--all", "--event", file]);
                            assert.equal(readFileSync(file, "utf8"), events);
                            const parsed = parseCommandLine(calls[0], {});
                            assert.equal(parsed.kind === "run" ? parsed.options.eventFile : parsed.kind, file);
                        }
                    }
                    assert.ok(!readdirSync(scratch).includes("pwned"), "nothing in the payload ran");
                } finally {
                    rmSync(scratch, { recursive: true, force: true });
                }
            });

            /** The rotation's arguments for one dispatch, and the events file they name. */
            function dispatched(env: Record<string, string>): { args: string[][]; file: string } {
                const scratch = mkdtempSync(path.join(tmpdir(), "dispatch-"));
                try {
                    const run = runScript(entry, { ...base, RUNNER_TEMP: scratch, ...env });
                    assert.equal(run.status, 0, run.stderr);
                    return { args: rotations(run.calls), file: path.join(scratch, "apim-gateway-token-events.json") };
                } finally {
                    rmSync(scratch, { recursive: true, force: true });
                }
            }

            it("never passes --regenerate-unused-key, whatever the variable says", () => {
                const { args, file } = dispatched({ REGENERATE_UNUSED_KEY: "true" });
                assert.deepEqual(args, [["--all", "--event", file]]);
                const parsed = parseCommandLine(args[0], {});
                assert.equal(parsed.kind === "run" && parsed.options.plan.regenerateUnusedKey, false);
            });

            it("passes --force only when the dispatch asks for it with true (the force environment's approval first)", () => {
                for (const [force, expected] of [
                    ["true", ["--force"]],
                    ["false", []],
                    ["", []],
                    ["yes", []],
                    ["Object", []],
                ] as const) {
                    const { args, file } = dispatched({ FORCE: force, REGENERATE_UNUSED_KEY: "true" });
                    assert.deepEqual(args, [["--all", "--event", file, ...expected]], `FORCE=${force}`);
                }
            });
        });

        it("passes any stack name as one --stack= value", () => {
            const entry = scriptOf(GITHUB_WORKFLOW, "Rotate due tokens");
            for (const name of AWKWARD_NAMES) {
                const run = runScript(entry, { STACK: name, FORCE: "false", REGENERATE_UNUSED_KEY: "false" });
                assert.equal(run.status, 0, run.stderr);
                assertStackArgument(run.calls, name);
            }
            const all = runScript(entry, { STACK: "", FORCE: "true", REGENERATE_UNUSED_KEY: "true" });
            assert.deepEqual(all.calls, [["apim-gateway-rotate", "--force", "--regenerate-unused-key", "--all"]]);
        });
        describe("sharded: a matrix of N jobs", () => {
            const rotate = scriptOf(GITHUB_WORKFLOW, "Rotate due tokens");
            const monitor = scriptOf(GITHUB_WORKFLOW, "Check token expiry");
            /** GitHub's strategy.job-index (0-based) and strategy.job-total. */
            const place = (count: number) => (index: number) => ({ SHARD_INDEX: String(index), SHARD_COUNT: String(count) });

            it(
                "is one job by default, never cancelled by another shard's " + "failure, and takes K/N from the job's place in the matrix",
                () => {
                    assert.deepEqual(job.strategy, { "fail-fast": false, matrix: { shard: [1] } });
                    assert.equal(job.env.SHARD_INDEX, "${{ strategy.job-index }}");
                    assert.equal(job.env.SHARD_COUNT, "${{ strategy.job-total }}");
                    assert.match(text, /e\.g\. \[1, 2, 3, 4\]/, "the file says how to shard");
                },
            );

            it("N jobs pass --shard 1/N .. N/N to the rotation and the monitor, covering every stack once; one job passes none", () => {
                for (const count of [1, 2, 3, 5]) {
                    const jobs = asParallelJobs(rotate, count, place(count), { STACK: "", FORCE: "false", REGENERATE_UNUSED_KEY: "true" });
                    assert.deepEqual(shardArguments(jobs), expectedShards(count), `N=${count}`);
                    assert.ok(jobs.every((args) => args[0] === "--regenerate-unused-key" && args.includes("--all")));
                    assert.deepEqual(
                        shardArguments(asParallelJobs(monitor, count, place(count))),
                        expectedShards(count),
                        `monitor, N=${count}`,
                    );
                }
            });

            it("a manual run of one stack rotates it in exactly one of the jobs", () => {
                const jobs = asParallelJobs(rotate, 4, place(4), { STACK: "prod", FORCE: "true" });
                const plans = jobs
                    .map((args) => parseCommandLine(args, {}))
                    .flatMap((parsed) => (parsed.kind === "run" ? [parsed.options.plan] : []));
                assert.equal(
                    plans.filter((plan) => plan.stacks.all === false && inShard(plan.stacks.names, plan.shard).length === 1).length,
                    1,
                );
            });
        });
    });

    describe("Azure DevOps", () => {
        const pipeline = parse(read(AZURE_PIPELINE));
        const steps: Step[] = pipelineSteps();
        const rotateStage = pipeline.stages.find((stage: { stage?: string }) => stage.stage === "rotate");
        const rotateJob = rotateStage.jobs[0];

        it("scheduled, workload-identity AzureCLI tasks, rotation then a monitor", () => {
            assert.equal(pipeline.trigger, "none");
            assert.match(pipeline.schedules[0].cron, /^\d+ \d+ \* \* \*$/);
            assert.equal(pipeline.schedules[0].always, true);
            const tasks = steps.filter((step) => step.task === "AzureCLI@2");
            assert.equal(tasks.length, 2);
            for (const task of tasks) {
                assert.equal(task.inputs?.azureSubscription, "$(azureServiceConnection)");
                assert.equal(task.env?.PULUMI_CONFIG_PASSPHRASE, "$(PULUMI_CONFIG_PASSPHRASE)");
            }
            assert.match(tasks[0].inputs?.inlineScript ?? "", /npm exec --offline --no -- apim-gateway-rotate "\$\{args\[@\]\}"/);
            assert.equal(tasks[0].env?.REGENERATE_UNUSED_KEY, "${{ parameters.regenerateUnusedKey }}");
            assert.equal(tasks[1].condition, "always()");
            const monitor = runScript(scriptOf(AZURE_PIPELINE, "Check token expiry"), { PULUMI_BACKEND_URL: "file:///state" });
            assert.deepEqual(rotations(monitor.calls), [["--all", "--check"]]);
            assert.ok(steps.some((step) => step.task === "UseNode@1"));
            assert.deepEqual(
                steps.filter((step) => step.script?.startsWith("npm ")).map((step) => step.script),
                ["npm ci --ignore-scripts --no-audit --no-fund"],
            );
        });

        it("every step runs with restricted logging commands and sets no variable; the summary step alone may upload its file", () => {
            assert.ok(steps.length >= 9);
            for (const step of steps) {
                const label = step.displayName ?? step.task ?? step.bash ?? JSON.stringify(step);
                assert.equal(step.target?.settableVariables, "none", label);
                if (step.displayName === "Publish the rotation summary") {
                    assert.equal(step.target?.commands, undefined, "uploadsummary is not allowed in restricted mode");
                    assert.doesNotMatch(step.bash ?? "", /apim-gateway-rotate|pulumi|npm/, "it runs nothing");
                } else {
                    assert.equal(step.target?.commands, "restricted", label);
                }
            }
        });

        it("a forced run waits for the approval of the force environment; regeneration is a parameter, off by default", () => {
            const force = pipeline.parameters.find((parameter: { name: string }) => parameter.name === "force");
            const regenerate = pipeline.parameters.find((parameter: { name: string }) => parameter.name === "regenerateUnusedKey");
            assert.deepEqual([force.type, force.default, regenerate.type, regenerate.default], ["boolean", false, "boolean", false]);
            const gate = pipeline.stages.find((entry: Record<string, unknown>) => "${{ if eq(parameters.force, true) }}" in entry);
            assert.ok(gate, "the approval stage is inserted when force is true");
            const [stage] = gate["${{ if eq(parameters.force, true) }}"];
            assert.equal(stage.stage, "approve_force");
            assert.equal(stage.jobs[0].environment, "apim-gateway-rotation-force");
            assert.equal(rotateStage["${{ if eq(parameters.force, true) }}"].dependsOn, "approve_force");
            assert.match(read(AZURE_PIPELINE), /"Branch control" check/);
        });

        it("has no event trigger: no run of it passes --event, so none is event-driven (the GitHub workflow's are tested above)", () => {
            assert.deepEqual([pipeline.trigger, pipeline.pr, pipeline.resources], ["none", "none", undefined]);
            for (const entry of scheduleScripts().filter((script) => script.file === AZURE_PIPELINE)) {
                assert.doesNotMatch(entry.script, /--event/, entry.step);
            }
        });

        it("the webhook example in docs/events-and-metrics.md: restricted, no expansion in its script, no --force, no regeneration", () => {
            const docs = readFileSync(path.resolve(__dirname, "..", "..", "docs", "events-and-metrics.md"), "utf8");
            const blocks = [...docs.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((match) => parse(match[1]));
            const example = blocks.find((block) => block?.resources?.webhooks !== undefined);
            assert.ok(example, "the example is there");
            const exampleSteps: Step[] = example.steps;
            assert.ok(exampleSteps.length > 0);
            for (const step of exampleSteps) {
                assert.deepEqual(step.target, { commands: "restricted", settableVariables: "none" });
                const script = step.inputs?.inlineScript ?? step.bash ?? step.script ?? "";
                assert.match(script, /apim-gateway-rotate --all --event "\$events_file"$/m);
                assert.doesNotMatch(script, /\$\{\{|\$\(|--force|--regenerate-unused-key/, "the payload and variables come through env");
                assert.match(step.env?.EVENTS ?? "", /^\$\{\{ convertToJson\(parameters\.\w+\.events\) \}\}$/);
            }
        });

        it("maps secrets only into the steps that use them", () => {
            const withPassphrase = steps.filter((step) => step.env?.PULUMI_CONFIG_PASSPHRASE !== undefined);
            assert.deepEqual(
                withPassphrase.map((step) => step.displayName),
                ["Rotate due tokens", "Check token expiry"],
            );
            assert.ok(!pipeline.variables.some((variable: { name?: string }) => variable.name === "PULUMI_CONFIG_PASSPHRASE"));
        });

        it("installs the Pulumi CLI before any step holds a credential, and never pipes a download into a shell", () => {
            const install = steps.findIndex((step) => step.displayName === CLI_INSTALL);
            const credential = steps.findIndex(
                (step) => step.task === "AzureCLI@2" || JSON.stringify(step.env ?? {}).includes("PASSPHRASE"),
            );
            assert.ok(install >= 0 && install < credential, "installed before the service connection's credential is in the job");
            for (const entry of scheduleScripts()) {
                assert.doesNotMatch(entry.script, /\|\s*(ba|z)?sh\b/, `${entry.file}: ${entry.step}`);
            }
        });

        it("passes any stack name as one --stack= value, trimmed", () => {
            const rotate = scriptOf(AZURE_PIPELINE, "Rotate due tokens");
            const env = {
                FORCE: "False",
                REGENERATE_UNUSED_KEY: "False",
                AKS_RESOURCE_GROUP: "rg",
                AKS_CLUSTER_NAME: "aks",
                PULUMI_BACKEND_URL: "file:///state",
                GITHUB_STEP_SUMMARY: "/tmp/summary.md",
            };
            for (const name of AWKWARD_NAMES) {
                const run = runScript(rotate, { ...env, STACK: `  ${name} ` });
                assert.equal(run.status, 0, run.stderr);
                assertStackArgument(run.calls, name);
            }
            const all = runScript(rotate, { ...env, STACK: " ", FORCE: "True", REGENERATE_UNUSED_KEY: "True" });
            assert.deepEqual(
                all.calls.filter((call) => call[0] === "apim-gateway-rotate"),
                [["apim-gateway-rotate", "--regenerate-unused-key", "--all", "--force"]],
            );
            assert.deepEqual(
                all.calls.filter((call) => call[0] === "pulumi"),
                [["pulumi", "login", "file:///state"]],
            );
        });
        describe("sharded: N parallel jobs", () => {
            const rotate = scriptOf(AZURE_PIPELINE, "Rotate due tokens");
            const monitor = scriptOf(AZURE_PIPELINE, "Check token expiry");
            const env = {
                FORCE: "False",
                STACK: " ",
                REGENERATE_UNUSED_KEY: "True",
                AKS_RESOURCE_GROUP: "rg",
                AKS_CLUSTER_NAME: "aks",
                PULUMI_BACKEND_URL: "file:///state",
                GITHUB_STEP_SUMMARY: "/tmp/summary.md",
            };
            /** Azure's System.JobPositionInPhase (1-based) and System.TotalJobsInPhase. */
            const place = (count: number) => (index: number) => ({ SHARD_INDEX: String(index + 1), SHARD_COUNT: String(count) });

            it("is one job by default and maps the job's position and the job count into both steps", () => {
                assert.deepEqual(rotateJob.strategy, { parallel: 1 });
                for (const entry of [rotate, monitor]) {
                    assert.equal(entry.env.SHARD_INDEX, "$(System.JobPositionInPhase)");
                    assert.equal(entry.env.SHARD_COUNT, "$(System.TotalJobsInPhase)");
                }
            });

            it("N jobs pass --shard 1/N .. N/N to the rotation and the monitor, covering every stack once; one job passes none", () => {
                for (const count of [1, 2, 3, 5]) {
                    const jobs = asParallelJobs(rotate, count, place(count), env);
                    assert.deepEqual(shardArguments(jobs), expectedShards(count), `N=${count}`);
                    assert.ok(jobs.every((args) => args[0] === "--regenerate-unused-key" && args.includes("--all")));
                    assert.deepEqual(
                        shardArguments(asParallelJobs(monitor, count, place(count), env)),
                        expectedShards(count),
                        `monitor, N=${count}`,
                    );
                }
            });

            it(
                "a variable the agent did not expand reaches the CLI, which " +
                    "refuses it (exit 2) instead of rotating everything N times",
                () => {
                    const run = runScript(rotate, {
                        ...env,
                        SHARD_INDEX: "$(System.JobPositionInPhase)",
                        SHARD_COUNT: "$(System.TotalJobsInPhase)",
                    });
                    const [args] = rotations(run.calls);
                    const parsed = parseCommandLine(args, {});
                    assert.equal(parsed.kind, "usage-error");
                    assert.match(parsed.kind === "usage-error" ? parsed.message : "", /--shard must be K\/N/);
                },
            );
        });
    });

    describe("the Pulumi CLI install (both files) verifies the archive before running it", () => {
        const version = TESTED_PULUMI_VERSION ?? "";
        const archive = `pulumi-v${version}-linux-x64.tar.gz`;
        /** Each file's step, how it names the pin, and where it puts the CLI on PATH (Azure: prependpath; GitHub: $GITHUB_PATH). */
        const files = [
            { file: AZURE_PIPELINE, pin: "pulumiSha256", unset: /set the variable pulumiSha256/ },
            { file: GITHUB_WORKFLOW, pin: "PULUMI_SHA256", unset: /set PULUMI_SHA256 in the job's env/ },
        ].map((entry) => ({ ...entry, install: scriptOf(entry.file, CLI_INSTALL) }));
        let fixtures: string;
        let sha: string;
        before(() => {
            fixtures = mkdtempSync(path.join(tmpdir(), "pulumi-release-"));
            executable(path.join(fixtures, "tree", "pulumi", "pulumi"), `#!/usr/bin/env bash\necho "v${version}"\n`);
            assert.equal(spawnSync("tar", ["-czf", path.join(fixtures, archive), "-C", path.join(fixtures, "tree"), "pulumi"]).status, 0);
            sha = spawnSync("sha256sum", [path.join(fixtures, archive)], { encoding: "utf8" }).stdout.split(" ")[0];
        });
        after(() => rmSync(fixtures, { recursive: true, force: true }));

        /**
         * Runs a file's install step with a `curl` that serves the fixtures by URL file name; returns
         * its output, the URLs fetched, and the directory it put on PATH.
         */
        function installWith(
            install: ScheduleScript,
            checksums: string,
            pinned: string,
            tamper = false,
        ): { status: number | null; output: string; urls: string[]; onPath: string[] } {
            writeFileSync(path.join(fixtures, `pulumi-${version}-checksums.txt`), checksums);
            const bin = path.join(fixtures, "bin");
            const log = path.join(fixtures, "urls.txt");
            writeFileSync(log, "");
            executable(
                path.join(bin, "curl"),
                `#!/usr/bin/env bash\nout=; url=\nwhile [ $# -gt 0 ]; do case "$1" in -o) out="$2"; shift 2;; ` +
                    `--proto|--tlsv1.2) [ "$1" = --proto ] && shift; shift;; -*) shift;; *) url="$1"; shift;; esac; done\n` +
                    `echo "$url" >> "${log}"\ncp "${fixtures}/$(basename "$url")" "$out"\n` +
                    (tamper ? `[ "$(basename "$url")" = "${archive}" ] && echo tampered >> "$out"\n` : "") +
                    "exit 0\n",
            );
            const temp = mkdtempSync(path.join(fixtures, "temp-"));
            const githubPath = path.join(temp, "github-path");
            writeFileSync(githubPath, "");
            const run = spawnSync("bash", ["-e", "-c", install.script], {
                env: {
                    PATH: `${bin}:${process.env.PATH}`,
                    AGENT_TEMPDIRECTORY: temp,
                    RUNNER_TEMP: temp,
                    GITHUB_PATH: githubPath,
                    PULUMI_VERSION: version,
                    PULUMI_SHA256: pinned,
                },
                encoding: "utf8",
            });
            const prepended = [...run.stdout.matchAll(/^##vso\[task\.prependpath\](.*)$/gm)].map((match) => match[1]);
            return {
                status: run.status,
                output: run.stdout + run.stderr,
                urls: readFileSync(log, "utf8").split("\n").filter(Boolean),
                onPath: [...prepended, ...readFileSync(githubPath, "utf8").split("\n").filter(Boolean)],
            };
        }

        it("is in both files, fed the pinned version and SHA-256", () => {
            const pipeline = parse(read(AZURE_PIPELINE));
            const variable = (name: string) => pipeline.variables.find((entry: { name?: string }) => entry.name === name)?.value;
            assert.deepEqual([variable("pulumiVersion"), variable("pulumiSha256")], [TESTED_PULUMI_VERSION, ""]);
            assert.deepEqual(files[0].install.env, { PULUMI_VERSION: "$(pulumiVersion)", PULUMI_SHA256: "$(pulumiSha256)" });
            const job = parse(read(GITHUB_WORKFLOW)).jobs.rotate;
            assert.deepEqual([job.env.PULUMI_VERSION, job.env.PULUMI_SHA256], [TESTED_PULUMI_VERSION, ""]);
            assert.deepEqual(files[1].install.env, {}, "the job's env feeds it");
        });

        for (const { file, pin, unset, install } of files) {
            describe(file, () => {
                it("installs and runs the pinned release when its checksum matches", () => {
                    const run = installWith(install, `${sha}  ${archive}\n0000  pulumi-v${version}-darwin-x64.tar.gz\n`, sha);
                    assert.equal(run.status, 0, run.output);
                    assert.deepEqual(run.urls, [
                        `https://github.com/pulumi/pulumi/releases/download/v${version}/${archive}`,
                        `https://github.com/pulumi/pulumi/releases/download/v${version}/pulumi-${version}-checksums.txt`,
                    ]);
                    assert.equal(run.onPath.length, 1);
                    assert.match(run.onPath[0], /\/pulumi-cli\/pulumi$/);
                    assert.match(run.output, new RegExp(`^v${version.replace(/\./g, "\\.")}$`, "m"), "the installed CLI ran");
                });

                it(`refuses to run without ${pin}, before downloading anything`, () => {
                    for (const pinned of ["", "not-a-sha", sha.toUpperCase(), `${sha}\n`, ` ${sha}`]) {
                        const run = installWith(install, `${sha}  ${archive}\n`, pinned);
                        assert.notEqual(run.status, 0, JSON.stringify(pinned));
                        assert.match(run.output, unset);
                        assert.deepEqual(run.urls, []);
                        assert.deepEqual(run.onPath, []);
                    }
                });

                it("refuses a tampered archive, an archive missing from the checksums, and a checksum other than the pinned one", () => {
                    const tampered = installWith(install, `${sha}  ${archive}\n`, sha, true);
                    assert.notEqual(tampered.status, 0);
                    assert.match(tampered.output, /FAILED/);
                    const unlisted = installWith(install, `${sha}  pulumi-v${version}-darwin-x64.tar.gz\n`, sha);
                    assert.notEqual(unlisted.status, 0);
                    assert.match(unlisted.output, /is not listed in the release's checksums/);
                    const pinnedOther = installWith(install, `${sha}  ${archive}\n`, "f".repeat(64));
                    assert.notEqual(pinnedOther.status, 0);
                    assert.match(pinnedOther.output, new RegExp(`differs from ${pin}`));
                    for (const run of [tampered, unlisted, pinnedOther]) {
                        assert.deepEqual(run.onPath, [], "nothing put on PATH");
                        assert.doesNotMatch(
                            run.output,
                            new RegExp(`^v${version.replace(/\./g, "\\.")}$`, "m"),
                            "the archive's CLI never ran",
                        );
                    }
                });
            });
        }
    });

    describe("the provider plugins step (both files)", () => {
        const entries = scheduleScripts().filter((entry) => entry.step === "Install the provider plugins (pinned, checksum verified)");
        const sha = "a".repeat(64);

        /** Runs the step in a project whose node_modules has the two SDKs at `versions`, with `plugins` as its PLUGINS. */
        function installPlugins(entry: ScheduleScript, plugins: string, versions: Record<string, string>) {
            const work = mkdtempSync(path.join(tmpdir(), "schedule-plugins-"));
            try {
                for (const [name, version] of Object.entries(versions)) {
                    mkdirSync(path.join(work, "node_modules", name), { recursive: true });
                    writeFileSync(path.join(work, "node_modules", name, "package.json"), JSON.stringify({ name, version }));
                }
                const calls = path.join(work, "calls.jsonl");
                writeFileSync(calls, "");
                executable(
                    path.join(work, "bin", "pulumi"),
                    `#!/usr/bin/env bash\nnode -e 'require("fs").appendFileSync(process.argv[1], ` +
                        `JSON.stringify(process.argv.slice(2)) + "\\n")' "${calls}" "$@"\n`,
                );
                const run = spawnSync("bash", ["-e", "-c", entry.script], {
                    cwd: work,
                    env: { PATH: `${path.join(work, "bin")}:${process.env.PATH}`, PLUGINS: plugins },
                    encoding: "utf8",
                });
                const recorded = readFileSync(calls, "utf8")
                    .split("\n")
                    .filter(Boolean)
                    .map((line) => JSON.parse(line) as string[]);
                return { status: run.status, output: run.stdout + run.stderr, calls: recorded };
            } finally {
                rmSync(work, { recursive: true, force: true });
            }
        }
        const lockfile = JSON.parse(readFileSync(path.resolve(__dirname, "..", "..", "package-lock.json"), "utf8"));
        const locked = (name: string): string => lockfile.packages[`node_modules/${name}`].version;

        it("is in both files and pins the SDK versions of package-lock.json", () => {
            assert.deepEqual(entries.map((entry) => entry.file).sort(), [AZURE_PIPELINE, GITHUB_WORKFLOW].sort());
            for (const entry of entries) {
                const lines = entry.env.PLUGINS.trim()
                    .split("\n")
                    .map((line) => line.split(" "));
                assert.deepEqual(
                    lines.map(([name, version]) => [name, version]),
                    [
                        ["@pulumi/azure-native", locked("@pulumi/azure-native")],
                        ["@pulumi/kubernetes", locked("@pulumi/kubernetes")],
                    ],
                );
            }
        });

        it("installs each plugin with its checksum; refuses an unset checksum or a version other than the installed one", () => {
            const versions = { "@pulumi/azure-native": "3.28.0", "@pulumi/kubernetes": "4.32.0" };
            for (const entry of entries) {
                const ok = installPlugins(entry, `@pulumi/azure-native 3.28.0 ${sha}\n@pulumi/kubernetes 4.32.0 ${sha}\n`, versions);
                assert.equal(ok.status, 0, ok.output);
                assert.deepEqual(ok.calls, [
                    ["plugin", "install", "resource", "azure-native", "3.28.0", "--checksum", sha],
                    ["plugin", "install", "resource", "kubernetes", "4.32.0", "--checksum", sha],
                ]);
                const unset = installPlugins(entry, entry.env.PLUGINS, versions);
                assert.notEqual(unset.status, 0);
                assert.match(unset.output, /@pulumi\/azure-native: set the SHA-256 of its plugin archive in PLUGINS/);
                assert.deepEqual(unset.calls, []);
                const moved = installPlugins(entry, `@pulumi/azure-native 3.27.0 ${sha}\n`, versions);
                assert.notEqual(moved.status, 0);
                assert.match(moved.output, /@pulumi\/azure-native 3\.28\.0 is installed, the (workflow|pipeline) pins 3\.27\.0/);
            }
        });

        it("takes, as written, the lines `apim-gateway-rotate plugin-lines` prints for the project's installed providers", async () => {
            const archive = (url: string) => `archive at ${url}`;
            const server = createServer((request, response) => response.end(archive(request.url ?? "")));
            await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
            const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
            const printed = await new Promise<string>((resolve, reject) =>
                execFile(
                    process.execPath,
                    ["-r", "ts-node/register/transpile-only", "rotation/cli.ts", "plugin-lines", "--releases-url", base],
                    { cwd: path.resolve(__dirname, "..", "..") },
                    (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
                ),
            ).finally(() => server.close());
            const versions = { "@pulumi/azure-native": locked("@pulumi/azure-native"), "@pulumi/kubernetes": locked("@pulumi/kubernetes") };
            const digest = (name: string, version: string) =>
                createHash("sha256")
                    .update(archive(`/pulumi-${name}/releases/download/v${version}/pulumi-resource-${name}-v${version}-linux-amd64.tar.gz`))
                    .digest("hex");
            for (const entry of entries) {
                const run = installPlugins(entry, printed, versions);
                assert.equal(run.status, 0, run.output);
                assert.deepEqual(
                    run.calls,
                    Object.entries(versions).map(([pkg, version]) => {
                        const name = pkg.slice("@pulumi/".length);
                        return ["plugin", "install", "resource", name, version, "--checksum", digest(name, version)];
                    }),
                );
            }
        });
    });

    it("the custom role grants exactly the ARM actions the code calls (no gateways/read: nothing reads the gateway)", () => {
        const role = JSON.parse(read("apim-gateway-token-rotator.role.json"));
        assert.equal(role.IsCustom, true);
        assert.deepEqual([...role.Actions].sort(), Object.values(requiredActions).sort());
        assert.deepEqual([role.NotActions, role.DataActions, role.NotDataActions], [[], [], []]);
        assert.ok(role.AssignableScopes.length > 0);
    });

    it("the custom role is assignable only on gateways, the narrowest scope ARM checks its two actions at", () => {
        const role = JSON.parse(read("apim-gateway-token-rotator.role.json"));
        for (const scope of role.AssignableScopes) {
            assert.match(
                scope,
                /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.ApiManagement\/service\/[^/]+\/gateways\/[^/]+$/,
                `${scope} is broader than one gateway`,
            );
        }
    });

    describe("Kubernetes RBAC (proven on the control plane by test/cluster/rbac.cluster.ts)", () => {
        interface Rule {
            apiGroups: string[];
            resources: string[];
            resourceNames?: string[];
            verbs: string[];
        }
        interface Doc {
            kind: string;
            metadata: { name: string; namespace?: string };
            rules?: Rule[];
            roleRef?: { kind: string; name: string };
        }
        const docs = (file: string): Doc[] => parseAllDocuments(read(file)).map((doc) => doc.toJS() as Doc);
        const verbs = (rules: Rule[], group: string, resource: string): string[] =>
            rules.filter((rule) => rule.apiGroups.includes(group) && rule.resources.includes(resource)).flatMap((rule) => rule.verbs);
        /** Every rule is preceded by a comment saying why its verbs are there. */
        const everyRuleExplained = (file: string) => {
            const lines = read(file).split("\n");
            lines.forEach((line, index) => {
                if (/^\s+verbs:/.test(line)) {
                    const above = lines.slice(0, index).reverse();
                    const ruleStart = above.findIndex((candidate) => /^\s+- apiGroups:/.test(candidate));
                    assert.ok(
                        above.slice(0, ruleStart).some((candidate) => /^\s+#/.test(candidate)),
                        `${file}: the rule ending at line ${index + 1} says why`,
                    );
                }
            });
        };

        it("the rotation's Role: one namespace, no update, delete only Secrets (its admission policy: admissionPolicy.test.ts)", () => {
            const [role, binding] = docs("kubernetes-rbac.yaml") as (Doc & Record<string, any>)[];
            assert.deepEqual([role.kind, binding.kind], ["Role", "RoleBinding"]);
            assert.equal(binding.metadata.namespace, role.metadata.namespace);
            assert.deepEqual(binding.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name });
            const rules = role.rules ?? [];
            assert.deepEqual(verbs(rules, "", "secrets").sort(), ["create", "delete", "get", "list", "patch", "watch"]);
            assert.deepEqual(verbs(rules, "apps", "deployments").sort(), ["get", "list", "patch", "watch"]);
            assert.ok(rules.every((rule) => !rule.verbs.includes("update") && !rule.verbs.includes("*")));
            assert.ok(rules.every((rule) => !rule.verbs.includes("delete") || rule.resources.join() === "secrets"));
            assert.ok(rules.every((rule) => !rule.resources.includes("*") && !rule.apiGroups.includes("*")));
            everyRuleExplained("kubernetes-rbac.yaml");
        });

        it("the deploy Role: the namespace it creates, a namespaced Role, and cluster-scoped rules for that Namespace only", () => {
            const all = docs("kubernetes-deploy-rbac.yaml");
            assert.deepEqual(
                all.map((doc) => doc.kind),
                ["Namespace", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"],
            );
            const [namespace, role, binding, clusterRole, clusterBinding] = all;
            assert.equal(role.metadata.namespace, namespace.metadata.name);
            assert.equal(binding.metadata.namespace, namespace.metadata.name);
            assert.equal(binding.roleRef?.name, role.metadata.name);
            assert.equal(clusterBinding.roleRef?.name, clusterRole.metadata.name);
            assert.deepEqual(clusterRole.rules, [
                { apiGroups: [""], resources: ["namespaces"], resourceNames: [namespace.metadata.name], verbs: ["get", "patch"] },
            ]);
            const rules = role.rules ?? [];
            assert.ok(rules.every((rule) => !rule.verbs.includes("update") && !rule.verbs.includes("*") && !rule.resources.includes("*")));
            everyRuleExplained("kubernetes-deploy-rbac.yaml");
        });
    });
});
