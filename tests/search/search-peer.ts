/**
 * A second app process for the multi-process search test: it opens the same
 * PostgreSQL database, runs its own search index, and answers searches sent
 * over IPC. Writes happen in the parent; this process must see them through
 * LISTEN/NOTIFY, or by catching up after its connection was cut.
 */
import { connectDatabase } from '../../app/db/client.server'
import { type Actor } from '../../app/modules/accounts/accounts.server'
import { searchSettled, startSearchIndex, stopSearchIndex } from '../../app/modules/search/search-index.server'
import { searchPosts } from '../../app/modules/search/search.server'

const reader: Actor = { id: 'peer', role: 'support', organizationId: 'peer', name: 'Peer', email: 'peer@example.test' }

async function main() {
  await connectDatabase({ driver: 'postgres', url: process.env.PEER_DATABASE_URL!, poolSize: 2 })
  await startSearchIndex({ snapshotDir: null })
  process.on('message', async (message: { id: number; query?: string; stop?: boolean }) => {
    if (message.stop) {
      await stopSearchIndex({ save: false })
      process.send!({ id: message.id, stopped: true }, () => process.exit(0))
      return
    }
    await searchSettled()
    const outcome = searchPosts(reader, message.query ?? '')
    process.send!({ id: message.id, ids: outcome.status === 'ok' ? outcome.results.map((r) => r.id) : [] })
  })
  process.send!({ ready: true })
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
