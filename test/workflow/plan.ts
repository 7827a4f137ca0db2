/**
 * What the workflow runner executes, whichever CI system's file it came from: jobs of steps, each
 * step a script run verbatim or a `uses:` action / task to substitute, with its environment and
 * condition already resolved from the file's own expressions.
 */

/** A script step: the file's `run:` / `script:` / `bash:` / `inlineScript:` body, byte for byte. */
export interface ScriptAction {
    readonly kind: "script";
    readonly script: string;
    /** The interpreter command line the CI system uses for it; the script file's path is appended. */
    readonly shell: readonly string[];
}

/** A `uses:` action (GitHub) or `task:` / `checkout:` (Azure Pipelines), with its inputs evaluated. */
export interface SubstitutedAction {
    readonly kind: "uses";
    /** `owner/repo@ref` without the ref, or an Azure task `Name@major`, or `checkout`. */
    readonly uses: string;
    readonly with: Readonly<Record<string, string>>;
    /** An Azure task's inline script (AzureCLI@2), run verbatim inside the substituted task. */
    readonly script?: ScriptAction;
}

export interface StepPlan {
    readonly name: string;
    /** Whether the step runs, given whether an earlier step of the job failed. */
    readonly runs: (failedBefore: boolean) => boolean;
    /** The step's own `env:`, evaluated. */
    readonly env: Readonly<Record<string, string>>;
    readonly action: ScriptAction | SubstitutedAction;
    /** Azure Pipelines `target.commands`: in `restricted` only prependpath and logissue take effect. Default `any`. */
    readonly loggingCommands?: "any" | "restricted";
}

export interface JobPlan {
    /** e.g. `rotate (1)` for the first matrix job. */
    readonly name: string;
    readonly system: "github" | "azure";
    /** The deployment environment the job names (GitHub `environment:`), evaluated. */
    readonly environment?: string;
    /** Every variable the job's steps see before their own `env:` (workflow and job `env:`, pipeline variables). */
    readonly env: Readonly<Record<string, string>>;
    readonly steps: readonly StepPlan[];
    /** The job's directories, when planning needed them (Azure's Agent.TempDirectory); else the runner makes them. */
    readonly dirs?: { readonly workspace: string; readonly home: string; readonly temp: string };
}

/** An expression the runner cannot evaluate, or a file it does not support: the run fails with it. */
export class WorkflowError extends Error {}
