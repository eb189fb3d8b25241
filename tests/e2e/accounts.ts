/** The demo world the hub seeds at boot (app/db/seed.ts), as the browser tests use it. */
export const DEMO_PASSWORD = 'switchboard-demo'

export const DEMO = {
  admin: { email: 'admin@vendor.test', name: 'Ada Admin' },
  support: { email: 'support@vendor.test', name: 'Sam Support' },
  alice: { email: 'alice@customer-a.test', name: 'Alice Andersen' },
  bob: { email: 'bob@customer-b.test', name: 'Bob Brennan' },
  carol: { email: 'carol@customer-c.test', name: 'Carol Castillo' },
} as const
