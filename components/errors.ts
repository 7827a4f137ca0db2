/** One rejected argument: which one, what is wrong and how to fix it. */
export interface ArgumentProblem {
    /** Path of the argument, e.g. `replicas` or `highAvailability.disruptionBudget`. */
    argument: string;
    /** Full sentence naming the argument, the rule and the fix. */
    message: string;
}

/**
 * Thrown by {@link SelfHostedGateway} before any resource is created when its arguments break a
 * rule. Lists every problem found, not only the first, so one run shows everything to fix.
 */
export class GatewayArgumentError extends Error {
    readonly problems: readonly ArgumentProblem[];

    constructor(problems: ArgumentProblem[]) {
        super(
            problems.length === 1
                ? `SelfHostedGateway: ${problems[0].message}`
                : `SelfHostedGateway: ${problems.length} invalid arguments:\n${problems.map((p) => `  - ${p.message}`).join("\n")}`,
        );
        this.name = "GatewayArgumentError";
        this.problems = problems;
    }
}

/** Formats the message of a problem: argument, rule, fix. */
export function problemMessage(argument: string, problem: string, fix: string): string {
    return `\`${argument}\` ${problem}. ${fix}`;
}

/** Collects problems so that validation reports all of them at once. */
export class ProblemCollector {
    private readonly problems: ArgumentProblem[] = [];

    add(argument: string, problem: string, fix: string): void {
        this.problems.push({ argument, message: problemMessage(argument, problem, fix) });
    }

    /** Throws a {@link GatewayArgumentError} when any problem was added. */
    throwIfAny(): void {
        if (this.problems.length > 0) {
            throw new GatewayArgumentError([...this.problems]);
        }
    }
}
