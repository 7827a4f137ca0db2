/**
 * The pending-changes guard: a rotation's targeted update (`--target <token, Secret, Deployment>
 * --target-dependents`) would apply the whole desired state of those resources at the checked-out
 * commit. From the preview's steps, this finds every change that is not the rotation's own, so an
 * unreviewed change (an image bump merged but not deployed) never rides along with a routine
 * rotation. Pure; the rotation's own changes are defined by the contract (`ROTATION_CHANGES`).
 */
import { ROTATION_CHANGES, RotationTargets } from "../../components/contract/rotationContract";
import { ResourceStep, isNoOpProviderUpdate } from "../model/engineRecord";
import type { PendingChange } from "../model/pendingChange";

const SECRET_REPLACEMENT_OPS = new Set(["create-replacement", "replace", "delete-replaced"]);

function outside(paths: readonly string[], allowed: readonly RegExp[]): string[] {
    return paths.filter((path) => !allowed.some((pattern) => pattern.test(path)));
}

/** What the step changes beyond the rotation; `undefined` when it is all the rotation's. */
function pendingPart(step: ResourceStep, targets: RotationTargets): PendingChange | undefined {
    if (step.urn === targets.token && step.op === "update") {
        // The token resource is the rotation's own: any update of it is the renewal.
        return undefined;
    }
    if (step.urn === targets.secret && SECRET_REPLACEMENT_OPS.has(step.op)) {
        const extra = outside(step.paths, ROTATION_CHANGES.secretPaths);
        return extra.length === 0 ? undefined : { urn: step.urn, op: step.op, paths: extra };
    }
    if (step.urn === targets.deployment && step.op === "update") {
        // Without a detailed diff the change cannot be proven to be the rotation's.
        const extra = step.paths.length === 0 ? ["(no detailed diff)"] : outside(step.paths, ROTATION_CHANGES.deploymentPaths);
        return extra.length === 0 ? undefined : { urn: step.urn, op: step.op, paths: extra };
    }
    return isNoOpProviderUpdate(step) ? undefined : { urn: step.urn, op: step.op, paths: step.paths };
}

/** The preview's changes that are not the rotation's, one entry per resource operation. */
export function pendingChanges(steps: readonly ResourceStep[], targets: RotationTargets): PendingChange[] {
    return steps.map((step) => pendingPart(step, targets)).filter((change): change is PendingChange => change !== undefined);
}
