/**
 * A GitHub Actions workflow file as the jobs one event starts: parsed and validated against
 * GitHub's workflow schema by `@actions/workflow-parser`, converted by its converter, every
 * expression evaluated by `@actions/expressions` with the contexts GitHub gives (github, inputs,
 * vars, secrets, env, strategy, matrix). The matrix is expanded as GitHub expands it (product of
 * the vectors, `strategy.job-index` in that order).
 */
import type { MappingToken } from "@actions/workflow-parser/templates/tokens/mapping-token" with { "resolution-mode": "import" };
import type { TemplateToken } from "@actions/workflow-parser/templates/tokens/template-token" with { "resolution-mode": "import" };
import type { Job } from "@actions/workflow-parser/model/workflow-template" with { "resolution-mode": "import" };
import { ActionsLibraries, actionsLibraries, condition, Contexts, tokenMap, tokenString } from "./githubExpressions";
import { JobPlan, StepPlan, WorkflowError } from "./plan";

/** What starts the run. */
export type GithubTrigger =
    | { readonly event: "schedule" }
    | { readonly event: "workflow_dispatch"; readonly inputs: Readonly<Record<string, string | boolean>> }
    /** A POST to the repository's dispatches endpoint: `event_type` becomes `github.event.action`. */
    | { readonly event: "repository_dispatch"; readonly eventType: string; readonly clientPayload: unknown };

/** The repository settings and run facts the workflow's expressions read. */
export interface GithubRunSettings {
    readonly trigger: GithubTrigger;
    /** `owner/name`. */
    readonly repository: string;
    readonly sha: string;
    readonly secrets: Readonly<Record<string, string>>;
    readonly vars: Readonly<Record<string, string>>;
}

/** GitHub's shell for a `run:` without `shell:` on a Linux runner: `bash -e {0}`. */
const DEFAULT_SHELL = ["bash", "-e"];
/** `shell: bash`: `bash --noprofile --norc -eo pipefail {0}`. */
const BASH_SHELL = ["bash", "--noprofile", "--norc", "-eo", "pipefail"];

/** The jobs the trigger starts, one per matrix combination. */
export async function planGithubWorkflow(fileName: string, content: string, settings: GithubRunSettings): Promise<JobPlan[]> {
    const lib = await actionsLibraries();
    const { parser } = lib;
    const parsed = parser.parseWorkflow({ name: fileName, content }, new parser.NoOperationTraceWriter());
    const errors = parsed.context.errors.getErrors();
    if (errors.length > 0 || parsed.value === undefined) {
        throw new WorkflowError(`${fileName} is not a valid workflow: ${errors.map((error) => error.message).join("; ")}`);
    }
    const template = await parser.convertWorkflowTemplate(parsed.context, parsed.value);
    if (template.errors !== undefined && template.errors.length > 0) {
        throw new WorkflowError(`${fileName}: ${template.errors.map((error) => error.Message).join("; ")}`);
    }
    const { trigger } = settings;
    const declared = template.events[trigger.event] as
        | { inputs?: Record<string, { type?: string; default?: unknown }> }
        | unknown[]
        | undefined;
    if (declared === undefined) {
        throw new WorkflowError(`${fileName} has no \`on: ${trigger.event}\``);
    }
    if (trigger.event === "repository_dispatch") {
        const { types } = declared as { types?: string[] };
        if (types !== undefined && !types.includes(trigger.eventType)) {
            throw new WorkflowError(
                `${fileName}: repository_dispatch of type ${trigger.eventType} does not start it (types: ${types.join(", ")})`,
            );
        }
    }
    const inputs =
        trigger.event === "workflow_dispatch"
            ? dispatchInputs(
                  fileName,
                  (declared as { inputs?: Record<string, { type?: string; default?: unknown }> }).inputs ?? {},
                  trigger.inputs,
              )
            : {};
    const workflowEnv = tokenMap(lib, template.env, baseContexts(settings, inputs));
    const rawJobs = (parsed.value as MappingToken).find("jobs") as MappingToken;
    return template.jobs.flatMap((job) => {
        if (job.type !== "job") {
            throw new WorkflowError(`${fileName}: job ${job.id.value} calls a reusable workflow, which the runner does not run`);
        }
        const rawSteps = (rawJobs.find(job.id.value) as MappingToken).find("steps") as TemplateToken;
        return planJob(lib, job, rawSteps, settings, inputs, workflowEnv);
    });
}

function baseContexts(settings: GithubRunSettings, inputs: Record<string, string | boolean>): Record<string, unknown> {
    return {
        github: {
            event_name: settings.trigger.event,
            repository: settings.repository,
            sha: settings.sha,
            ref: "refs/heads/main",
            ref_name: "main",
            event: eventPayload(settings.trigger, inputs),
        },
        inputs,
        vars: settings.vars,
        secrets: settings.secrets,
        runner: { os: "Linux", arch: "X64" },
    };
}

/** `github.event`: the webhook payload of the trigger, as GitHub gives it to expressions. */
function eventPayload(trigger: GithubTrigger, inputs: Record<string, string | boolean>): Record<string, unknown> {
    switch (trigger.event) {
        case "workflow_dispatch":
            return { inputs };
        case "repository_dispatch":
            return { action: trigger.eventType, client_payload: trigger.clientPayload };
        case "schedule":
            return {};
    }
}

/** The `inputs` context of a manual run: declared inputs only, typed, defaults filled in. */
function dispatchInputs(
    fileName: string,
    declared: Record<string, { type?: string; default?: unknown }>,
    given: Readonly<Record<string, string | boolean>>,
): Record<string, string | boolean> {
    const unknown = Object.keys(given).filter((name) => !(name in declared));
    if (unknown.length > 0) {
        throw new WorkflowError(`${fileName}: workflow_dispatch has no input ${unknown.join(", ")}`);
    }
    return Object.fromEntries(
        Object.entries(declared).map(([name, input]) => {
            const value = given[name] ?? input.default ?? "";
            return [name, input.type === "boolean" ? value === true || value === "true" : String(value)];
        }),
    );
}

/** The matrix's combinations in GitHub's order (no include/exclude: the runner refuses them). */
function matrixCombinations(lib: ActionsLibraries, strategy: TemplateToken | undefined, contexts: Contexts): Record<string, unknown>[] {
    if (strategy === undefined || !lib.parser.isMapping(strategy)) {
        return [{}];
    }
    const matrix = strategy.find("matrix");
    if (matrix === undefined) {
        return [{}];
    }
    if (!lib.parser.isMapping(matrix)) {
        throw new WorkflowError("strategy.matrix must be a mapping of vectors");
    }
    let combinations: Record<string, unknown>[] = [{}];
    for (let index = 0; index < matrix.count; index++) {
        const { key, value } = matrix.get(index);
        const name = tokenString(lib, key, contexts);
        if (name === "include" || name === "exclude" || !lib.parser.isSequence(value)) {
            throw new WorkflowError(`strategy.matrix.${name}: only plain vectors are supported by the runner`);
        }
        const values = Array.from({ length: value.count }, (_, item) => {
            const token = value.get(item);
            return lib.parser.isNumber(token) || lib.parser.isBoolean(token) ? token.value : tokenString(lib, token, contexts);
        });
        combinations = combinations.flatMap((combination) => values.map((entry) => ({ ...combination, [name]: entry })));
    }
    return combinations;
}

function planJob(
    lib: ActionsLibraries,
    job: Job,
    rawSteps: TemplateToken,
    settings: GithubRunSettings,
    inputs: Record<string, string | boolean>,
    workflowEnv: Record<string, string>,
): JobPlan[] {
    const base = baseContexts(settings, inputs);
    const combinations = matrixCombinations(lib, job.strategy, base);
    return combinations.map((matrix, index) => {
        const strategy = { "fail-fast": true, "job-index": index, "job-total": combinations.length, "max-parallel": combinations.length };
        const jobContexts = { ...base, matrix, strategy, env: workflowEnv };
        const env = { ...workflowEnv, ...tokenMap(lib, job.env, jobContexts) };
        const stepContexts = { ...jobContexts, env };
        const environment = job.environment === undefined ? undefined : environmentName(lib, job.environment, jobContexts);
        const steps: StepPlan[] = job.steps.map((step, stepIndex) => {
            if (!("run" in step) && !("uses" in step)) {
                throw new WorkflowError(`job ${job.id.value}: step ${stepIndex + 1} is neither run nor uses`);
            }
            const raw = lib.parser.isSequence(rawSteps) ? (rawSteps.get(stepIndex) as MappingToken) : undefined;
            for (const unsupported of ["working-directory", "continue-on-error", "timeout-minutes"]) {
                if (raw?.find(unsupported) !== undefined) {
                    throw new WorkflowError(
                        `job ${job.id.value}: step ${stepIndex + 1} uses \`${unsupported}\`, which the runner does not model`,
                    );
                }
            }
            const stepEnv = tokenMap(lib, step.env, stepContexts);
            const contexts = { ...stepContexts, env: { ...env, ...stepEnv } };
            const runs = condition(lib, step.if.expression, contexts);
            if ("run" in step) {
                const shell = raw?.find("shell");
                const shellName = shell === undefined ? undefined : tokenString(lib, shell, contexts);
                if (shellName !== undefined && shellName !== "bash") {
                    throw new WorkflowError(`job ${job.id.value}: shell ${shellName} is not modelled (bash only)`);
                }
                const name =
                    step.name === undefined
                        ? `Run ${tokenString(lib, step.run, contexts).split("\n")[0]}`
                        : tokenString(lib, step.name, contexts);
                return {
                    name,
                    runs,
                    env: stepEnv,
                    action: {
                        kind: "script",
                        script: tokenString(lib, step.run, contexts),
                        shell: shellName === undefined ? DEFAULT_SHELL : BASH_SHELL,
                    },
                };
            }
            const uses = step.uses.value.replace(/@[^@]*$/, "");
            const name = step.name === undefined ? `Run ${step.uses.value}` : tokenString(lib, step.name, contexts);
            return { name, runs, env: stepEnv, action: { kind: "uses", uses, with: tokenMap(lib, raw?.find("with"), contexts) } };
        });
        const suffix = combinations.length > 1 || Object.keys(matrix).length > 0 ? ` (${Object.values(matrix).join(", ")})` : "";
        return { name: `${job.id.value}${suffix}`, system: "github", environment, env, steps };
    });
}

function environmentName(lib: ActionsLibraries, token: TemplateToken, contexts: Contexts): string {
    if (lib.parser.isMapping(token)) {
        const name = token.find("name");
        if (name === undefined) {
            throw new WorkflowError("environment: a mapping needs a name");
        }
        return tokenString(lib, name, contexts);
    }
    return tokenString(lib, token, contexts);
}
