import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const script = fileURLToPath(new URL('./damage-key-store.py', import.meta.url))

/**
 * Destroys the page of the SQLite store `file` that holds the API keys, under the gateway that has it
 * open (see damage-key-store.py): a real store failure, after which the file is of no more use.
 */
export function damageKeyStore(file: string, timeout = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('python3', [script, file], { env: { PATH: process.env.PATH }, timeout }, (error, stdout, stderr) =>
      error ? reject(new Error(`damage-key-store.py failed:\n${stdout}${stderr}`)) : resolve(),
    )
  })
}
