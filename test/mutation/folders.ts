/**
 * The folders `npm run mutation` mutates, each with the tests that judge it, and the score each must
 * reach. A folder is judged by its own tests (the mirrored test folder) and by every unit test that
 * imports one of its modules directly (found at run time, `importersOf`): each mutant of a module
 * then runs the tests written for it, and a module-level ("static") mutant runs the folder's tests
 * rather than the whole unit suite, which is what makes a run fit in an hour on two cores.
 */

/** One folder under mutation. */
export interface MutationFolder {
    /** Repository-relative folder whose `.ts` files are mutated. */
    readonly folder: string;
    /** Test globs that cover it beyond its direct importers: the mirrored test folder. */
    readonly tests: readonly string[];
    /** Tests left out of its runs, each because it measures the code itself, which Stryker's instrumentation changes. */
    readonly excluded?: readonly string[];
}

/** The mutation score each folder must reach (percent); no-coverage mutants count as survivors. */
export const MUTATION_SCORE_GOAL = 90;

/** Issue order: the rotation's decisions and reports first, then the token and the component's checks. */
export const MUTATION_FOLDERS: readonly MutationFolder[] = [
    { folder: "rotation/policy", tests: ["test/rotation/policy/**/*.test.ts"] },
    { folder: "rotation/report", tests: ["test/rotation/report/**/*.test.ts"] },
    { folder: "rotation/run", tests: ["test/rotation/run/**/*.test.ts"] },
    { folder: "rotation/command", tests: ["test/rotation/command/**/*.test.ts"] },
    {
        folder: "components/token",
        tests: ["test/token/**/*.test.ts"],
        // It bounds the serialized provider's size: the instrumented code is five times larger, so it
        // fails before any mutant runs. Its secret checks hold no decision of the folder's.
        excluded: ["test/token/serialization.test.ts"],
    },
    { folder: "components/contract", tests: ["test/rotation/contract.test.ts", "test/component/contract.test.ts"] },
    { folder: "components/validation", tests: ["test/component/**/*.test.ts"] },
];
