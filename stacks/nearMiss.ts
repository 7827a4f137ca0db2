/** Edit distance of two strings (insertions, deletions, substitutions). */
function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        previous = current;
    }
    return previous[b.length];
}

/** Differences up to this many edits read as a typo of the project name rather than another namespace. */
const MAX_TYPO_EDITS = 2;

/**
 * Whether a config namespace looks like a misspelling of the project's (`apim-gatway`,
 * `apim_gateway`, `APIM-Gateway`): such keys are never read by the program, so a security
 * setting there would be silently dropped. Other namespaces (`kubernetes`, `azure-native`) are
 * far from it and pass.
 */
export function namespaceNearMiss(namespace: string, project: string): boolean {
    if (namespace === project || namespace === "") {
        return false;
    }
    const normalise = (value: string) => value.toLowerCase().replace(/[-_.\s]/g, "");
    return normalise(namespace) === normalise(project) || editDistance(namespace.toLowerCase(), project) <= MAX_TYPO_EDITS;
}
