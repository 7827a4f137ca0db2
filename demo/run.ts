/**
 * `npm run demo`: the whole product on this machine with nothing but the repository. The real
 * Pulumi engine deploys the production example stack to a local control plane (the cluster
 * suite's: real API server, scheduler and controllers, kwok nodes in three zones) against the
 * Azure emulators, then apim-gateway-rotate renews the token while the rollout is watched.
 * Everything it starts listens on 127.0.0.1 and is stopped on exit (or, with --keep, on Ctrl-C).
 *
 * With `--kube-context NAME` the same runs on that context's existing cluster with the `pulumi`
 * on PATH (no toolchain is built), still against the emulators; the stack is destroyed at the
 * end, so the cluster is left as found.
 */
import * as path from "node:path";
import { DEMO_USAGE, DemoOptions, DemoUsageError, parseDemoArgs } from "./options";
import { ClusterPlan, NodeObject, nodeZones, planCluster } from "./clusterPlan";
import { ClusterUnusableError, kubeApiFor, loadKubeContext, readClusterFacts } from "./contextCluster";
import { EXAMPLE_STACK, exampleStackSettings } from "./exampleStack";
import { KubeContext } from "./kubeconfigContext";
import { diagnosePods, PodEvent, PodState } from "./podDiagnosis";
import { requirePulumiOnPath } from "./pulumiOnPath";
import { ResolvedSettings } from "../components/settings";
import { ControlPlane, startControlPlane } from "../localenv/cluster/controlPlane";
import { clusterStackConfig, createStaticVolume } from "../localenv/cluster/gatewayOnCluster";
import { gatewayDeployment, settledGateway } from "../localenv/cluster/gatewayObjects";
import { KubeApi } from "../localenv/cluster/kubeApi";
import { watchRollout } from "../localenv/cluster/rolloutWatcher";
import { createWorld, World } from "../localenv/engine/world";
import { runToolchainBuild } from "../localenv/helpers/toolchainBuild";

const REPOSITORY = path.resolve(__dirname, "..");
/** The cold builds, measured on 2 cores: the README's figure. */
const COLD_BUILD_MINUTES = 16;
const TOOLCHAINS = [
    { what: "the Pulumi CLI and Kubernetes provider", script: "localenv/engine/toolchain/build.sh" },
    {
        what: "the Kubernetes control plane (etcd, kube-apiserver, controller-manager, scheduler, kwok)",
        script: "localenv/cluster/toolchain/build.sh",
    },
];
const TOOLCHAIN_TIMEOUT_MS = 60 * 60_000;
/** The PersistentVolume the config backup claim binds to where no StorageClass provisions one. */
const STATIC_VOLUME = "gateway-backup";

/** How much of a failed `pulumi up`'s output to show under the pods' report. */
const ENGINE_TAIL_LINES = 20;

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
async function liveTrafficService(api: KubeApi, namespace: string): Promise<string> {
    const list = await api.get<{ items: { metadata: { name: string }; spec: { clusterIP?: string } }[] }>(
        `/api/v1/namespaces/${namespace}/services`,
    );
    const service = list.items.find((item) => item.spec.clusterIP !== "None");
    if (service === undefined) {
        throw new Error(`no live-traffic Service in namespace ${namespace}`);
    }
    return service.metadata.name;
}

async function showPods(api: KubeApi, namespace: string): Promise<void> {
    const { deployment, pods } = await settledGateway(api, namespace, (await gatewayDeployment(api, namespace)).spec.replicas);
    say(`Deployment ${namespace}/${deployment.metadata.name}: ${pods.length} of ${deployment.spec.replicas} pods Ready`);
    say(`    ${"POD".padEnd(44)} ${"NODE".padEnd(18)} ZONE`);
    const zoneOf = nodeZones((await api.get<{ items: NodeObject[] }>("/api/v1/nodes")).items);
    for (const pod of pods) {
        say(`    ${pod.metadata.name.padEnd(44)} ${(pod.spec.nodeName ?? "-").padEnd(18)} ${zoneOf.get(pod.spec.nodeName ?? "") ?? "-"}`);
    }
    const zones = new Set(pods.map((pod) => zoneOf.get(pod.spec.nodeName ?? "")));
    say(`    spread over ${zones.size} of ${new Set(zoneOf.values()).size} zones`);
}

/** Where the demo deploys: an API client, the stack config that points the program there, and how to say where it is. */
interface DemoCluster {
    readonly api: KubeApi;
    readonly stackConfig: Record<string, unknown>;
    readonly where: string;
    /** Says why the pods are not Ready when `pulumi up` failed (an existing cluster: real kubelets, resources, storage). */
    readonly diagnoseFailedUp?: boolean;
}

/** Every line of why the namespace's pods are not Ready. */
async function podReport(api: KubeApi, namespace: string): Promise<string[]> {
    try {
        const [pods, events] = await Promise.all([
            api.get<{ items: PodState[] }>(`/api/v1/namespaces/${namespace}/pods`),
            api.get<{ items: PodEvent[] }>(`/api/v1/namespaces/${namespace}/events`),
        ]);
        return diagnosePods(pods.items, events.items);
    } catch (error) {
        return [`the pods could not be read: ${(error as Error).message}`];
    }
}

/** Deploys, shows, rotates, shows. `stop` is checked between the steps: nothing new starts after Ctrl-C. */
async function demo(world: World, cluster: DemoCluster, example: ResolvedSettings, stop?: AbortSignal): Promise<void> {
    const { api } = cluster;
    stop?.throwIfAborted();
    say();
    say(`Deploying stack "${EXAMPLE_STACK}" (stacks/Pulumi.${EXAMPLE_STACK}.yaml) with pulumi up: real engine, local file backend,`);
    say("the gateway entity adopted from the ARM emulator, the token generated through it...");
    let started = performance.now();
    let stack;
    try {
        stack = await world.deployGatewayStack(EXAMPLE_STACK, "contoso-gw-westeu", cluster.stackConfig);
    } catch (error) {
        if (!cluster.diagnoseFailedUp) {
            throw error;
        }
        const report = await podReport(api, example.namespace.name);
        const engineTail = (error as Error).message.trim().split("\n").slice(-ENGINE_TAIL_LINES).join("\n");
        throw new ClusterUnusableError(
            `pulumi up failed after ${seconds(started)}; the gateway pods in namespace ` +
                `${example.namespace.name}:\n${report.map((line) => `    ${line}`).join("\n")}\nThe engine's last lines:\n${engineTail}`,
        );
    }
    const outputs = await stack.outputs();
    const namespace = String(outputs.namespace);
    say(`Deployed in ${seconds(started)}.`);
    stop?.throwIfAborted();
    await showPods(api, namespace);

    stop?.throwIfAborted();
    say();
    say(`Rotating the token: apim-gateway-rotate --stack ${EXAMPLE_STACK} --force, watching the rollout...`);
    const service = await liveTrafficService(api, namespace);
    const watcher = watchRollout(api, namespace, service);
    started = performance.now();
    const run = await world.rotate(["--stack", EXAMPLE_STACK, "--force"]);
    const observation = await watcher.stop();
    // The report, not the engine output the CLI streams for a CI log (prefixed "[stack/gateway] ").
    const report = run.stdout.split("\n").filter((line) => !line.startsWith("[") || / (rotated|blocked|failed)\b/.test(line));
    say(report.map((line) => `    | ${line}`).join("\n"));
    if (run.code !== 0) {
        throw new Error(`apim-gateway-rotate exited with ${run.code}:\n${run.stderr}`);
    }
    const deployment = await gatewayDeployment(api, namespace);
    say(
        `Rotated in ${seconds(started)}. During the roll: at least ${observation.minAvailable} of ${deployment.spec.replicas} ` +
            `replicas available and ${observation.minReadyEndpoints} ready endpoints (${observation.samples} samples, one every 75 ms).`,
    );
    await showPods(api, namespace);

    say();
    say("What ran where:");
    say(`    project        ${world.project.dir} (a copy of this repository's Pulumi project)`);
    say(`    backend        file://${world.project.backendDir}`);
    say(`    cluster        ${cluster.where}`);
    say(`    Azure          ARM ${world.azure.emulators.armEndpoint}, Entra ID ${world.azure.emulators.authorityHost} (emulated)`);
}

/**
 * `signalled` resolves on SIGINT or SIGTERM; `interrupted` rejects then, for racing the work in
 * progress; `stop` is aborted then, for the steps not to start.
 */
function signals(): { signalled: Promise<NodeJS.Signals>; interrupted: Promise<never>; stop: AbortSignal } {
    // Listeners that stay: execa (under the Automation API) re-raises a signal once no listener but
    // its own is left, which would kill this process before it has cleaned up.
    const signalled = new Promise<NodeJS.Signals>((resolve) => {
        process.on("SIGINT", resolve);
        process.on("SIGTERM", resolve);
    });
    const abort = new AbortController();
    const interrupted = signalled.then((signal) => {
        abort.abort();
        throw new Interrupted(signal);
    });
    interrupted.catch(() => undefined);
    return { signalled, interrupted, stop: abort.signal };
}

/** The default: the local control plane and the pinned toolchains. */
async function onLocalControlPlane(options: DemoOptions, example: ResolvedSettings): Promise<void> {
    await prepareToolchains();
    const started = performance.now();
    say("Starting the Azure emulators and a local control plane (3 zones)...");
    const world = await createWorld();
    let controlPlane: ControlPlane | undefined;
    // Ctrl-C at any point stops what was started: nothing outlives the demo.
    const { signalled, interrupted } = signals();
    try {
        controlPlane = await Promise.race([startControlPlane(), interrupted]);
        say(`Ready in ${seconds(started)}.`);
        await createStaticVolume(controlPlane.api, STATIC_VOLUME);
        const cluster: DemoCluster = {
            api: controlPlane.api,
            stackConfig: clusterStackConfig(controlPlane.kubeconfigFile),
            where: `${controlPlane.server}, kubeconfig ${controlPlane.kubeconfigFile}`,
        };
        await Promise.race([demo(world, cluster, example), interrupted]);
        if (options.keep) {
            say();
            say("Kept running. In another shell:");
            say(`    export KUBECONFIG=${controlPlane.kubeconfigFile}`);
            say("    kubectl get pods -A -o wide");
            say("Ctrl-C stops the control plane and the emulators and removes every file above.");
            await signalled;
        } else {
            say("Cleaning up: the control plane, the emulators and every file above are removed (--keep leaves them running).");
        }
    } finally {
        await controlPlane?.stop();
        await world.dispose();
    }
    say(`Done in ${seconds(started)}.`);
}

/** Refuses, one line per problem, or prints what the example will meet on the cluster. */
function reportPlan(context: KubeContext, plan: ClusterPlan): void {
    if (plan.problems.length > 0) {
        throw new ClusterUnusableError(plan.problems.join("\ndemo: "));
    }
    const zones = [...new Set(plan.zoneOf.values())].sort();
    say(
        `Context "${context.context}": ${context.server} (kubeconfig ` +
            `${context.file}), zones ${zones.length > 0 ? zones.join(", ") : "none"}.`,
    );
    plan.notes.forEach((note) => say(`Note: ${note}.`));
}

/**
 * `--kube-context`: the context's cluster and the `pulumi` on PATH. The stack is destroyed at the
 * end (after Ctrl-C with --keep) and the demo's own volume deleted, leaving the cluster as found.
 */
async function onContext(options: DemoOptions, target: { context: string; kubeconfig?: string }, example: ResolvedSettings): Promise<void> {
    const pulumi = requirePulumiOnPath(process.env.PATH);
    const context = await loadKubeContext(target.context, target.kubeconfig);
    const api = await kubeApiFor(context);
    const started = performance.now();
    let world: World | undefined;
    let stackCreated = false;
    let volumeCreated = false;
    const { signalled, interrupted, stop } = signals();
    try {
        const plan = planCluster(await readClusterFacts(api, context, example.namespace.name, STATIC_VOLUME), example);
        reportPlan(context, plan);
        say(`Starting the Azure emulators; the Pulumi CLI is ${pulumi}...`);
        world = await createWorld({ pulumi: "path" });
        say(`Ready in ${seconds(started)}.`);
        if (plan.storage.kind === "static") {
            await createStaticVolume(api, STATIC_VOLUME);
            volumeCreated = true;
        }
        const cluster: DemoCluster = {
            api,
            stackConfig: clusterStackConfig(context.file, {
                kubeContext: context.context,
                ...(plan.storage.kind === "default" ? { configBackup: { storageClassName: plan.storage.name } } : {}),
            }),
            where: `context "${context.context}", ${context.server}, kubeconfig ${context.file}`,
            diagnoseFailedUp: true,
        };
        stackCreated = true;
        const running = demo(world, cluster, example, stop);
        await Promise.race([running, interrupted]).catch(async (error: unknown) => {
            if (error instanceof Interrupted) {
                // The engine or rotation in progress is not abandoned (the terminal's Ctrl-C reached
                // it too, and no next step starts): its end is awaited, so the destroy below never
                // meets a stack still being updated.
                await running.catch(() => undefined);
            }
            throw error;
        });
        if (options.keep) {
            say();
            say("Kept running. In another shell:");
            say(`    kubectl --kubeconfig ${context.file} --context ${context.context} get pods -n ${example.namespace.name} -o wide`);
            say(`Ctrl-C destroys the stack on context "${context.context}", stops the emulators and removes every file above.`);
            await signalled;
        }
    } finally {
        if (world !== undefined) {
            await leaveAsFound(world, api, context, example, { stackCreated, volumeCreated });
            await world.dispose();
        }
        api.close();
    }
    say(`Done in ${seconds(started)}.`);
}

/** Destroys the stack and deletes the demo's volume; on failure says what is left and how to remove it. */
async function leaveAsFound(
    world: World,
    api: KubeApi,
    context: KubeContext,
    example: ResolvedSettings,
    created: { stackCreated: boolean; volumeCreated: boolean },
): Promise<void> {
    const started = performance.now();
    say(
        `Cleaning up: pulumi destroy of stack "${EXAMPLE_STACK}" on context ` +
            `"${context.context}"${created.volumeCreated ? ` and PersistentVolume ${STATIC_VOLUME}` : ""}, ` +
            `then the emulators and every file above...`,
    );
    const left: string[] = [];
    if (created.stackCreated) {
        try {
            await world.destroyStack(EXAMPLE_STACK);
        } catch (error) {
            say(`pulumi destroy failed: ${(error as Error).message.split("\n").slice(-5).join(" ")}`);
            left.push(`kubectl --kubeconfig ${context.file} --context ${context.context} delete namespace ${example.namespace.name}`);
        }
    }
    if (created.volumeCreated) {
        try {
            await api.delete(`/api/v1/persistentvolumes/${STATIC_VOLUME}`);
        } catch (error) {
            say(`deleting PersistentVolume ${STATIC_VOLUME} failed: ${(error as Error).message}`);
            left.push(`kubectl --kubeconfig ${context.file} --context ${context.context} delete persistentvolume ${STATIC_VOLUME}`);
        }
    }
    if (left.length > 0) {
        process.exitCode = 1;
        say(`Left on the cluster; remove it with: ${left.join("; ")}`);
    } else {
        say(
            `Cleaned up in ${seconds(started)}: stack destroyed (namespace ${example.namespace.name} ` +
                `deleted)${created.volumeCreated ? `, PersistentVolume ${STATIC_VOLUME} deleted` : ""}; ` +
                `the cluster is as the demo found it.`,
        );
    }
}

async function main(): Promise<void> {
    const options = parseDemoArgs(process.argv.slice(2));
    if (options.help) {
        say(DEMO_USAGE);
        return;
    }
    const example = exampleStackSettings(REPOSITORY);
    if (options.target.kind === "context") {
        await onContext(options, options.target, example);
    } else {
        await onLocalControlPlane(options, example);
    }
}

class Interrupted extends Error {
    constructor(readonly signal: NodeJS.Signals) {
        super(`interrupted by ${signal}: stopped what the demo started`);
    }
}

main().then(
    () => process.exit(process.exitCode ?? 0),
    (error: unknown) => {
        const oneLine = error instanceof DemoUsageError || error instanceof Interrupted || error instanceof ClusterUnusableError;
        process.stderr.write(
            `demo: ${oneLine ? (error as Error).message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
        );
        process.exit(error instanceof DemoUsageError ? 2 : error instanceof Interrupted ? 130 : 1);
    },
);
