/** The command line of `apim-gateway-rotate`: parsing, validation, defaults and help. */
import { parseArgs } from "node:util";
import { AUTHORITY_HOST_ENV, operatorEndpoints } from "../azure/endpoints";
import { RotationPlan } from "../run/orchestrator";
import { EVENT_RENEWAL_COOLDOWN_MS } from "../policy/eventRenewal";
import { Shard, parseShard } from "../policy/shard";

/** Environment variable naming the directory whose `bin/pulumi` to run (a pinned CLI). */
export const PULUMI_ROOT_ENV = "APIM_GATEWAY_PULUMI_ROOT";

/** Defaults, applied here and nowhere else. */
export const CLI_OPTION_DEFAULTS = {
    /** Retries of a locked stack: a concurrent `pulumi up` usually finishes within minutes. */
    lockRetries: 4,
    /** First wait for a locked stack, in seconds; doubled on each retry (15, 30, 60, 120). */
    lockRetryDelaySeconds: 15,
    /** Longest single wait for a locked stack, in seconds. */
    lockRetryMaxDelaySeconds: 300,
    /** Stacks in flight: a rollout mostly waits for pods, so a few at once cut a fleet's time without crowding the backend. */
    concurrency: 4,
    /** The most stacks in flight: each runs a Pulumi engine and its language host. */
    maxConcurrency: 64,
} as const;

export const HELP = `Usage: apim-gateway-rotate (--stack NAME... | --all) [options]

Keeps the APIM self-hosted gateway access tokens of each stack fresh (every gateway in the stack's
apimGatewayRotation output). For each token inside its renewal window (or expired, or signed with
a regenerated key), previews a targeted update and, when it changes nothing but the token, runs it:
a new token with the other gateway key, a new Kubernetes Secret, and a rolling restart of the pods.

Stacks:
  -s, --stack NAME            a stack of the project (repeatable); never created if missing
      --all                   every stack of the project in the logged-in backend
      --shard K/N             only the stacks in shard K of N (a stable hash of each name), so N
                              jobs of a CI matrix cover every stack exactly once; with
                              --regenerate-unused-key the stacks sharing a gateway stay in one
                              shard (each job then reads every stack's outputs to find them)

Mode:
      --check                 read-only: report each token's expiry; exit 1 if any is due, expired
                              or invalidated (signed with a key regenerated since)
      --dry-run               preview the renewal of due stacks; change nothing
      --force                 renew every selected token, due or not
      --include-pending-changes
                              apply changes beyond the rotation's that the preview shows (an image
                              bump not yet deployed) instead of blocking the rotation
      --regenerate-unused-key after verified rotations, regenerate the key no token of the gateway
                              uses any more (rotating the gateway's other stacks first where
                              needed); never a live key; ignored with --event
      --event FILE            renew the gateways named by Azure's GatewayTokenNearExpiry and
                              GatewayTokenExpired events in FILE (- for stdin; as Event Grid
                              delivers them: an array in the Event Grid schema, or a CloudEvent),
                              in the selected stacks only; other units are left alone. A token
                              that is not due is renewed at most once per ${EVENT_RENEWAL_COOLDOWN_MS / 3_600_000} h: a later or
                              replayed event is folded into that renewal (--force renews anyway).
                              An event run never regenerates a key

Output:
      --json                  print the report as JSON on stdout; progress goes to stderr
      --metrics-file FILE     with --check: write each token's expiry, renewal time and status in
                              the Prometheus text format to FILE, replaced atomically (for
                              node_exporter's textfile collector)
  A summary table is printed at the end, and appended as markdown to $GITHUB_STEP_SUMMARY when set.

Azure (where the rotation signs in and calls ARM; never taken from a stack's outputs):
      --azure-cloud NAME      AzureChinaCloud or AzureUSGovernment (default: the public cloud,
                              AzureCloud)
      --arm-endpoint URL      a custom cloud's ARM endpoint (https), with --authority-host
      --authority-host URL    its Entra authority host (https); default $${AUTHORITY_HOST_ENV}, as
                              @azure/identity reads it, else the cloud's
  A gateway whose stack outputs name another cloud is reported failed, naming both endpoints.

Environment:
      --work-dir DIR          the Pulumi project directory (default: the nearest directory with a
                              Pulumi.yaml, from the current directory, then from this program,
                              within its repository or home directory)
      --pulumi-root DIR       run DIR/bin/pulumi instead of pulumi on PATH (or $${PULUMI_ROOT_ENV})
      --lock-retries N        retries when another update holds the stack (default ${CLI_OPTION_DEFAULTS.lockRetries})
      --lock-retry-delay SEC  first wait before a retry, doubled each time (default ${CLI_OPTION_DEFAULTS.lockRetryDelaySeconds})
                              (a lock left by a Pulumi process that an earlier rotation started in
                              this container, on this boot, and that no longer runs is released at
                              once with \`pulumi cancel\`, by one rotation per stack on this host,
                              only if its holders are unchanged just before)
      --release-stale-locks   also release a lock whose holder ran on a host of this name and is not
                              running here, without that proof; only where no other container or
                              machine shares this host name
      --concurrency N         stacks in flight at once, most urgent first (default ${CLI_OPTION_DEFAULTS.concurrency})
  -h, --help                  show this help

Exit codes:
  0    every stack is fine (rotated, not due, previewed, fresh or not applicable)
  1    a stack failed or was not found, a rotation was blocked by pending changes, a key
       regeneration failed, (--check) a token is due, expired or invalidated, (--event) no
       selected stack holds an event's gateway, or (--metrics-file) the file could not be written
  2    usage error (one line: the reason, and to see --help), a malformed --event file, or no
       Pulumi.yaml found
  130  cancelled by SIGINT; 143 cancelled by SIGTERM

Other command:
  plugin-lines                the schedules' PLUGINS lines for the installed provider plugins
                              (apim-gateway-rotate plugin-lines -h)
`;

/** Everything the command line decides. */
export interface CliOptions {
    readonly plan: RotationPlan;
    /** Print the report as JSON on stdout. */
    readonly json: boolean;
    /** `--work-dir`, unresolved; `undefined` to search for Pulumi.yaml. */
    readonly workDir?: string;
    /** `--pulumi-root` or `$APIM_GATEWAY_PULUMI_ROOT`; `undefined` for `pulumi` on PATH. */
    readonly pulumiRoot?: string;
    /** `--event`: the file of Azure's expiry events, `-` for stdin. */
    readonly eventFile?: string;
    /** `--metrics-file` (with `--check`): where to write the Prometheus text exposition. */
    readonly metricsFile?: string;
}

/** The outcome of parsing: run, show help, or a usage error (exit 2). */
export type ParsedCommandLine =
    | { readonly kind: "run"; readonly options: CliOptions }
    | { readonly kind: "help" }
    | { readonly kind: "usage-error"; readonly message: string };

class UsageError extends Error {}

/** Every flag, for `util.parseArgs`. */
const OPTIONS = {
    stack: { type: "string", short: "s", multiple: true },
    all: { type: "boolean" },
    shard: { type: "string" },
    check: { type: "boolean" },
    force: { type: "boolean" },
    "dry-run": { type: "boolean" },
    "include-pending-changes": { type: "boolean" },
    "regenerate-unused-key": { type: "boolean" },
    json: { type: "boolean" },
    "work-dir": { type: "string" },
    "pulumi-root": { type: "string" },
    "lock-retries": { type: "string" },
    "lock-retry-delay": { type: "string" },
    concurrency: { type: "string" },
    "release-stale-locks": { type: "boolean" },
    "azure-cloud": { type: "string" },
    "arm-endpoint": { type: "string" },
    "authority-host": { type: "string" },
    event: { type: "string" },
    "metrics-file": { type: "string" },
    help: { type: "boolean", short: "h" },
} as const;

/** Flags whose value is the next argument. */
const VALUE_FLAGS = new Set(
    Object.entries(OPTIONS).flatMap(([name, option]) =>
        option.type === "string" ? [`--${name}`, ...("short" in option ? [`-${option.short}`] : [])] : [],
    ),
);

/**
 * A Pulumi stack name: `stack`, `org/stack` or `org/project/stack`, each part letters, digits,
 * `-`, `_` and `.` (not `.` or `..` alone), the stack part at most 100 characters.
 */
function checkStackName(name: string): void {
    const parts = name.split("/");
    const valid =
        parts.length <= 3 &&
        parts.every((part) => /^[A-Za-z0-9_.-]+$/.test(part) && part !== "." && part !== "..") &&
        (parts.at(-1) ?? "").length <= 100;
    if (!valid) {
        throw new UsageError(
            `--stack "${name}" is not a Pulumi stack name: use letters, digits, "-", "_" and "." (optionally org/project/stack)`,
        );
    }
}

/** A value-taking flag followed by another flag (`--stack --help`) lost its value. */
function checkFlagValues(argv: readonly string[]): void {
    argv.forEach((arg, index) => {
        const next = argv[index + 1];
        if (VALUE_FLAGS.has(arg) && next?.startsWith("-") && next !== "-") {
            throw new UsageError(`${arg} needs a value, got the flag "${next}"`);
        }
    });
}

function wholeNumber(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
    if (text === undefined) {
        return fallback;
    }
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || value < min || value > max) {
        throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got "${text}"`);
    }
    return value;
}

function nonEmpty(flag: string, text: string | undefined): string | undefined {
    if (text !== undefined && text.trim() === "") {
        throw new UsageError(`${flag} needs a non-empty value`);
    }
    return text;
}

/** The operator's Azure endpoints, its errors as usage errors. */
function azureEndpoints(
    azureCloud: string | undefined,
    armEndpoint: string | undefined,
    authorityHost: string | undefined,
    env: NodeJS.ProcessEnv,
) {
    const chosen = {
        ...(nonEmpty("--azure-cloud", azureCloud) !== undefined ? { azureCloud } : {}),
        ...(nonEmpty("--arm-endpoint", armEndpoint) !== undefined ? { armEndpoint } : {}),
        ...(nonEmpty("--authority-host", authorityHost) !== undefined ? { authorityHost } : {}),
    };
    try {
        return operatorEndpoints(chosen, env);
    } catch (error) {
        throw new UsageError((error as Error).message);
    }
}

/** Parses `argv` (without `node` and the script) and the environment. */
export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv): ParsedCommandLine {
    try {
        checkFlagValues(argv);
        const { values } = parseArgs({ args: [...argv], strict: true, allowPositionals: false, options: OPTIONS });
        if (values.help) {
            return { kind: "help" };
        }

        const names = values.stack ?? [];
        if (names.some((name) => name.trim() === "")) {
            throw new UsageError("--stack needs a stack name");
        }
        names.forEach((name) => checkStackName(name.trim()));
        if (values.all && names.length > 0) {
            throw new UsageError("use either --stack or --all, not both");
        }
        if (!values.all && names.length === 0) {
            throw new UsageError("name the stacks with --stack NAME (repeatable) or select every stack with --all");
        }
        const check = values.check ?? false;
        const dryRun = values["dry-run"] ?? false;
        const force = values.force ?? false;
        const regenerateUnusedKey = values["regenerate-unused-key"] ?? false;
        if (check && (dryRun || force || regenerateUnusedKey)) {
            throw new UsageError("--check is read-only: it cannot be combined with --dry-run, --force or --regenerate-unused-key");
        }

        let shard: Shard | undefined;
        if (values.shard !== undefined) {
            const parsed = parseShard(values.shard);
            if ("error" in parsed) {
                throw new UsageError(parsed.error);
            }
            shard = parsed;
        }
        const includePendingChanges = values["include-pending-changes"] ?? false;
        if (check && includePendingChanges) {
            throw new UsageError("--check is read-only: it cannot be combined with --include-pending-changes");
        }
        const concurrency = wholeNumber(
            "--concurrency",
            values.concurrency,
            CLI_OPTION_DEFAULTS.concurrency,
            1,
            CLI_OPTION_DEFAULTS.maxConcurrency,
        );

        const lockRetries = wholeNumber("--lock-retries", values["lock-retries"], CLI_OPTION_DEFAULTS.lockRetries, 0, 20);
        const delaySeconds = wholeNumber(
            "--lock-retry-delay",
            values["lock-retry-delay"],
            CLI_OPTION_DEFAULTS.lockRetryDelaySeconds,
            0,
            CLI_OPTION_DEFAULTS.lockRetryMaxDelaySeconds,
        );
        const pulumiRoot = nonEmpty("--pulumi-root", values["pulumi-root"]) ?? (env[PULUMI_ROOT_ENV] || undefined);
        const workDir = nonEmpty("--work-dir", values["work-dir"]);
        const azure = azureEndpoints(values["azure-cloud"], values["arm-endpoint"], values["authority-host"], env);
        const eventFile = nonEmpty("--event", values.event);
        if (check && eventFile !== undefined) {
            throw new UsageError("--event renews the gateways the events name: it cannot be combined with --check");
        }
        const metricsFile = nonEmpty("--metrics-file", values["metrics-file"]);
        if (metricsFile !== undefined && !check) {
            throw new UsageError("--metrics-file is written by --check: add --check (run it after the rotation, or on its own schedule)");
        }

        return {
            kind: "run",
            options: {
                plan: {
                    mode: check ? "check" : dryRun ? "dry-run" : "rotate",
                    stacks: values.all ? { all: true } : { all: false, names: names.map((name) => name.trim()) },
                    force,
                    regenerateUnusedKey,
                    includePendingChanges,
                    concurrency,
                    ...(shard !== undefined ? { shard } : {}),
                    lockRetry: {
                        retries: lockRetries,
                        initialDelayMs: delaySeconds * 1000,
                        maxDelayMs: CLI_OPTION_DEFAULTS.lockRetryMaxDelaySeconds * 1000,
                    },
                    releaseStaleLocks: values["release-stale-locks"] ?? false,
                    azure,
                },
                json: values.json ?? false,
                ...(workDir !== undefined ? { workDir } : {}),
                ...(pulumiRoot !== undefined ? { pulumiRoot } : {}),
                ...(eventFile !== undefined ? { eventFile } : {}),
                ...(metricsFile !== undefined ? { metricsFile } : {}),
            },
        };
    } catch (error) {
        // `--help` next to a bad flag still shows the help; a flag taken for a value does not.
        if (error instanceof TypeError && "code" in error && (argv.includes("--help") || argv.includes("-h"))) {
            return { kind: "help" };
        }
        if (error instanceof UsageError || (error instanceof TypeError && "code" in error)) {
            return { kind: "usage-error", message: error.message };
        }
        throw error;
    }
}
