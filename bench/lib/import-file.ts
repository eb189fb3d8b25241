/**
 * A knowledge file for `npm run import` (README, "Importing existing
 * knowledge"): N problems from the seeded corpus with their workarounds and
 * replies, by the benchmark's people, on the corpus's products. The page
 * benchmark imports it with the real command just before starting the hub
 * (`--after-import`), to measure the pages while the hub catches up on the
 * imported problems' meanings.
 */
import fs from 'node:fs'
import { once } from 'node:events'
import { Corpus } from './corpus'
import { Random } from './random'

/**
 * Writes `count` problem lines to `file`; authors are `bench-<i>@example.test`
 * (i < `people`), accounts the benchmark's community already has. Returns
 * how many posts the lines hold (problems, workarounds, replies).
 */
export async function writeImportFile(file: string, { count, seed, people = 2_000 }: { count: number; seed: number; people?: number }): Promise<number> {
  const corpus = new Corpus(seed + 100)
  const random = new Random(seed + 101)
  const threads = random.fork(3)
  const out = fs.createWriteStream(file)
  const person = () => `bench-${random.int(0, people - 1)}@example.test`
  let posts = 0
  for (let i = 0; i < count; ) {
    const post = corpus.post(random)
    if (post.kind !== 'problem') continue
    const product = Corpus.products[post.product]!
    const author = person()
    const createdAt = new Date(Date.now() - post.ageDays * 24 * 60 * 60 * 1000)
    const thread = corpus.thread(threads, post)
    const line = {
      type: 'problem',
      id: `BENCH-${i}`,
      author,
      title: post.title.slice(0, 200),
      body: post.body,
      product: product.slug,
      versions: post.versions.map((v) => product.versions[v]!),
      tags: post.tags,
      createdAt: createdAt.toISOString(),
      workarounds: post.workarounds.map((w, k) => ({ id: `BENCH-${i}-W${k}`, author: person(), body: w.body, accepted: w.accepted, verified: w.verified })),
      replies: thread.replies.map((r, k) => ({ id: `BENCH-${i}-R${k}`, author: r.byAuthor ? author : person(), body: r.body })),
    }
    posts += 1 + line.workarounds.length + line.replies.length
    if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain')
    i++
  }
  out.end()
  await once(out, 'finish')
  return posts
}
