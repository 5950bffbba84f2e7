// The nginx and Caddy configurations docs/gateway.md shows, as the real-proxy tests run them: the doc
// quotes this module's output for DOC_TARGETS verbatim, and proxy-configs-doc.test.ts keeps the two equal.

/** Where a proxy config sends requests. */
export interface ProxyTargets {
  /** `latchkey serve`, as `host:port`. */
  readonly gateway: string
  /** The application, as `host:port`. */
  readonly backend: string
}

/** The values docs/gateway.md shows the configs with. */
export const DOC_TARGETS = {
  nginxListen: '80',
  caddySite: 'api.example.com',
  gateway: '127.0.0.1:8080',
  backend: '127.0.0.1:3000',
} as const

/**
 * The nginx `upstream` and `server` blocks (inside `http {}`) that put the gateway in front of the
 * backend: `auth_request` to `/auth/nginx`, the identity headers copied to the backend, and any
 * refusal shown as the gateway wrote it through `/auth/nginx/refusal`.
 *
 * @param listen The `listen` directive's parameters, such as `80` or `127.0.0.1:8000`.
 */
export function nginxConfig(listen: string, { gateway, backend }: ProxyTargets): string {
  return `# keepalive: connections to both stay open for the next request (each needs HTTP/1.1 and no
# "Connection: close", set in every location below): a new one for every subrequest costs more than it.
upstream latchkey {
    server ${gateway};
    keepalive 16;
}

upstream app {
    server ${backend};
    keepalive 16;
}

server {
    listen ${listen};

    # The token endpoint and the discovery documents: the gateway answers them itself.
    location ~ ^/(oauth/(token|revoke)|\\.well-known/(oauth-authorization-server|oauth-protected-resource|jwks\\.json))$ {
        proxy_pass http://latchkey;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        # The connection's address, never the client's own X-Forwarded-For: what throttling counts by.
        proxy_set_header X-Forwarded-For $remote_addr;
    }

    location / {
        auth_request /_latchkey;
        auth_request_set $latchkey_refusal $upstream_http_x_latchkey_refusal;
        auth_request_set $latchkey_key_id $upstream_http_x_latchkey_key_id;
        auth_request_set $latchkey_account_id $upstream_http_x_latchkey_account_id;
        auth_request_set $latchkey_scopes $upstream_http_x_latchkey_scopes;
        auth_request_set $latchkey_key_name $upstream_http_x_latchkey_key_name;
        auth_request_set $latchkey_metadata $upstream_http_x_latchkey_metadata;
        auth_request_set $latchkey_auth_method $upstream_http_x_latchkey_auth_method;
        auth_request_set $latchkey_ratelimit $upstream_http_ratelimit;
        auth_request_set $latchkey_ratelimit_policy $upstream_http_ratelimit_policy;
        # auth_request passes on 401 and 403 only: the real answer (400, 401, 403, 429, 503) is fetched.
        error_page 401 = @latchkey_unauthorized;
        error_page 403 = @latchkey_refusal;

        proxy_pass http://app;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Authorization "";
        # Each replaces the client's copy; an empty one (no credentials needed, no key name) is not sent.
        proxy_set_header X-Latchkey-Key-Id $latchkey_key_id;
        proxy_set_header X-Latchkey-Account-Id $latchkey_account_id;
        proxy_set_header X-Latchkey-Scopes $latchkey_scopes;
        proxy_set_header X-Latchkey-Key-Name $latchkey_key_name;
        proxy_set_header X-Latchkey-Metadata $latchkey_metadata;
        proxy_set_header X-Latchkey-Auth-Method $latchkey_auth_method;
        # A limited key's RateLimit fields, on the app's answer to the client; none for other keys.
        # The app never gets a client's RateLimit request fields.
        proxy_set_header RateLimit "";
        proxy_set_header RateLimit-Policy "";
        add_header RateLimit $latchkey_ratelimit;
        add_header RateLimit-Policy $latchkey_ratelimit_policy;
    }

    location = /_latchkey {
        internal;
        proxy_pass http://latchkey/auth/nginx;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_pass_request_body off;
        proxy_set_header Content-Length "";
        proxy_set_header X-Original-Method $request_method;
        proxy_set_header X-Original-URI $request_uri;
        proxy_set_header X-Forwarded-For $remote_addr;
        # The answer's headers: metadata of 4096 bytes of JSON is 5.4 KiB in base64url, past the default 4k.
        proxy_buffer_size 16k;
        proxy_busy_buffers_size 16k;
    }

    # On 401 auth_request has already copied the gateway's WWW-Authenticate: a second would repeat it.
    location @latchkey_unauthorized {
        rewrite ^ /auth/nginx/refusal break;
        proxy_pass http://latchkey;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_method GET;
        proxy_pass_request_body off;
        proxy_pass_request_headers off;
        proxy_set_header X-Latchkey-Refusal $latchkey_refusal;
        proxy_hide_header WWW-Authenticate;
    }

    location @latchkey_refusal {
        rewrite ^ /auth/nginx/refusal break;
        proxy_pass http://latchkey;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_method GET;
        proxy_pass_request_body off;
        proxy_pass_request_headers off;
        proxy_set_header X-Latchkey-Refusal $latchkey_refusal;
    }
}
`
}

/**
 * The Caddyfile site block that puts the gateway in front of the backend: `forward_auth` to
 * `/auth/caddy`, the identity headers copied to the backend, and any refusal passed on as it is.
 *
 * @param site The site address, such as `api.example.com` or `http://127.0.0.1:8000`.
 */
export function caddyConfig(site: string, { gateway, backend }: ProxyTargets): string {
  return `${site} {
	# The token endpoint and the discovery documents: the gateway answers them itself.
	@latchkey path /oauth/token /oauth/revoke /.well-known/oauth-authorization-server /.well-known/oauth-protected-resource /.well-known/jwks.json
	handle @latchkey {
		reverse_proxy ${gateway}
	}

	handle {
		# route: in this order, not the Caddyfile's directive order.
		route {
			# A client's own copies never reach the app: copy_headers leaves them when the gateway sends none.
			request_header -X-Latchkey-*
			request_header -RateLimit
			request_header -RateLimit-Policy
			forward_auth ${gateway} {
				uri /auth/caddy
				copy_headers X-Latchkey-Key-Id X-Latchkey-Account-Id X-Latchkey-Scopes X-Latchkey-Key-Name X-Latchkey-Metadata X-Latchkey-Auth-Method RateLimit RateLimit-Policy
			}
			# Caddy 2.6 copies a header the gateway did not send as its placeholder's text (caddyserver/caddy#6610).
			@anonymous header_regexp X-Latchkey-Key-Id ^\\{
			request_header @anonymous -X-Latchkey-*
			@unnamed header_regexp X-Latchkey-Key-Name ^\\{
			request_header @unnamed -X-Latchkey-Key-Name
			# A limited key's RateLimit fields, on the app's answer to the client; none for other keys.
			@limited header_regexp RateLimit ^[^{]
			header @limited RateLimit {http.request.header.RateLimit}
			header @limited RateLimit-Policy {http.request.header.RateLimit-Policy}
			reverse_proxy ${backend} {
				header_up -Authorization
				header_up -RateLimit
				header_up -RateLimit-Policy
			}
		}
	}
}
`
}
