/**
 * Synthetic support-forum posts for the search benchmark: realistic
 * technical vocabulary with Zipfian word frequencies, reproducible from a
 * seed. Nothing here comes from a real forum.
 *
 * Words are ranked (function words first, then the technical vocabulary,
 * then a long tail of identifiers, error codes, host names and misspellings)
 * and drawn with probability ∝ 1/rank, which gives the familiar shape of
 * real text: a few hundred words make half of all tokens, tens of thousands
 * appear a handful of times. Each post also has a topic (a component and a
 * symptom) whose words it repeats, so queries built the same way find
 * clusters of related posts, as in a real forum.
 */
import { Random, Zipf } from './random'

// Function words and forum chatter, most frequent first (many are stop words).
const FUNCTION_WORDS = (
  'the to a and of is in it we that on for this with after not be are was but have from when our as or at ' +
  'an all can if has there any one they by no so which after then also does do only been some would what ' +
  'out up still same now again just more than about other into every time each new same first before ' +
  'since while because could should other both during between without until most very these those them ' +
  'their us you your here where how why who thanks please hi hello anyone know need want like get got ' +
  'seems seem looks already never always sometimes maybe really around over under back once twice'
).split(' ')

// The technical vocabulary of a vendor's support forum: components, symptoms, actions, settings.
const TECH_WORDS = (
  'error upgrade server request timeout connection gateway version cluster node update config configuration ' +
  'restart log logs database user users service client certificate proxy memory api login page report dashboard ' +
  'install installation deploy deployment migration release patch workaround issue problem fix bug crash crashes ' +
  'slow latency performance cpu disk network port firewall dns ssl tls token session password authentication ' +
  'authorization permission role ldap saml sso oauth header response status code worker queue job scheduler ' +
  'cron backup restore snapshot replica replication primary standby failover sync index query table schema ' +
  'export import csv file upload download storage bucket volume container pod kubernetes helm docker image ' +
  'registry agent plugin extension webhook endpoint payload json xml yaml script command cli console browser ' +
  'chrome firefox safari mobile android ios email smtp notification alert metric metrics monitoring grafana ' +
  'prometheus trace tracing heap thread threads pool socket websocket http https grpc rest load balancer ' +
  'nginx apache tomcat java python node windows linux ubuntu rhel macos kernel driver license licence trial ' +
  'tenant workspace project account admin settings option flag feature setting limit quota rate throttling ' +
  'retry retries fails failed failing failure hangs hang freeze stuck drops dropped leak leaks spike spikes ' +
  'missing duplicate duplicated corrupted stale wrong empty blank broken invalid expired unexpected ' +
  'intermittent random slowly high low large small big nightly daily weekly hourly minutes seconds hours ' +
  'returns throws rejects ignores shows displays appears disappears loads renders starts stops restarts ' +
  'upgraded installed configured enabled disabled deleted removed added changed rotated renewed migrated ' +
  'imported exported synced indexed cached scheduled deployed rolled rollback downgrade hotfix build ' +
  'pipeline ci jenkins gitlab github git branch commit repository artifact package dependency library sdk ' +
  'java.lang.outofmemoryerror nullpointerexception stacktrace exception segfault panic oom oomkilled sigsegv ' +
  'econnreset etimedout econnrefused 502 503 504 500 401 403 404 429 timeout_ms max_connections idle_timeout ' +
  'wal_sender_timeout worker_processes heap_size keepalive keep-alive utf-8 encoding unicode locale timezone ' +
  'utc dst date calendar invoice billing payment order customer contract sla ticket case escalation priority ' +
  'search filter sort pagination scroll table chart graph widget pdf excel spreadsheet attachment image ' +
  'thumbnail preview editor markdown template theme branding logo sidebar menu button modal form field ' +
  'validation character characters length size bytes megabytes gigabytes throughput bandwidth capacity ' +
  'scale scaling autoscaling shard shards partition partitions vacuum lock locks deadlock transaction ' +
  'rollback commit isolation consistency eventual cache invalidation ttl eviction redis memcached kafka ' +
  'rabbitmq broker topic consumer producer offset lag backlog batch stream streaming realtime delay delayed ' +
  'region zone datacenter aws azure gcp s3 vpc subnet ip ipv6 nat vpn route routing proxying upstream ' +
  'downstream handshake cipher protocol mtls chain intermediate root ca csr keystore truststore jks pem ' +
  'secret vault rotation expiry expiration renewal audit compliance gdpr retention archive purge cleanup'
).split(' ')

const PRODUCTS = [
  { name: 'Relay Gateway', slug: 'relay-gateway', versions: ['4.2', '4.3', '5.0', '5.0.1', '5.1', '5.2'] },
  { name: 'Ledger Analytics', slug: 'ledger-analytics', versions: ['2.8', '2.9', '3.0', '3.1', '3.2'] },
  { name: 'Harbor Identity', slug: 'harbor-identity', versions: ['7.0', '7.1', '7.2', '8.0'] },
  { name: 'Beacon Monitoring', slug: 'beacon-monitoring', versions: ['11.4', '11.5', '12.0', '12.1', '12.2'] },
  { name: 'Atlas Storage', slug: 'atlas-storage', versions: ['1.9', '2.0', '2.1', '2.2'] },
  { name: 'Quill Documents', slug: 'quill-documents', versions: ['6.3', '6.4', '7.0'] },
  { name: 'Signal Messaging', slug: 'signal-messaging', versions: ['3.5', '3.6', '4.0', '4.1'] },
  { name: 'Forge Pipelines', slug: 'forge-pipelines', versions: ['2023.1', '2023.2', '2024.1', '2024.2'] },
]

const TAGS = (
  'performance security upgrade installation configuration authentication sso ldap certificates networking ' +
  'database backup replication monitoring alerts logging api integration webhooks kubernetes docker ' +
  'windows linux licensing billing reporting export import email mobile ui accessibility localization ' +
  'timezones high-availability disaster-recovery scaling memory cpu storage migration rollback ' +
  'compliance audit data-loss regression crash'
).split(' ')

const SYLLABLES = 'ka lo mi ne ru sa te vo zi pa qu ex tra ben cor dal fen gor hul jin kor lum mor nex or pol rin sul tor ul ver wex yor zan'.split(' ')

export type Vocabulary = {
  words: string[]
  zipf: Zipf
  /** Ranks of the technical words (topic words are drawn from these). */
  technical: number[]
}

function identifier(random: Random): string {
  const kind = random.int(0, 6)
  const syllables = (n: number) => Array.from({ length: n }, () => random.pick(SYLLABLES)).join('')
  switch (kind) {
    case 0:
      // A host name; dots keep it one token, as the app's tokenizer does for versions.
      return `${syllables(random.int(2, 3))}${String(random.int(1, 40)).padStart(2, '0')}.${random.pick(['eu', 'us', 'ap', 'prod', 'stage', 'internal'])}`
    case 1:
      return `E${random.int(1000, 9999)}`
    case 2:
      return `${syllables(2)}_${random.pick(['timeout', 'size', 'limit', 'count', 'interval', 'path', 'enabled', 'mode'])}`
    case 3: {
      const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1)
      return `${cap(syllables(2))}${cap(random.pick(TECH_WORDS).replace(/[^a-z]/g, '') || 'service')}${random.pick(['Service', 'Handler', 'Manager', 'Exception', 'Worker', 'Client'])}`
    }
    case 4:
      return `${random.int(1, 20)}.${random.int(0, 30)}.${random.int(0, 200)}`
    case 5:
      return syllables(random.int(2, 4))
    default: {
      // A misspelling of a technical word: real posts are full of them.
      const word = random.pick(TECH_WORDS)
      if (word.length < 5) return `${word}${random.pick(SYLLABLES)}`
      const at = random.int(1, word.length - 2)
      return random.chance(0.5) ? word.slice(0, at) + word.slice(at + 1) : word.slice(0, at) + word[at + 1] + word[at] + word.slice(at + 2)
    }
  }
}

/** The ranked vocabulary: `tail` generated words after the hand-written ones. */
export function buildVocabulary(random: Random, tail = 80_000): Vocabulary {
  const seen = new Set<string>()
  const words: string[] = []
  const add = (word: string) => {
    if (!seen.has(word)) {
      seen.add(word)
      words.push(word)
    }
  }
  FUNCTION_WORDS.forEach(add)
  const technicalStart = words.length
  TECH_WORDS.forEach(add)
  const technical = Array.from({ length: words.length - technicalStart }, (_, i) => technicalStart + i)
  while (words.length < FUNCTION_WORDS.length + TECH_WORDS.length + tail) add(identifier(random))
  return { words, zipf: new Zipf(words.length, 1.0), technical }
}

export type Topic = { product: number; words: string[] }

/**
 * Topics: a product and a dozen technical words that go together (a
 * component and its symptoms), drawn evenly from the technical vocabulary:
 * a topic is specific, so no one technical word ends up in most posts.
 */
export function buildTopics(random: Random, vocabulary: Vocabulary, count = 400): Topic[] {
  return Array.from({ length: count }, () => ({
    product: random.int(0, PRODUCTS.length - 1),
    words: Array.from({ length: 12 }, () => vocabulary.words[random.pick(vocabulary.technical)]!),
  }))
}

export type GeneratedPost = {
  kind: 'problem' | 'story' | 'migration'
  title: string
  body: string
  product: number
  versions: number[]
  tags: string[]
  state: 'open' | 'answered' | 'solved' | null
  workarounds: { body: string; accepted: boolean; verified: boolean }[]
  visibility: 'community' | 'staff'
  hidden: boolean
  /** Days before the benchmark's fixed "now". */
  ageDays: number
  /** Index of its topic in `Corpus.topics` (posts of one topic are about the same thing). */
  topic: number
}

/**
 * What happens to a post after it is written, drawn apart from the post
 * (`Corpus.thread`) so the posts themselves stay those bench:search has
 * always generated: replies in order (who writes each: the post's author
 * following up, or someone else) and how many people press "me too".
 */
export type GeneratedThread = {
  replies: { body: string; byAuthor: boolean }[]
  meToos: number
}

/** Draws posts, queries and "new problem" texts from one vocabulary and one set of topics. */
export class Corpus {
  readonly vocabulary: Vocabulary
  readonly topics: Topic[]
  private readonly topicZipf: Zipf

  constructor(seed: number) {
    const random = new Random(seed)
    this.vocabulary = buildVocabulary(random)
    this.topics = buildTopics(random, this.vocabulary)
    this.topicZipf = new Zipf(this.topics.length, 0.7)
  }

  static readonly products = PRODUCTS

  topic(random: Random): Topic {
    return this.topics[this.topicIndex(random)]!
  }

  /** The index of a topic drawn as `topic` draws it (the same random draws). */
  topicIndex(random: Random): number {
    return this.topicZipf.draw(random)
  }

  /** One word: from the topic a quarter of the time, otherwise from the whole vocabulary (Zipf). */
  word(random: Random, topic: Topic, topicShare = 0.25): string {
    if (random.chance(topicShare)) return random.pick(topic.words)
    return this.vocabulary.words[this.vocabulary.zipf.draw(random)]!
  }

  private sentence(random: Random, topic: Topic, length: number) {
    const words = Array.from({ length }, () => this.word(random, topic))
    words[0] = words[0]![0]!.toUpperCase() + words[0]!.slice(1)
    return `${words.join(' ')}${random.pick(['.', '.', '.', '?', ':'])}`
  }

  private text(random: Random, topic: Topic, words: number) {
    const sentences: string[] = []
    let left = words
    while (left > 0) {
      const length = Math.min(left, random.int(6, 18))
      sentences.push(this.sentence(random, topic, length))
      left -= length
    }
    if (random.chance(0.15)) {
      // A pasted error line, as people do.
      const code = random.pick(['ERROR', 'WARN', 'FATAL'])
      sentences.push(`\n\n\`\`\`\n${code} ${this.word(random, topic, 0.6)} ${this.word(random, topic, 0.6)}: ${this.word(random, topic, 0.5)} ${this.word(random, topic, 0.5)}\n\`\`\`\n`)
    }
    return sentences.join(' ')
  }

  title(random: Random, topic: Topic) {
    const words = Array.from({ length: random.int(4, 9) }, () => this.word(random, topic, 0.55))
    return words.join(' ').replace(/^./, (c) => c.toUpperCase())
  }

  /** A post with ~100 words of body (a few long ones), its tags, versions and workarounds. */
  post(random: Random): GeneratedPost {
    const topicIndex = this.topicIndex(random)
    const topic = this.topics[topicIndex]!
    const roll = random.next()
    const kind = roll < 0.7 ? 'problem' : roll < 0.85 ? 'story' : 'migration'
    const product = PRODUCTS[topic.product]!
    const bodyWords = random.chance(0.04) ? random.int(250, 600) : random.int(40, 140)
    const stateRoll = random.next()
    const state = kind === 'problem' ? (stateRoll < 0.35 ? 'open' : stateRoll < 0.65 ? 'answered' : 'solved') : null
    const workarounds: GeneratedPost['workarounds'] = []
    if (state === 'answered' || state === 'solved') {
      const count = random.int(1, 2)
      for (let i = 0; i < count; i++) {
        const accepted = state === 'solved' && i === 0
        workarounds.push({ body: this.text(random, topic, random.int(20, 70)), accepted, verified: accepted && random.chance(0.3) })
      }
    }
    const firstVersion = random.int(0, product.versions.length - 1)
    const versions = random.chance(0.3) && firstVersion + 1 < product.versions.length ? [firstVersion, firstVersion + 1] : [firstVersion]
    const tags = [...new Set(Array.from({ length: random.int(0, 4) }, () => random.pick(TAGS)))]
    const title =
      kind === 'migration'
        ? `${product.name} ${product.versions[versions[0]!]} → ${product.versions.at(-1)}: ${this.title(random, topic)}`
        : this.title(random, topic)
    return {
      kind,
      title,
      body: this.text(random, topic, bodyWords),
      product: topic.product,
      versions,
      tags,
      state,
      workarounds,
      visibility: random.chance(0.03) ? 'staff' : 'community',
      hidden: random.chance(0.01),
      ageDays: random.int(0, 3 * 365),
      topic: topicIndex,
    }
  }

  /**
   * Replies and "me too"s of a post, in the proportions of a support forum:
   * most threads get zero to three replies (a few long ones up to twelve),
   * replies on an open problem come from its author only (a reply by
   * someone else is a response, which would make it answered); problems
   * get "me too"s, heavy-tailed (more than half none, a few up to nine;
   * 1.6 on average).
   */
  thread(random: Random, post: GeneratedPost): GeneratedThread {
    const topic = this.topics[post.topic]!
    const roll = random.next()
    const count = roll < 0.35 ? 0 : roll < 0.6 ? 1 : roll < 0.78 ? 2 : roll < 0.9 ? 3 : random.int(4, 12)
    const replies = Array.from({ length: count }, () => ({
      body: this.text(random, topic, random.int(8, 60)),
      byAuthor: post.state === 'open' ? true : random.chance(0.3),
    }))
    const meToos = post.kind === 'problem' ? Math.floor(1 / (1 - random.next() * 0.9)) - 1 : 0
    return { replies, meToos }
  }

  /**
   * A search as people type it: 2–6 words drawn like post words (a topic's
   * words and the Zipfian vocabulary, stop words included).
   */
  query(random: Random): string {
    const topic = this.topic(random)
    return Array.from({ length: random.int(2, 6) }, () => this.word(random, topic, 0.5)).join(' ')
  }
}
