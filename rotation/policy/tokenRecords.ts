/**
 * Which gateway a unit's token belongs to, by the token's own record, pure and table-tested. The
 * key regeneration acts on a gateway only by what the token resources' state says (the gateway
 * ARM issued each token for), never by the contract output alone, which the stack's program
 * writes and may point at another team's gateway. A unit whose output and token record disagree,
 * or whose record is missing or changed by the update, gets no ARM write.
 */
import type { RotationUnit } from "../../components/contract/rotationContract";
import { resourceIdKey } from "../../components/token/resourceId";
import type { TokenRecord } from "../model/tokenRecord";

/** A stack's token records, or why they could not be read. */
export type StackTokenRecords = readonly TokenRecord[] | { readonly unreadable: string };

/** What the token's record says of a unit's gateway. */
export type RecordCheck =
    | { readonly ok: true; readonly gatewayResourceId: string }
    | {
          readonly ok: false;
          readonly problem: string;
          /** The gateway the token's state names, when it names one. */
          readonly gatewayResourceId?: string;
          /** The state could not be read: nothing is known against the unit, only nothing for it. */
          readonly unread?: true;
      };

/** The gateway the unit's token's record in `records` names (its `rotationTargets.token`), or why none. */
export function recordedGateway(unit: RotationUnit, records: StackTokenRecords): RecordCheck {
    if (!Array.isArray(records)) {
        return {
            ok: false,
            unread: true,
            problem: `its stack's state could not be read (${(records as { unreadable: string }).unreadable})`,
        };
    }
    const urn = unit.targets?.token;
    const found = (records as readonly TokenRecord[]).filter((record) => record.urn === urn);
    if (urn === undefined || found.length !== 1) {
        return {
            ok: false,
            problem:
                found.length === 0
                    ? `its stack's state has no GatewayToken at its rotationTargets.token (${urn ?? "none"})`
                    : `its stack's state has ${found.length} GatewayTokens at its rotationTargets.token (${urn})`,
        };
    }
    const record = found[0];
    return "problem" in record ? { ok: false, problem: record.problem } : { ok: true, gatewayResourceId: record.gatewayResourceId };
}

/** The unit's gateway by its token's record in `records`, checked against the unit's outputs. */
export function checkTokenRecord(unit: RotationUnit, records: StackTokenRecords): RecordCheck {
    const recorded = recordedGateway(unit, records);
    if (recorded.ok && resourceIdKey(recorded.gatewayResourceId) !== resourceIdKey(unit.gatewayResourceId)) {
        return {
            ok: false,
            gatewayResourceId: recorded.gatewayResourceId,
            problem:
                `its stack output names gateway ${unit.gatewayResourceId}, but its token's state says the token was issued for ` +
                `${recorded.gatewayResourceId}`,
        };
    }
    return recorded;
}

/** The check after an update: the token's record (see {@link recordedGateway}) must still name the gateway it named before. */
export function checkRecordUnchanged(before: string, after: RecordCheck): RecordCheck {
    if (!after.ok) {
        return { ...after, problem: `after the update, ${after.problem}` };
    }
    if (resourceIdKey(after.gatewayResourceId) !== resourceIdKey(before)) {
        return {
            ok: false,
            gatewayResourceId: after.gatewayResourceId,
            problem: `the update moved its token from gateway ${before} to ${after.gatewayResourceId}`,
        };
    }
    return after;
}
