/**
 * What a CI system and its hosted runner provide around a workflow file, as the suite sets it up
 * locally: the user's repository at a commit, the tools the `uses:` actions / tasks would
 * install, the cloud identity (the emulated Entra tenant) and the clusters (local control planes).
 */
import type { InstallCache } from "./installReuse";

/** An AKS cluster as `aks-set-context` / `az aks get-credentials` finds it. */
export interface ClusterEntry {
    readonly resourceGroup: string;
    readonly name: string;
    /** The kubeconfig its credentials give (here: the control plane's). */
    readonly kubeconfig: string;
}

export interface CiPlatform {
    /** The user's repository (a local git repository) that the checkout clones. */
    readonly repositoryUrl: string;
    /** `owner/name`, for GitHub's OIDC subject. */
    readonly repository: string;
    /** The commit a run checks out. */
    readonly sha: string;
    /** The directory of Node.js 22's `node` and `npm` (setup-node / UseNode). */
    readonly node22BinDir: string;
    /** The Entra tenant, application and subscription of the emulators. */
    readonly identity: {
        readonly tenantId: string;
        readonly clientId: string;
        readonly subscriptionId: string;
        /** A federated token for `subject`, as the CI system's OIDC issuer signs it. */
        issueFederatedToken(subject: string): string;
    };
    readonly clusters: readonly ClusterEntry[];
    /**
     * The hosted runner's trust store (PEM bundle): the machine's CAs plus the emulated cloud's and
     * the release mirror's. Given to Node.js (NODE_EXTRA_CA_CERTS) and Go (SSL_CERT_FILE).
     */
    readonly caFile: string;
    /** The npm cache that setup-node's `cache: npm` restores (the machine's). */
    readonly npmCache: string;
    /** The Azure Resource Manager service connection of the Azure DevOps project, and its OIDC subject. */
    readonly azureDevOps: { readonly serviceConnection: string; readonly subject: string };
    /** Lines for `$HOME/.curlrc` of each job (the release mirror's route and CA). */
    readonly curlrc: string;
    /**
     * The hosted runner's own environment beyond a clean one (its npm configuration, the release
     * mirror's route for Pulumi's downloads).
     */
    readonly runnerEnv: Readonly<Record<string, string>>;
    /**
     * When set, an `npm ci` step identical to an earlier job's (same command, manifest, lockfile,
     * Node.js, npm settings) reuses that install (./installReuse.ts).
     */
    readonly installCache?: InstallCache;
}

/** The OIDC subject GitHub puts in a job's token when the job names an environment. */
export const githubSubject = (repository: string, environment: string) => `repo:${repository}:environment:${environment}`;

/** The subject Azure DevOps puts in a service connection's federated token. */
export const azureDevOpsSubject = (organization: string, project: string, connection: string) =>
    `sc://${organization}/${project}/${connection}`;
