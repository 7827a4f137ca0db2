/**
 * `npm run demo`: the whole product on this machine with nothing but the repository. The real
 * Pulumi engine deploys the production example stack to a local control plane (the cluster
 * suite's: real API server, scheduler and controllers, kwok nodes in three zones) against the
 * Azure emulators, then apim-gateway-rotate renews the token while the rollout is watched.
 * Everything it starts listens on 127.0.0.1 and is stopped on exit (or, with --keep, on Ctrl-C).
 */
import * as path from "node:path";
import { DEMO_USAGE, DemoUsageError, parseDemoArgs } from "./options";
import { ControlPlane, startControlPlane } from "../test/cluster/harness/controlPlane";
import { clusterStackConfig, createStaticVolume } from "../test/cluster/harness/gatewayOnCluster";
import { gatewayDeployment, settledGateway } from "../test/cluster/harness/gatewayObjects";
import { watchRollout } from "../test/cluster/harness/rolloutWatcher";
import { createWorld, World } from "../test/e2e/harness/world";
import { EXAMPLE_STACK } from "../test/e2e/harness/pulumiProject";
import { runToolchainBuild } from "../test/helpers/toolchainBuild";

const REPOSITORY = path.resolve(__dirname, "..");
/** The cold builds, measured on 2 cores: the README's figure. */
const COLD_BUILD_MINUTES = 16;
const TOOLCHAINS = [
    { what: "the Pulumi CLI and Kubernetes provider", script: "test/e2e/toolchain/build.sh" },
    { what: "the Kubernetes control plane (etcd, kube-apiserver, controller-manager, scheduler, kwok)", script: "test/cluster/toolchain/build.sh" },
];
const TOOLCHAIN_TIMEOUT_MS = 60 * 60_000;

const say = (line = "") => process.stdout.write(`${line}\n`);
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

/** Builds the toolchains that are not cached yet, saying so up front and streaming progress. */
async function prepareToolchains(): Promise<void> {
    for (const { what, script } of TOOLCHAINS) {
        const started = performance.now();
        let building = false;
        await runToolchainBuild(path.join(REPOSITORY, script), TOOLCHAIN_TIMEOUT_MS, (line) => {
            if (!building && line.includes("building toolchain")) {
                building = true;
                say(`First run: building ${what} from Go modules. This takes about ${COLD_BUILD_MINUTES} minutes on 2 cores,`);
                say("once: later runs find it in ~/.cache/apim-gateway-toolchain and start in seconds. Progress:");
            }
            if (building) {
                say(`    ${line}`);
            }
        });
        if (building) {
            say(`Built ${what} in ${seconds(started)}.`);
        }
    }
}

/** The live-traffic Service: the namespace's Service that has a cluster IP (the other is headless). */
async function liveTrafficService(cluster: ControlPlane, namespace: string): Promise<string> {
    const list = await cluster.api.get<{ items: { metadata: { name: string }; spec: { clusterIP?: string } }[] }>(`/api/v1/namespaces/${namespace}/services`);
    const service = list.items.find((item) => item.spec.clusterIP !== "None");
    if (service === undefined) {
        throw new Error(`no live-traffic Service in namespace ${namespace}`);
    }
    return service.metadata.name;
}

async function showPods(cluster: ControlPlane, namespace: string): Promise<void> {
    const { deployment, pods } = await settledGateway(cluster.api, namespace, (await gatewayDeployment(cluster.api, namespace)).spec.replicas);
    say(`Deployment ${namespace}/${deployment.metadata.name}: ${pods.length} of ${deployment.spec.replicas} pods Ready`);
    say(`    ${"POD".padEnd(44)} ${"NODE".padEnd(18)} ZONE`);
    const zoneOf = new Map(cluster.nodes.map((node) => [node.name, node.zone]));
    for (const pod of pods) {
        say(`    ${pod.metadata.name.padEnd(44)} ${(pod.spec.nodeName ?? "-").padEnd(18)} ${zoneOf.get(pod.spec.nodeName ?? "") ?? "-"}`);
    }
    const zones = new Set(pods.map((pod) => zoneOf.get(pod.spec.nodeName ?? "")));
    say(`    spread over ${zones.size} of ${new Set(zoneOf.values()).size} zones`);
}

async function demo(world: World, cluster: ControlPlane): Promise<void> {
    await createStaticVolume(cluster.api, "gateway-backup");

    say();
    say(`Deploying stack "${EXAMPLE_STACK}" (stacks/Pulumi.${EXAMPLE_STACK}.yaml) with pulumi up: real engine, local file backend,`);
    say("the gateway entity adopted from the ARM emulator, the token generated through it...");
    let started = performance.now();
    const stack = await world.deployGatewayStack(EXAMPLE_STACK, "contoso-gw-westeu", clusterStackConfig(cluster.kubeconfig));
    const outputs = await stack.outputs();
    const namespace = String(outputs.namespace);
    say(`Deployed in ${seconds(started)}.`);
    await showPods(cluster, namespace);

    say();
    say(`Rotating the token: apim-gateway-rotate --stack ${EXAMPLE_STACK} --force, watching the rollout...`);
    const service = await liveTrafficService(cluster, namespace);
    const watcher = watchRollout(cluster.api, namespace, service);
    started = performance.now();
    const run = await world.rotate(["--stack", EXAMPLE_STACK, "--force"]);
    const observation = await watcher.stop();
    // The report, not the engine output the CLI streams for a CI log (prefixed "[stack/gateway] ").
    const report = run.stdout.split("\n").filter((line) => !line.startsWith("[") || / (rotated|blocked|failed)\b/.test(line));
    say(report.map((line) => `    | ${line}`).join("\n"));
    if (run.code !== 0) {
        throw new Error(`apim-gateway-rotate exited with ${run.code}:\n${run.stderr}`);
    }
    const deployment = await gatewayDeployment(cluster.api, namespace);
    say(`Rotated in ${seconds(started)}. During the roll: at least ${observation.minAvailable} of ${deployment.spec.replicas} replicas available and ${observation.minReadyEndpoints} ready endpoints (${observation.samples} samples, one every 75 ms).`);
    await showPods(cluster, namespace);

    say();
    say("What ran where:");
    say(`    project        ${world.project.dir} (a copy of this repository's Pulumi project)`);
    say(`    backend        file://${world.project.backendDir}`);
    say(`    cluster        ${cluster.server}, kubeconfig ${cluster.kubeconfigFile}`);
    say(`    Azure          ARM ${world.azure.emulators.armEndpoint}, Entra ID ${world.azure.emulators.authorityHost} (emulated)`);
}

async function main(): Promise<void> {
    const options = parseDemoArgs(process.argv.slice(2));
    if (options.help) {
        say(DEMO_USAGE);
        return;
    }
    await prepareToolchains();
    const started = performance.now();
    say("Starting the Azure emulators and a local control plane (3 zones)...");
    const world = await createWorld();
    let cluster: ControlPlane | undefined;
    // Ctrl-C at any point stops what was started: nothing outlives the demo.
    const signalled = new Promise<NodeJS.Signals>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
    });
    const interrupted = signalled.then((signal) => {
        throw new Interrupted(signal);
    });
    try {
        cluster = await Promise.race([startControlPlane(), interrupted]);
        say(`Ready in ${seconds(started)}.`);
        await Promise.race([demo(world, cluster), interrupted]);
        if (options.keep) {
            say();
            say("Kept running. In another shell:");
            say(`    export KUBECONFIG=${cluster.kubeconfigFile}`);
            say("    kubectl get pods -A -o wide");
            say("Ctrl-C stops the control plane and the emulators and removes every file above.");
            await signalled;
        } else {
            say("Cleaning up: the control plane, the emulators and every file above are removed (--keep leaves them running).");
        }
    } finally {
        await cluster?.stop();
        await world.dispose();
    }
    say(`Done in ${seconds(started)}.`);
}

class Interrupted extends Error {
    constructor(readonly signal: NodeJS.Signals) {
        super(`interrupted by ${signal}: stopped the control plane and the emulators`);
    }
}

main().then(
    () => process.exit(0),
    (error: unknown) => {
        const oneLine = error instanceof DemoUsageError || error instanceof Interrupted;
        process.stderr.write(`demo: ${oneLine ? (error as Error).message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        process.exit(error instanceof DemoUsageError ? 2 : error instanceof Interrupted ? 130 : 1);
    },
);
