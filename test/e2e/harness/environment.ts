/**
 * The environment of every process the suite starts (Pulumi CLI, language host, providers, the
 * rotation program): this machine's environment without anything that could point a process at
 * a real cloud, backend or cluster, plus the suite's own settings.
 */
import * as path from "node:path";

/** Inherited variables that are blanked: credentials, backends, clusters and product settings. */
const DROPPED = [/^PULUMI_/, /^AZURE_/, /^ARM_/, /^APIM_GATEWAY_/, /^KUBECONFIG$/, /^GITHUB_STEP_SUMMARY$/, /^NODE_EXTRA_CA_CERTS$/];

/** What the Pulumi processes of one backend need. */
export interface PulumiSettings {
    /** Put first on PATH, before the Node.js that runs this suite. Omit to prove a process finds the CLI itself. */
    readonly binDir?: string;
    /** PULUMI_HOME: workspace files, logs, plugins. */
    readonly home: string;
    /** The local file backend's directory. */
    readonly backendDir: string;
    /** Anything else, e.g. the emulators' CA and credentials. */
    readonly extra: Readonly<Record<string, string>>;
}

/** The passphrase of every stack's secrets provider (a test value; never a real secret). */
export const PASSPHRASE = "e2e-passphrase-not-a-secret";

/**
 * A clean environment for a process of the suite. Dropped variables are set empty rather than
 * left out, because the Automation API merges its environment over this process's own.
 */
export function processEnvironment(settings: PulumiSettings): Record<string, string> {
    const inherited = Object.fromEntries(
        Object.entries(process.env)
            .filter((entry): entry is [string, string] => entry[1] !== undefined)
            .map(([name, value]) => [name, DROPPED.some((pattern) => pattern.test(name)) ? "" : value]),
    );
    // This suite's Node.js (22), ahead of any older system one, for the language host and providers.
    const pathEntries = [settings.binDir, path.dirname(process.execPath), inherited.PATH].filter((entry) => entry !== undefined);
    return {
        ...inherited,
        PATH: pathEntries.join(path.delimiter),
        PULUMI_HOME: settings.home,
        PULUMI_BACKEND_URL: `file://${settings.backendDir}`,
        PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        ...settings.extra,
    };
}
