/**
 * Sets environment variables (undefined removes one) and returns a function that restores the
 * previous values, so a test's Azure credential settings do not leak into other tests.
 */
export function setEnv(vars: Record<string, string | undefined>): () => void {
    const previous = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
    apply(vars);
    return () => apply(previous);
}

function apply(vars: Record<string, string | undefined>): void {
    for (const [name, value] of Object.entries(vars)) {
        if (value === undefined) {
            delete process.env[name];
        } else {
            process.env[name] = value;
        }
    }
}
