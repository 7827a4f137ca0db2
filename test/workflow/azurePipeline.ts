/**
 * An Azure Pipelines definition as the jobs one run starts. Azure DevOps publishes no parser
 * library, so this is a small mapping of the documented rules the shipped pipeline uses, and
 * anything else in a file is refused (WorkflowError) rather than guessed:
 *
 * - template expressions `${{ parameters.NAME }}` / `${{ variables.NAME }}` are replaced before
 *   anything runs (compile time); a boolean parameter renders as `True` / `False`, as Azure
 *   renders it; any other template expression is refused;
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
 *   verbatim by its substitute with bash.
 */
import { parse } from "yaml";
import type { JobDirectories } from "./jobRunner";
import { JobPlan, ScriptAction, StepPlan, WorkflowError } from "./plan";

/** A scheduled run, or a manual one with parameter values. */
export type AzureTrigger = { readonly event: "schedule" } | { readonly event: "manual"; readonly parameters: Readonly<Record<string, string | boolean>> };

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
const KNOWN_KEYS = new Set(["trigger", "pr", "schedules", "parameters", "variables", "lockBehavior", "pool", "strategy", "steps"]);

/** `True` / `False` for booleans, as Azure renders a boolean parameter in a string. */
function render(value: unknown): string {
    return typeof value === "boolean" ? (value ? "True" : "False") : String(value);
}

/** Replaces the template expressions in every string of the document. */
function expandTemplates(node: unknown, values: { parameters: Record<string, unknown>; variables: Record<string, string> }): unknown {
    if (typeof node === "string") {
        return node.replace(/\$\{\{(.*?)\}\}/g, (_match, body: string) => {
            const reference = /^\s*(parameters|variables)\.([A-Za-z_][\w.]*)\s*$/.exec(body);
            if (reference === null) {
                throw new WorkflowError(`template expression \${{${body}}} is not modelled by the runner (parameters.NAME / variables.NAME only)`);
            }
            const scope = values[reference[1] as "parameters" | "variables"];
            if (!(reference[2] in scope)) {
                throw new WorkflowError(`template expression \${{${body}}}: no ${reference[1]} named ${reference[2]}`);
            }
            return render(scope[reference[2]]);
        });
    }
    if (Array.isArray(node)) {
        return node.map((item) => expandTemplates(item, values));
    }
    if (node !== null && typeof node === "object") {
        return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, expandTemplates(value, values)]));
    }
    return node;
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
            Object.entries(group).forEach(([name, variable]) => variables.set(name, { value: variable.value, secret: variable.secret === true }));
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

export function planAzurePipeline(fileName: string, content: string, settings: AzureRunSettings): JobPlan[] {
    const document = parse(content) as Record<string, unknown>;
    const unknownKeys = Object.keys(document).filter((key) => !KNOWN_KEYS.has(key));
    if (unknownKeys.length > 0) {
        throw new WorkflowError(`${fileName}: ${unknownKeys.join(", ")} not modelled by the runner (a single-job pipeline of steps)`);
    }
    if (settings.trigger.event === "schedule" && !Array.isArray(document.schedules)) {
        throw new WorkflowError(`${fileName} has no schedules`);
    }
    const parameters = parameterValues(fileName, (document.parameters ?? []) as Parameter[], settings.trigger);
    const declared = pipelineVariables(fileName, document.variables, settings.variableGroups);
    const expanded = expandTemplates(document, { parameters, variables: Object.fromEntries([...declared].map(([name, variable]) => [name, variable.value])) }) as Record<string, unknown>;
    const strategy = (expanded.strategy ?? {}) as Record<string, unknown>;
    if (Object.keys(strategy).some((key) => key !== "parallel")) {
        throw new WorkflowError(`${fileName}: strategy other than parallel is not modelled`);
    }
    const jobs = strategy.parallel === undefined ? 1 : Number(strategy.parallel);
    if (!Number.isInteger(jobs) || jobs < 1) {
        throw new WorkflowError(`${fileName}: strategy.parallel ${String(strategy.parallel)} is not a positive whole number`);
    }
    return Array.from({ length: jobs }, (_, index) => {
        const dirs = settings.agent(index);
        const variables = new Map(declared);
        const predefined: Record<string, string> = {
            "System.JobPositionInPhase": String(index + 1),
            "System.TotalJobsInPhase": String(jobs),
            "Agent.TempDirectory": dirs.temp,
            "Build.SourcesDirectory": dirs.workspace,
            "System.DefaultWorkingDirectory": dirs.workspace,
        };
        Object.entries(predefined).forEach(([name, value]) => variables.set(name, { value, secret: false }));
        const env = Object.fromEntries(
            [...variables].filter(([, variable]) => !variable.secret).map(([name, variable]) => [name.toUpperCase().replace(/\./g, "_"), variable.value]),
        );
        const steps = ((expanded.steps ?? []) as Record<string, unknown>[]).map((step, stepIndex) => planStep(fileName, step, stepIndex, variables));
        return { name: jobs > 1 ? `Job ${index + 1} of ${jobs}` : "Job", system: "azure", env, steps } satisfies JobPlan;
    });
}

function planStep(fileName: string, step: Record<string, unknown>, index: number, variables: Map<string, Variable>): StepPlan {
    const macros = (text: unknown) => expandMacros(String(text ?? ""), variables);
    const env = Object.fromEntries(Object.entries((step.env ?? {}) as Record<string, unknown>).map(([name, value]) => [name, macros(value)]));
    const runs = stepCondition(fileName, step.condition);
    const script = (body: unknown): ScriptAction => ({ kind: "script", script: macros(body), shell: SCRIPT_SHELL });
    const name = typeof step.displayName === "string" ? step.displayName : `step ${index + 1}`;
    if (typeof step.script === "string" || typeof step.bash === "string") {
        return { name, runs, env, action: script(step.script ?? step.bash) };
    }
    if (typeof step.checkout === "string") {
        if (step.checkout !== "self") {
            throw new WorkflowError(`${fileName}: checkout of ${step.checkout} is not modelled`);
        }
        return { name: typeof step.displayName === "string" ? step.displayName : "Checkout", runs, env, action: { kind: "uses", uses: "checkout", with: {} } };
    }
    if (typeof step.task === "string") {
        const inputs = Object.fromEntries(Object.entries((step.inputs ?? {}) as Record<string, unknown>).map(([key, value]) => [key, macros(value)]));
        const { inlineScript, ...rest } = inputs;
        return { name: typeof step.displayName === "string" ? step.displayName : step.task, runs, env, action: { kind: "uses", uses: step.task, with: rest, script: inlineScript === undefined ? undefined : { kind: "script", script: inlineScript, shell: ["bash"] } } };
    }
    throw new WorkflowError(`${fileName}: step ${index + 1} (${Object.keys(step).join(", ")}) is not modelled`);
}
