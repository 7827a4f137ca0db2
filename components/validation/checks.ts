/** Generic checks shared by the validation modules; each adds a problem naming the argument. */
import { ProblemCollector } from "../errors";
import { isLabelValue, isQualifiedName } from "../formats";

export type Problems = ProblemCollector;

/** A required input: present, and non-empty when it is a plain string (Outputs are checked by the API). */
export function checkRequiredInput(p: Problems, argument: string, value: unknown): void {
    if (value === undefined || value === null || value === "") {
        p.add(argument, "is required", `Set ${argument}.`);
    }
}

export function checkUniqueStrings(
    p: Problems,
    argument: string,
    values: unknown[] | undefined,
    valid: (value: string) => boolean,
    rule: string,
): void {
    if (values === undefined) {
        return;
    }
    const seen = new Set<string>();
    for (const value of values) {
        if (typeof value !== "string" || !valid(value)) {
            p.add(argument, `entry ${JSON.stringify(value)} is invalid: entries ${rule}`, "Fix the entry.");
        } else if (seen.has(value)) {
            p.add(argument, `lists "${value}" twice`, "Keep one entry.");
        }
        if (typeof value === "string") {
            seen.add(value);
        }
    }
}

export function checkLabels(p: Problems, argument: string, labels: Record<string, string> | undefined, reserved: readonly string[]): void {
    for (const [key, value] of Object.entries(labels ?? {})) {
        if (!isQualifiedName(key)) {
            p.add(`${argument}["${key}"]`, "is not a valid label key", "Use [prefix/]name with letters, digits, '-', '_' and '.'.");
        } else if (reserved.includes(key)) {
            p.add(
                `${argument}["${key}"]`,
                "is set by the component (it identifies and selects the gateway pods)",
                "Remove it or choose another key.",
            );
        }
        if (typeof value !== "string" || !isLabelValue(value)) {
            p.add(
                `${argument}["${key}"]`,
                `value ${JSON.stringify(value)} is not a valid label value`,
                "Use at most 63 letters, digits, '-', '_' and '.'.",
            );
        }
    }
}

export function checkAnnotations(p: Problems, argument: string, annotations: Record<string, string> | undefined): void {
    // The values are strings: the shape check has refused any other before these rules run.
    for (const key of Object.keys(annotations ?? {})) {
        if (!isQualifiedName(key)) {
            p.add(`${argument}["${key}"]`, "is not a valid annotation key", "Use [prefix/]name with letters, digits, '-', '_' and '.'.");
        }
    }
}

export function isHttpUrl(value: string): boolean {
    try {
        const url = new URL(value);
        return url.protocol === "http:" || url.protocol === "https:";
    } catch {
        return false;
    }
}
