import { SelfHostedGatewayArgs } from "./args";
import { resolveSettings } from "./defaults";
import { ArgumentProblem, GatewayArgumentError } from "./errors";
import { namespaceWarnings } from "./k8s/namespace";
import { serviceAccountWarnings } from "./k8s/serviceAccount";
import { enforceProfile } from "./profile";
import { ResolvedSettings } from "./settings";
import { hasValidShape, validateArgs, validateResolved } from "./validation";

/** The problems a check throws as a `GatewayArgumentError`; any other error propagates. */
function problemsOf(check: () => void): readonly ArgumentProblem[] {
    try {
        check();
        return [];
    } catch (error) {
        if (error instanceof GatewayArgumentError) {
            return error.problems;
        }
        throw error;
    }
}

/**
 * Checks the arguments, applies the defaults and the profile, and reports every problem in one
 * error: the rules on the raw arguments, the rules on the resolved settings and the production
 * profile's together, so one run shows everything to fix. Wrongly shaped arguments are the one
 * exception: they are reported first and alone, because no rule can read them as typed.
 */
export function prepareSettings(args: SelfHostedGatewayArgs): { settings: ResolvedSettings; warnings: string[] } {
    const argumentProblems = problemsOf(() => validateArgs(args));
    if (argumentProblems.length === 0) {
        const settings = resolveSettings(args);
        validateResolved(settings);
        return { settings, warnings: [...enforceProfile(settings), ...namespaceWarnings(settings), ...serviceAccountWarnings(settings)] };
    }
    if (!hasValidShape(args)) {
        throw new GatewayArgumentError([...argumentProblems]);
    }
    const later: ArgumentProblem[] = [];
    try {
        const settings = resolveSettings(args);
        later.push(...problemsOf(() => validateResolved(settings)), ...problemsOf(() => enforceProfile(settings)));
    } catch {
        // Defaults cannot be applied over arguments that break a rule: those problems come first, alone.
    }
    // An argument that already broke a rule is named once, by that rule.
    const named = new Set(argumentProblems.map((problem) => problem.argument));
    throw new GatewayArgumentError([...argumentProblems, ...later.filter((problem) => !named.has(problem.argument))]);
}
