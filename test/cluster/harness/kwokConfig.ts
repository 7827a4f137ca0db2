/**
 * kwok's configuration: the stages that play a kubelet's part (kwok's own defaults, as kwokctl
 * configures them, copied from its module by build.sh), with one test hook: a pod annotated
 * NEVER_READY_ANNOTATION is scheduled but never started, so a rollout that needs it stalls.
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

/** The stage that starts pods and marks them Ready. */
const POD_READY_STAGE = "pod-ready";

/** Writes the stages from `stagesDir` into one multi-document file `configFile`, pod-ready hooked. */
export async function writeKwokConfig(stagesDir: string, configFile: string): Promise<void> {
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
            }
            return document.toString();
        }),
    );
    await writeFile(configFile, documents.join("---\n"));
}
