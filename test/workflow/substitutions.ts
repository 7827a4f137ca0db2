/**
 * The local step that stands in for each `uses:` action (GitHub) and task (Azure Pipelines) of
 * the shipped schedules: the same effect on the job (files, PATH, environment), with the inputs
 * the file gives checked against what the local platform has. An action or task not listed fails
 * the step, so a new one in a schedule cannot pass unnoticed. docs/workflow-runner.md has the table.
 *
 * - actions/checkout, `checkout: self`: `git clone` of the user's repository, `git checkout` of
 *   the run's commit, into the workspace
 * - actions/setup-node, UseNode@1: the version must be 22: Node.js 22's bin directory first on
 *   PATH; npm's cache is the machine's
 * - azure/login: client, tenant and subscription must be the emulated tenant's; a federated token
 *   for the job's OIDC subject (`repo:OWNER/REPO:environment:ENV`) signed by the emulated issuer,
 *   and AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_SUBSCRIPTION_ID, AZURE_FEDERATED_TOKEN_FILE
 *   exported: DefaultAzureCredential signs in with it (Entra checks the subject)
 * - azure/aks-set-context: the cluster named by resource group and name among the suite's control
 *   planes: its kubeconfig in RUNNER_TEMP, KUBECONFIG exported
 * - AzureCLI@2: the service connection must be the one the platform has; its federated identity
 *   (subject `sc://ORG/PROJECT/CONNECTION`) in the environment as for azure/login, an `az` on PATH
 *   that answers `az aks get-credentials` from the control planes (any other az command fails); the
 *   inline script run verbatim with bash
 */
import { mkdirSync, writeFileSync, chmodSync } from "node:fs";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { CiPlatform, githubSubject } from "./ciPlatform";
import type { JobDirectories } from "./jobRunner";
import { ScriptAction, SubstitutedAction } from "./plan";

/** What a substituted step did. */
export interface Effect {
    readonly ok: boolean;
    readonly output: string;
    /** Variables for the following steps. */
    readonly exported?: Record<string, string>;
    /** Directories to put first on PATH for the following steps. */
    readonly paths?: string[];
}

export interface SubstitutionContext {
    readonly platform: CiPlatform;
    readonly dirs: JobDirectories;
    /** The step's environment. */
    readonly env: Readonly<Record<string, string>>;
    /** The job's deployment environment (GitHub), which the OIDC subject names. */
    readonly environment?: string;
    readonly system: "github" | "azure";
    /** Runs a script of the task verbatim, with extra variables and PATH entries. */
    runScript(
        script: ScriptAction,
        extra: { env: Record<string, string>; paths: string[] },
    ): Promise<{ code: number | null; output: string }>;
}

type Substitution = (
    inputs: Readonly<Record<string, string>>,
    context: SubstitutionContext,
    action: SubstitutedAction,
) => Promise<Effect> | Effect;

/** A step input the file must give, with the value the platform has. */
function requireInput(inputs: Readonly<Record<string, string>>, name: string, expected?: string): string {
    const value = inputs[name] ?? "";
    if (value === "") {
        throw new Error(`input ${name} is empty: the workflow did not give it`);
    }
    if (expected !== undefined && value !== expected) {
        throw new Error(`input ${name} is "${value}", the platform has "${expected}"`);
    }
    return value;
}

function refuseInputs(inputs: Readonly<Record<string, string>>, names: readonly string[], reason: string): void {
    const given = names.filter((name) => (inputs[name] ?? "") !== "" && inputs[name] !== "false");
    if (given.length > 0) {
        throw new Error(`input ${given.join(", ")}: ${reason}`);
    }
}

const checkout: Substitution = (_inputs, { platform, dirs }) => {
    const git = (args: string[]) => spawnSync("git", args, { cwd: dirs.workspace, encoding: "utf8" });
    const clone = git(["clone", "--quiet", "--no-hardlinks", platform.repositoryUrl, "."]);
    const detach = clone.status === 0 ? git(["-c", "advice.detachedHead=false", "checkout", "--quiet", platform.sha]) : clone;
    return {
        ok: detach.status === 0,
        output: `${clone.stderr}${detach === clone ? "" : detach.stderr}cloned ${platform.repositoryUrl} at ${platform.sha}\n`,
    };
};

const setupNode =
    (inputName: string): Substitution =>
    (inputs, { platform }) => {
        const version = requireInput(inputs, inputName);
        if (!/^22(\.|$)/.test(version)) {
            throw new Error(`${inputName} ${version}: the local runner has Node.js 22 only`);
        }
        return { ok: true, output: `Node.js 22 from ${platform.node22BinDir}\n`, paths: [platform.node22BinDir] };
    };

/** Writes a federated token for `subject` and returns the variables DefaultAzureCredential reads. */
function federatedIdentity(context: SubstitutionContext, subject: string): Record<string, string> {
    const { identity } = context.platform;
    const tokenFile = path.join(context.dirs.temp, "federated-token.jwt");
    writeFileSync(tokenFile, identity.issueFederatedToken(subject), { mode: 0o600 });
    return {
        AZURE_CLIENT_ID: identity.clientId,
        AZURE_TENANT_ID: identity.tenantId,
        AZURE_SUBSCRIPTION_ID: identity.subscriptionId,
        AZURE_FEDERATED_TOKEN_FILE: tokenFile,
    };
}

const azureLogin: Substitution = (inputs, context) => {
    const { identity, repository } = context.platform;
    requireInput(inputs, "client-id", identity.clientId);
    requireInput(inputs, "tenant-id", identity.tenantId);
    requireInput(inputs, "subscription-id", identity.subscriptionId);
    refuseInputs(inputs, ["creds", "enable-AzPSSession"], "not modelled");
    // A job without an environment gets a branch subject, which no federated credential of the schedule's setup trusts.
    const subject =
        context.environment === undefined ? `repo:${repository}:ref:refs/heads/main` : githubSubject(repository, context.environment);
    return {
        ok: true,
        output: `signed in as ${identity.clientId} with OIDC subject ${subject}\n`,
        exported: federatedIdentity(context, subject),
    };
};

function findCluster(platform: CiPlatform, resourceGroup: string, name: string) {
    const cluster = platform.clusters.find((entry) => entry.resourceGroup === resourceGroup && entry.name === name);
    if (cluster === undefined) {
        throw new Error(
            `no AKS cluster ${name} in resource group ${resourceGroup} ` +
                `(the platform has ${platform.clusters.map((entry) => `${entry.resourceGroup}/${entry.name}`).join(", ")})`,
        );
    }
    return cluster;
}

const aksSetContext: Substitution = (inputs, { platform, dirs }) => {
    refuseInputs(inputs, ["use-kubelogin", "admin"], "not modelled");
    const cluster = findCluster(platform, requireInput(inputs, "resource-group"), requireInput(inputs, "cluster-name"));
    const file = path.join(dirs.temp, `kubeconfig_${Date.now()}`);
    writeFileSync(file, cluster.kubeconfig, { mode: 0o600 });
    return { ok: true, output: `KUBECONFIG for ${cluster.resourceGroup}/${cluster.name}\n`, exported: { KUBECONFIG: file } };
};

/** The `az` inside AzureCLI@2: only `az aks get-credentials`, answered from the control planes. */
function azStandIn(platform: CiPlatform, dirs: JobDirectories): string {
    const bin = path.join(dirs.temp, "az-bin");
    const clusters = path.join(dirs.temp, "az-clusters");
    mkdirSync(bin, { recursive: true });
    mkdirSync(clusters, { recursive: true });
    for (const cluster of platform.clusters) {
        writeFileSync(path.join(clusters, `${cluster.resourceGroup}__${cluster.name}`), cluster.kubeconfig, { mode: 0o600 });
    }
    const script = `#!/usr/bin/env bash
# az stand-in (test/workflow/substitutions.ts): az aks get-credentials only.
set -euo pipefail
if [ "\${1:-} \${2:-}" != "aks get-credentials" ]; then echo "az stand-in: '$*' is not modelled" >&2; exit 2; fi
shift 2
group="" name=""
while [ $# -gt 0 ]; do
  case "$1" in
    --resource-group|-g) group="$2"; shift 2 ;;
    --name|-n) name="$2"; shift 2 ;;
    --overwrite-existing) shift ;;
    *) echo "az stand-in: option $1 is not modelled" >&2; exit 2 ;;
  esac
done
source="${clusters}/\${group}__\${name}"
if [ -z "$group" ] || [ -z "$name" ] || [ ! -f "$source" ]; then
  echo "ERROR: (ResourceNotFound) cluster '$name' in resource group '$group' not found" >&2; exit 3
fi
mkdir -p "$HOME/.kube" && cp "$source" "$HOME/.kube/config" && chmod 600 "$HOME/.kube/config"
echo "Merged \\"$name\\" as current context in $HOME/.kube/config"
`;
    writeFileSync(path.join(bin, "az"), script);
    chmodSync(path.join(bin, "az"), 0o755);
    return bin;
}

const azureCli: Substitution = async (inputs, context, action) => {
    const { platform, dirs } = context;
    requireInput(inputs, "azureSubscription", platform.azureDevOps.serviceConnection);
    requireInput(inputs, "scriptType", "bash");
    requireInput(inputs, "scriptLocation", "inlineScript");
    if (action.script === undefined) {
        throw new Error("AzureCLI@2 without an inlineScript");
    }
    const run = await context.runScript(action.script, {
        env: federatedIdentity(context, platform.azureDevOps.subject),
        paths: [azStandIn(platform, dirs)],
    });
    return { ok: run.code === 0, output: run.output };
};

const SUBSTITUTIONS: Readonly<Record<string, Substitution>> = {
    "actions/checkout": checkout,
    checkout,
    "actions/setup-node": setupNode("node-version"),
    "UseNode@1": setupNode("version"),
    "azure/login": azureLogin,
    "azure/aks-set-context": aksSetContext,
    "AzureCLI@2": azureCli,
};

/** Runs the local step for `action`; an action without one fails. */
export async function substitute(action: SubstitutedAction, context: SubstitutionContext): Promise<Effect> {
    const substitution = SUBSTITUTIONS[action.uses];
    if (substitution === undefined) {
        return { ok: false, output: `the workflow runner has no local step for ${action.uses} (test/workflow/substitutions.ts)\n` };
    }
    return substitution(action.with, context, action);
}
