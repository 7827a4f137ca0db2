/**
 * Azure's own expiry signal for gateway tokens (`--event FILE`): API Management publishes
 * `Microsoft.ApiManagement.GatewayTokenNearExpiry` and `...GatewayTokenExpired` (preview) to Event
 * Grid, one event per gateway instance. This module reads a delivered payload (an array in the
 * Event Grid schema, one CloudEvent, or a batch of either) into the gateways it names, one entry
 * per gateway whatever the number of instances; events of other types are listed as ignored.
 *
 * The envelope is validated by the Azure SDK's own `EventGridDeserializer`, the type by its
 * `isSystemEvent`. The SDK's typed data (`ApiManagementGatewayTokenNearExpiryEventData`) describes
 * the data after its model mapper renames the wire names (`gatewayInfo` → `gateway`,
 * `tokenInfo.expiresAtUtc`/`expiredAtUtc` → `token.expiresOn`), but the deserializer hands `data`
 * over as delivered: both spellings are read here. The payload is untrusted: it names a gateway
 * and nothing else; which stacks exist, and where a token goes, the operator's selection decides.
 * Every field read is checked against its pattern and length ({@link ./eventFields}), and a file
 * holds at most {@link MAX_EVENTS_PER_FILE} events; the checks run before any pattern of more
 * than linear cost, and what fails is refused with an {@link EventFileError} naming the field.
 */
import { EventGridDeserializer, isSystemEvent } from "@azure/eventgrid";
import type {
    ApiManagementGatewayTokenExpiredEventData,
    ApiManagementGatewayTokenNearExpiryEventData,
    CloudEvent,
    EventGridEvent,
} from "@azure/eventgrid";
import { z } from "zod";
import { GATEWAY_TOKEN_EVENT_TYPES, GatewayTokenEventType } from "../../components/events/eventTypes";
import { resourceIdKey } from "../../components/token/resourceId";
import {
    ARM_SEGMENT,
    EVENT_TEXT,
    GATEWAY_NAME,
    INSTANCE_ID,
    INSTANT,
    MAX_EVENTS_PER_FILE,
    MAX_EVENT_TEXT_LENGTH,
    MAX_GATEWAY_ID_LENGTH,
    MAX_GATEWAY_NAME_LENGTH,
    MAX_INSTANCE_ID_LENGTH,
    MAX_INSTANT_LENGTH,
    MAX_SUBJECT_LENGTH,
    fieldProblem,
} from "./eventFields";
import { quoted, shown } from "../../components/untrustedText";

/** The event types that renew a gateway's token. */
export const EXPIRY_EVENT_TYPES = GATEWAY_TOKEN_EVENT_TYPES;
export type ExpiryEventType = GatewayTokenEventType;

/** The largest event file read: Event Grid delivers batches of at most 1 MB. */
export const MAX_EVENT_FILE_BYTES = 1024 * 1024;

/** A gateway named by one or more expiry events. */
export interface GatewayExpiry {
    /** The API Management instance's ARM id, as the event's topic (or source) spells it. */
    readonly serviceResourceId: string;
    /** The gateway's name (the last segment of its id), as the event spells it. */
    readonly gateway: string;
    /** The event types seen for it, in the order of {@link EXPIRY_EVENT_TYPES}. */
    readonly eventTypes: readonly ExpiryEventType[];
    /** The gateway instances the events came from, sorted, deduplicated. */
    readonly instances: readonly string[];
    /** The earliest expiry the events state, ISO 8601. */
    readonly expiresAt: string;
}

/** An event of another type, read and left alone. */
export interface IgnoredEvent {
    readonly id: string;
    readonly eventType: string;
}

/** What an event file asks for. */
export interface ExpiryEvents {
    readonly gateways: readonly GatewayExpiry[];
    readonly ignored: readonly IgnoredEvent[];
}

/** The event file is not a payload of Event Grid events or CloudEvents; the message names the event and the fix. */
export class EventFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "EventFileError";
    }
}

/** The API Management instance: the topic of an Event Grid event, the source of a CloudEvent. */
const SERVICE_ID = new RegExp(
    `^/subscriptions/(${ARM_SEGMENT})/resourceGroups/(${ARM_SEGMENT})/providers/Microsoft\\.ApiManagement/service/(${ARM_SEGMENT})$`,
    "iu",
);
/**
 * `gatewayInfo.gatewayId` as ARM spells it, and as the SDK documents it (no `providers/`, `gateway/`
 * singular); Microsoft's sample event has the bare name, also accepted.
 */
const GATEWAY_ID = new RegExp(
    `^/subscriptions/(${ARM_SEGMENT})/resourceGroups/(${ARM_SEGMENT})` +
        `/(?:providers/)?Microsoft\\.ApiManagement/service/(${ARM_SEGMENT})/gateways?/([^/]+)$`,
    "iu",
);
/** `/gateways/{gateway}/{instance}` (each part then checked as a name). */
const SUBJECT = /^\/gateways\/([^/]+)(?:\/([^/]+))?$/i;
/** What a gateway name and an instance id are, for messages. */
const NAME_RULE = "printable, without * # & + : < > ? / \\ % or surrounding spaces";

const gatewayInfo = z.object({ gatewayId: z.string().min(1), instanceId: z.string().min(1).optional() });
const tokenInfo = z.object({ expiresAtUtc: z.string().optional(), expiredAtUtc: z.string().optional(), expiresOn: z.string().optional() });
/** The data as delivered (`gatewayInfo`, `tokenInfo`) or as the SDK's model names it (`gateway`, `token`). */
const expiryData = z.object({
    gatewayInfo: gatewayInfo.optional(),
    gateway: gatewayInfo.optional(),
    tokenInfo: tokenInfo.optional(),
    token: tokenInfo.optional(),
});
type WireData = z.infer<typeof expiryData>;
type ExpiryData = ApiManagementGatewayTokenNearExpiryEventData | ApiManagementGatewayTokenExpiredEventData | WireData;

/** A known expiry event, read. */
interface ExpiryEvent {
    readonly type: ExpiryEventType;
    readonly serviceResourceId: string;
    readonly gateway: string;
    readonly instance?: string;
    readonly expiresAt: string;
}

type AnyEvent = EventGridEvent<unknown> | CloudEvent<unknown>;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** `event 2 (id "…")`, for messages. */
function describe(index: number, raw: Record<string, unknown>): string {
    return typeof raw.id === "string" ? `event ${index} (id ${quoted(raw.id)})` : `event ${index}`;
}

/** Validates the envelope with the SDK: Event Grid schema when it has `eventType`, CloudEvents 1.0 otherwise. */
async function deserialize(raw: Record<string, unknown>, where: string): Promise<AnyEvent> {
    const deserializer = new EventGridDeserializer();
    try {
        if ("eventType" in raw) {
            return (await deserializer.deserializeEventGridEvents(raw))[0];
        }
        // Microsoft's sample CloudEvent spells the attribute `specVersion`; CloudEvents 1.0 says `specversion`.
        const cloudEvent = raw.specversion === undefined && raw.specVersion !== undefined ? { ...raw, specversion: raw.specVersion } : raw;
        return (await deserializer.deserializeCloudEvents(cloudEvent))[0];
    } catch (error) {
        throw new EventFileError(
            `${where}: ${shown((error as Error).message)} (expected an Event Grid event with eventType, topic, subject, data, eventTime, ` +
                "dataVersion and metadataVersion, or a CloudEvent 1.0 with type, source, id and specversion)",
        );
    }
}

function isExpiryEvent(event: AnyEvent): event is AnyEvent & { data: ExpiryData } {
    return EXPIRY_EVENT_TYPES.some((type) => isSystemEvent(type, event as EventGridEvent<unknown>));
}

function typeOf(event: AnyEvent): string {
    return "eventType" in event ? event.eventType : event.type;
}

/** Reads an expiry event's gateway, instance and expiry; the service from the topic (or source). */
function readExpiry(event: AnyEvent & { data: ExpiryData }, where: string): ExpiryEvent {
    const fail = (message: string): never => {
        throw new EventFileError(`${where}: ${message}`);
    };
    const check = (problem: string | undefined): void => {
        if (problem !== undefined) {
            fail(problem);
        }
    };
    const topicField = "eventType" in event ? "topic" : "source";
    const topic = "eventType" in event ? event.topic : event.source;
    // The length first: no pattern runs on a long text.
    const service = topic === undefined || topic.length > MAX_GATEWAY_ID_LENGTH ? null : SERVICE_ID.exec(topic.trim().replace(/\/+$/, ""));
    if (service === null) {
        fail(
            `its ${topicField} ${topic === undefined ? "is missing: it" : quoted(topic)} is not an API Management instance's ` +
                `ARM id (/subscriptions/…/resourceGroups/…/providers/Microsoft.ApiManagement/service/…, ` +
                `each part printable and at most ${MAX_GATEWAY_ID_LENGTH} characters in all)`,
        );
    }
    const serviceResourceId = service![0];
    const parsed = expiryData.safeParse(event.data);
    if (!parsed.success) {
        fail(
            `its data is not a gateway token event's (gatewayInfo.gatewayId, tokenInfo.expiresAtUtc): ` +
                shown(parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")),
        );
    }
    const data = parsed.data!;
    const infoField = data.gatewayInfo !== undefined ? "data.gatewayInfo" : "data.gateway";
    const info = data.gatewayInfo ?? data.gateway;
    const subject = readSubject(event.subject, check);
    const fromId = info === undefined ? undefined : gatewayName(info.gatewayId, `${infoField}.gatewayId`, serviceResourceId, fail);
    const name =
        fromId ??
        subject?.gateway ??
        fail("it names no gateway: neither data.gatewayInfo.gatewayId nor a subject /gateways/{gateway}/{instance}");
    if (fromId !== undefined && subject?.gateway !== undefined && subject.gateway.toLowerCase() !== fromId.toLowerCase()) {
        fail(`its subject names gateway ${quoted(subject.gateway)} but ${infoField}.gatewayId names ${quoted(fromId)}`);
    }
    if (info?.instanceId !== undefined) {
        check(
            fieldProblem(`${infoField}.instanceId`, info.instanceId, MAX_INSTANCE_ID_LENGTH, INSTANCE_ID, `an instance id (${NAME_RULE})`),
        );
    }
    const tokenField = data.tokenInfo === undefined && data.token !== undefined ? "data.token" : "data.tokenInfo";
    const token = data.tokenInfo ?? data.token;
    const expiryKey = (["expiresAtUtc", "expiredAtUtc", "expiresOn"] as const).find((key) => token?.[key] !== undefined);
    if (expiryKey === undefined) {
        return fail(`${tokenField} has no expiresAtUtc (or expiredAtUtc)`);
    }
    const expiry = token![expiryKey]!;
    check(fieldProblem(`${tokenField}.${expiryKey}`, expiry, MAX_INSTANT_LENGTH, INSTANT, "an ISO 8601 instant with its offset"));
    if (Number.isNaN(Date.parse(expiry))) {
        fail(`${tokenField}.${expiryKey} ${quoted(expiry)} is not an ISO 8601 instant (no such date)`);
    }
    const instance = info?.instanceId ?? subject?.instance;
    return {
        type: typeOf(event) as ExpiryEventType,
        serviceResourceId,
        gateway: name,
        ...(instance !== undefined ? { instance } : {}),
        expiresAt: new Date(Date.parse(expiry)).toISOString(),
    };
}

/**
 * The gateway and instance a subject `/gateways/{gateway}/{instance}` names; none for a subject
 * of another shape. Any subject is printable text of bounded length, and the names in it are names.
 */
function readSubject(subject: string | undefined, check: (problem: string | undefined) => void): { gateway?: string; instance?: string } {
    if (subject === undefined) {
        return {};
    }
    check(fieldProblem("subject", subject, MAX_SUBJECT_LENGTH, EVENT_TEXT, "printable text"));
    const match = SUBJECT.exec(subject);
    if (match === null) {
        return {};
    }
    const [, gateway, instance] = match;
    check(fieldProblem("subject's gateway", gateway, MAX_GATEWAY_NAME_LENGTH, GATEWAY_NAME, `a gateway name (${NAME_RULE})`));
    if (instance !== undefined) {
        check(fieldProblem("subject's instance", instance, MAX_INSTANCE_ID_LENGTH, INSTANCE_ID, `an instance id (${NAME_RULE})`));
    }
    return { gateway, ...(instance !== undefined ? { instance } : {}) };
}

/** The gateway's name from `gatewayId` (the field `field`); an id naming another instance than the topic is refused. */
function gatewayName(gatewayId: string, field: string, serviceResourceId: string, fail: (message: string) => never): string {
    // The length first: no pattern runs on a long text.
    if (gatewayId.length > MAX_GATEWAY_ID_LENGTH) {
        fail(`${field} is ${gatewayId.length} characters long, more than the ${MAX_GATEWAY_ID_LENGTH} a gateway's ARM id can be`);
    }
    const id = gatewayId.trim().replace(/\/+$/, "");
    const full = GATEWAY_ID.exec(id);
    const name = full !== null ? full[4] : id;
    if (name.length > MAX_GATEWAY_NAME_LENGTH) {
        fail(`${field} names a gateway ${name.length} characters long, more than the ${MAX_GATEWAY_NAME_LENGTH} allowed`);
    }
    if (full !== null) {
        const [, subscription, group, service] = full;
        const ownService = `/subscriptions/${subscription}/resourceGroups/${group}/providers/Microsoft.ApiManagement/service/${service}`;
        if (resourceIdKey(ownService) !== resourceIdKey(serviceResourceId)) {
            fail(`${field} ${quoted(id)} belongs to another API Management instance than its topic ${quoted(serviceResourceId)}`);
        }
    }
    return GATEWAY_NAME.test(name)
        ? name
        : fail(
              `${field} ${quoted(gatewayId)} is neither a gateway's ARM id nor its name ` +
                  `(1 to ${MAX_GATEWAY_NAME_LENGTH} characters, ${NAME_RULE})`,
          );
}

/** One entry per gateway (service and name compared case-insensitively, through resourceIdKey), in first-seen order. */
function byGateway(events: readonly ExpiryEvent[]): GatewayExpiry[] {
    const gateways = new Map<string, { first: ExpiryEvent; types: Set<ExpiryEventType>; instances: Set<string>; expiresAt: string }>();
    for (const event of events) {
        const key = `${resourceIdKey(event.serviceResourceId)}/gateways/${event.gateway.toLowerCase()}`;
        const entry = gateways.get(key) ?? { first: event, types: new Set(), instances: new Set(), expiresAt: event.expiresAt };
        entry.types.add(event.type);
        if (event.instance !== undefined) {
            entry.instances.add(event.instance);
        }
        // biome-ignore lint/complexity/useMathMinMax: ISO-8601 instants in UTC, which order as text (Math.min would take numbers).
        entry.expiresAt = event.expiresAt < entry.expiresAt ? event.expiresAt : entry.expiresAt;
        gateways.set(key, entry);
    }
    return [...gateways.values()].map(({ first, types, instances, expiresAt }) => ({
        serviceResourceId: first.serviceResourceId,
        gateway: first.gateway,
        eventTypes: EXPIRY_EVENT_TYPES.filter((type) => types.has(type)),
        instances: [...instances].sort(),
        expiresAt,
    }));
}

/**
 * Reads an event file's text; `source` names it in messages (`-` for stdin). Throws
 * {@link EventFileError} when it is not JSON, holds no event, or an event is malformed.
 */
export async function parseExpiryEvents(text: string, source: string): Promise<ExpiryEvents> {
    let document: unknown;
    try {
        document = JSON.parse(text);
    } catch (error) {
        throw new EventFileError(`--event ${source} is not JSON: ${(error as Error).message}`);
    }
    const items = Array.isArray(document) ? document : [document];
    if (items.length > MAX_EVENTS_PER_FILE) {
        throw new EventFileError(
            `--event ${source} holds ${items.length} events, more than the ${MAX_EVENTS_PER_FILE} one Event Grid delivery carries`,
        );
    }
    if (items.length === 0) {
        throw new EventFileError(
            `--event ${source} holds no event: pass the payload Event Grid delivered (an array of events, or one CloudEvent)`,
        );
    }
    const expiries: ExpiryEvent[] = [];
    const ignored: IgnoredEvent[] = [];
    for (const [index, raw] of items.entries()) {
        if (!isObject(raw)) {
            throw new EventFileError(`--event ${source}: event ${index} is not a JSON object`);
        }
        const where = `--event ${source}: ${describe(index, raw)}`;
        const event = await deserialize(raw, where);
        const typeField = "eventType" in event ? "eventType" : "type";
        for (const [field, value] of [
            ["id", event.id],
            [typeField, typeOf(event)],
        ] as const) {
            const problem = fieldProblem(field, value, MAX_EVENT_TEXT_LENGTH, EVENT_TEXT, "printable text");
            if (problem !== undefined) {
                throw new EventFileError(`${where}: ${problem}`);
            }
        }
        if (isExpiryEvent(event)) {
            expiries.push(readExpiry(event, where));
        } else {
            ignored.push({ id: event.id, eventType: typeOf(event) });
        }
    }
    return { gateways: byGateway(expiries), ignored };
}
