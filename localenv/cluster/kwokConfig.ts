/**
 * kwok's configuration: the stages that play a kubelet's part (kwok's own defaults, as kwokctl
 * configures them, copied from its module by build.sh), with one test hook: a pod annotated
 * NEVER_READY_ANNOTATION is scheduled but never started, so a rollout that needs it stalls; every
 * other pod becomes Ready a set delay (default POD_START_DELAY_MS) after it is scheduled.
 */
import { readFile, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { parseDocument } from "yaml";

/** Pods with this annotation (any value) stay Pending and never report Ready. */
export const NEVER_READY_ANNOTATION = "test.apim-gateway/kwok-never-ready";

/** kwok's default stages, in the order kwokctl lists them (node heartbeat through leases). */
export const DEFAULT_STAGE_FILES = [
    "node-initialize.yaml",
    "node-heartbeat-with-lease.yaml",
    "pod-ready.yaml",
    "pod-complete.yaml",
    "pod-delete.yaml",
] as const;

/** How long a simulated pod takes from scheduled to Ready, unless the control plane is told otherwise. */
export const POD_START_DELAY_MS = 1000;

/** The stage that starts pods and marks them Ready. */
const POD_READY_STAGE = "pod-ready";

/**
 * Writes the stages from `stagesDir` into one multi-document file `configFile`, pod-ready hooked:
 * pods become Ready `podStartDelayMs` after they are scheduled.
 */
export async function writeKwokConfig(stagesDir: string, configFile: string, podStartDelayMs = POD_START_DELAY_MS): Promise<void> {
    if (!Number.isInteger(podStartDelayMs) || podStartDelayMs < 0) {
        throw new Error(`the pod start delay must be a whole number of milliseconds >= 0, got ${podStartDelayMs}`);
    }
    const documents = await Promise.all(
        DEFAULT_STAGE_FILES.map(async (file) => {
            const document = parseDocument(await readFile(path.join(stagesDir, file), "utf8"));
            if (document.getIn(["metadata", "name"]) === POD_READY_STAGE) {
                const expressions = document.getIn(["spec", "selector", "matchExpressions"]);
                if (expressions === undefined) {
                    throw new Error(`kwok's ${file} has no spec.selector.matchExpressions to extend; check the kwok version in build.sh`);
                }
                document.addIn(["spec", "selector", "matchExpressions"], {
                    key: `.metadata.annotations["${NEVER_READY_ANNOTATION}"]`,
                    operator: "DoesNotExist",
                });
                // A real pod takes a while to start; an instant one would let a rollout finish
                // between two samples of the zero-downtime watcher.
                document.setIn(["spec", "delay"], { durationMilliseconds: podStartDelayMs });
            }
            return document.toString();
        }),
    );
    await writeFile(configFile, documents.join("---\n"));
}
