/**
 * The shell scripts inside the ready-to-copy schedules, for tests and for shellcheck in `.ci/run`
 * (actionlint checks the GitHub workflow's own `run:` scripts). Run directly with a directory, it
 * writes each Azure Pipelines script there as a bash file and prints the paths.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

export const SCHEDULES_DIR = path.resolve(__dirname, "..", "..", "rotation", "schedules");
export const GITHUB_WORKFLOW = "github-actions-rotate-gateway-token.yml";
export const AZURE_PIPELINE = "azure-pipelines-rotate-gateway-token.yml";

/** One script and where it is. */
export interface ScheduleScript {
    readonly file: string;
    /** The step's name. */
    readonly step: string;
    readonly script: string;
    /** The environment the step maps in. */
    readonly env: Record<string, string>;
}

interface PipelineStep {
    displayName?: string;
    name?: string;
    script?: string;
    bash?: string;
    run?: string;
    task?: string;
    inputs?: { inlineScript?: string };
    env?: Record<string, string>;
}

/** An Azure Pipelines job: a plain job's steps, or a deployment job's `runOnce` steps. */
interface PipelineJob {
    steps?: PipelineStep[];
    strategy?: { runOnce?: { deploy?: { steps?: PipelineStep[] } } };
}

export function readSchedule(file: string): {
    steps?: PipelineStep[];
    stages?: ({ stage?: string; jobs?: PipelineJob[] } | Record<string, { stage?: string; jobs?: PipelineJob[] }[]>)[];
    jobs?: Record<string, { steps: PipelineStep[] }>;
} {
    return parse(readFileSync(path.join(SCHEDULES_DIR, file), "utf8"));
}

/**
 * The Azure pipeline's steps in file order: every stage's jobs, including a stage that a
 * template condition (`${{ if ... }}:`) inserts.
 */
export function pipelineSteps(): PipelineStep[] {
    const pipeline = readSchedule(AZURE_PIPELINE);
    const stages = (pipeline.stages ?? []).flatMap((entry) => ("stage" in entry ? [entry] : Object.values(entry).flat()));
    const jobSteps = (job: PipelineJob) => job.steps ?? job.strategy?.runOnce?.deploy?.steps ?? [];
    return [...(pipeline.steps ?? []), ...stages.flatMap((stage) => (stage.jobs ?? []).flatMap(jobSteps))];
}

/** Every bash script of both schedules, in step order. */
export function scheduleScripts(): ScheduleScript[] {
    const workflowSteps = Object.values(readSchedule(GITHUB_WORKFLOW).jobs ?? {}).flatMap((job) => job.steps);
    const scripts = (file: string, steps: PipelineStep[]) =>
        steps.flatMap((step, index): ScheduleScript[] => {
            const script = step.run ?? step.script ?? step.bash ?? step.inputs?.inlineScript;
            return script === undefined
                ? []
                : [{ file, step: step.displayName ?? step.name ?? `step ${index + 1}`, script, env: step.env ?? {} }];
        });
    return [...scripts(AZURE_PIPELINE, pipelineSteps()), ...scripts(GITHUB_WORKFLOW, workflowSteps)];
}

if (require.main === module) {
    const [outDir] = process.argv.slice(2);
    if (outDir === undefined) {
        process.stderr.write("usage: scheduleScripts.ts OUT_DIR\n");
        process.exit(2);
    }
    mkdirSync(outDir, { recursive: true });
    scheduleScripts()
        .filter((entry) => entry.file === AZURE_PIPELINE)
        .forEach((entry, index) => {
            const file = path.join(outDir, `azure-pipelines-step-${index + 1}.sh`);
            writeFileSync(file, `#!/usr/bin/env bash\n# ${entry.step}\n${entry.script}`);
            process.stdout.write(`${file}\n`);
        });
}
