/**
 * What each field of an `--event` payload may hold: a pattern and a length for each, and how many
 * events one file may carry. An event is untrusted input (anyone who can publish to the topic, or
 * dispatch the workflow, writes it); what it names reaches the run's log, its report and the job
 * summary, so every field is checked here before anything is done with it, and one that fails is
 * refused with a message naming the field (exit 2, before any stack or ARM call).
 *
 * Microsoft's sample events ("Azure API Management as an Event Grid source") pass verbatim,
 * placeholders such as `{gateway-name}` included.
 */
import { quoted } from "../../components/untrustedText";

/** The most events one `--event` file may hold: Event Grid delivers at most 5,000 events in a batch. */
export const MAX_EVENTS_PER_FILE = 5000;

/** The longest segment of an ARM id read from an event (a resource group name: 90 characters). */
export const MAX_ARM_SEGMENT_LENGTH = 90;

/** The longest gateway name (API Management: 80 characters). */
export const MAX_GATEWAY_NAME_LENGTH = 80;

/** The longest gateway instance id (a Kubernetes pod name: 253 characters). */
export const MAX_INSTANCE_ID_LENGTH = 253;

/** The longest event id or event type. */
export const MAX_EVENT_TEXT_LENGTH = 256;

/** The longest subject: `/gateways/{gateway}/{instance}` at its longest. */
export const MAX_SUBJECT_LENGTH = "/gateways/".length + MAX_GATEWAY_NAME_LENGTH + 1 + MAX_INSTANCE_ID_LENGTH;

/** The longest ISO 8601 instant (`2025-02-25T08:56:00.0000000+01:00` is 33 characters). */
export const MAX_INSTANT_LENGTH = 40;

/** The longest gateway ARM id: its five segments and the fixed text between them. */
export const MAX_GATEWAY_ID_LENGTH = 5 * MAX_ARM_SEGMENT_LENGTH + 120;

/**
 * One segment of an ARM id: printable, no `/`, no white space, no control or format character
 * (`\p{C}`: C0 and C1 controls such as U+0085, zero-width and bidirectional marks).
 */
export const ARM_SEGMENT = `[^/\\s\\p{C}]{1,${MAX_ARM_SEGMENT_LENGTH}}`;

/**
 * A name as API Management accepts one (none of `* # & + : < > ? / \ %`, no surrounding space),
 * printable: no control or format character, and no white space but the plain space inside it.
 */
const NAME_CHAR = String.raw`[^*#&+:<>?/\\%\s\p{C}]`;
const nameOf = (max: number): RegExp => new RegExp(`^${NAME_CHAR}(?:(?:${NAME_CHAR}| ){0,${max - 2}}${NAME_CHAR})?$`, "u");

/** A gateway's name (`gatewayInfo.gatewayId` when bare, the subject's `{gateway}`, the id's last segment). */
export const GATEWAY_NAME = nameOf(MAX_GATEWAY_NAME_LENGTH);

/** A gateway instance's id (`gatewayInfo.instanceId`, the subject's `{instance}`). */
export const INSTANCE_ID = nameOf(MAX_INSTANCE_ID_LENGTH);

/** An event's id, type and subject (also of an event of another type, which is only listed): printable text (length checked apart). */
export const EVENT_TEXT = /^[^\p{C}]+$/u;

/** An ISO 8601 instant with its offset, as Event Grid writes `expiresAtUtc` (up to 7 fractional digits). */
export const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Why `value`, the field `field`, is refused, or `undefined` when it passes: too long (checked
 * first, so no pattern runs on a long text), or not matching `pattern`, whose meaning `expected`
 * says.
 */
export function fieldProblem(field: string, value: string, max: number, pattern: RegExp, expected: string): string | undefined {
    if (value.length > max) {
        return `${field} is ${value.length} characters long, more than the ${max} allowed (${expected})`;
    }
    return pattern.test(value) ? undefined : `${field} ${quoted(value)} is not ${expected}`;
}
