/**
 * The workflow runner's entry points: a schedule file read from the user's repository at the run's
 * commit (as the CI system reads it), planned by the file's own system rules, its jobs run side by
 * side as the CI system runs a matrix / parallel strategy.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import * as path from "node:path";
import { AzureTrigger, planAzurePipeline, VariableGroups } from "./azurePipeline";
import { CiPlatform } from "./ciPlatform";
import { GithubTrigger, planGithubWorkflow } from "./githubWorkflow";
import { createJobDirectories, JobDirectories, JobResult, runJob } from "./jobRunner";
import { JobPlan } from "./plan";

/** The file as committed at the platform's commit. */
function committedFile(platform: CiPlatform, file: string): string {
    return execFileSync("git", ["show", `${platform.sha}:${file}`], { cwd: platform.repositoryUrl, encoding: "utf8" });
}

async function runJobs(plans: readonly JobPlan[], platform: CiPlatform, dirsOf: (index: number) => JobDirectories): Promise<JobResult[]> {
    return Promise.all(plans.map((plan, index) => runJob(plan, platform, dirsOf(index))));
}

/** Runs `.github/workflows/<file>` (a path in the repository) for `trigger`; one result per job. */
export async function runGithubWorkflow(
    platform: CiPlatform,
    file: string,
    trigger: GithubTrigger,
    settings: { secrets: Record<string, string>; vars: Record<string, string>; root: string },
): Promise<JobResult[]> {
    const plans = await planGithubWorkflow(path.basename(file), committedFile(platform, file), {
        trigger,
        repository: platform.repository,
        sha: platform.sha,
        secrets: settings.secrets,
        vars: settings.vars,
    });
    const dirs = plans.map(() => createJobDirectories(mkdtempSync(path.join(settings.root, "job-"))));
    return runJobs(plans, platform, (index) => dirs[index]);
}

/** Runs an Azure Pipelines definition (a path in the repository) for `trigger`, stage by stage; one result per job that ran. */
export async function runAzurePipeline(
    platform: CiPlatform,
    file: string,
    trigger: AzureTrigger,
    settings: { variableGroups: VariableGroups; root: string },
): Promise<JobResult[]> {
    const stages = planAzurePipeline(path.basename(file), committedFile(platform, file), {
        trigger,
        variableGroups: settings.variableGroups,
        agent: () => createJobDirectories(mkdtempSync(path.join(settings.root, "job-"))),
    });
    const results: JobResult[] = [];
    const failed = new Set<string>();
    for (const stage of stages) {
        if (stage.dependsOn.some((name) => failed.has(name))) {
            failed.add(stage.name);
            continue;
        }
        const jobs = await runJobs(stage.jobs, platform, (index) => stage.jobs[index].dirs as JobDirectories);
        if (jobs.some((job) => job.conclusion === "failure")) {
            failed.add(stage.name);
        }
        results.push(...jobs);
    }
    return results;
}

/** One step's result by name (every job of a run has the same steps). */
export function stepOf(job: JobResult, name: string) {
    const step = job.steps.find((entry) => entry.name === name);
    if (step === undefined) {
        throw new Error(`job ${job.name} has no step "${name}" (steps: ${job.steps.map((entry) => entry.name).join(", ")})`);
    }
    return step;
}

/** The entities the rotation's summary writes (rotation/report/markdown.ts), and the characters they render as. */
const ENTITIES: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">" };

/**
 * Markdown from the rotation's job summary as the text it renders: CommonMark's backslash escapes of
 * ASCII punctuation and the entities the summary writes, undone in one pass (so `&amp;lt;` stays `&lt;`).
 */
export function summaryText(markdown: string): string {
    return markdown.replace(/\\([!-/:-@[-`{-~])|&(amp|lt|gt);/g, (_match, escaped: string | undefined, entity: string) =>
        escaped !== undefined ? escaped : ENTITIES[entity],
    );
}

/** The rows of the rotation's job summary: stack name and result, as the markdown table renders them. */
export function summaryRows(summary: string): { stack: string; result: string }[] {
    return (
        summary
            .split("\n")
            .filter((line) => line.startsWith("| ") && !line.startsWith("| Stack |") && !/^\|( --- \|)+$/.test(line))
            // A cell's own `|` is escaped (`\|`), so " | " only ever separates cells.
            .map((line) => line.slice(2, -2).split(" | ").map(summaryText))
            .map((cells) => ({ stack: cells[0], result: cells[6] }))
    );
}

/** A job's transcript for an assertion message. */
export function describeJob(job: JobResult, lines = 30): string {
    return job.steps.map((step) => `--- ${step.name}: ${step.outcome}\n${step.output.split("\n").slice(-lines).join("\n")}`).join("\n");
}
