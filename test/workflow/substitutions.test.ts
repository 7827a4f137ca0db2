/**
 * The runner's azure/login, aks-set-context and AzureCLI@2 substitutes against the emulated
 * Entra: a job signs in only with the OIDC subject of the environment it names (as a federated
 * credential per environment enforces on GitHub), and the cluster steps give the kubeconfig of
 * the cluster the inputs name.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { startAzureEmulators, AzureEmulators } from "../../localenv/azure";
import { REPOSITORY } from "../helpers/packedPackage";
import { azureDevOpsSubject, CiPlatform, githubSubject } from "./ciPlatform";
import { createJobDirectories, runJob } from "./jobRunner";
import { JobPlan, StepPlan } from "./plan";

const REPO = "contoso/gateways";
const DEVOPS_SUBJECT = azureDevOpsSubject("contoso", "gateways", "apim-gateway-rotation");

/** A script that gets an ARM token with DefaultAzureCredential, as the rotation does. */
const SIGN_IN = `node -e '
const { DefaultAzureCredential } = require("@azure/identity");
new DefaultAzureCredential({ authorityHost: process.env.AUTHORITY, disableInstanceDiscovery: true })
  .getToken(process.env.SCOPE)
  .then(() => console.log("signed in"), (error) => { console.error(error.message); process.exit(1); });'`;

describe("workflow runner substitutes: azure/login, aks-set-context and AzureCLI@2 against the emulated Entra", function () {
    this.timeout(60_000);
    let emulators: AzureEmulators;
    let root: string;
    let caFile: string;

    before(async () => {
        emulators = await startAzureEmulators({ extraFederatedSubjects: [githubSubject(REPO, "apim-gateway-rotation"), DEVOPS_SUBJECT] });
        root = mkdtempSync(path.join(tmpdir(), "substitutes-"));
        caFile = path.join(root, "ca.pem");
        writeFileSync(caFile, emulators.caPem);
    });

    after(async () => {
        await emulators?.stop();
        rmSync(root, { recursive: true, force: true });
    });

    const platform = (): CiPlatform => ({
        repositoryUrl: root,
        repository: REPO,
        sha: "0".repeat(40),
        node22BinDir: path.dirname(process.execPath),
        identity: {
            tenantId: emulators.tenantId,
            clientId: emulators.clientId,
            subscriptionId: emulators.subscriptionId,
            issueFederatedToken: (subject) => emulators.oidcIssuer.issue(subject),
        },
        clusters: [{ resourceGroup: "rg-aks", name: "aks-west", kubeconfig: "apiVersion: v1\nkind: Config\n# aks-west\n" }],
        caFile,
        npmCache: path.join(root, "npm"),
        azureDevOps: { serviceConnection: "apim-gateway-rotation", subject: DEVOPS_SUBJECT },
        curlrc: "",
        runnerEnv: {},
    });

    const stepEnv = () => ({
        AUTHORITY: emulators.authorityHost,
        SCOPE: `${emulators.armEndpoint}/.default`,
        NODE_PATH: path.join(REPOSITORY, "node_modules"),
    });
    const always = () => true;
    const setupNode: StepPlan = {
        name: "setup-node",
        runs: always,
        env: {},
        action: { kind: "uses", uses: "actions/setup-node", with: { "node-version": "22" } },
    };

    function githubJob(environment: string | undefined, login: Record<string, string>): JobPlan {
        return {
            name: "rotate",
            system: "github",
            environment,
            env: {},
            steps: [
                setupNode,
                { name: "login", runs: always, env: {}, action: { kind: "uses", uses: "azure/login", with: login } },
                {
                    name: "aks",
                    runs: always,
                    env: {},
                    action: {
                        kind: "uses",
                        uses: "azure/aks-set-context",
                        with: { "resource-group": "rg-aks", "cluster-name": "aks-west" },
                    },
                },
                {
                    name: "sign in",
                    runs: always,
                    env: stepEnv(),
                    action: { kind: "script", script: `${SIGN_IN}\ngrep -q "# aks-west" "$KUBECONFIG"`, shell: ["bash", "-e"] },
                },
            ],
        };
    }

    const login = () => ({ "client-id": emulators.clientId, "tenant-id": emulators.tenantId, "subscription-id": emulators.subscriptionId });
    const run = (job: JobPlan) => runJob(job, platform(), createJobDirectories(mkdtempSync(path.join(root, "job-"))));

    it("a job in the environment the identity trusts signs in, and gets the named cluster's kubeconfig", async () => {
        const result = await run(githubJob("apim-gateway-rotation", login()));
        assert.equal(result.conclusion, "success", JSON.stringify(result.steps, undefined, 1));
        assert.match(result.steps[3].output, /signed in/);
    });

    it("a job in another environment (a forced run with no federated credential), or in none, is refused by Entra", async () => {
        for (const environment of ["apim-gateway-rotation-force", undefined]) {
            const result = await run(githubJob(environment, login()));
            assert.equal(result.steps[1].outcome, "success", "azure/login itself only exports the identity");
            assert.equal(result.steps[3].outcome, "failure", `${environment}: ${result.steps[3].output}`);
            assert.match(result.steps[3].output, /AADSTS70021|federated|No matching/i);
        }
    });

    it("azure/login refuses inputs that are not the platform's identity, and aks-set-context a cluster it does not have", async () => {
        const wrong = await run(githubJob("apim-gateway-rotation", { ...login(), "client-id": "" }));
        assert.equal(wrong.steps[1].outcome, "failure");
        assert.match(wrong.steps[1].output, /input client-id is empty/);
        const job = githubJob("apim-gateway-rotation", login());
        const unknownCluster = await run({
            ...job,
            steps: [
                job.steps[0],
                job.steps[1],
                {
                    ...job.steps[2],
                    action: {
                        kind: "uses",
                        uses: "azure/aks-set-context",
                        with: { "resource-group": "rg-aks", "cluster-name": "aks-east" },
                    },
                },
            ],
        });
        assert.equal(unknownCluster.steps[2].outcome, "failure");
        assert.match(unknownCluster.steps[2].output, /no AKS cluster aks-east in resource group rg-aks/);
    });

    it(
        "AzureCLI@2 runs its inline script signed in as the service " +
            "connection, with `az aks get-credentials` answered from the clusters",
        async () => {
            const script =
                `set -euo pipefail\naz aks get-credentials --resource-group rg-aks --name aks-west --overwrite-existing\ngrep ` +
                `-q "# aks-west" "$HOME/.kube/config"\n${SIGN_IN}\nif az account show 2>/dev/null; then exit 1; fi`;
            const job: JobPlan = {
                name: "Job",
                system: "azure",
                env: {},
                steps: [
                    { ...setupNode, action: { kind: "uses", uses: "UseNode@1", with: { version: "22.x" } } },
                    {
                        name: "Rotate",
                        runs: always,
                        env: stepEnv(),
                        action: {
                            kind: "uses",
                            uses: "AzureCLI@2",
                            with: { azureSubscription: "apim-gateway-rotation", scriptType: "bash", scriptLocation: "inlineScript" },
                            script: { kind: "script", script, shell: ["bash"] },
                        },
                    },
                ],
            };
            const result = await run(job);
            assert.equal(result.conclusion, "success", JSON.stringify(result.steps, undefined, 1));
            assert.match(result.steps[1].output, /signed in/);
        },
    );
});
