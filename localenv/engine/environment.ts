/**
 * The environment of every process the suite starts (Pulumi CLI, language host, providers, the
 * rotation program): this machine's environment without anything that could point a process at
 * a real cloud, backend or cluster, plus the suite's own settings.
 */
import * as path from "node:path";

/** The user's own CLI settings, kept when the suite runs that CLI ({@link PulumiSettings.home} omitted). */
const USER_CLI = [/^PULUMI_HOME$/, /^PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION$/, /^PULUMI_IGNORE_AMBIENT_PLUGINS$/];

/** Inherited variables that are blanked: credentials, backends, clusters and product settings. */
const DROPPED = [/^PULUMI_/, /^AZURE_/, /^ARM_/, /^APIM_GATEWAY_/, /^KUBECONFIG$/, /^GITHUB_STEP_SUMMARY$/, /^NODE_EXTRA_CA_CERTS$/];

/** What the Pulumi processes of one backend need. */
export interface PulumiSettings {
    /** Put first on PATH, before the Node.js that runs this suite. Omit to prove a process finds the CLI itself. */
    readonly binDir?: string;
    /**
     * PULUMI_HOME: workspace files, logs, plugins. Omit for a user's own Pulumi CLI: its
     * PULUMI_HOME (else ~/.pulumi, where its plugins are installed) and its plugin acquisition
     * setting are kept, so the engine finds or installs the Kubernetes plugin as it always does.
     */
    readonly home?: string;
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
    const kept = (name: string) => settings.home === undefined && USER_CLI.some((pattern) => pattern.test(name));
    const inherited = Object.fromEntries(
        Object.entries(process.env)
            .filter((entry): entry is [string, string] => entry[1] !== undefined)
            .map(([name, value]) => [name, DROPPED.some((pattern) => pattern.test(name)) && !kept(name) ? "" : value]),
    );
    // This suite's Node.js (22), ahead of any older system one, for the language host and providers.
    const pathEntries = [settings.binDir, path.dirname(process.execPath), inherited.PATH].filter((entry) => entry !== undefined);
    return {
        ...inherited,
        PATH: pathEntries.join(path.delimiter),
        // The pinned toolchain's plugins are its binaries on PATH: nothing is ever downloaded.
        ...(settings.home !== undefined ? { PULUMI_HOME: settings.home, PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true" } : {}),
        PULUMI_BACKEND_URL: `file://${settings.backendDir}`,
        PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        ...settings.extra,
    };
}
