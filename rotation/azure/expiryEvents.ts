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

/** The event types that renew a gateway's token. */
export const EXPIRY_EVENT_TYPES = GATEWAY_TOKEN_EVENT_TYPES;
export type ExpiryEventType = GatewayTokenEventType;

/** The largest event file read: Event Grid delivers batches of at most 1 MB. */
export const MAX_EVENT_FILE_BYTES = 1024 * 1024;

/** The longest name or id segment accepted from an event (ARM names are far shorter). */
const MAX_SEGMENT_LENGTH = 256;

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

const SEGMENT = `[^/\\u0000-\\u001f\\u007f]{1,${MAX_SEGMENT_LENGTH}}`;
/** The API Management instance: the topic of an Event Grid event, the source of a CloudEvent. */
const SERVICE_ID = new RegExp(
    `^/subscriptions/(${SEGMENT})/resourceGroups/(${SEGMENT})/providers/Microsoft\\.ApiManagement/service/(${SEGMENT})$`,
    "i",
);
/**
 * `gatewayInfo.gatewayId` as ARM spells it, and as the SDK documents it (no `providers/`, `gateway/`
 * singular); Microsoft's sample event has the bare name, also accepted.
 */
const GATEWAY_ID = new RegExp(
    `^/subscriptions/(${SEGMENT})/resourceGroups/(${SEGMENT})` +
        `/(?:providers/)?Microsoft\\.ApiManagement/service/(${SEGMENT})/gateways?/(${SEGMENT})$`,
    "i",
);
const GATEWAY_NAME = new RegExp(`^${SEGMENT}$`);
/** `/gateways/{gateway}/{instance}`. */
const SUBJECT = new RegExp(`^/gateways/(${SEGMENT})(?:/(${SEGMENT}))?$`, "i");

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

/** Untrusted text for a report: control characters replaced, at most {@link MAX_SEGMENT_LENGTH} characters. */
function printable(text: string): string {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point: they are replaced.
    return text.replace(/[\u0000-\u001f\u007f]/g, "?").slice(0, MAX_SEGMENT_LENGTH);
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** `event 2 (id "…")`, for messages. */
function describe(index: number, raw: Record<string, unknown>): string {
    return typeof raw.id === "string" ? `event ${index} (id ${JSON.stringify(raw.id.slice(0, 80))})` : `event ${index}`;
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
            `${where}: ${(error as Error).message} (expected an Event Grid event with eventType, topic, subject, data, eventTime, ` +
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
    const topic = "eventType" in event ? event.topic : event.source;
    const service = topic === undefined ? null : SERVICE_ID.exec(topic.trim().replace(/\/+$/, ""));
    if (service === null) {
        fail(
            `its ${"eventType" in event ? "topic" : "source"} ${JSON.stringify(topic)} is not an API Management instance's ` +
                `ARM id (/subscriptions/…/resourceGroups/…/providers/Microsoft.ApiManagement/service/…)`,
        );
    }
    const serviceResourceId = service![0];
    const parsed = expiryData.safeParse(event.data);
    if (!parsed.success) {
        fail(
            `its data is not a gateway token event's (gatewayInfo.gatewayId, tokenInfo.expiresAtUtc): ` +
                `${parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}`,
        );
    }
    const data = parsed.data!;
    const info = data.gatewayInfo ?? data.gateway;
    const subject = event.subject === undefined ? null : SUBJECT.exec(event.subject);
    const fromId = info === undefined ? undefined : gatewayName(info.gatewayId, serviceResourceId, fail);
    const name =
        fromId ??
        subject?.[1] ??
        fail("it names no gateway: neither data.gatewayInfo.gatewayId nor a subject /gateways/{gateway}/{instance}");
    if (fromId !== undefined && subject !== null && subject[1].toLowerCase() !== fromId.toLowerCase()) {
        fail(`its subject names gateway ${JSON.stringify(subject[1])} but data.gatewayInfo.gatewayId names ${JSON.stringify(fromId)}`);
    }
    const token = data.tokenInfo ?? data.token;
    const expiry = token?.expiresAtUtc ?? token?.expiredAtUtc ?? token?.expiresOn;
    if (expiry === undefined || Number.isNaN(Date.parse(expiry))) {
        fail(
            expiry === undefined
                ? "data.tokenInfo has no expiresAtUtc (or expiredAtUtc)"
                : `data.tokenInfo's expiry ${JSON.stringify(expiry.slice(0, 80))} is not an ISO 8601 instant`,
        );
    }
    const instance = info?.instanceId ?? subject?.[2];
    return {
        type: typeOf(event) as ExpiryEventType,
        serviceResourceId,
        gateway: name,
        ...(instance !== undefined ? { instance } : {}),
        expiresAt: new Date(Date.parse(expiry!)).toISOString(),
    };
}

/** The gateway's name from `gatewayId`; an id naming another instance than the topic is refused. */
function gatewayName(gatewayId: string, serviceResourceId: string, fail: (message: string) => never): string {
    const id = gatewayId.trim().replace(/\/+$/, "");
    const full = GATEWAY_ID.exec(id);
    if (full !== null) {
        const [, subscription, group, service, name] = full;
        const ownService = `/subscriptions/${subscription}/resourceGroups/${group}/providers/Microsoft.ApiManagement/service/${service}`;
        if (resourceIdKey(ownService) !== resourceIdKey(serviceResourceId)) {
            fail(
                `data.gatewayInfo.gatewayId ${JSON.stringify(id)} belongs to another API Management instance than its topic ` +
                    `${JSON.stringify(serviceResourceId)}`,
            );
        }
        return name;
    }
    return GATEWAY_NAME.test(id)
        ? id
        : fail(`data.gatewayInfo.gatewayId ${JSON.stringify(id.slice(0, 300))} is neither a gateway's ARM id nor its name`);
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
        if (isExpiryEvent(event)) {
            expiries.push(readExpiry(event, where));
        } else {
            ignored.push({ id: printable(event.id), eventType: printable(typeOf(event)) });
        }
    }
    return { gateways: byGateway(expiries), ignored };
}
