import { describe, expect, it } from 'vitest'
import { nginxConfig } from '../../packages/server/test/proxy-configs.js'
import { nginxMainConfig, stackHttpBlock } from '../src/forward-auth/nginx-config.js'

const targets = { backend: '127.0.0.1:3000', auth: '127.0.0.1:4000' }

describe('stackHttpBlock', () => {
  it('runs the floor and Latchkey through the documented config, only the decision endpoint differing', () => {
    const documented = nginxConfig('127.0.0.1:8000', { gateway: '127.0.0.1:4000', backend: '127.0.0.1:3000' })
    expect(stackHttpBlock('nginx-auth-floor', 8000, targets)).toBe(documented)
    expect(stackHttpBlock('nginx-latchkey', 8000, targets)).toBe(documented)
    expect(documented).toContain('proxy_pass http://latchkey/auth/nginx;')
  })

  it('proxies the no-auth stack straight to the backend, without auth_request', () => {
    const block = stackHttpBlock('nginx-no-auth', 8000, targets)
    expect(block).toContain('listen 127.0.0.1:8000;')
    expect(block).toContain('server 127.0.0.1:3000;')
    expect(block).not.toContain('auth_request')
    expect(block).not.toContain('4000')
  })

  it('refuses a stack with auth_request but no decision endpoint', () => {
    expect(() => stackHttpBlock('nginx-latchkey', 8000, { backend: '127.0.0.1:3000' })).toThrow('decision endpoint')
  })
})

describe('nginxMainConfig', () => {
  const conf = nginxMainConfig('/tmp/run', 'server {\n    listen 127.0.0.1:8000;\n}\n', { root: false })

  it('keeps the pid, lock and temp files in its directory, and logs nothing to /var', () => {
    expect(conf).toContain('pid /tmp/run/nginx.pid;')
    expect(conf).toContain('lock_file /tmp/run/nginx.lock;')
    for (const temp of ['client-body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) expect(conf).toContain(`/tmp/run/${temp};`)
    expect(conf).toContain('access_log off;')
    expect(conf).toContain('error_log stderr notice;')
    expect(conf).not.toContain('/var/')
  })

  it('runs one worker, as the servers share one CPU, and puts the server block inside http', () => {
    expect(conf).toContain('worker_processes 1;')
    expect(conf).toContain('keepalive_requests 1000000;')
    expect(conf).toMatch(/http \{\n[\s\S]*\n {4}server \{\n {8}listen 127\.0\.0\.1:8000;\n {4}\}\n\}\n$/)
  })

  it('keeps the worker root only when nginx is started as root', () => {
    expect(conf).not.toContain('user root;')
    expect(nginxMainConfig('/tmp/run', '', { root: true })).toMatch(/^user root;\n/)
  })
})
