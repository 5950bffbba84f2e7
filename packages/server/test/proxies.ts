import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type OwnedProcess, startOwnedProcess } from './child-process.js'
import { caddyConfig, nginxConfig, type ProxyTargets } from './proxy-configs.js'

/** A proxy listening on a loopback port, in front of the gateway and the backend. */
export interface RunningProxy {
  readonly url: string
  readonly process: OwnedProcess
}

/** Starts a proxy on `port`, writing whatever it writes inside `directory`. */
export type ProxyStarter = (directory: string, port: number, targets: ProxyTargets) => Promise<RunningProxy>

/**
 * nginx with the documented config, as a foreground master (`daemon off`) whose pid file, temp
 * files and logs all live in `directory`: nothing is read from or written to /etc/nginx or /var.
 */
export const startNginx: ProxyStarter = async (directory, port, targets) => {
  const dir = (name: string) => join(directory, name)
  const conf = dir('nginx.conf')
  writeFileSync(
    conf,
    `${process.getuid?.() === 0 ? 'user root;\n' : ''}worker_processes 1;
pid ${dir('nginx.pid')};
lock_file ${dir('nginx.lock')};
# Notices show "start worker process", the line that says nginx is ready.
error_log stderr notice;

events {
    worker_connections 128;
}

http {
    access_log ${dir('access.log')};
    client_body_temp_path ${dir('client-body')};
    proxy_temp_path ${dir('proxy')};
    fastcgi_temp_path ${dir('fastcgi')};
    uwsgi_temp_path ${dir('uwsgi')};
    scgi_temp_path ${dir('scgi')};

${nginxConfig(`127.0.0.1:${port}`, targets)}}
`,
  )
  const nginx = await startOwnedProcess({
    command: 'nginx',
    args: ['-p', `${directory}/`, '-c', conf, '-g', 'daemon off;'],
    ready: (line) => (line.includes('start worker process') ? true : undefined),
  })
  return { url: `http://127.0.0.1:${port}`, process: nginx.process }
}

/**
 * Caddy with the documented site block, no admin endpoint and no automatic HTTPS, its storage and
 * HOME/XDG directories in `directory`, so it writes nothing elsewhere.
 */
export const startCaddy: ProxyStarter = async (directory, port, targets) => {
  const home = join(directory, 'home')
  mkdirSync(home)
  const file = join(directory, 'Caddyfile')
  writeFileSync(
    file,
    `{
	admin off
	auto_https off
	storage file_system ${join(directory, 'storage')}
}

${caddyConfig(`http://127.0.0.1:${port}`, targets)}`,
  )
  const caddy = await startOwnedProcess({
    command: 'caddy',
    args: ['run', '--config', file, '--adapter', 'caddyfile'],
    env: {
      PATH: process.env.PATH,
      HOME: home,
      XDG_CONFIG_HOME: join(home, 'config'),
      XDG_DATA_HOME: join(home, 'data'),
      XDG_CACHE_HOME: join(home, 'cache'),
    },
    ready: (line) => (line.includes('"serving initial configuration"') ? true : undefined),
  })
  return { url: `http://127.0.0.1:${port}`, process: caddy.process }
}
