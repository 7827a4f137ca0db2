/** A change a rotation's preview shows beyond the rotation's own, and its description in words. */
import { resourceKind, resourceName } from "./engineRecord";

/** A change the preview shows beyond the rotation's. */
export interface PendingChange {
    readonly urn: string;
    readonly op: string;
    /** The property paths that are not the rotation's (all of them for a foreign resource or operation). */
    readonly paths: readonly string[];
}

/** "Deployment gateway (update): spec.template.spec.containers[0].image". */
export function describePendingChange(change: PendingChange): string {
    const what = `${resourceKind(change.urn)} ${resourceName(change.urn)} (${change.op})`;
    return change.paths.length > 0 ? `${what}: ${change.paths.join(", ")}` : what;
}
