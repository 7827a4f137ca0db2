/**
 * GitHub Actions expressions (`${{ ... }}`) evaluated by GitHub's own `@actions/expressions`,
 * over the template tokens `@actions/workflow-parser` produced: the same lexer, parser and
 * evaluator the Actions service and its language server use, so what the runner computes for an
 * `env:`, `with:`, `environment:` or `if:` is what GitHub would compute.
 */
import type { ExpressionData } from "@actions/expressions/data/index" with { "resolution-mode": "import" };
import type { FunctionDefinition } from "@actions/expressions/funcs/info" with { "resolution-mode": "import" };
import type { TemplateToken } from "@actions/workflow-parser/templates/tokens/template-token" with { "resolution-mode": "import" };
import "./esmJsonImports";
import { WorkflowError } from "./plan";

type Expressions = typeof import("@actions/expressions", { with: { "resolution-mode": "import" }});
type ParserTokens = typeof import("@actions/workflow-parser", { with: { "resolution-mode": "import" }});
type Truthiness = typeof import("@actions/expressions/result", { with: { "resolution-mode": "import" }});

/** The two ES-module packages, loaded once (they cannot be `require`d). */
export interface ActionsLibraries {
    readonly expressions: Expressions;
    readonly parser: ParserTokens;
    readonly truthy: Truthiness["truthy"];
}

let libraries: Promise<ActionsLibraries> | undefined;

export function actionsLibraries(): Promise<ActionsLibraries> {
    return (libraries ??= Promise.all([
        import("@actions/expressions"),
        import("@actions/workflow-parser"),
        import("@actions/expressions/result"),
    ]).then(([expressions, parser, result]) => ({ expressions, parser, truthy: result.truthy })));
}

/** The contexts GitHub offers a job's expressions (plain JSON values). */
export type Contexts = Readonly<Record<string, unknown>>;

/** A JSON value as the evaluator's data. */
function toData(expressions: Expressions, value: unknown): ExpressionData {
    const { data } = expressions;
    if (value === null || value === undefined) {
        return new data.Null();
    }
    if (typeof value === "string") {
        return new data.StringData(value);
    }
    if (typeof value === "boolean") {
        return new data.BooleanData(value);
    }
    if (typeof value === "number") {
        return new data.NumberData(value);
    }
    if (Array.isArray(value)) {
        return new data.Array(...value.map((item) => toData(expressions, item)));
    }
    return new data.Dictionary(
        ...Object.entries(value as Record<string, unknown>).map(([key, item]) => ({ key, value: toData(expressions, item) })),
    );
}

/** The status functions of a step's `if:`: GitHub's job status, as the runner tracks it. */
function statusFunctions(expressions: Expressions, failedBefore: boolean): FunctionDefinition[] {
    const constant = (name: string, value: boolean): FunctionDefinition => ({
        name,
        minArgs: 0,
        maxArgs: 0,
        call: () => new expressions.data.BooleanData(value),
    });
    return [constant("success", !failedBefore), constant("failure", failedBefore), constant("always", true), constant("cancelled", false)];
}

/** Evaluates one expression's text with `contexts` (and the status functions, when given). */
export function evaluate(lib: ActionsLibraries, expression: string, contexts: Contexts, failedBefore?: boolean): ExpressionData {
    const { expressions } = lib;
    const functions = failedBefore === undefined ? [] : statusFunctions(expressions, failedBefore);
    const lexed = new expressions.Lexer(expression).lex();
    let tree;
    try {
        tree = new expressions.Parser(lexed.tokens, Object.keys(contexts), functions).parse();
    } catch (error) {
        throw new WorkflowError(`expression \`${expression}\`: ${(error as Error).message}`);
    }
    const context = toData(expressions, contexts) as InstanceType<Expressions["data"]["Dictionary"]>;
    return new expressions.Evaluator(tree, context, new Map(functions.map((fn) => [fn.name, fn]))).evaluate();
}

/** A scalar token's value as a string, the way GitHub puts it into an environment variable or input. */
export function tokenString(lib: ActionsLibraries, token: TemplateToken, contexts: Contexts): string {
    const { parser } = lib;
    if (parser.isString(token)) {
        return token.value;
    }
    if (parser.isBoolean(token) || parser.isNumber(token)) {
        return String(token.value);
    }
    if (parser.isBasicExpression(token)) {
        return evaluate(lib, token.expression, contexts).coerceString();
    }
    if (token.isLiteral && "value" in token) {
        return token.value === null ? "" : String(token.value);
    }
    throw new WorkflowError(`a ${token.constructor.name} where a value was expected`);
}

/** A mapping token (`env:`, `with:`) as evaluated strings. */
export function tokenMap(lib: ActionsLibraries, token: TemplateToken | undefined, contexts: Contexts): Record<string, string> {
    if (token === undefined) {
        return {};
    }
    if (!lib.parser.isMapping(token)) {
        throw new WorkflowError("a mapping was expected");
    }
    const result: Record<string, string> = {};
    for (let index = 0; index < token.count; index++) {
        const pair = token.get(index);
        result[tokenString(lib, pair.key, contexts)] = tokenString(lib, pair.value, contexts);
    }
    return result;
}

/** A status function call in an `if:`: without one, GitHub evaluates `success() && (<if>)`. */
const STATUS_CALL = /\b(success|failure|always|cancelled)\s*\(/;

/** An `if:` as the runner's condition: evaluated when the step is reached, as GitHub does. */
export function condition(lib: ActionsLibraries, expression: string, contexts: Contexts): (failedBefore: boolean) => boolean {
    const effective = STATUS_CALL.test(expression) ? expression : `success() && (${expression})`;
    // Parsed now, so a broken `if:` fails the plan rather than the step.
    evaluate(lib, effective, contexts, false);
    return (failedBefore) => lib.truthy(evaluate(lib, effective, contexts, failedBefore));
}
