/**
 * Azure Pipelines template expressions (`${{ ... }}`), the subset the runner models: the
 * `parameters` and `variables` of the run, string / number / boolean literals, and the functions
 * eq, ne, and, or, not, with Azure's comparison rules (strings case-insensitively; a boolean
 * against a string by converting the string). Anything else is refused with a WorkflowError.
 */
import { WorkflowError } from "./plan";

export interface TemplateScope {
    readonly parameters: Readonly<Record<string, unknown>>;
    readonly variables: Readonly<Record<string, string>>;
}

type Value = string | number | boolean;

const FUNCTIONS: Readonly<Record<string, (args: Value[]) => Value>> = {
    eq: ([a, b]) => equal(a, b),
    ne: ([a, b]) => !equal(a, b),
    and: (args) => args.every(truthy),
    or: (args) => args.some(truthy),
    not: ([a]) => !truthy(a),
};

function truthy(value: Value): boolean {
    return typeof value === "string" ? value !== "" && value.toLowerCase() !== "false" : Boolean(value);
}

function equal(a: Value, b: Value): boolean {
    if (typeof a === "boolean" || typeof b === "boolean") {
        return truthy(a) === truthy(b);
    }
    if (typeof a === "number" || typeof b === "number") {
        return Number(a) === Number(b);
    }
    return a.toLowerCase() === b.toLowerCase();
}

/** `True` / `False` for booleans, as Azure renders a boolean in a string. */
export function renderValue(value: unknown): string {
    return typeof value === "boolean" ? (value ? "True" : "False") : String(value);
}

/** Strings, numbers, names, punctuation; any other character is a token of its own, which parse refuses. */
const TOKEN = /'(?:[^']|'')*'|-?\d+(?:\.\d+)?|[A-Za-z_][\w.-]*|[(),]|\S/g;

/** Evaluates one expression's text. */
export function evaluateTemplate(text: string, scope: TemplateScope): Value {
    const tokens = text.match(TOKEN) ?? [];
    let position = 0;
    const next = () => tokens[position++];
    const parse = (): Value => {
        const token = next();
        if (token === undefined) {
            throw new WorkflowError(`template expression \${{${text}}} ends early`);
        }
        if (token.startsWith("'")) {
            return token.slice(1, -1).replace(/''/g, "'");
        }
        if (/^-?\d/.test(token)) {
            return Number(token);
        }
        if (token === "true" || token === "false") {
            return token === "true";
        }
        if (tokens[position] === "(") {
            const fn = FUNCTIONS[token.toLowerCase()];
            if (fn === undefined) {
                throw new WorkflowError(`template expression \${{${text}}}: function ${token} is not modelled by the runner`);
            }
            position++;
            const args: Value[] = [];
            while (tokens[position] !== ")") {
                args.push(parse());
                if (tokens[position] === ",") {
                    position++;
                }
                if (position >= tokens.length) {
                    throw new WorkflowError(`template expression \${{${text}}}: unclosed (`);
                }
            }
            position++;
            return fn(args);
        }
        const reference = /^(parameters|variables)\.(.+)$/.exec(token);
        if (reference === null) {
            throw new WorkflowError(`template expression \${{${text}}}: ${token} is not modelled (parameters.NAME, variables.NAME)`);
        }
        const values: Readonly<Record<string, unknown>> = reference[1] === "parameters" ? scope.parameters : scope.variables;
        if (!(reference[2] in values)) {
            throw new WorkflowError(`template expression \${{${text}}}: no ${reference[1]} named ${reference[2]}`);
        }
        return values[reference[2]] as Value;
    };
    const value = parse();
    if (position !== tokens.length) {
        throw new WorkflowError(`template expression \${{${text}}}: unexpected ${tokens[position]}`);
    }
    return value;
}

/** The condition of an `${{ if ... }}` / `${{ elseif ... }}`. */
export function evaluateCondition(text: string, scope: TemplateScope): boolean {
    return truthy(evaluateTemplate(text, scope));
}
