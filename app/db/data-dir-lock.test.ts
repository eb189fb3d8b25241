import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { DatabaseInUseError, openDatabase } from './client.server'

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-lock-'))
afterAll(() => fs.rmSync(root, { recursive: true, force: true }))

describe('the embedded database directory', () => {
  it('opens in one place at a time, and again once closed', async () => {
    const dataDir = path.join(root, 'pglite')
    const first = await openDatabase({ driver: 'pglite', dataDir })
    await expect(openDatabase({ driver: 'pglite', dataDir })).rejects.toThrow(DatabaseInUseError)
    await first.close()
    expect(fs.existsSync(`${dataDir}.lock`)).toBe(false)
    const again = await openDatabase({ driver: 'pglite', dataDir })
    await again.close()
  })

  it('takes over a lock left by a process that is gone', async () => {
    const dataDir = path.join(root, 'stale')
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!
    fs.writeFileSync(`${dataDir}.lock`, String(gone))
    const handle = await openDatabase({ driver: 'pglite', dataDir })
    expect(fs.readFileSync(`${dataDir}.lock`, 'utf8')).toBe(String(process.pid))
    await handle.close()
  })

  it('says which process has it and what to do', async () => {
    const dataDir = path.join(root, 'busy')
    fs.writeFileSync(`${dataDir}.lock`, String(process.ppid))
    const error = await openDatabase({ driver: 'pglite', dataDir }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DatabaseInUseError)
    expect((error as Error).message).toContain(`process ${process.ppid}`)
    expect((error as Error).message).toContain(`${dataDir}.lock`)
    expect(fs.existsSync(dataDir)).toBe(false)
  })
})
