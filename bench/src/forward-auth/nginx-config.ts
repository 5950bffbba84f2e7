import { join } from 'node:path'
// The configuration docs/gateway.md shows, as packages/server's real-proxy tests run it (a plain
// function, no imports): the bench measures what users deploy, and follows the doc when it changes.
import { nginxConfig } from '../../../packages/server/test/proxy-configs.js'
import type { ForwardAuthStack } from './stack-names.js'

/** Where one stack's nginx sends requests, each as `host:port`. */
export interface NginxTargets {
  readonly backend: string
  /** The decision endpoint's server: the always-200 one or `latchkey serve`; none for `nginx-no-auth`. */
  readonly auth?: string
}

/** The `http {}` content of a stack: the documented config, or for the no-auth stack the same proxying without `auth_request`. */
export function stackHttpBlock(stack: ForwardAuthStack, port: number, { backend, auth }: NginxTargets): string {
  const listen = `127.0.0.1:${port}`
  if (stack === 'nginx-no-auth') return noAuthServer(listen, backend)
  if (!auth) throw new Error(`The ${stack} stack needs a decision endpoint.`)
  // The floor runs the very config Latchkey runs, with an endpoint that answers 200 in the gateway's place.
  return nginxConfig(listen, { gateway: auth, backend })
}

/** nginx → backend and nothing else, proxied as the documented config's `location /` proxies (upstream keep-alive). */
export function noAuthServer(listen: string, backend: string): string {
  return `upstream app {
    server ${backend};
    keepalive 16;
}

server {
    listen ${listen};

    location / {
        proxy_pass http://app;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
    }
}
`
}

/**
 * A whole nginx.conf around `http`, for a throwaway foreground nginx (`nginx -p DIR -c DIR/nginx.conf -e
 * stderr -g 'daemon off;'`): one worker (the servers share one CPU), its pid, lock and temp files in
 * `directory`, no access log (the same saving in every row), notices on stderr ("start worker process"
 * says it is ready). Run as root, the worker stays root, or it could not write in the private temp dir.
 * The load generator's connections stay open, as Node's servers keep them in the other scenarios: by
 * default nginx closes one after 1,000 requests, and autocannon, which sends the next request at once,
 * then counts a reset now and then.
 */
export function nginxMainConfig(directory: string, http: string, { root }: { root: boolean }): string {
  const dir = (name: string): string => join(directory, name)
  const indented = http.trimEnd().replaceAll(/^(?=.)/gm, '    ')
  return `${root ? 'user root;\n' : ''}worker_processes 1;
pid ${dir('nginx.pid')};
lock_file ${dir('nginx.lock')};
error_log stderr notice;

events {
    worker_connections 1024;
}

http {
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path ${dir('client-body')};
    proxy_temp_path ${dir('proxy')};
    fastcgi_temp_path ${dir('fastcgi')};
    uwsgi_temp_path ${dir('uwsgi')};
    scgi_temp_path ${dir('scgi')};

${indented}
}
`
}
