/**
 * Issue 15 §2 and §3: the shipped schedules run as written by the workflow runner (test/workflow,
 * docs/workflow-runner.md): GitHub's workflow parsed by @actions/workflow-parser, its
 * expressions evaluated by @actions/expressions, the Azure pipeline by the runner's documented
 * mapping; every script verbatim; only `uses:` actions and tasks replaced by local steps. Against
 * the ARM/Entra emulators and two local control planes (real API servers, kwok nodes):
 *
 * - shape (a), this repository cloned as the deploy project: dev on cluster A, reached through
 *   the ambient kubeconfig that `aks-set-context` gives (the cluster the schedule's variables
 *   name), prod on cluster B, reached through the kubeconfig its stack carries as a Pulumi secret
 *   (docs/scheduling-many-clusters.md): one scheduled run rotates both clusters' stacks;
 * - shape (b), a project that depends on the packed package;
 * - the matrix with two shards, manual runs of one stack and with `force`, and mutations of the
 *   file that would break a user, each of which must fail the run.
 *
 * The cases of a shape run in order on the same stacks; each says what state it starts from.
 */
import { strict as assert } from "node:assert";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import * as path from "node:path";
import { ControlPlane, startControlPlane } from "../../localenv/cluster/controlPlane";
import { createStaticVolume, STATIC_STORAGE_CLASS } from "../../localenv/cluster/gatewayOnCluster";
import { CLUSTER_TOOLCHAIN_BUILD_TIMEOUT_MS } from "../../localenv/cluster/toolchain";
import { parseGatewayResourceId } from "../../components/token/arm";
import { PROJECT_NAME } from "../../stacks/config";
import { EmulatorsForProcesses, startEmulatorsForProcesses } from "../../localenv/engine/azureEmulators";
import { PASSPHRASE, processEnvironment } from "../../localenv/engine/environment";
import { REPOSITORY } from "../../localenv/engine/pulumiProject";
import { PulumiToolchain, pulumiToolchain, TOOLCHAIN_BUILD_TIMEOUT_MS } from "../../localenv/engine/toolchain";
import { packRepository } from "../helpers/packedPackage";
import { SCHEDULES_DIR } from "../helpers/scheduleScripts";
import { azureDevOpsSubject, CiPlatform, githubSubject } from "../workflow/ciPlatform";
import { GithubTrigger } from "../workflow/githubWorkflow";
import { JobResult } from "../workflow/jobRunner";
import { WorkflowError } from "../workflow/plan";
import { startReleaseMirror, ReleaseMirror } from "../workflow/releaseMirror";
import { describeJob, runAzurePipeline, runGithubWorkflow, stepOf, summaryRows, summaryText } from "../workflow/runWorkflow";
import { AZURE_PIPELINE_PATH, cloneThisRepository, GITHUB_WORKFLOW_PATH, siteProject, UserRepository } from "../workflow/userRepository";
import { AzureTrigger } from "../workflow/azurePipeline";
import { InstallCache } from "../workflow/installReuse";

const REPOSITORY_NAME = "contoso/gateways";
const ENVIRONMENT = "apim-gateway-rotation";
const FORCE_ENVIRONMENT = "apim-gateway-rotation-force";
const SERVICE_CONNECTION = "apim-gateway-rotation";
const DEVOPS_SUBJECT = azureDevOpsSubject("contoso", "gateways", SERVICE_CONNECTION);
const CLUSTERS = { a: { resourceGroup: "rg-aks", name: "aks-west" }, b: { resourceGroup: "rg-aks", name: "aks-north" } } as const;
/** Past the 30-day validity: the token is expired. */
const EXPIRED_DAYS = 31;
/** Inside the 10-day renewal window, not expired. */
const DUE_DAYS = 25;
/** Issued past the 24-hour event cooldown, and not yet due. */
const PAST_COOLDOWN_DAYS = 5;
const ROTATE = "Rotate due tokens";
const CHECK = "Check token expiry";
/** Both files' step that downloads the Pulumi CLI and checks it against the pinned SHA-256. */
const CLI_INSTALL = "Install the Pulumi CLI (pinned, checksum verified)";
/** The GitHub workflow's azure/login step, as the runner names a step without `name:`. */
const AZURE_LOGIN = "Run azure/login@f5d393ae46f8fde4be8b75f32e3fc50e654ad0ca";
/** One workflow run: checkout, npm ci and the rotation of a few stacks (2 shared cores). */
const RUN_TIMEOUT_MS = 12 * 60_000;

const TOOLCHAIN_SCRIPT = readFileSync(path.join(REPOSITORY, "localenv", "engine", "toolchain", "build.sh"), "utf8");
/** The Pulumi CLI version the e2e toolchain builds (and the schedules pin). */
const PULUMI_VERSION = /^PULUMI_VERSION=(\S+)$/m.exec(TOOLCHAIN_SCRIPT)?.[1] ?? "unknown";
/** The Kubernetes provider plugin version it builds (the one the pinned SDK asks for). */
const KUBERNETES_PLUGIN_VERSION = /^K8S_PLUGIN_VERSION=(\S+)$/m.exec(TOOLCHAIN_SCRIPT)?.[1] ?? "unknown";

/** The machine's CA bundle (Debian's): the hosted runner trusts what this machine trusts (its registry access included). */
const SYSTEM_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

/** The hosted runner's npm configuration: this machine's user config, which a job's fresh HOME would not have. */
function runnerNpmConfig(): Record<string, string> {
    const userConfig = path.join(homedir(), ".npmrc");
    return existsSync(userConfig) ? { NPM_CONFIG_USERCONFIG: userConfig } : {};
}

/**
 * Azure's near-expiry event for one gateway instance, in the Event Grid schema of Microsoft's sample
 * (test/rotation/fixtures/events): the service's id as `topic`, `/gateways/<gateway>/<instance>` as subject,
 * and the expiry of the token the instance holds.
 */
function nearExpiryEvent(gatewayResourceId: string, instance: string, expiresAt: string) {
    const { gatewayId } = parseGatewayResourceId(gatewayResourceId);
    const service = gatewayResourceId.slice(0, gatewayResourceId.toLowerCase().lastIndexOf("/gateways/"));
    return {
        id: `near-expiry-${instance}`,
        topic: service,
        subject: `/gateways/${gatewayId}/${instance}`,
        data: {
            gatewayInfo: { gatewayId, instanceId: instance },
            tokenInfo: { expiresAtUtc: expiresAt },
        },
        eventType: "Microsoft.ApiManagement.GatewayTokenNearExpiry",
        dataVersion: "1",
        metadataVersion: "1",
        eventTime: new Date().toISOString(),
    };
}

/** The Azure pipeline uploads the rotation's summary in a step of its own (not allowed in the restricted rotation step). */
const PUBLISH_SUMMARY = "Publish the rotation summary";

/** The rotation's result for each stack, from the job summary the run shows. */
function resultsByStack(job: JobResult): Record<string, string> {
    const step = job.steps.some((entry) => entry.name === PUBLISH_SUMMARY) ? PUBLISH_SUMMARY : ROTATE;
    return Object.fromEntries(summaryRows(stepOf(job, step).summary).map((row) => [row.stack, row.result]));
}

describe("the shipped schedules run as written: workflow runner, two control planes, emulated Azure", function () {
    this.timeout(RUN_TIMEOUT_MS);
    let root: string;
    let toolchain: PulumiToolchain;
    let azure: EmulatorsForProcesses;
    let clusterA: ControlPlane;
    let clusterB: ControlPlane;
    let mirror: ReleaseMirror;
    let trustBundle: string;
    /** One real `npm ci` per repository shape (same command, manifest and lockfile), shared by that shape's jobs. */
    let installs: InstallCache;
    const figures: string[] = [];

    before(async function () {
        this.timeout(TOOLCHAIN_BUILD_TIMEOUT_MS + CLUSTER_TOOLCHAIN_BUILD_TIMEOUT_MS + 5 * 60_000);
        toolchain = await pulumiToolchain();
        root = mkdtempSync(path.join(tmpdir(), "apim-gateway-workflows-"));
        // The shared state backend (the user's `azblob://` / `s3://` in real life): the deploying shells and the jobs log in to it.
        mkdirSync(path.join(root, "backend"));
        installs = new InstallCache(path.join(root, "installs"));
        azure = await startEmulatorsForProcesses(root, {
            extraFederatedSubjects: [
                githubSubject(REPOSITORY_NAME, ENVIRONMENT),
                githubSubject(REPOSITORY_NAME, FORCE_ENVIRONMENT),
                DEVOPS_SUBJECT,
            ],
        });
        clusterA = await startControlPlane();
        clusterB = await startControlPlane();
        await createStaticVolume(clusterB.api, "gateway-backup");
        mirror = await startReleaseMirror(path.join(root, "mirror"), toolchain.binDir, {
            pulumi: PULUMI_VERSION,
            kubernetes: KUBERNETES_PLUGIN_VERSION,
        });
        trustBundle = path.join(root, "runner-ca-bundle.pem");
        writeFileSync(
            trustBundle,
            [SYSTEM_CA_BUNDLE, azure.env.NODE_EXTRA_CA_CERTS, mirror.caFile]
                .filter((file) => existsSync(file))
                .map((file) => readFileSync(file, "utf8"))
                .join("\n"),
        );
    });

    after(async () => {
        await mirror?.close();
        await clusterA?.stop();
        await clusterB?.stop();
        await azure?.emulators.stop();
        if (root !== undefined) {
            rmSync(root, { recursive: true, force: true });
            rmSync(clonesDir(), { recursive: true, force: true });
        }
        console.log(`\n      Figures:\n${figures.map((line) => `        ${line}`).join("\n")}`);
    });

    // A failure's transcript as it happens (the cases take minutes each; mocha prints failures at the end).
    afterEach(function () {
        if (this.currentTest?.state === "failed") {
            console.log(`      ${this.currentTest.title}: ${this.currentTest.err?.message}`);
        }
    });

    /** Where shape (a)'s clone lives: in the repository's git-ignored test/.tmp, so its deploying engine finds node_modules upwards. */
    const clonesDir = () => path.join(REPOSITORY, "test", ".tmp", path.basename(root));

    /** The CI platform of a user's repository at `sha`. */
    function platform(repository: UserRepository, sha: string): CiPlatform {
        return {
            repositoryUrl: repository.dir,
            repository: REPOSITORY_NAME,
            sha,
            node22BinDir: path.dirname(process.execPath),
            identity: {
                tenantId: azure.emulators.tenantId,
                clientId: azure.emulators.clientId,
                subscriptionId: azure.emulators.subscriptionId,
                issueFederatedToken: (subject) => azure.emulators.oidcIssuer.issue(subject),
            },
            clusters: [
                { ...CLUSTERS.a, kubeconfig: clusterA.kubeconfig },
                { ...CLUSTERS.b, kubeconfig: clusterB.kubeconfig },
            ],
            caFile: trustBundle,
            npmCache: path.join(homedir(), ".npm"),
            azureDevOps: { serviceConnection: SERVICE_CONNECTION, subject: DEVOPS_SUBJECT },
            curlrc: mirror.curlrc,
            runnerEnv: { ...mirror.env, ...runnerNpmConfig() },
            installCache: installs,
        };
    }

    /**
     * What the files ask their user to fill in, as a user does it: the SHA-256 of each download
     * (from the release's checksums file; here the mirror's archives: the CLI's `pulumiSha256` in
     * the pipeline, `PULUMI_SHA256` in the workflow), and the plugin lines of the providers their
     * stacks use (the stacks adopt existing gateway entities: no azure-native).
     */
    function reviewedSums(text: string): string {
        return text
            .replace(/^\s*@pulumi\/azure-native .*\n/m, "")
            .replace(/SHA256_OF_pulumi-resource-kubernetes-v\S+/, mirror.pluginSha256.kubernetes)
            .replace(/(- name: pulumiSha256\n\s+value: )""/, `$1"${mirror.pulumiSha256}"`)
            .replace(/^(\s+PULUMI_SHA256: )""$/m, `$1"${mirror.pulumiSha256}"`);
    }

    /** The repository's secrets and variables, as the workflow's header lists them. */
    const githubSettings = () => ({
        root,
        secrets: {
            AZURE_CLIENT_ID: azure.emulators.clientId,
            AZURE_TENANT_ID: azure.emulators.tenantId,
            AZURE_SUBSCRIPTION_ID: azure.emulators.subscriptionId,
            PULUMI_BACKEND_URL: `file://${path.join(root, "backend")}`,
            PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
        },
        vars: {
            AKS_RESOURCE_GROUP: CLUSTERS.a.resourceGroup,
            AKS_CLUSTER_NAME: CLUSTERS.a.name,
            // The emulated cloud, named as an operator names a custom cloud.
            APIM_GATEWAY_ARM_ENDPOINT: azure.emulators.armEndpoint,
            APIM_GATEWAY_AUTHORITY_HOST: azure.emulators.authorityHost,
        },
    });

    /** The variable group the pipeline's header asks for. */
    const azureSettings = () => ({
        root,
        variableGroups: {
            "apim-gateway-rotation": {
                PULUMI_BACKEND_URL: { value: `file://${path.join(root, "backend")}` },
                PULUMI_CONFIG_PASSPHRASE: { value: PASSPHRASE, secret: true },
                AKS_RESOURCE_GROUP: { value: CLUSTERS.a.resourceGroup },
                AKS_CLUSTER_NAME: { value: CLUSTERS.a.name },
                APIM_GATEWAY_ARM_ENDPOINT: { value: azure.emulators.armEndpoint },
                APIM_GATEWAY_AUTHORITY_HOST: { value: azure.emulators.authorityHost },
            },
        },
    });

    /** Runs the workflow for `trigger`, with the header's variables and `vars` on top. */
    async function github(repository: UserRepository, sha: string, trigger: GithubTrigger, vars: Record<string, string> = {}) {
        const started = performance.now();
        const settings = githubSettings();
        const jobs = await runGithubWorkflow(platform(repository, sha), GITHUB_WORKFLOW_PATH, trigger, {
            ...settings,
            vars: { ...settings.vars, ...vars },
        });
        figures.push(
            `GitHub ${trigger.event}${trigger.event === "workflow_dispatch" ? ` ${JSON.stringify(trigger.inputs)}` : ""}: ` +
                `${jobs.length} job(s) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
        );
        return jobs;
    }

    async function pipeline(repository: UserRepository, sha: string, trigger: AzureTrigger): Promise<JobResult[]> {
        const started = performance.now();
        const jobs = await runAzurePipeline(platform(repository, sha), AZURE_PIPELINE_PATH, trigger, azureSettings());
        figures.push(`Azure Pipelines ${trigger.event}: ${jobs.length} job(s) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
        return jobs;
    }

    /**
     * The user's deploying shell: the toolchain's CLI on PATH, the suite's backend, the emulated
     * cloud, cluster A as ambient kubeconfig.
     */
    const deployEnvironment = (home: string) => ({
        ...processEnvironment({ binDir: toolchain.binDir, home, backendDir: path.join(root, "backend"), extra: azure.env }),
        KUBECONFIG: clusterA.kubeconfigFile,
    });

    /** Adds the gateway entity a stack adopts and returns the config keys that point the stack at it. */
    function adoptedGateway(resourceGroupName: string, serviceName: string, gatewayId: string) {
        const id = azure.emulators.arm.addGateway({
            subscriptionId: azure.emulators.subscriptionId,
            resourceGroupName,
            serviceName,
            gatewayId,
        });
        return parseGatewayResourceId(id);
    }

    describe("shape (a): this repository as the deploy project; dev on cluster A (ambient), prod on B (kubeconfig a stack secret)", () => {
        let repository: UserRepository;
        let sha: string;
        /** Secret objects of the gateways' namespaces, by cluster, to see which cluster a rotation wrote to. */
        const secretVersions = async (cluster: ControlPlane, namespace: string) =>
            JSON.stringify(
                (
                    await cluster.api.get<{ items: { metadata: { name: string; resourceVersion: string } }[] }>(
                        `/api/v1/namespaces/${namespace}/secrets`,
                    )
                ).items.map((item) => [item.metadata.name, item.metadata.resourceVersion]),
            );

        before(async function () {
            this.timeout(15 * 60_000);
            mkdirSync(clonesDir(), { recursive: true });
            repository = cloneThisRepository(path.join(clonesDir(), "shape-a"), deployEnvironment(path.join(root, "home-a")));
            const environment = {
                existingGateway: true,
                azureCloud: azure.emulators.azureCloud,
                location: undefined,
                description: undefined,
                apiIds: undefined,
            };
            // Each stack keeps its own stack file's gateway names; the emulator gets those entities.
            await repository.configureStack("dev", PROJECT_NAME, {
                ...environment,
                ...adoptedGateway("rg-apim-dev", "contoso-apim-dev", "contoso-gw-dev"),
            });
            await repository.configureStack(
                "prod",
                PROJECT_NAME,
                {
                    ...environment,
                    ...adoptedGateway("rg-apim-prod", "contoso-apim", "contoso-gw-westeu"),
                    kubeconfig: clusterB.kubeconfig,
                    service: { type: "ClusterIP" },
                    configBackup: { storageClassName: STATIC_STORAGE_CLASS },
                },
                new Set(["kubeconfig"]),
            );
            repository.copySchedules(SCHEDULES_DIR, reviewedSums);
            sha = repository.commit("Our stacks and the rotation schedule");
            const started = performance.now();
            await repository.up("dev");
            await repository.up("prod");
            figures.push(`shape (a): both stacks deployed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
            await repository.age("dev", EXPIRED_DAYS);
        });

        it("forced dispatch of prod (not due): renewed on B by its own federated credential; dev untouched, monitor fails", async () => {
            const before = await repository.rotationUnits("prod");
            const versionsA = await secretVersions(clusterA, "apim-gateway-dev");
            const [job, ...more] = await github(repository, sha, { event: "workflow_dispatch", inputs: { stack: "prod", force: true } });
            assert.equal(more.length, 0);
            assert.equal(job.environment, FORCE_ENVIRONMENT);
            assert.equal(stepOf(job, ROTATE).outcome, "success", describeJob(job));
            assert.deepEqual(resultsByStack(job), { prod: "rotated" }, describeJob(job));
            const after = await repository.rotationUnits("prod");
            for (const key of Object.keys(before)) {
                assert.notEqual(after[key].tokenIssuedAt, before[key].tokenIssuedAt, `prod/${key} renewed`);
            }
            assert.equal(await secretVersions(clusterA, "apim-gateway-dev"), versionsA, "nothing written to cluster A");
            assert.equal(stepOf(job, CHECK).outcome, "failure", describeJob(job));
            assert.match(stepOf(job, CHECK).output, /\bdev\b.*\bexpired\b/, describeJob(job));
            assert.equal(job.conclusion, "failure");
        });

        it("the schedule: dev (expired) rotated on cluster A, prod (fresh) left alone on cluster B, one run; monitor passes", async () => {
            const versionsA = await secretVersions(clusterA, "apim-gateway-dev");
            const versionsB = await secretVersions(clusterB, "apim-gateway");
            const [job, ...more] = await github(repository, sha, { event: "schedule" });
            assert.equal(more.length, 0);
            assert.equal(job.environment, ENVIRONMENT);
            assert.equal(stepOf(job, CLI_INSTALL).outcome, "success", describeJob(job));
            assert.match(stepOf(job, CLI_INSTALL).output, new RegExp(`^v${PULUMI_VERSION.replace(/\./g, "\\.")}$`, "m"));
            assert.deepEqual(resultsByStack(job), { dev: "rotated", prod: "not-due" }, describeJob(job));
            assert.equal(stepOf(job, CHECK).outcome, "success", describeJob(job));
            assert.equal(job.conclusion, "success", describeJob(job));
            assert.notEqual(await secretVersions(clusterA, "apim-gateway-dev"), versionsA, "dev's token Secret rewritten on cluster A");
            assert.equal(await secretVersions(clusterB, "apim-gateway"), versionsB, "nothing written to cluster B");
        });

        it("the matrix with 2 shards (the user lists `shard: [1, 2]`): two jobs side by side, each stack handled once", async () => {
            await repository.age("dev", DUE_DAYS);
            await repository.age("prod", DUE_DAYS);
            const workflow = readFileSync(path.join(repository.dir, GITHUB_WORKFLOW_PATH), "utf8");
            const sharded = workflow.replace(/^(\s+shard: )\[1\]$/m, "$1[1, 2]");
            assert.notEqual(sharded, workflow, "the workflow lists its shards as `shard: [1]`");
            repository.write(GITHUB_WORKFLOW_PATH, sharded);
            const shardedSha = repository.commit("Two shards");
            const jobs = await github(repository, shardedSha, { event: "schedule" });
            assert.equal(jobs.length, 2);
            const handled = jobs.flatMap((job) => Object.keys(resultsByStack(job)));
            assert.deepEqual([...handled].sort(), ["dev", "prod"], jobs.map((job) => describeJob(job)).join("\n"));
            for (const job of jobs) {
                assert.equal(job.conclusion, "success", describeJob(job));
                assert.ok(
                    Object.values(resultsByStack(job)).every((result) => result === "rotated"),
                    describeJob(job),
                );
            }
        });

        it("Azure Pipelines, one run, dev expired on A, prod due on B: both rotated, each on its cluster; monitor passes", async () => {
            await repository.age("dev", EXPIRED_DAYS);
            await repository.age("prod", DUE_DAYS);
            const versionsA = await secretVersions(clusterA, "apim-gateway-dev");
            const versionsB = await secretVersions(clusterB, "apim-gateway");
            const [job, ...more] = await pipeline(repository, sha, { event: "schedule" });
            assert.equal(more.length, 0, "one stage, one job: no approval stage without force");
            assert.equal(stepOf(job, "Install the Pulumi CLI (pinned, checksum verified)").outcome, "success", describeJob(job));
            assert.deepEqual(resultsByStack(job), { dev: "rotated", prod: "rotated" }, describeJob(job));
            assert.equal(stepOf(job, CHECK).outcome, "success", describeJob(job));
            assert.equal(job.conclusion, "success", describeJob(job));
            assert.notEqual(await secretVersions(clusterA, "apim-gateway-dev"), versionsA, "dev's token Secret rewritten on cluster A");
            assert.notEqual(await secretVersions(clusterB, "apim-gateway"), versionsB, "prod's token Secret rewritten on cluster B");
        });

        describe("a change to the file that would break a user fails the run", () => {
            /** Commits `mutate(workflow)` and runs the schedule; returns the jobs, or the planning error. */
            async function runMutated(mutate: (text: string) => string): Promise<JobResult[] | Error> {
                const workflow = reviewedSums(readFileSync(path.join(SCHEDULES_DIR, "github-actions-rotate-gateway-token.yml"), "utf8"));
                const mutated = mutate(workflow);
                assert.notEqual(mutated, workflow, "the mutation changed the reviewed file");
                repository.write(GITHUB_WORKFLOW_PATH, mutated);
                const mutatedSha = repository.commit("A mutation");
                try {
                    return await github(repository, mutatedSha, { event: "schedule" });
                } catch (error) {
                    return error as Error;
                }
            }

            before(async () => {
                await repository.age("dev", EXPIRED_DAYS);
            });

            it("as shipped, checksums not filled in: stops at the CLI install naming the fix, before any download or login", async () => {
                const jobs = await runMutated(() =>
                    readFileSync(path.join(SCHEDULES_DIR, "github-actions-rotate-gateway-token.yml"), "utf8"),
                );
                assert.ok(!(jobs instanceof Error), String(jobs));
                const install = stepOf(jobs[0], CLI_INSTALL);
                assert.equal(install.outcome, "failure", describeJob(jobs[0]));
                assert.match(install.output, /^::error::set PULUMI_SHA256 in the job's env/m);
                for (const name of ["Install the provider plugins (pinned, checksum verified)", AZURE_LOGIN, ROTATE]) {
                    assert.equal(stepOf(jobs[0], name).outcome, "skipped", name);
                }
                assert.equal(jobs[0].conclusion, "failure");
            });

            it("a PULUMI_SHA256 other than the release's: the archive is refused, nothing after it runs", async () => {
                const jobs = await runMutated((text) =>
                    text.replace(`PULUMI_SHA256: "${mirror.pulumiSha256}"`, `PULUMI_SHA256: "${"0".repeat(64)}"`),
                );
                assert.ok(!(jobs instanceof Error), String(jobs));
                const install = stepOf(jobs[0], CLI_INSTALL);
                assert.equal(install.outcome, "failure", describeJob(jobs[0]));
                assert.match(
                    install.output,
                    /^::error::the release's checksum of pulumi-v\S+-linux-x64\.tar\.gz differs from PULUMI_SHA256$/m,
                );
                assert.doesNotMatch(install.output, new RegExp(`^v${PULUMI_VERSION.replace(/\./g, "\\.")}$`, "m"), "the CLI never ran");
                for (const name of ["Install the provider plugins (pinned, checksum verified)", AZURE_LOGIN, ROTATE]) {
                    assert.equal(stepOf(jobs[0], name).outcome, "skipped", name);
                }
            });

            it("a wrong bin path", async () => {
                const jobs = await runMutated((text) => text.replaceAll("-- apim-gateway-rotate ", "-- apim-gateway-rotator "));
                assert.ok(!(jobs instanceof Error), String(jobs));
                assert.equal(jobs[0].conclusion, "failure");
                assert.equal(stepOf(jobs[0], ROTATE).outcome, "failure");
            });

            it("a missing env (the passphrase not mapped into the rotation step)", async () => {
                const jobs = await runMutated((text) =>
                    text.replace(
                        /(name: Rotate due tokens[\s\S]*?)\n\s+PULUMI_CONFIG_PASSPHRASE: \$\{\{ secrets\.PULUMI_CONFIG_PASSPHRASE \}\}/,
                        "$1",
                    ),
                );
                assert.ok(!(jobs instanceof Error), String(jobs));
                assert.equal(stepOf(jobs[0], ROTATE).outcome, "failure", describeJob(jobs[0]));
                assert.equal(jobs[0].conclusion, "failure");
            });

            it("a broken expression (an unknown context): refused before anything runs", async () => {
                const broken = await runMutated((text) =>
                    text.replace("${{ secrets.PULUMI_BACKEND_URL }}", "${{ secret.PULUMI_BACKEND_URL }}"),
                );
                assert.ok(broken instanceof WorkflowError, `planning refuses it: ${String(broken)}`);
            });

            after(() => {
                repository.copySchedules(SCHEDULES_DIR, reviewedSums);
                sha = repository.commit("The shipped files again");
            });
        });
    });

    describe("shape (b): a project that depends on the packed package", () => {
        let repository: UserRepository;
        let sha: string;

        before(async function () {
            this.timeout(15 * 60_000);
            const { tarball } = packRepository(root);
            repository = await siteProject(path.join(root, "shape-b"), tarball, deployEnvironment(path.join(root, "home-b")));
            const settings = (gatewayId: string) => ({
                apimSubscriptionId: azure.emulators.subscriptionId,
                apimResourceGroup: "rg-apim",
                apimServiceName: "contoso-apim-sites",
                gatewayId: parseGatewayResourceId(
                    azure.emulators.arm.addGateway({
                        subscriptionId: azure.emulators.subscriptionId,
                        resourceGroupName: "rg-apim",
                        serviceName: "contoso-apim-sites",
                        gatewayId,
                    }),
                ).gatewayId,
                apimAzureCloud: azure.emulators.azureCloud,
            });
            await repository.configureStack("site-dev", "site-gateways", settings("site-dev"));
            await repository.configureStack("site-prod", "site-gateways", settings("site-prod"));
            // The schedules as the package ships them.
            repository.copySchedules(
                path.join(repository.dir, "node_modules", "pulumi-apim-selfhosted-gateway", "rotation", "schedules"),
                reviewedSums,
            );
            sha = repository.commit("Our sites and the rotation schedule");
            await repository.up("site-dev");
            await repository.up("site-prod");
            await repository.age("site-dev", EXPIRED_DAYS);
        });

        it("workflow_dispatch of site-prod (fresh): left alone; the monitor fails while site-dev's token is expired", async () => {
            const [job] = await github(repository, sha, { event: "workflow_dispatch", inputs: { stack: "site-prod" } });
            assert.deepEqual(resultsByStack(job), { "site-prod": "not-due" }, describeJob(job));
            assert.equal(stepOf(job, CHECK).outcome, "failure", describeJob(job));
        });

        it("the schedule: site-dev rotated, site-prod left alone; the monitor passes", async () => {
            const [job] = await github(repository, sha, { event: "schedule" });
            assert.deepEqual(resultsByStack(job), { "site-dev": "rotated", "site-prod": "not-due" }, describeJob(job));
            assert.equal(stepOf(job, CHECK).outcome, "success", describeJob(job));
            assert.equal(job.conclusion, "success", describeJob(job));
        });

        /** Azure's NearExpiry for site-prod's live token, from 2 instances: the relay's dispatch, as the first case sends it. */
        let dispatch: Extract<GithubTrigger, { event: "repository_dispatch" }>;

        it("repository_dispatch, NearExpiry for site-prod's token: renewed though not due; no key regenerated, though asked", async () => {
            await repository.age("site-prod", PAST_COOLDOWN_DAYS);
            const prodBefore = await repository.rotationUnits("site-prod");
            const devBefore = await repository.rotationUnits("site-dev");
            const { gatewayResourceId, tokenExpiresAt } = prodBefore.site;
            assert.ok(tokenExpiresAt);
            dispatch = {
                event: "repository_dispatch",
                eventType: "apim-gateway-token-expiry",
                clientPayload: {
                    events: ["site-prod-abc", "site-prod-def"].map((instance) =>
                        nearExpiryEvent(gatewayResourceId, instance, tokenExpiresAt),
                    ),
                },
            };
            const keysBefore = azure.emulators.arm.keys(gatewayResourceId);
            // The variable that turns regeneration on for scheduled and manual runs: an event run must not regenerate.
            const [job, ...more] = await github(repository, sha, dispatch, { APIM_GATEWAY_REGENERATE_UNUSED_KEY: "true" });
            assert.equal(more.length, 0);
            assert.equal(job.environment, ENVIRONMENT);
            assert.equal(stepOf(job, ROTATE).outcome, "success", describeJob(job));
            assert.equal(resultsByStack(job)["site-prod"], "rotated", describeJob(job));
            assert.match(summaryText(stepOf(job, ROTATE).summary), /\*\*Event:\*\*[^\n]*site-prod/, describeJob(job));
            assert.doesNotMatch(stepOf(job, ROTATE).output, /regenerate-unused-key/, "the workflow never passes it for an event");
            assert.deepEqual(azure.emulators.arm.keys(gatewayResourceId), keysBefore, "no key regenerated");
            const prodAfter = await repository.rotationUnits("site-prod");
            const devAfter = await repository.rotationUnits("site-dev");
            assert.notEqual(prodAfter.site.tokenIssuedAt, prodBefore.site.tokenIssuedAt, "site-prod renewed");
            assert.equal(devAfter.site.tokenIssuedAt, devBefore.site.tokenIssuedAt, "site-dev not renewed");
            assert.equal(job.conclusion, "success", describeJob(job));
        });

        it("the same dispatch replayed: folded into that renewal, nothing renewed", async () => {
            const prodBefore = await repository.rotationUnits("site-prod");
            const [job] = await github(repository, sha, dispatch);
            assert.equal(job.environment, ENVIRONMENT);
            assert.equal(stepOf(job, ROTATE).outcome, "success", describeJob(job));
            assert.equal(resultsByStack(job)["site-prod"], "not-due", describeJob(job));
            assert.match(stepOf(job, ROTATE).summary + stepOf(job, ROTATE).output, /folded/, describeJob(job));
            assert.equal((await repository.rotationUnits("site-prod")).site.tokenIssuedAt, prodBefore.site.tokenIssuedAt, "not renewed");
        });

        it("the dispatch asking for force: in the force environment (its approval), renews the named gateway only", async () => {
            const prodBefore = await repository.rotationUnits("site-prod");
            const devBefore = await repository.rotationUnits("site-dev");
            const forced = { ...dispatch, clientPayload: { ...(dispatch.clientPayload as object), force: true } };
            const [job, ...more] = await github(repository, sha, forced);
            assert.equal(more.length, 0);
            assert.equal(job.environment, FORCE_ENVIRONMENT, "the job's OIDC subject is the force environment's");
            assert.equal(stepOf(job, ROTATE).outcome, "success", describeJob(job));
            assert.equal(resultsByStack(job)["site-prod"], "rotated", describeJob(job));
            const prodAfter = await repository.rotationUnits("site-prod");
            const devAfter = await repository.rotationUnits("site-dev");
            assert.notEqual(prodAfter.site.tokenIssuedAt, prodBefore.site.tokenIssuedAt, "site-prod renewed inside the cooldown, forced");
            assert.equal(
                devAfter.site.tokenIssuedAt,
                devBefore.site.tokenIssuedAt,
                "--force with --event renews no stack the events do not name",
            );
        });
    });
});
