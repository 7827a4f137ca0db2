/**
 * Key regeneration for gateways shared by several units (one APIM gateway entity running in
 * several clusters, one stack each, each with its own token): pure policy over what the run
 * knows of every unit of the gateway in the backend. A key is regenerated only when every unit
 * of the gateway holds a token signed with the other key; units still on the key to regenerate
 * are rotated in the same run first; otherwise the regeneration is skipped with the reason.
 */
import { GatewayKeyType, otherKeyType } from "../../components/token/keyType";

/** One unit of a gateway as the run leaves it. */
export interface GatewayMember {
    /** `stack/gateway`, for messages. */
    readonly label: string;
    /** The key of its live token, after this run's rotation if it was rotated. */
    readonly keyType?: GatewayKeyType;
    /** Its token was renewed in this run. */
    readonly rotated: boolean;
    /** Why its live key is not known (a failed or blocked rotation, unreadable outputs); undefined when known. */
    readonly uncertain?: string;
}

/** Which key the run regenerates for one gateway, or why none. */
export type RegenerationVerdict = { readonly regenerate: GatewayKeyType } | { readonly skip: string };

/** The key every member should hold so the other can be regenerated: the one this run's rotations moved to. */
export function targetKey(members: readonly GatewayMember[]): GatewayKeyType | undefined {
    const rotatedKeys = new Set(members.filter((member) => member.rotated && member.keyType !== undefined).map((member) => member.keyType));
    return rotatedKeys.size === 1 ? [...rotatedKeys][0] : undefined;
}

/** Members to rotate in this run so that all hold `target`: those on the other key, not rotated yet. */
export function siblingsToAlign(members: readonly GatewayMember[], target: GatewayKeyType): GatewayMember[] {
    return members.filter((member) => member.uncertain === undefined && member.keyType === otherKeyType(target) && !member.rotated);
}

/** The verdict once the run's rotations (siblings included) are done. */
export function regenerationVerdict(members: readonly GatewayMember[]): RegenerationVerdict {
    const uncertain = members.filter((member) => member.uncertain !== undefined);
    if (uncertain.length > 0) {
        return {
            skip:
                `the live key of ${uncertain.map((member) => `${member.label} (${member.uncertain})`).join(", ")} is not ` +
                `known, so no key was touched`,
        };
    }
    if (!members.some((member) => member.rotated)) {
        return { skip: "nothing was rotated in this run, so nothing proves that tokens signed with the other key are out of use" };
    }
    const target = targetKey(members);
    if (target === undefined) {
        return { skip: "this run's rotations of the gateway ended on different keys, so both keys are in use" };
    }
    const holders = members.filter((member) => member.keyType !== target);
    if (holders.length > 0) {
        return {
            skip:
                `${holders.map((member) => member.label).join(", ")} still hold${holders.length === 1 ? "s" : ""} a token ` +
                `signed with the ${otherKeyType(target)} key`,
        };
    }
    return { regenerate: otherKeyType(target) };
}
