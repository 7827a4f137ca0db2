/**
 * An Azure Pipelines definition as the jobs one run starts. Azure DevOps publishes no parser
 * library, so this is a small mapping of the documented rules the shipped pipeline uses, and
 * anything else in a file is refused (WorkflowError) rather than guessed:
 *
 * - template expressions `${{ ... }}` are evaluated before anything runs (compile time), over
 *   `parameters.NAME`, `variables.NAME`, literals and the functions eq, ne, and, or, not (./azureTemplateExpressions.ts);
 *   a boolean renders as `True` / `False` in a string, as Azure renders it; conditional insertion
 *   (`${{ if ... }}:` / `${{ elseif ... }}:` / `${{ else }}:`) as a mapping key or a sequence item;
 * - `stages:` run in order, each `dependsOn` a stage before it (skipped when that stage failed);
 *   a stage's `jobs:` are `job:` (steps) or `deployment:` (`strategy: runOnce: deploy: steps`,
 *   its `environment:` recorded on the job: an approval check passes, as when someone approves);
 * - `variables:` entries `- group: NAME` (from the platform's variable groups, secret or not) and
 *   `- name: / value:`; predefined `System.JobPositionInPhase` (1-based),
 *   `System.TotalJobsInPhase`, `Agent.TempDirectory`, `Build.SourcesDirectory`;
 * - macros `$(NAME)` of a defined variable are replaced in step `env:`, task inputs and script
 *   bodies; an undefined name is left as written (bash's `$(command)` stays a command);
 * - every non-secret variable is in each step's environment, named upper-case with `.` as `_`;
 *   a secret reaches a step only through its `env:`;
 * - `strategy: parallel: N` starts N jobs; `condition:` is `succeeded()` (default), `failed()`
 *   or `always()`;
 * - `script:` runs as `bash --noprofile --norc FILE`, `bash:` (Bash@3) likewise; `checkout:`
 *   and `task:` steps are substituted (./substitutions.ts), AzureCLI@2's `inlineScript` run
 *   verbatim by its substitute with bash; `download: none` downloads nothing;
 * - `target: { commands: restricted }`: of a step's logging commands, only prependpath and
 *   logissue take effect (uploadsummary, setvariable and the rest are dropped).
 */
import { parse } from "yaml";
import type { JobDirectories } from "./jobRunner";
import { evaluateCondition, evaluateTemplate, renderValue, TemplateScope } from "./azureTemplateExpressions";
import { JobPlan, ScriptAction, StepPlan, WorkflowError } from "./plan";

/** A scheduled run, or a manual one with parameter values. */
export type AzureTrigger =
    | { readonly event: "schedule" }
    | { readonly event: "manual"; readonly parameters: Readonly<Record<string, string | boolean>> };

/** Library variable groups: name → variables (value, secret). */
export type VariableGroups = Readonly<Record<string, Readonly<Record<string, { readonly value: string; readonly secret?: boolean }>>>>;

export interface AzureRunSettings {
    readonly trigger: AzureTrigger;
    readonly variableGroups: VariableGroups;
    /** The directories of job `index` (0-based). */
    readonly agent: (index: number) => JobDirectories;
}

interface Parameter {
    name: string;
    type?: string;
    default?: unknown;
}

interface Variable {
    readonly value: string;
    readonly secret: boolean;
}

const SCRIPT_SHELL = ["bash", "--noprofile", "--norc"];
const KNOWN_KEYS = new Set([
    "trigger",
    "pr",
    "schedules",
    "parameters",
    "variables",
    "lockBehavior",
    "pool",
    "strategy",
    "steps",
    "jobs",
    "stages",
]);

/** Evaluates the template expressions of the document: values in strings, conditional insertions. */
function expandTemplates(node: unknown, scope: TemplateScope): unknown {
    if (typeof node === "string") {
        return node.replace(/\$\{\{(.*?)\}\}/g, (_match, body: string) => renderValue(evaluateTemplate(body, scope)));
    }
    if (Array.isArray(node)) {
        return node.flatMap((item) => {
            const inserted = conditionalInsertion(item, scope);
            return inserted === undefined
                ? [expandTemplates(item, scope)]
                : ((inserted ?? []) as unknown[]).map((entry) => expandTemplates(entry, scope));
        });
    }
    if (node !== null && typeof node === "object") {
        const result: Record<string, unknown> = {};
        let chainTaken: boolean | undefined;
        for (const [key, value] of Object.entries(node)) {
            const directive = /^\$\{\{\s*(if|elseif|else)\b(.*)\}\}$/.exec(key);
            if (directive === null) {
                chainTaken = undefined;
                result[expandTemplates(key, scope) as string] = expandTemplates(value, scope);
                continue;
            }
            const [, kind, condition] = directive;
            const taken =
                kind === "if"
                    ? evaluateCondition(condition, scope)
                    : chainTaken === false && (kind === "else" || evaluateCondition(condition, scope));
            if (kind !== "if" && chainTaken === undefined) {
                throw new WorkflowError(`\${{ ${kind} }} without an \${{ if }} before it`);
            }
            chainTaken = kind === "if" ? taken : chainTaken || taken;
            if (taken) {
                Object.assign(result, expandTemplates(value, scope));
            }
        }
        return result;
    }
    return node;
}

/** A sequence item that is one `${{ if ... }}` (or else) key: the items it inserts (null for none), or undefined when it is not one. */
function conditionalInsertion(item: unknown, scope: TemplateScope): unknown[] | null | undefined {
    if (item === null || typeof item !== "object" || Array.isArray(item)) {
        return undefined;
    }
    const keys = Object.keys(item);
    if (keys.length === 0 || !keys.every((key) => /^\$\{\{\s*(if|elseif|else)\b/.test(key))) {
        return undefined;
    }
    for (const [key, value] of Object.entries(item as Record<string, unknown>)) {
        const [, kind, condition] = /^\$\{\{\s*(if|elseif|else)\b(.*)\}\}$/.exec(key) ?? [];
        if (kind === "else" || evaluateCondition(condition, scope)) {
            return Array.isArray(value) ? value : [value];
        }
    }
    return null;
}

function parameterValues(fileName: string, declared: Parameter[], trigger: AzureTrigger): Record<string, unknown> {
    const given = trigger.event === "manual" ? trigger.parameters : {};
    const unknown = Object.keys(given).filter((name) => !declared.some((parameter) => parameter.name === name));
    if (unknown.length > 0) {
        throw new WorkflowError(`${fileName}: no parameter ${unknown.join(", ")}`);
    }
    return Object.fromEntries(declared.map((parameter) => [parameter.name, given[parameter.name] ?? parameter.default ?? ""]));
}

function pipelineVariables(fileName: string, entries: unknown, groups: VariableGroups): Map<string, Variable> {
    const variables = new Map<string, Variable>();
    for (const entry of (entries ?? []) as Record<string, unknown>[]) {
        if (typeof entry.group === "string") {
            const group = groups[entry.group];
            if (group === undefined) {
                throw new WorkflowError(`${fileName}: variable group ${entry.group} does not exist in the project`);
            }
            Object.entries(group).forEach(([name, variable]) =>
                variables.set(name, { value: variable.value, secret: variable.secret === true }),
            );
        } else if (typeof entry.name === "string") {
            variables.set(entry.name, { value: String(entry.value ?? ""), secret: false });
        } else {
            throw new WorkflowError(`${fileName}: variables entry ${JSON.stringify(entry)} is not modelled`);
        }
    }
    return variables;
}

/** Replaces `$(NAME)` of defined variables (names are case-insensitive in Azure). */
function expandMacros(text: string, variables: Map<string, Variable>): string {
    const byLowerName = new Map([...variables].map(([name, variable]) => [name.toLowerCase(), variable.value]));
    return text.replace(/\$\(([A-Za-z_][\w.]*)\)/g, (match, name: string) => byLowerName.get(name.toLowerCase()) ?? match);
}

function stepCondition(fileName: string, condition: unknown): (failedBefore: boolean) => boolean {
    switch (condition === undefined ? "succeeded()" : String(condition).trim()) {
        case "succeeded()":
            return (failedBefore) => !failedBefore;
        case "failed()":
            return (failedBefore) => failedBefore;
        case "always()":
            return () => true;
        default:
            throw new WorkflowError(`${fileName}: condition ${String(condition)} is not modelled`);
    }
}

/** A stage: its jobs run side by side once the stages it depends on succeeded. */
export interface StagePlan {
    readonly name: string;
    readonly dependsOn: readonly string[];
    readonly jobs: readonly JobPlan[];
}

const STEP_KEYS = new Set([
    "script",
    "bash",
    "checkout",
    "task",
    "download",
    "displayName",
    "env",
    "condition",
    "inputs",
    "target",
    "persistCredentials",
]);

export function planAzurePipeline(fileName: string, content: string, settings: AzureRunSettings): StagePlan[] {
    const document = parse(content) as Record<string, unknown>;
    if (settings.trigger.event === "schedule" && !Array.isArray(document.schedules)) {
        throw new WorkflowError(`${fileName} has no schedules`);
    }
    const parameters = parameterValues(fileName, (document.parameters ?? []) as Parameter[], settings.trigger);
    const declared = pipelineVariables(fileName, document.variables, settings.variableGroups);
    const scope: TemplateScope = {
        parameters,
        variables: Object.fromEntries([...declared].map(([name, variable]) => [name, variable.value])),
    };
    const expanded = expandTemplates(document, scope) as Record<string, unknown>;
    const unknownKeys = Object.keys(expanded).filter((key) => !KNOWN_KEYS.has(key));
    if (unknownKeys.length > 0) {
        throw new WorkflowError(`${fileName}: ${unknownKeys.join(", ")} not modelled by the runner`);
    }
    // A pipeline without stages is one stage; one without jobs, one job of its steps.
    const stages = (expanded.stages ?? [
        { stage: "__default", jobs: expanded.jobs ?? [{ job: "__default", strategy: expanded.strategy, steps: expanded.steps }] },
    ]) as Record<string, unknown>[];
    let agentIndex = 0;
    const names: string[] = [];
    return stages.map((stage) => {
        const name = String(stage.stage);
        const dependsOn = stage.dependsOn === undefined ? names.slice(-1) : ([] as string[]).concat(stage.dependsOn as string | string[]);
        const unknown = dependsOn.filter((entry) => !names.includes(entry));
        if (unknown.length > 0) {
            throw new WorkflowError(`${fileName}: stage ${name} depends on ${unknown.join(", ")}, which no earlier stage is`);
        }
        names.push(name);
        const jobs = ((stage.jobs ?? []) as Record<string, unknown>[]).flatMap((job) =>
            planJob(fileName, job, declared, () => settings.agent(agentIndex++)),
        );
        return { name, dependsOn, jobs };
    });
}

/** One job entry (`job:` or `deployment:`) as the jobs its strategy starts. */
function planJob(
    fileName: string,
    job: Record<string, unknown>,
    declared: Map<string, Variable>,
    nextAgent: () => JobDirectories,
): JobPlan[] {
    const deployment = typeof job.deployment === "string";
    const strategy = (job.strategy ?? {}) as Record<string, unknown>;
    const steps = deployment
        ? (((strategy.runOnce as Record<string, unknown> | undefined)?.deploy as Record<string, unknown> | undefined)?.steps as unknown[])
        : (job.steps as unknown[]);
    if (!Array.isArray(steps)) {
        throw new WorkflowError(
            `${fileName}: job ${String(job.job ?? job.deployment)} has no steps the ` +
                `runner models (job: steps, or deployment: strategy.runOnce.deploy.steps)`,
        );
    }
    if (!deployment && Object.keys(strategy).some((key) => key !== "parallel")) {
        throw new WorkflowError(`${fileName}: strategy other than parallel is not modelled`);
    }
    const count = deployment || strategy.parallel === undefined ? 1 : Number(strategy.parallel);
    if (!Number.isInteger(count) || count < 1) {
        throw new WorkflowError(`${fileName}: strategy.parallel ${String(strategy.parallel)} is not a positive whole number`);
    }
    const label = String(job.displayName ?? job.job ?? job.deployment);
    return Array.from({ length: count }, (_, index) => {
        const dirs = nextAgent();
        const variables = new Map(declared);
        const predefined: Record<string, string> = {
            "System.JobPositionInPhase": String(index + 1),
            "System.TotalJobsInPhase": String(count),
            "Agent.TempDirectory": dirs.temp,
            "Build.SourcesDirectory": dirs.workspace,
            "System.DefaultWorkingDirectory": dirs.workspace,
        };
        Object.entries(predefined).forEach(([name, value]) => variables.set(name, { value, secret: false }));
        const env = Object.fromEntries(
            [...variables]
                .filter(([, variable]) => !variable.secret)
                .map(([name, variable]) => [name.toUpperCase().replace(/\./g, "_"), variable.value]),
        );
        return {
            name: count > 1 ? `${label} ${index + 1} of ${count}` : label,
            system: "azure",
            environment: deployment ? String(job.environment) : undefined,
            env,
            dirs,
            steps: (steps as Record<string, unknown>[]).flatMap((step, stepIndex) => planStep(fileName, step, stepIndex, variables)),
        } satisfies JobPlan & { dirs: JobDirectories };
    });
}

function planStep(fileName: string, step: Record<string, unknown>, index: number, variables: Map<string, Variable>): StepPlan[] {
    const unknown = Object.keys(step).filter((key) => !STEP_KEYS.has(key));
    if (unknown.length > 0) {
        throw new WorkflowError(`${fileName}: step ${index + 1}: ${unknown.join(", ")} not modelled`);
    }
    if (step.download === "none") {
        return [];
    }
    const macros = (text: unknown) => expandMacros(String(text ?? ""), variables);
    const env = Object.fromEntries(
        Object.entries((step.env ?? {}) as Record<string, unknown>).map(([name, value]) => [name, macros(value)]),
    );
    const runs = stepCondition(fileName, step.condition);
    const target = (step.target ?? {}) as Record<string, unknown>;
    const loggingCommands = target.commands === "restricted" ? "restricted" : "any";
    const script = (body: unknown): ScriptAction => ({ kind: "script", script: macros(body), shell: SCRIPT_SHELL });
    const name = typeof step.displayName === "string" ? step.displayName : `step ${index + 1}`;
    if (typeof step.script === "string" || typeof step.bash === "string") {
        return [{ name, runs, env, loggingCommands, action: script(step.script ?? step.bash) }];
    }
    if (typeof step.checkout === "string") {
        if (step.checkout !== "self") {
            throw new WorkflowError(`${fileName}: checkout of ${step.checkout} is not modelled`);
        }
        return [
            {
                name: typeof step.displayName === "string" ? step.displayName : "Checkout",
                runs,
                env,
                loggingCommands,
                action: { kind: "uses", uses: "checkout", with: {} },
            },
        ];
    }
    if (typeof step.task === "string") {
        const inputs = Object.fromEntries(
            Object.entries((step.inputs ?? {}) as Record<string, unknown>).map(([key, value]) => [key, macros(value)]),
        );
        const { inlineScript, ...rest } = inputs;
        return [
            {
                name: typeof step.displayName === "string" ? step.displayName : step.task,
                runs,
                env,
                loggingCommands,
                action: {
                    kind: "uses",
                    uses: step.task,
                    with: rest,
                    script: inlineScript === undefined ? undefined : { kind: "script", script: inlineScript, shell: ["bash"] },
                },
            },
        ];
    }
    throw new WorkflowError(`${fileName}: step ${index + 1} (${Object.keys(step).join(", ")}) is not modelled`);
}
