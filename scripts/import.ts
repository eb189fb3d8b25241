/**
 * Loads existing knowledge into the hub (format: README, "Importing existing
 * knowledge"; an example in docs/import-example.jsonl):
 *
 *   npm run import -- FILE.jsonl              validate, then import
 *   npm run import -- FILE.jsonl --dry-run    validate only
 *   npm run import -- FILE.jsonl --skip-invalid --invite
 *
 * The whole file is checked first and every problem printed with its line
 * number; if any line is bad nothing is written, unless --skip-invalid.
 * Running the same file again updates what changed and creates no
 * duplicates. Progress bars go to standard error, the report to standard
 * output. Exit code: 0 done, 1 not imported (or stopped), 2 wrong usage.
 *
 * Uses DATABASE_URL (or the embedded database under DATA_DIR) and runs the
 * migrations first, like admin:create. With the embedded database, stop the
 * server first: PGlite's data directory can be opened by one process only;
 * the server adds the imported posts to its search index when it starts
 * again (they are in the change log past its snapshot's position). On
 * PostgreSQL, each batch's transaction notifies running servers when it
 * commits, as posts written in the hub do.
 */
import { parseArgs } from 'node:util'
import { Presets, SingleBar } from 'cli-progress'
import { deliverPendingEmails } from '../app/modules/email/email.server'
import {
  importFile,
  type ImportCounts,
  type ImportOutcome,
} from '../app/modules/import/import.server'
import { EnvError, parseEnv } from '../app/utils/env.server'
import { connectForScript } from './db-connect'

const USAGE = `Usage: npm run import -- FILE.jsonl [--dry-run] [--skip-invalid] [--invite]

  --dry-run        check the file and report; write nothing
  --skip-invalid   import the valid lines even if others are bad (those are listed and left out)
  --invite         email each person of the file whose account has no password yet a link to choose one

The format is described in the README ("Importing existing knowledge").`

const n = (value: number) => value.toLocaleString('en')
const plural = (value: number, one: string, many = `${one}s`) =>
  `${n(value)} ${value === 1 ? one : many}`
const counts = (c: ImportCounts) =>
  `${n(c.created)} created, ${n(c.updated)} updated, ${n(c.unchanged)} unchanged`

function parseCommandLine() {
  try {
    const { values, positionals } = parseArgs({
      allowPositionals: true,
      options: {
        'dry-run': { type: 'boolean' },
        'skip-invalid': { type: 'boolean' },
        invite: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    })
    if (values.help) {
      console.info(USAGE)
      process.exit(0)
    }
    if (positionals.length !== 1)
      throw new Error(positionals.length ? 'give one file at a time' : 'which file?')
    return {
      file: positionals[0]!,
      dryRun: Boolean(values['dry-run']),
      skipInvalid: Boolean(values['skip-invalid']),
      invite: Boolean(values.invite),
    }
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`)
    process.exit(2)
  }
}

function printIssues(outcome: ImportOutcome) {
  const validation = outcome.ok ? outcome.value.validation : outcome.validation
  if (!validation?.issues.length) return
  for (const issue of validation.issues) console.info(`line ${issue.line}: ${issue.message}`)
  const unlisted = validation.issueCount - validation.issues.length
  if (unlisted > 0)
    console.info(`… and ${plural(unlisted, 'more problem')} (fix these and run again to see them)`)
  console.info('')
}

async function main() {
  const args = parseCommandLine()
  const env = parseEnv(process.env)
  const handle = await connectForScript(env)
  let bar: SingleBar | null = null
  let phase: string | null = null
  try {
    const outcome = await importFile(args.file, {
      dryRun: args.dryRun,
      skipInvalid: args.skipInvalid,
      invite: args.invite,
      onProgress(progress) {
        if (progress.phase !== phase) {
          bar?.stop()
          phase = progress.phase
          bar = new SingleBar(
            {
              format:
                progress.phase === 'validating'
                  ? 'Checking  [{bar}] {percentage}% of the file'
                  : 'Importing [{bar}] {percentage}% | {value}/{total} records | {eta_formatted} left',
              hideCursor: true,
            },
            Presets.shades_classic,
          )
          bar.start(progress.total, 0)
        }
        bar?.update(progress.done)
      },
    })
    ;(bar as SingleBar | null)?.stop()
    printIssues(outcome)
    if (!outcome.ok) {
      console.error(outcome.message)
      if (outcome.reason === 'invalid') {
        console.error(
          `Fix them and run again, or add --skip-invalid to import the ${plural(outcome.validation!.valid, 'valid line')} and leave these out.`,
        )
      }
      process.exitCode = 1
      return
    }
    const { validation, ...summary } = outcome.value
    const t = validation.byType
    const found = `${plural(t.person, 'person', 'people')}, ${plural(t.problem, 'problem')} (${plural(t.workaround, 'workaround')}), ${plural(t.story, 'story', 'stories')}, ${plural(t.migration, 'migration')}, ${plural(t.reply, 'reply', 'replies')}`
    if (summary.dryRun) {
      console.info(
        `Dry run, nothing written. ${plural(validation.records, 'record')} checked${validation.invalid ? `, ${n(validation.invalid)} with problems (left out with --skip-invalid)` : ', all valid'}.`,
      )
      console.info(
        `Would import ${found}; ${n(validation.alreadyImported)} of the posts were imported before and would be updated if changed.`,
      )
      return
    }
    console.info(
      `Imported ${args.file}${summary.skipped ? ` (${plural(summary.skipped, 'bad line')} left out)` : ''}:`,
    )
    console.info(
      `  people       ${n(summary.people.created)} new, ${n(summary.people.existing)} already had an account` +
        (summary.organizationsCreated
          ? ` (${plural(summary.organizationsCreated, 'organization')} created)`
          : ''),
    )
    console.info(`  posts        ${counts(summary.posts)}`)
    console.info(`  workarounds  ${counts(summary.workarounds)}`)
    console.info(`  replies      ${counts(summary.replies)}`)
    if (args.invite) {
      console.info(`  invitations  ${plural(summary.invitations, 'password link')} queued`)
      // deliverPendingEmails handles a batch at a time.
      for (let round = 0; round < 200 && (await deliverPendingEmails()) > 0; round++);
      if (!env.SMTP_URL)
        console.info(
          '  (no SMTP_URL: the emails wait in the outbox, readable by admins at /admin/outbox)',
        )
    }
    if (handle.driver === 'pglite') {
      console.info(
        'Start the server to search the imported posts: it catches its search index up at start.',
      )
    }
  } finally {
    ;(bar as SingleBar | null)?.stop()
    await handle.close()
  }
}

main().catch((error) => {
  console.error(error instanceof EnvError ? error.message : error)
  process.exit(1)
})
