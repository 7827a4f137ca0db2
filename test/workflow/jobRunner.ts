/**
 * Runs one planned job as a hosted Linux runner would: a fresh workspace, HOME and temp directory;
 * each step in order when its condition holds; scripts written to a file and run by the CI
 * system's shell, verbatim; `uses:` actions and tasks replaced by the local steps of
 * ./substitutions.ts. Between steps it applies what a step exported the way the CI system does
 * (GitHub: $GITHUB_ENV and $GITHUB_PATH files; Azure Pipelines: `##vso[task.prependpath]`), and
 * keeps each step's job summary ($GITHUB_STEP_SUMMARY).
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { CiPlatform } from "./ciPlatform";
import { isReusableInstall } from "./installReuse";
import { JobPlan, ScriptAction, StepPlan } from "./plan";
import { substitute } from "./substitutions";

/** A job's directories. */
export interface JobDirectories {
    /** Where the checkout goes and scripts run (GITHUB_WORKSPACE, Build.SourcesDirectory). */
    readonly workspace: string;
    readonly home: string;
    /** RUNNER_TEMP, Agent.TempDirectory. */
    readonly temp: string;
}

export function createJobDirectories(root: string): JobDirectories {
    const dirs = { workspace: path.join(root, "work"), home: path.join(root, "home"), temp: path.join(root, "temp") };
    Object.values(dirs).forEach((dir) => mkdirSync(dir, { recursive: true }));
    return dirs;
}

export type StepOutcome = "success" | "failure" | "skipped";

export interface StepResult {
    readonly name: string;
    readonly outcome: StepOutcome;
    /** Everything the step printed (stdout and stderr, interleaved as they came). */
    readonly output: string;
    /** What the step wrote to $GITHUB_STEP_SUMMARY. */
    readonly summary: string;
}

export interface JobResult {
    readonly name: string;
    readonly environment?: string;
    readonly steps: readonly StepResult[];
    readonly conclusion: "success" | "failure";
}

/** A bound for one step (the schedules allow 60 minutes for the whole job; a step here takes a few). */
const STEP_TIMEOUT_MS = 10 * 60_000;

/** The PATH of a fresh hosted runner before any setup step: the system's tools, not this suite's Node.js. */
const SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** What a step left for the next ones. */
interface JobState {
    readonly exported: Record<string, string>;
    /** Most recently added first. */
    readonly paths: string[];
}

function systemVariables(job: JobPlan, dirs: JobDirectories): Record<string, string> {
    return job.system === "github"
        ? { GITHUB_ACTIONS: "true", GITHUB_WORKSPACE: dirs.workspace, RUNNER_TEMP: dirs.temp, RUNNER_OS: "Linux" }
        : { TF_BUILD: "True", AGENT_TEMPDIRECTORY: dirs.temp, BUILD_SOURCESDIRECTORY: dirs.workspace, AGENT_OS: "Linux" };
}

export async function runJob(job: JobPlan, platform: CiPlatform, dirs: JobDirectories): Promise<JobResult> {
    writeFileSync(path.join(dirs.home, ".curlrc"), platform.curlrc);
    const state: JobState = { exported: {}, paths: [] };
    const results: StepResult[] = [];
    let failed = false;
    for (const [index, step] of job.steps.entries()) {
        if (!step.runs(failed)) {
            results.push({ name: step.name, outcome: "skipped", output: "", summary: "" });
            continue;
        }
        const result = await runStep(job, step, index, platform, dirs, state);
        results.push(result);
        failed ||= result.outcome === "failure";
    }
    return { name: job.name, environment: job.environment, steps: results, conclusion: failed ? "failure" : "success" };
}

async function runStep(
    job: JobPlan,
    step: StepPlan,
    index: number,
    platform: CiPlatform,
    dirs: JobDirectories,
    state: JobState,
): Promise<StepResult> {
    const summaryFile = path.join(dirs.temp, `step-${index}-summary.md`);
    const envFile = path.join(dirs.temp, `step-${index}-env`);
    const pathFile = path.join(dirs.temp, `step-${index}-path`);
    [summaryFile, envFile, pathFile].forEach((file) => writeFileSync(file, ""));
    const githubFiles: Record<string, string> =
        job.system === "github" ? { GITHUB_STEP_SUMMARY: summaryFile, GITHUB_ENV: envFile, GITHUB_PATH: pathFile } : {};
    const env: Record<string, string> = {
        HOME: dirs.home,
        // The Pulumi CLI finds its home (plugins, credentials) through the user database, not $HOME:
        // on a hosted runner that is the runner user's fresh home; here it would be this machine's.
        PULUMI_HOME: path.join(dirs.home, ".pulumi"),
        CI: "true",
        LANG: "C.UTF-8",
        NODE_EXTRA_CA_CERTS: platform.caFile,
        SSL_CERT_FILE: platform.caFile,
        npm_config_cache: platform.npmCache,
        ...platform.runnerEnv,
        ...systemVariables(job, dirs),
        ...job.env,
        ...state.exported,
        ...githubFiles,
        ...step.env,
        PATH: [...state.paths, SYSTEM_PATH].join(path.delimiter),
    };
    let output = "";
    let ok: boolean;
    try {
        if (step.action.kind === "script") {
            const { action } = step;
            const verbatim = () => runScript(action, index, env, dirs);
            const run =
                platform.installCache !== undefined && isReusableInstall(action.script)
                    ? await platform.installCache.run(action.script, dirs.workspace, env, verbatim)
                    : await verbatim();
            output = run.output;
            ok = run.code === 0;
        } else {
            const effect = await substitute(step.action, {
                platform,
                dirs,
                env,
                environment: job.environment,
                system: job.system,
                runScript: (script, extra) =>
                    runScript(script, index, { ...env, ...extra.env, PATH: [...extra.paths, env.PATH].join(path.delimiter) }, dirs),
            });
            output = effect.output;
            ok = effect.ok;
            Object.assign(state.exported, effect.exported ?? {});
            state.paths.unshift(...(effect.paths ?? []));
        }
    } catch (error) {
        output += `\n${(error as Error).message}`;
        ok = false;
    }
    if (job.system === "github") {
        Object.assign(state.exported, parseEnvFile(readFileSync(envFile, "utf8")));
        state.paths.unshift(...readFileSync(pathFile, "utf8").split("\n").filter(Boolean).reverse());
    } else {
        state.paths.unshift(...loggingCommands(output, "prependpath").reverse());
    }
    // Azure Pipelines shows the markdown files a step uploads (not in restricted mode); GitHub the step's $GITHUB_STEP_SUMMARY.
    const summaries =
        job.system === "github" ? [summaryFile] : step.loggingCommands === "restricted" ? [] : loggingCommands(output, "uploadsummary");
    return {
        name: step.name,
        outcome: ok ? "success" : "failure",
        output,
        summary: summaries.map((file) => readFileSync(file, "utf8")).join(""),
    };
}

/** The values of an Azure Pipelines logging command (`##vso[task.<command>]value`) in a step's output, in order. */
function loggingCommands(output: string, command: string): string[] {
    return [...output.matchAll(new RegExp(`^##vso\\[task\\.${command}\\](.+)$`, "gm"))].map((match) => match[1].trim());
}

/** `NAME=value` lines and `NAME<<DELIMITER` blocks, as GitHub reads $GITHUB_ENV. */
export function parseEnvFile(text: string): Record<string, string> {
    const result: Record<string, string> = {};
    const lines = text.split("\n");
    for (let index = 0; index < lines.length; index++) {
        const line = lines[index];
        const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
        if (heredoc !== null) {
            const end = lines.indexOf(heredoc[2], index + 1);
            result[heredoc[1]] = lines.slice(index + 1, end).join("\n");
            index = end;
        } else if (line.includes("=")) {
            result[line.slice(0, line.indexOf("="))] = line.slice(line.indexOf("=") + 1);
        }
    }
    return result;
}

/** Writes the script to a file and runs `<shell...> <file>` in the workspace. */
function runScript(
    action: ScriptAction,
    index: number,
    env: Record<string, string>,
    dirs: JobDirectories,
): Promise<{ code: number | null; output: string }> {
    const file = path.join(dirs.temp, `step-${index}-${Math.random().toString(36).slice(2)}.sh`);
    writeFileSync(file, action.script);
    const [shell, ...args] = action.shell;
    return new Promise((resolve, reject) => {
        const child = spawn(shell, [...args, file], { cwd: dirs.workspace, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
        let output = "";
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
        child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
        const timer = setTimeout(() => {
            // The whole process group: a rotation killed alone would orphan its engine and plugins.
            if (child.pid !== undefined) {
                process.kill(-child.pid, "SIGKILL");
            }
            reject(new Error(`step ${index + 1} did not finish within ${STEP_TIMEOUT_MS} ms\n${output}`));
        }, STEP_TIMEOUT_MS);
        child.once("error", (error) => {
            clearTimeout(timer);
            reject(error);
        });
        child.once("close", (code) => {
            clearTimeout(timer);
            resolve({ code, output });
        });
    });
}
