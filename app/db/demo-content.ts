/**
 * The words of the demo world: the people of the customer organizations,
 * the vendor's products, and hand-written templates for problems,
 * workarounds, success stories, migration notes and replies.
 *
 * Variety comes from combining templates with details drawn from a seeded
 * pseudo-random generator (never Math.random), so every fresh start builds
 * the same world. Everything here is pure data and pure functions; the seed
 * (app/db/seed.ts) decides who writes what, and when.
 *
 * The products are fictional: Relay Gateway (an API gateway, `gateway.yaml`,
 * `relayctl`, error codes RGW-…), Relay Sync (database replication,
 * `pipeline.yaml`, `relaysync`, RSY-…) and Relay Insight (metrics and
 * alerting, `rules.yaml`, `insightctl`, `insight-agent`, INS-…).
 */

// ---------------------------------------------------------------------------
// A small deterministic generator

export type Random = {
  /** A float in [0, 1). */
  next(): number
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number
  /** True with probability p. */
  chance(p: number): boolean
  pick<T>(items: readonly T[]): T
  /** n distinct items, in random order. */
  sample<T>(items: readonly T[], n: number): T[]
  shuffle<T>(items: readonly T[]): T[]
}

/** mulberry32: tiny, fast and good enough to shuffle demo content; same seed, same sequence. */
export function createRandom(seed: number): Random {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1))
  const shuffle = <T>(items: readonly T[]) => {
    const copy = [...items]
    for (let i = copy.length - 1; i > 0; i--) {
      const j = int(0, i)
      ;[copy[i], copy[j]] = [copy[j]!, copy[i]!]
    }
    return copy
  }
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick: (items) => {
      if (!items.length) throw new Error('demo-content: pick from an empty list')
      return items[int(0, items.length - 1)]!
    },
    sample: (items, n) => shuffle(items).slice(0, n),
    shuffle,
  }
}

/** A Markdown code fence (kept out of the template literals below for readability). */
const F = '```'

// ---------------------------------------------------------------------------
// Organizations, people and products

export type OrgKey = 'vendor' | 'a' | 'b' | 'c' | 'd' | 'e'
export type ProductKey = 'gateway' | 'sync' | 'insight'

export const DEMO_ORGANIZATIONS: readonly {
  key: OrgKey
  name: string
  domains: string[]
  isVendor?: boolean
  /** Not heard from in a while: every one of its posts and replies is older than this many days. */
  quietForDays?: number
}[] = [
  { key: 'vendor', name: 'Northwind Relay', domains: [], isVendor: true },
  { key: 'a', name: 'Acme Freight', domains: ['customer-a.test'] },
  { key: 'b', name: 'Birchwood Health', domains: ['customer-b.test'] },
  { key: 'c', name: 'Cobalt Savings Bank', domains: ['customer-c.test'] },
  { key: 'd', name: 'Dunmore Logistics', domains: ['customer-d.test'] },
  { key: 'e', name: 'Elmhurst Energy Cooperative', domains: ['customer-e.test'], quietForDays: 75 },
]

/**
 * Everyone besides the five demo accounts (see DEMO_ACCOUNTS in seed.ts).
 * `focus` says which products a person mostly writes about.
 */
export const DEMO_PEOPLE: readonly {
  email: string
  name: string
  org: OrgKey
  role?: 'support'
  focus: readonly ProductKey[]
  introductionsEnabled?: boolean
}[] = [
  { email: 'tomas@vendor.test', name: 'Tomás Ferreira', org: 'vendor', role: 'support', focus: ['sync', 'insight'] },
  { email: 'marcus.okafor@customer-a.test', name: 'Marcus Okafor', org: 'a', focus: ['gateway'] },
  { email: 'hannah.lindqvist@customer-a.test', name: 'Hannah Lindqvist', org: 'a', focus: ['insight', 'gateway'] },
  { email: 'diego.alvarez@customer-a.test', name: 'Diego Alvarez', org: 'a', focus: ['sync'] },
  { email: 'priya.nair@customer-b.test', name: 'Priya Nair', org: 'b', focus: ['gateway', 'sync'] },
  { email: 'tom.whitaker@customer-b.test', name: 'Tom Whitaker', org: 'b', focus: ['insight'], introductionsEnabled: false },
  { email: 'yuki.tanaka@customer-b.test', name: 'Yuki Tanaka', org: 'b', focus: ['sync'] },
  { email: 'femi.adeyemi@customer-c.test', name: 'Femi Adeyemi', org: 'c', focus: ['sync'] },
  { email: 'laura.becker@customer-c.test', name: 'Laura Becker', org: 'c', focus: ['insight'] },
  { email: 'rahul.mehta@customer-c.test', name: 'Rahul Mehta', org: 'c', focus: ['gateway'] },
  { email: 'sofia.rossi@customer-d.test', name: 'Sofia Rossi', org: 'd', focus: ['gateway', 'insight'] },
  { email: 'jonas.berg@customer-d.test', name: 'Jonas Berg', org: 'd', focus: ['sync'] },
  { email: 'grace.liu@customer-d.test', name: 'Grace Liu', org: 'd', focus: ['insight', 'gateway'] },
  { email: 'owen.price@customer-e.test', name: 'Owen Price', org: 'e', focus: ['sync', 'gateway'] },
  { email: 'nadia.haddad@customer-e.test', name: 'Nadia Haddad', org: 'e', focus: ['insight'] },
]

export const DEMO_PRODUCTS: readonly {
  key: ProductKey
  slug: string
  name: string
  description: string
  /** Oldest first; released this many days before the seed ran. */
  versions: readonly { name: string; releasedDaysAgo: number }[]
}[] = [
  {
    key: 'gateway',
    slug: 'relay-gateway',
    name: 'Relay Gateway',
    description: 'The API gateway that routes, authenticates and rate-limits traffic.',
    versions: [
      { name: '4.2', releasedDaysAgo: 640 },
      { name: '4.3', releasedDaysAgo: 430 },
      { name: '5.0', releasedDaysAgo: 220 },
      { name: '5.1', releasedDaysAgo: 75 },
    ],
  },
  {
    key: 'sync',
    slug: 'relay-sync',
    name: 'Relay Sync',
    description: 'Replication between on-premises databases and the cloud.',
    versions: [
      { name: '2.7', releasedDaysAgo: 520 },
      { name: '2.8', releasedDaysAgo: 300 },
      { name: '3.0', releasedDaysAgo: 95 },
    ],
  },
  {
    key: 'insight',
    slug: 'relay-insight',
    name: 'Relay Insight',
    description: 'Dashboards and alerting over gateway and sync metrics.',
    versions: [
      { name: '11.0', releasedDaysAgo: 480 },
      { name: '11.1', releasedDaysAgo: 260 },
      { name: '12.0', releasedDaysAgo: 60 },
    ],
  },
]

export const PRODUCT_NAMES: Record<ProductKey, string> = {
  gateway: 'Relay Gateway',
  sync: 'Relay Sync',
  insight: 'Relay Insight',
}

/** Each product's command-line tool. */
export const PRODUCT_CLI: Record<ProductKey, string> = { gateway: 'relayctl', sync: 'relaysync', insight: 'insightctl' }
const TICKET_PREFIX: Record<ProductKey, string> = { gateway: 'GW', sync: 'SY', insight: 'IN' }

/** A ticket number in the vendor's tracker, e.g. GW-4127. */
export function ticketFor(product: ProductKey, r: Random) {
  return `${TICKET_PREFIX[product]}-${r.int(3100, 4899)}`
}

// ---------------------------------------------------------------------------
// Templates

/** What every template can use besides its own details. */
export type Base = {
  product: string
  /** The affected version, e.g. "5.0". */
  version: string
  /** A patch release of it, e.g. "5.0.3". */
  patch: string
}

export type ProblemText = {
  title: string
  body: string
  tags: string[]
  /** Workaround bodies, best first. */
  workarounds: string[]
  /** Replies others write once a workaround is there (experience with it, caveats). */
  replies: string[]
}

export type ProblemTemplate = {
  key: string
  product: ProductKey
  /** Versions the problem shows up on. */
  versions: readonly string[]
  /** Writes one instance; `index` makes repeated instances of a template differ in title. */
  write(r: Random, version: string, index: number): ProblemText
}

type Text<V> = (v: V & Base) => string

/** What the environment line may say, when a problem only makes sense on some set-ups. */
type EnvironmentHint = { platform?: string[]; source?: string[]; sink?: string[] }

function problem<V extends object>(def: {
  key: string
  product: ProductKey
  versions: string[]
  tags: string[]
  env?: EnvironmentHint
  vars: (r: Random) => V
  titles: Text<V>[]
  body: Text<V>
  workarounds: Text<V>[]
  replies?: Text<V>[]
}): ProblemTemplate {
  return {
    key: def.key,
    product: def.product,
    versions: def.versions,
    write(r, version, index) {
      const v = { ...def.vars(r), product: PRODUCT_NAMES[def.product], version, patch: `${version}.${r.int(0, 4)}` }
      const closing = r.pick(PROBLEM_CLOSINGS)
      // The same template written again gets its title told apart by the release it happened on.
      const title = def.titles[index % def.titles.length]!(v)
      const round = Math.floor(index / def.titles.length)
      return {
        title: round === 0 ? title : round === 1 ? `${v.product} ${v.patch}: ${title}` : `${title} (${v.patch})`,
        body: [def.body(v).trim(), environment(def.product, v.patch, r, def.env), closing].filter(Boolean).join('\n\n'),
        tags: def.tags,
        workarounds: def.workarounds.map((w) => w(v).trim()),
        replies: (def.replies ?? []).map((w) => w(v).trim()),
      }
    },
  }
}

const PROBLEM_CLOSINGS = [
  'Any pointers welcome — we have a change freeze starting Friday.',
  'Happy to share full logs privately if that helps.',
  'We can reproduce it at will in staging, so I can test a fix quickly.',
  'This blocks the rollout to production, so any hint is appreciated.',
  'Has anyone else run into this?',
  '',
  '',
] as const

function environment(product: ProductKey, patch: string, r: Random, hint: EnvironmentHint = {}) {
  if (product === 'gateway') {
    const platform = r.pick(hint.platform ?? ['RHEL 9.3', 'Ubuntu 22.04', 'Rocky Linux 8.9', 'Kubernetes 1.28 (Helm chart)', 'OpenShift 4.14'])
    const lb = r.pick(['an F5 pair', 'an AWS NLB', 'HAProxy 2.8', 'two hardware load balancers', 'an Azure load balancer'])
    return `**Environment:** Relay Gateway ${patch} on ${platform}, ${r.int(2, 8)} nodes behind ${lb}.`
  }
  if (product === 'sync') {
    const source = r.pick(hint.source ?? ['PostgreSQL 13', 'PostgreSQL 15', 'Oracle 19c', 'SQL Server 2019', 'PostgreSQL 14'])
    const sink = r.pick(hint.sink ?? ['cloud PostgreSQL 16', 'a cloud SQL Server instance', 'Parquet files in object storage', 'cloud PostgreSQL 15'])
    return `**Environment:** Relay Sync ${patch}, source ${source} on premises, sink ${sink}, ${r.int(3, 40)} pipelines.`
  }
  const series = r.pick(['180k', '420k', '900k', '1.6M', '2.3M'])
  return `**Environment:** Relay Insight ${patch}, ${r.int(4, 60)} agents, about ${series} active series, ${r.pick([15, 30, 90, 395])}-day retention.`
}

// ---------------------------------------------------------------------------
// Relay Gateway problems

const UPSTREAMS = ['orders-api', 'billing-svc', 'tracking-v2', 'patient-portal', 'accounts-core', 'quotes-api', 'claims-intake']
const ROUTES = ['/api/orders', '/v2/shipments', '/api/claims', '/v1/accounts', '/api/quotes', '/fhir/r4', '/api/invoices']

const GATEWAY_PROBLEMS: ProblemTemplate[] = [
  problem({
    key: 'gw-keepalive-502',
    product: 'gateway',
    versions: ['5.0', '5.1'],
    tags: ['502', 'keepalive', 'upstream', 'upgrade'],
    vars: (r) => ({ upstream: r.pick(UPSTREAMS), rate: r.pick(['0.3 %', '0.5 %', '1 in 400', '1 in 250']), idle: r.pick([30, 55, 60]) }),
    titles: [
      (v) => `Intermittent 502 Bad Gateway from ${v.upstream} after upgrading to ${v.version}`,
      (v) => `${v.version}: sporadic 502s on idle upstream connections (${v.rate} of requests)`,
    ],
    body: (v) => `
Since we moved to ${v.product} ${v.version}, roughly ${v.rate} of requests to the \`${v.upstream}\` upstream fail with a 502. Nothing changed on the upstream side, and the failures are spread evenly over the day — slightly more in quiet hours, which is odd.

The gateway error log shows:

${F}
[error] RGW-5023 upstream "${v.upstream}" closed connection while reading response header
        (peer 10.20.4.12:8080, reused=true, idle_for=${v.idle + 4}s)
${F}

Note \`reused=true\`: it always happens on a pooled connection that sat idle for a while. Our upstream is a Java service behind Tomcat with \`keepAliveTimeout=${v.idle}000\`.

Relevant part of \`gateway.yaml\`:

${F}yaml
upstreams:
  - name: ${v.upstream}
    targets: [10.20.4.11:8080, 10.20.4.12:8080]
    keepalive:
      pool_size: 64
${F}

**Steps to reproduce**
1. Send a request through the route, wait ${v.idle + 5} seconds.
2. Send another request: about one time in three it gets a 502.
`,
    workarounds: [
      (v) => `
The default \`keepalive.idle_timeout\` went from 30 s to **75 s** in 5.0, so the gateway now keeps connections longer than the upstream does (${v.idle} s here). The upstream closes the socket, the gateway reuses it a moment later and gets a reset.

Set the gateway's idle timeout **below** the upstream's:

${F}yaml
upstreams:
  - name: ${v.upstream}
    keepalive:
      pool_size: 64
      idle_timeout: ${Math.max(v.idle - 5, 10)}s   # must be shorter than the upstream's keep-alive
${F}

Then \`relayctl apply -f gateway.yaml\` (no restart needed). The 502s stopped within a minute for us.
`,
      () => `
If you cannot touch every upstream definition right away, let the gateway retry idempotent requests on a reset connection:

${F}yaml
routes:
  - name: default
    retry:
      on: [connection_reset]
      methods: [GET, HEAD, OPTIONS]
      attempts: 2
${F}

This only hides the symptom for reads; POSTs will still fail now and then, so fix the timeout too.
`,
    ],
    replies: [
      (v) => `We saw exactly this after 5.0 — \`reused=true\` in the log was the giveaway. What is the keep-alive timeout on the ${v.upstream} side?`,
      () => `Same here with a Node.js upstream (default keep-alive 5 s!). Much worse for us than 0.5 %.`,
    ],
  }),
  problem({
    key: 'gw-jwks-rotation',
    product: 'gateway',
    versions: ['4.3', '5.0', '5.1'],
    tags: ['jwt', 'authentication', 'jwks', 'idp'],
    vars: (r) => ({ kid: r.pick(['k7Qm2', 'rsa-2024-06', 'a91f0c', 'sig-key-03']), minutes: r.pick([20, 45, 90, 180]) }),
    titles: [
      () => `401 "no key matches kid" for every request after our IdP rotated its signing key`,
      (v) => `JWT validation fails for ${v.minutes} minutes after identity provider key rotation`,
    ],
    body: (v) => `
Our identity provider rotated its signing key this morning. From that moment every request with a fresh token was rejected with 401 until we restarted the gateway nodes, one by one. Tokens issued before the rotation kept working.

${F}
[warn] RGW-4012 jwt-auth: no key matches kid "${v.kid}" (jwks: https://login.example.test/.well-known/jwks.json, cached 6h ago)
${F}

Plugin configuration:

${F}yaml
plugins:
  - jwt-auth:
      jwks_uri: https://login.example.test/.well-known/jwks.json
      audiences: [api://partners]
${F}

The IdP publishes the new key about an hour before it starts using it, so a cache that refreshed even hourly would have been fine. Impact was about ${v.minutes} minutes of failed logins for partners.
`,
    workarounds: [
      () => `
The JWKS cache defaults to 24 h and, before 5.1, the plugin does not refetch when it sees an unknown \`kid\`. Two settings fix it:

${F}yaml
plugins:
  - jwt-auth:
      jwks_uri: https://login.example.test/.well-known/jwks.json
      jwks:
        cache_ttl: 10m
        refresh_on_unknown_kid: true   # 5.1+; refetch at most once per minute
${F}

On 4.3/5.0, where \`refresh_on_unknown_kid\` does not exist, keep \`cache_ttl\` short and, after a rotation, run \`relayctl jwks refresh --all-nodes\` instead of restarting.
`,
      () => `
We asked our IdP team to announce rotations in the change calendar and added a step to the runbook: \`relayctl jwks refresh --all-nodes\` right after the new key is published. Crude, but zero failed logins in the last two rotations.
`,
    ],
    replies: [() => `Do you know whether \`refresh_on_unknown_kid\` also covers keys removed from the set? We had the opposite case — an old token kept validating after the key was revoked.`],
  }),
  problem({
    key: 'gw-rate-limit-anonymous',
    product: 'gateway',
    versions: ['4.3', '5.0', '5.1'],
    tags: ['rate-limit', '429', 'redis'],
    vars: (r) => ({ limit: r.pick([300, 600, 1200]), route: r.pick(ROUTES) }),
    titles: [
      (v) => `429 Too Many Requests far below the configured limit on ${v.route}`,
      () => `Rate limit shared between all unauthenticated clients after moving to the Redis store`,
    ],
    body: (v) => `
We rate-limit \`${v.route}\` at ${v.limit} requests per minute per consumer. Since we switched the limiter from the local store to Redis (so the limit holds across nodes), clients that are nowhere near the limit get 429s, always in bursts at the top of the minute.

${F}
HTTP/1.1 429 Too Many Requests
RateLimit-Limit: ${v.limit}
RateLimit-Remaining: 0
RateLimit-Reset: 41
X-Relay-Limit-Key: consumer:anonymous
${F}

Our config:

${F}yaml
- rate-limit:
    limit: ${v.limit}
    window: 1m
    key: consumer
    store: redis
    redis: { url: redis://ratelimit.internal:6379/2 }
${F}

The header says \`consumer:anonymous\`. Some partners call this route without credentials (public price lookups), and apparently they all share one bucket now, together with our load balancer's health checks.
`,
    workarounds: [
      (v) => `
Anonymous requests all map to the consumer \`anonymous\`, so with \`key: consumer\` they share one bucket. With the local store each node had its own bucket, which hid it. Use a composite key and exempt the health checks:

${F}yaml
- rate-limit:
    limit: ${v.limit}
    window: 1m
    key: [consumer, client_ip]     # anonymous callers are told apart by address
    store: redis
    skip_when:
      header: { User-Agent: "HealthChecker/*" }
${F}

If clients come through a proxy, make sure \`trusted_proxies\` is set so that \`client_ip\` is the real client and not the proxy.
`,
    ],
    replies: [() => `Check \`trusted_proxies\` before keying on client_ip — we keyed on our own load balancer's address for a week and throttled everyone together.`],
  }),
  problem({
    key: 'gw-upload-oom',
    product: 'gateway',
    versions: ['4.2', '4.3', '5.0'],
    tags: ['memory', 'oom', 'uploads', 'buffering'],
    env: { platform: ['Kubernetes 1.28 (Helm chart)', 'OpenShift 4.14'] },
    vars: (r) => ({ size: r.pick([150, 200, 400, 750]), mem: r.pick(['2Gi', '4Gi', '1Gi']) }),
    titles: [
      (v) => `Gateway workers killed by the OOM killer during ${v.size} MB uploads`,
      () => `Memory climbs until restart when partners upload large files through the gateway`,
    ],
    body: (v) => `
Partners upload scanned documents (up to ${v.size} MB) through the gateway. When three or four uploads run at once, the gateway pod hits its ${v.mem} memory limit and is killed:

${F}
kernel: Memory cgroup out of memory: Killed process 2817 (relay-worker) total-vm:5121044kB, anon-rss:4019332kB
relay-gateway-7d9c8 0/1 OOMKilled
${F}

Every other request on that pod fails while it restarts. Metrics show worker RSS growing by roughly the size of each upload and dropping when it completes, so it looks like the whole body is held in memory.

Is it expected that the gateway buffers the request body? We have no plugins on that route that need to read it.
`,
    workarounds: [
      (v) => `
Request buffering is on by default (so that retries and body-inspecting plugins work). Turn it off for the upload route only and stream the body to the upstream:

${F}yaml
routes:
  - name: document-upload
    paths: [/api/documents]
    request_buffering: off
    max_body_size: ${v.size + 50}m
    retry: { attempts: 0 }   # a streamed body cannot be replayed
${F}

Memory now stays flat during uploads. Keep in mind that plugins that read the body (\`request-validator\`, \`body-transform\`) cannot run on a streaming route.
`,
      () => `
Until we could change the route, we lowered \`max_body_size\` to 50m and had partners use the chunked upload endpoint instead. Not pretty, but no more OOM kills.
`,
    ],
  }),
  problem({
    key: 'gw-tls-legacy-clients',
    product: 'gateway',
    versions: ['5.0', '5.1'],
    tags: ['tls', 'ciphers', 'handshake', 'upgrade'],
    vars: (r) => ({ client: r.pick(['a warehouse scanner fleet', 'an old Java 7 integration', 'our payment terminals', 'a lab system from 2012']) }),
    titles: [
      (v) => `TLS handshake failures for ${v.client} after upgrading to ${v.version}`,
      () => `"no shared cipher" errors from older clients since the gateway upgrade`,
    ],
    body: (v) => `
After the upgrade to ${v.version} most traffic is fine, but ${v.client} cannot connect any more. The gateway log:

${F}
[info] RGW-3101 TLS handshake failed from 172.16.40.18: error:0A0000C1:SSL routines::no shared cipher
${F}

\`openssl s_client\` from one of those clients only offers \`ECDHE-RSA-AES128-SHA\` and \`AES128-SHA\`. We did not change any TLS settings; the listener config is:

${F}yaml
listeners:
  - name: public
    port: 8443
    tls:
      certificate: /etc/relay/tls/public.pem
      key: /etc/relay/tls/public.key
${F}

We cannot replace these clients before next quarter.
`,
    workarounds: [
      (v) => `
${v.version} ships a stricter default cipher list (only AEAD suites). Put the legacy clients on a **separate listener** with the old suites, so the main listener keeps the strict defaults:

${F}yaml
listeners:
  - name: legacy
    port: 8444
    tls:
      certificate: /etc/relay/tls/public.pem
      key: /etc/relay/tls/public.key
      min_version: TLSv1.2
      ciphers: ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA
${F}

Point the old clients at port 8444 (we did it with a DNS alias) and put a date in the runbook to remove the listener.
`,
    ],
    replies: [() => `Security team here at our side would not accept CBC suites on the main listener either — the separate listener was the compromise they signed off on.`],
  }),
  problem({
    key: 'gw-cors-preflight-404',
    product: 'gateway',
    versions: ['4.3', '5.0', '5.1'],
    tags: ['cors', 'preflight', 'routing'],
    vars: (r) => ({ route: r.pick(ROUTES), origin: r.pick(['https://portal.example.test', 'https://app.example.test', 'https://partners.example.test']) }),
    titles: [
      (v) => `CORS preflight (OPTIONS) returns 404 on ${v.route}`,
      () => `Browser calls fail with a CORS error although the cors plugin is enabled`,
    ],
    body: (v) => `
Our single-page app on \`${v.origin}\` calls \`${v.route}\`. The browser sends a preflight and gets a 404, so the real request never happens:

${F}
OPTIONS ${v.route} HTTP/1.1
Origin: ${v.origin}
Access-Control-Request-Method: POST

HTTP/1.1 404 Not Found
X-Relay-Error: RGW-4040 no route matched
${F}

Route:

${F}yaml
routes:
  - name: orders-write
    paths: [${v.route}]
    methods: [GET, POST, PUT]
    plugins:
      - cors:
          origins: [${v.origin}]
          methods: [GET, POST, PUT]
${F}

curl with POST works fine. Only the browser fails.
`,
    workarounds: [
      () => `
Routes match on method **before** plugins run, and \`OPTIONS\` is not in \`methods\`, so the preflight never reaches the cors plugin. Either add it to the route:

${F}yaml
    methods: [GET, POST, PUT, OPTIONS]
${F}

or, better when you have many routes, enable the global preflight handler once:

${F}yaml
global:
  cors:
    answer_preflight: true
${F}
`,
    ],
  }),
  problem({
    key: 'gw-reload-websockets',
    product: 'gateway',
    versions: ['4.2', '4.3', '5.0'],
    tags: ['websocket', 'reload', 'config'],
    vars: (r) => ({ clients: r.pick(['1,800', '4,500', '12,000', '650']) }),
    titles: [
      () => `Every config apply disconnects all WebSocket clients`,
      (v) => `relayctl apply drops ${v.clients} live WebSocket connections`,
    ],
    body: (v) => `
We push route changes several times a day with \`relayctl apply\`. Each apply disconnects all WebSocket clients (about ${v.clients} dispatcher screens), which then reconnect at once and hammer the backend.

${F}
[notice] RGW-1204 configuration applied (revision 418), restarting workers
[info]   worker 3 exiting, closing 1,204 upgraded connections
${F}

HTTP traffic is not affected. Is there a way to apply route changes without restarting workers, or at least to let old connections drain?
`,
    workarounds: [
      () => `
Two things helped us:

1. Give old workers time to drain instead of closing upgraded connections immediately:

${F}yaml
reload:
  graceful_drain: 300s     # old workers keep their WebSockets up to 5 minutes
${F}

2. For pure route/plugin changes use \`relayctl apply --hot -f gateway.yaml\`. It swaps the routing table in place without restarting workers; only listener and TLS changes still need a restart (the command tells you when).

The client library also got jittered reconnects (0–30 s), so even a restart no longer produces a thundering herd.
`,
    ],
  }),
  problem({
    key: 'gw-dns-stale-targets',
    product: 'gateway',
    versions: ['4.3', '5.0', '5.1'],
    tags: ['dns', '503', 'health-checks', 'cloud'],
    vars: (r) => ({ host: r.pick(['internal-orders-1234.elb.example.test', 'billing.svc.cloud.example.test', 'api-backend.lb.example.test']) }),
    titles: [
      () => `"no healthy upstream" 503s after the cloud load balancer changed its IP addresses`,
      (v) => `Gateway keeps resolving ${v.host} to old addresses`,
    ],
    body: (v) => `
One upstream is a cloud load balancer addressed by name (\`${v.host}\`). Overnight the provider replaced its addresses; since then all targets are marked unhealthy and the route answers 503:

${F}
[error] RGW-5030 no healthy upstream for "cloud-backend" (3 targets, 3 unhealthy)
[warn]  health check to 10.64.7.21:443 failed: connect timeout
${F}

\`dig\` on the gateway hosts returns the new addresses. A restart of the gateway fixes it. The upstream:

${F}yaml
upstreams:
  - name: cloud-backend
    targets: [${v.host}:443]
    health_check: { path: /health, interval: 10s }
${F}
`,
    workarounds: [
      () => `
Without a \`resolver\` section the gateway resolves upstream names once, at start, and keeps the addresses. Configure a resolver with a bounded cache:

${F}yaml
resolver:
  nameservers: [10.0.0.2]
  valid: 30s          # re-resolve at most every 30 s, whatever the TTL says
  ipv6: off
${F}

After that, address changes are picked up within 30 seconds and the health checker follows them.
`,
    ],
  }),
  problem({
    key: 'gw-rewrite-query-string',
    product: 'gateway',
    versions: ['5.1'],
    tags: ['rewrite', 'routing', 'regression'],
    vars: (r) => ({ route: r.pick(['/legacy/orders', '/old-api/tracking', '/v1/claims']) }),
    titles: [
      () => `Path rewrite drops the query string since 5.1`,
      (v) => `${v.route}?page=2 arrives upstream without ?page=2 after the 5.1 upgrade`,
    ],
    body: (v) => `
We rewrite an old path to the new API. On 5.0 the query string was passed through; on 5.1 it is gone, so pagination and filters are ignored upstream.

${F}yaml
routes:
  - name: legacy
    paths: ["~^${v.route}/(.*)$"]
    rewrite: /v2/$1
    upstream: orders-api
${F}

Request \`GET ${v.route}/list?page=2&status=open\` → upstream receives \`GET /v2/list\`.

The 5.1 release notes mention "stricter rewrite handling" but not this.
`,
    workarounds: [
      () => `
5.1 treats the rewrite target as the full request target. Add the new option to keep the original query string:

${F}yaml
    rewrite: /v2/$1
    preserve_query: true
${F}

(Appending \`$is_args$args\` to the target also works and is what we use on nodes still on 5.0, where \`preserve_query\` is unknown and rejected by \`relayctl validate\`.)
`,
    ],
    replies: [() => `Confirmed on our side too. Worth a line in the upgrade notes — it silently broke our partner export for half a day.`],
  }),
  problem({
    key: 'gw-access-log-latency',
    product: 'gateway',
    versions: ['4.3', '5.0'],
    tags: ['logging', 'latency', 'observability'],
    vars: (r) => ({ tool: r.pick(['our log pipeline', 'the SIEM', 'our latency dashboard']) }),
    titles: [
      () => `JSON access log shows upstream latency 0 ms for most requests`,
      (v) => `upstream_latency_ms always 0 in access logs, ${v.tool} is blind`,
    ],
    body: (v) => `
After the upgrade, the \`upstream_latency_ms\` field in our JSON access log is 0 for about 80 % of requests, so ${v.tool} reports an impossible latency distribution. Example line:

${F}json
{"ts":"2024-05-14T09:12:44Z","route":"orders","status":200,"latency_ms":184,"upstream_latency_ms":0,"bytes":5120}
${F}

Log format config:

${F}yaml
access_log:
  format: json
  fields: [ts, route, status, latency_ms, upstream_latency_ms, bytes]
${F}
`,
    workarounds: [
      () => `
\`upstream_latency_ms\` was kept for compatibility but only measures the time to **connect** — with pooled connections that is 0. The field you want is \`latency.upstream\` (time until the upstream's response was read):

${F}yaml
access_log:
  format: json
  fields: [ts, route, status, latency.total, latency.upstream, latency.gateway, bytes]
${F}

Rename the fields in your log pipeline's parser accordingly; \`latency.gateway\` is the gateway's own share, handy for spotting slow plugins.
`,
    ],
  }),
  problem({
    key: 'gw-grpc-stream-cut',
    product: 'gateway',
    versions: ['5.0', '5.1'],
    tags: ['grpc', 'streaming', 'timeouts'],
    vars: (r) => ({ seconds: r.pick([60, 90]), service: r.pick(['TrackingService/Watch', 'TelemetryService/Subscribe', 'PositionFeed/Stream']) }),
    titles: [
      (v) => `gRPC server streams cut after exactly ${v.seconds} seconds`,
      (v) => `${v.service} streams end with RST_STREAM CANCEL through the gateway`,
    ],
    body: (v) => `
Long-lived gRPC server streams (\`${v.service}\`) are cancelled after ${v.seconds} s when they go through the gateway. Direct connections to the service stay up for hours.

Client side:

${F}
io.grpc.StatusRuntimeException: CANCELLED: RST_STREAM closed stream. HTTP/2 error code: CANCEL
${F}

Gateway:

${F}
[info] RGW-2408 upstream read timeout (${v.seconds}000 ms) on route "tracking-grpc", resetting stream
${F}

The stream is not idle — the server sends an update every few seconds.
`,
    workarounds: [
      (v) => `
The route-level \`timeouts.read\` applies to the whole gRPC response, not to the gap between messages. For streaming routes use the idle timeout instead and disable the total:

${F}yaml
routes:
  - name: tracking-grpc
    protocol: grpc
    timeouts:
      read: 0                 # no limit on the whole stream
      stream_idle: ${v.seconds}s     # but close streams silent for this long
${F}

Keep unary gRPC methods on a separate route with a normal read timeout.
`,
    ],
  }),
]

// ---------------------------------------------------------------------------
// Relay Sync problems

const TABLES = ['public.orders', 'billing.invoices', 'claims.claim_lines', 'core.accounts', 'ledger.postings', 'ops.shipments', 'emr.encounters']
const PIPELINES = ['orders-to-cloud', 'ledger-replica', 'claims-dwh', 'shipments-eu', 'emr-archive', 'billing-sync']

const SYNC_PROBLEMS: ProblemTemplate[] = [
  problem({
    key: 'sync-wal-retained',
    product: 'sync',
    versions: ['2.7', '2.8', '3.0'],
    tags: ['postgresql', 'wal', 'replication-slot', 'disk'],
    env: { source: ['PostgreSQL 13', 'PostgreSQL 14', 'PostgreSQL 15'] },
    vars: (r) => ({ gb: r.pick([86, 140, 212, 390]), pipeline: r.pick(PIPELINES) }),
    titles: [
      (v) => `Replication slot retains ${v.gb} GB of WAL on the source — disk almost full`,
      () => `WAL keeps growing on a quiet source database although the pipeline is running`,
    ],
    body: (v) => `
Our monitoring woke us up: the WAL volume on the source PostgreSQL is at 91 % and growing. The culprit is the slot used by the \`${v.pipeline}\` pipeline:

${F}sql
select slot_name, active, pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)) as retained
from pg_replication_slots;

     slot_name      | active | retained
--------------------+--------+----------
 relaysync_${v.pipeline.replace(/-/g, '_')} | t      | ${v.gb} GB
${F}

The pipeline status says **Running, lag 0 s**. The tables it replicates change maybe twice a day; the rest of the database (other schemas, not replicated) is very busy with batch jobs.

Why does the slot not advance when the pipeline is healthy?
`,
    workarounds: [
      () => `
The slot only advances when the pipeline confirms an LSN, and it only confirms LSNs of changes **it** receives. With quiet replicated tables and a busy database, nothing arrives for hours while the WAL fills up. Enable the heartbeat, which writes a tiny row on a schedule and lets the slot move:

${F}sql
-- on the source, once
create table relaysync.heartbeat (id int primary key, ts timestamptz not null);
insert into relaysync.heartbeat values (1, now());
${F}

${F}yaml
source:
  heartbeat:
    interval: 60s
    table: relaysync.heartbeat
${F}

Add \`relaysync.heartbeat\` to the publication and restart the pipeline. Retained WAL dropped from hundreds of GB to a few MB within minutes.

Also set \`max_slot_wal_keep_size\` on the source (e.g. 200GB) so a stuck slot can never fill the disk again — the pipeline then needs a resnapshot instead of taking the database down.
`,
      () => `
Emergency relief if the disk is about to fill: pause the pipeline, drop the slot (\`select pg_drop_replication_slot('…')\`) and run \`relaysync pipeline resnapshot <name>\` afterwards. You lose nothing on the target, but the resnapshot takes time on big tables — do the heartbeat fix right after.
`,
    ],
    replies: [
      () => `+1 for \`max_slot_wal_keep_size\`. A stuck slot took our primary down once; never again.`,
      () => `Does the heartbeat table need a primary key for the sink? Ours complained about missing replica identity.`,
    ],
  }),
  problem({
    key: 'sync-snapshot-standby-conflict',
    product: 'sync',
    versions: ['2.8', '3.0'],
    tags: ['snapshot', 'standby', 'postgresql'],
    env: { source: ['PostgreSQL 14', 'PostgreSQL 15'] },
    vars: (r) => ({ table: r.pick(TABLES), rows: r.pick(['380 million', '1.2 billion', '95 million']), hours: r.int(3, 9) }),
    titles: [
      (v) => `Initial snapshot of ${v.table} fails after ${v.hours} hours: conflict with recovery`,
      () => `Snapshot from a hot standby keeps getting cancelled`,
    ],
    body: (v) => `
To spare the primary we point the snapshot at a hot standby. The initial snapshot of \`${v.table}\` (${v.rows} rows) fails every time after a few hours:

${F}
RSY-3104 snapshot chunk 1873/4410 of ${v.table} failed:
ERROR: canceling statement due to conflict with recovery
DETAIL: User query might have needed to see row versions that must be removed.
${F}

The pipeline retries the chunk, fails again, and eventually gives up. Smaller tables snapshot fine.
`,
    workarounds: [
      () => `
Vacuum on the primary removes row versions the long snapshot query still needs, and the standby cancels the query to keep replaying WAL. For the duration of the snapshot either:

- set \`hot_standby_feedback = on\` on the standby (the primary then keeps those rows; watch for bloat), **or**
- raise \`max_standby_streaming_delay\` (we used \`-1\` for one night).

And make the chunks smaller so a cancelled chunk is cheap to redo:

${F}yaml
snapshot:
  source: standby
  chunk_size: 50000
  parallel_chunks: 4
${F}

Switch the settings back once the pipeline is streaming.
`,
    ],
  }),
  problem({
    key: 'sync-nightly-lag',
    product: 'sync',
    versions: ['2.7', '2.8', '3.0'],
    tags: ['lag', 'performance', 'batch'],
    vars: (r) => ({ minutes: r.pick([40, 75, 110, 160]), hour: r.pick(['01:00', '02:00', '03:30']) }),
    titles: [
      (v) => `Replication lag climbs to ${v.minutes} minutes every night at ${v.hour}`,
      () => `Sink apply is the bottleneck during nightly batch jobs`,
    ],
    body: (v) => `
Every night at ${v.hour} our billing batch updates a few million rows, and the lag of the pipeline climbs to ${v.minutes} minutes before it slowly recovers around 06:00. Reports that run on the cloud copy at 05:00 see yesterday's data.

\`relaysync pipeline stats\` during the batch:

${F}
stage      throughput     queue    cpu
read       48,000 rows/s   0       12 %
transform  47,900 rows/s   0       20 %
apply       6,100 rows/s   2.9M    97 % (1 thread)
${F}

So reading is fine, apply is stuck on one thread. Can apply be parallel without breaking ordering?
`,
    workarounds: [
      () => `
Apply runs in one thread by default to keep transaction order across tables. If you can live with ordering **per primary key** (ours is fine, every row is independent), partition the apply:

${F}yaml
sink:
  parallelism: 8
  partition_by: primary_key     # changes to the same row stay in order
  batch_size: 2000
${F}

Lag during the batch peaked at 4 minutes instead of over an hour. Keep \`parallelism\` at or below the number of connections the sink allows you.
`,
      () => `
We could not use partitioned apply (foreign keys on the target), so we moved the batch window: it now starts at 22:00, and a Relay Insight alert on \`relaysync_pipeline_lag_seconds > 1800\` before 05:00 tells the report owners to wait.
`,
    ],
  }),
  problem({
    key: 'sync-schema-drift',
    product: 'sync',
    versions: ['2.8', '3.0'],
    tags: ['schema', 'ddl', 'paused'],
    env: { source: ['PostgreSQL 13', 'PostgreSQL 15'] },
    vars: (r) => ({ table: r.pick(TABLES), column: r.pick(['currency', 'updated_by', 'region_code', 'consent_flag']) }),
    titles: [
      (v) => `Pipeline paused: schema drift on ${v.table} after ALTER TABLE ADD COLUMN`,
      () => `Every release of our application pauses replication`,
    ],
    body: (v) => `
Our application team added a column during their release:

${F}sql
alter table ${v.table} add column ${v.column} text;
${F}

Minutes later the pipeline paused itself:

${F}
RSY-2207 schema drift detected on ${v.table}: column "${v.column}" not in target
pipeline paused; resolve the drift and run "relaysync pipeline resume"
${F}

We added the column on the target by hand and resumed, which worked, but this happens with every release. Can Sync apply additive changes itself?
`,
    workarounds: [
      () => `
Yes — tell the pipeline which kinds of schema change it may apply on its own:

${F}yaml
schema_evolution:
  mode: additive        # add columns and widen types on the target; pause on anything else
  notify: ops-data@example.test
${F}

Drops and renames still pause the pipeline (on purpose). For a one-off, \`relaysync schema sync --pipeline <name> --table <table>\` copies the current definition to the target and resumes.
`,
    ],
  }),
  problem({
    key: 'sync-oracle-missing-logfile',
    product: 'sync',
    versions: ['2.7', '2.8'],
    tags: ['oracle', 'archivelog', 'rman'],
    env: { source: ['Oracle 19c'] },
    vars: (r) => ({ seq: r.int(18000, 99000) }),
    titles: [
      () => `ORA-01291: missing logfile — Oracle pipeline stops after the nightly backup`,
      () => `Oracle source fails when RMAN deletes archived logs before Sync read them`,
    ],
    body: (v) => `
The pipeline on our Oracle 19c source stops a few times a week, always shortly after the RMAN backup:

${F}
RSY-4411 LogMiner session failed: ORA-01291: missing logfile
  thread 1 sequence ${v.seq} (archived 02:41, deleted by RMAN 03:05)
${F}

After that the only way forward is a resnapshot of all tables, which takes most of a day. The RMAN script deletes archived logs after backing them up (\`delete input\`).
`,
    workarounds: [
      () => `
Sync reads the archived logs a little after they are written; if RMAN deletes them on backup, Sync loses its place. Keep the logs until Sync has read them:

1. Stop deleting on backup: remove \`delete input\` from the backup script.
2. Let a retention rule delete them instead, after a safe margin:

${F}
RMAN> CONFIGURE ARCHIVELOG DELETION POLICY TO BACKED UP 1 TIMES TO DISK;
RMAN> DELETE ARCHIVELOG ALL COMPLETED BEFORE 'SYSDATE-1';
${F}

3. Alert when Sync's read position falls behind: \`relaysync_source_log_age_seconds > 14400\`.

With a 24-hour margin we have had no missing logfile in four months.
`,
    ],
  }),
  problem({
    key: 'sync-dst-timestamps',
    product: 'sync',
    versions: ['2.7', '2.8', '3.0'],
    tags: ['timestamps', 'timezone', 'dst', 'data-quality'],
    env: { source: ['PostgreSQL 13', 'PostgreSQL 14'], sink: ['cloud PostgreSQL 15', 'cloud PostgreSQL 16'] },
    vars: (r) => ({ table: r.pick(TABLES) }),
    titles: [
      () => `Timestamps in the target shifted by one hour since the daylight-saving change`,
      (v) => `${v.table}: created_at off by one hour in the cloud copy`,
    ],
    body: (v) => `
Since the clocks changed on Sunday, every timestamp replicated from \`${v.table}\` is one hour off on the target. Rows written before Sunday are correct.

Source column type: \`timestamp without time zone\` (the application writes local time, sadly). Target column: \`timestamptz\`.

${F}
source: 2024-03-31 14:05:00
target: 2024-03-31 13:05:00+00
${F}

The Sync server runs in the \`Europe/Berlin\` time zone.
`,
    workarounds: [
      () => `
For \`timestamp without time zone\` columns Sync has to guess the zone, and by default it uses the server's zone — which changes with daylight saving. Tell it what the values mean:

${F}yaml
converters:
  timestamp:
    assume_zone: Europe/Berlin   # the zone the application writes in
${F}

Then repair the rows written since the change with \`relaysync repair --table <table> --since <date>\` (it re-reads them from the source). If the application can be changed, writing UTC into \`timestamptz\` avoids the guess entirely.
`,
    ],
    replies: [() => `Same with SQL Server \`datetime2\` columns. Setting \`assume_zone\` fixed it for us too.`],
  }),
  problem({
    key: 'sync-duplicate-key-after-failover',
    product: 'sync',
    versions: ['2.8', '3.0'],
    tags: ['failover', 'duplicate-key', 'checkpoint'],
    env: { sink: ['cloud PostgreSQL 15', 'cloud PostgreSQL 16'] },
    vars: (r) => ({ table: r.pick(TABLES), n: r.int(40, 900) }),
    titles: [
      () => `duplicate key value violates unique constraint after Sync node failover`,
      (v) => `Sink errors on ${v.table} after the standby Sync node took over`,
    ],
    body: (v) => `
During maintenance we failed the Sync cluster over to the standby node. It resumed from its last checkpoint, but the sink now rejects rows:

${F}
RSY-5102 apply failed on ${v.table}: ERROR: duplicate key value violates unique constraint "${v.table.split('.')[1]}_pkey"
DETAIL: Key (id)=(7741203) already exists.
${v.n} changes skipped, pipeline degraded
${F}

It looks like the new node replayed changes the old one had already written.
`,
    workarounds: [
      () => `
After a failover the new node restarts from the last **committed checkpoint**, so a few seconds of changes are applied twice. Inserts then collide. Switch the sink to upserts so replays are harmless:

${F}yaml
sink:
  mode: upsert          # insert … on conflict (pk) do update
${F}

For the rows already skipped, \`relaysync repair --pipeline <name> --since "<failover time>"\` re-applies them. Upsert mode costs a little throughput on SQL Server targets; on PostgreSQL we saw no difference.
`,
    ],
  }),
  problem({
    key: 'sync-numeric-precision',
    product: 'sync',
    versions: ['2.7', '2.8'],
    tags: ['oracle', 'numeric', 'precision', 'type-mapping', 'data-quality'],
    env: { source: ['Oracle 19c'], sink: ['cloud PostgreSQL 15', 'cloud PostgreSQL 16'] },
    vars: (r) => ({ column: r.pick(['amount', 'balance', 'fx_rate', 'interest_accrued']) }),
    titles: [
      (v) => `Rounding differences in ${v.column}: NUMBER(38,10) arrives as DOUBLE`,
      () => `Reconciliation fails — decimal values lose precision on the way to the cloud`,
    ],
    body: (v) => `
Our nightly reconciliation between the core system and the cloud copy found differences in \`${v.column}\`. Source column is \`NUMBER(38,10)\`; on the target it was created as \`double precision\`:

${F}
source : 1029384756.1234567891
target : 1029384756.1234567
${F}

The target tables were created by Sync itself during the initial snapshot. For money columns this is not acceptable.
`,
    workarounds: [
      () => `
Default type mapping turns Oracle \`NUMBER\` with a precision above 18 into \`double precision\`. Override it before the (re)snapshot:

${F}yaml
type_mapping:
  "NUMBER(*,*)": "numeric(38,10)"
  "NUMBER(*,0)": "numeric(38,0)"
${F}

Existing target columns are not changed automatically: alter them (\`alter table … alter column amount type numeric(38,10)\`) and run \`relaysync repair --table …\` to re-read the values. Our reconciliation has been clean since.
`,
    ],
  }),
  problem({
    key: 'sync-stuck-resyncing',
    product: 'sync',
    versions: ['3.0'],
    tags: ['upgrade', 'metadata', 'resync'],
    vars: (r) => ({ count: r.int(12, 64) }),
    titles: [
      () => `Pipelines stuck in "Resyncing" after the upgrade to 3.0`,
      (v) => `3.0 upgrade: ${v.count} pipelines never leave the Resyncing state`,
    ],
    body: (v) => `
We upgraded the Sync server from 2.8 to ${v.patch}. Two of ${v.count} pipelines came back fine; the rest show **Resyncing** for hours with no throughput.

${F}
$ relaysync pipeline status --all
NAME               STATE       SINCE     LAG
orders-to-cloud    Running     09:14     2s
billing-sync       Resyncing   09:15     -
claims-dwh         Resyncing   09:15     -
${F}

The server log repeats:

${F}
RSY-1009 waiting for metadata migration lock (held by upgrade task 7f2c)
${F}
`,
    workarounds: [
      () => `
The upgrade migrates each pipeline's stored offsets to the 3.0 format. If the server is restarted while that runs, the migration task's lock stays behind and the pipelines wait for it forever. Clear it and let the migration finish:

${F}
relaysync state repair --release-stale-locks
relaysync pipeline restart --all
${F}

\`relaysync upgrade status\` should then show the migration completing within minutes. No resnapshot was needed. Tip for others: do not restart the service during the first start after the upgrade, even if it looks idle.
`,
    ],
    replies: [() => `We are planning 2.8 → 3.0 next month — good to know. Did you stop the pipelines before upgrading, or upgrade with them running?`],
  }),
  problem({
    key: 'sync-toast-unchanged',
    product: 'sync',
    versions: ['2.7', '2.8', '3.0'],
    tags: ['postgresql', 'toast', 'nulls', 'data-quality'],
    env: { source: ['PostgreSQL 13', 'PostgreSQL 14', 'PostgreSQL 15'] },
    vars: (r) => ({ table: r.pick(['emr.encounters', 'ops.shipments', 'claims.claim_documents']), column: r.pick(['notes', 'payload', 'attachments_meta']) }),
    titles: [
      (v) => `Large text column ${v.column} becomes NULL in the target after unrelated updates`,
      () => `Updates overwrite big jsonb/text values with null on the sink`,
    ],
    body: (v) => `
In \`${v.table}\` the \`${v.column}\` column (often several KB) is sometimes NULL on the target even though it is filled on the source. It happens after an update that touched **other** columns of the row, e.g. a status change:

${F}sql
update ${v.table} set status = 'closed' where id = 4412;
-- target now has ${v.column} = NULL for id 4412
${F}

Small values are not affected.
`,
    workarounds: [
      (v) => `
PostgreSQL does not write unchanged TOASTed (large) values into the WAL, so the update event arrives without them and the sink writes NULL. Two options:

1. Make PostgreSQL log full rows for that table (more WAL):

${F}sql
alter table ${v.table} replica identity full;
${F}

2. Or let the sink keep the current value when it is missing from the event:

${F}yaml
sink:
  toast_handling: keep_existing
${F}

We went with option 2. Then \`relaysync repair --table ${v.table} --where "${v.column} is null"\` to fix the rows already damaged.
`,
    ],
  }),
  problem({
    key: 'sync-truststore-rotation',
    product: 'sync',
    versions: ['2.8', '3.0'],
    tags: ['tls', 'certificates', 'java'],
    env: { sink: ['cloud PostgreSQL 15', 'cloud PostgreSQL 16'] },
    vars: (r) => ({ host: r.pick(['pg-prod.cloud.example.test', 'sqlsink.cloud.example.test', 'dwh-gateway.example.test']) }),
    titles: [
      () => `Sink connection fails with "PKIX path building failed" after certificate rotation`,
      (v) => `All pipelines to ${v.host} down after the cloud side renewed its certificate`,
    ],
    body: (v) => `
The cloud team renewed the certificate of \`${v.host}\` last night (new intermediate CA). Since then every pipeline to that sink fails:

${F}
RSY-6003 sink connection failed: javax.net.ssl.SSLHandshakeException:
  PKIX path building failed: unable to find valid certification path to requested target
${F}

\`openssl s_client -connect ${v.host}:5432 -starttls postgres\` from the Sync host verifies fine with the system CA bundle.
`,
    workarounds: [
      () => `
Sync uses its own Java truststore, not the system CA bundle, so the new intermediate is unknown to it. Either import it:

${F}
keytool -importcert -alias cloud-intermediate-2024 -file intermediate.pem \\
  -keystore /opt/relaysync/conf/truststore.jks -storepass changeit
relaysync service restart
${F}

or (3.0+) point the sink at a PEM bundle you already maintain, so the next rotation is handled by your normal CA updates:

${F}yaml
sink:
  tls:
    ca_file: /etc/pki/tls/certs/ca-bundle.crt
${F}
`,
    ],
  }),
]

// ---------------------------------------------------------------------------
// Relay Insight problems

const INSIGHT_PROBLEMS: ProblemTemplate[] = [
  problem({
    key: 'ins-flapping-latency-alert',
    product: 'insight',
    versions: ['11.0', '11.1', '12.0'],
    tags: ['alerting', 'flapping', 'latency'],
    vars: (r) => ({ pages: r.int(25, 140), threshold: r.pick([0.5, 0.8, 1.2]) }),
    titles: [
      (v) => `p99 latency alert fires and resolves ${v.pages} times a night`,
      () => `Flapping alerts are burning out our on-call`,
    ],
    body: (v) => `
Our gateway p99 alert flaps: fire, resolve, fire again a few minutes later. Last night on-call got ${v.pages} notifications for what was one slow period.

${F}yaml
- alert: GatewayP99High
  expr: histogram_quantile(0.99, sum by (le, route) (rate(relay_request_duration_seconds_bucket[1m]))) > ${v.threshold}
  labels: { severity: page }
${F}

The latency hovers right around the threshold during backups. How do others keep this quiet without missing real incidents?
`,
    workarounds: [
      (v) => `
Three changes took us from dozens of pages to one:

${F}yaml
- alert: GatewayP99High
  expr: histogram_quantile(0.99, sum by (le, route) (rate(relay_request_duration_seconds_bucket[5m]))) > ${v.threshold}
  for: 10m                 # must stay above the threshold for 10 minutes
  keep_firing_for: 15m     # 12.0+: do not resolve on one good sample
  labels: { severity: page }
${F}

1. A 5-minute rate window instead of 1 minute smooths single slow scrapes.
2. \`for: 10m\` ignores short spikes.
3. \`keep_firing_for\` (new in 12.0) stops the resolve/fire ping-pong. On 11.x you can get a similar effect with a separate, lower "resolve" threshold in a second rule.
`,
      () => `
We also route \`severity: page\` alerts for latency only during business hours; at night they go to the ticket queue unless the error rate alert fires too. Fewer pages, and nobody missed a real incident in three months.
`,
    ],
    replies: [() => `\`keep_firing_for\` alone was worth the 12.0 upgrade for us.`],
  }),
  problem({
    key: 'ins-cardinality-path',
    product: 'insight',
    versions: ['11.1', '12.0'],
    tags: ['cardinality', 'dashboards', 'performance'],
    vars: (r) => ({ series: r.pick(['2.1M', '3.4M', '5.8M']), days: r.pick([7, 14, 30]) }),
    titles: [
      (v) => `Dashboards time out over ${v.days} days: "query exceeded max series"`,
      () => `Active series exploded after enabling gateway request metrics`,
    ],
    body: (v) => `
Since we enabled the gateway's request metrics, our Insight instance grew to ${v.series} active series and any dashboard over ${v.days} days fails:

${F}
INS-4130 query exceeded max series (500000) — narrow the time range or aggregate
${F}

The biggest metric by far is \`relay_request_duration_seconds_bucket\`. Looking at its labels, \`path\` has tens of thousands of values — every order number ends up in it (\`/api/orders/88412/lines\`).
`,
    workarounds: [
      () => `
Raw paths with ids as a label will always explode. Drop the label at the agent and use the route **name** instead, which has a handful of values:

${F}yaml
# insight-agent.yaml
scrape:
  - job: relay-gateway
    relabel:
      - action: labeldrop
        regex: path
${F}

and in the gateway (5.0+) make sure metrics carry the route name:

${F}yaml
metrics:
  labels: [route, method, status_class]
${F}

Active series went down by 90 %. Old series age out with retention; \`insightctl tsdb delete-series --match '{path!=""}'\` removes them right away if you need the space.
`,
    ],
  }),
  problem({
    key: 'ins-duplicate-pages-ha',
    product: 'insight',
    versions: ['11.1', '12.0'],
    tags: ['alerting', 'high-availability', 'notifications'],
    vars: (r) => ({ channel: r.pick(['PagerDuty', 'Opsgenie', 'our paging service']) }),
    titles: [
      (v) => `Every alert reaches ${v.channel} twice since we run Insight as an HA pair`,
      () => `Duplicate notifications after adding a second Insight node`,
    ],
    body: (v) => `
We added a second Insight node for high availability. Both evaluate the rules — fine — but both also notify, so every incident arrives twice in ${v.channel}, and acknowledging one does not silence the other.

${F}yaml
# insight.yaml on both nodes
notifier:
  channels:
    - name: oncall
      type: webhook
      url: https://events.example.test/v2/enqueue
${F}
`,
    workarounds: [
      () => `
The nodes need to know about each other so that only one of them notifies:

${F}yaml
cluster:
  peers: [insight-1.internal:9094, insight-2.internal:9094]
notifier:
  ha_mode: leader        # only the elected leader sends; the other takes over if it goes away
${F}

Open port 9094 between the nodes (TCP and UDP). \`insightctl cluster status\` shows which node leads. Since then every alert arrives once, and failover worked when we patched the leader.
`,
    ],
  }),
  problem({
    key: 'ins-smtp-starttls',
    product: 'insight',
    versions: ['12.0'],
    tags: ['email', 'smtp', 'tls', 'upgrade'],
    vars: (r) => ({ relay: r.pick(['mailrelay.internal', 'smtp.corp.example.test', 'relay01.example.test']) }),
    titles: [
      () => `No alert emails since the upgrade to 12.0`,
      (v) => `12.0: email channel fails against our internal relay ${v.relay}`,
    ],
    body: (v) => `
After upgrading to ${v.patch} no email notifications are delivered. Webhooks work. The notifier log:

${F}
INS-7021 email channel "ops-mail": x509: certificate signed by unknown authority (relay ${v.relay}:25)
${F}

Our internal relay offers STARTTLS with a certificate from our internal CA. On 11.1 this worked — presumably because 11.1 did not use TLS at all.
`,
    workarounds: [
      () => `
12.0 upgrades to TLS whenever the server offers STARTTLS and verifies the certificate (11.x sent in plain text). Give it your CA, which is the right fix:

${F}yaml
notifier:
  email:
    smarthost: mailrelay.internal:25
    tls:
      ca_file: /etc/insight/internal-ca.pem
${F}

If you need mail flowing **now**, \`tls: { mode: opportunistic, insecure_skip_verify: true }\` restores the old behaviour — but put a reminder in to remove it.
`,
    ],
    replies: [() => `Bitten by this too. It's in the 12.0 upgrade notes, but on page 9.`],
  }),
  problem({
    key: 'ins-agent-gaps',
    product: 'insight',
    versions: ['11.0', '11.1', '12.0'],
    tags: ['agent', 'gaps', 'buffering'],
    vars: (r) => ({ minutes: r.int(5, 25) }),
    titles: [
      () => `Gaps in every graph after insight-agent restarts or network blips`,
      (v) => `${v.minutes}-minute holes in metrics whenever the link to the Insight server drops`,
    ],
    body: (v) => `
Our agents run in branch offices with a flaky link. Whenever the link drops for a few minutes, or an agent restarts, the graphs show a hole of ${v.minutes} minutes or so. We would rather have late data than none.

${F}
insight-agent[1123]: WARN remote write failed: context deadline exceeded; dropping 4,000 samples (buffer full)
${F}
`,
    workarounds: [
      () => `
By default the agent keeps only a small in-memory buffer. Turn on its on-disk write-ahead log so it can replay after outages and restarts:

${F}yaml
# insight-agent.yaml
agent:
  wal:
    enabled: true
    dir: /var/lib/insight-agent/wal
    max_age: 2h        # how long an outage it can bridge
remote_write:
  queue: { max_shards: 4, capacity: 20000 }
${F}

Budget about 200 MB of disk per 100k series for two hours. Since then outages of up to an hour leave no gap.
`,
    ],
  }),
  problem({
    key: 'ins-sync-metric-rename',
    product: 'insight',
    versions: ['11.1', '12.0'],
    tags: ['dashboards', 'relay-sync', 'metrics', 'upgrade'],
    vars: (r) => ({ panels: r.int(4, 18) }),
    titles: [
      () => `Sync lag panels show "No data" after upgrading Relay Sync to 3.0`,
      (v) => `${v.panels} dashboard panels and the lag alert broke with Relay Sync 3.0`,
    ],
    body: (v) => `
We upgraded Relay Sync to 3.0 yesterday. Since then the replication lag panels in Insight say **No data** (${v.panels} panels on three dashboards), and our lag alert stays green even though lag was clearly high this morning.

${F}
relaysync_lag_seconds{pipeline="orders-to-cloud"}   → no series
${F}

The Sync exporter endpoint responds and has plenty of metrics.
`,
    workarounds: [
      () => `
Relay Sync 3.0 renamed its metrics to a consistent scheme; the lag metric is now \`relaysync_pipeline_lag_seconds\`. To keep old dashboards working while you update them, add a recording rule with the old name:

${F}yaml
# rules.yaml
- record: relaysync_lag_seconds
  expr: relaysync_pipeline_lag_seconds
${F}

Then fix the alert itself to use the new name (an alert on a missing series never fires — we added an \`absent(relaysync_pipeline_lag_seconds)\` alert too, so a rename can't silently blind us again).
`,
    ],
    replies: [() => `The \`absent()\` alert is a great idea, stealing that.`],
  }),
  problem({
    key: 'ins-compaction-overlap',
    product: 'insight',
    versions: ['11.0', '11.1'],
    tags: ['storage', 'retention', 'compaction', 'disk'],
    vars: (r) => ({ pct: r.int(84, 97) }),
    titles: [
      (v) => `Disk at ${v.pct} % although retention is 30 days — compaction keeps failing`,
      () => `"compaction: block overlap" errors and the data volume never shrinks`,
    ],
    body: (v) => `
The Insight data volume is at ${v.pct} % and growing; retention is set to 30 days, but blocks from two months ago are still there. The log shows every compaction run failing:

${F}
INS-3302 compaction failed: block overlap: [mint: 1711929600000, maxt: 1712016000000] overlaps with 01HT9X…
INS-3309 retention skipped: compaction not healthy
${F}

We restored a backup onto this node in March, which may be related.
`,
    workarounds: [
      () => `
Restoring a backup next to existing blocks can leave two blocks covering the same time range; compaction then refuses to run, and retention waits for compaction. Stop the service, repair, start:

${F}
systemctl stop relay-insight
insightctl tsdb repair --data-dir /var/lib/insight --remove-overlaps --dry-run
insightctl tsdb repair --data-dir /var/lib/insight --remove-overlaps
systemctl start relay-insight
${F}

The first compaction afterwards took 40 minutes and freed about a third of the disk. Take a copy of the data directory first if you can.
`,
    ],
  }),
  problem({
    key: 'ins-silence-regex',
    product: 'insight',
    versions: ['11.1', '12.0'],
    tags: ['silences', 'alerting', 'maintenance'],
    vars: (r) => ({ service: r.pick(['relay.gateway', 'relay.sync', 'billing.api']) }),
    titles: [
      () => `Silences with a regex matcher don't silence anything`,
      (v) => `Maintenance silence for service=~"${v.service}" ignored — on-call paged anyway`,
    ],
    body: (v) => `
Before patching we created a silence for everything belonging to the service:

${F}
insightctl silence add 'service=~"${v.service}"' --duration 2h --comment "patching"
${F}

The alerts fired anyway and paged. Their labels are \`service="${v.service}-eu1"\` and \`service="${v.service}-eu2"\`. A silence on one exact label works. What is wrong with the regex?
`,
    workarounds: [
      (v) => `
Silence regexes are **anchored**: \`${v.service}\` only matches the value \`${v.service}\` itself, not \`${v.service}-eu1\`. Add the wildcard — and escape the dots while you are at it (inside the double-quoted matcher the backslash itself needs escaping):

${F}
insightctl silence add 'service=~"${v.service.replace(/\./g, '\\\\.')}-.*"' --duration 2h --comment "patching"
${F}

\`insightctl silence query --matches 'service="${v.service}-eu1"'\` tells you whether a silence applies before you rely on it.
`,
    ],
  }),
  problem({
    key: 'ins-chat-webhook-size',
    product: 'insight',
    versions: ['11.1', '12.0'],
    tags: ['notifications', 'webhook', 'chat'],
    vars: (r) => ({ kb: r.int(28, 60) }),
    titles: [
      () => `Chat webhook returns 400 when many alerts fire at once`,
      (v) => `Alert messages to our team chat rejected: payload ${v.kb} KB too large`,
    ],
    body: (v) => `
Single alerts reach our team chat channel fine. During a bigger incident, when 30–40 alerts fire together, nothing arrives at all:

${F}
INS-7104 webhook "team-chat" returned 400: Message size ${v.kb} KB exceeds limit of 28 KB
${F}

So exactly when we need the notifications most, they fail.
`,
    workarounds: [
      () => `
Group alerts so one message carries a summary, and cap the details in the template:

${F}yaml
route:
  receiver: team-chat
  group_by: [alertname, cluster]
  group_wait: 30s
receivers:
  - name: team-chat
    webhook:
      url: https://chat.example.test/hooks/…
      max_alerts: 10          # the rest is summarised as "and 27 more"
${F}

A 40-alert storm is now one 6 KB message with a link to the alert list.
`,
    ],
  }),
  problem({
    key: 'ins-saml-clock-skew',
    product: 'insight',
    versions: ['12.0'],
    tags: ['sso', 'saml', 'login'],
    vars: (r) => ({ seconds: r.int(45, 190) }),
    titles: [
      () => `SSO login loop after upgrading to 12.0 (SAML)`,
      () => `Users bounce between the IdP and Insight without ever getting in`,
    ],
    body: (v) => `
Since 12.0 about half of our users end up in a redirect loop between the identity provider and Insight. The server log:

${F}
INS-2210 SAML assertion rejected: NotBefore is in the future (skew ${v.seconds}s, allowed 0s)
${F}

It is always the same Insight node that rejects. 11.1 accepted the same assertions.
`,
    workarounds: [
      (v) => `
That node's clock was ${v.seconds} s behind — NTP had silently stopped after a VM migration. 12.0 checks assertion times strictly by default. Fix the clock first (\`chronyc tracking\`), then allow a little skew so small drift does not lock people out:

${F}yaml
auth:
  saml:
    allowed_clock_skew: 120s
${F}

We also added an alert on \`node_timex_offset_seconds > 5\`.
`,
    ],
  }),
  problem({
    key: 'ins-report-timezone',
    product: 'insight',
    versions: ['11.1', '12.0'],
    tags: ['reports', 'timezone', 'pdf'],
    vars: (r) => ({ hour: r.pick(['06:00', '07:30', '08:00']) }),
    titles: [
      () => `Scheduled PDF reports cover the wrong day`,
      (v) => `Daily report scheduled for ${v.hour} shows yesterday's data shifted by hours`,
    ],
    body: (v) => `
Our management report is scheduled daily at ${v.hour} and should cover "yesterday". The PDFs cover yesterday 02:00 to today 02:00 instead, so night shift numbers end up in the wrong day.

${F}yaml
reports:
  - name: daily-ops
    dashboard: operations-overview
    schedule: "0 ${v.hour.split(':')[1]} ${v.hour.split(':')[0]} * * *"
    range: yesterday
${F}

The dashboards themselves show the right times in the browser.
`,
    workarounds: [
      () => `
Reports are rendered on the server in UTC unless the report says otherwise; the browser uses your local zone, which is why dashboards look right. Set the zone on the report:

${F}yaml
reports:
  - name: daily-ops
    timezone: Europe/Amsterdam
    range: yesterday
${F}

Both the schedule and "yesterday" are then interpreted in that zone, including across daylight-saving changes.
`,
    ],
  }),
]

/** Every problem template, by product. */
export const PROBLEM_TEMPLATES: readonly ProblemTemplate[] = [...GATEWAY_PROBLEMS, ...SYNC_PROBLEMS, ...INSIGHT_PROBLEMS]

// ---------------------------------------------------------------------------
// Success stories

export type StoryTemplate = {
  key: string
  product: ProductKey
  /** Versions the story is about. */
  versions: readonly string[]
  /** What the story may link to: a migration to one of `versions`, or a solved problem of this template. */
  link?: { migration: true } | { problemKey: string }
  write(r: Random, index: number): { title: string; body: string; tags: string[] }
}

function story<V extends object>(def: {
  key: string
  product: ProductKey
  versions: string[]
  tags: string[]
  link?: StoryTemplate['link']
  vars: (r: Random) => V
  titles: ((v: V) => string)[]
  body: (v: V) => string
}): StoryTemplate {
  return {
    key: def.key,
    product: def.product,
    versions: def.versions,
    link: def.link,
    write(r, index) {
      const v = def.vars(r)
      return { title: def.titles[index % def.titles.length]!(v), body: def.body(v).trim(), tags: def.tags }
    },
  }
}

export const STORY_TEMPLATES: readonly StoryTemplate[] = [
  story({
    key: 'st-gw-zero-downtime',
    product: 'gateway',
    versions: ['5.1'],
    tags: ['upgrade', 'zero-downtime', 'canary'],
    link: { migration: true },
    vars: (r) => ({ nodes: r.int(6, 16), dcs: r.int(2, 3), minutes: r.int(35, 90) }),
    titles: [
      (v) => `Zero-downtime move to Relay Gateway 5.1 across ${v.dcs} data centres`,
      () => `Upgraded the gateway on a Tuesday afternoon — and nobody noticed`,
    ],
    body: (v) => `
We finished moving all ${v.nodes} gateway nodes to 5.1 without a single failed request in our synthetic checks.

What made the difference:

- **Connection draining** at the load balancer (5 minutes) before each node was taken out.
- **Canary by weight**: 5 % of traffic to the first upgraded node for a day, with an Insight panel comparing 5xx rate and p99 between old and new nodes side by side.
- **Read the known problems first.** The query-string rewrite change in 5.1 would have broken our partner export — we set \`preserve_query: true\` before upgrading, thanks to the thread here.

Each data centre took about ${v.minutes} minutes of hands-on time. The runbook is attached to our internal wiki; happy to share it with anyone planning the same move.
`,
  }),
  story({
    key: 'st-gw-keepalive-latency',
    product: 'gateway',
    versions: ['5.0', '5.1'],
    tags: ['performance', 'latency', 'keepalive'],
    link: { problemKey: 'gw-keepalive-502' },
    vars: (r) => ({ before: r.int(380, 620), pct: r.int(28, 45) }),
    titles: [(v) => `p99 latency down ${v.pct} % after tuning upstream keep-alive pools`, () => `The 502 hunt that made us faster`],
    body: (v) => `
While chasing the sporadic 502s after our upgrade we looked hard at connection reuse for the first time. Once the idle timeouts were aligned (gateway below upstream), we also sized the pools properly:

${F}yaml
keepalive:
  pool_size: 128
  idle_timeout: 50s
  max_requests: 10000
${F}

New TLS handshakes to upstreams dropped by 95 %, and p99 on our busiest route went from ${v.before} ms to ${Math.round((v.before * (100 - v.pct)) / 100)} ms. The 502s are gone too. Sometimes the fix for a bug is also the best tuning you have done all year.
`,
  }),
  story({
    key: 'st-gw-retry-storm',
    product: 'gateway',
    versions: ['5.0', '5.1'],
    tags: ['rate-limit', 'resilience', 'partners'],
    vars: (r) => ({ factor: r.int(12, 40), minutes: r.int(20, 70) }),
    titles: [(v) => `A partner's retry storm hit us at ${v.factor}× normal traffic — and nothing fell over`, () => `Rate limits paid for themselves in one afternoon`],
    body: (v) => `
Last month a partner deployed a client with a retry loop and no back-off. For ${v.minutes} minutes they sent ${v.factor} times their normal traffic.

A year ago this would have taken down our order service. This time the per-consumer rate limit on the gateway answered most of it with 429s, the other partners never noticed, and our on-call got one alert with the consumer's name in it. We called the partner, they rolled back, done.

The config that saved us is boring: \`key: [consumer, client_ip]\`, a limit per partner tier, and \`Retry-After\` headers so well-behaved clients back off by themselves.
`,
  }),
  story({
    key: 'st-gw-legacy-proxies',
    product: 'gateway',
    versions: ['4.3', '5.0'],
    tags: ['consolidation', 'routing', 'config-as-code'],
    vars: (r) => ({ proxies: r.int(9, 23), weeks: r.int(5, 12) }),
    titles: [(v) => `Retired ${v.proxies} hand-maintained reverse proxies in ${v.weeks} weeks`, () => `One gateway config in Git instead of a dozen snowflake proxies`],
    body: (v) => `
We had ${v.proxies} reverse proxies, each configured by hand, each with its own TLS certificates and logging. Over ${v.weeks} weeks we moved every route behind Relay Gateway, one team at a time.

- All routes now live in one repository; changes go through review and \`relayctl validate\` in CI.
- Certificates renew in one place.
- The access log is the same JSON everywhere, so the security team finally has one query for everything.

The hardest part was not technical: finding owners for routes nobody remembered. We now require an \`owner\` tag on every route.
`,
  }),
  story({
    key: 'st-gw-key-rotation',
    product: 'gateway',
    versions: ['5.1'],
    tags: ['jwt', 'authentication', 'operations'],
    link: { problemKey: 'gw-jwks-rotation' },
    vars: (r) => ({ rotations: r.int(3, 6) }),
    titles: [() => `Signing-key rotation is a non-event now`, (v) => `${v.rotations} IdP key rotations, zero failed logins`],
    body: (v) => `
After one painful morning of 401s when our identity provider rotated its key, we set \`refresh_on_unknown_kid: true\` and a 10-minute JWKS cache.

Since then the IdP team has rotated keys ${v.rotations} times — once without telling anyone — and not a single request failed. The runbook step "restart all gateways after a rotation" is deleted. Thanks to whoever posted the workaround here; it saved us a lot of guesswork.
`,
  }),
  story({
    key: 'st-gw-streaming-uploads',
    product: 'gateway',
    versions: ['4.3', '5.0'],
    tags: ['uploads', 'memory', 'stability'],
    link: { problemKey: 'gw-upload-oom' },
    vars: (r) => ({ gb: r.int(40, 180) }),
    titles: [() => `From weekly OOM kills to flat memory: streaming uploads through the gateway`, (v) => `${v.gb} GB of uploads a day, memory flat as a board`],
    body: (v) => `
Our document upload route used to take a gateway pod down about once a week. With \`request_buffering: off\` on that single route the gateway streams bodies straight to the upstream.

Today we pass about ${v.gb} GB of uploads a day and worker memory does not move. We also lowered the pod memory limit by half, which paid for a new node elsewhere.
`,
  }),
  story({
    key: 'st-sync-bulk-snapshot',
    product: 'sync',
    versions: ['2.8', '3.0'],
    tags: ['snapshot', 'cloud', 'performance'],
    vars: (r) => ({ tb: r.pick(['2.4', '3.1', '4.0', '5.6']), hours: r.int(20, 44) }),
    titles: [(v) => `${v.tb} TB of history replicated to the cloud over one weekend`, () => `Our biggest initial snapshot finished before Monday`],
    body: (v) => `
We needed ten years of history in the cloud before the new analytics platform went live. Estimates from the first test said nine days. It took ${v.hours} hours.

1. Snapshot from a standby, with \`hot_standby_feedback\` on for the weekend.
2. \`chunk_size: 50000\` and \`parallel_chunks: 8\`, so a cancelled chunk cost seconds, not hours.
3. Indexes on the target created **after** the snapshot, not before.
4. An Insight dashboard with rows per second per table, so we knew on Saturday morning that we would make it.

Streaming took over on Sunday night with a lag of a few seconds, and has stayed there.
`,
  }),
  story({
    key: 'st-sync-ledger-move',
    product: 'sync',
    versions: ['2.8', '3.0'],
    tags: ['migration', 'database', 'cutover'],
    vars: (r) => ({ minutes: r.int(4, 11) }),
    titles: [(v) => `Moved our core ledger database with ${v.minutes} minutes of read-only time`, () => `Using Relay Sync for a hardware refresh, not just for the cloud`],
    body: (v) => `
Our core ledger had to move to new hardware. The usual plan — dump, restore, a whole night offline — was not acceptable to the business.

Instead we replicated the old server to the new one with Relay Sync for two weeks and compared checksums daily (\`relaysync verify\`). On the night, we set the application read-only, waited for lag 0, verified once more and switched the connection strings. Read-only time: ${v.minutes} minutes, most of it the final verification.

Keep the reverse pipeline ready for a few days — we never needed it, but everyone slept better.
`,
  }),
  story({
    key: 'st-sync-fresh-reports',
    product: 'sync',
    versions: ['2.8', '3.0'],
    tags: ['lag', 'performance', 'reports'],
    link: { problemKey: 'sync-nightly-lag' },
    vars: (r) => ({ before: r.int(70, 140), after: r.int(2, 6) }),
    titles: [(v) => `Nightly reports are fresh again: lag from ${v.before} minutes to ${v.after}`, () => `Parallel apply fixed our morning reports`],
    body: (v) => `
Every morning our finance reports showed stale numbers because the replication lag after the nightly batch was still ${v.before} minutes at 05:00.

With \`sink.parallelism: 8\` and \`partition_by: primary_key\`, the peak lag during the batch is now ${v.after} minutes and it is back to seconds long before the reports run. No more "please rerun the report at ten" emails.
`,
  }),
  story({
    key: 'st-sync-30-upgrade',
    product: 'sync',
    versions: ['3.0'],
    tags: ['upgrade', 'relay-sync-3'],
    link: { migration: true },
    vars: (r) => ({ pipelines: r.int(18, 45), hours: r.pick(['two', 'three', 'four']) }),
    titles: [(v) => `${v.pipelines} pipelines moved to Relay Sync 3.0 in one evening`, () => `Relay Sync 3.0: our upgrade checklist, and what we would do again`],
    body: (v) => `
We upgraded from 2.8 to 3.0 in a ${v.hours}-hour window with ${v.pipelines} pipelines. What went well:

- We read the known problems here first: **don't restart during the metadata migration**, and the metrics were renamed.
- Recording rules for the old metric names in Insight, so no dashboard went blank.
- Standby node first, failover, then the old primary — pipelines were paused for 20 minutes in total.

What we would do differently: test \`schema_evolution: additive\` earlier; it would have saved us two paused pipelines last quarter.
`,
  }),
  story({
    key: 'st-sync-reconciliation',
    product: 'sync',
    versions: ['2.8', '3.0'],
    tags: ['data-quality', 'reconciliation', 'finance'],
    link: { problemKey: 'sync-numeric-precision' },
    vars: (r) => ({ days: r.int(60, 140) }),
    titles: [() => `Reconciliation is boring now — and that is the point`, (v) => `${v.days} days of clean reconciliation between core and cloud`],
    body: (v) => `
After fixing the NUMBER → double mapping (explicit \`type_mapping\` to numeric(38,10) and a repair run), our nightly reconciliation between the core system and the cloud copy has been clean for ${v.days} days in a row.

The auditors asked how we know the copy is complete. We showed them the reconciliation job, the verify runs and this thread. They were satisfied in one meeting.
`,
  }),
  story({
    key: 'st-sync-wal-caught',
    product: 'sync',
    versions: ['2.8', '3.0'],
    tags: ['monitoring', 'wal', 'prevention'],
    link: { problemKey: 'sync-wal-retained' },
    vars: (r) => ({ days: r.int(5, 12) }),
    titles: [(v) => `We caught a WAL leak ${v.days} days before it would have filled the disk`, () => `An alert on retained WAL saved a weekend`],
    body: (v) => `
After reading about retained WAL here we added one alert in Relay Insight: retained WAL per replication slot above 20 GB.

It fired three weeks later on a pipeline whose tables only change at month end. By our estimate the disk would have filled ${v.days} days later, on a Saturday. We enabled the heartbeat, the slot caught up within minutes, and the alert cleared. Also set \`max_slot_wal_keep_size\` as a last line of defence.
`,
  }),
  story({
    key: 'st-ins-fewer-pages',
    product: 'insight',
    versions: ['12.0'],
    tags: ['alerting', 'on-call', 'noise'],
    link: { problemKey: 'ins-flapping-latency-alert' },
    vars: (r) => ({ before: r.int(240, 380), after: r.int(12, 30) }),
    titles: [(v) => `From ${v.before} pages a month to ${v.after} that matter`, () => `Our on-call is sleeping again`],
    body: (v) => `
Our on-call rotation was receiving around ${v.before} pages a month, most of them flapping latency alerts. We went through every paging rule with three questions: is it actionable, is it urgent, does it need a human at night?

- \`for:\` on every rule, \`keep_firing_for\` on the noisy ones.
- Latency alerts page only when the error rate is up too; otherwise they create a ticket.
- Every page links to a runbook.

Last month: ${v.after} pages, all of them real. Nobody has asked to leave the rotation since.
`,
  }),
  story({
    key: 'st-ins-12-upgrade',
    product: 'insight',
    versions: ['12.0'],
    tags: ['upgrade', 'relay-insight-12'],
    link: { migration: true },
    vars: (r) => ({ dashboards: r.int(60, 240) }),
    titles: [() => `Relay Insight 12.0 upgrade: one afternoon, no lost history`, (v) => `${v.dashboards} dashboards moved to Insight 12.0 without a broken panel`],
    body: (v) => `
We upgraded our HA pair to 12.0 in one afternoon. ${v.dashboards} dashboards and all alert rules came through; the rule checker flagged two deprecated functions beforehand.

Two things from this hub saved us: we added our internal CA to the email channel **before** the upgrade (12.0 verifies STARTTLS certificates), and we checked NTP on both nodes because of the SAML clock-skew reports. Zero surprises.
`,
  }),
  story({
    key: 'st-ins-ops-floor',
    product: 'insight',
    versions: ['11.1', '12.0'],
    tags: ['dashboards', 'operations', 'visibility'],
    vars: (r) => ({ teams: r.int(4, 9) }),
    titles: [(v) => `One dashboard that ${v.teams} teams actually look at`, () => `Our operations wall: gateway, sync and business numbers on one screen`],
    body: (v) => `
We replaced a dozen team dashboards with one "operations wall": gateway error rate and latency per partner, replication lag per pipeline, and — the part people love — orders per minute from the business database, replicated by Relay Sync.

When orders per minute drop and gateway errors rise together, everyone on the floor sees it in seconds. ${v.teams} teams use the same screen now, and the first question in an incident is no longer "which dashboard are you looking at?".
`,
  }),
  story({
    key: 'st-ins-cardinality',
    product: 'insight',
    versions: ['11.1', '12.0'],
    tags: ['storage', 'cardinality', 'cost'],
    link: { problemKey: 'ins-cardinality-path' },
    vars: (r) => ({ pct: r.int(60, 85) }),
    titles: [(v) => `Cut metrics storage by ${v.pct} % with two relabel rules`, () => `Dashboards load in a second again`],
    body: (v) => `
Our series count had exploded because request paths with order numbers ended up as labels. Dropping the \`path\` label at the agent and labelling by route name instead reduced storage by ${v.pct} %.

Thirty-day dashboards that used to time out now load in about a second, and we cancelled the disk expansion we had ordered.
`,
  }),
  story({
    key: 'st-ins-branch-agents',
    product: 'insight',
    versions: ['11.1', '12.0'],
    tags: ['agent', 'branch-offices', 'reliability'],
    link: { problemKey: 'ins-agent-gaps' },
    vars: (r) => ({ sites: r.int(25, 80) }),
    titles: [(v) => `${v.sites} branch offices, no more gaps in the graphs`, () => `Agent WAL: the setting we should have turned on from day one`],
    body: (v) => `
With the agent's on-disk WAL enabled across all ${v.sites} sites, link outages of up to two hours no longer leave holes in our graphs. The data arrives late but complete, and capacity planning for the sites finally has continuous numbers to work with.
`,
  }),
  story({
    key: 'st-ins-ha-failover',
    product: 'insight',
    versions: ['11.1', '12.0'],
    tags: ['high-availability', 'alerting'],
    link: { problemKey: 'ins-duplicate-pages-ha' },
    vars: (r) => ({ seconds: r.int(3, 12) }),
    titles: [() => `Our first Insight failover went unnoticed by on-call`, (v) => `Leader failover in ${v.seconds} seconds, one page per alert`],
    body: (v) => `
With \`ha_mode: leader\` configured, we patched the leading Insight node during business hours as a test. The other node took over in ${v.seconds} seconds, no alert was lost and none arrived twice. On-call only found out from the change ticket.
`,
  }),
]

// ---------------------------------------------------------------------------
// Migration notes

type MigrationParts = {
  scope: (r: Random) => string
  why: Record<string, string>
  steps: ((from: string, to: string) => string)[]
  rollback: ((from: string) => string)[]
  questions: ((to: string) => string)[]
}

const MIGRATION_PARTS: Record<ProductKey, MigrationParts> = {
  gateway: {
    scope: (r) =>
      `${r.int(3, 16)} gateway nodes in ${r.int(1, 3)} data centre(s), about ${r.pick(['1,200', '3,500', '8,000', '14,000'])} requests/s at peak, ${r.int(40, 260)} routes.`,
    why: {
      '4.3': 'the WebSocket draining fixes and a supported release line',
      '5.0': 'HTTP/2 to upstreams and the Redis-backed rate limiter',
      '5.1': 'hot config applies and the JWKS refresh on unknown keys',
    },
    steps: [
      (_f, to) => `Run \`relayctl validate --target ${to}\` against the current config and fix what it flags.`,
      () => 'Upgrade staging first and replay a day of recorded traffic with `relayctl replay`.',
      () => 'Drain one node at a time at the load balancer (5 minutes), upgrade it, put it back, watch the 5xx rate for 30 minutes.',
      () => 'Canary: 5 % of traffic to the upgraded nodes for a day, then 50 %, then everything.',
      () => 'Re-test our custom header-transform plugin and the OAuth2 introspection settings.',
      (from) => `Keep one node on ${from} for a week as a fallback.`,
      () => 'Check keep-alive idle timeouts against every upstream (the defaults changed in 5.0).',
    ],
    rollback: [
      (from) => `Nodes are built from images; rolling back is redeploying the ${from} image, about 10 minutes per data centre.`,
      (from) => `Configuration is versioned in Git: re-install ${from} and \`relayctl apply\` the last tag that ran on it.`,
    ],
    questions: [
      (to) => `Anything to watch for with upstreams that have short keep-alive timeouts on ${to}?`,
      () => 'Has anyone seen the stricter TLS defaults break older clients?',
      (to) => `Does the admin API stay compatible with our deployment scripts on ${to}?`,
      () => 'How long did others keep a fallback node on the old version?',
    ],
  },
  sync: {
    scope: (r) =>
      `${r.int(4, 45)} pipelines, ${r.int(60, 900)} tables, the biggest about ${r.int(90, 2400)} GB; sources ${r.pick(['PostgreSQL 14 and 15', 'Oracle 19c', 'Oracle 19c and SQL Server 2019', 'PostgreSQL 13'])}.`,
    why: {
      '2.8': 'upsert mode on the sink and the additive schema changes',
      '3.0': 'parallel apply, the new schema evolution modes and PEM-based TLS settings',
    },
    steps: [
      () => 'Export source positions before we start (`relaysync pipeline positions --export`).',
      () => 'Upgrade the standby Sync node first, fail over, then upgrade the former primary.',
      () => 'Let the first start finish the metadata migration — no restarts until `relaysync upgrade status` says done.',
      (_f, to) => (to === '3.0' ? 'Update dashboards and alerts for the renamed metrics (recording rules for the old names in the meantime).' : 'Switch the finance pipelines to `sink.mode: upsert` right after the upgrade.'),
      () => 'Compare row counts and checksums on the critical tables (`relaysync verify --sample 1%`).',
      () => 'Resume pipelines one by one, the biggest last.',
    ],
    rollback: [
      (from) => `Restore the metadata database from the pre-upgrade backup and reinstall ${from}; positions are kept, so no resnapshot.`,
      () => 'VM snapshot of the Sync servers before we begin; worst case a resnapshot of the small pipelines (about four hours).',
    ],
    questions: [
      () => 'Do we need to stop the pipelines before upgrading, or can they run through it?',
      () => 'How long did the metadata migration take for others with many pipelines?',
      (to) => `Does ${to} still support our one remaining Oracle 12.2 source?`,
    ],
  },
  insight: {
    scope: (r) =>
      `${r.int(6, 120)} agents, about ${r.pick(['300k', '800k', '1.4M', '2.2M'])} active series, ${r.int(30, 250)} dashboards and ${r.int(40, 400)} alert rules.`,
    why: {
      '11.1': 'the HA leader mode for notifications',
      '12.0': '`keep_firing_for`, report time zones and the new SSO options',
    },
    steps: [
      () => 'Export all dashboards and rules with `insightctl export --all` as a backup.',
      (_f, to) => `Run \`insightctl rules check --target ${to}\` to find rules using removed functions.`,
      () => 'Upgrade the standby node of the HA pair, move leadership, upgrade the other one.',
      (_f, to) => (to === '12.0' ? 'Test the email channel against our internal relay first (12.0 verifies STARTTLS certificates).' : 'Configure the cluster peers so only the leader notifies.'),
      () => 'Check NTP on both nodes and test SSO with a few users from each department before announcing.',
      () => 'Agents can stay on the old version for a while; upgrade them site by site afterwards.',
    ],
    rollback: [
      () => 'Data directory snapshot before the upgrade; a downgrade is supported within 24 hours as long as no compaction ran.',
      () => 'Keep the old node untouched until the new one has run for a week.',
    ],
    questions: [
      () => 'Is `keep_firing_for` usable right away, or only once the agents are upgraded too?',
      () => 'Will saved dashboard links and embedded panels keep working?',
      (to) => `Anyone already running ${to} with SAML — any surprises?`,
    ],
  },
}

/** The notes of a migration plan: why, scope, steps, rollback and (sometimes) an open question. */
export function migrationNotes(r: Random, product: ProductKey, from: string, to: string): string {
  const parts = MIGRATION_PARTS[product]
  const why = parts.why[to] ?? 'a supported release line'
  const steps = parts.steps.filter(() => r.chance(0.65)).slice(0, 5)
  if (steps.length < 3) steps.push(...parts.steps.filter((s) => !steps.includes(s)).slice(0, 3 - steps.length))
  const lines = [
    r.pick([
      `Moving from ${from} to ${to} for ${why}.`,
      `We want ${why}, so ${from} → ${to} is next on our list.`,
      `Our ${from} installation is getting old; ${to} brings ${why}.`,
    ]),
    `**Scope:** ${parts.scope(r)}`,
    ['**Plan**', ...steps.map((s, i) => `${i + 1}. ${s(from, to)}`)].join('\n'),
    `**Rollback:** ${r.pick(parts.rollback)(from)}`,
  ]
  if (r.chance(0.6)) lines.push(`**Open question:** ${r.pick(parts.questions)(to)}`)
  return lines.join('\n\n')
}

export const POSTPONE_REASONS = [
  'Postponed: our change board moved it after the quarter-end freeze.',
  'Postponed: waiting for the next patch release with the rewrite fix.',
  'Postponed: the database team needs the window for their own maintenance.',
  'Postponed by a few weeks — two of us are out for the audit.',
] as const

// ---------------------------------------------------------------------------
// Replies

export type ReplyContext = {
  product: string
  version: string
  /** First name of the post's author. */
  first: string
  ticket: string
  /** The product's command-line tool. */
  cli: string
}

type Reply = (c: ReplyContext) => string

/** Support's first answer on a problem. */
export const SUPPORT_FIRST_REPLIES: readonly Reply[] = [
  (c) => `Thanks for the clear report and the log excerpt, ${c.first}. We can reproduce this on ${c.version} in our lab and are tracking it as ${c.ticket}. I'll post here as soon as we know more — following this problem gets you every update.`,
  (c) => `Thanks, ${c.first} — we're on it. Could you attach the output of \`${c.cli} diagnostics --since 1h\`? It tells us which component handled the failing requests.`,
  (c) => `We have seen this pattern with other customers on ${c.version}. I've asked one of them whether they'd share what worked for them; in the meantime, a quick question: did this start right after the upgrade, or after a config change?`,
  (c) => `Acknowledged, tracking as ${c.ticket}. This looks like a known behaviour change in ${c.version}; the release notes are not clear about it, and we'll fix that too. Details follow today.`,
  (c) => `Thanks for logging this, ${c.first}. Looking at it now — can you tell us how many nodes are affected, and whether it happens on all of them?`,
]

/** Support, later in the conversation: once a workaround is there, and while there is none. */
export const SUPPORT_FOLLOW_UPS: Record<'withWorkaround' | 'withoutWorkaround', readonly Reply[]> = {
  withWorkaround: [
    (c) => `Update on ${c.ticket}: the fix is in the next ${c.version} patch release. The workaround here is safe to keep until then.`,
    () => `This is done on our side — the documentation now describes this setting. Please test and tell us if anything is still unclear.`,
    () => `We tried the workaround in our lab; it's also what we recommend long-term.`,
    (c) => `Quick check-in, ${c.first}: is this still happening after the change? If it's solved, accepting the workaround helps the next person who searches for it.`,
  ],
  withoutWorkaround: [
    (c) => `Update on ${c.ticket}: engineering has reproduced it. We'll post a workaround or a fix here as soon as we have one — you'll get it through your follow.`,
    (c) => `Quick check-in, ${c.first}: is this still happening? If you found a way around it, posting it as a workaround helps the next person who searches for it.`,
  ],
}

/** Other customers on a problem: "same here", questions, details. */
export const CUSTOMER_REPLIES: readonly Reply[] = [
  (c) => `Same here on ${c.version}. In our case it only happens under load, never in the quiet hours.`,
  (c) => `We hit this last quarter. Which ${c.product} patch level are you on exactly?`,
  () => `Seeing it on two of our four nodes. Following.`,
  () => `Interesting — same version here and we don't see it. Which plugins/options do you have enabled? Happy to compare configs.`,
  () => `Did you open a support case as well? Curious what they say.`,
  () => `We have a workaround for something very similar — will write it up as soon as I find our notes.`,
]

/** The problem's author adding details before anyone answered. */
export const AUTHOR_ADDENDA: readonly Reply[] = [
  () => `Adding: it also happens in our staging environment, so it is not specific to production.`,
  () => `More data: it comes and goes every few hours, not only under load.`,
  () => `Nothing else changed on our side that week, as far as our change log tells.`,
]

/** The author after a workaround helped. */
export const AUTHOR_THANKS: readonly Reply[] = [
  () => `This is done — applied on all nodes on Tuesday and the errors are gone. Thank you!`,
  () => `Confirmed in production: zero occurrences in the last 48 hours. Accepted the workaround.`,
  () => `That was it. Tested in staging first, rolled out this morning. Thanks a lot for writing it up.`,
  () => `Worked for us. It's a shame it took us two days to find this thread — it's bookmarked now.`,
]

/** Replies on a workaround. */
export const WORKAROUND_REPLIES: readonly Reply[] = [
  () => `Worked for us as well, thank you. Note: the setting needs a restart, a reload is not enough.`,
  () => `Applied this in staging, looks good. Production tomorrow.`,
  () => `Careful with this on very busy nodes — test it under load first. Otherwise spot on.`,
  () => `Exactly what we needed. Would be great to have this in the official docs.`,
]

/** Replies on a migration plan by other customers. */
export const MIGRATION_REPLIES: readonly Reply[] = [
  (c) => `We are planning the same move to ${c.version} soon. Happy to compare notes afterwards.`,
  () => `We did this last month. Read the known problems listed on the plan first — the one about the changed defaults bit us.`,
  () => `Good plan. We would add one thing: test the rollback once in staging, it took us longer than expected.`,
]

/** Support on a migration plan. */
export const SUPPORT_MIGRATION_REPLIES: readonly Reply[] = [
  (c) => `Thanks for telling us in advance, ${c.first}. The known problems for ${c.version} are listed on this plan; we'll have someone on standby during your window.`,
  (c) => `Good plan. Two other customers move to ${c.version} around the same time — if you'd like, we can introduce you.`,
  () => `One tip: take a copy of the configuration and metadata before you start; everything else in your rollback plan looks right.`,
]

/** The author reporting back on a migration. */
export const MIGRATION_UPDATES: Record<'in_progress' | 'done' | 'rolled_back' | 'postponed', readonly Reply[]> = {
  in_progress: [() => `Staging is done, no surprises. Production starts this week.`, () => `First node upgraded, watching it for a day before the rest.`],
  done: [
    () => `This is done. Took about half of the planned window; no customer-facing errors.`,
    () => `Finished. One surprise (a plugin setting we had forgotten), fixed in ten minutes. Otherwise smooth.`,
    () => `Done and stable for a week now. Closing the plan.`,
  ],
  rolled_back: [() => `We rolled back after two hours — see the problem we logged. Will try again once it's understood.`],
  postponed: [() => `Moving the date — see the note in the plan.`],
}

/** Replies on a success story, by other customers and by support. */
export const STORY_REPLIES: Record<'customer' | 'support', readonly Reply[]> = {
  customer: [
    () => `Congratulations! Would you be open to sharing the config you ended up with?`,
    () => `Great write-up. We're about to do the same; may I contact you if we get stuck?`,
    () => `How long did the whole thing take, including the preparation?`,
    () => `This is the post I wish I had found a year ago. Thanks for taking the time.`,
  ],
  support: [
    () => `Thanks for sharing this — it's exactly what the next customer needs. Mind if we point people here when they ask?`,
    (c) => `Congratulations to the whole team, ${c.first}! We've linked this from our upgrade notes.`,
  ],
}

/** First lines of a workaround, by who writes it. Empty: start with the fix itself. */
export const WORKAROUND_OPENERS: Record<'customer' | 'support' | 'self', readonly string[]> = {
  customer: ['We had exactly this last month. What fixed it for us:', 'Here is what worked for us.', 'This took us a week to figure out, so here it is:', '', ''],
  support: ['From the support side, this is the fix we recommend:', 'We reproduced this in our lab. The cause and the fix:', ''],
  self: ['Found it ourselves after a long evening — writing it down for the next person.', 'Answering my own question in case someone else runs into this:'],
}

// ---------------------------------------------------------------------------
// Posts that exist once: staff-only notes and the moderated examples

/** Support's internal notes, visible to staff only. */
export const STAFF_NOTES: readonly {
  product: ProductKey
  version: string
  title: string
  body: string
  tags: string[]
  workaround: string
}[] = [
  {
    product: 'sync',
    version: '3.0',
    title: 'Internal: 3.0 metadata migration stalls when the service restarts mid-upgrade — reproduction notes',
    body: `
Reproduced in the lab with 60 pipelines on 2.8.4 → 3.0.1:

1. Start the upgrade, wait until \`relaysync upgrade status\` shows "migrating offsets".
2. \`systemctl restart relaysync\`.
3. Every pipeline not yet migrated stays in **Resyncing**; log repeats \`RSY-1009 waiting for metadata migration lock\`.

The lock row in \`rs_meta.locks\` is not released because the task id changes on restart. Engineering ticket SY-4471, fix targeted for 3.0.3.

Customers who report this: point them to the public problem thread and its accepted workaround; do **not** suggest a resnapshot.
`,
    tags: ['upgrade', 'metadata', 'internal'],
    workaround: `
Safe recovery (verified on the lab set-up twice):

${F}
relaysync state repair --release-stale-locks
relaysync pipeline restart --all
relaysync upgrade status   # should reach "done" within minutes
${F}

If \`state repair\` reports locks younger than 10 minutes, wait — the migration may still be running.
`,
  },
  {
    product: 'gateway',
    version: '5.1',
    title: 'Internal: which customers rely on the old rewrite behaviour (query string dropped in 5.1)',
    body: `
Checked the configs customers shared with us in cases this year: at least four organizations use regex rewrites without \`$is_args$args\`. All of them will lose query strings on 5.1.

Proposal: mention \`preserve_query: true\` in every 5.1 migration plan we see on the radar, and ask engineering to make it the default in 5.1.2 (GW-3987).
`,
    tags: ['rewrite', 'internal', 'radar'],
    workaround: `
Until 5.1.2: when a customer plans 5.0 → 5.1, reply on their plan with the \`preserve_query\` hint and a link to the public thread. \`relayctl validate --target 5.1\` also warns about it since 5.1.1.
`,
  },
]

/** Hand-written lines of the demo accounts' own threads. */
export const DEMO_ACCOUNT_LINES = {
  aliceFirstDraft: 'Partners get 401 on every request since this morning. Investigating, details follow.',
  aliceAddendum:
    'Adding: tokens issued before 06:10 still work, only fresh logins fail. Restarting one node fixed that node, so we are restarting them one by one for now.',
  bobFirstDraft: 'WAL keeps growing on our source PostgreSQL and the replication slot of one pipeline never advances. Details follow.',
  retryNote:
    'Second attempt after the rollback last month. The cause is understood now (see our problem about pipelines stuck in Resyncing), and this time nobody restarts the service during the metadata migration.',
} as const

/** A workaround support hid because it contained a secret. */
export const HIDDEN_WORKAROUND = {
  body: `
This call resets the cache for us, run it after each change:

${F}
curl -X POST https://gw-admin.internal:9443/admin/cache/flush \\
  -H "Authorization: Bearer rk_live_4f9c2a7d81e0b3c6a5d9e2f1"
${F}
`,
  reason: 'It contained a live admin API key. Hidden so the key can be rotated — please post the steps again without it.',
} as const

/** A reply support hid at its author's request. */
export const HIDDEN_REPLY = {
  body: 'For reference, our gateway nodes are gw-prd-01…06 on 10.40.12.0/24 and the admin API is reachable from the whole office VLAN.',
  reason: 'Hidden at the author’s request: it listed internal host names and addresses.',
} as const
