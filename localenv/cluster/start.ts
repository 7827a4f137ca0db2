/**
 * Starts the local control plane and keeps it running until Ctrl-C (or SIGTERM), for poking at
 * it by hand: `npx ts-node --transpile-only localenv/cluster/start.ts [--nodes-per-zone 2]`.
 * Prints the admin kubeconfig's path; everything is removed on exit.
 */
import { parseArgs } from "node:util";
import { startControlPlane } from "./controlPlane";

async function main(): Promise<void> {
    const { values } = parseArgs({
        options: {
            "nodes-per-zone": { type: "string", default: "1" },
            zones: { type: "string", default: "zone-a,zone-b,zone-c" },
        },
    });
    const nodesPerZone = Number(values["nodes-per-zone"]);
    if (!Number.isInteger(nodesPerZone) || nodesPerZone < 1) {
        throw new Error(`--nodes-per-zone must be a positive whole number (got "${values["nodes-per-zone"]}")`);
    }
    const zones = values.zones.split(",").filter((zone) => zone !== "");
    const cluster = await startControlPlane({ zones, nodesPerZone });
    console.log(`API server: ${cluster.server}`);
    console.log(`kubeconfig: ${cluster.kubeconfigFile}`);
    console.log(`nodes: ${cluster.nodes.map((node) => `${node.name} (${node.zone})`).join(", ")}`);
    console.log(`ready in ${cluster.timings.readyMs} ms: ${JSON.stringify(cluster.timings)}`);
    console.log("Ctrl-C stops it and removes", cluster.dir);
    await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
    });
    await cluster.stop();
}

main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
});
