/**
 * What the demo deploys: the production example stack (stacks/Pulumi.prod.yaml), its settings
 * resolved the way the component resolves them, so the demo's checks and messages use the same
 * namespace, replica count and spread the stack will.
 */
import * as path from "node:path";
import { resolveSettings } from "../components/defaults";
import { ResolvedSettings } from "../components/settings";
import { stackSettings } from "../stacks/config";
import { loadStackFile } from "../stacks/stackFile";
import { EXAMPLE_STACK } from "../localenv/engine/pulumiProject";

export { EXAMPLE_STACK };

/** The example stack's resolved settings, read from the repository's stack file. */
export function exampleStackSettings(repository: string): ResolvedSettings {
    const raw = loadStackFile(path.join(repository, "stacks", `Pulumi.${EXAMPLE_STACK}.yaml`));
    return resolveSettings(stackSettings({ values: raw.values, secretKeys: new Set(raw.secretKeys) }).args);
}
